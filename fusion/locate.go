package fusion

import (
	"errors"
	"fmt"
	"math"

	"github.com/truce-mechanism/truce/geo"
)

// Bearing is a line of sight from an observer: the azimuth (degrees
// clockwise from true north at the observer) towards the event, with its
// standard deviation. A distance estimate along it, when the report has
// one, narrows it to a point.
type Bearing struct {
	Observer   geo.Point
	AzimuthDeg float64
	SigmaDeg   float64
	// RangeM and RangeSigmaM: estimated distance and its standard
	// deviation; 0 when the report gives none.
	RangeM      float64
	RangeSigmaM float64
	// reachM, when set, bounds how far along the line the phenomenon can
	// be when no range is given: what its source has been seen to reach
	// (sightline.go); 0 leaves Config.MaxRangeM.
	reachM float64
	// dir, when set, is the sine and cosine of the azimuth (measure sets
	// it), with which gateEstimate refuses most sight lines that miss an
	// estimate before it takes an arctangent; zero, it refuses none so.
	dir sightDir
	// plane, when set, is the tangent plane at Observer (measure makes it
	// once, withPlane): every fit that includes the sight line would
	// otherwise make it again.
	plane *geo.Tangent
}

// withPlane returns b on the heap, in one allocation with the tangent
// plane at its observer, which it points to.
func withPlane(b Bearing) *Bearing {
	s := &struct {
		Bearing
		plane geo.Tangent
	}{Bearing: b, plane: *geo.NewTangent(b.Observer)}
	s.Bearing.plane = &s.plane
	return &s.Bearing
}

// Fix is a located report: a point with a circular standard deviation
// (a CEP converts as σ = CEP / 1.1774).
type Fix struct {
	Point  geo.Point
	SigmaM float64
}

// CEPToSigma converts a circular error probable (50 %) to the standard
// deviation of a circular normal distribution.
func CEPToSigma(cepM float64) float64 { return cepM / math.Sqrt(2*math.Ln2) }

// Estimate is a location with its uncertainty.
type Estimate struct {
	Point geo.Point
	// Cov is the covariance of (east, north) in m², in the tangent plane
	// at Point.
	Cov [2][2]float64
	// Chi2 is the weighted sum of squared residuals; with Dof degrees of
	// freedom it tells whether the reports agree with each other.
	Chi2 float64
	Dof  int
}

// Ellipse is the error ellipse of a covariance: semi-axes in metres at
// the given confidence and the orientation of the major axis in degrees
// clockwise from north.
type Ellipse struct {
	SemiMajorM, SemiMinorM, OrientationDeg float64
}

// Chi2_95 is the 95 % quantile of the χ² distribution with two degrees of
// freedom: an ellipse scaled by its square root holds 95 % of the mass.
const Chi2_95 = 5.991464547107979

// ErrorEllipse is the ellipse holding the given χ² quantile of a 2-D
// normal with covariance cov (Chi2_95 for 95 %; 1 for one sigma).
func ErrorEllipse(cov [2][2]float64, chi2 float64) Ellipse {
	a, b, c := cov[0][0], cov[0][1], cov[1][1] // ee, en, nn
	mean, diff := (a+c)/2, math.Hypot((a-c)/2, b)
	l1, l2 := mean+diff, max(mean-diff, 0)
	// The major axis direction (east, north) = (b, l1 - a) or (l1 - c, b).
	e, n := l1-c, b
	if math.Abs(e)+math.Abs(n) < 1e-12 {
		e, n = 0, 1 // a circle, or longest north–south: report north
	}
	orient := math.Mod(math.Atan2(e, n)*180/math.Pi+180, 180) // clockwise from north, 0–180
	return Ellipse{SemiMajorM: math.Sqrt(l1 * chi2), SemiMinorM: math.Sqrt(l2 * chi2), OrientationDeg: orient}
}

