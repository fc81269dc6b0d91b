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
//     as a word on its impact, pointing back at the launch, and refuses
//     the impact event whose place it does not point at (turnAgainst
//     turns it round — only then: a line that states its direction is
//     right 24 times in 25, and seen from behind either end a true
//     impact line often points at the launch as well);
//   - merging asked for at least one place estimated by one event and
//     described by the other (halves lets a launch-only and an
//     impact-only event merge when the rounds could have flown from one
//     to the other in the time between them).

// halves: one of e and f has placed only a firing's launch and the other
// only its impact, and the rounds could have flown from the one place to
// the other between the two times (canFly).
func (g *Engine) halves(e, f *Event) bool {
	if e.group != "fire" {
		return false
	}
	launch, impact := e, f
	if !halfOf(launch, phaseLaunch) || !halfOf(impact, phaseImpact) {
		launch, impact = f, e
		if !halfOf(launch, phaseLaunch) || !halfOf(impact, phaseImpact) {
			return false
		}
	}
	return g.canFly(launch, impact)
}

// halfOf: x placed the end p of its firing and says nothing of the other.
func halfOf(x *Event, p phase) bool {
	if x.place(p) == nil || x.place(1-p) != nil {
		return false
	}
	bs, fs := x.measurements(1 - p)
	return len(bs)+len(fs) == 0
}

// canFly: rounds could have flown from launch's place of the launch to
// impact's place of the impact between the two times: no farther than
// firings fly, landing after the launch by no more than the flight that
// distance allows.
func (g *Engine) canFly(launch, impact *Event) bool {
	o, p := launch.place(phaseLaunch), impact.place(phaseImpact)
	if roughDistanceM(o.Point, p.Point) > g.fireRange()+3*(majorSigma(o.Cov)+majorSigma(p.Cov)) {
		return false
	}
	l := launch.win[phaseLaunch]
	return impact.win[phaseImpact].overlaps(span{l.lo, l.hi + g.flightBetween(o, p)})
}

// turnLines turns round one sight line that a neighbour shows to stand
// for the other end of its firing: an observer's lone line that is the
// other sound of a line e holds (turnLoneFor), or a line of e or of an
// event e may merge with, against the other (turnAgainst). It returns
// the event it changed (refreshed, to be reindexed), or nil.
func (g *Engine) turnLines(e *Event) *Event {
	if e.group != "fire" {
		return nil
	}
	if f := g.turnLoneFor(e); f != nil {
		return f
	}
	// What turnAgainst asks of e itself, first: most events have no line
	// that points at their other end, and are not halves; they need no
	// search (this runs after every change).
	suspect, half := g.suspect(e), isHalf(e)
	if !suspect && !half {
		return nil
	}
	for _, f := range g.mergeCandidates(e) {
		switch {
		case f.gone:
		case suspect && g.turnAgainst(e, f):
			return e
		case half && g.turnAgainst(f, e):
			return f
		}
	}
	return nil
}

// suspect: e has a line turnAgainst(e, …) could turn — one that states
// an end p, turned round never yet, fitting e's place of the other end
// and its time.
func (g *Engine) suspect(e *Event) bool {
	for i := range e.members {
		if g.turnable(e, &e.members[i]) {
			return true
		}
	}
	return false
}

// turnable: m, of e, is a sight line alone that states an end, has not
// been turned round, and fits e's place of the other end and its time.
func (g *Engine) turnable(e *Event, m *member) bool {
	if !m.statedLine() {
		return false
	}
	q := 1 - m.phase
	other := e.place(q)
	return other != nil && g.fitsEstimate(other, m.bearing) && g.heardAt(m, other, e.win[q])
}

// isHalf: e placed one end of its firing and no sight line of e stands
// for the other (a crater's back-bearing may point at it): what
// turnAgainst asks of its f, short of comparing with e's neighbour.
func isHalf(e *Event) bool {
	var q phase
	switch l, i := e.place(phaseLaunch) != nil, e.place(phaseImpact) != nil; {
	case l && !i:
		q = phaseImpact
	case i && !l:
		q = phaseLaunch
	default:
		return false
	}
	for i := range e.members {
		if m := &e.members[i]; m.bearing != nil && m.resolved() == q {
			return false
		}
	}
	return true
}

// turnAgainst turns round a sight line of e that states one end p of the
// firing when f, an event that placed only that end (and says nothing of
// the other that disagrees with e's place of it: a crater's back-bearing
// pointing at e's launch is one more word for it), shows it to be the
// other: the line fits e's place of the other end and its time, not f's
// place of p, while everything else e says of p agrees with f's place
// and the rounds could have flown between the two events' ends. Without
// a neighbour saying so, a line keeps the direction it states (right 24
// times in 25; seen from behind either end a true impact line often
// points at the launch too).
func (g *Engine) turnAgainst(e, f *Event) bool {
	if e.group != "fire" || f.group != "fire" {
		return false
	}
	for _, p := range []phase{phaseLaunch, phaseImpact} {
		q := 1 - p
		est, other := f.place(p), e.place(q)
		if est == nil || other == nil || f.place(q) != nil {
			continue
		}
		if bs, fs := f.measurements(q); len(bs)+len(fs) > 0 {
			// What f says of the other end (a crater's back-bearing)
			// must agree with e's place of it.
			if _, _, ok := gateEstimate(other, bs, fs, g.cfg.MaxRangeM); !ok {
				continue
			}
		}
		launch, impact := e, f
		if p == phaseLaunch {
			launch, impact = f, e
		}
		for i := range e.members {
			m := &e.members[i]
			if m.phase != p || !g.turnable(e, m) || g.fitsEstimate(est, m.bearing) {
				continue
			}
			var bs []Bearing
			var fs []Fix
			for j := range e.members {
				if j != i {
					bs, fs = e.members[j].measurements(p, bs, fs)
				}
			}
			if len(bs)+len(fs) > 0 {
				if _, _, ok := gateEstimate(est, bs, fs, g.cfg.MaxRangeM); !ok {
					continue
				}
			}
			if !g.canFly(launch, impact) {
				break
			}
			m.phase, m.flipped = q, true
			e.Version++
			g.refresh(e)
			return true
		}
	}
	return false
}

