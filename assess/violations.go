package assess

import (
	"errors"
	"slices"
	"strconv"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/ast"
	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
)

// Violation is a rule of the agreement an event breaks.
type Violation struct {
	Rule string
	// AgreementVersion names the version whose rule it is (VersionName).
	AgreementVersion string
	Severity         string
}

// VersionName names an agreement version as assessments cite it:
// "id@version", e.g. "demo-2026-08-22@1". A version is immutable
// (agreement.Versions refuses a second file under the same id and
// version), so the pair names the text exactly; its SHA-256 is in the
// stored version and the ledger.
func VersionName(a *agreement.Agreement) string {
	if a == nil {
		return ""
	}
	return a.ID + "@" + strconv.Itoa(a.Version)
}

// prepared is what the assessment needs of one agreement version, built
// once: its name, the edges of the controlled areas indexed for the
// attribution's integration, which rules can be applied
// without a place, and the calibres to try for a weapon of unknown
// calibre.
type prepared struct {
	a       *agreement.Agreement
	name    string
	areas   *areaMap // the controlled areas' edges, for attribution
	parties []string // agreement order
	// placeFree[i]: rule i's condition never mentions place, so it holds
	// or not whatever the place; only those apply to an event with no
	// location.
	placeFree []bool
	ruleIndex map[string]int
	// calibres[class] are the calibres to try for a weapon of that class
	// whose calibre no report gives (see calibresFor); absent when the
	// agreement bounds no calibre of the class.
	calibres map[string][]float64
	// reachCalibres are the same with the bands of the table of weapon
	// ranges probed too, for evaluateAround: between two of them neither
	// a zone's answer nor a weapon's reach changes.
	reachCalibres map[string][]float64
}

func prepare(a *agreement.Agreement) (*prepared, error) {
	p := &prepared{a: a, name: VersionName(a), ruleIndex: map[string]int{}, calibres: calibresFor(a, false), reachCalibres: calibresFor(a, true)}
	for _, party := range a.Parties {
		p.parties = append(p.parties, party.Code)
	}
	p.areas = newAreaMap(a)
	env, err := parseEnv()
	if err != nil {
		return nil, err
	}
	for i, r := range a.Rules {
		p.ruleIndex[r.ID] = i
		p.placeFree = append(p.placeFree, !mentions(env, r.Condition, "place"))
	}
	return p, nil
}

// calibresFor finds, per weapon class, the calibres at which the
// agreement's zones can change their answer: each calibre bound of the
// class's specs, and half a millimetre either side, kept when some spec of
// the class covers them. Between those values every zone says the same,
// so a rule that holds at all of them holds at any calibre the agreement
// regulates for the class.
//
// withReach adds the bounds of the weapon_reach table's entries of the
// class to the candidates.
func calibresFor(a *agreement.Agreement, withReach bool) map[string][]float64 {
	specs := map[string][]agreement.WeaponSpec{}
	for _, z := range a.Zones {
		for _, w := range z.Weapons {
			specs[w.Class] = append(specs[w.Class], w)
		}
	}
	bands := map[string][]agreement.WeaponSpec{}
	for _, r := range a.Reach {
		if withReach {
			bands[r.Weapon.Class] = append(bands[r.Weapon.Class], r.Weapon)
		}
	}
	out := map[string][]float64{}
	for class, ws := range specs {
		var cands []float64
		for _, w := range append(slices.Clone(ws), bands[class]...) {
			for _, b := range []float64{w.MinCaliberMM, w.MaxCaliberMM} {
				if b > 0 {
					cands = append(cands, b-0.5, b, b+0.5)
				}
			}
		}
		if len(cands) == 0 {
			continue // no bound: the calibre never matters for this class
		}
		slices.Sort(cands)
		cands = slices.Compact(cands)
		var kept []float64
		for _, c := range cands {
			if c > 0 && slices.ContainsFunc(ws, func(w agreement.WeaponSpec) bool {
				return (w.MinCaliberMM <= 0 || c >= w.MinCaliberMM) && (w.MaxCaliberMM <= 0 || c <= w.MaxCaliberMM)
			}) {
				kept = append(kept, c)
			}
		}
		out[class] = kept
	}
	return out
}

