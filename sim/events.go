package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/geo"
)

type eventKind int

const (
	evFire eventKind = iota
	evWeapon
	evRestriction
)

// event is one true occurrence while the run builds it; truth() turns it
// into the Event of truth.json.
type event struct {
	kind     eventKind
	gen      int // generation order: the tie-break of the sort
	id       string
	party    string
	cat      *category
	sys      *system
	t, tEnd  int64
	tImpact  int64
	origin   geo.Point
	target   geo.Point
	count    int
	rangeM   float64
	sector   int
	episode  string
	dep      *event  // firing: the deployment it fired from
	units    int     // deployment: weapons in position
	fires    bool    // deployment: a firing position (else parked)
	team     *sensor // restriction: the patrol stopped
	reason   string
	obs      []ObsRef
	zones    []string
	viols    []Violation
	location geo.Point
	// measured by assess
	locParty, targetParty string
	locLineM, originLineM float64
}

func (e *event) kindName() string {
	switch e.kind {
	case evWeapon:
		return "weapon_sighting"
	case evRestriction:
		return "restriction"
	}
	if e.sys.Shot {
		return "shot"
	}
	return e.cat.Kind
}

// deployments places the weapons of both parties for the whole run: in
// each hot sector a set of firing positions per category (mortars and
// tanks close up, guns and launchers further back, all within range of the
// line and so, mostly, inside their withdrawal zones), plus weapons parked
// inside their zones without firing and weapons held legitimately beyond
// them.
func (w *world) deployments(r *rand.Rand) {
	perSector := [7]float64{0, 2, 0.5, 2, 1, 0.4, 1} // firing positions per category
	for k := range w.sectors {
		for _, party := range w.front.parties {
			for c, cat := range categories {
				want := perSector[c] * w.cfg.sc.positions
				n := int(want)
				if r.Float64() < want-float64(n) {
					n++
				}
				for range n {
					w.deploy(r, k, party, cat, true, nil, w.cfg.start, w.cfg.end)
				}
			}
			for range poisson(r, w.cfg.sc.parkedIn) {
				w.deploy(r, k, party, parkedCategory(r), false, []float64{0.1, 0.9}, w.cfg.start, w.cfg.end)
			}
			for range poisson(r, w.cfg.sc.parkedOut) {
				w.deploy(r, k, party, parkedCategory(r), false, []float64{1.1, 1.6}, w.cfg.start, w.cfg.end)
			}
		}
	}
}

func parkedCategory(r *rand.Rand) *category {
	return []*category{categories[3], categories[4], categories[5], categories[6]}[r.IntN(4)]
}

// deploy places one deployment. zoneDepth, when given, places it between
// those fractions of the depth of its widest withdrawal zone (inside the
// zone below 1, beyond it above 1); otherwise at the system's firing
// standoff.
func (w *world) deploy(r *rand.Rand, k int, party string, cat *category, fires bool, zoneDepth []float64, from, to int64) *event {
	cands := systemsFor(cat, party, w.namedParties)
	sys := cands[r.IntN(len(cands))]
	depth := sys.Standoff
	if zoneDepth != nil {
		z := w.zoneDepth(sys)
		if z == 0 {
			z = 20000
		}
		depth = [2]float64{z * zoneDepth[0], z * zoneDepth[1]}
	}
	sec := w.sectors[k]
	p, _, ok := w.front.place(r, sec.From, sec.To, party, depth)
	if !ok {
		return nil
	}
	e := &event{kind: evWeapon, party: party, cat: cat, sys: sys, t: from, tEnd: to, origin: p, location: p, sector: k,
		units: sys.Units[0] + r.IntN(sys.Units[1]-sys.Units[0]+1), fires: fires}
	e.count = e.units
	w.deps = append(w.deps, e)
	w.addEvent(e)
	return e
}

