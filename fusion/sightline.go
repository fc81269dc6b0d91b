package fusion

import (
	"math"

	"github.com/truce-mechanism/truce/geo"
)

// Events placed by one sight line.
//
// An explosion heard by one acoustic array, or by one patrol that gave a
// bearing and no distance, is an event nothing places: one sight line
// does not say how far along it the explosion was, and Locate refuses
// it. About one event in seven of the simulator's days is such. Leaving
// it without a location leaves the readers of the map and the API with
// nothing, where a monitoring mission's report would say "heard 7 km
// north-east". So fusion shows such an event where that source's sight
// lines usually end: each time one of a source's sight lines joins an
// event whose place the others fix, the distance from the observer to
// that place is a sample of how far the source hears (the source's
// reach; the same for patrols on the move, whose observer changes but
// whose ears do not). An event placed by nothing else is shown on its
// sharpest sight line at the median of those distances, with an error
// ellipse as long as their spread and as wide as the bearing's σ at that
// distance. Samples of all sources stand in for a source that has sent
// few (as if they were reachPrior of its own), and a default for a
// mechanism that has placed nothing yet.
//
// This is the source's habit, not a measurement of the event: the
// estimate is shown apart (Event.ApproximateLocation), association
// never gates against it, and assessment — zones, attribution — never
// reads it. What is learned depends only on the reports and their
// ledger order, as calibration's does, so rebuilds reproduce it.
const (
	reachPrior = 30
	// reachDefaultM and reachDefaultSpread (σ of the log of the distance)
	// are what is assumed before any source's sight line has joined a
	// placed event: a few kilometres, give or take a factor of two — what
	// a patrol hears of artillery.
	reachDefaultM      = 5000
	reachDefaultSpread = math.Ln2
	// reachMinSpread keeps the ellipse honest for a source whose samples
	// happen to agree closely: where along the line is never known to
	// better than a quarter of the distance.
	reachMinSpread = 0.25
)

// quantile q (0–1) of the samples, at the middle of its bin.
func (f *sourceFit) quantile(q float64) float64 {
	slot := 0 // where to keep it: the first free place, else the first
	for i := range f.quantiles {
		if m := &f.quantiles[i]; !m.ok {
			slot = i
			break
		} else if m.q == q {
			return m.v
		}
	}
	v := f.binQuantile(q)
	f.quantiles[slot] = quantileMemo{q, v, true}
	return v
}

// binQuantile is quantile worked out from the bins.
func (f *sourceFit) binQuantile(q float64) float64 {
	want, seen := max(int(math.Ceil(q*float64(f.n))), 1), 0
	for i, c := range f.bins {
		if seen += int(c); seen >= want {
			return math.Exp2((float64(i-calibBins/2) + 0.5) / calibBinsPer)
		}
	}
	return 1
}

// logReach is the median and spread of the log of the samples'
// distances (metres): the spread from the 16th and 84th percentiles, one
// σ either side for a log-normal distance.
func (f *sourceFit) logReach() (median, spread float64) {
	lo, hi := f.quantile(0.16), f.quantile(0.84)
	return math.Log(f.quantile(0.5) * 1000), math.Log(hi/lo) / 2
}

// Reach is how far from its observer a sight line of source usually
// ends, as learned so far: the median distance in metres and the σ of
// its log.
func (g *Engine) Reach(source string) (distanceM, spread float64) {
	mAll, sAll := math.Log(reachDefaultM), reachDefaultSpread
	if g.reachAll.n >= reachPrior {
		mAll, sAll = g.reachAll.logReach()
	}
	m, s := mAll, sAll
	if f := g.reach[source]; f != nil && f.n > 0 {
		mOwn, sOwn := f.logReach()
		n := float64(f.n)
		m = (n*mOwn + reachPrior*mAll) / (n + reachPrior)
		s = (n*sOwn + reachPrior*sAll) / (n + reachPrior)
	}
	return math.Exp(m), max(s, reachMinSpread)
}

