package fusion

import (
	"cmp"
	"math"

	"github.com/truce-mechanism/truce/observation"
)

// refresh recomputes everything derived from e's members: which phase
// each report that could not tell launch from impact belongs to, the
// estimates of origin and place, the time windows, and what the API shows.
func (g *Engine) refresh(e *Event) {
	g.summarise(e)
	g.judge(e)
	if e.group != "fire" {
		e.cacheMeasurements()
		e.Location, e.Origin = e.locatePhase(phaseImpact), nil
		e.ApproximateLocation, e.ApproximateOrigin, e.ApproximateBasis = nil, nil, BasisSightLine
		if e.Location == nil {
			e.ApproximateLocation = g.alongSight(e, phaseImpact)
		}
		gate := g.placeGate(e.group)
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range e.members {
			m := &e.members[i]
			k := timeSigmas * m.sigmaT
			lo, hi = min(lo, m.at-k), max(hi, m.at+k)
		}
		e.win[phaseImpact] = span{lo - gate, hi + gate}
		e.win[phaseLaunch] = e.win[phaseImpact]
		return
	}
	for i := range e.members {
		e.members[i].assigned = phaseEither
	}
	e.cacheMeasurements()
	origin := e.locatePhase(phaseLaunch)
	place := e.locatePhase(phaseImpact)
	// A report that could not tell launch from impact counts for the
	// phase whose estimate it fits best, or whose sight lines it crosses
	// when only one has any; otherwise for neither, until more is known.
	var changed [2]bool
	for i := range e.members {
		m := &e.members[i]
		if m.phase != phaseEither || m.bearing == nil {
			continue
		}
		best, bestChi := phaseEither, math.Inf(1)
		var crossing []phase
		for _, p := range []phase{phaseLaunch, phaseImpact} {
			est := origin
			if p == phaseImpact {
				est = place
			}
			if e.seenByOther(m, p) {
				continue
			}
			if est != nil {
				if c, n, ok := gateEstimate(est, []Bearing{*m.bearing}, nil, g.cfg.MaxRangeM); ok && n > 0 && c/float64(n) < bestChi {
					best, bestChi = p, c/float64(n)
				}
				continue
			}
			if bs, fs := e.measurements(p); len(bs)+len(fs) > 0 && linesAgree(bs, fs, []Bearing{*m.bearing}, nil, g.cfg.MaxRangeM) {
				crossing = append(crossing, p)
			}
		}
		if best == phaseEither && len(crossing) == 1 {
			best = crossing[0]
		}
		if best != phaseEither {
			m.assigned = best
			changed[best] = true
		}
	}
	if changed[phaseLaunch] || changed[phaseImpact] {
		e.cacheMeasurements()
	}
	if changed[phaseLaunch] {
		origin = e.locatePhase(phaseLaunch)
	}
	if changed[phaseImpact] {
		place = e.locatePhase(phaseImpact)
	}
	e.Origin, e.Location = origin, place
	if place == nil && origin != nil && (e.Kind == observation.Burst || e.Kind == observation.Shot) {
		// Small arms are heard where they fire, not where the rounds
		// land: the firing is the event.
		e.Location = origin
	}
	e.ApproximateLocation, e.ApproximateOrigin, e.ApproximateBasis = nil, nil, BasisSightLine
	if e.Origin == nil {
		e.ApproximateOrigin = g.alongSight(e, phaseLaunch)
	}
	if e.Location == nil {
		e.ApproximateLocation = g.alongSight(e, phaseImpact)
		switch {
		case e.ApproximateLocation != nil:
		case e.Kind == observation.Burst || e.Kind == observation.Shot:
			e.ApproximateLocation = e.ApproximateOrigin
		default:
			// Known only by its launch: the rounds fell within a flight of
			// it, in a direction nothing says.
			if o := cmp.Or(e.Origin, e.ApproximateOrigin); o != nil {
				e.ApproximateLocation, e.ApproximateBasis = g.aroundLaunch(o), BasisLaunch
			}
		}
	}
	g.windows(e)
}

// seenByOther: another member of e holds a sight line from m's source to
// phase p.
func (e *Event) seenByOther(m *member, p phase) bool {
	for i := range e.members {
		x := &e.members[i]
		if x != m && x.bearing != nil && x.key.Source == m.key.Source && x.resolved() == p {
			return true
		}
	}
	return false
}