// zoneDepth is the width (each side) of the widest withdrawal zone on the
// line that is closed to the system, or 0.
func (w *world) zoneDepth(sys *system) float64 {
	d := 0.0
	for _, z := range w.cfg.Agreement.ZonesForWeapon(sys.Cat.Class, sys.CaliberMM, sys.Name) {
		if z.Kind == agreement.Withdrawal && z.Line == w.front.lineID && z.Party == "" {
			d = math.Max(d, z.DistanceM)
		}
	}
	return d
}

func (w *world) addEvent(e *event) {
	e.gen = len(w.events)
	w.events = append(w.events, e)
}

// fire makes one firing by party with a weapon of cat in sector k (-1:
// anywhere on the line): from one of its firing positions there when it
// has one, else from a spot of its own ("shoot and scoot").
func (w *world) fire(r *rand.Rand, t int64, party string, cat *category, k int, episode string, depthMult, roundsMult float64) {
	var pos []*event
	if k >= 0 {
		for _, d := range w.depsBy[depKey{k, party, cat}] {
			if d.fires && d.t <= t && t < d.tEnd {
				pos = append(pos, d)
			}
		}
	}
	depth := cat.DepthM
	depth[1] *= depthMult
	for range 6 {
		var origin geo.Point
		var dep *event
		var sys *system
		if len(pos) > 0 {
			dep = pos[r.IntN(len(pos))]
			sys = dep.sys
			origin = jitter(r, dep.origin, 150)
			if w.front.sideOf(origin) != party {
				origin = dep.origin
			}
		} else {
			cands := systemsFor(cat, party, w.namedParties)
			sys = cands[r.IntN(len(cands))]
			s0, s1 := 0.0, w.front.total
			if k >= 0 {
				s0, s1 = w.sectors[k].From, w.sectors[k].To
			}
			var ok bool
			if origin, _, ok = w.front.place(r, s0, s1, party, sys.Standoff); !ok {
				continue
			}
		}
		target, rng, ok := w.front.aim(r, origin, party, sys, depth)
		if !ok {
			continue
		}
		n := rounds(r, cat, roundsMult)
		units := 1
		if dep != nil {
			units = dep.units
		}
		var dur float64
		if cat.ID == "small_arms" {
			dur = float64(n) * cat.IntervalS * uniform(r, 0.5, 1.5)
		} else {
			dur = math.Ceil(float64(n)/float64(units)) * cat.IntervalS
		}
		e := &event{kind: evFire, party: party, cat: cat, sys: sys, t: t, origin: origin, target: target, count: n,
			rangeM: rng, sector: k, episode: episode, dep: dep}
		e.tImpact = t + int64(rng/cat.SpeedMps*1000)
		e.tEnd = e.tImpact + int64(dur*1000)
		e.location = origin
		if cat.ImpactSeen {
			e.location = target
		}
		w.addEvent(e)
		return
	}
}

// surgeID names the escalation's surge among the episodes.
const surgeID = "SURGE"

type depKey struct {
	sector int
	party  string
	cat    *category
}

// fireAll draws every firing of the run: the background with its daily
// rhythm, the exchanges of fire, and the surge of an escalation.
func (w *world) fireAll(r *rand.Rand) {
	w.depsBy = map[depKey][]*event{}
	for _, d := range w.deps {
		key := depKey{d.sector, d.party, d.cat}
		w.depsBy[key] = append(w.depsBy[key], d)
	}
	es := w.cfg.eventScale
	// Some wars are lopsided: each party's share of the background differs.
	factor := [2]float64{uniform(r, 0.6, 1.4), uniform(r, 0.6, 1.4)}
	for pi, party := range w.front.parties {
		for c, cat := range categories {
			rate := w.cfg.sc.rate[c] * es * factor[pi]
			w.poissonFire(r, rate, rhythmMax, w.cfg.start, w.cfg.end, func(t int64) float64 { return rhythm[w.sun.phase(t)] }, func(t int64) {
				k := -1
				if r.Float64() < w.cfg.sc.inSector {
					k = w.pickSector(r)
				}
				w.fire(r, t, party, cat, k, "", 1, 1)
			})
		}
	}
	w.exchanges(r)
	if w.cfg.sc.surge {
		w.surge(r)
	}
}

