package fusion

import (
	"math"

	"github.com/truce-mechanism/truce/geo"
)

// The gates decide whether measurements can describe a place already
// estimated, or cross sight lines already held, before the estimate is
// recomputed. They work in a flat plane about the places compared (within
// a few tenths of a degree over tens of kilometres, well inside the
// gates); the estimates themselves use geodesics.

// Gates on normalised squared residuals: χ² at 99.9 % with one degree of
// freedom (an azimuth, a distance) and with two (a located point, the
// difference of two estimates). A true report is refused one time in a
// thousand per measurement.
const (
	gateChi2One = 10.83
	gateChi2Two = 13.82
)

const mPerDeg = 111195.0

// flat is the east and north offset in metres from a to b on an
// equirectangular plane.
func flat(a, b geo.Point) (float64, float64) {
	de := (b.Lon - a.Lon) * mPerDeg * math.Cos((a.Lat+b.Lat)/2*math.Pi/180)
	return de, (b.Lat - a.Lat) * mPerDeg
}

// roughDistanceM is an equirectangular distance, within a few per cent
// over tens of kilometres: enough to rule out what is far away.
func roughDistanceM(a, b geo.Point) float64 {
	de, dn := flat(a, b)
	return math.Hypot(de, dn)
}

// majorSigma is the standard deviation along the major axis of a
// covariance.
func majorSigma(c [2][2]float64) float64 {
	mean, diff := (c[0][0]+c[1][1])/2, math.Hypot((c[0][0]-c[1][1])/2, c[0][1])
	return math.Sqrt(max(mean+diff, 0))
}

// alongSigma is the standard deviation of a covariance along the
// direction (de, dn); the major axis's when the direction is none.
func alongSigma(c [2][2]float64, de, dn float64) float64 {
	d := math.Hypot(de, dn)
	if d < 1 {
		return majorSigma(c)
	}
	u0, u1 := de/d, dn/d
	return math.Sqrt(max(u0*u0*c[0][0]+2*u0*u1*c[0][1]+u1*u1*c[1][1], 0))
}

// gateEstimate scores measurements against an estimate, each normalised
// by its own variance and the estimate's projected on it. It returns the
// sum of the normalised squared residuals and their degrees of freedom;
// ok is false when one measurement lies outside its gate, or a sight line
// would have to reach beyond maxRange.
func gateEstimate(est *Estimate, bs []Bearing, fs []Fix, maxRange float64) (chi2 float64, dof int, ok bool) {
	c := est.Cov
	for _, f := range fs {
		de, dn := flat(f.Point, est.Point)
		v := f.SigmaM * f.SigmaM
		a, b, d := c[0][0]+v, c[0][1], c[1][1]+v
		det := a*d - b*b
		if det <= 0 {
			return 0, 0, false
		}
		r := (d*de*de - 2*b*de*dn + a*dn*dn) / det
		if r > gateChi2Two {
			return 0, 0, false
		}
		chi2, dof = chi2+r, dof+2
	}
	for i := range bs {
		b := &bs[i]
		de, dn := flat(b.Observer, est.Point)
		r2 := de*de + dn*dn
		if r2 > maxRange*maxRange*1.21 {
			return 0, 0, false
		}
		if r2 < 1 {
			continue // the observer stands on the estimate: no direction
		}
		v := azimuthVariance(c, b.SigmaDeg, de, dn, r2)
		if offAzimuth(de, dn, r2, v, b.dir) {
			return 0, 0, false // most sight lines a report meets: no arctangent
		}
		az := math.Atan2(de, dn)
		res := wrapRad(b.AzimuthDeg*math.Pi/180 - az)
		r := res * res / v
		if r > gateChi2One {
			return 0, 0, false
		}
		chi2, dof = chi2+r, dof+1
		if b.RangeM > 0 && b.RangeSigmaM > 0 {
			dist := math.Sqrt(r2)
			u0, u1 := de/dist, dn/dist
			v := b.RangeSigmaM*b.RangeSigmaM + u0*u0*c[0][0] + 2*u0*u1*c[0][1] + u1*u1*c[1][1]
			rr := (b.RangeM - dist) * (b.RangeM - dist) / v
			if rr > gateChi2One {
				return 0, 0, false
			}
			chi2, dof = chi2+rr, dof+1
		}
	}
	return chi2, dof, true
}

