package fusion

import "math"

// The spatial index. Fire events are also filed, per coarse time bucket
// (cellSlotS), under the grid cell of each of their estimated places
// (origin and impact), so that a located report (a crater, a radar's
// point of origin) is compared only with the events whose estimates it
// could still fit, rather than with every event of its time bucket along
// the whole front; and an event looks for events to merge with only
// among those whose estimates could agree with its own. It changes
// nothing association decides: it leaves out only events that fits (or
// mergeable) would refuse, by bounds derived from the gates themselves,
// and every event that remains is still compared, in an order that does
// not matter (bestMatch keeps the least by tier, score, then creation
// order; mergeAround the oldest mergeable). Reports without a fix — a
// sight line alone, a time alone — and groups other than fire use the
// time buckets alone, as before.
//
// Why a fix bounds the search. fits compares a report's fix of phase q
// (m.fix[q], whatever phase p the report is tried as) with e.place(q)
// through gateEstimate whenever the event has that estimate, and refuses
// the report when the gate does: r = dᵀ S⁻¹ d > gateChi2Two, with d the
// flat offset between them and S = C + σ²I (C the estimate's covariance,
// σ the fix's). For C positive semi-definite, the largest eigenvalue of S
// is majorSigma(C)² + σ², so r ≥ |d|² / (majorSigma(C)² + σ²) and a fix
// can pass only when
//
//	|d| ≤ √gateChi2Two · √(majorSigma(C)² + σ²) ≤ √gateChi2Two · (majorSigma(C) + σ).
//
// √13.82 = 3.7175; gateK (3.72), reachMargin (1 %) and a metre leave
// room for the rounding of r, which placeCell keeps small by filing only
// well-conditioned covariances. So an event whose estimate of q lies
// farther than fixReachM(majorSigma(C)) + fixReachM(σ) from the fix is
// refused, and needs no visit. fits also refuses a fix of phase q that
// lies beyond a round's range of the event's estimate of the other phase
// (withinFire), which farFrom applies too.
//
// From distance to cells. flat measures north as Δlat·mPerDeg and east as
// Δlon·mPerDeg·cos(mean latitude), without wrapping longitude. A flat
// distance of at most Q thus means |Δlat| ≤ Q/mPerDeg and |Δlon| ≤
// Q/(mPerDeg·cos L), L the largest |latitude| the mean can have (the
// fix's |latitude| plus Q/mPerDeg); the grid uses raw latitude and
// longitude too, and floor is monotonic, so the cells of that box hold
// every event within Q. Each event is filed under the cell of its point
// alone, and events whose own reach exceeds maxEventReachM, or whose
// estimate is missing or odd, are filed in the phase's open cell, which
// every query visits.
const (
	// cellDeg is the side of a grid cell, in degrees: about 22 km north
	// and 15 km east at the latitudes of the simulator, about twice the
	// reach of a typical fix plus a typical event. Cells of half that
	// side, and time buckets of a third of cellSlotS, made a query visit
	// more cells than it saved in events read: 0.89× the speed at 116,279
	// reports, bit-identical output (docs/BENCHMARKS.md).
	cellDeg = 0.2
	// maxEventReachM bounds the reach of the events filed in cells (an
	// estimate of major σ under 1.6 km); wider ones are open.
	maxEventReachM = 6000
	// maxQueryCells: a query whose box would visit more cells than this
	// (a fix of a wide error) scans its time buckets instead.
	maxQueryCells = 64
	gateK         = 3.72 // ≥ √gateChi2Two
	reachMargin   = 0.01
	// cellSlotS is the width in seconds of the cells' time buckets.
	cellSlotS = 1800
	// openCell marks the open cell of a phase.
	openCell = math.MinInt32
)

// cellKey is a grid cell of a coarse time bucket of fire, for the
// estimate of one phase, packed in one word (cellKeyOf): the map of cells
// is read dozens of times per report, and a word hashes several times
// faster than a struct of four fields.
type cellKey uint64

// cellKeyOf packs a cell's key: the column and row (each offset into 14
// bits, the open cell a value no column or row reaches), the phase in 2
// bits and the time bucket in the 34 bits above. Columns and rows of the
// grid stay within ±3,700 (longitudes ±360° plus a query's box of at most
// maxQueryCells), and time buckets of dates from year 0 to 9999 within
// ±5.4·10⁸, so distinct cells get distinct keys; were two ever to share
// one, a query would only visit more events, which the gates then refuse.
func cellKeyOf(slot int64, cx, cy int32, p phase) cellKey {
	col := func(c int32) uint64 {
		if c == openCell {
			return 1<<14 - 1
		}
		return uint64(c+1<<13) & (1<<14 - 1)
	}
	return cellKey(uint64(slot)<<30 | col(cx)<<16 | col(cy)<<2 | uint64(p)&3)
}

