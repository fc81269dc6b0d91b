package coverage

import (
	"math"
	"slices"

	"github.com/golang/geo/r1"
	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"

	"github.com/truce-mechanism/truce/geo"
)

// GridLevel is the S2 level of the areas coverage is given for: cells of
// about 4.6 km × 4.6 km (20 km²) at 48° N. A little under the 5–10 km one
// might pick for a map, on purpose: a cell should be smaller than a
// patrol's footprint (5 km radius), or a patrol could hardly ever cover a
// whole cell and "partial" would say nothing; level 10 (9 km) would be
// larger than that disc. A day of a 1,000 km front 100 km deep is then
// about 5,000 cells × 24 hours, few enough to summarise on every request.
const GridLevel = 11

// siteLevel quantises observer positions (S2 level 18: about 35 m). Reports
// from one sensor or one patrol halt then share one footprint, which
// bounds the state, and the footprint's centre is the cell's centre, not
// whichever report came first, so the answer does not depend on order. The
// error, at most about 25 m, is nothing beside a radius of kilometres.
const siteLevel = 18

// sampleLevel is where a cell's sample points come from: the centres of
// its 16 descendants two levels down, about 1.2 km apart. A cell's
// coverage fraction is the share of them inside a working footprint.
const sampleLevel = GridLevel + 2

// SamplesPerCell is how many sample points a cell's fraction counts.
const SamplesPerCell = 1 << (2 * (sampleLevel - GridLevel))

// World is a bounding box that holds every cell.
var World = geo.Rect{Min: geo.Point{Lat: -90, Lon: -180}, Max: geo.Point{Lat: 90, Lon: 180}}

// CellOf is the grid cell holding p.
func CellOf(p geo.Point) s2.CellID {
	return s2.CellIDFromLatLng(s2.LatLngFromDegrees(p.Lat, p.Lon)).Parent(GridLevel)
}

// CellCentre is the centre of a cell.
func CellCentre(id s2.CellID) geo.Point {
	ll := id.LatLng()
	return geo.Point{Lat: ll.Lat.Degrees(), Lon: ll.Lng.Degrees()}
}

// CellPolygon is a cell's boundary, four corners counter-clockwise, for a
// map (GeoJSON wants the first corner repeated at the end; it is not).
func CellPolygon(id s2.CellID) []geo.Point {
	c := s2.CellFromCellID(id)
	out := make([]geo.Point, 4)
	for k := range 4 {
		ll := s2.LatLngFromPoint(c.Vertex(k))
		out[k] = geo.Point{Lat: ll.Lat.Degrees(), Lon: ll.Lng.Degrees()}
	}
	return out
}

// inRect says whether p lies in r, a box that may cross the antimeridian.
func inRect(r geo.Rect, p geo.Point) bool {
	if p.Lat < r.Min.Lat || p.Lat > r.Max.Lat {
		return false
	}
	if r.Min.Lon <= r.Max.Lon {
		return p.Lon >= r.Min.Lon && p.Lon <= r.Max.Lon
	}
	return p.Lon >= r.Min.Lon || p.Lon <= r.Max.Lon
}

// cellInRect: a cell belongs to a box when its centre does. Adjacent boxes
// then share no cell, so tiles of a map add up.
func cellInRect(r geo.Rect, id s2.CellID) bool { return inRect(r, CellCentre(id)) }

// samples are a cell's sample points.
func samples(id s2.CellID) [SamplesPerCell]s2.Point {
	var out [SamplesPerCell]s2.Point
	c := id.ChildBeginAtLevel(sampleLevel)
	for i := range out {
		out[i] = c.Point()
		c = c.Next()
	}
	return out
}

// disc covers a cap with the grid's cells: every cell it may touch, sorted.
func disc(centre s2.Point, radius s1.ChordAngle) []s2.CellID {
	rc := &s2.RegionCoverer{MinLevel: GridLevel, MaxLevel: GridLevel, MaxCells: 1 << 20}
	u := rc.Covering(s2.CapFromCenterChordAngle(centre, radius))
	u.Denormalize(GridLevel, 1)
	cells := []s2.CellID(u)
	slices.Sort(cells)
	return cells
}

// Area is a set of grid cells: a sector, an oblast, the band along the
// line of contact. Summaries count its cells, so that cells nobody
// reported from count as uncovered instead of vanishing.
type Area struct {
	cells []s2.CellID // sorted, unique, at GridLevel
}

