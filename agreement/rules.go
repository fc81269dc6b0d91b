package agreement

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/checker"
	"github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/operators"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/ext"
	"github.com/google/cel-go/interpreter"
	"github.com/truce-mechanism/truce/geo"
)

// Rules are conditions in CEL (cel.dev) over three variables:
//
//	event      what happened: kind, weapon_class, caliber_mm, system,
//	           count, fire, time (a timestamp)
//	place      where: party (controlling party or ""), zones (ids of the
//	           zones containing the place), weapon_zones (those of them
//	           closed to the event's weapon), distance_m (line id → metres)
//	agreement  the version applied: id, version, effective_from
//
// The three are typed (Go structs exposed with cel-go's NativeTypes), so a
// misspelt field — event.wepon_class — is caught when the agreement is
// validated, not when the first event arrives.

// Event is the facts about the event itself. Every field is always
// present to CEL: "" or 0 when not reported.
type Event struct {
	Kind        string    `cel:"kind"`         // explosion, weapon_sighting, … (intake schema)
	WeaponClass string    `cel:"weapon_class"` // artillery, mlrs, … or ""
	CaliberMM   float64   `cel:"caliber_mm"`   // 0 when unknown
	System      string    `cel:"system"`       // as reported, e.g. "BM-21 Grad"
	Count       int       `cel:"count"`
	Fire        string    `cel:"fire"` // outgoing, incoming, unknown
	Time        time.Time `cel:"time"`
}

// Place is the facts about where the event happened, under this agreement.
type Place struct {
	Party       string             `cel:"party"`
	Zones       []string           `cel:"zones"`
	WeaponZones []string           `cel:"weapon_zones"`
	DistanceM   map[string]float64 `cel:"distance_m"`
}

// Terms is what a rule may read of the agreement itself.
type Terms struct {
	ID            string    `cel:"id"`
	Version       int       `cel:"version"`
	EffectiveFrom time.Time `cel:"effective_from"`
}

// Facts is the input to Evaluate.
type Facts struct {
	Event Event
	Place Place
}

// Violation is a rule an event breaks, naming the agreement version that
// says so (every assessment names the version it used).
type Violation struct {
	Rule      string
	Title     string
	Severity  string
	Agreement string
	Version   int
}

// ruleCostLimit bounds one rule's estimated evaluation cost (CEL's cost
// units, roughly operations): generous for any condition a person writes,
// and a guard against a rule that would stall the assessment of every
// event.
const ruleCostLimit = 100_000

// maxFactString is the longest string a fact can hold: the intake schema
// caps system names at 64 characters, and kinds and classes are short.
const maxFactString = 64

// sizeEstimator tells CEL's cost estimate how large the facts can be under
// this agreement: no more zones than it defines, no more distances than
// it has lines.
type sizeEstimator struct{ zones, lines uint64 }

func (s sizeEstimator) EstimateSize(n checker.AstNode) *checker.SizeEstimate {
	switch strings.Join(n.Path(), ".") {
	case "place.zones", "place.weapon_zones":
		return &checker.SizeEstimate{Min: 0, Max: s.zones}
	case "place.distance_m":
		return &checker.SizeEstimate{Min: s.lines, Max: s.lines}
	}
	if n.Type().IsExactType(types.StringType) {
		return &checker.SizeEstimate{Min: 0, Max: maxFactString}
	}
	return nil
}

func (sizeEstimator) EstimateCallCost(function, overloadID string, target *checker.AstNode, args []checker.AstNode) *checker.CallEstimate {
	return nil
}

var celEnv = sync.OnceValues(func() (*cel.Env, error) {
	return cel.NewEnv(
		ext.NativeTypes(reflect.TypeFor[Event](), reflect.TypeFor[Place](), reflect.TypeFor[Terms](), ext.ParseStructTags(true)),
		cel.Variable("event", cel.ObjectType("agreement.Event")),
		cel.Variable("place", cel.ObjectType("agreement.Place")),
		cel.Variable("agreement", cel.ObjectType("agreement.Terms")),
		ext.Strings(),
	)
})

