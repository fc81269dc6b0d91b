package fusion

import (
	"math"
	"slices"
)

// window is when the phenomenon a report times may have happened: its
// time within its uncertainty and the slack, and earlier by as long as
// light or sound took to reach a distant observer (from est, the place
// estimated, when known).
func (g *Engine) window(m *member, est *Estimate) span {
	k := timeSigmas*m.sigmaT + g.cfg.FireSlack.Seconds()
	w := span{m.at - k, m.at + k}
	if m.bearing != nil {
		w.lo -= g.delayBound(m.bearing, est) / soundSpeedMinMps
	}
	return w
}

// hypotheses are the times a report's phenomenon may have happened when
// its place is estimated: a sensor that saw it timed the event itself, one
// that heard it timed the arrival of its sound, which left the place
// distance / speed of sound earlier. Reports do not say which they do,
// so both stand until the other reports of the event choose. Without an
// estimate of the place, or for a report from no observer, there is one
// window (window).
func (g *Engine) hypotheses(m *member, est *Estimate) ([2]span, int) {
	if m.bearing == nil || est == nil {
		return [2]span{g.window(m, est)}, 1
	}
	k := timeSigmas*m.sigmaT + g.cfg.FireSlack.Seconds()
	de, dn := flat(m.bearing.Observer, est.Point)
	d := math.Hypot(de, dn)
	travel := d / soundSpeedMps
	tol := 3*alongSigma(est.Cov, de, dn)/soundSpeedMps + soundSpread*travel
	// Whatever the estimate, the phenomenon happened within what the
	// report alone allows: not after it was perceived, no earlier than
	// sound takes from the farthest a sight line reaches.
	heard := span{m.at - travel - k - tol, m.at - travel + k + tol}.meet(g.window(m, nil))
	if heard.empty() {
		return [2]span{{m.at - k, m.at + k}}, 1
	}
	return [2]span{{m.at - k, m.at + k}, heard}, 2
}

// delayBound is how far the phenomenon may be from a sight line's
// observer: from the estimate of its place when there is one, else from
// the report's distance estimate, else as far as a sight line reaches.
func (g *Engine) delayBound(b *Bearing, est *Estimate) float64 {
	d := g.cfg.MaxRangeM
	switch {
	case est != nil:
		d = roughDistanceM(b.Observer, est.Point) + 3*majorSigma(est.Cov)
	case b.RangeM > 0:
		d = b.RangeM + 3*b.RangeSigmaM
	}
	return min(d, g.cfg.MaxRangeM)
}

// windows computes when e's launch and impact may have happened: when
// most of the reports of each phase agree it did (each under the timing
// that fits it, see hypotheses), the impact after the launch by no more
// than the longest flight the distance allows.
func (g *Engine) windows(e *Event) {
	f := g.flightBound(e)
	var w [2]span
	for _, p := range []phase{phaseLaunch, phaseImpact} {
		w[p] = g.phaseWindow(e, p)
	}
	for i := range e.members {
		m := &e.members[i]
		if m.resolved() != phaseEither {
			continue
		}
		x := g.window(m, nil)
		w[phaseLaunch] = w[phaseLaunch].meet(span{x.lo - f, x.hi})
		w[phaseImpact] = w[phaseImpact].meet(span{x.lo, x.hi + f})
	}
	w[phaseImpact] = w[phaseImpact].meet(span{w[phaseLaunch].lo, w[phaseLaunch].hi + f})
	w[phaseLaunch] = w[phaseLaunch].meet(span{w[phaseImpact].lo - f, w[phaseImpact].hi})
	for p := range w {
		if w[p].empty() {
			w[p] = span{min(w[p].lo, w[p].hi), max(w[p].lo, w[p].hi)}
		}
	}
	e.win = w
}

// phaseWindow is when the phenomenon of phase p happened by the reports
// of it (agreement). That depends only on those reports, in their order,
// and on the estimate of p's place: when neither has changed since the
// window was last worked out (a report of the other end joined, an audit
// moved nothing), it is that window (windowMemo).
func (g *Engine) phaseWindow(e *Event, p phase) span {
	g.scratch = g.scratch[:0]
	for i := range e.members {
		if e.members[i].resolved() == p {
			g.scratch = append(g.scratch, &e.members[i])
		}
	}
	est, c := e.place(p), &e.windowOf[p]
	if c.done && c.est == est && slices.EqualFunc(c.ords, g.scratch, func(ord int64, m *member) bool { return ord == m.ord }) {
		return c.w
	}
	w, _ := g.agreement(g.scratch, est)
	c.done, c.est, c.w, c.ords = true, est, w, c.ords[:0]
	for _, m := range g.scratch {
		c.ords = append(c.ords, m.ord)
	}
	return w
}

// windowMemo is the window last worked out for a phase (phaseWindow), with
// the estimate and the reports (their ords, which name them in the
// engine, in order) it was worked out from. What a report's timing
// hypotheses read of it — its time, σ, sight line — never changes, and
// an estimate is never changed once made: the same estimate and reports
// give the same window.
type windowMemo struct {
	done bool
	est  *Estimate
	ords []int64
	w    span
}

