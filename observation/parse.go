package observation

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/truce-mechanism/truce/canonical"
)

// Resolver turns an MGRS reference into the latitude and longitude of the
// centre of its square; it fails for a reference that names no place.
type Resolver func(mgrs string) (lat, lon float64, err error)

// Parse validates one document against the intake contract,
// spec/observation.schema.json (draft 2020-12, "date-time" asserted as
// RFC 3339), and returns the typed report with the schema's defaults
// applied. It names every bad field, not only the first. Beyond the schema
// it refuses an observed_at more than MaxClockSkew after receivedAt.
//
// A schema-valid MGRS reference that names no place (zone 0 or above 60, a
// square the zone does not have) is accepted, as the contract demands, with
// a warning and Point.Resolved false. resolve may be nil: then no MGRS
// reference is resolved.
//
// The decision is the schema's, keyword for keyword; the conformance
// corpus in testdata/corpus holds it to a JSON Schema validator. Two
// places differ from santhosh-tekuri/jsonschema/v6, both documented in
// testdata/corpus/README.md: a time such as "T+1:00:00Z" (which that
// validator reads with strconv.Atoi) is refused, as RFC 3339 requires two
// digits; and literals with exponents beyond ±10^6, which that validator
// cannot read, are compared exactly.
func Parse(doc Document, receivedAt time.Time, resolve Resolver) (Observation, []FieldError) {
	v := validator{doc: &doc, resolve: resolve}
	o := v.report(&doc.Value)
	o.Document = doc.Canonical
	if !o.ObservedAt.IsZero() && o.ObservedAt.After(receivedAt.Add(MaxClockSkew)) {
		v.fail("/observed_at", fmt.Sprintf("lies in the future: %s is more than %v after the report was received (%s)",
			o.ObservedAt.Format(time.RFC3339Nano), MaxClockSkew, receivedAt.UTC().Format(time.RFC3339)))
	}
	return o, v.errs
}

type validator struct {
	doc     *Document
	resolve Resolver
	errs    []FieldError
	warns   []string
}

func (v *validator) fail(ptr, detail string) {
	v.errs = append(v.errs, FieldError{Pointer: ptr, Index: v.doc.Index, Line: v.doc.Line, Row: v.doc.Row, Detail: detail})
}

func join(base, name string) string { return base + "/" + canonical.Pointer(name) }

// parts holds the optional pieces of a report in one allocation.
type parts struct {
	weapon                              Weapon
	observer, location, origin          Point
	rng                                 Range
	grading                             Grading
	sig                                 Signature
	bearing, originBearing, caliber     float64
	cep                                 [3]float64
	weaponOK, rangeOK, gradingOK, sigOK bool
}

// Number rules of the schema. Bounds are integers there, so they are
// compared exactly with the literal as sent.
type numRule struct {
	integer        bool
	min, max       int64
	hasMin, hasMax bool
	exclMin        bool
	exclMax        bool
}

var (
	ruleTimeSigma   = numRule{hasMin: true, min: 0, hasMax: true, max: 86400}
	ruleCount       = numRule{integer: true, hasMin: true, min: 1, hasMax: true, max: 100000}
	ruleCaliber     = numRule{hasMin: true, min: 0, exclMin: true, hasMax: true, max: 1000}
	ruleBearing     = numRule{hasMin: true, min: 0, hasMax: true, max: 360, exclMax: true}
	ruleSigma       = numRule{hasMin: true, min: 0, exclMin: true, hasMax: true, max: 90}
	ruleRangeMin    = numRule{hasMin: true, min: 0}
	ruleRangeMax    = numRule{hasMin: true, min: 0, exclMin: true, hasMax: true, max: 100000}
	ruleLat         = numRule{hasMin: true, min: -90, hasMax: true, max: 90}
	ruleLon         = numRule{hasMin: true, min: -180, hasMax: true, max: 180}
	ruleCEP         = numRule{hasMin: true, min: 0, hasMax: true, max: 100000}
	ruleSize        = numRule{integer: true, hasMin: true, min: 0}
	kinds           = []string{"explosion", "burst", "shot", "flare", "weapon_sighting", "movement", "airspace", "restriction", "casualty", "damage", "other"}
	fires           = []string{"outgoing", "incoming", "unknown"}
	weaponClasses   = []string{"artillery", "mortar", "mlrs", "tank", "anti_tank", "small_arms", "heavy_machine_gun", "grenade_launcher", "drone", "missile", "aircraft", "air_defence", "unknown"}
	reliabilities   = []string{"A", "B", "C", "D", "E", "F"}
	topLevelMembers = "id, source, observed_at, time_sigma_s, kind, count, fire, weapon, observer, location, bearing_deg, bearing_sigma_deg, range_m, origin, origin_bearing_deg, origin_bearing_sigma_deg, reported_party, grading, evidence, marking, notes, signature"
)

