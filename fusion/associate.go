package fusion

import (
	"math"

	"github.com/truce-mechanism/truce/geo"
)

// place is the estimate of a phase: Origin for the launch, Location for
// the impact (and for everything that is not fire).
func (e *Event) place(p phase) *Estimate {
	if p == phaseLaunch {
		return e.Origin
	}
	if e.group == "fire" && e.Location != nil && e.Location == e.Origin {
		return nil // small arms: the Location shown is the origin
	}
	return e.Location
}

// The strength of the evidence that joins a report to an event: it fits
// an estimate of the event's place, or only crosses its sight lines, or
// nothing in space could be compared and only the time agrees.
const (
	tierEstimate = iota
	tierLines
	tierTime
	tierNone
)

// match is how well a report fits an event.
type match struct {
	tier  int
	score float64 // lower is better
	phase phase   // the phase a phaseEither report would take
	// chi2 and dof: how the report's measurements fit the estimates
	// (tierEstimate), for calibration.
	chi2 float64
	dof  int
}

func (a match) better(b match) bool {
	if a.tier != b.tier {
		return a.tier < b.tier
	}
	return a.score < b.score
}

// associate finds the event report m joins: the compatible one it fits
// best, or nil for a new event. first says this is the report's first
// placing, whose fit calibrates its source (calibrate.go).
func (g *Engine) associate(m *member, group string, first bool) *Event {
	e, mt := g.bestMatch(m, group)
	// A sight line alone was compared with every event in its window
	// (bestMatch's candidates, still in g.cands): the firings it could
	// have heard are among them.
	var heard []*Event
	if m.fix[0] == nil && m.fix[1] == nil {
		heard = g.cands
	}
	if e != nil && group == "fire" && mt.tier == tierTime && g.crowded(m, heard) {
		// Time alone cannot tell which of many firings a sight line
		// heard: it starts an event of its own.
		e = nil
	}
	if e == nil && group == "fire" && !m.reclaimed {
		if e = g.grossMatch(m, heard); e != nil {
			m.gross = true
			return e
		}
	}
	if first && e != nil && mt.tier == tierEstimate {
		g.learn(m.key.Source, mt.chi2, mt.dof, max(m.scale, 1))
		// A firing placed at both ends: how far rounds fly (fireRange).
		if o, l := e.place(phaseLaunch), e.place(phaseImpact); o != nil && l != nil {
			if d := geo.DistanceM(o.Point, l.Point); d >= 1 {
				g.fireAll.add(d / 1000)
			}
		}
		p := m.phase
		if p == phaseEither {
			p = mt.phase
		}
		if est := e.place(p); m.bearing != nil && est != nil {
			g.learnReach(m.key.Source, m.bearing, est)
		}
	}
	if e != nil && m.phase != phaseEither && mt.phase != m.phase {
		m.phase = mt.phase // its direction of fire was misreported
	}
	return e
}