// agreement is when the phenomenon the reports ms time happened, given
// est, the estimate of its place (nil when unknown): the time most of
// them agree on, each under the timing that fits it (hypotheses), and how
// many agree. When fewer than two agree, it is every time all of them
// allow, or if they disagree, any of them allows.
func (g *Engine) agreement(ms []*member, est *Estimate) (span, int) {
	if len(ms) == 0 {
		return everywhen, 0
	}
	// The engine's buffers, not fresh ones: agreement runs on every
	// refresh of every event. Each is overwritten before it is read.
	b := &g.agreeBuf
	edges, bestAt := b.edges[:0], b.bestAt[:0]
	hyps, nh := grow(b.hyps, len(ms)), grow(b.nh, len(ms))
	defer func() { b.edges, b.bestAt, b.hyps, b.nh = edges[:0], bestAt[:0], hyps, nh }()
	meet, hull := everywhen, span{math.Inf(1), math.Inf(-1)}
	for i, m := range ms {
		hyps[i], nh[i] = g.hypotheses(m, est)
		mh := span{math.Inf(1), math.Inf(-1)}
		for _, h := range hyps[i][:nh[i]] {
			edges = append(edges, edge{h.lo, true, i}, edge{h.hi, false, i})
			mh = span{min(mh.lo, h.lo), max(mh.hi, h.hi)}
		}
		meet, hull = meet.meet(mh), span{min(hull.lo, mh.lo), max(hull.hi, mh.hi)}
	}
	if len(ms) == 1 {
		return meet, 1
	}
	sortEdges(edges)
	active := grow(b.active, len(ms))
	clear(active)
	b.active = active
	n, best := 0, 0
	for _, x := range edges {
		if x.open {
			if active[x.owner]++; active[x.owner] == 1 {
				n++
			}
			if n > best {
				best, bestAt = n, append(bestAt[:0], x.at)
			} else if n == best {
				bestAt = append(bestAt, x.at)
			}
			continue
		}
		if active[x.owner]--; active[x.owner] == 0 {
			n--
		}
	}
	if best < 2 {
		if meet.empty() {
			return hull, best
		}
		return meet, best
	}
	// What the agreeing reports allow, at each point where most agree
	// (their hull when several).
	out := span{math.Inf(1), math.Inf(-1)}
	for _, t := range bestAt {
		w := everywhen
		for i := range ms {
			c := span{math.Inf(1), math.Inf(-1)}
			for _, h := range hyps[i][:nh[i]] {
				if h.lo <= t && t <= h.hi {
					c = span{min(c.lo, h.lo), max(c.hi, h.hi)}
				}
			}
			if !c.empty() {
				w = w.meet(c)
			}
		}
		out = span{min(out.lo, w.lo), max(out.hi, w.hi)}
	}
	return out, best
}

// edge is an end of a timing hypothesis, for agreement's sweep.
type edge struct {
	at    float64
	open  bool
	owner int
}

// edgeOrder orders edges by time, an opening before a closing at one
// time, then by owner. Edges it does not tell apart are equal in every
// field: any sort gives the same list.
func edgeOrder(a, b edge) int {
	switch {
	case a.at < b.at:
		return -1
	case a.at > b.at:
		return 1
	case a.open != b.open:
		if a.open {
			return -1
		}
		return 1
	}
	return a.owner - b.owner
}

// sortEdges sorts edges by edgeOrder. Most lists agreement sorts are of
// a dozen edges or fewer, which slices.SortFunc sorts by insertion,
// calling the comparison through a function value at every step: the
// same insertion sort, with the comparison inlined, takes a fraction of
// the time and gives the very same list (whatever the times, NaN
// included). Longer lists go to slices.SortFunc.
func sortEdges(edges []edge) {
	if len(edges) > 12 {
		slices.SortFunc(edges, edgeOrder)
		return
	}
	for i := 1; i < len(edges); i++ {
		for j := i; j > 0 && edgeOrder(edges[j], edges[j-1]) < 0; j-- {
			edges[j], edges[j-1] = edges[j-1], edges[j]
		}
	}
}

// agreementBuffers are agreement's scratch slices, kept by the engine.
type agreementBuffers struct {
	edges  []edge
	hyps   [][2]span
	nh     []int
	active []int
	bestAt []float64
}

// grow returns s resliced to length n, reallocated when too short; its
// contents are left as they were.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// flightBound is the longest the rounds of e may have flown: the distance
// from origin to impact at the slowest speed, when both are estimated.
func (g *Engine) flightBound(e *Event) float64 {
	if o, p := e.Origin, e.place(phaseImpact); o != nil && p != nil {
		return g.flightBetween(o, p)
	}
	return g.cfg.MaxFlight.Seconds()
}

// flightBetween is the longest a round takes from the estimate o of a
// launch to the estimate p of an impact: over the farthest they may lie
// apart (three σ each beyond their distance), at the slowest a round
// flies, but never less than minFlightBoundS nor more than MaxFlight.
func (g *Engine) flightBetween(o, p *Estimate) float64 {
	d := roughDistanceM(o.Point, p.Point) + 3*(majorSigma(o.Cov)+majorSigma(p.Cov))
	return min(g.cfg.MaxFlight.Seconds(), max(minFlightBoundS, d/roundSpeedMinMps))
}