func (d *decoder) rules(a *Agreement, root *jnode) {
	env, err := celEnv()
	if err != nil {
		d.add(nil, "/rules", nil, "the rule language could not be set up: %v", err)
		return
	}
	a.celEnv = env
	seen := map[string]bool{}
	for i, n := range d.list(root, "", "rules", "the agreement", false) {
		p := pointer("/rules", i)
		what := entryName(n, "rule", i)
		if !d.object(n, p, what, "id", "title", "severity", "condition", "note") {
			continue
		}
		r := Rule{ID: d.str(n, p, "id", what, true)}
		if r.ID != "" {
			if !entryIDPattern.MatchString(r.ID) {
				d.add(n.member("id"), p+"/id", nil, "rule id %q may use only letters, digits, '.', '_' and '-' (up to 64), starting with a letter or digit", r.ID)
			}
			if seen[r.ID] {
				d.add(n.member("id"), p+"/id", nil, "rule %q is defined twice", r.ID)
			}
			seen[r.ID] = true
		}
		r.Title = d.str(n, p, "title", what, true)
		r.Note = d.str(n, p, "note", what, false)
		r.Severity = d.str(n, p, "severity", what, true)
		if r.Severity != "" && !slices.Contains(Severities, r.Severity) {
			d.add(n.member("severity"), p+"/severity", nil, "%s: severity %q is not one of %s", what, r.Severity, strings.Join(Severities, ", "))
		}
		r.Condition = d.str(n, p, "condition", what, true)
		if r.Condition != "" {
			prg, msg := compileRule(env, r.Condition, a)
			if msg != "" {
				d.add(n.member("condition"), p+"/condition", nil, "%s: %s", what, msg)
			}
			r.prg = prg
		}
		a.Rules = append(a.Rules, r)
	}
}

// compileRule type-checks a condition and returns its program, or a
// message saying what is wrong.
func compileRule(env *cel.Env, src string, a *Agreement) (cel.Program, string) {
	checked, iss := env.Compile(src)
	if iss != nil && iss.Err() != nil {
		return nil, "the condition is not valid CEL: " + strings.TrimSpace(iss.Err().Error())
	}
	if t := checked.OutputType(); !t.IsExactType(cel.BoolType) && !t.IsExactType(cel.DynType) {
		return nil, fmt.Sprintf("the condition must come out true or false, but it gives %s", t)
	}
	if msg := checkLineRefs(checked.NativeRep(), a); msg != "" {
		return nil, msg
	}
	// The cost is bounded once, here, from the sizes this agreement makes
	// possible, rather than metered on every evaluation (metering triples
	// the time a rule takes).
	est, err := env.EstimateCost(checked, sizeEstimator{zones: uint64(len(a.Zones)), lines: uint64(len(a.Lines))})
	if err != nil {
		return nil, "the condition's cost cannot be estimated: " + err.Error()
	}
	if est.Max > ruleCostLimit {
		return nil, fmt.Sprintf("the condition could take too long to evaluate (estimated cost up to %d, the limit is %d): simplify it", est.Max, ruleCostLimit)
	}
	prg, err := env.Program(checked, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, "the condition cannot be prepared: " + err.Error()
	}
	return prg, ""
}

// checkLineRefs finds place.distance_m["id"] and place.distance_m.id with
// a line id the agreement does not define: at run time that is a missing
// key, an error on every event, so it is caught here.
func checkLineRefs(tree *ast.AST, a *Agreement) string {
	isDistanceMap := func(e ast.Expr) bool {
		if e.Kind() != ast.SelectKind || e.AsSelect().FieldName() != "distance_m" {
			return false
		}
		op := e.AsSelect().Operand()
		return op.Kind() == ast.IdentKind && op.AsIdent() == "place"
	}
	var bad []string
	ast.PostOrderVisit(tree.Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		var id string
		switch e.Kind() {
		case ast.CallKind:
			c := e.AsCall()
			if c.FunctionName() != operators.Index || len(c.Args()) != 2 || !isDistanceMap(c.Args()[0]) {
				return
			}
			lit := c.Args()[1]
			if lit.Kind() != ast.LiteralKind || lit.AsLiteral().Type() != types.StringType {
				return
			}
			id = lit.AsLiteral().Value().(string)
		case ast.SelectKind:
			if !isDistanceMap(e.AsSelect().Operand()) || e.AsSelect().IsTestOnly() {
				return
			}
			id = e.AsSelect().FieldName()
		default:
			return
		}
		if _, ok := a.lineByID[id]; !ok && !slices.Contains(bad, id) {
			bad = append(bad, id)
		}
	}))
	if len(bad) > 0 {
		return fmt.Sprintf("the condition measures from line %q, which the agreement does not define", bad[0])
	}
	return ""
}