func (g *Engine) bestMatch(m *member, group string) (*Event, match) {
	var q span
	if group == "fire" {
		q = g.window(m, nil)
	} else {
		k := timeSigmas * m.sigmaT
		q = span{m.at - k, m.at + k}
	}
	// A located report of fire need see only the events near it
	// (nearCandidates); the rest, all of their time buckets. The order of
	// the candidates does not matter: the best is the least by tier,
	// score and creation order.
	var cands []*Event
	var fb [2]fixBound
	ok := false
	if group == "fire" {
		cands, fb, ok = g.nearCandidates(m, q)
	}
	// filed is where each candidate is filed (its cellAt): from the
	// cells' entries for those near (which spares reading most of them
	// at all), from the events for the rest.
	filed := g.candAt
	var sight fixBound
	if !ok {
		cands = g.candidates(group, q, nil)
		if group == "fire" && m.bearing != nil {
			sight = g.sightBound(m.bearing)
		}
		filed = filed[:0]
		if group == "fire" {
			for _, e := range cands {
				filed = append(filed, &e.cellAt)
			}
		}
		g.candAt = filed
	}
	// A report with a sight line is tried against the estimates of both
	// phases of an event (compatible: its own phase, then the other, or
	// either), and its sight line gated against each: an event whose two
	// estimates, as filed, both refuse it (sightBand.refuses) cannot
	// take it, and fits tries no phase whose estimate refuses it.
	var band sightBand
	if group == "fire" {
		band = g.sightBandOf(m)
	}
	if group != "fire" {
		var best *Event
		bestM := match{tier: tierNone}
		for _, e := range cands {
			mt, ok := g.compatible(e, m, &band)
			if ok && (mt.better(bestM) || !bestM.better(mt) && best != nil && e.seq < best.seq) {
				best, bestM = e, mt
			}
		}
		return best, bestM
	}
	// The candidates that could fit an estimate (mayEstimate) are
	// compared first; the others only if none of them does. This is the
	// same choice as comparing every candidate in order: the best is
	// replaced only by a candidate of a better tier, or of its own, so
	// the outcome is the first of the best tier present, carried through
	// that tier's candidates in their order — and every candidate that
	// can reach tierEstimate is in the first pass, in order. When none
	// does, the second pass compares them all in order, reusing the
	// first pass's results. Most candidates a located report meets in
	// the open cell (small-arms events, which estimate no impact) are
	// thereby never compared.
	memo := grow(g.matchBuf, len(cands))
	g.matchBuf = memo
	mask := estimateMask(m)
	var best *Event
	bestM := match{tier: tierNone}
	deferred := false
	// A report that only places things (fixes, no sight line) is first
	// compared with the candidate of the least lower bound of its score
	// (fixScoreBound), then with those whose bound does not exceed the
	// best score found so far: the others could only lose. The best is the
	// least by tier, score and creation order whatever the order of
	// comparison, so this changes nothing but the cost.
	order := g.order[:0]
	for i := range cands {
		memo[i] = matchMemo{}
		at := filed[i]
		if sight.ok && outOfSight(at, &sight) || band.ok && band.refuses(at[phaseLaunch]) && band.refuses(at[phaseImpact]) {
			memo[i].skip = true
			continue
		}
		if !mayEstimate(at, mask) {
			deferred = true
			continue
		}
		order = append(order, bounded{i, 0})
	}
	g.order = order
	first := -1
	if ok && m.bearing == nil && m.back == nil && len(order) > 1 {
		first = 0
		for k := range order {
			order[k].bound = fixScoreBound(filed[order[k].i], m, &fb)
			if order[k].bound < order[first].bound {
				first = k
			}
		}
	}
	consider := func(x bounded) {
		e := cands[x.i]
		mt, ok := g.compatible(e, m, &band)
		memo[x.i] = matchMemo{done: true, ok: ok, mt: mt}
		if ok && (mt.better(bestM) || !bestM.better(mt) && best != nil && e.seq < best.seq) {
			best, bestM = e, mt
		}
	}
	if first >= 0 {
		consider(order[first])
	}
	for k, x := range order {
		if k == first || best != nil && bestM.tier == tierEstimate && x.bound > bestM.score {
			continue
		}
		consider(x)
	}
	if !deferred || best != nil && bestM.tier == tierEstimate {
		return best, bestM
	}
	best, bestM = nil, match{tier: tierNone}
	for i, e := range cands {
		x := memo[i]
		if x.skip {
			continue
		}
		mt, ok := x.mt, x.ok
		if !x.done {
			mt, ok = g.compatible(e, m, &band)
		}
		if ok && (mt.better(bestM) || !bestM.better(mt) && best != nil && e.seq < best.seq) {
			best, bestM = e, mt
		}
	}
	return best, bestM
}

// bounded is a candidate (its index) with a lower bound of its score.
type bounded struct {
	i     int
	bound float64
}

// fixScoreBound is a lower bound of the score fits gives report m, which
// has fixes and no sight line, against e: the score is χ²/dof of its
// fixes against e's estimates plus a closeness ≥ 0 (and only a report
// that fits an estimate has one worth beating). Each fix of phase q
// against an estimate filed in a cell contributes χ² ≥ |d|² / (σ² +
// majorSigma²) (spatial.go: the bound gateFar rests on), with |d|² at
// least north² plus east² at the least east scale of the fix's bound;
// an estimate in the open cell contributes at least 0; and dof is at most
// two per fix. A millionth off covers rounding. filed is the event's
// cellAt.
func fixScoreBound(filed *[2]cellPos, m *member, fb *[2]fixBound) float64 {
	var chi2 float64
	dof := 0
	for q, f := range m.fix {
		if f == nil {
			continue
		}
		dof += 2
		b, at := &fb[q], filed[q]
		if !b.ok || at.cx == openCell {
			continue
		}
		dn := (at.lat - b.lat) * mPerDeg
		de := (at.lon - b.lon) * mPerDeg * b.cos
		chi2 += (dn*dn + de*de) / (b.sigma*b.sigma + at.sigma*at.sigma)
	}
	if dof == 0 {
		return 0
	}
	return chi2 / float64(dof) * (1 - 1e-6)
}

// matchMemo is bestMatch's record of one candidate: skipped (out of
// sight), or compared (done) with the result.
type matchMemo struct {
	skip, done, ok bool
	mt             match
}

