package fusion

import (
	"math"
	"slices"
)

// mergeAround merges into one the events that e now shows to be the same
// occurrence as itself — its estimates agree with theirs, their times
// overlap — and returns what e became (the older of two merged events
// survives).
func (g *Engine) mergeAround(e *Event, queue *[]member) *Event {
	// First settle which end each of e's sight lines stands for, by the
	// order an observer heard its two sounds (sounds.go) and by a
	// neighbour that places an end elsewhere (halves.go).
	if g.orderSounds(e) {
		g.reindex(e)
	}
	if x := g.turnLines(e); x != nil {
		g.reindex(x)
	}
	for range 16 {
		var other *Event
		// Those mergeable refuses by place alone are left out (spatial.go);
		// the oldest mergeable is taken whatever the order.
		for _, f := range g.mergeCandidates(e) {
			if (other == nil || f.seq < other.seq) && g.mergeable(e, f) {
				other = f
			}
		}
		if other == nil {
			return e
		}
		a, b := e, other
		if b.seq < a.seq {
			a, b = b, a
		}
		g.absorb(a, b)
		*queue = g.auditAll(a, *queue)
		g.reindex(a)
		e = a
	}
	return e
}

// mergeable: e and f agree in time in both phases, no observer saw one
// phase twice, and at least one place is estimated by one of them and
// agrees with what the other says of it — or one placed only the launch
// and the other only the impact of a firing that could be one (halves)
// — while nothing disagrees.
func (g *Engine) mergeable(e, f *Event) bool {
	why, _ := g.apart(e, f)
	return why == together
}

// apartness says which of mergeable's tests keeps two events apart
// (together: none), in the order it asks them; apart also returns the
// phase the test was of. TestDiagnoseRefusals names them.
type apartness uint8

const (
	together          apartness = iota
	apartKinds                  // not one group, or (not fire) not one place, time or class
	apartEstimates              // both estimate a place of the phase, and the two disagree
	apartMeasurements           // one estimates it, and the other's measurements of it miss that
	apartLines                  // neither estimates it, and their sight lines do not meet
	apartUnshared               // no place estimated by one and described by the other, not halves
	apartObserver               // an observer reported one phase to both
	apartTimes                  // the reports of the phase disagree on when
)

// apart is mergeable's reasoning (see there): the first test that keeps e
// and f apart, and the phase it was of.
func (g *Engine) apart(e, f *Event) (apartness, phase) {
	if e.group != f.group {
		return apartKinds, phaseEither
	}
	if e.group != "fire" {
		if e.Location == nil || f.Location == nil || !e.win[phaseImpact].overlaps(f.win[phaseImpact]) {
			return apartKinds, phaseImpact
		}
		if e.Weapon != nil && f.Weapon != nil && e.Weapon.Class != f.Weapon.Class {
			return apartKinds, phaseImpact
		}
		d := roughDistanceM(e.Location.Point, f.Location.Point)
		s := math.Hypot(majorSigma(e.Location.Cov), majorSigma(f.Location.Cov))
		if d > g.cfg.PlaceDistanceM+3*s {
			return apartKinds, phaseImpact
		}
		return together, phaseEither
	}
	// Places first: they rule most pairs out cheaply.
	strong := false
	for _, q := range []phase{phaseLaunch, phaseImpact} {
		ea, fa := e.place(q), f.place(q)
		switch {
		case ea != nil && fa != nil:
			if _, ok := gateEstimates(ea, fa); !ok {
				return apartEstimates, q
			}
			strong = true
		case ea != nil || fa != nil:
			est, other := ea, f
			if est == nil {
				est, other = fa, e
			}
			bs, fs := other.measurements(q)
			if len(bs)+len(fs) == 0 {
				continue
			}
			if _, _, ok := gateEstimate(est, bs, fs, g.cfg.MaxRangeM); !ok {
				return apartMeasurements, q
			}
			strong = true
		default:
			eb, ef := e.measurements(q)
			fb, ff := f.measurements(q)
			if len(eb)+len(ef) > 0 && len(fb)+len(ff) > 0 && !linesAgree(eb, ef, fb, ff, g.cfg.MaxRangeM) {
				return apartLines, q
			}
		}
	}
	if !strong && !g.halves(e, f) {
		return apartUnshared, phaseEither
	}
	for i := range f.members {
		m := &f.members[i]
		if p := m.resolved(); m.bearing != nil && p != phaseEither && e.seenBy(m.key.Source, p) {
			return apartObserver, p
		}
	}
	for _, p := range []phase{phaseLaunch, phaseImpact} {
		if !g.agreeInTime(e, f, p) {
			return apartTimes, p
		}
	}
	return together, phaseEither
}

// agreeInTime: the reports of phase p of e and f, together, agree on
// when it happened, all of them or all but one when there are several
// (which the audit will then take out); and the launch and impact windows
// of the two allow each other.
func (g *Engine) agreeInTime(e, f *Event, p phase) bool {
	if !e.win[p].overlaps(f.win[p]) {
		// Windows apart may be one report's doing: count.
	} else if e.win[1-p].overlaps(f.win[1-p]) {
		return true
	}
	est := e.place(p)
	if o := f.place(p); o != nil && (est == nil || majorSigma(o.Cov) < majorSigma(est.Cov)) {
		est = o
	}
	g.scratch = g.scratch[:0]
	var held [2]int
	for j, x := range []*Event{e, f} {
		for i := range x.members {
			if x.members[i].resolved() == p {
				g.scratch = append(g.scratch, &x.members[i])
				held[j]++
			}
		}
	}
	n := len(g.scratch)
	if held[0] == 0 || held[1] == 0 {
		return e.win[p].overlaps(f.win[p])
	}
	_, agree := g.agreement(g.scratch, est)
	return n >= 3 && agree >= n-1 || agree == n
}

// absorb merges b into a: a keeps its id and lists b's as replaced.
func (g *Engine) absorb(a, b *Event) {
	a.members = append(a.members, b.members...)
	slices.SortStableFunc(a.members, func(x, y member) int { return int(x.ord - y.ord) })
	if b.holding {
		g.hold(a)
	}
	a.Replaces = append(append(a.Replaces, b.ID), b.Replaces...)
	a.Version++
	b.gone, b.into = true, a
	g.uncountClasses(b) // a counts them now
	b.members = nil
	g.unindex(b)
	g.refresh(a)
	g.reindex(a)
	g.goneN++
	if g.goneN*2 > len(g.events) {
		// Compact the list once merged events make half of it.
		g.events = slices.DeleteFunc(g.events, func(e *Event) bool { return e.gone })
		g.goneN = 0
	}
}