// Evaluate applies the rules, in the order the agreement lists them, to
// the facts of one event, and returns the rules broken. The facts must be
// within the agreement's bounds (as FactsAt makes them): the rules' cost
// was bounded at validation on that assumption. A rule that fails
// to evaluate (say, a calculation on a missing value) is reported in the
// error, which names it; the other rules are still applied.
func (a *Agreement) Evaluate(f Facts) ([]Violation, error) {
	if len(f.Place.Zones) > len(a.Zones) || len(f.Place.WeaponZones) > len(a.Zones) || len(f.Place.DistanceM) > len(a.Lines) {
		return nil, errors.New("the facts name more zones or lines than the agreement has: build them with FactsAt")
	}
	for _, s := range []string{f.Event.Kind, f.Event.WeaponClass, f.Event.System, f.Event.Fire, f.Place.Party} {
		if len(s) > maxFactString*4 { // bytes; the rule cost bound assumes ≤ 64 characters
			return nil, fmt.Errorf("a fact of %d bytes is longer than the %d characters the intake schema allows", len(s), maxFactString)
		}
	}
	if f.Place.DistanceM == nil {
		f.Place.DistanceM = map[string]float64{}
	}
	if f.Place.Zones == nil {
		f.Place.Zones = []string{}
	}
	if f.Place.WeaponZones == nil {
		f.Place.WeaponZones = []string{}
	}
	vars := map[string]any{
		"event":     f.Event,
		"place":     f.Place,
		"agreement": Terms{ID: a.ID, Version: a.Version, EffectiveFrom: a.EffectiveFrom},
	}
	act, err := interpreter.NewActivation(vars)
	if err != nil {
		return nil, err
	}
	var out []Violation
	var errs []error
	for _, r := range a.Rules {
		val, _, err := r.prg.Eval(act)
		if err != nil {
			errs = append(errs, fmt.Errorf("rule %q: %w", r.ID, err))
			continue
		}
		hit, ok := val.Value().(bool)
		if !ok {
			errs = append(errs, fmt.Errorf("rule %q: the condition gave %v, not true or false", r.ID, val))
			continue
		}
		if hit {
			out = append(out, Violation{Rule: r.ID, Title: r.Title, Severity: r.Severity, Agreement: a.ID, Version: a.Version})
		}
	}
	return out, errors.Join(errs...)
}

// Around is what FactsAround needs of a place, measured once: its
// distances to the lines and zones and who holds it, so that the facts
// for several radii (a weapon of unknown calibre has several reaches)
// cost no further geometry.
type Around struct {
	a     *Agreement
	p     geo.Point
	party string  // who holds p
	holdM float64 // how far p lies inside its party's area (0: none)
	line  map[string]float64
	zone  []float64 // per zone: its area's boundary distance, or the line's
	in    []bool    // per zone: p inside its area (demilitarised)
	near  []float64 // per zone naming a party: the distance to that party's ground
}

// Around measures p for FactsAround.
func (a *Agreement) Around(p geo.Point) *Around {
	x := &Around{a: a, p: p, party: a.ControllingParty(p), line: make(map[string]float64, len(a.Lines)),
		zone: make([]float64, len(a.Zones)), in: make([]bool, len(a.Zones)), near: make([]float64, len(a.Zones))}
	if x.party != "" && a.areaIdx != nil {
		if i := a.areaIdx.First(p); i >= 0 {
			x.holdM = a.Areas[i].Area.BoundaryDistanceM(p)
		}
	}
	for i := range a.Lines {
		x.line[a.Lines[i].ID] = a.Lines[i].Geo.DistanceM(p)
	}
	for i := range a.Zones {
		z := &a.Zones[i]
		switch z.Kind {
		case Withdrawal:
			d, ok := x.line[z.Line]
			if !ok {
				d = a.DistanceToLineM(z.Line, p)
			}
			x.zone[i] = d
		case Demilitarised:
			if z.Area != nil {
				x.in[i], x.zone[i] = z.Area.Contains(p), z.Area.BoundaryDistanceM(p)
			}
		}
		if z.Party != "" {
			x.near[i] = math.Inf(1)
			for k := range a.Areas {
				if a.Areas[k].Party == z.Party && a.Areas[k].Area != nil {
					x.near[i] = min(x.near[i], a.Areas[k].Area.DistanceM(p))
				}
			}
		}
	}
	return x
}