// closed returns a ring with its first position repeated last, so that
// as a polyline it runs all the way round.
func closed(ring []geo.Point) []geo.Point {
	if len(ring) > 0 && ring[0] != ring[len(ring)-1] {
		return append(slices.Clip(ring), ring[0])
	}
	return ring
}

// parseEnv parses conditions only to read their identifiers: no
// declarations are needed for that.
var parseEnv = sync.OnceValues(func() (*cel.Env, error) { return cel.NewEnv() })

// mentions reports whether a CEL condition refers to the identifier name
// anywhere. A condition that does not parse (it cannot: agreements are
// validated) counts as mentioning it, which is the cautious answer: the
// rule is then not applied without a place.
func mentions(env *cel.Env, condition, name string) bool {
	parsed, iss := env.Parse(condition)
	if iss != nil && iss.Err() != nil {
		return true
	}
	found := false
	ast.PostOrderVisit(parsed.NativeRep().Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		if e.Kind() == ast.IdentKind && e.AsIdent() == name {
			found = true
		}
	}))
	return found
}

// isFire: the kinds a firing is reported as.
func isFire(k observation.Kind) bool {
	return k == observation.Explosion || k == observation.Burst || k == observation.Shot
}

// violations applies the rules of the version in force to an event.
//
// The event as reported is evaluated at its location — for fire, where
// the rounds landed (fusion's Event.Location), which is what a report of
// an explosion describes — or, without one, at its point of origin (small
// arms are located only by the sight lines to the shooter). An event
// placed nowhere is evaluated without a place, and only the rules whose
// condition never mentions place count: "fire after the ceasefire"
// applies to an explosion heard but not located, "a weapon inside its
// zone" cannot.
//
// A firing also shows where its weapon stands. So when fusion has a
// point of origin and the reports name a weapon class, the weapon is
// evaluated as a weapon_sighting at the origin: a 152 mm gun firing from
// 20 km behind the line of contact is a heavy weapon inside its 25 km
// withdrawal zone, wherever its rounds fell. This is how the simulator's
// truth finds violations (sim/TRUTH.md, violations[].at "origin"), and
// how the OSCE counted weapons "in violation of withdrawal lines" from
// the firing positions its cameras and drones located. Without a point of
// origin, the weapon still stood within its reach of where its rounds
// landed (the agreement's weapon_reach): evaluateAround.
//
// The result is in the agreement's rule order, each rule once.
func (p *prepared) violations(e *fusion.Event, w weapon, fire string) ([]Violation, error) {
	ev := agreement.Event{Kind: string(e.Kind), Count: e.Count, Fire: fire, Time: e.Start,
		WeaponClass: w.class, CaliberMM: w.caliberMM, System: w.system}
	hit := make([]bool, len(p.a.Rules))
	var errs []error
	where := e.Location
	if where == nil {
		where = e.Origin
	}
	if where != nil {
		errs = append(errs, p.evaluateAt(hit, where.Point, ev))
	} else {
		// Without a place, rules that read it are wrong either way (an
		// empty zone list, a missing distance): they are not applied, and
		// their errors are no one's concern.
		vs, err := p.a.Evaluate(agreement.Facts{Event: ev})
		if err != nil {
			errs = append(errs, p.placeFreeErrors(err))
		}
		p.mark(hit, vs, p.placeFree)
	}
	if isFire(e.Kind) && ev.WeaponClass != "" {
		weapon := ev
		weapon.Kind, weapon.Fire = string(observation.WeaponSighting), string(observation.FireUnknown)
		switch {
		case e.Origin != nil:
			errs = append(errs, p.evaluateAt(hit, e.Origin.Point, weapon))
		case e.Location != nil:
			errs = append(errs, p.evaluateAround(hit, e.Location, weapon))
		}
	}
	var out []Violation
	for i, r := range p.a.Rules {
		if hit[i] {
			out = append(out, Violation{Rule: r.ID, AgreementVersion: p.name, Severity: r.Severity})
		}
	}
	return out, errors.Join(errs...)
}

