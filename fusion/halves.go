package fusion

// A firing is heard twice — its launch at the point of origin, its impact
// where the rounds land — and sensors placed to hear one end often say
// nothing of the other. When one event holds only the launch and another
// only the impact of the same firing, nothing they say of either place
// can disagree, and so nothing could merge them: each is a whole event by
// itself, and the firing is listed twice. Two things kept them apart:
//
//   - a sight line that states the wrong direction of fire (an array
//     that took a launch for an incoming round) sits in the launch event
//     as the only word on its impact, pointing back at the launch, and
//     refuses the impact event whose place it does not point at
//     (turnAgainst turns it round — only then: a line that states its
//     direction is right 24 times in 25, and seen from behind either end
//     a true impact line often points at the launch as well);
//   - merging asked for at least one place estimated by one event and
//     described by the other (halves lets a launch-only and an
//     impact-only event merge when the rounds could have flown from one
//     to the other in the time between them).

// orphanSight is the index of a member of e whose sight line is e's only
// word on the place of its stated phase p, which e has not placed, while
// it fits e's place of the other phase and that phase's time: perhaps a
// misreported direction of fire. -1 when there is none.
func (g *Engine) orphanSight(e *Event) int {
	for _, p := range []phase{phaseLaunch, phaseImpact} {
		q := 1 - p
		if e.place(p) != nil || e.place(q) == nil {
			continue
		}
		if bs, fs := e.measurements(p); len(bs) != 1 || len(fs) != 0 {
			continue
		}
		for i := range e.members {
			m := &e.members[i]
			if m.phase != p || m.flipped || m.bearing == nil || m.fix[0] != nil || m.fix[1] != nil || m.back != nil {
				continue
			}
			est := e.place(q)
			if !g.fitsEstimate(est, m.bearing) {
				continue
			}
			hs, n := g.hypotheses(m, est)
			for _, h := range hs[:n] {
				if h.overlaps(e.win[q]) {
					return i
				}
			}
		}
	}
	return -1
}

// halves: one of e and f has placed only a firing's launch and the other
// only its impact, and the rounds could have flown from the one place to
// the other between the two times (canFly).
func (g *Engine) halves(e, f *Event) bool {
	if e.group != "fire" {
		return false
	}
	only := func(x *Event, p phase) bool {
		if x.place(p) == nil || x.place(1-p) != nil {
			return false
		}
		bs, fs := x.measurements(1 - p)
		return len(bs)+len(fs) == 0
	}
	launch, impact := e, f
	if !only(launch, phaseLaunch) || !only(impact, phaseImpact) {
		launch, impact = f, e
		if !only(launch, phaseLaunch) || !only(impact, phaseImpact) {
			return false
		}
	}
	return g.canFly(launch, impact)
}

// canFly: rounds could have flown from launch's place of the launch to
// impact's place of the impact between the two times: no farther than
// firings fly, landing after the launch by no more than the flight that
// distance allows.
func (g *Engine) canFly(launch, impact *Event) bool {
	o, p := launch.place(phaseLaunch), impact.place(phaseImpact)
	d := roughDistanceM(o.Point, p.Point)
	s := majorSigma(o.Cov) + majorSigma(p.Cov)
	if d > g.fireRange()+3*s {
		return false
	}
	flight := min(g.cfg.MaxFlight.Seconds(), max(minFlightBoundS, (d+3*s)/roundSpeedMinMps))
	l := launch.win[phaseLaunch]
	return impact.win[phaseImpact].overlaps(span{l.lo, l.hi + flight})
}

// turnOrphans looks among the events e may merge with for one against
// which e's orphan sight line (orphanSight) or theirs against e is most
// likely the other end of the firing (turnAgainst), and turns that line
// round; it returns the event it changed (refreshed, to be reindexed), or
// nil.
func (g *Engine) turnOrphans(e *Event) *Event {
	if e.group != "fire" {
		return nil
	}
	for _, f := range g.mergeCandidates(e) {
		switch {
		case f.gone:
		case g.turnAgainst(e, f):
			return e
		case g.turnAgainst(f, e):
			return f
		}
	}
	return nil
}

// turnAgainst turns round e's orphan sight line when f, with which e
// could be one firing (halves, as if the line were not there), places
// the end the line states where the line does not point: the evidence
// that the line was the other end all along.
func (g *Engine) turnAgainst(e, f *Event) bool {
	i := g.orphanSight(e)
	if i < 0 {
		return false
	}
	m := &e.members[i]
	p := m.phase
	est := f.place(p)
	if est == nil || f.place(1-p) != nil {
		return false
	}
	if bs, fs := f.measurements(1 - p); len(bs)+len(fs) > 0 || g.fitsEstimate(est, m.bearing) {
		return false
	}
	launch, impact := e, f
	if p == phaseLaunch {
		launch, impact = f, e
	}
	if !g.canFly(launch, impact) {
		return false
	}
	m.phase, m.flipped = 1-p, true
	e.Version++
	g.refresh(e)
	return true
}
