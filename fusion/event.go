package fusion

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
)

// Event is one physical occurrence fused from every report of it: where
// it happened (for fire: where the rounds landed), where it came from
// when the reports say (the point of origin), when, and from what.
type Event struct {
	ID    string
	Kind  observation.Kind
	Start time.Time
	End   time.Time
	// Location is the estimate of where the event happened; nil when the
	// reports do not determine it (one bearing alone). For small-arms fire
	// (bursts, shots), whose rounds are not heard landing, it is where the
	// firing was.
	Location *Estimate
	// Origin is the estimated point of origin of fire; nil when unknown.
	Origin *Estimate
	// ApproximateLocation and ApproximateOrigin stand in for Location and
	// Origin when those are nil and a report gives a sight line: on it, at
	// the distance the source's sight lines usually end (sightline.go);
	// and ApproximateLocation for an explosion known only by its launch:
	// about the launch, as far as firings fly. ApproximateBasis says
	// which. For showing only: they are the source's habit or the
	// firings' usual length, not a measurement, and nothing in fusion or
	// assessment reads them.
	ApproximateLocation, ApproximateOrigin *Estimate
	ApproximateBasis                       Basis
	Weapon                                 *observation.Weapon
	Count                                  int
	// Observations are the reports fused into the event, in the order
	// they arrived (ledger order).
	Observations []observation.Key
	// Sources is the number of distinct sources among them.
	Sources int
	// Marking is the conjunction of the reports' markings (access.Combine).
	Marking []string
	// Version counts the changes: a late report that joins an event makes
	// a new version.
	Version int
	// Replaces names the events that later reports showed to be this one
	// and that were merged into it (they are no longer listed): a store
	// that kept them records that they are superseded.
	Replaces []string
	// LastSequence is the highest ledger sequence among the reports: the
	// point of the record this version reflects.
	LastSequence int64
	// Reports are the reports themselves, in Observations' order, in a
	// Snapshot and in an event TakeFinal hands over (assessment reads
	// what fusion does not keep: gradings, every report's weapon); nil
	// elsewhere.
	Reports []*observation.Observation

	// Tentative: the event rests on one source's reports, none stating
	// which way the fire went, of a class whose reports are seldom
	// corroborated: FalseAlarm, the probability that it is a false alarm,
	// exceeds tentativeAbove (tentative.go). FalseAlarm is 0 for an event
	// nothing judges so.
	Tentative  bool
	FalseAlarm float64

	// What a search for candidates reads of every event it meets
	// (candidates, outOfSight, mayEstimate, fits) comes first and
	// together, in as few cache lines as it takes: the engine reads it
	// from thousands of events per report.
	group string  // kind group (kindGroup)
	seq   int64   // creation order: the engine's deterministic tie-break
	win   [2]span // when it was launched and when it landed (Unix seconds)
	last  float64 // latest report time, Unix seconds: the event is final when it is older than the horizon
	mark  uint64  // the engine's visit stamp, to list a candidate once
	gone  bool    // merged into another event or retired
	// cells it is filed under (fire, spatial.go): those of its estimates
	// in the coarse time buckets from cellLo to cellHi, inclusive.
	cellAt   [2]cellPos
	cellLo   int64
	cellHi   int64
	cellWhen cellTime // its times as its cell entries hold them
	into     *Event   // the event it was merged into
	lone     bool     // listed in the engine's lone lines (halves.go)
	holding  bool     // listed among the events holding gross lines (gross.go)
	slotLo   int64    // time buckets it is indexed in, inclusive
	slotHi   int64

	members []member
	// tallied is what its reports added to the class tallies; counted
	// whether as corroborated (tentative.go).
	tallied [][2]*classTally
	counted bool
	// markedBy are the distinct markings Marking was combined from.
	markedBy []string
	// meas caches what the members say of each phase's place, as of the
	// last refresh (measurements).
	meas     [2]measured
	fits     [2][2]fitMemo // the last two estimates of each phase
	windowOf [2]windowMemo // the last window of each phase
}

// Snapshot is a copy of what the event shows, sharing nothing the engine
// will change: what a reader may keep while fusion goes on (Live).
func (e *Event) Snapshot() Event {
	out := Event{ID: e.ID, Kind: e.Kind, Start: e.Start, End: e.End, Location: e.Location, Origin: e.Origin,
		ApproximateLocation: e.ApproximateLocation, ApproximateOrigin: e.ApproximateOrigin, ApproximateBasis: e.ApproximateBasis,
		Weapon: e.Weapon, Count: e.Count, Observations: slices.Clone(e.Observations), Sources: e.Sources, Tentative: e.Tentative, FalseAlarm: e.FalseAlarm,
		Marking: slices.Clone(e.Marking), Version: e.Version, Replaces: slices.Clone(e.Replaces),
		LastSequence: e.LastSequence, Reports: slices.Clone(e.Reports)}
	if e.members != nil {
		out.LastSequence, out.Reports = e.lastSequence(), e.reports()
	}
	return out
}