// poissonFire runs a Poisson process of rate per hour, thinned by
// shape(t)/shapeMax, calling at for each point.
func (w *world) poissonFire(r *rand.Rand, rate, shapeMax float64, from, to int64, shape func(int64) float64, at func(int64)) {
	if rate <= 0 {
		return
	}
	lmax := rate * shapeMax
	t := from
	for {
		t += int64(r.ExpFloat64() / lmax * float64(msPerHour))
		if t >= to {
			return
		}
		if r.Float64()*shapeMax < shape(t) {
			at(t)
		}
	}
}

var exchangeMix = [7]float64{0.35, 0.25, 0.05, 0.15, 0.05, 0, 0.15}

// exchanges are the episodes of a ceasefire in trouble: one side opens
// fire in a sector and the other answers, for half an hour to two.
func (w *world) exchanges(r *rand.Rand) {
	days := float64(w.cfg.end-w.cfg.start) / float64(msPerDay)
	n := poisson(r, w.cfg.sc.exchangesPerDay*days*w.cfg.eventScale)
	for i := range n {
		k := w.pickSector(r)
		start := w.cfg.start + int64(r.Float64()*float64(w.cfg.end-w.cfg.start))
		end := min(w.cfg.end, start+int64(uniform(r, 30, 120)*float64(msPerMinute)))
		init := w.front.parties[r.IntN(2)]
		ep := Episode{ID: "X" + itoa(i+1), Kind: "exchange", Party: init, Sectors: []string{w.sectors[k].ID}, Start: formatMs(start), End: formatMs(end)}
		m := max(2, poisson(r, w.cfg.sc.exchangeSize))
		before := len(w.events)
		for j := range m {
			t, party := start, init
			if j > 0 {
				t = start + int64(r.Float64()*float64(end-start))
				if r.Float64() < 0.45 {
					party = w.front.other(init)
				}
			}
			w.fire(r, t, party, pickMix(r, exchangeMix), k, ep.ID, 1, 1)
		}
		ep.Firings = len(w.events) - before
		w.episodes = append(w.episodes, ep)
	}
}

func pickMix(r *rand.Rand, mix [7]float64) *category {
	total := 0.0
	for _, v := range mix {
		total += v
	}
	x := r.Float64() * total
	for c, v := range mix {
		x -= v
		if x < 0 {
			return categories[c]
		}
	}
	return categories[0]
}

// surge is the escalation: one party brings heavy weapons up to an axis of
// one or two sectors in the hours before, then opens fire at many times
// the ceasefire's rate, deeper and in bigger salvos; the other answers
// after a quarter to three quarters of an hour.
func (w *world) surge(r *rand.Rand) {
	span := w.cfg.end - w.cfg.start
	ts := w.cfg.start + max(30*msPerMinute, int64(uniform(r, 0.25, 0.4)*float64(span)))
	te := min(w.cfg.end, ts+int64(uniform(r, 6, 12)*float64(msPerHour)))
	if ts >= w.cfg.end {
		return
	}
	tr := min(te, ts+int64(uniform(r, 15, 45)*float64(msPerMinute)))
	att := w.front.parties[r.IntN(2)]
	def := w.front.other(att)
	axis := []int{w.pickSector(r)}
	if len(w.sectors) > 1 && r.Float64() < 0.5 {
		if k := w.pickSector(r); k != axis[0] {
			axis = append(axis, k)
		}
	}
	slices.Sort(axis)
	ep := Episode{ID: surgeID, Kind: "surge", Party: att, Start: formatMs(ts), End: formatMs(te), Response: formatMs(tr)}
	for _, k := range axis {
		ep.Sectors = append(ep.Sectors, w.sectors[k].ID)
	}
	w.surgeAt, w.surgeAxis = ts, axis
	// The build-up: heavy weapons move into the zones of the axis.
	arrive := max(w.cfg.start, ts-int64(uniform(r, 2, 8)*float64(msPerHour)))
	reinforce := [7]int{0, 2, 0, 3, 3, 2, 3}
	for _, k := range axis {
		for c, cat := range categories {
			for range reinforce[c] {
				if d := w.deploy(r, k, att, cat, true, nil, arrive, w.cfg.end); d != nil {
					key := depKey{k, att, cat}
					w.depsBy[key] = append(w.depsBy[key], d)
				}
			}
		}
	}
	before := len(w.events)
	for _, side := range []struct {
		party string
		from  int64
		mult  float64
		axis  float64
	}{{att, ts, 1, 0.85}, {def, tr, 0.25, 0.9}} {
		for c, cat := range categories {
			rate := surgeRate[c] * side.mult * w.cfg.eventScale
			ramp := func(t int64) float64 { return math.Min(1, float64(t-side.from)/float64(30*msPerMinute)) }
			w.poissonFire(r, rate, 1, side.from, te, ramp, func(t int64) {
				k := axis[r.IntN(len(axis))]
				if r.Float64() >= side.axis {
					k = w.pickSector(r)
				}
				w.fire(r, t, side.party, cat, k, ep.ID, 1.5, 1.5)
			})
		}
	}
	ep.Firings = len(w.events) - before
	w.episodes = append(w.episodes, ep)
}