// cellPos is where an event is filed for one phase: the cell, and the
// point and reach of its estimate, kept in the cell's list too so that a
// query rules most events out without reading them.
type cellPos struct {
	cx, cy   int32
	lat, lon float64
	reach    float64 // the event's own part of the distance bound, m
	sigma    float64 // majorSigma of its covariance, m
	// placed: the event has an estimate of the phase (place), in this
	// cell or in the open one; so that mayEstimate need not read it.
	// Like the rest, it is as of the event's last refile, which is
	// current: the engine reindexes an event after every change to its
	// estimates, before it looks for candidates again (bestMatch and
	// mergeCandidates rely on it).
	placed bool
}

// cellList is what a cell holds: its events' entries and, beside each
// (the same index), where the event is filed for both phases (its
// cellAt; refile keeps them current), not only the cell's own: the
// bounds that rule events out (farFrom, mergeCandidates) read the other
// phase's too, and reading them from the list spares a query a visit to
// each event it rules out, scattered in memory. The two are apart so
// that what a query reads of every entry it meets — most it rules out by
// time or by the cell's own phase — fills one cache line per entry.
type cellList struct {
	entries []cellEntry
	at      [][2]cellPos
}

// cellEntry is an event filed in a cell, with the first time bucket it
// is filed under (its cellLo), so that a query over several buckets
// takes it once — at the first of them it visits — without reading the
// event; its times; and the point and σ of its estimate of the cell's
// phase (cellPos), which the gate's bound reads (fixBound.gateFar).
type cellEntry struct {
	e        *Event
	first    int64
	when     cellTime
	lat, lon float64
	sigma    float64
}

func entryOf(e *Event, first int64, when cellTime, at cellPos) cellEntry {
	return cellEntry{e, first, when, at.lat, at.lon, at.sigma}
}

// cellTime is what a query asks of an event's times, kept in its cell
// entries (refile keeps them current) so that events of other times are
// passed over without reading them: its reach and its latest report.
type cellTime struct {
	reach span
	last  float64
}

// fixReachM is an estimate's or a fix's part of the largest distance at
// which a fix can pass the gate against an estimate: gateK·σ, with the
// margin, and a metre.
func fixReachM(sigma float64) float64 {
	return gateK*sigma*(1+reachMargin) + 1
}

// placeCell is where e is filed for phase p: the cell of its estimate's
// point, or the open cell when it has none, when the estimate reaches
// farther than maxEventReachM, or when its covariance is not a plain
// positive semi-definite one (for which the bound above does not hold).
func placeCell(e *Event, p phase) cellPos {
	est := e.place(p)
	if est == nil {
		return cellPos{cx: openCell, cy: openCell}
	}
	open := cellPos{cx: openCell, cy: openCell, placed: true}
	c := est.Cov
	// Positive semi-definite, and not so thin that rounding could let a
	// gate pass what it refuses in exact arithmetic: the determinant at
	// least a millionth of the squared mean variance keeps the condition
	// number under 4·10⁶, which costs the gates' sums a few parts in 10⁹,
	// well inside reachMargin.
	if !(c[0][0] >= 0 && c[1][1] >= 0 && c[0][0]*c[1][1]-c[0][1]*c[0][1] >= 1e-6*(c[0][0]+c[1][1])*(c[0][0]+c[1][1])/4) {
		return open // also NaN
	}
	r := fixReachM(majorSigma(c))
	if !(r <= maxEventReachM) {
		return open
	}
	lat, lon := est.Point.Lat, est.Point.Lon
	if !(math.Abs(lat) <= 90 && math.Abs(lon) <= 360) {
		return open
	}
	return cellPos{int32(math.Floor(lon / cellDeg)), int32(math.Floor(lat / cellDeg)), lat, lon, r, majorSigma(c), true}
}

// cellSlot is the coarse time bucket of the cells at t: the spatial index
// keeps its own, wider than fire's, so that a report of a loose time
// visits few of them, and an event is filed under few.
func cellSlot(t float64) int64 { return int64(math.Floor(t / cellSlotS)) }