// ErrNoFix: the reports do not determine a location (one bearing without
// a range, parallel bearings, nothing at all).
var ErrNoFix = errors.New("the reports do not determine a location")

// Locate estimates where an event happened by Gauss–Newton weighted least
// squares in a local tangent plane. Bearing residuals are taken at each
// observer (normalEquations), so meridian convergence over tens of
// kilometres does not bias acoustic bearings of one or two degrees.
func Locate(bearings []Bearing, fixes []Fix) (Estimate, error) {
	start, ok := initialGuess(bearings, fixes)
	if !ok {
		return Estimate{}, ErrNoFix
	}
	tp := geo.NewTangent(start)
	var buf [8]lookout // most events have a few sight lines: on the stack
	sights := lookouts(buf[:0], tp, bearings)
	var fbuf [8]plotted
	plots := plot(fbuf[:0], tp, fixes)
	x := [2]float64{0, 0}
	var info [2][2]float64
	var chi2 float64
	for iter := 0; iter < 20; iter++ {
		p := tp.FromENU(x[0], x[1])
		var g [2]float64
		info, g, chi2 = normalEquations(p, x, sights, plots)
		cov, ok := invert(info)
		if !ok {
			return Estimate{}, ErrNoFix
		}
		step := [2]float64{cov[0][0]*g[0] + cov[0][1]*g[1], cov[1][0]*g[0] + cov[1][1]*g[1]}
		x[0] += step[0]
		x[1] += step[1]
		if math.Hypot(step[0], step[1]) < 0.01 {
			break
		}
	}
	p := tp.FromENU(x[0], x[1])
	info, _, chi2 = normalEquations(p, x, sights, plots)
	cov, ok := invert(info)
	if !ok || math.IsNaN(p.Lat) || math.IsNaN(p.Lon) {
		return Estimate{}, ErrNoFix
	}
	return Estimate{Point: p, Cov: cov, Chi2: chi2, Dof: measurements(bearings, fixes) - 2}, nil
}

// CRLB is the Cramér–Rao bound of the geometry: the smallest covariance
// any unbiased estimator can reach for an event at truth, given the
// reports' positions and error models.
func CRLB(truth geo.Point, bearings []Bearing, fixes []Fix) ([2][2]float64, error) {
	tp := geo.NewTangent(truth)
	info, _, _ := normalEquations(truth, [2]float64{}, lookouts(nil, tp, bearings), plot(nil, tp, fixes))
	cov, ok := invert(info)
	if !ok {
		return cov, ErrNoFix
	}
	return cov, nil
}

func measurements(bearings []Bearing, fixes []Fix) int {
	n := 2 * len(fixes)
	for _, b := range bearings {
		n++
		if b.RangeM > 0 && b.RangeSigmaM > 0 {
			n++
		}
	}
	return n
}

// lookout is a sight line made ready for the iterations of Locate: its
// observer's place in the fit's plane and the observer's own plane, from
// which the estimate is looked at (Tangent.Look) at each step.
type lookout struct {
	Bearing
	e, n float64     // the observer in the fit's plane
	at   geo.Tangent // the observer's own plane
}

// lookouts appends the sight lines, made ready, to out.
func lookouts(out []lookout, tp *geo.Tangent, bearings []Bearing) []lookout {
	for _, b := range bearings {
		e, n := tp.ToENU(b.Observer)
		at := b.plane
		if at == nil {
			at = geo.NewTangent(b.Observer)
		}
		out = append(out, lookout{b, e, n, *at})
	}
	return out
}

// plotted is a fix made ready for the iterations of Locate: its place in
// the fit's plane, which does not move between them (ToENU once, not at
// every step).
type plotted struct {
	Fix
	e, n float64
}

// plot appends the fixes, made ready, to out.
func plot(out []plotted, tp *geo.Tangent, fixes []Fix) []plotted {
	for _, f := range fixes {
		e, n := tp.ToENU(f.Point)
		out = append(out, plotted{f, e, n})
	}
	return out
}