// azimuthVariance is the variance, in rad², of a sight line's azimuth
// residual against an estimate of covariance c whose point lies at the
// offset (de, dn), r2 its square, from the observer: the line's own σ
// and the estimate's covariance projected across the line.
func azimuthVariance(c [2][2]float64, sigmaDeg, de, dn, r2 float64) float64 {
	sig := sigmaDeg * math.Pi / 180
	j0, j1 := dn/r2, -de/r2
	return sig*sig + j0*j0*c[0][0] + 2*j0*j1*c[0][1] + j1*j1*c[1][1]
}

// sightDir is the sine and cosine of a sight line's azimuth (in radians,
// b.AzimuthDeg*math.Pi/180), worked out once per report (measure) for
// offAzimuth: a report is compared with hundreds of estimates. The zero
// value refuses nothing.
type sightDir struct{ sin, cos float64 }

func sightDirOf(b *Bearing) sightDir {
	s, c := math.Sincos(b.AzimuthDeg * math.Pi / 180)
	return sightDir{s, c}
}

// offAzimuth reports that gateEstimate must refuse a sight line of
// direction dir, whose observer lies at the offset (de, dn), r2 its
// square, from the estimate, with v the variance of its azimuth's
// residual — without the arctangent: most of the estimates a report is
// compared with lie well off its sight line. The residual gateEstimate
// takes, wrapped into [-π, π], is at least |sin| of itself, and that sine
// is the cross product of the sight line's direction with the offset
// over its length. The bound is lowered by 10⁻¹² rad, and the gate
// raised by a part in 10⁹, far beyond the rounding of either side (a few
// 10⁻¹⁵ rad), so offAzimuth refuses only what the gate refuses; it says
// nothing when unsure, and the arctangent then decides.
func offAzimuth(de, dn, r2, v float64, dir sightDir) bool {
	lb := math.Abs(de*dir.cos-dn*dir.sin)/math.Sqrt(r2) - 1e-12
	return v > 0 && lb > 0 && lb*lb > gateChi2One*v*(1+1e-9)
}

// sightBand is what refuses needs of a sight line to rule out
// estimates as filed (cellPos) before reading them: its observer and
// direction, its variance as gateEstimate takes it, that gate's limit of
// range, and bounds of the east scale of flat (the cosine of the mean
// latitude) between the observer and any point that could pass that
// limit, so that no cosine need be taken per estimate.
type sightBand struct {
	ok       bool
	lat, lon float64
	dir      sightDir
	sig2     float64
	limit    float64
	kLo, kHi float64
}

// sightBandOf is m's sightBand; none without a sight line, or near a pole.
func (g *Engine) sightBandOf(m *member) sightBand {
	b := m.bearing
	if b == nil || b.dir == (sightDir{}) {
		return sightBand{}
	}
	maxRange := g.cfg.MaxRangeM
	// A point whose north offset passes the range limit lies within
	// 1.1·maxRange of the observer's latitude, so the mean of the two
	// within half that; the margin covers rounding.
	w := 1.1*maxRange/mPerDeg/2*(1+1e-6) + 1e-9
	lat := math.Abs(b.Observer.Lat)
	if !(lat+w < 89) {
		return sightBand{}
	}
	sig := b.SigmaDeg * math.Pi / 180
	return sightBand{
		ok: true, lat: b.Observer.Lat, lon: b.Observer.Lon, dir: b.dir,
		sig2:  sig * sig,
		limit: maxRange * maxRange * 1.21,
		// cos falls with |latitude|; a part in 10⁹ covers the rounding of
		// flat's cosine and of its product.
		kLo: math.Cos((lat+w)*math.Pi/180) * (1 - 1e-9),
		kHi: math.Cos(max(lat-w, 0)*math.Pi/180) * (1 + 1e-9),
	}
}