// learnReach records that a sight line of source ended est's distance
// from its observer.
func (g *Engine) learnReach(source string, b *Bearing, est *Estimate) {
	d := geo.DistanceM(b.Observer, est.Point)
	if !(d >= 1) {
		return
	}
	f := g.reach[source]
	if f == nil {
		f = &sourceFit{}
		g.reach[source] = f
	}
	f.add(d / 1000) // the bins span 2⁻¹⁰ to 2¹⁰: a metre to a thousand km
	g.reachAll.add(d / 1000)
}

// alongSight is where phase p of e lies on its sharpest sight line from a
// report of p (the first of equals), at that source's reach; nil when no
// report gives p a sight line. The place of an impact falls back on a
// sight line that could not be told launch or impact: "explosions heard
// 7 km north-east", as a patrol would write.
func (g *Engine) alongSight(e *Event, p phase) *Estimate {
	var best *member
	bestOf := false // best is a report of p itself
	for i := range e.members {
		m := &e.members[i]
		if m.bearing == nil {
			continue
		}
		of := m.resolved() == p
		if !of && (p != phaseImpact || m.resolved() != phaseEither) {
			continue
		}
		if best == nil || of && !bestOf || of == bestOf && m.bearing.SigmaDeg < best.bearing.SigmaDeg {
			best, bestOf = m, of
		}
	}
	if best == nil {
		return nil
	}
	d, spread := g.Reach(best.key.Source)
	b := best.bearing
	// Over a sight line's few kilometres the azimuth at its end differs
	// from the one at the observer by hundredths of a degree: the
	// ellipse's axes are taken along the latter.
	sin, cos := math.Sincos(b.AzimuthDeg * math.Pi / 180)
	along, across := d*spread, d*b.SigmaDeg*math.Pi/180
	a2, c2 := along*along, across*across
	// (east, north) of the line's direction is (sin, cos), across it
	// (cos, −sin).
	cov := [2][2]float64{
		{a2*sin*sin + c2*cos*cos, (a2 - c2) * sin * cos},
		{(a2 - c2) * sin * cos, a2*cos*cos + c2*sin*sin},
	}
	return &Estimate{Point: geo.Direct(b.Observer, b.AzimuthDeg, d), Cov: cov}
}

// Basis is what placed a location or origin shown.
type Basis string

// The bases of a place shown.
const (
	BasisMeasured  Basis = "measured"   // the event's reports fix it
	BasisSightLine Basis = "sight_line" // one sight line, at its source's usual distance
	BasisLaunch    Basis = "launch"     // an explosion known only by its launch: about it, as far as firings fly
)

// Placed is where the event is shown: its Location, or failing that its
// ApproximateLocation, and on what basis; nil when nothing places it.
//
// The place of explosive fire is where its rounds were aimed, the middle
// of where they landed; sight lines and craters find rounds, each up to
// a salvo's spread from that middle, and the fit's covariance, which
// treats them as looking at one point, leaves that out (the 95 % ellipses
// of the simulator's violations held the truth 0.89–0.92 of the time).
// So the place shown has one spread of rounds (impactSpreadM) added to
// its covariance: a statement about where the firing was aimed. And
// where the reports disagree more than their stated errors allow (χ² over
// its degrees of freedom above 1), the covariance grows by that factor,
// as a physicist's error bar does: the reports' σ were too small, or one
// of them is not of this event. Together these bring the simulator's
// explosions to 0.94–0.95 (`truce evaluate`'s ellipse_coverage).
//
// Only the place shown changes; fusion's gates use the fit as it is.
func (e *Event) Placed() (*Estimate, Basis) {
	if e.Location == nil {
		if e.ApproximateLocation == nil {
			return nil, ""
		}
		return e.ApproximateLocation, e.ApproximateBasis
	}
	shown := *e.Location
	if shown.Dof > 0 {
		k := max(1, shown.Chi2/float64(shown.Dof))
		for i := range 2 {
			for j := range 2 {
				shown.Cov[i][j] *= k
			}
		}
	}
	if !isFire(e.Kind) || e.Location == e.Origin {
		return &shown, BasisMeasured // not fire, or small arms: where they fired from
	}
	shown.Cov[0][0] += impactSpreadM * impactSpreadM
	shown.Cov[1][1] += impactSpreadM * impactSpreadM
	return &shown, BasisMeasured
}