func (v *validator) report(x *canonical.Value) Observation {
	o := Observation{
		TimeSigmaS:            DefaultTimeSigmaS,
		Count:                 DefaultCount,
		Fire:                  FireUnknown,
		BearingSigmaDeg:       DefaultBearingSigmaDeg,
		OriginBearingSigmaDeg: DefaultOriginBearingSigmaDeg,
		Marking:               DefaultMarking,
	}
	if x.Kind != canonical.Object {
		v.fail("", "a report must be a JSON object, not "+kindName(x))
		return o
	}
	var p *parts
	need := func() *parts {
		if p == nil {
			p = new(parts)
		}
		return p
	}
	var has struct{ id, source, observedAt, kind, observer, location, bearing, rng, originBearing bool }
	for i := range x.Members {
		m := &x.Members[i]
		val := &m.Value
		switch m.Name {
		case "id":
			has.id = true
			o.ID, _ = v.identifier("/id", val, 128)
		case "source":
			has.source = true
			o.Source, _ = v.identifier("/source", val, 64)
		case "observed_at":
			has.observedAt = true
			if s, ok := v.str("/observed_at", val); ok {
				t, reason := parseDateTime(s)
				if reason != "" {
					v.fail("/observed_at", "must be an RFC 3339 date-time with an offset, e.g. 2026-08-23T14:05:00Z: "+reason+" (got "+quote(s)+")")
				} else {
					o.ObservedAt = t
				}
			}
		case "time_sigma_s":
			if f, ok := v.number("/time_sigma_s", val, ruleTimeSigma); ok {
				o.TimeSigmaS = f
			}
		case "kind":
			has.kind = true
			if s, ok := v.enum("/kind", val, kinds); ok {
				o.Kind = Kind(s)
			}
		case "count":
			if f, ok := v.number("/count", val, ruleCount); ok {
				o.Count = int(f)
			}
		case "fire":
			if s, ok := v.enum("/fire", val, fires); ok {
				o.Fire = Fire(s)
			}
		case "weapon":
			v.weapon(val, need())
		case "observer":
			has.observer = true
			pp := need()
			v.point("/observer", val, &pp.observer, &pp.cep[0])
		case "location":
			has.location = true
			pp := need()
			v.point("/location", val, &pp.location, &pp.cep[1])
		case "origin":
			pp := need()
			v.point("/origin", val, &pp.origin, &pp.cep[2])
		case "bearing_deg":
			has.bearing = true
			if f, ok := v.number("/bearing_deg", val, ruleBearing); ok {
				need().bearing = f
				o.BearingDeg = &p.bearing
			}
		case "bearing_sigma_deg":
			if f, ok := v.number("/bearing_sigma_deg", val, ruleSigma); ok {
				o.BearingSigmaDeg = f
			}
		case "range_m":
			has.rng = true
			v.rangeM(val, need())
		case "origin_bearing_deg":
			has.originBearing = true
			if f, ok := v.number("/origin_bearing_deg", val, ruleBearing); ok {
				need().originBearing = f
				o.OriginBearingDeg = &p.originBearing
			}
		case "origin_bearing_sigma_deg":
			if f, ok := v.number("/origin_bearing_sigma_deg", val, ruleSigma); ok {
				o.OriginBearingSigmaDeg = f
			}
		case "reported_party":
			if s, ok := v.str("/reported_party", val); ok {
				if !matchParty(s) {
					v.fail("/reported_party", "must be a party code: a capital letter and 1 to 15 capitals, digits or _, e.g. RUS (got "+quote(s)+")")
				} else {
					o.ReportedParty = s
				}
			}
		case "grading":
			v.grading(val, need())
		case "evidence":
			o.Evidence = v.evidence(val)
		case "marking":
			if s, ok := v.str("/marking", val); ok {
				bad := false
				if n := utf8.RuneCountInString(s); n > 512 {
					v.fail("/marking", fmt.Sprintf("must be at most 512 characters (got %d)", n))
					bad = true
				}
				if !matchMarking(s) {
					v.fail("/marking", "must be PUBLIC, MISSION, COMMISSION or REL TO followed by codes separated by commas, e.g. REL TO USA, UKR (got "+quote(s)+")")
					bad = true
				}
				if !bad {
					o.Marking = s
				}
			}
		case "notes":
			if s, ok := v.text("/notes", val, 8000); ok {
				o.Notes = s
			}
		case "signature":
			v.signature(val, need())
		default:
			v.fail(join("", m.Name), "is not a field of a report; the fields are "+topLevelMembers)
		}
	}
	if !has.id {
		v.fail("/id", "is required")
	}
	if !has.source {
		v.fail("/source", "is required")
	}
	if !has.observedAt {
		v.fail("/observed_at", "is required")
	}
	if !has.kind {
		v.fail("/kind", "is required")
	}
	if has.bearing && !has.observer {
		v.fail("/observer", "is required when bearing_deg is given: a bearing is measured from the observer")
	}
	if has.rng && !has.observer {
		v.fail("/observer", "is required when range_m is given: a range is measured from the observer")
	}
	if has.originBearing && !has.location {
		v.fail("/location", "is required when origin_bearing_deg is given: that bearing is measured from the location")
	}
	if p != nil {
		if p.weaponOK {
			o.Weapon = &p.weapon
		}
		if has.observer && p.observer.set() {
			o.Observer = &p.observer
		}
		if has.location && p.location.set() {
			o.Location = &p.location
		}
		if p.origin.set() {
			o.Origin = &p.origin
		}
		if p.rangeOK {
			o.Range = &p.rng
		}
		if p.gradingOK {
			o.Grading = &p.grading
		}
		if p.sigOK {
			o.Signature = &p.sig
		}
	}
	o.Warnings = v.warns
	return o
}