// evaluateAt applies the rules to the event at pt and marks those broken.
//
// A weapon whose calibre no report gives breaks a rule only if it breaks
// it at every calibre the agreement distinguishes for its class
// (calibresFor): an artillery piece 10 km from the line of contact is
// inside a zone closed to it whether it is a 122 mm or an 85 mm gun, so
// that is alleged; one 20 km away is inside a zone only if it is 100 mm
// or more, so that is not (agreement.WeaponSpec.Matches: an unknown
// calibre is not assumed heavy). Calibres the agreement regulates for no
// zone of the class (a 240 mm mortar where mortars are restricted "up to
// 120 mm") are not among those tried: the agreement does not contemplate
// them, and a report of "a mortar" is not a report of one.
func (p *prepared) evaluateAt(hit []bool, pt geo.Point, ev agreement.Event) error {
	facts := p.a.FactsAt(pt, ev) // the place's zones and distances do not depend on the calibre
	cals := p.calibres[ev.WeaponClass]
	if ev.WeaponClass == "" || ev.CaliberMM > 0 || len(cals) == 0 {
		vs, err := p.a.Evaluate(facts)
		p.mark(hit, vs, nil)
		return err
	}
	all := make([]int, len(p.a.Rules))
	var errs []error
	for _, c := range cals {
		f := facts
		f.Event.CaliberMM = c
		f.Place.WeaponZones = []string{}
		for _, id := range facts.Place.Zones {
			if z := p.a.Zone(id); z != nil && z.Restricts(ev.WeaponClass, c, ev.System) {
				f.Place.WeaponZones = append(f.Place.WeaponZones, id)
			}
		}
		vs, err := p.a.Evaluate(f)
		errs = append(errs, err)
		seen := make([]bool, len(p.a.Rules))
		for _, v := range vs {
			if i, ok := p.ruleIndex[v.Rule]; ok && !seen[i] {
				seen[i] = true
				all[i]++
			}
		}
	}
	for i, n := range all {
		if n == len(cals) {
			hit[i] = true
		}
	}
	return errors.Join(errs...)
}

// evaluateAround applies the rules to a weapon nobody located that fired
// the rounds which landed at loc: it stood within its reach of where they
// landed (the agreement's weapon_reach), and the place of the landing is
// known to within its error (2.45 σ of its major axis, the 95 % ellipse).
// A rule is broken only if it is broken wherever in that disc the weapon
// stood — under both bounds of agreement.FactsAround — and, for an
// unknown calibre, at every calibre tried, as in evaluateAt. So a 120 mm
// mortar (7.3 km) whose rounds fell 5 km from the line of contact was
// inside its 15 km zone, whoever fired it; an unnamed rocket system
// (120 km) never shows anything this way. A weapon the table does not
// cover shows nothing.
func (p *prepared) evaluateAround(hit []bool, loc *fusion.Estimate, ev agreement.Event) error {
	slack := fusion.ErrorEllipse(loc.Cov, fusion.Chi2_95).SemiMajorM
	cals := p.reachCalibres[ev.WeaponClass]
	if ev.CaliberMM > 0 || len(cals) == 0 {
		cals = []float64{ev.CaliberMM}
	}
	all := make([]int, len(p.a.Rules))
	var errs []error
	var around *agreement.Around // measured once, for every reach
	for _, c := range cals {
		w := ev
		w.CaliberMM = c
		reach, ok := p.a.ReachM(w.WeaponClass, c, w.System)
		if !ok {
			return errors.Join(errs...) // somewhere the table is silent: nothing shown
		}
		if around == nil {
			around = p.a.Around(loc.Point)
		}
		inner, outer := around.Facts(reach+slack, w)
		var both [2][]bool
		for k, f := range []agreement.Facts{inner, outer} {
			vs, err := p.a.Evaluate(f)
			errs = append(errs, err)
			both[k] = make([]bool, len(p.a.Rules))
			p.mark(both[k], vs, nil)
		}
		for i := range all {
			if both[0][i] && both[1][i] {
				all[i]++
			}
		}
	}
	for i, n := range all {
		if n == len(cals) {
			hit[i] = true
		}
	}
	return errors.Join(errs...)
}