// restrictions stop patrols at checkpoints: the team is held, then turned
// back, and the rest of its round is not observed. In an escalation the
// patrols of the axis are suspended once the surge begins.
func (w *world) restrictions(r *rand.Rand) {
	for _, s := range w.sensors {
		if s.model != mPatrol {
			continue
		}
		for _, k := range s.tracks {
			if w.surgeAt > 0 && slices.Contains(w.surgeAxis, s.sector) && k.to() > w.surgeAt {
				w.suspend(s, k)
				continue
			}
			if k.from() >= w.cfg.end || r.Float64() >= w.cfg.sc.restrictPerPatrol {
				continue
			}
			w.restrict(r, s, k)
		}
		s.tracks = slices.DeleteFunc(s.tracks, func(k *track) bool { return len(k.t) < 2 })
	}
}

// suspend ends a patrol's day at the surge (or cancels it).
func (w *world) suspend(s *sensor, k *track) {
	cut := max(w.surgeAt, k.from())
	sec := w.sectors[s.sector]
	c := Circle{Lat: roundTo(sec.Centre.Lat, 6), Lon: roundTo(sec.Centre.Lon, 6), RadiusM: math.Round((sec.To-sec.From)/2 + 10000)}
	if cut < w.cfg.end {
		w.gaps = append(w.gaps, Gap{Sensor: s.truth.Source, Kind: "suspended", Reason: "patrol suspended: security situation on the axis of the surge",
			From: formatMs(cut), To: formatMs(k.to()), CoverageLost: true, Area: &c})
	}
	if cut <= k.from() {
		k.t, k.p, k.halt = k.t[:0], k.p[:0], k.halt[:0]
		return
	}
	k.truncate(cut)
}