func (pt *Point) set() bool { return pt.Resolved || pt.MGRS != "" }

// object checks that x is an object and names each member that is not one
// of known. It reports whether x is an object.
func (v *validator) object(ptr string, x *canonical.Value, what string, known ...string) bool {
	if x.Kind != canonical.Object {
		v.fail(ptr, "must be an object ("+what+"), not "+kindName(x))
		return false
	}
	for i := range x.Members {
		name := x.Members[i].Name
		found := false
		for _, k := range known {
			if k == name {
				found = true
				break
			}
		}
		if !found {
			v.fail(join(ptr, name), "is not a field of "+ptr[1:]+"; its fields are "+strings.Join(known, ", "))
		}
	}
	return true
}

func (v *validator) weapon(x *canonical.Value, p *parts) {
	if !v.object("/weapon", x, "the weapon system", "class", "caliber_mm", "system") {
		return
	}
	ok := true
	for i := range x.Members {
		m := &x.Members[i]
		switch m.Name {
		case "class":
			s, good := v.enum("/weapon/class", &m.Value, weaponClasses)
			p.weapon.Class, ok = s, ok && good
		case "caliber_mm":
			f, good := v.number("/weapon/caliber_mm", &m.Value, ruleCaliber)
			if good {
				p.caliber = f
				p.weapon.CaliberMM = &p.caliber
			}
			ok = ok && good
		case "system":
			s, good := v.text("/weapon/system", &m.Value, 64)
			p.weapon.System, ok = s, ok && good
		}
	}
	p.weaponOK = ok
}