// lastSequence is the highest ledger sequence among the members.
func (e *Event) lastSequence() int64 {
	var last int64
	for _, m := range e.members {
		last = max(last, m.lseq)
	}
	return last
}

// reports are the members' reports in Observations' order.
func (e *Event) reports() []*observation.Observation {
	byKey := make(map[observation.Key]*observation.Observation, len(e.members))
	for _, m := range e.members {
		if m.obs != nil {
			byKey[m.key] = m.obs
		}
	}
	var out []*observation.Observation
	for _, k := range e.Observations {
		if o := byKey[k]; o != nil {
			out = append(out, o)
		}
	}
	return out
}

// phase is which phenomenon of a firing a report times and locates: the
// launch (at the point of origin) or the impact (where the rounds land,
// and where anything else happens). A fire report that could not tell
// outgoing from incoming is phaseEither until a fit says which.
type phase uint8

const (
	phaseLaunch phase = iota
	phaseImpact
	phaseEither
)

// member is one report as fusion uses it.
type member struct {
	key     observation.Key
	ord     int64   // arrival order in the engine
	at      float64 // observed time, Unix seconds
	sigmaT  float64 // its standard deviation, s
	kind    observation.Kind
	weapon  *observation.Weapon
	count   int
	marking string
	// phase is what the report's time and sight line refer to; assigned
	// is the phase the last fit gave a phaseEither report (phaseEither
	// when the fit could not tell).
	// The flags after them share their word: members are copied and
	// appended on every change, and padding the flags apart took two
	// words more.
	phase    phase
	assigned phase
	flipped  bool // an audit reversed its stated direction of fire once
	weapons  bool // a weapon sighting: compare classes
	// gross: a sight line that fits no event, held by the one event it
	// was timed with (gross.go) while its place is left out; reclaimed:
	// one taken back for a firing found later, never held again.
	gross, reclaimed bool
	// ejected counts the times an audit took the report out of an event
	// it had stopped agreeing with: it is placed again once, no more.
	ejected  int
	bearing  *Bearing                 // sight line towards the phenomenon
	fix      [2]*Fix                  // located reports: [phaseLaunch] the origin, [phaseImpact] the place
	back     *Bearing                 // a crater's back-bearing towards the origin
	original time.Time                // observed_at as reported
	scale    float64                  // its σ widened by this (0: as stated; calibrate.go)
	lseq     int64                    // ledger sequence
	obs      *observation.Observation // the report itself, for assessment
	tally    [2]*classTally           // its class's tallies, its source's and all sources' (tentative.go)
}

// resolved is the phase the member counts for now: its own, or the one a
// fit assigned.
func (m *member) resolved() phase {
	if m.phase == phaseEither {
		return m.assigned
	}
	return m.phase
}

// measurements appends what m says about the place of phase p, as it
// counts now (an unassigned phaseEither report says nothing).
func (m *member) measurements(p phase, bs []Bearing, fs []Fix) ([]Bearing, []Fix) {
	if m.gross {
		return bs, fs
	}
	if m.bearing != nil && m.resolved() == p {
		bs = append(bs, *m.bearing)
	}
	if f := m.fix[p]; f != nil {
		fs = append(fs, *f)
	}
	if p == phaseLaunch && m.back != nil {
		bs = append(bs, *m.back)
	}
	return bs, fs
}

// measured is what an event's reports say of one phase's place.
type measured struct {
	bs []Bearing
	fs []Fix
}

// cacheMeasurements fills e.meas from the members as they count now.
func (e *Event) cacheMeasurements() {
	for p := range e.meas {
		bs, fs := e.meas[p].bs[:0], e.meas[p].fs[:0]
		for i := range e.members {
			bs, fs = e.members[i].measurements(phase(p), bs, fs)
		}
		e.meas[p].bs, e.meas[p].fs = bs, fs
	}
}

// kindGroup puts kinds that may describe one occurrence together: the
// rounds of one firing are heard as explosions, bursts or shots.
func kindGroup(k observation.Kind) string {
	switch k {
	case observation.Explosion, observation.Burst, observation.Shot:
		return "fire"
	}
	return string(k)
}

func isFire(k observation.Kind) bool { return kindGroup(k) == "fire" }