// heardAt: m's time allows its phenomenon to have happened at est within
// the window w, under either timing (hypotheses).
func (g *Engine) heardAt(m *member, est *Estimate, w span) bool {
	hs, n := g.hypotheses(m, est)
	for _, h := range hs[:n] {
		if h.overlaps(w) {
			return true
		}
	}
	return false
}

// A firing's second sound can come before the rest of its reports: an
// array that called the launch incoming, reporting before anyone else,
// makes an event of one line; when the firing's event forms and the same
// array's impact joins it, nothing would turn that line round (the rule
// that turns a report's stated direction sees only reports that come
// after). The engine keeps each source's lone lines (lone) so that an
// event can find, cheaply, the other sound of an observer it holds.

// loneLine: e is one sight line alone that states an end of its firing
// and has not been turned round.
func loneLine(e *Event) bool {
	return len(e.members) == 1 && !e.gone && e.members[0].statedLine()
}

// statedLine: m is a sight line alone (no fix, no back-bearing) that
// states an end of its firing and has not been turned round.
func (m *member) statedLine() bool {
	return m.phase != phaseEither && !m.flipped && !m.gross && m.bearing != nil && m.fix[0] == nil && m.fix[1] == nil && m.back == nil
}

// turnLoneFor lists e among the lone lines if it is one; else, for each
// observer that gave e a sight line stating an end p, it looks among that
// observer's lone lines for its other sound (turnLone) and turns the
// first it finds, returning it (refreshed, to be reindexed), or nil.
func (g *Engine) turnLoneFor(e *Event) *Event {
	if e.group != "fire" {
		return nil
	}
	if loneLine(e) {
		if !e.lone {
			if g.lone == nil {
				g.lone = map[string][]*Event{}
			}
			src := e.members[0].key.Source
			g.lone[src] = append(g.lone[src], e)
			e.lone = true
		}
		return nil
	}
	for i := range e.members {
		m := &e.members[i]
		if m.bearing == nil || m.phase == phaseEither {
			continue
		}
		list := g.lone[m.key.Source]
		if len(list) == 0 {
			continue
		}
		keep := list[:0]
		var turned *Event
		for _, f := range list {
			if !loneLine(f) {
				f.lone = false
				continue
			}
			keep = append(keep, f)
			// A lone line whose times e's cannot meet could not join e
			// (fits looks at the times first): not worth asking.
			if turned == nil && f.members[0].phase == m.phase && f.reach().overlaps(e.reach()) && g.turnLone(f, e) {
				turned = f
			}
		}
		clear(list[len(keep):])
		g.lone[m.key.Source] = keep
		if turned != nil {
			return turned
		}
	}
	return nil
}

// turnLone turns round the line of e, a lone line, when f holds the same
// observer's sight line of the end e states and places the other end,
// which e's line fits (by its estimate, not by time alone) though it
// does not fit f as the end it states: e is that observer's other sound.
func (g *Engine) turnLone(e, f *Event) bool {
	m := &e.members[0]
	p := m.phase
	q := 1 - p
	// A final line is history, whether or not it was taken out yet
	// (TakeFinal): the same either way.
	if e.last < g.finalBefore(e.group) {
		return false
	}
	if f.gone || f.group != e.group || f.place(q) == nil || f.seenBy(m.key.Source, q) || !f.seenBy(m.key.Source, p) {
		return false
	}
	var none sightBand
	if _, ok := g.fits(f, m, p, &none); ok {
		return false
	}
	if mt, ok := g.fits(f, m, q, &none); !ok || mt.tier != tierEstimate {
		return false
	}
	m.phase, m.flipped = q, true
	e.lone = false
	e.Version++
	g.refresh(e)
	return true
}

// pruneLone drops from the lone lines the events that are no longer one
// (merged, retired, joined by another report, turned round), so that the
// lists hold the active window's lone lines only.
func (g *Engine) pruneLone() {
	for src, list := range g.lone {
		keep := list[:0]
		for _, e := range list {
			if loneLine(e) && e.last >= g.finalBefore(e.group) {
				keep = append(keep, e)
			} else {
				e.lone = false
			}
		}
		clear(list[len(keep):])
		if len(keep) == 0 {
			delete(g.lone, src)
		} else {
			g.lone[src] = keep
		}
	}
}