// estimateMask says of which phases' places report m could bring a
// measurement to fits, under any phase it may be tried as (its own, the
// other when its direction of fire may be misreported, either): a fix
// of that phase, a sight line (any phase), a back-bearing (the launch).
func estimateMask(m *member) [2]bool {
	var k [2]bool
	for q := range k {
		k[q] = m.fix[q] != nil || m.bearing != nil || phase(q) == phaseLaunch && m.back != nil
	}
	return k
}

// mayEstimate: fits can find report m (of estimateMask mask) in
// tierEstimate against an event only if it estimates the place of a
// phase m measures — dof counts only measurements gated against an
// estimate. filed is the event's cellAt, which says whether it does
// (cellPos.placed).
func mayEstimate(filed *[2]cellPos, mask [2]bool) bool {
	return mask[phaseLaunch] && filed[phaseLaunch].placed || mask[phaseImpact] && filed[phaseImpact].placed
}

// compatible decides whether report m can describe event e, and how well.
// band is m's sightBand (none for a report without a sight line).
func (g *Engine) compatible(e *Event, m *member, band *sightBand) (match, bool) {
	if e.group != "fire" {
		return g.samePlace(e, m)
	}
	phases := []phase{m.phase}
	if m.phase == phaseEither {
		phases = []phase{phaseLaunch, phaseImpact}
	}
	best, found := match{tier: tierNone}, false
	for _, p := range phases {
		mt, ok := g.fits(e, m, p, band)
		if ok && mt.better(best) {
			best, found = mt, true
		}
	}
	if !found && m.phase != phaseEither && m.bearing != nil {
		// Reporters mistake incoming for outgoing now and then: a sight
		// line that fits the estimate of the other phase, and nothing
		// else here, is taken as that phase's. So is one from an observer
		// that already reported this phase of the event, whatever else it
		// fits: one observer hears one launch and one impact of a firing,
		// and the second sound it reports (at another bearing, the flight
		// time later) is the other end, not a second launch.
		if mt, ok := g.fits(e, m, 1-m.phase, band); ok && (mt.tier == tierEstimate || e.seenBy(m.key.Source, m.phase)) {
			mt.score += flipPenalty
			return mt, true
		}
	}
	return best, found
}

// flipPenalty ranks a report whose direction of fire had to be reversed
// to fit below one that fits as it is.
const flipPenalty = 3

// fits tests m against e taking m's time and sight line as phase p.
func (g *Engine) fits(e *Event, m *member, p phase, band *sightBand) (match, bool) {
	if !g.window(m, nil).overlaps(e.win[p]) {
		return match{}, false // not even in the widest window: cheap to tell
	}
	// Place before time: most candidates a report is compared with lie
	// elsewhere, which the gates tell more cheaply than the timing
	// hypotheses do. Every test here only refuses, so their order changes
	// nothing but the cost.
	var chi2 float64
	var dof int
	lines := false
	for _, q := range []phase{phaseLaunch, phaseImpact} {
		// At most two sight lines and one fix: arrays on the stack, as
		// fits runs for every candidate of every report.
		var bsBuf [2]Bearing
		var fsBuf [1]Fix
		bs, fs := bsBuf[:0], fsBuf[:0]
		if m.bearing != nil && q == p {
			bs = append(bs, *m.bearing)
		}
		if f := m.fix[q]; f != nil {
			fs = append(fs, *f)
		}
		if q == phaseLaunch && m.back != nil {
			bs = append(bs, *m.back)
		}
		if len(bs)+len(fs) == 0 {
			continue
		}
		if est := e.place(q); est != nil {
			// The sight line first, by the cheap bound of the estimate
			// as filed: most estimates a report meets lie well off it
			// (gateEstimate then bounds the estimate itself).
			if q == p && band.refuses(e.cellAt[q]) {
				return match{}, false
			}
			c, n, ok := gateEstimate(est, bs, fs, g.cfg.MaxRangeM)
			if !ok {
				return match{}, false
			}
			chi2, dof = chi2+c, dof+n
		} else if eb, ef := e.measurements(q); len(eb)+len(ef) > 0 {
			if !linesAgree(eb, ef, bs, fs, g.cfg.MaxRangeM) {
				return match{}, false
			}
			lines = true
		}
		if !g.withinFireOf(e, 1-q, bs, fs) {
			// Rounds land within range of where they were fired.
			return match{}, false
		}
	}
	hs, n := g.hypotheses(m, e.place(p))
	w, in := span{}, false
	for _, h := range hs[:n] {
		if h.overlaps(e.win[p]) && (!in || closeness(h, e.win[p]) < closeness(w, e.win[p])) {
			w, in = h, true
		}
	}
	if !in {
		return match{}, false
	}
	if m.bearing != nil && e.seenBy(m.key.Source, p) {
		// One observer reports one phenomenon once: a second sight line
		// from it to the same phase is another event.
		return match{}, false
	}
	mt := match{tier: tierTime, phase: p, score: closeness(w, e.win[p])}
	switch {
	case dof > 0:
		mt.tier, mt.score, mt.chi2, mt.dof = tierEstimate, chi2/float64(dof)+mt.score, chi2, dof
	case lines:
		mt.tier = tierLines
	default:
		if m.bearing != nil && !g.flightFeasible(e, m, p) {
			return match{}, false
		}
		if !undecidedAgree(e, m, p, g.cfg.MaxRangeM) {
			return match{}, false
		}
		// Joined by time alone: the nearer the other phase, the likelier
		// (most rounds fly well under a minute).
		if o := e.win[1-p]; !math.IsInf(o.lo, 0) && !math.IsInf(o.hi, 0) {
			mt.score = math.Abs(m.at-(o.lo+o.hi)/2) / 60
		}
	}
	return mt, true
}