// locatePhase estimates the place of phase p from e's measurements of it,
// reusing the estimate of the same measurements when they have not
// changed (a report of one end leaves the other's alone).
func (e *Event) locatePhase(p phase) *Estimate {
	bs, fs := e.measurements(p)
	sig := measurementsSignature(bs, fs)
	c := &e.fits[p]
	for i := range c {
		if c[i].done && c[i].sig == sig {
			return c[i].est
		}
	}
	est := locateOrNil(bs, fs)
	c[1] = c[0]
	c[0] = fitMemo{sig: sig, est: est, done: true}
	return est
}

// fitMemo is an estimate and the signature of the measurements it is of.
type fitMemo struct {
	sig  uint64
	est  *Estimate
	done bool
}

// measurementsSignature is an FNV-1a hash of the measurements, exactly.
func measurementsSignature(bs []Bearing, fs []Fix) uint64 {
	h := uint64(14695981039346656037)
	mix := func(x float64) {
		h ^= math.Float64bits(x)
		h *= 1099511628211
	}
	mix(float64(len(bs)))
	for _, b := range bs {
		mix(b.Observer.Lat)
		mix(b.Observer.Lon)
		mix(b.AzimuthDeg)
		mix(b.SigmaDeg)
		mix(b.RangeM)
		mix(b.RangeSigmaM)
	}
	mix(float64(len(fs)))
	for _, f := range fs {
		mix(f.Point.Lat)
		mix(f.Point.Lon)
		mix(f.SigmaM)
	}
	return h
}

func locateOrNil(bs []Bearing, fs []Fix) *Estimate {
	if len(bs) == 0 && len(fs) == 0 {
		return nil
	}
	est, err := locateHuber(bs, fs)
	if err != nil {
		return nil
	}
	return &est
}

// audit finds the report of e that agrees least with the rest: one whose
// time lies outside the window most of its phase's reports agree on, or
// whose measurements lie outside the gate of its phase's estimate
// (studentised: the estimate includes it). It says whether the report
// would agree with the other phase instead (a misreported direction of
// fire). Reports placed again once already are left where they are.
func (g *Engine) audit(e *Event) (int, bool) {
	if e.group != "fire" || len(e.members) < 3 {
		return -1, false
	}
	worst, worstScore := -1, 0.0
	for i := range e.members {
		m := &e.members[i]
		p := m.resolved()
		if m.ejected > 0 || p == phaseEither || m.gross {
			continue
		}
		score := g.disagreement(e, m, p)
		if score > worstScore {
			worst, worstScore = i, score
		}
	}
	if worst < 0 {
		return -1, false
	}
	m := &e.members[worst]
	if m.phase != phaseEither && !m.flipped && m.bearing != nil && m.fix[0] == nil && m.fix[1] == nil {
		q := 1 - m.phase
		if est := e.place(q); est != nil && g.fitsEstimate(est, m.bearing) && g.heardAt(m, est, e.win[q]) {
			return worst, true
		}
	}
	return worst, false
}

func (g *Engine) fitsEstimate(est *Estimate, b *Bearing) bool {
	_, _, ok := gateEstimate(est, []Bearing{*b}, nil, g.cfg.MaxRangeM)
	return ok
}

// disagreement is 0 when m, taken as phase p, agrees with e: its time
// with e's window of p, its measurements of p with e's estimate of it;
// else how badly it disagrees (larger is worse).
func (g *Engine) disagreement(e *Event, m *member, p phase) float64 {
	score := 0.0
	if est := e.place(p); est != nil {
		// On the stack: the audit runs this for every member after
		// every change.
		var bsBuf [1]Bearing
		var fsBuf [1]Fix
		bs, fs := bsBuf[:0], fsBuf[:0]
		if m.bearing != nil {
			bs = append(bs, *m.bearing)
		}
		if f := m.fix[p]; f != nil {
			fs = append(fs, *f)
		}
		if r := studentised(est, bs, fs); r > gateChi2One {
			score += r
		}
	}
	if m.resolved() == p && m.phase != phaseEither && !g.heardAt(m, e.place(p), e.win[p]) {
		score += 100
	}
	return score
}