// point checks a WGS 84 position against the schema's oneOf of a lat/lon
// object and an MGRS object. No object can match both (each forbids the
// other's members), so the point is valid exactly when the branch its
// members choose is valid; the errors are those of that branch.
func (v *validator) point(ptr string, x *canonical.Value, pt *Point, cep *float64) {
	if x.Kind != canonical.Object {
		v.fail(ptr, "must be an object with lat and lon, or with mgrs; not "+kindName(x))
		return
	}
	lat, lon, mgrs := x.Get("lat"), x.Get("lon"), x.Get("mgrs")
	start := len(v.errs)
	switch {
	case mgrs != nil && (lat != nil || lon != nil):
		v.fail(ptr, "give either lat and lon, or mgrs, not both")
	case mgrs == nil && lat == nil && lon == nil:
		v.fail(ptr, "needs lat and lon, or mgrs")
	case mgrs == nil && lat == nil:
		v.fail(ptr+"/lat", "is required with lon")
	case mgrs == nil && lon == nil:
		v.fail(ptr+"/lon", "is required with lat")
	}
	for i := range x.Members {
		m := &x.Members[i]
		switch m.Name {
		case "lat":
			if f, ok := v.number(ptr+"/lat", &m.Value, ruleLat); ok {
				pt.Lat = f
			}
		case "lon":
			if f, ok := v.number(ptr+"/lon", &m.Value, ruleLon); ok {
				pt.Lon = f
			}
		case "mgrs":
			if s, ok := v.str(ptr+"/mgrs", &m.Value); ok {
				if !matchMGRS(s) {
					v.fail(ptr+"/mgrs", "must be an MGRS reference: zone, band, 100 km square and 0 to 5 digits each of easting and northing, e.g. 37U DP 12345 67890 (got "+quote(s)+")")
				} else {
					pt.MGRS = s
				}
			}
		case "cep_m":
			if f, ok := v.number(ptr+"/cep_m", &m.Value, ruleCEP); ok {
				*cep = f
				pt.CEPm = cep
			}
		default:
			v.fail(join(ptr, m.Name), "is not a field of a position; its fields are lat, lon and cep_m, or mgrs and cep_m")
		}
	}
	if len(v.errs) > start {
		*pt = Point{}
		return
	}
	if mgrs == nil {
		pt.Resolved = true
		return
	}
	if v.resolve == nil {
		return
	}
	lat2, lon2, err := v.resolve(pt.MGRS)
	if err != nil {
		v.warns = append(v.warns, fmt.Sprintf("%s/mgrs: %q names no place on Earth (%v); the report is kept but cannot be placed", ptr, pt.MGRS, err))
		return
	}
	pt.Lat, pt.Lon, pt.Resolved = lat2, lon2, true
}

func (v *validator) rangeM(x *canonical.Value, p *parts) {
	if !v.object("/range_m", x, "the distance from the observer, with min and max", "min", "max") {
		return
	}
	lo, hi := x.Get("min"), x.Get("max")
	ok := lo != nil && hi != nil
	if lo == nil {
		v.fail("/range_m/min", "is required")
	} else if f, good := v.number("/range_m/min", lo, ruleRangeMin); good {
		p.rng.MinM = f
	} else {
		ok = false
	}
	if hi == nil {
		v.fail("/range_m/max", "is required")
	} else if f, good := v.number("/range_m/max", hi, ruleRangeMax); good {
		p.rng.MaxM = f
	} else {
		ok = false
	}
	if ok && p.rng.MinM > p.rng.MaxM {
		v.warns = append(v.warns, "/range_m: min exceeds max; fusion will read the range as empty")
	}
	p.rangeOK = ok && len(x.Members) == 2
}