// refile files a fire event under the cells of its estimates now, in the
// coarse time buckets its reach covers.
func (g *Engine) refile(e *Event) {
	r := e.reach()
	lo, hi := cellSlot(r.lo), cellSlot(r.hi)
	at := [2]cellPos{placeCell(e, phaseLaunch), placeCell(e, phaseImpact)}
	when := cellTime{r, e.last}
	if lo == e.cellLo && hi == e.cellHi && sameCells(at, e.cellAt) {
		if at == e.cellAt && when == e.cellWhen {
			return
		}
		// Moved within its cells, or its times changed: update its
		// entries where they are.
		for s := lo; s <= hi; s++ {
			for p, c := range at {
				l := g.cells[cellKeyOf(s, c.cx, c.cy, phase(p))]
				for i := range l.entries {
					if l.entries[i].e == e {
						l.entries[i] = entryOf(e, l.entries[i].first, when, c)
						l.at[i] = at
						break
					}
				}
			}
		}
		e.cellAt, e.cellWhen = at, when
		return
	}
	g.unfileCells(e)
	for s := lo; s <= hi; s++ {
		for p, c := range at {
			k := cellKeyOf(s, c.cx, c.cy, phase(p))
			l := g.cells[k]
			l.entries = append(l.entries, entryOf(e, lo, when, c))
			l.at = append(l.at, at)
			g.cells[k] = l
		}
	}
	e.cellLo, e.cellHi, e.cellAt, e.cellWhen = lo, hi, at, when
}

func sameCells(a, b [2]cellPos) bool {
	return a[0].cx == b[0].cx && a[0].cy == b[0].cy && a[1].cx == b[1].cx && a[1].cy == b[1].cy
}

// unfileCells takes e out of the cells it is filed under.
func (g *Engine) unfileCells(e *Event) {
	for s := e.cellLo; s <= e.cellHi; s++ {
		for p, c := range e.cellAt {
			k := cellKeyOf(s, c.cx, c.cy, phase(p))
			l := g.cells[k]
			for i, x := range l.entries {
				if x.e == e {
					// Order within a cell does not matter: swap the last in.
					n := len(l.entries) - 1
					l.entries[i], l.at[i] = l.entries[n], l.at[n]
					l.entries[n] = cellEntry{}
					l.entries, l.at = l.entries[:n], l.at[:n]
					break
				}
			}
			if len(l.entries) == 0 {
				delete(g.cells, k)
			} else {
				g.cells[k] = l
			}
		}
	}
	e.cellLo, e.cellHi = 1, 0
}

// nearCandidates lists the active fire events whose reach overlaps s and
// which the fixes of report m do not rule out: those near one of its
// fixes (near), less those that farFrom shows fits would refuse. ok is
// false when m has no fix that bounds the search; the caller then scans
// the time buckets (candidates). It also returns the bounds of m's fixes
// (fixBound), which bestMatch orders the candidates by.
func (g *Engine) nearCandidates(m *member, s span) ([]*Event, [2]fixBound, bool) {
	// Either fix bounds the search; the tighter one is taken.
	q, reach := phaseEither, math.Inf(1)
	for p, f := range m.fix {
		if f == nil {
			continue
		}
		if r := fixReachM(f.SigmaM); r < reach {
			q, reach = phase(p), r
		}
	}
	var bounds [2]fixBound
	if q == phaseEither {
		return nil, bounds, false
	}
	for p, f := range m.fix {
		if f != nil {
			bounds[p] = g.fixBound(f)
		}
	}
	out, ok := g.near(q, bounds[q], s, nil, func(filed *[2]cellPos) bool { return farFrom(filed, &bounds) })
	return out, bounds, ok
}

// mergeCandidates lists what candidates(e.group, e.reach(), e) does,
// less the fire events mergeable must refuse by place: when both of two
// events estimate the place of a phase, gateEstimates refuses them unless
// the difference passes the gate under the sum of their covariances,
// whose largest eigenvalue is at most the sum of theirs, so unless the
// estimates lie within √gateChi2Two·(σa + σb), less than the sum of
// their reaches as filed (fixReachM), apart.
func (g *Engine) mergeCandidates(e *Event) []*Event {
	if e.group == "fire" {
		for _, q := range []phase{phaseImpact, phaseLaunch} {
			at, other := e.cellAt[q], e.cellAt[1-q]
			if at.cx == openCell {
				continue
			}
			b := placeBound(other)
			out, ok := g.near(q, placeBound(at), e.reach(), e, func(filed *[2]cellPos) bool {
				o := filed[1-q]
				return o.cx != openCell && b.gateFar(o)
			})
			if ok {
				return out
			}
			break
		}
	}
	return g.candidates(e.group, e.reach(), e)
}