// FactsAround gathers the place facts for an event somewhere within
// radiusM of p — a weapon that fired rounds which landed at p, from no
// farther than its range — as two bounds. Inner holds what is true at
// every point of that disc: the zones containing all of it, the largest
// distance from each line, the controlling party only when one party
// holds the whole disc. Outer holds what is true at some point: the
// zones touching it, the least distance. A rule whose condition grows
// (or shrinks) with the zones, the distances and the party — as "a
// weapon inside a zone closed to it" does — holds wherever the weapon
// stood if it holds under both; a caller alleges only that.
func (a *Agreement) FactsAround(p geo.Point, radiusM float64, ev Event) (inner, outer Facts) {
	return a.Around(p).Facts(radiusM, ev)
}

// Facts is FactsAround for the place measured.
func (x *Around) Facts(radiusM float64, ev Event) (inner, outer Facts) {
	a := x.a
	whole := "" // the party holding the whole disc
	if x.party != "" && x.holdM >= radiusM {
		whole = x.party
	}
	in := Place{Party: whole, Zones: []string{}, WeaponZones: []string{}, DistanceM: make(map[string]float64, len(x.line))}
	out := Place{Party: whole, Zones: []string{}, WeaponZones: []string{}, DistanceM: make(map[string]float64, len(x.line))}
	for id, d := range x.line {
		in.DistanceM[id] = d + radiusM
		out.DistanceM[id] = max(d-radiusM, 0)
	}
	for i := range a.Zones {
		z := &a.Zones[i]
		holds, touches := x.zoneAround(i, radiusM, whole)
		restricts := ev.WeaponClass != "" && z.Restricts(ev.WeaponClass, ev.CaliberMM, ev.System)
		if holds {
			in.Zones = append(in.Zones, z.ID)
			if restricts {
				in.WeaponZones = append(in.WeaponZones, z.ID)
			}
		}
		if touches {
			out.Zones = append(out.Zones, z.ID)
			if restricts {
				out.WeaponZones = append(out.WeaponZones, z.ID)
			}
		}
	}
	return Facts{Event: ev, Place: in}, Facts{Event: ev, Place: out}
}

// zoneAround says whether zone i contains the whole disc of radius r
// about the place, and whether it touches it. A zone of one party's
// ground holds the disc only when that party holds all of it, and
// touches it when some of the party's ground lies within r.
func (x *Around) zoneAround(i int, r float64, whole string) (holds, touches bool) {
	z := &x.a.Zones[i]
	if z.Party != "" && !(x.near[i] <= r) {
		return false, false
	}
	partyHolds := z.Party == "" || whole == z.Party
	d := x.zone[i]
	switch z.Kind {
	case Withdrawal:
		return partyHolds && d+r <= z.DistanceM, d-r <= z.DistanceM
	case Demilitarised:
		if z.Area == nil {
			return false, false
		}
		return partyHolds && x.in[i] && d >= r, x.in[i] || d <= r
	}
	return false, false
}

// FactsAt gathers the place facts for an event at p under this agreement.
func (a *Agreement) FactsAt(p geo.Point, ev Event) Facts {
	pl := Place{
		Party:       a.ControllingParty(p),
		Zones:       []string{},
		WeaponZones: []string{},
		DistanceM:   make(map[string]float64, len(a.Lines)),
	}
	for i := range a.Lines {
		pl.DistanceM[a.Lines[i].ID] = a.Lines[i].Geo.DistanceM(p)
	}
	for i := range a.Zones {
		z := &a.Zones[i]
		if !a.zoneContains(z, p, pl.Party, pl.DistanceM) {
			continue
		}
		pl.Zones = append(pl.Zones, z.ID)
		if ev.WeaponClass != "" && z.Restricts(ev.WeaponClass, ev.CaliberMM, ev.System) {
			pl.WeaponZones = append(pl.WeaponZones, z.ID)
		}
	}
	return Facts{Event: ev, Place: pl}
}