func (v *validator) grading(x *canonical.Value, p *parts) {
	if !v.object("/grading", x, "the Admiralty code", "reliability", "credibility") {
		return
	}
	ok := true
	for i := range x.Members {
		m := &x.Members[i]
		switch m.Name {
		case "reliability":
			s, good := v.enum("/grading/reliability", &m.Value, reliabilities)
			p.grading.Reliability, ok = s, ok && good
		case "credibility":
			// An enum of the numbers 1 to 6: equal by value, so 2.0 is 2.
			val := &m.Value
			good := false
			if val.Kind == canonical.Number {
				d := parseDecimal(val.Text)
				if n, isInt := d.int64(); isInt && n >= 1 && n <= 6 {
					p.grading.Credibility, good = int(n), true
				}
			}
			if !good {
				v.fail("/grading/credibility", "must be one of 1, 2, 3, 4, 5, 6 (got "+brief(val)+")")
			}
			ok = ok && good
		}
	}
	p.gradingOK = ok
}

func (v *validator) evidence(x *canonical.Value) []Evidence {
	if x.Kind != canonical.Array {
		v.fail("/evidence", "must be an array of files, not "+kindName(x))
		return nil
	}
	if len(x.Items) > 64 {
		v.fail("/evidence", fmt.Sprintf("must hold at most 64 files (got %d)", len(x.Items)))
	}
	out := make([]Evidence, len(x.Items))
	var sizes []int64
	start := len(v.errs)
	for i := range x.Items {
		ptr := "/evidence/" + strconv.Itoa(i)
		it := &x.Items[i]
		if !v.object(ptr, it, "a file named by its hash", "sha256", "media_type", "size", "uri") {
			continue
		}
		if it.Get("sha256") == nil {
			v.fail(ptr+"/sha256", "is required")
		}
		for j := range it.Members {
			m := &it.Members[j]
			switch m.Name {
			case "sha256":
				if s, ok := v.str(ptr+"/sha256", &m.Value); ok {
					if !matchSHA256(s) {
						v.fail(ptr+"/sha256", "must be 64 lowercase hexadecimal digits (got "+quote(s)+")")
					} else {
						out[i].SHA256 = s
					}
				}
			case "media_type":
				out[i].MediaType, _ = v.text(ptr+"/media_type", &m.Value, 127)
			case "uri":
				out[i].URI, _ = v.text(ptr+"/uri", &m.Value, 2048)
			case "size":
				if _, ok := v.number(ptr+"/size", &m.Value, ruleSize); ok {
					d := parseDecimal(m.Value.Text)
					if n, fits := d.int64(); fits {
						if sizes == nil {
							sizes = make([]int64, len(x.Items))
						}
						sizes[i] = n
						out[i].Size = &sizes[i]
					} else {
						v.warns = append(v.warns, ptr+"/size: "+clip(m.Value.Text, 40)+" bytes is beyond what this system counts; the size is kept in the document only")
					}
				}
			}
		}
	}
	if len(v.errs) > start {
		return nil
	}
	return out
}

func (v *validator) signature(x *canonical.Value, p *parts) {
	if !v.object("/signature", x, "an Ed25519 signature with key_id and sig", "key_id", "sig") {
		return
	}
	kid, sig := x.Get("key_id"), x.Get("sig")
	ok := kid != nil && sig != nil
	if kid == nil {
		v.fail("/signature/key_id", "is required")
	} else if s, good := v.text("/signature/key_id", kid, 64); good {
		p.sig.KeyID = s
	} else {
		ok = false
	}
	if sig == nil {
		v.fail("/signature/sig", "is required")
	} else if s, good := v.text("/signature/sig", sig, 128); good {
		p.sig.Sig = s
	} else {
		ok = false
	}
	p.sigOK = ok && len(x.Members) == 2
}