// measure reads what a report says about the event's place and origin,
// and which of the two its time refers to, with the σ it states widened
// by scale (calibrate.go).
func measure(o *observation.Observation, scale float64) member {
	var stated sigmas
	m := member{key: o.Key(), at: unixSeconds(o.ObservedAt), sigmaT: o.TimeSigmaS, kind: o.Kind, weapon: o.Weapon,
		count: max(o.Count, 1), marking: o.Marking, phase: phaseImpact, assigned: phaseEither, original: o.ObservedAt,
		weapons: o.Kind == observation.WeaponSighting}
	if m.marking == "" {
		m.marking = access.Mission
	}
	if isFire(o.Kind) {
		// The direction of fire says which phenomenon the report is about:
		// a radar tracks rounds from their launch, a crater or an OSINT
		// post of shelling is the impact.
		switch o.Fire {
		case observation.Outgoing:
			m.phase = phaseLaunch
		case observation.Incoming:
			m.phase = phaseImpact
		default:
			m.phase = phaseEither
		}
	}
	if p := o.Location; p != nil && p.Resolved {
		sigma := sigmaOf(p, defaultFixSigmaM)
		stated.fix[phaseImpact] = sigma
		if isFire(o.Kind) {
			// A located impact is one round's (a crater, a strike filmed):
			// the rounds of a salvo spread about where they were aimed.
			sigma = math.Hypot(sigma, impactSpreadM)
			stated.spread[phaseImpact] = impactSpreadM
		}
		m.fix[phaseImpact] = &Fix{Point: geo.Point{Lat: p.Lat, Lon: p.Lon}, SigmaM: sigma}
	}
	if p := o.Origin; p != nil && p.Resolved {
		m.fix[phaseLaunch] = &Fix{Point: geo.Point{Lat: p.Lat, Lon: p.Lon}, SigmaM: sigmaOf(p, defaultFixSigmaM)}
		stated.fix[phaseLaunch] = m.fix[phaseLaunch].SigmaM
	}
	if m.phase == phaseEither && (m.fix[phaseImpact] != nil || m.fix[phaseLaunch] != nil) {
		// A report that places what it saw is about that place: its time
		// is the impact's when it gives one, else the launch's.
		m.phase = phaseImpact
		if m.fix[phaseImpact] == nil {
			m.phase = phaseLaunch
		}
	}
	if obs := o.Observer; obs != nil && obs.Resolved && o.BearingDeg != nil {
		b := Bearing{Observer: geo.Point{Lat: obs.Lat, Lon: obs.Lon}, AzimuthDeg: *o.BearingDeg, SigmaDeg: sigmaOr(o.BearingSigmaDeg, defaultBearingSigmaDeg)}
		if r := o.Range; r != nil && r.MaxM > 0 {
			// A range given as an interval: its middle, and half its width
			// in log terms as one standard deviation (distance estimates
			// err by a factor, and a reporter's interval is rarely wider
			// than one σ either side).
			lo := max(r.MinM, r.MaxM/4, 1)
			b.RangeM = (r.MinM + r.MaxM) / 2
			b.RangeSigmaM = max(b.RangeM*math.Log(r.MaxM/lo)/2, 50)
		}
		b.dir = sightDirOf(&b)
		m.bearing = withPlane(b)
	}
	// A crater's back-bearing points from the crater to the origin.
	if o.OriginBearingDeg != nil && o.Location != nil && o.Location.Resolved {
		back := Bearing{Observer: geo.Point{Lat: o.Location.Lat, Lon: o.Location.Lon},
			AzimuthDeg: *o.OriginBearingDeg, SigmaDeg: sigmaOr(o.OriginBearingSigmaDeg, defaultBearingSigmaDeg)}
		back.dir = sightDirOf(&back)
		m.back = withPlane(back)
	}
	m.widen(&stated, scale)
	return m
}

// impactSpreadM is how far, as one standard deviation per axis, the
// rounds of one firing land from one another: artillery and mortar
// salvos cover a hundred metres or two, rockets more.
const impactSpreadM = 100

// Defaults for reports that leave an uncertainty out.
const (
	defaultFixSigmaM       = 1000 // a location without a CEP
	defaultBearingSigmaDeg = 10
)

func sigmaOf(p *observation.Point, def float64) float64 {
	if p.CEPm != nil && *p.CEPm > 0 {
		return CEPToSigma(*p.CEPm)
	}
	return def
}

func sigmaOr(s, def float64) float64 {
	if s > 0 {
		return s
	}
	return def
}

func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

