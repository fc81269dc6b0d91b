package agreement

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/geo"
)

// Parse reads an agreement file, validates it and builds its indexes and
// rules. name is how problems refer to the file (usually its base name).
// On any problem it returns a nil Agreement and Problems listing all of
// them.
func Parse(name string, data []byte) (*Agreement, error) {
	a, probs := parse(name, data)
	if len(probs) > 0 {
		return nil, probs
	}
	return a, nil
}

// Validate returns every problem in an agreement file; none for a good
// file.
func Validate(name string, data []byte) Problems {
	_, probs := parse(name, data)
	return probs
}

func parse(name string, data []byte) (*Agreement, Problems) {
	d := &decoder{file: name, data: data}
	root, dups, err := readTree(data)
	if err != nil {
		var se *syntaxError
		off := len(data)
		msg := err.Error()
		if errors.As(err, &se) {
			off = se.off
		}
		line, col := lineCol(data, off)
		return nil, Problems{{File: name, Line: line, Column: col, Feature: -1, Message: msg}}
	}
	for _, dup := range dups {
		line, col := lineCol(data, dup.off)
		d.probs = append(d.probs, Problem{File: name, Path: pointer(dup.path, dup.key), Line: line, Column: col,
			Feature: featureOf(pointer(dup.path, dup.key)),
			Message: fmt.Sprintf("the field %q appears twice in the same object; say it once (JSON readers disagree on which one counts)", dup.key)})
	}
	a := d.agreement(root)
	if len(d.probs) > 0 {
		return nil, d.probs
	}
	a.File = name
	a.raw = append([]byte(nil), data...)
	a.SHA256 = digest(data)
	return a, nil
}

// decoder walks the JSON tree into an Agreement, collecting problems
// rather than stopping at the first.
type decoder struct {
	file     string
	data     []byte
	probs    Problems
	areaGeom map[int]*jnode // controlled area index → its geometry, to place overlaps
}

// entryName is how messages name a list entry: by its id when it has one.
func entryName(n *jnode, kind string, i int) string {
	if n.kind == jObject {
		if id := n.member("id"); id != nil && id.kind == jString && id.text != "" {
			return fmt.Sprintf("%s %q", kind, id.text)
		}
	}
	return fmt.Sprintf("%s %d", kind, i)
}

// featureOf is the index of the top-level list entry a path is in.
func featureOf(path string) int {
	parts := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 3)
	if len(parts) >= 2 {
		switch parts[0] {
		case "parties", "controlled_areas", "lines", "zones", "weapon_reach", "rules", "sources":
			if i, err := strconv.Atoi(parts[1]); err == nil {
				return i
			}
		}
	}
	return -1
}

func (d *decoder) add(n *jnode, path string, at *geo.Point, format string, args ...any) {
	p := Problem{File: d.file, Path: path, Feature: featureOf(path), Message: fmt.Sprintf(format, args...), At: at}
	if path == "" {
		p.Path = "/"
	}
	if n != nil {
		p.Line, p.Column = lineCol(d.data, n.off)
	}
	d.probs = append(d.probs, p)
}

// object checks that n is an object with only the allowed keys.
func (d *decoder) object(n *jnode, path, what string, allowed ...string) bool {
	if n.kind != jObject {
		d.add(n, path, nil, "%s must be an object ({…}), not %s", what, n.kind)
		return false
	}
	for i, k := range n.keys {
		if !slices.Contains(allowed, k) {
			msg := fmt.Sprintf("%s has no field %q", what, k)
			if s := suggest(k, allowed); s != "" {
				msg += fmt.Sprintf(" — did you mean %q?", s)
			} else {
				msg += "; the fields it may have are " + strings.Join(allowed, ", ")
			}
			d.add(n.vals[i], pointer(path, k), nil, "%s", msg)
		}
	}
	return true
}