// near lists, once each, the active fire events other than except whose
// reach overlaps s and which are filed for phase q in its open cell or
// near the point of pt: in a cell within pt.reach+maxEventReachM of it,
// and not ruled out by the gate's bound (fixBound.gateFar); and for which
// drop is false. ok is false when the point is odd or its box visits
// more than maxQueryCells cells. g.candAt lists, beside each event, where
// it is filed (its cellAt, as its cell's list holds it), for the caller to
// read instead of the event until the index changes.
func (g *Engine) near(q phase, pt fixBound, s span, except *Event, drop func(filed *[2]cellPos) bool) (out []*Event, ok bool) {
	if !pt.ok {
		return nil, false
	}
	lat, lon, reach := pt.lat, pt.lon, pt.reach
	within := (reach + maxEventReachM) * (1 + reachMargin) / mPerDeg // degrees of latitude
	maxLat := math.Abs(lat) + within
	if !(maxLat < 89 && math.Abs(lon) <= 360 && reach >= 0) {
		return nil, false
	}
	// The least east scale of flat between the point and any point of
	// the box: cos of the largest |latitude| their mean can have.
	cosLo := math.Cos(maxLat * math.Pi / 180)
	withinLon := within / cosLo
	x0, x1 := int64(math.Floor((lon-withinLon)/cellDeg)), int64(math.Floor((lon+withinLon)/cellDeg))
	y0, y1 := int64(math.Floor((lat-within)/cellDeg)), int64(math.Floor((lat+within)/cellDeg))
	if (x1-x0+1)*(y1-y0+1) > maxQueryCells {
		return nil, false
	}
	pt.cos = min(pt.cos, cosLo)
	out = g.cands[:0]
	at := g.candAt[:0]
	lo, hi := cellSlot(s.lo), cellSlot(s.hi)
	final := g.finalBefore("fire")
	// open: the list is of the open cell, whose entries have no point
	// to bound (distinct cells have distinct keys: cellKeyOf).
	add := func(l cellList, slot int64, open bool) {
		for i := range l.entries {
			x := &l.entries[i]
			if slot != max(lo, x.first) {
				continue // met in an earlier bucket of this query
			}
			if x.when.last < final || !x.when.reach.overlaps(s) || !open && pt.gateFar(cellPos{lat: x.lat, lon: x.lon, sigma: x.sigma}) {
				continue // ruled out without reading the event
			}
			if x.e == except || drop(&l.at[i]) {
				continue
			}
			out = append(out, x.e)
			at = append(at, &l.at[i])
		}
	}
	for slot := lo; slot <= hi; slot++ {
		add(g.cells[cellKeyOf(slot, openCell, openCell, q)], slot, true)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				add(g.cells[cellKeyOf(slot, int32(x), int32(y), q)], slot, false)
			}
		}
	}
	g.cands, g.candAt = out, at
	return out, true
}

// fixBound is what rules events out by a report's fix of one phase.
type fixBound struct {
	ok       bool
	lat, lon float64
	reach    float64 // the fix's part of the gate's bound (fixReachM)
	sigma    float64 // its σ (a fix's, or an estimate's majorSigma)
	fire     float64 // the fix's part of withinFire's bound
	// cos is the least east scale of flat between the fix and any point
	// within the largest of these bounds of it: cos of the largest
	// |latitude| their mean can have.
	cos float64
}

func (g *Engine) fixBound(f *Fix) fixBound {
	fire := g.cfg.MaxFireRangeM + 3*f.SigmaM
	reach := fixReachM(f.SigmaM)
	widest := (max(fire, reach) + maxEventReachM) * (1 + reachMargin) / mPerDeg
	maxLat := math.Abs(f.Point.Lat) + widest
	if !(maxLat < 89 && math.Abs(f.Point.Lon) <= 360 && fire >= 0) {
		return fixBound{}
	}
	return fixBound{true, f.Point.Lat, f.Point.Lon, reach, f.SigmaM, fire, math.Cos(maxLat * math.Pi / 180)}
}

