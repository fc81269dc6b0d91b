package fusion

import "math"

// Calibration: sources that claim more accuracy than they have.
//
// Every gate and every weight in fusion trusts the standard deviation a
// report states. A sensor whose true errors are larger — a bearing
// array mis-surveyed, a desk that always writes "±500 m" — then fails the
// gates of the very events it reports, and one firing is split into
// several (the simulator's error model measures this: with errors twice
// the stated σ, duplicates more than double). So fusion checks each
// source as a tracker checks its sensors: whenever a report joins an
// event by fitting its estimated place, the normalised innovation of its
// measurements — χ² over their degrees of freedom, each measurement
// against the estimate under the report's σ and the estimate's own
// covariance — is a sample of (true σ / stated σ)², about 1 for an
// honest source (sourceFit: its median). A source that has sent few
// reports says little about itself, so its figure is drawn towards that
// of all sources (as if it had calibPrior samples of theirs), which a
// mechanism whose sensors all overstate their accuracy shows within
// hours; when the result is clearly above 1 it scales the σ of that
// source's later reports.
//
// It only ever widens (a source that errs less than it says costs
// nothing but a little efficiency), and a figure inside the dead zone
// changes nothing, so honest sources are fused as they were.
// What is learned depends only on the reports and their ledger order,
// and a rebuild replays them from the start: the output stays
// reproducible.
const (
	// calibMinSamples: samples of all sources before their figure is
	// believed; calibPrior: its weight, in samples, in each source's.
	calibMinSamples = 30
	calibPrior      = 30
	// calibDeadZone: a figure up to this leaves the source's σ as
	// stated. The samples are of reports that passed a gate, chosen as
	// the best fit, which pulls an honest source's figure under 1 (0.8 to
	// 1.0 on the simulator's days); a source whose errors are 1.25 times
	// what it states shows 1.5.
	calibDeadZone = 1.5
	// calibMaxScale bounds the widening: a source four times worse than
	// it claims is one to distrust, not to rescale; and a busy array in
	// a dense sector, whose reports joined to the wrong firing raise its
	// figure too (up to 2.3× on the simulator's escalations), must not
	// widen without end as wider gates let more such joins in.
	calibMaxScale = 4
)

// sourceFit is what has been learned of one source: how its samples —
// each one's χ² per degree of freedom over the median of that ratio for
// an honest report with as many degrees of freedom — are distributed, in
// bins of an eighth of a binary order of magnitude. The median of those
// ratios estimates (true σ / stated σ)² and, unlike their mean, is not
// dragged up by the reports fusion joined to the wrong event, which in a
// dense sector are many.
type sourceFit struct {
	bins [calibBins]int32
	n    int
	// quantiles are quantile's answers since the last sample: the engine
	// asks the same few quantiles of a fit for every report, and each
	// walks the bins.
	quantiles [4]quantileMemo
}

// quantileMemo is a quantile q of a sourceFit's samples and its value v.
type quantileMemo struct {
	q, v float64
	ok   bool
}

const (
	calibBins    = 160 // 2⁻¹⁰ to 2¹⁰
	calibBinsPer = 8   // per doubling
)

func (f *sourceFit) add(ratio float64) {
	i := int(math.Floor(math.Log2(ratio)*calibBinsPer)) + calibBins/2
	f.bins[min(max(i, 0), calibBins-1)]++
	f.n++
	f.quantiles = [4]quantileMemo{}
}

// median of the ratios, at the middle of its bin.
func (f *sourceFit) median() float64 { return f.quantile(0.5) }

// honestMedian is the median of χ²/dof for dof degrees of freedom: what
// an honest source's ratio centres on.
func honestMedian(dof int) float64 {
	switch dof {
	case 1:
		return 0.4549
	case 2:
		return 0.6931
	case 3:
		return 0.7887
	case 4:
		return 0.8392
	}
	// Wilson–Hilferty: the median of χ²_k is about k(1 − 2/(9k))³.
	k := float64(dof)
	return math.Pow(1-2/(9*k), 3)
}

// SigmaScale is how much the σ a source states are widened now, 1 when
// they are taken as stated: the square root of its median ratio, drawn
// towards all sources' by calibPrior samples, when that is above the
// dead zone.
func (g *Engine) SigmaScale(source string) float64 {
	all := &g.calibAll
	if all.n < calibMinSamples {
		return 1
	}
	var own float64
	n := 0
	if f := g.calib[source]; f != nil {
		own, n = f.median(), f.n
	}
	ratio := (float64(n)*own + calibPrior*all.median()) / float64(n+calibPrior)
	if !(ratio > calibDeadZone) {
		return 1
	}
	return min(math.Sqrt(ratio), calibMaxScale)
}

// learn records a report's fit to the estimate it joined: chi2 with dof
// degrees of freedom under σ widened by scale.
func (g *Engine) learn(source string, chi2 float64, dof int, scale float64) {
	if dof <= 0 || !(chi2 > 0) || math.IsInf(chi2, 0) {
		return
	}
	f := g.calib[source]
	if f == nil {
		f = &sourceFit{}
		g.calib[source] = f
	}
	r := chi2 * scale * scale / float64(dof) / honestMedian(dof)
	f.add(r)
	g.calibAll.add(r)
}

// widen scales the σ of what a report measures by s: its sight line and
// range, its back-bearing, its fixes (the part it states: a located
// impact's spread of rounds is the fire's, not the source's).
func (m *member) widen(o *sigmas, s float64) {
	if s == 1 {
		return
	}
	m.scale = s
	if b := m.bearing; b != nil {
		b.SigmaDeg *= s
		b.RangeSigmaM *= s
	}
	if b := m.back; b != nil {
		b.SigmaDeg *= s
	}
	for p, f := range m.fix {
		if f != nil {
			f.SigmaM = o.fix[p] * s
			if o.spread[p] > 0 {
				f.SigmaM = math.Hypot(f.SigmaM, o.spread[p])
			}
		}
	}
}

// sigmas are the σ a report stated for its fixes, and the spread of rounds
// added to them, kept so that widen scales only the stated part.
type sigmas struct {
	fix, spread [2]float64
}