// mark records the rules broken; only, when given, filters them.
func (p *prepared) mark(hit []bool, vs []agreement.Violation, only []bool) {
	for _, v := range vs {
		if i, ok := p.ruleIndex[v.Rule]; ok && (only == nil || only[i]) {
			hit[i] = true
		}
	}
}

// placeFreeErrors keeps the errors of rules that do not need a place:
// Evaluate names the rule in each joined error.
func (p *prepared) placeFreeErrors(err error) error {
	var keep []error
	for _, e := range unjoin(err) {
		for i, r := range p.a.Rules {
			if p.placeFree[i] && ruleError(e, r.ID) {
				keep = append(keep, e)
				break
			}
		}
	}
	return errors.Join(keep...)
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// ruleError: Evaluate's errors begin `rule "ID": `.
func ruleError(err error, id string) bool {
	prefix := "rule " + strconv.Quote(id) + ":"
	s := err.Error()
	return len(s) >= len(prefix) && s[:len(prefix)] == prefix
}

// weapon is what the reports together say of the weapon.
type weapon struct {
	class     string
	caliberMM float64 // 0 when no report gives one
	system    string
}

// weaponOf consolidates the weapon: fusion's class (the one most reports
// name), and the calibre and system most often given by the reports that
// name that class (ties to the earliest report). Fusion keeps one
// report's weapon whole; a patrol that names the class without the
// calibre would otherwise hide the 152 mm a crater team measured, and
// a zone bounded by calibre never matches an unknown one.
func weaponOf(e *fusion.Event, reports map[observation.Key]*observation.Observation) weapon {
	if e.Weapon == nil || e.Weapon.Class == "" {
		return weapon{}
	}
	w := weapon{class: e.Weapon.Class, system: e.Weapon.System}
	if e.Weapon.CaliberMM != nil {
		w.caliberMM = *e.Weapon.CaliberMM
	}
	var cals []float64
	var systems []string
	for _, k := range e.Observations {
		o := reports[k]
		if o == nil || o.Weapon == nil || o.Weapon.Class != w.class {
			continue
		}
		if o.Weapon.CaliberMM != nil && *o.Weapon.CaliberMM > 0 {
			cals = append(cals, *o.Weapon.CaliberMM)
		}
		if o.Weapon.System != "" {
			systems = append(systems, o.Weapon.System)
		}
	}
	if c, ok := mode(cals); ok {
		w.caliberMM = c
	}
	if s, ok := mode(systems); ok {
		w.system = s
	}
	return w
}

// mode is the most frequent value, ties to the one seen first.
func mode[T comparable](xs []T) (T, bool) {
	var best T
	n := 0
	for i, x := range xs {
		c := 0
		for _, y := range xs[i:] {
			if y == x {
				c++
			}
		}
		if c > n {
			best, n = x, c
		}
	}
	return best, n > 0
}

// highest is the most severe of the violations' severities, by
// agreement.Severities; "" for none.
func highest(vs []Violation) string {
	best, rank := "", -1
	for _, v := range vs {
		if r := slices.Index(agreement.Severities, v.Severity); r > rank {
			best, rank = v.Severity, r
		}
	}
	return best
}