// NewArea makes an area of cells at any level: coarser cells are split
// into their grid cells, finer ones stand for the grid cell holding them.
func NewArea(cells ...s2.CellID) Area {
	var out []s2.CellID
	for _, c := range cells {
		if !c.IsValid() {
			continue
		}
		if c.Level() > GridLevel {
			out = append(out, c.Parent(GridLevel))
			continue
		}
		for d := c.ChildBeginAtLevel(GridLevel); d != c.ChildEndAtLevel(GridLevel); d = d.Next() {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return Area{cells: slices.Compact(out)}
}

// AreaWhere is the area of the cells whose centre lies in bound and
// passes keep (nil keeps all): for instance inside a party's controlled
// area, or within 20 km of the line of contact. It visits every cell of
// bound, about 1,000 per 2° × 2° at 48° N (25 million for the world).
func AreaWhere(bound geo.Rect, keep func(centre geo.Point) bool) Area {
	const rad = math.Pi / 180
	// s1.IntervalFromEndpoints takes Min.Lon > Max.Lon as crossing the
	// antimeridian, as geo.Rect does.
	r := s2.Rect{
		Lat: r1.Interval{Lo: bound.Min.Lat * rad, Hi: bound.Max.Lat * rad},
		Lng: s1.IntervalFromEndpoints(bound.Min.Lon*rad, bound.Max.Lon*rad),
	}
	if r.Lat.IsEmpty() {
		return Area{}
	}
	rc := &s2.RegionCoverer{MinLevel: GridLevel, MaxLevel: GridLevel, MaxCells: 1 << 24}
	u := rc.Covering(r)
	u.Denormalize(GridLevel, 1)
	var out []s2.CellID
	for _, c := range u {
		p := CellCentre(c)
		if inRect(bound, p) && (keep == nil || keep(p)) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return Area{cells: slices.Compact(out)}
}

// AreaNearLine is the band of cells whose centre lies within distM of a
// line, such as the line of contact.
func AreaNearLine(l *geo.Line, distM float64) Area {
	b := l.Bound()
	mid := (b.Min.Lat + b.Max.Lat) / 2
	dLat := distM / 111000
	dLon := distM / (111000 * math.Max(0.05, math.Cos(mid*math.Pi/180)))
	// The widest latitude of the box gives the widest degrees of
	// longitude; pad by the box's own edge too.
	edge := math.Max(math.Abs(b.Min.Lat), math.Abs(b.Max.Lat)) + dLat
	dLon = math.Max(dLon, distM/(111000*math.Max(0.05, math.Cos(math.Min(edge, 89)*math.Pi/180))))
	bound := geo.Rect{
		Min: geo.Point{Lat: math.Max(-90, b.Min.Lat-dLat), Lon: math.Max(-180, b.Min.Lon-dLon)},
		Max: geo.Point{Lat: math.Min(90, b.Max.Lat+dLat), Lon: math.Min(180, b.Max.Lon+dLon)},
	}
	return AreaWhere(bound, func(p geo.Point) bool { return l.DistanceM(p) <= distM })
}

// Cells are the area's cells, sorted.
func (a Area) Cells() []s2.CellID { return slices.Clone(a.cells) }

// Len is the number of cells.
func (a Area) Len() int { return len(a.cells) }

// Contains says whether the grid cell id is in the area.
func (a Area) Contains(id s2.CellID) bool {
	_, ok := slices.BinarySearch(a.cells, id)
	return ok
}

// Bound is a box holding the centres of the area's cells.
func (a Area) Bound() geo.Rect {
	if len(a.cells) == 0 {
		return geo.Rect{Min: geo.Point{Lat: 1, Lon: 1}, Max: geo.Point{Lat: -1, Lon: -1}} // holds nothing
	}
	r := s2.EmptyRect()
	for _, c := range a.cells {
		r = r.AddPoint(c.LatLng())
	}
	return geo.Rect{
		Min: geo.Point{Lat: r.Lat.Lo * 180 / math.Pi, Lon: r.Lng.Lo * 180 / math.Pi},
		Max: geo.Point{Lat: r.Lat.Hi * 180 / math.Pi, Lon: r.Lng.Hi * 180 / math.Pi},
	}
}
