package observation

import (
	"strconv"

	"github.com/truce-mechanism/truce/canonical"
)

// geoJSONType returns "FeatureCollection" or "Feature" when v is a GeoJSON
// object of that type, else "". A report cannot be mistaken for one: the
// intake schema has no "type" member.
func geoJSONType(v *canonical.Value) string {
	if v.Kind != canonical.Object {
		return ""
	}
	t := v.Get("type")
	if t == nil || t.Kind != canonical.String {
		return ""
	}
	if t.Text == "FeatureCollection" || t.Text == "Feature" {
		return t.Text
	}
	return ""
}

// geojson turns a FeatureCollection (or one Feature) into reports: each
// feature's properties are the report's fields and its Point geometry,
// [lon, lat] as GeoJSON orders them, becomes "location". The number
// literals of the coordinates are kept as sent. A feature-level "id" is
// taken as the report's id when the properties have none.
func (d *decoder) geojson(v *canonical.Value, typ string) ([]Document, error) {
	fail := func(index int, ptr, detail string) error {
		return &DecodeError{Encoding: "geojson", Index: index, Pointer: ptr, Detail: detail}
	}
	switch typ {
	case "Feature":
		doc, err := d.feature(v, 0, "")
		if err != nil {
			return nil, err
		}
		doc.Single = true
		return []Document{doc}, nil
	case "FeatureCollection":
	default:
		return nil, fail(0, "", `expected a GeoJSON FeatureCollection (an object with "type": "FeatureCollection")`)
	}
	fs := v.Get("features")
	if fs == nil || fs.Kind != canonical.Array {
		return nil, fail(0, "/features", "a FeatureCollection needs a \"features\" array")
	}
	docs := make([]Document, len(fs.Items))
	for i := range fs.Items {
		doc, err := d.feature(&fs.Items[i], i, "/features/"+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		docs[i] = doc
	}
	return docs, nil
}

func (d *decoder) feature(f *canonical.Value, index int, at string) (Document, error) {
	fail := func(ptr, detail string) (Document, error) {
		return Document{}, &DecodeError{Encoding: "geojson", Index: index, Pointer: at + ptr, Detail: detail}
	}
	if geoJSONType(f) != "Feature" {
		return fail("", `not a GeoJSON Feature (an object with "type": "Feature")`)
	}
	var members []canonical.Member
	hasID, hasLocation := false, false
	if props := f.Get("properties"); props != nil {
		switch props.Kind {
		case canonical.Null:
		case canonical.Object:
			members = make([]canonical.Member, len(props.Members), len(props.Members)+2)
			copy(members, props.Members)
			hasID = props.Get("id") != nil
			hasLocation = props.Get("location") != nil
		default:
			return fail("/properties", "properties must be an object or null, not "+props.Kind.String())
		}
	}
	if id := f.Get("id"); id != nil && !hasID {
		members = append(members, canonical.Member{Name: "id", Value: *id})
	}
	if g := f.Get("geometry"); g != nil && g.Kind != canonical.Null {
		if hasLocation {
			return fail("", "both the geometry and properties.location place the report: give one of them")
		}
		loc, err := pointLocation(g)
		if err != nil {
			return fail("/geometry", err.Error())
		}
		members = append(members, canonical.Member{Name: "location", Value: loc})
	}
	doc := Document{Value: canonical.ObjectValue(members...), Index: index}
	if doc.Value.Members == nil {
		doc.Value.Members = []canonical.Member{}
	}
	c, err := d.canon(&doc.Value)
	if err != nil {
		return fail("", err.Error())
	}
	doc.Canonical = c
	return doc, nil
}

type geoError string

func (e geoError) Error() string { return string(e) }

// pointLocation turns a GeoJSON Point into a report's {"lat", "lon"}. The
// coordinates' values pass through unchecked so that validation names a
// bad one by its place in the report (/location/lat); an altitude, which
// the intake schema has no field for, is dropped.
func pointLocation(g *canonical.Value) (canonical.Value, error) {
	if g.Kind != canonical.Object {
		return canonical.Value{}, geoError("geometry must be an object or null")
	}
	t := g.Get("type")
	if t == nil || t.Kind != canonical.String {
		return canonical.Value{}, geoError("geometry needs a \"type\"")
	}
	if t.Text != "Point" {
		return canonical.Value{}, geoError("a report is placed by a Point, not a " + t.Text)
	}
	c := g.Get("coordinates")
	if c == nil || c.Kind != canonical.Array || len(c.Items) < 2 || len(c.Items) > 3 {
		return canonical.Value{}, geoError("a Point needs \"coordinates\": [lon, lat] or [lon, lat, altitude]")
	}
	if len(c.Items) == 3 && c.Items[2].Kind != canonical.Number {
		return canonical.Value{}, geoError("the altitude of a Point must be a number")
	}
	return canonical.ObjectValue(
		canonical.Member{Name: "lat", Value: c.Items[1]},
		canonical.Member{Name: "lon", Value: c.Items[0]},
	), nil
}