// PlacedOrigin is Placed for the point of origin.
func (e *Event) PlacedOrigin() (*Estimate, Basis) {
	switch {
	case e.Origin != nil:
		return e.Origin, BasisMeasured
	case e.ApproximateOrigin != nil:
		return e.ApproximateOrigin, BasisSightLine
	}
	return nil, ""
}

// aroundLaunch is where the rounds of a firing launched from o may have
// fallen, as a normal about o: σ the median length of the firings placed
// at both ends (fireLengthDefaultM before 30 are), added to o's own.
func (g *Engine) aroundLaunch(o *Estimate) *Estimate {
	s := float64(fireLengthDefaultM)
	if g.fireAll.n >= boundSamples {
		s = g.fireAll.quantile(0.5) * 1000
	}
	out := *o
	out.Cov[0][0] += s * s
	out.Cov[1][1] += s * s
	out.Chi2, out.Dof = 0, 0
	return &out
}

// fireLengthDefaultM is the length of a firing assumed before any has
// been placed at both ends: artillery's few kilometres to ten.
const fireLengthDefaultM = 8000

// Bounds from the same samples.
//
// Association allows a sight line without a range to end anywhere up to
// Config.MaxRangeM (60 km), and a firing's two ends to lie up to
// Config.MaxFireRangeM (70 km) apart: the limits of any sensor and any
// gun. Joining a lone launch to an impact reported a quarter of an hour
// and 60 km away by time alone is then allowed, and on the simulator's
// days it was the commonest way a true event was lost (the verbose
// diagnosis: an acoustic array's launch joined to an OSINT crater of
// another firing). What a source's sight lines reach, and how far the
// firings this mechanism has placed at both ends flew, are known from the
// record: once 30 samples say so, a sight line reaches at most 1.5 times
// the 95th percentile of its source's distances (all sources' while its
// own are few), and a firing's ends lie at most 1.5 times the 95th
// percentile of the placed firings' lengths apart — never more than the
// configured limits. A distance beyond them is rare, not impossible: the
// margin of 1.5 over the 95th percentile was the best of the settings
// tried (margins 1–1.5 over the 95th or 99th percentile all gained
// 0.005–0.009 F1 on violations, seeds 1–8), not a fit to one seed.
const (
	boundQuantile = 0.95
	boundMargin   = 1.5
	boundSamples  = 30
)

// reachBound is how far along a sight line of source its phenomenon may
// be, as learned so far; 0 while too little is known (Config.MaxRangeM
// then holds).
func (g *Engine) reachBound(source string) float64 {
	f := g.reach[source]
	if f == nil || f.n < boundSamples {
		f = &g.reachAll
	}
	if f.n < boundSamples {
		return 0
	}
	return f.quantile(boundQuantile) * 1000 * boundMargin
}

// fireRange is how far apart a firing's launch and impact may be, as
// learned so far, within Config.MaxFireRangeM.
// It is asked for every candidate a report is compared with, so it is
// worked out again only when a sample has been added.
func (g *Engine) fireRange() float64 {
	if g.fireAll.n < boundSamples {
		return g.cfg.MaxFireRangeM
	}
	if g.fireRangeAt != g.fireAll.n {
		g.fireRangeAt = g.fireAll.n
		g.fireRangeM = min(g.cfg.MaxFireRangeM, g.fireAll.quantile(boundQuantile)*1000*boundMargin)
	}
	return g.fireRangeM
}
