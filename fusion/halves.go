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
//     as the only word on its impact, pointing back at the launch: it
//     fits the launch and no impact, and it makes the event look as if it
//     knew something of its impact (orphanSight turns it round);
//   - merging asked for at least one place estimated by one event and
//     described by the other (halves lets a launch-only and an
//     impact-only event merge when the rounds could have flown from one
//     to the other in the time between them).

// orphanSight is the index of a member of e whose sight line is e's only
// word on the place of its stated phase p, which e has not placed, while
// it fits e's place of the other phase and that phase's time: most likely
// a misreported direction of fire, to be turned round. -1 when there is
// none.
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
// the other between the two times: no farther than firings fly, landing
// after the launch by no more than the flight that distance allows.
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