// restrict stops the patrol on its way to one of its observation points.
func (w *world) restrict(r *rand.Rand, s *sensor, k *track) {
	// arrivals at stops are the odd points 1, 3, …; pick one (not the base)
	var stops []int
	for i := 1; i+1 < len(k.t)-1; i += 2 {
		stops = append(stops, i)
	}
	if len(stops) == 0 {
		return
	}
	i := stops[r.IntN(len(stops))]
	f := uniform(r, 0.5, 0.95)
	at := k.t[i-1] + int64(f*float64(k.t[i]-k.t[i-1]))
	cp, _, _ := k.at(at)
	party := w.front.sideOf(cp)
	if party == "" {
		party = s.side
	}
	hold := int64(uniform(r, 20, 120) * float64(msPerMinute))
	reasons := []string{
		"denied passage at a checkpoint: no security guarantees for the route",
		"stopped at a checkpoint and turned back: 'military exercise in the area'",
		"denied passage at a checkpoint by armed personnel; told the road is mined",
	}
	if at < w.cfg.start || at >= w.cfg.end {
		return
	}
	e := &event{kind: evRestriction, party: party, t: at, tEnd: at + hold, location: cp, count: 1,
		team: s, reason: reasons[r.IntN(len(reasons))], sector: s.sector}
	w.addEvent(e)
	// What the team would have watched: each remaining stop.
	for j := i; j+1 < len(k.t)-1; j += 2 {
		g := Gap{Sensor: s.truth.Source, Kind: "restriction", Reason: e.reason, From: formatMs(max(at, k.t[j])), To: formatMs(k.t[j+1]),
			CoverageLost: true, Area: &Circle{Lat: roundTo(k.p[j].Lat, 6), Lon: roundTo(k.p[j].Lon, 6), RadiusM: math.Round(s.detect[3])}}
		w.restrictionGaps = append(w.restrictionGaps, restrictionGap{len(w.gaps), e})
		w.gaps = append(w.gaps, g)
	}
	// Held at the checkpoint, then back to base.
	k.truncate(at)
	k.halt[len(k.halt)-1] = true
	k.t, k.p, k.halt = append(k.t, at+hold), append(k.p, cp), append(k.halt, false)
	back := at + hold + int64(geo.DistanceM(cp, s.base)/(patrolKmh/3.6)*1000)
	k.t, k.p, k.halt = append(k.t, back), append(k.p, s.base), append(k.halt, false)
}

type restrictionGap struct {
	gap int
	e   *event
}

// assess names the rules of the agreement each event breaks, as
// agreement.Evaluate finds them: a firing at its location (the report of
// an explosion) and its weapon at the firing position (as if sighted
// there); a deployment as a weapon sighting; a restriction as one. It also
// measures what truth.json gives of each place. Events are independent,
// so the work is shared among the CPUs; each writes only its own event.
func (w *world) assess() error {
	workers := min(runtime.GOMAXPROCS(0), max(1, len(w.events)/256))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for k := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := k; i < len(w.events); i += workers {
				if err := w.assessOne(w.events[i]); err != nil {
					errs[k] = fmt.Errorf("event %s: %w", w.events[i].id, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (w *world) assessOne(e *event) error {
	a := w.cfg.Agreement
	ev := agreement.Event{Kind: e.kindName(), Count: e.count, Time: msTime(e.t), Fire: "unknown"}
	if e.sys != nil {
		ev.WeaponClass, ev.CaliberMM, ev.System = e.cat.Class, e.sys.CaliberMM, e.sys.Name
	}
	if e.kind == evFire {
		ev.Fire = "outgoing"
		if e.cat.ImpactSeen {
			ev.Fire = "incoming"
		}
	}
	facts := a.FactsAt(e.location, ev)
	vs, err := a.Evaluate(facts)
	if err != nil {
		return err
	}
	for _, v := range vs {
		e.viols = append(e.viols, Violation{Rule: v.Rule, Severity: v.Severity, Agreement: v.Agreement, Version: v.Version, At: "location", Zones: zonesIf(facts)})
	}
	e.zones = facts.Place.WeaponZones
	e.locParty = facts.Place.Party
	e.locLineM = facts.Place.DistanceM[w.front.lineID]
	if e.kind != evFire || e.sys == nil {
		return nil
	}
	e.targetParty = a.ControllingParty(e.target)
	ev.Kind, ev.Fire = "weapon_sighting", "unknown"
	facts = a.FactsAt(e.origin, ev)
	vs, err = a.Evaluate(facts)
	if err != nil {
		return err
	}
	for _, v := range vs {
		e.viols = append(e.viols, Violation{Rule: v.Rule, Severity: v.Severity, Agreement: v.Agreement, Version: v.Version, At: "origin", Zones: zonesIf(facts)})
	}
	e.zones = facts.Place.WeaponZones
	e.originLineM = facts.Place.DistanceM[w.front.lineID]
	return nil
}

// zonesIf names the zones behind a violation when the weapon's zones are
// what the rule looks at.
func zonesIf(f agreement.Facts) []string {
	if len(f.Place.WeaponZones) == 0 || f.Event.Kind != "weapon_sighting" {
		return nil
	}
	return f.Place.WeaponZones
}