// span is a closed interval of time, Unix seconds.
type span struct{ lo, hi float64 }

var everywhen = span{math.Inf(-1), math.Inf(1)}

func (s span) meet(o span) span { return span{max(s.lo, o.lo), min(s.hi, o.hi)} }
func (s span) empty() bool      { return s.lo > s.hi }
func (s span) overlaps(o span) bool {
	return s.lo <= o.hi && o.lo <= s.hi && !s.empty() && !o.empty()
}

// summarise recomputes what the API shows from the members: times, kind,
// weapon, count, sources, marking, the list of reports. It runs after
// every change to an event, so it works in the engine's scratch buffers
// (g.sumBuf) rather than allocating its own each time.
func (g *Engine) summarise(e *Event) {
	b := &g.sumBuf
	markings, counts, sources := b.markings[:0], b.counts[:0], b.sources[:0]
	first := e.members[0].original
	e.Start, e.End = first, first
	e.last = e.members[0].at
	e.Observations = e.Observations[:0]
	e.Weapon = nil
	var kinds [3]int // explosion, burst, shot
	for i := range e.members {
		m := &e.members[i]
		e.Observations = append(e.Observations, m.key)
		sources = append(sources, m.key.Source)
		// access.Combine ignores repeats and order, and parses every
		// marking it is given (a regular expression each): give it each
		// distinct marking once. Members mostly share one.
		if !slices.Contains(markings, m.marking) {
			markings = append(markings, m.marking)
		}
		counts = append(counts, m.count)
		if m.original.Before(e.Start) {
			e.Start = m.original
		}
		if m.original.After(e.End) {
			e.End = m.original
		}
		e.last = max(e.last, m.at)
		switch m.kind {
		case observation.Explosion:
			kinds[0]++
		case observation.Burst:
			kinds[1]++
		case observation.Shot:
			kinds[2]++
		}
	}
	e.Weapon = majorityWeapon(e.members)
	if e.group == "fire" {
		// The kind most reports give; ties to the louder kind (an
		// explosion heard beside a burst is the explosion).
		best := 0
		for i, n := range kinds {
			if n > kinds[best] {
				best = i
			}
		}
		e.Kind = [...]observation.Kind{observation.Explosion, observation.Burst, observation.Shot}[best]
	}
	slices.Sort(sources)
	e.Sources = len(slices.Compact(sources))
	if !slices.Equal(markings, e.markedBy) {
		// The same markings give the same conjunction: most changes add
		// a report marked as the others are, and leave it alone.
		e.Marking = access.Combine(markings...)
		e.markedBy = append(e.markedBy[:0], markings...)
	}
	slices.Sort(counts)
	e.Count = counts[len(counts)/2] // monitors miscount; the median resists one wild count
	b.markings, b.counts, b.sources = markings, counts, sources
	g.countClasses(e)
}

// summaryBuffers are summarise's scratch slices, kept by the engine.
type summaryBuffers struct {
	markings []string
	counts   []int
	sources  []string
}

// majorityWeapon is the weapon of the class most reports name (ties to
// the class first in alphabetical order), as the first report naming it
// gave it.
func majorityWeapon(ms []member) *observation.Weapon {
	// Each class named, with how many name it and the first report's
	// weapon, in the order first named: one pass over the members (it
	// runs on every change), not one per member. Events name few
	// classes: a list on the stack.
	type named struct {
		w *observation.Weapon
		n int
	}
	var buf [8]named
	classes := buf[:0]
	for i := range ms {
		w := ms[i].weapon
		if w == nil || w.Class == "" {
			continue
		}
		k := 0
		for k < len(classes) && classes[k].w.Class != w.Class {
			k++
		}
		if k == len(classes) {
			classes = append(classes, named{w: w})
		}
		classes[k].n++
	}
	var best *observation.Weapon
	bestN := 0
	for _, c := range classes {
		if c.n > bestN || c.n == bestN && c.w.Class < best.Class {
			best, bestN = c.w, c.n
		}
	}
	return best
}

// eventID names an event after its first report, so that the same reports
// in the same order always give the same ids. A report taken out of the
// event it started keeps that event its id; the event it then starts is
// named after it and the time it was placed again.
func eventID(first observation.Key, placed int) string {
	s := first.Source + "/" + first.ID
	if placed > 0 {
		s += "#" + strconv.Itoa(placed)
	}
	h := sha256.Sum256([]byte(s))
	return "ev-" + hex.EncodeToString(h[:8])
}

// sortEvents orders events by start time, then id: the API's order.
func sortEvents(es []*Event) {
	slices.SortFunc(es, func(a, b *Event) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}