// normalEquations returns the Fisher information JᵀWJ, the gradient JᵀWr
// and χ² at the point p (plane coordinates x). Bearing residuals are
// taken at the observer (the azimuth from it, Tangent.Look), so meridian
// convergence over tens of kilometres does not bias them; their Jacobian
// is the plane's, whose error is of the same small order.
func normalEquations(p geo.Point, x [2]float64, sights []lookout, fixes []plotted) (info [2][2]float64, g [2]float64, chi2 float64) {
	add := func(j [2]float64, r, w float64) {
		info[0][0] += w * j[0] * j[0]
		info[0][1] += w * j[0] * j[1]
		info[1][1] += w * j[1] * j[1]
		g[0] += w * j[0] * r
		g[1] += w * j[1] * r
		chi2 += w * r * r
	}
	var px geo.ECEF
	if len(sights) > 0 {
		px = geo.ToECEF(p)
	}
	for i := range sights {
		b := &sights[i]
		de, dn := x[0]-b.e, x[1]-b.n
		r2 := de*de + dn*dn
		if r2 < 1 {
			continue // the observer stands on the estimate: no direction
		}
		dist, az := b.at.Look(px)
		sigma := b.SigmaDeg * math.Pi / 180
		res := wrapRad((b.AzimuthDeg - az) * math.Pi / 180)
		add([2]float64{dn / r2, -de / r2}, res, 1/(sigma*sigma))
		if b.RangeM > 0 && b.RangeSigmaM > 0 {
			r := math.Sqrt(r2)
			add([2]float64{de / r, dn / r}, b.RangeM-dist, 1/(b.RangeSigmaM*b.RangeSigmaM))
		}
	}
	for i := range fixes {
		f := &fixes[i]
		fe, fn := f.e, f.n
		w := 1 / (f.SigmaM * f.SigmaM)
		add([2]float64{1, 0}, fe-x[0], w)
		add([2]float64{0, 1}, fn-x[1], w)
	}
	info[1][0] = info[0][1]
	return info, g, chi2
}

// initialGuess: where Gauss–Newton starts. Of the places the reports
// give directly — the mean of the fixes, a bearing with a range, the
// crossing of the two bearings that cross most squarely — the one the
// measurements fit best (misfit): a rough OSINT location kilometres off
// is a poor start beside two precise sight lines, and from it the
// iterations can settle on a place neither line points at.
func initialGuess(bearings []Bearing, fixes []Fix) (geo.Point, bool) {
	var starts [3]geo.Point
	n := 0
	if len(fixes) > 0 {
		tp := geo.NewTangent(fixes[0].Point)
		var se, sn float64
		for _, f := range fixes {
			e, n := tp.ToENU(f.Point)
			se, sn = se+e, sn+n
		}
		starts[n] = tp.FromENU(se/float64(len(fixes)), sn/float64(len(fixes)))
		n++
	}
	for _, b := range bearings {
		if b.RangeM > 0 {
			starts[n] = geo.Direct(b.Observer, b.AzimuthDeg, b.RangeM)
			n++
			break
		}
	}
	if p, ok := crossing(bearings); ok {
		starts[n] = p
		n++
	}
	if n == 0 {
		return geo.Point{}, false
	}
	best := 0
	if n > 1 {
		least := misfit(starts[0], bearings, fixes)
		for i := 1; i < n; i++ {
			if m := misfit(starts[i], bearings, fixes); m < least {
				best, least = i, m
			}
		}
	}
	return starts[best], true
}

