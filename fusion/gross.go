package fusion

import (
	"math"
	"slices"

	"github.com/truce-mechanism/truce/geo"
)

// A report with a gross error — a bearing misread by ten or twenty
// degrees, an array that took an echo for the sound itself — fits no
// event's place and became an event of its own: a firing listed twice,
// one of them where nothing happened. Its time, though, is as good as its
// sensor's: an acoustic array times to milliseconds, and in the seconds a
// firing's sound allows there is rarely a second firing its sight line
// could have heard. So a precisely timed sight line that fits no event
// joins the one event whose place it would have been heard or seen from
// at its time, and whose place it misses by no more than a gross error
// does (grossChi2), as a member whose place is left out (member.gross):
// the event lists it, nothing it measured moves the estimate. When any
// other firing lies within the line's reach at that time (soleFiring), or
// the event already holds the observer's line of that end, it starts an
// event of its own as before; and when a new event forms that it fits by
// place, it was that firing's first report and is placed again
// (reclaimGross). The same reasoning settles lone lines that state the
// wrong end (settleLone).

// grossChi2 bounds the normalised squared residual of a sight line held
// for its time alone: ten σ, the largest gross error the mechanism's
// error models (sim.ErrorModel.Outliers) give.
const grossChi2 = 100

// grossMaxSigmaT is how precisely a report must be timed to be held for
// its time: a second (cameras, arrays, radars), not a patrol's minute.
const grossMaxSigmaT = 1.0

// grossMatch is the one event that report m, which fits none, was timed
// with (see above), or nil. cands, when given, are the events of m's
// window (candidates), as bestMatch found them.
func (g *Engine) grossMatch(m *member, cands []*Event) *Event {
	b := m.bearing
	if b == nil || m.phase == phaseEither || m.sigmaT > grossMaxSigmaT || m.fix[0] != nil || m.fix[1] != nil || m.back != nil {
		return nil
	}
	p := m.phase
	f, n := g.firingsHeard(m, nil, 1, cands)
	if n != 1 {
		return nil
	}
	if est := f.place(p); est == nil || f.seenBy(m.key.Source, p) || !g.grossFits(est, b) || !g.heardAt(m, est, f.win[p]) {
		return nil
	}
	return f
}

// soleFiring is the one event other than except of a firing that m's
// sight line could have heard at its time — of reports from within its
// reach (withinReach) — or nil when there are none or several: any other
// firing its line could have heard makes it as likely one of that, or
// the first report of a firing not yet known.
func (g *Engine) soleFiring(m *member, except *Event) *Event {
	if f, n := g.firingsHeard(m, except, 1, nil); n == 1 {
		return f
	}
	return nil
}

// crowdedFirings is how many firings a precisely timed sight line may
// have heard at its time and still join one of them by time alone
// (nothing in space to compare: fits's tierTime). In dense fire — an
// escalation's surge — such joins mixed the reports of neighbouring
// firings, and the events they made were placed four times the
// Cramér–Rao bound off; over `violations` a line meets more than three
// such firings so rarely that 3 to 6 change nothing there, while
// `escalation` gains 0.004 to 0.007 in F1 (DECISIONS 47).
const crowdedFirings = 4

// crowded: m, a precisely timed sight line, could have heard more than
// crowdedFirings firings at its time (cands as for grossMatch).
func (g *Engine) crowded(m *member, cands []*Event) bool {
	if m.bearing == nil || m.sigmaT > grossMaxSigmaT {
		return false
	}
	_, n := g.firingsHeard(m, nil, crowdedFirings, cands)
	return n > crowdedFirings
}

// firingsHeard counts, up to most+1, the events other than except of
// firings m's sight line could have heard at its time (soleFiring), and
// returns the first. cands, when given, are the events of m's window
// (candidates(…, g.window(m, nil), nil)), which spares the search.
func (g *Engine) firingsHeard(m *member, except *Event, most int, cands []*Event) (*Event, int) {
	b := m.bearing
	reach := g.sightReach(*b)
	if cands == nil {
		cands = g.candidates("fire", g.window(m, nil), except)
	}
	var first *Event
	n := 0
	for _, f := range cands {
		if f == except {
			continue
		}
		if !withinReach(f, b.Observer, reach) {
			continue
		}
		if n++; n == 1 {
			first = f
		}
		if n > most {
			break
		}
	}
	return first, n
}