// suggest returns the allowed key within two edits of k, if exactly one.
func suggest(k string, allowed []string) string {
	found := ""
	for _, a := range allowed {
		if editDistance(strings.ToLower(k), a) <= 2 {
			if found != "" {
				return ""
			}
			found = a
		}
	}
	return found
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// field returns obj's member key, reporting it when required and absent.
func (d *decoder) field(obj *jnode, path, key, what string, required bool) *jnode {
	v := obj.member(key)
	if v == nil && required {
		d.add(obj, pointer(path, key), nil, "%s is missing %q", what, key)
	}
	if v != nil && v.kind == jNull {
		if required {
			d.add(v, pointer(path, key), nil, "%s: %q must have a value, not null", what, key)
		}
		return nil
	}
	return v
}

func (d *decoder) str(obj *jnode, path, key, what string, required bool) string {
	v := d.field(obj, path, key, what, required)
	if v == nil {
		return ""
	}
	if v.kind != jString {
		d.add(v, pointer(path, key), nil, "%q must be a string (in quotes), not %s", key, v.kind)
		return ""
	}
	if required && strings.TrimSpace(v.text) == "" {
		d.add(v, pointer(path, key), nil, "%q must not be empty", key)
	}
	return v.text
}

func (d *decoder) num(obj *jnode, path, key, what string, required bool) (float64, bool) {
	v := d.field(obj, path, key, what, required)
	if v == nil {
		return 0, false
	}
	if v.kind != jNumber {
		d.add(v, pointer(path, key), nil, "%q must be a number, not %s", key, v.kind)
		return 0, false
	}
	f, err := strconv.ParseFloat(v.text, 64)
	if err != nil || math.IsInf(f, 0) {
		d.add(v, pointer(path, key), nil, "%q is not a usable number: %s", key, v.text)
		return 0, false
	}
	return f, true
}

func (d *decoder) list(obj *jnode, path, key, what string, required bool) []*jnode {
	v := d.field(obj, path, key, what, required)
	if v == nil {
		return nil
	}
	if v.kind != jArray {
		d.add(v, pointer(path, key), nil, "%q must be a list ([…]), not %s", key, v.kind)
		return nil
	}
	if required && len(v.items) == 0 {
		d.add(v, pointer(path, key), nil, "%q must not be empty", key)
	}
	return v.items
}

var (
	agreementIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
	entryIDPattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	partyCodePattern   = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,15}$`)
)

// DefaultOverlapToleranceM is used when thresholds.overlap_tolerance_m is
// absent.
const DefaultOverlapToleranceM = geo.DefaultOverlapToleranceM

func (d *decoder) agreement(root *jnode) *Agreement {
	a := &Agreement{lineByID: map[string]*Line{}}
	if !d.object(root, "", "the agreement", "id", "version", "title", "note", "effective_from",
		"sources", "parties", "controlled_areas", "lines", "zones", "weapon_reach", "thresholds", "rules", "commission", "guarantees") {
		return a
	}
	a.ID = d.str(root, "", "id", "the agreement", true)
	if a.ID != "" && !agreementIDPattern.MatchString(a.ID) {
		d.add(root.member("id"), "/id", nil, "id %q may use only letters, digits, '.', '_' and '-' (up to 128), starting with a letter or digit", a.ID)
	}
	if v, ok := d.num(root, "", "version", "the agreement", true); ok {
		if v != math.Trunc(v) || v < 1 || v > 1e9 {
			d.add(root.member("version"), "/version", nil, "version must be a whole number from 1 up, not %v", v)
		} else {
			a.Version = int(v)
		}
	}
	a.Title = d.str(root, "", "title", "the agreement", false)
	a.Note = d.str(root, "", "note", "the agreement", false)
	if v := root.member("effective_from"); v == nil || v.kind == jNull {
		d.add(root, "/effective_from", nil, "effective_from is missing: an agreement version takes effect at a stated time, written in RFC 3339 such as \"2026-09-01T00:00:00Z\"")
	} else if s := d.str(root, "", "effective_from", "the agreement", true); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			d.add(v, "/effective_from", nil, "effective_from %q is not a time in RFC 3339 form with its offset, such as \"2026-09-01T00:00:00Z\" or \"2026-09-01T03:00:00+03:00\"", s)
		} else {
			a.EffectiveFrom = t.UTC()
		}
	}
	for i, n := range d.list(root, "", "sources", "the agreement", false) {
		p := pointer("/sources", i)
		if !d.object(n, p, "a source", "name", "licence", "url", "note") {
			continue
		}
		a.Sources = append(a.Sources, Source{
			Name:    d.str(n, p, "name", "a source", true),
			Licence: d.str(n, p, "licence", "a source", false),
			URL:     d.str(n, p, "url", "a source", false),
			Note:    d.str(n, p, "note", "a source", false),
		})
	}
	d.parties(a, root)
	d.areas(a, root)
	d.lines(a, root)
	d.zones(a, root)
	d.reach(a, root)
	d.thresholds(a, root)
	d.overlaps(a)
	d.rules(a, root)
	d.commission(a, root)
	d.guarantees(a, root)
	if len(d.probs) == 0 {
		areas := make([]*geo.Area, len(a.Areas))
		for i := range a.Areas {
			areas[i] = a.Areas[i].Area
		}
		a.areaIdx = geo.NewAreaIndex(areas...)
	}
	return a
}

func (d *decoder) parties(a *Agreement, root *jnode) {
	seen := map[string]int{}
	for i, n := range d.list(root, "", "parties", "the agreement", true) {
		p := pointer("/parties", i)
		if !d.object(n, p, "a party", "code", "name", "note") {
			continue
		}
		code := d.str(n, p, "code", "a party", true)
		name := d.str(n, p, "name", "a party", true)
		d.str(n, p, "note", "a party", false)
		if code == "" {
			continue
		}
		if !partyCodePattern.MatchString(code) {
			d.add(n.member("code"), p+"/code", nil, "party code %q must be 2–16 capital letters, digits or '_', starting with a letter (ISO 3166-1 alpha-3 such as UKR, or a short code)", code)
		}
		if j, dup := seen[code]; dup {
			d.add(n.member("code"), p+"/code", nil, "party %q is defined twice (also at /parties/%d)", code, j)
			continue
		}
		seen[code] = i
		a.Parties = append(a.Parties, Party{Code: code, Name: name})
	}
}

func (a *Agreement) hasParty(code string) bool {
	return slices.ContainsFunc(a.Parties, func(p Party) bool { return p.Code == code })
}

func (d *decoder) partyRef(a *Agreement, n *jnode, path, key, what string, required bool) string {
	code := d.str(n, path, key, what, required)
	if code != "" && !a.hasParty(code) {
		var codes []string
		for _, p := range a.Parties {
			codes = append(codes, p.Code)
		}
		d.add(n.member(key), pointer(path, key), nil, "%s names party %q, which is not among the agreement's parties (%s)", what, code, strings.Join(codes, ", "))
		return ""
	}
	return code
}

func (d *decoder) areas(a *Agreement, root *jnode) {
	for i, n := range d.list(root, "", "controlled_areas", "the agreement", false) {
		p := pointer("/controlled_areas", i)
		what := fmt.Sprintf("controlled area %d", i)
		if !d.object(n, p, what, "party", "name", "note", "geometry") {
			continue
		}
		ca := ControlledArea{
			Party: d.partyRef(a, n, p, "party", what, true),
			Name:  d.str(n, p, "name", what, false),
			Note:  d.str(n, p, "note", what, false),
		}
		if g := d.field(n, p, "geometry", what, true); g != nil {
			ca.Polygons, ca.Area = d.polygons(g, p+"/geometry")
			if d.areaGeom == nil {
				d.areaGeom = map[int]*jnode{}
			}
			d.areaGeom[i] = g
		}
		a.Areas = append(a.Areas, ca)
	}
}

func (d *decoder) lines(a *Agreement, root *jnode) {
	for i, n := range d.list(root, "", "lines", "the agreement", false) {
		p := pointer("/lines", i)
		what := entryName(n, "line", i)
		if !d.object(n, p, what, "id", "name", "note", "geometry") {
			continue
		}
		l := Line{
			ID:   d.str(n, p, "id", what, true),
			Name: d.str(n, p, "name", what, false),
			Note: d.str(n, p, "note", what, false),
		}
		if l.ID != "" && !entryIDPattern.MatchString(l.ID) {
			d.add(n.member("id"), p+"/id", nil, "line id %q may use only letters, digits, '.', '_' and '-' (up to 64), starting with a letter or digit", l.ID)
		}
		if g := d.field(n, p, "geometry", what, true); g != nil {
			l.Parts, l.Geo = d.lineGeometry(g, p+"/geometry")
		}
		if l.ID == "" {
			continue
		}
		if _, dup := a.lineByID[l.ID]; dup {
			d.add(n.member("id"), p+"/id", nil, "line %q is defined twice", l.ID)
			continue
		}
		a.Lines = append(a.Lines, l)
		a.lineByID[l.ID] = nil // filled below, once the slice stops moving
	}
	for i := range a.Lines {
		a.lineByID[a.Lines[i].ID] = &a.Lines[i]
	}
}

func (d *decoder) zones(a *Agreement, root *jnode) {
	seen := map[string]bool{}
	for i, n := range d.list(root, "", "zones", "the agreement", false) {
		p := pointer("/zones", i)
		what := entryName(n, "zone", i)
		if !d.object(n, p, what, "id", "name", "note", "kind", "line", "distance_m", "party", "weapons", "geometry") {
			continue
		}
		z := Zone{
			ID:   d.str(n, p, "id", what, true),
			Name: d.str(n, p, "name", what, false),
			Note: d.str(n, p, "note", what, false),
		}
		if z.ID != "" {
			if !entryIDPattern.MatchString(z.ID) {
				d.add(n.member("id"), p+"/id", nil, "zone id %q may use only letters, digits, '.', '_' and '-' (up to 64), starting with a letter or digit", z.ID)
			}
			if seen[z.ID] {
				d.add(n.member("id"), p+"/id", nil, "zone %q is defined twice", z.ID)
			}
			seen[z.ID] = true
		}
		z.Party = d.partyRef(a, n, p, "party", what, false)
		kind := d.str(n, p, "kind", what, true)
		switch ZoneKind(kind) {
		case Withdrawal:
			z.Kind = Withdrawal
			z.Line = d.str(n, p, "line", what, true)
			if z.Line != "" {
				if _, ok := a.lineByID[z.Line]; !ok {
					d.add(n.member("line"), p+"/line", nil, "%s refers to line %q, which the agreement does not define", what, z.Line)
				}
			}
			if v, ok := d.num(n, p, "distance_m", what, true); ok {
				if v <= 0 || v > 1e6 {
					d.add(n.member("distance_m"), p+"/distance_m", nil, "%s: distance_m must be more than 0 and at most 1,000,000 metres, not %v", what, v)
				}
				z.DistanceM = v
			}
			if g := n.member("geometry"); g != nil {
				d.add(g, p+"/geometry", nil, "%s is a withdrawal zone, drawn as a distance from its line: it takes no geometry (a drawn zone is kind \"demilitarised\")", what)
			}
		case Demilitarised:
			z.Kind = Demilitarised
			for _, k := range []string{"line", "distance_m"} {
				if v := n.member(k); v != nil {
					d.add(v, pointer(p, k), nil, "%s is a demilitarised zone, drawn as a polygon: it takes no %q (a band along a line is kind \"withdrawal\")", what, k)
				}
			}
			if g := d.field(n, p, "geometry", what, true); g != nil {
				z.Polygons, z.Area = d.polygons(g, p+"/geometry")
			}
		case "":
		default:
			d.add(n.member("kind"), p+"/kind", nil, "%s: kind %q is not a kind of zone; use \"withdrawal\" (a band along a line) or \"demilitarised\" (a polygon)", what, kind)
		}
		for j, w := range d.list(n, p, "weapons", what, false) {
			z.Weapons = append(z.Weapons, d.weapon(w, pointer(p, "weapons", j), what))
		}
		a.Zones = append(a.Zones, z)
	}
}

// reach reads the table of weapon ranges: each entry a weapon spec, as
// in a zone, with the farthest it fires.
func (d *decoder) reach(a *Agreement, root *jnode) {
	for i, n := range d.list(root, "", "weapon_reach", "the agreement", false) {
		p := pointer("/weapon_reach", i)
		what := fmt.Sprintf("weapon_reach entry %d", i)
		if n.kind != jObject {
			d.add(n, p, nil, "%s must be an object such as {\"class\": \"mortar\", \"max_caliber_mm\": 120, \"max_range_m\": 7300}", what)
			continue
		}
		r := Reach{Weapon: d.weapon(n, p, what, "max_range_m"), Note: d.str(n, p, "note", what, false)}
		if v, ok := d.num(n, p, "max_range_m", what, true); ok {
			if !(v > 0 && v <= 1e7) {
				d.add(n.member("max_range_m"), p+"/max_range_m", nil, "%s: max_range_m must be more than 0 and at most 10,000,000 metres, not %v", what, v)
			}
			r.MaxRangeM = v
		}
		a.Reach = append(a.Reach, r)
	}
}

func (d *decoder) weapon(n *jnode, p, zone string, more ...string) WeaponSpec {
	var w WeaponSpec
	if !d.object(n, p, "a weapon", append([]string{"class", "min_caliber_mm", "max_caliber_mm", "systems", "note"}, more...)...) {
		return w
	}
	w.Class = d.str(n, p, "class", "a weapon", true)
	if w.Class != "" && !slices.Contains(WeaponClasses, w.Class) {
		msg := fmt.Sprintf("%s lists weapon class %q, which is not a weapon class of the intake schema", zone, w.Class)
		if s := suggest(w.Class, WeaponClasses); s != "" {
			msg += fmt.Sprintf(" — did you mean %q?", s)
		} else {
			msg += " (" + strings.Join(WeaponClasses, ", ") + ")"
		}
		d.add(n.member("class"), p+"/class", nil, "%s", msg)
	}
	lo, hasLo := d.num(n, p, "min_caliber_mm", "a weapon", false)
	hi, hasHi := d.num(n, p, "max_caliber_mm", "a weapon", false)
	if hasLo && (lo < 0 || lo > 1000) {
		d.add(n.member("min_caliber_mm"), p+"/min_caliber_mm", nil, "min_caliber_mm must be between 0 and 1000 mm, not %v", lo)
	}
	if hasHi && (hi <= 0 || hi > 1000) {
		d.add(n.member("max_caliber_mm"), p+"/max_caliber_mm", nil, "max_caliber_mm must be more than 0 and at most 1000 mm, not %v", hi)
	}
	if hasLo && hasHi && lo > hi {
		d.add(n.member("max_caliber_mm"), p+"/max_caliber_mm", nil, "max_caliber_mm (%v) is less than min_caliber_mm (%v): no calibre would match", hi, lo)
	}
	w.MinCaliberMM, w.MaxCaliberMM = lo, hi
	d.str(n, p, "note", "a weapon", false)
	for k, s := range d.list(n, p, "systems", "a weapon", false) {
		if s.kind != jString || strings.TrimSpace(s.text) == "" {
			d.add(s, pointer(p, "systems", k), nil, "a system must be a non-empty name in quotes, such as \"Smerch\"")
			continue
		}
		w.Systems = append(w.Systems, s.text)
	}
	return w
}

func (d *decoder) thresholds(a *Agreement, root *jnode) {
	n := d.field(root, "", "thresholds", "the agreement", true)
	a.Thresholds.OverlapToleranceM = DefaultOverlapToleranceM
	if n == nil || !d.object(n, "/thresholds", "thresholds", "attribution_probability", "overlap_tolerance_m") {
		return
	}
	if v, ok := d.num(n, "/thresholds", "attribution_probability", "thresholds", true); ok {
		if v < 0.5 || v > 1 {
			d.add(n.member("attribution_probability"), "/thresholds/attribution_probability", nil,
				"attribution_probability must be between 0.5 and 1 (a probability; below 0.5 two parties could both be held responsible), not %v", v)
		}
		a.Thresholds.AttributionProbability = v
	}
	if v, ok := d.num(n, "/thresholds", "overlap_tolerance_m", "thresholds", false); ok {
		if v < 0 || v > 10000 {
			d.add(n.member("overlap_tolerance_m"), "/thresholds/overlap_tolerance_m", nil,
				"overlap_tolerance_m must be between 0 and 10,000 metres, not %v", v)
		} else {
			a.Thresholds.OverlapToleranceM = v
		}
	}
}

// overlaps reports controlled areas that claim the same ground.
func (d *decoder) overlaps(a *Agreement) {
	for i := range a.Areas {
		for j := i + 1; j < len(a.Areas); j++ {
			ai, aj := a.Areas[i], a.Areas[j]
			if ai.Area == nil || aj.Area == nil {
				continue
			}
			if ok, w := geo.OverlapWithin(ai.Area, aj.Area, a.Thresholds.OverlapToleranceM); ok {
				d.add(d.areaGeom[j], pointer("/controlled_areas", j, "geometry"), &w,
					"controlled areas %d (%s) and %d (%s) overlap: both contain %s; areas may share a boundary but not ground (overlaps under %g m are taken for drawing differences)",
					i, ai.Party, j, aj.Party, geo.FormatPoint(w), a.Thresholds.OverlapToleranceM)
			}
		}
	}
}

// --- GeoJSON geometry.

// position reads [longitude, latitude] (an altitude, if any, is ignored).
func (d *decoder) position(n *jnode, p string) (geo.Point, bool) {
	if n.kind != jArray || len(n.items) < 2 || len(n.items) > 3 {
		d.add(n, p, nil, "a position must be [longitude, latitude] in decimal degrees")
		return geo.Point{}, false
	}
	var v [2]float64
	for i := range 2 {
		it := n.items[i]
		f, err := strconv.ParseFloat(it.text, 64)
		if it.kind != jNumber || err != nil {
			d.add(it, pointer(p, i), nil, "a position must be [longitude, latitude] in decimal degrees; %s is not a number", it.kind)
			return geo.Point{}, false
		}
		v[i] = f
	}
	pt := geo.Point{Lat: v[1], Lon: v[0]}
	if pt.Lon < -180 || pt.Lon > 180 {
		d.add(n.items[0], pointer(p, 0), nil, "longitude %v is outside −180..180 (positions are [longitude, latitude], longitude first)", pt.Lon)
		return pt, false
	}
	if pt.Lat < -90 || pt.Lat > 90 {
		d.add(n.items[1], pointer(p, 1), nil, "latitude %v is outside −90..90 (positions are [longitude, latitude], latitude second)", pt.Lat)
		return pt, false
	}
	return pt, true
}

func (d *decoder) positions(n *jnode, p string) ([]geo.Point, bool) {
	if n.kind != jArray {
		d.add(n, p, nil, "expected a list of positions, not %s", n.kind)
		return nil, false
	}
	out := make([]geo.Point, 0, len(n.items))
	ok := true
	for i, it := range n.items {
		pt, good := d.position(it, pointer(p, i))
		ok = ok && good
		out = append(out, pt)
	}
	return out, ok
}

// geometryType checks the GeoJSON object and returns its type and
// coordinates.
func (d *decoder) geometryType(n *jnode, p string, allowed ...string) (string, *jnode) {
	if !d.object(n, p, "a geometry", "type", "coordinates", "bbox") {
		return "", nil
	}
	t := d.str(n, p, "type", "a geometry", true)
	if t != "" && !slices.Contains(allowed, t) {
		d.add(n.member("type"), p+"/type", nil, "the geometry here must be a %s, not %q", strings.Join(allowed, " or a "), t)
		return "", nil
	}
	c := d.field(n, p, "coordinates", "a geometry", true)
	if c == nil {
		return "", nil
	}
	if c.kind != jArray {
		d.add(c, p+"/coordinates", nil, "coordinates must be a list, not %s", c.kind)
		return "", nil
	}
	return t, c
}

// polygons reads a Polygon or MultiPolygon, checks every ring, and builds
// the area if all is well.
func (d *decoder) polygons(n *jnode, p string) ([][][]geo.Point, *geo.Area) {
	t, c := d.geometryType(n, p, "Polygon", "MultiPolygon")
	if c == nil {
		return nil, nil
	}
	type polyAt struct {
		node *jnode
		path string
	}
	var list []polyAt
	if t == "Polygon" {
		list = []polyAt{{c, p + "/coordinates"}}
	} else {
		if len(c.items) == 0 {
			d.add(c, p+"/coordinates", nil, "a MultiPolygon needs at least one polygon")
		}
		for i, it := range c.items {
			list = append(list, polyAt{it, pointer(p+"/coordinates", i)})
		}
	}
	before := len(d.probs)
	var polys [][][]geo.Point
	for _, pa := range list {
		if pa.node.kind != jArray || len(pa.node.items) == 0 {
			d.add(pa.node, pa.path, nil, "a polygon is a list of rings (the outer boundary first, then any holes)")
			continue
		}
		var rings [][]geo.Point
		for r, rn := range pa.node.items {
			rp := pointer(pa.path, r)
			ring, ok := d.positions(rn, rp)
			if !ok {
				continue
			}
			for _, prob := range geo.RingProblems(ring) {
				at := prob.At
				d.add(rn, rp, &at, "%s%s", ringName(r), prob.Message)
			}
			rings = append(rings, ring)
		}
		polys = append(polys, rings)
	}
	if len(d.probs) > before {
		return polys, nil
	}
	area, err := geo.NewArea(polys)
	if err != nil {
		var ae *geo.AreaError
		path := p + "/coordinates"
		msg := err.Error()
		var at *geo.Point
		if errors.As(err, &ae) {
			at = &ae.At
			msg = ae.Msg
			if t == "MultiPolygon" {
				path = pointer(path, ae.Polygon)
			}
			if ae.Ring >= 0 {
				path = pointer(path, ae.Ring)
				msg = ringName(ae.Ring) + msg
			}
		}
		d.add(n, path, at, "%s", msg)
		return polys, nil
	}
	return polys, area
}

func ringName(r int) string {
	if r == 0 {
		return "outer ring: "
	}
	return fmt.Sprintf("hole %d: ", r)
}

// lineGeometry reads a LineString or MultiLineString.
func (d *decoder) lineGeometry(n *jnode, p string) ([][]geo.Point, *geo.Line) {
	t, c := d.geometryType(n, p, "LineString", "MultiLineString")
	if c == nil {
		return nil, nil
	}
	before := len(d.probs)
	var parts [][]geo.Point
	if t == "LineString" {
		if pts, ok := d.positions(c, p+"/coordinates"); ok {
			parts = append(parts, pts)
		}
	} else {
		if len(c.items) == 0 {
			d.add(c, p+"/coordinates", nil, "a MultiLineString needs at least one line")
		}
		for i, it := range c.items {
			if pts, ok := d.positions(it, pointer(p+"/coordinates", i)); ok {
				parts = append(parts, pts)
			}
		}
	}
	for i, part := range parts {
		distinct := 0
		for j := range part {
			if j == 0 || part[j] != part[j-1] {
				distinct++
			}
		}
		if distinct < 2 {
			path := p + "/coordinates"
			if t == "MultiLineString" {
				path = pointer(path, i)
			}
			d.add(c, path, nil, "a line needs at least two different positions")
		}
	}
	if len(d.probs) > before {
		return parts, nil
	}
	l, err := geo.NewLine(parts)
	if err != nil {
		d.add(n, p, nil, "%s", err.Error())
		return parts, nil
	}
	return parts, l
}