// refuses reports that gateEstimate must refuse the sight line against
// the estimate filed as at (its point, and majorSigma of its
// covariance), as offAzimuth does, but from bounds: flat's east offset lies
// between those at the east scales kLo and kHi, and the estimate's
// covariance adds at most majorSigma² over the squared distance to the
// variance of the azimuth. The north offset is flat's own. Margins as in
// offAzimuth; it says nothing of the open cell, nor when unsure.
func (s *sightBand) refuses(at cellPos) bool {
	if !s.ok || at.cx == openCell {
		return false
	}
	dn := (at.lat - s.lat) * mPerDeg
	if dn*dn > s.limit {
		return true // gateEstimate's r2 is at least dn²
	}
	dlon := (at.lon - s.lon) * mPerDeg
	deA, deB := dlon*s.kLo, dlon*s.kHi
	if deA > deB {
		deA, deB = deB, deA
	}
	minDe2 := min(deA*deA, deB*deB)
	if deA <= 0 && deB >= 0 {
		minDe2 = 0
	}
	r2min := minDe2 + dn*dn
	if r2min > s.limit*(1+1e-9) {
		return true
	}
	if r2min < 2 {
		return false // gateEstimate may not judge the azimuth
	}
	// The cross product is linear in the east offset: least in size at an
	// end of its range, unless it changes sign within it.
	cA, cB := deA*s.dir.cos-dn*s.dir.sin, deB*s.dir.cos-dn*s.dir.sin
	if !(cA*cB > 0) {
		return false
	}
	rmax := math.Sqrt(max(deA*deA, deB*deB) + dn*dn)
	lb := min(math.Abs(cA), math.Abs(cB))/rmax - 1e-12
	v := s.sig2 + at.sigma*at.sigma*(1+1e-9)/r2min
	return lb > 0 && lb*lb > gateChi2One*v*(1+1e-9)
}

// gateEstimates compares two estimates of one place: the Mahalanobis
// distance of their difference under the sum of their covariances.
func gateEstimates(a, b *Estimate) (float64, bool) {
	de, dn := flat(a.Point, b.Point)
	s00, s01, s11 := a.Cov[0][0]+b.Cov[0][0], a.Cov[0][1]+b.Cov[0][1], a.Cov[1][1]+b.Cov[1][1]
	det := s00*s11 - s01*s01
	if det <= 0 {
		return 0, false
	}
	r := (s11*de*de - 2*s01*de*dn + s00*dn*dn) / det
	return r, r <= gateChi2Two
}

// sightTolerance is how far, in radians, a sight line may be off its
// stated azimuth and still be believed: three σ.
func sightTolerance(b Bearing) float64 {
	return math.Min(3*b.SigmaDeg, 60) * math.Pi / 180
}

// linesAgree reports whether new sight lines and fixes can describe the
// same place as old ones when no estimate exists yet (one sight line, or
// several that do not cross): every pair of sight lines must cross in
// front of both observers within maxRange, allowing each its tolerance;
// every fix must lie in front of every sight line, within range.
func linesAgree(oldB []Bearing, oldF []Fix, newB []Bearing, newF []Fix, maxRange float64) bool {
	for _, a := range oldB {
		for _, b := range newB {
			if !wedgesMeet(a, b, maxRange) {
				return false
			}
		}
		for _, f := range newF {
			if !inWedge(a, f, maxRange) {
				return false
			}
		}
	}
	for _, f := range oldF {
		for _, b := range newB {
			if !inWedge(b, f, maxRange) {
				return false
			}
		}
	}
	return true
}

// inWedge: the fix lies along the sight line, within its tolerance and
// the fix's own three σ, in front of the observer and within range.
func inWedge(b Bearing, f Fix, maxRange float64) bool {
	de, dn := flat(b.Observer, f.Point)
	d := math.Hypot(de, dn)
	if d > maxRange+3*f.SigmaM {
		return false
	}
	if d <= 3*f.SigmaM {
		return true
	}
	off := math.Abs(wrapRad(b.AzimuthDeg*math.Pi/180 - math.Atan2(de, dn)))
	return off <= sightTolerance(b)+math.Asin(3*f.SigmaM/d)
}

// wedgesMeet: the two sight lines, each widened to its tolerance and cut
// at maxRange, overlap somewhere. Each wedge is taken as the triangle of
// its observer and the two far corners (the circular cap is left out);
// two convex polygons are apart exactly when one of their edges separates
// them.
func wedgesMeet(a, b Bearing, maxRange float64) bool {
	ta := wedge(a, a.Observer, maxRange)
	tb := wedge(b, a.Observer, maxRange)
	return !separated(ta, tb) && !separated(tb, ta)
}

type triangle [3][2]float64