// crossing is where the two bearings that cross most squarely meet
// (between their observers when the rays meet behind the first); false
// when none cross by two degrees or more.
func crossing(bearings []Bearing) (geo.Point, bool) {
	best, bi, bj := 0.0, -1, -1
	for i := range bearings {
		for j := i + 1; j < len(bearings); j++ {
			s := math.Abs(math.Sin((bearings[i].AzimuthDeg - bearings[j].AzimuthDeg) * math.Pi / 180))
			if s > best {
				best, bi, bj = s, i, j
			}
		}
	}
	if bi < 0 || best < math.Sin(2*math.Pi/180) {
		return geo.Point{}, false
	}
	a, b := bearings[bi], bearings[bj]
	tp := geo.NewTangent(a.Observer)
	be, bn := tp.ToENU(b.Observer)
	// a: t·(sin θa, cos θa); b: (be, bn) + s·(sin θb, cos θb)
	sa, ca := math.Sincos(a.AzimuthDeg * math.Pi / 180)
	sb, cb := math.Sincos(b.AzimuthDeg * math.Pi / 180)
	den := sa*cb - ca*sb
	t := (be*cb - bn*sb) / den
	if t <= 0 {
		// The rays meet behind the first observer: the lines cross, the
		// sight lines do not. Start between the observers instead.
		return tp.FromENU(be/2, bn/2), true
	}
	return tp.FromENU(t*sa, t*ca), true
}

// misfit is the sum of the measurements' squared normalised residuals at
// p (in a flat plane about each: enough to rank starting places).
func misfit(p geo.Point, bearings []Bearing, fixes []Fix) float64 {
	var sum float64
	for i := range bearings {
		b := &bearings[i]
		r := sightResidual(b, p)
		sum += r * r
		if b.RangeM > 0 && b.RangeSigmaM > 0 {
			de, dn := flat(b.Observer, p)
			r := (math.Hypot(de, dn) - b.RangeM) / b.RangeSigmaM
			sum += r * r
		}
	}
	for i := range fixes {
		r := fixResidual(&fixes[i], p)
		sum += r * r
	}
	return sum
}

// sightResidual is how far, in its σ, sight line b's azimuth is off the
// direction from its observer to p (in a flat plane about them).
func sightResidual(b *Bearing, p geo.Point) float64 {
	de, dn := flat(b.Observer, p)
	return wrapRad(b.AzimuthDeg*math.Pi/180-math.Atan2(de, dn)) / (b.SigmaDeg * math.Pi / 180)
}

// fixResidual is how far, in its σ, fix f lies from p.
func fixResidual(f *Fix, p geo.Point) float64 {
	return roughDistanceM(f.Point, p) / f.SigmaM
}

func invert(m [2][2]float64) ([2][2]float64, bool) {
	det := m[0][0]*m[1][1] - m[0][1]*m[1][0]
	scale := math.Abs(m[0][0]) + math.Abs(m[1][1])
	if scale == 0 || math.Abs(det) < 1e-12*scale*scale {
		return [2][2]float64{}, false
	}
	return [2][2]float64{{m[1][1] / det, -m[0][1] / det}, {-m[1][0] / det, m[0][0] / det}}, true
}

// wrapRad wraps an angle into [-π, π). The residuals it wraps lie within
// a turn either side of it (an azimuth in [0, 2π) less an arctangent in
// [-π, π]), where math.Mod, which it otherwise takes, returns x or x - 2π
// exactly (x less than two turns from 0 — Sterbenz: the subtraction is
// exact): those are done directly, saving its loop of Frexp and Ldexp on
// every gate and every step of a fit.
func wrapRad(a float64) float64 {
	const turn = 2 * math.Pi
	switch x := a + math.Pi; {
	case 0 <= x && x < turn:
		return x - math.Pi
	case turn <= x && x < 2*turn:
		return (x - turn) - math.Pi
	}
	a = math.Mod(a+math.Pi, 2*math.Pi)
	if a < 0 {
		a += 2 * math.Pi
	}
	return a - math.Pi
}

// String shows an estimate for logs and test failures.
func (e Estimate) String() string {
	el := ErrorEllipse(e.Cov, Chi2_95)
	return fmt.Sprintf("%.5f,%.5f ±%.0f×%.0f m @%.0f°", e.Point.Lat, e.Point.Lon, el.SemiMajorM, el.SemiMinorM, el.OrientationDeg)
}