// flightFeasible: a sight line of phase p joining an event that knows only
// its other phase must allow a flight of possible duration for its
// length: for some distance along the line, the time the report gives
// (taken as when the phenomenon was seen, or heard after its sound
// travelled) lies after the other phase by as long as a round takes over
// that distance.
func (g *Engine) flightFeasible(e *Event, m *member, p phase) bool {
	o := e.place(1 - p)
	if o == nil || e.place(p) != nil {
		return true
	}
	other := e.win[1-p]
	if math.IsInf(other.lo, 0) || math.IsInf(other.hi, 0) {
		return true
	}
	b := m.bearing
	reach := g.sightReach(*b)
	k := timeSigmas*m.sigmaT + g.cfg.FireSlack.Seconds()
	oe, on := flat(b.Observer, o.Point)
	s, c := math.Sincos(b.AzimuthDeg * math.Pi / 180)
	tolD := 3 * majorSigma(o.Cov)
	const steps = 48
	for i := 0; i <= steps; i++ {
		r := reach * float64(i) / steps
		d := math.Hypot(r*s-oe, r*c-on)
		lo := max(d-tolD, 0) / roundSpeedMaxMps
		hi := max(minFlightBoundS, (d+tolD)/roundSpeedMinMps)
		for _, delay := range []float64{0, r / soundSpeedMinMps} {
			t := span{m.at - delay - k, m.at - delay + k}
			var f span // flight implied: impact time minus launch time
			if p == phaseImpact {
				f = span{t.lo - other.hi, t.hi - other.lo}
			} else {
				f = span{other.lo - t.hi, other.hi - t.lo}
			}
			if f.overlaps(span{lo, hi}) {
				return true
			}
		}
	}
	return false
}

// withinFire reports whether the place the measurements describe can lie
// within a round's range of est, the estimate of the event's other place:
// a fix within range, a sight line passing within range.
func (g *Engine) withinFire(est *Estimate, bs []Bearing, fs []Fix) bool {
	r := g.fireRange() + 3*majorSigma(est.Cov)
	for _, b := range bs {
		if roughDistanceM(b.Observer, est.Point) <= r {
			continue // the sight line starts within range
		}
		if segmentDistance(b, g.sightReach(b), est.Point) > r {
			return false
		}
	}
	for _, f := range fs {
		if roughDistanceM(f.Point, est.Point) > r+3*f.SigmaM {
			return false
		}
	}
	return true
}

// withinFireOf reports whether the place the measurements describe can lie
// within a round's range of what e says of the place of phase p: its
// estimate, or else its sight lines and fixes.
func (g *Engine) withinFireOf(e *Event, p phase, bs []Bearing, fs []Fix) bool {
	if est := e.place(p); est != nil {
		return g.withinFire(est, bs, fs)
	}
	eb, ef := e.measurements(p)
	r := g.fireRange()
	for _, a := range eb {
		for _, b := range bs {
			if segmentsDistance(a, g.sightReach(a), b, g.sightReach(b)) > r {
				return false
			}
		}
		for _, f := range fs {
			if segmentDistance(a, g.sightReach(a), f.Point) > r+3*f.SigmaM {
				return false
			}
		}
	}
	for _, f := range ef {
		for _, b := range bs {
			if segmentDistance(b, g.sightReach(b), f.Point) > r+3*f.SigmaM {
				return false
			}
		}
		for _, h := range fs {
			if roughDistanceM(f.Point, h.Point) > r+3*(f.SigmaM+h.SigmaM) {
				return false
			}
		}
	}
	return true
}