// settleLone turns round and gives to its firing each lone sight line
// (halves.go) that fits, at the usual gates, the other end of the sole
// firing it could have heard at its time (soleFiring) and not the end it
// states: an array that called a launch incoming, heard before the
// firing's other reports placed its launch (association turns such a
// line round only when the place is known as it arrives). The sweep
// (tentative.go) calls it every settleEveryS of report time, oldest
// line first, so rebuilds decide alike.
func (g *Engine) settleLone() {
	var lone []*Event
	for _, list := range g.lone {
		for _, e := range list {
			if loneLine(e) && e.members[0].sigmaT <= grossMaxSigmaT {
				lone = append(lone, e)
			}
		}
	}
	slices.SortFunc(lone, func(a, b *Event) int { return int(a.seq - b.seq) })
	for _, e := range lone {
		if e.gone || !loneLine(e) {
			continue
		}
		m := &e.members[0]
		f := g.soleFiring(m, e)
		if f == nil {
			continue
		}
		p, q := m.phase, 1-m.phase
		if est := f.place(p); est != nil && g.fitsEstimate(est, m.bearing) {
			continue // it fits the end it states: not this rule's to turn
		}
		est := f.place(q)
		if est == nil || f.seenBy(m.key.Source, q) || !g.fitsEstimate(est, m.bearing) || !g.heardAt(m, est, f.win[q]) {
			continue
		}
		m.phase, m.flipped = q, true
		g.absorb(f, e)
	}
}

// reclaimGross: e is a new event. A line another event holds for its time
// alone that fits e by place (its sight lines or estimate, not time alone)
// was the first report of e's firing, which nobody else had reported yet:
// it is taken out and queued to be placed again, never held again. The
// events holding such lines are few (g.holding); those gone, final or no
// longer holding one leave the list here.
func (g *Engine) reclaimGross(e *Event, queue []member) []member {
	if e.group != "fire" || e.gone || len(g.holding) == 0 {
		return queue
	}
	var none sightBand
	reach, final := e.reach(), g.finalBefore("fire")
	keep := g.holding[:0]
	for _, f := range g.holding {
		if f.gone || f.last < final {
			f.holding = false
			continue
		}
		held := false
		for i := 0; i < len(f.members); i++ {
			m := &f.members[i]
			if !m.gross {
				continue
			}
			if !f.reach().overlaps(reach) {
				held = true
				continue
			}
			if mt, ok := g.fits(e, m, m.phase, &none); !ok || mt.tier > tierLines {
				held = true
				continue
			}
			out := *m
			out.gross, out.reclaimed = false, true
			f.members = slices.Delete(f.members, i, i+1)
			i--
			f.Version++
			g.refresh(f)
			g.reindex(f)
			queue = append(queue, out)
		}
		if held {
			keep = append(keep, f)
		} else {
			f.holding = false
		}
	}
	clear(g.holding[len(keep):])
	g.holding = keep
	return queue
}

// hold lists e among the events holding gross lines.
func (g *Engine) hold(e *Event) {
	if !e.holding {
		e.holding = true
		g.holding = append(g.holding, e)
	}
}

// withinReach: e is of a firing within reach of observer: it placed an
// end of it there, or holds a report from there (an event of one sight
// line places nothing, but is a firing all the same).
func withinReach(e *Event, observer geo.Point, reach float64) bool {
	for _, p := range []phase{phaseLaunch, phaseImpact} {
		if est := e.place(p); est != nil && roughDistanceM(observer, est.Point) <= reach {
			return true
		}
	}
	for i := range e.members {
		m := &e.members[i]
		if m.bearing != nil && roughDistanceM(observer, m.bearing.Observer) <= reach {
			return true
		}
		for _, f := range m.fix {
			if f != nil && roughDistanceM(observer, f.Point) <= reach {
				return true
			}
		}
	}
	return false
}

// grossFits: sight line b passes est within grossChi2, within reach.
func (g *Engine) grossFits(est *Estimate, b *Bearing) bool {
	de, dn := flat(b.Observer, est.Point)
	r2 := de*de + dn*dn
	if r2 < 1 || r2 > g.cfg.MaxRangeM*g.cfg.MaxRangeM*1.21 {
		return false
	}
	res := wrapRad(b.AzimuthDeg*math.Pi/180 - math.Atan2(de, dn))
	return res*res <= grossChi2*azimuthVariance(est.Cov, b.SigmaDeg, de, dn, r2)
}