// wedge is the triangle of a sight line in the plane about origin.
func wedge(b Bearing, origin geo.Point, maxRange float64) triangle {
	oe, on := flat(origin, b.Observer)
	tol := sightTolerance(b)
	az := b.AzimuthDeg * math.Pi / 180
	reach := maxRange / math.Cos(tol) // the chord's corners, so the cap's middle stays in
	s1, c1 := math.Sincos(az - tol)
	s2, c2 := math.Sincos(az + tol)
	return triangle{{oe, on}, {oe + reach*s1, on + reach*c1}, {oe + reach*s2, on + reach*c2}}
}

// separated reports whether an edge of p has all of q on its outer side.
func separated(p, q triangle) bool {
	// orientation of p, so "outer" is known
	o := cross(p[0], p[1], p[2])
	for i := range 3 {
		a, b := p[i], p[(i+1)%3]
		out := true
		for _, v := range q {
			if cross(a, b, v)*o > 0 {
				out = false
				break
			}
		}
		if out {
			return true
		}
	}
	return false
}

func cross(a, b, c [2]float64) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// segmentDistance is how close the sight line b, cut at reach, comes to p.
func segmentDistance(b Bearing, reach float64, p geo.Point) float64 {
	de, dn := flat(b.Observer, p)
	s, c := math.Sincos(b.AzimuthDeg * math.Pi / 180)
	t := min(max(de*s+dn*c, 0), reach)
	return math.Hypot(de-t*s, dn-t*c)
}

// segmentsDistance is how close two sight lines, cut at their reaches,
// come to each other: zero when they cross, else the least distance from
// an end of one to the other.
func segmentsDistance(a Bearing, ra float64, b Bearing, rb float64) float64 {
	sa, ca := math.Sincos(a.AzimuthDeg * math.Pi / 180)
	sb, cb := math.Sincos(b.AzimuthDeg * math.Pi / 180)
	be, bn := flat(a.Observer, b.Observer)
	p0, p1 := [2]float64{0, 0}, [2]float64{ra * sa, ra * ca}
	q0, q1 := [2]float64{be, bn}, [2]float64{be + rb*sb, bn + rb*cb}
	d1, d2 := cross(p0, p1, q0), cross(p0, p1, q1)
	d3, d4 := cross(q0, q1, p0), cross(q0, q1, p1)
	if d1*d2 < 0 && d3*d4 < 0 {
		return 0
	}
	return min(pointSegment(q0, p0, p1), pointSegment(q1, p0, p1), pointSegment(p0, q0, q1), pointSegment(p1, q0, q1))
}

func pointSegment(p, a, b [2]float64) float64 {
	de, dn := b[0]-a[0], b[1]-a[1]
	l2 := de*de + dn*dn
	t := 0.0
	if l2 > 0 {
		t = min(max(((p[0]-a[0])*de+(p[1]-a[1])*dn)/l2, 0), 1)
	}
	return math.Hypot(p[0]-a[0]-t*de, p[1]-a[1]-t*dn)
}

// studentised is the largest normalised squared residual of measurements
// that an estimate already includes: each residual is normalised by its
// variance less the estimate's projected on it, the part the others do
// not explain. A measurement the others do not check (a second sight line
// that alone fixes the crossing) is not judged.
func studentised(est *Estimate, bs []Bearing, fs []Fix) float64 {
	c := est.Cov
	worst := 0.0
	for _, b := range bs {
		de, dn := flat(b.Observer, est.Point)
		r2 := de*de + dn*dn
		if r2 < 1 {
			continue
		}
		res := wrapRad(b.AzimuthDeg*math.Pi/180 - math.Atan2(de, dn))
		sig := b.SigmaDeg * math.Pi / 180
		j0, j1 := dn/r2, -de/r2
		v := sig*sig - (j0*j0*c[0][0] + 2*j0*j1*c[0][1] + j1*j1*c[1][1])
		if v < 0.05*sig*sig {
			continue
		}
		worst = max(worst, res*res/v)
	}
	for _, f := range fs {
		de, dn := flat(f.Point, est.Point)
		v := f.SigmaM * f.SigmaM
		// per axis, the larger share the estimate takes
		vr := v - majorSigma(c)*majorSigma(c)
		if vr < 0.05*v {
			continue
		}
		worst = max(worst, (de*de+dn*dn)/vr/2)
	}
	return worst
}