// placeBound is the fixBound of an estimate as filed, for the gate
// between two estimates (mergeCandidates); none for the open cell.
func placeBound(at cellPos) fixBound {
	maxLat := math.Abs(at.lat) + (at.reach+maxEventReachM)*(1+reachMargin)/mPerDeg
	if at.cx == openCell || !(maxLat < 89) {
		return fixBound{}
	}
	return fixBound{ok: true, lat: at.lat, lon: at.lon, reach: at.reach, sigma: at.sigma, cos: math.Cos(maxLat * math.Pi / 180)}
}

// far reports whether the flat distance from the fix to the estimate
// filed as at exceeds the fix's bound plus extra and at's reach: on
// either axis, since |north| and |east| (at the least scale) are each at
// most that distance.
func (b *fixBound) far(at cellPos, extra float64) bool {
	if !b.ok {
		return false
	}
	d := (b.reach + extra + at.reach) * (1 + reachMargin)
	return math.Abs(at.lat-b.lat)*mPerDeg > d || math.Abs(at.lon-b.lon)*mPerDeg*b.cos > d
}

// gateFar reports whether a gate (gateEstimate of a fix, gateEstimates
// of two estimates) must refuse the fix or estimate b against the
// estimate filed as at. Both compare |d|² / λ with gateChi2Two, λ the
// largest eigenvalue of the sum of the covariances, at most b.sigma² +
// at.sigma² (for a fix, σ²I adds σ² exactly); so |d|² beyond gateChi2Two
// times that is refused. |d|² is at least north² plus east² at the least
// scale; gateK² and the margin, and a square metre, cover rounding. It is
// no weaker than far with fixReachM's sums, and tighter when the two
// σ are alike (by up to √2 in distance).
func (b *fixBound) gateFar(at cellPos) bool {
	if !b.ok {
		return false
	}
	dn := (at.lat - b.lat) * mPerDeg
	de := (at.lon - b.lon) * mPerDeg * b.cos
	k := gateK * (1 + reachMargin)
	return dn*dn+de*de > k*k*(b.sigma*b.sigma+at.sigma*at.sigma)+1
}

// farFrom reports whether fits must refuse every phase of a report with
// these fixes against an event, by its estimates as filed (its cellAt, as
// its cells' lists hold them): a fix of phase q must pass the gate
// against the event's estimate of q, and must lie within a round's range
// (withinFire: MaxFireRangeM, plus three σ of the estimate and of the
// fix) of its estimate of the other phase, whatever phase the report is
// tried as. An estimate's reach (at least three of its σ) stands in for
// its own part of either bound.
func farFrom(filed *[2]cellPos, bounds *[2]fixBound) bool {
	for q := range bounds {
		b := &bounds[q]
		if !b.ok {
			continue
		}
		if at := filed[q]; at.cx != openCell && b.gateFar(at) {
			return true
		}
		if at := filed[1-q]; at.cx != openCell && b.far(at, b.fire-b.reach) {
			return true
		}
	}
	return false
}

// sightBound rules events out by a sight line, for a report the cells
// do not serve (one without a fix, mostly). Tried as phase P, a report
// brings its sight line to fits for P's place; gateEstimate refuses a
// sight line whose observer stands farther than 1.1·MaxRangeM from the
// estimate of P (in the flat plane). compatible tries a report as its own
// phase and, when that fails, the other (or both, when it could not
// tell): an event with estimates of both phases, each that far from the
// observer, is refused whatever the report. The bound is taken as the
// observer's reach, with nothing of the estimate's own.
func (g *Engine) sightBound(b *Bearing) fixBound {
	reach := 1.1 * g.cfg.MaxRangeM
	maxLat := math.Abs(b.Observer.Lat) + (reach+maxEventReachM)*(1+reachMargin)/mPerDeg
	if !(maxLat < 89 && math.Abs(b.Observer.Lon) <= 360 && reach >= 0) {
		return fixBound{}
	}
	return fixBound{ok: true, lat: b.Observer.Lat, lon: b.Observer.Lon, reach: reach, cos: math.Cos(maxLat * math.Pi / 180)}
}

// outOfSight reports whether both of an event's estimates, as filed,
// lie beyond the reach of the sight line's observer (sightBound).
func outOfSight(filed *[2]cellPos, b *fixBound) bool {
	for _, at := range filed {
		if at.cx == openCell || !b.far(at, 0) {
			return false
		}
	}
	return true
}