// sightReach is how far along a sight line its phenomenon may be: its
// range and three σ when it gives one, else what its source has been seen
// to reach (reachBound), within Config.MaxRangeM.
func (g *Engine) sightReach(b Bearing) float64 {
	if b.RangeM > 0 {
		return min(g.cfg.MaxRangeM, b.RangeM+3*b.RangeSigmaM)
	}
	if b.reachM > 0 {
		return min(g.cfg.MaxRangeM, b.reachM)
	}
	return g.cfg.MaxRangeM
}

// closeness is how far apart the middles of two overlapping windows are,
// relative to their half widths: 0 when centred, 1 when they just touch.
func closeness(a, b span) float64 {
	ha, hb := (a.hi-a.lo)/2, (b.hi-b.lo)/2
	if math.IsInf(hb, 0) || math.IsInf(ha, 0) {
		return 1
	}
	return math.Abs((a.lo+ha)-(b.lo+hb)) / (ha + hb + 1e-9)
}

// seenBy reports whether e holds a sight line from source to phase p.
func (e *Event) seenBy(source string, p phase) bool {
	for i := range e.members {
		x := &e.members[i]
		if x.bearing != nil && x.key.Source == source && (x.phase == p || x.phase == phaseEither && x.assigned == p) {
			return true
		}
	}
	return false
}

// measurements are what e's members say of the place of phase p, as of
// its last refresh.
func (e *Event) measurements(p phase) ([]Bearing, []Fix) {
	return e.meas[p].bs, e.meas[p].fs
}

// samePlace associates weapon sightings, restrictions and other things
// that stay put: reported within the group's time gate, at one place
// within the reports' errors and the spread of one position, and for
// weapons of one class — or of another class reported at the very same
// spot, since weapons are often taken for one another.
func (g *Engine) samePlace(e *Event, m *member) (match, bool) {
	k := timeSigmas * m.sigmaT
	if !(span{m.at - k, m.at + k}).overlaps(e.win[phaseImpact]) {
		return match{}, false
	}
	f := m.fix[phaseImpact]
	if e.Location == nil || f == nil {
		if e.Location == nil && f == nil {
			return match{tier: tierTime, score: math.Abs(m.at-e.last) / g.placeGate(e.group)}, true
		}
		return match{}, false
	}
	de, dn := flat(f.Point, e.Location.Point)
	d := math.Hypot(de, dn)
	sigma := math.Sqrt(f.SigmaM*f.SigmaM + majorSigma(e.Location.Cov)*majorSigma(e.Location.Cov))
	spread := g.cfg.PlaceDistanceM
	score := d / (spread + sigma)
	if m.weapons && m.weapon != nil && e.Weapon != nil && m.weapon.Class != "" && e.Weapon.Class != "" && m.weapon.Class != e.Weapon.Class {
		spread, score = 0, score+1
	}
	if d > spread+3*sigma {
		return match{}, false
	}
	return match{tier: tierEstimate, score: score}, true
}

// undecidedAgree reports whether a report joining e by time alone agrees
// with e's sight lines when those are all undecided (launch or impact,
// nobody yet knows): its sight line or fix of phase p must meet them, as
// if they were of that phase too. Without this, such an event — most
// often a lone report that could not tell which way the fire went, many
// of them false alarms — constrained nothing and took reports from
// anywhere in its time window. Taking them as the other phase instead
// (the report within a firing's range of the lines) was tried and
// measured worse (DECISIONS 45): it lets nearly everything in again.
func undecidedAgree(e *Event, m *member, p phase, maxRange float64) bool {
	if len(e.meas[0].bs)+len(e.meas[0].fs)+len(e.meas[1].bs)+len(e.meas[1].fs) > 0 {
		return true // e's places are measured: the gates have spoken
	}
	var bs [1]Bearing
	var fs [1]Fix
	nb, nf := 0, 0
	if m.bearing != nil {
		bs[0], nb = *m.bearing, 1
	}
	if f := m.fix[p]; f != nil {
		fs[0], nf = *f, 1
	}
	if nb+nf == 0 {
		return true // a report of a time alone
	}
	for i := range e.members {
		x := &e.members[i]
		if x.bearing != nil && x.resolved() == phaseEither && !linesAgree([]Bearing{*x.bearing}, nil, bs[:nb], fs[:nf], maxRange) {
			return false
		}
	}
	return true
}