// identifier checks id and source: 1 to max characters of
// [A-Za-z0-9._:-].
func (v *validator) identifier(ptr string, x *canonical.Value, max int) (string, bool) {
	s, ok := v.str(ptr, x)
	if !ok {
		return "", false
	}
	ok = true
	if s == "" {
		v.fail(ptr, "must not be empty")
		ok = false
	} else if n := utf8.RuneCountInString(s); n > max {
		v.fail(ptr, fmt.Sprintf("must be at most %d characters (got %d)", max, n))
		ok = false
	}
	if !matchID(s) && s != "" {
		v.fail(ptr, "may hold only letters A-Z and a-z, digits and . _ : - (got "+quote(s)+")")
		ok = false
	}
	if !ok {
		return "", false
	}
	return s, true
}

func (v *validator) str(ptr string, x *canonical.Value) (string, bool) {
	if x.Kind != canonical.String {
		v.fail(ptr, "must be a string, not "+kindName(x)+" "+brief(x))
		return "", false
	}
	return x.Text, true
}

// text checks a string of at most max characters (code points, as JSON
// Schema counts them).
func (v *validator) text(ptr string, x *canonical.Value, max int) (string, bool) {
	s, ok := v.str(ptr, x)
	if !ok {
		return "", false
	}
	if len(s) > max { // bytes ≥ characters: count only when it may matter
		if n := utf8.RuneCountInString(s); n > max {
			v.fail(ptr, fmt.Sprintf("must be at most %d characters (got %d)", max, n))
			return "", false
		}
	}
	return s, true
}

func (v *validator) enum(ptr string, x *canonical.Value, values []string) (string, bool) {
	if x.Kind == canonical.String {
		for _, e := range values {
			if x.Text == e {
				return e, true
			}
		}
	}
	v.fail(ptr, "must be one of "+strings.Join(values, ", ")+" (got "+brief(x)+")")
	return "", false
}

func (v *validator) number(ptr string, x *canonical.Value, r numRule) (float64, bool) {
	if x.Kind != canonical.Number {
		want := "a number"
		if r.integer {
			want = "an integer"
		}
		v.fail(ptr, "must be "+want+", not "+kindName(x)+" "+brief(x))
		return 0, false
	}
	d := parseDecimal(x.Text)
	if r.integer && !d.isInteger() {
		v.fail(ptr, "must be an integer (got "+clip(x.Text, 40)+")")
		return 0, false
	}
	if r.hasMin {
		c := d.cmpInt(r.min)
		if r.exclMin && c <= 0 {
			v.fail(ptr, fmt.Sprintf("must be greater than %d (got %s)", r.min, clip(x.Text, 40)))
			return 0, false
		}
		if c < 0 {
			v.fail(ptr, fmt.Sprintf("must be at least %d (got %s)", r.min, clip(x.Text, 40)))
			return 0, false
		}
	}
	if r.hasMax {
		c := d.cmpInt(r.max)
		if r.exclMax && c >= 0 {
			v.fail(ptr, fmt.Sprintf("must be less than %d (got %s)", r.max, clip(x.Text, 40)))
			return 0, false
		}
		if c > 0 {
			v.fail(ptr, fmt.Sprintf("must be at most %d (got %s)", r.max, clip(x.Text, 40)))
			return 0, false
		}
	}
	return x.Num, true
}

func kindName(x *canonical.Value) string {
	switch x.Kind {
	case canonical.Object:
		return "an object"
	case canonical.Array:
		return "an array"
	case canonical.String:
		return "a string"
	case canonical.Number:
		return "a number"
	case canonical.Null:
		return "null"
	}
	return "a boolean"
}

// brief shows a value in an error message, shortened.
func brief(x *canonical.Value) string {
	switch x.Kind {
	case canonical.String:
		return quote(x.Text)
	case canonical.Number:
		return clip(x.Text, 40)
	case canonical.True:
		return "true"
	case canonical.False:
		return "false"
	case canonical.Null:
		return "null"
	case canonical.Array:
		return "[…]"
	}
	return "{…}"
}

func quote(s string) string { return strconv.Quote(clip(s, 60)) }
