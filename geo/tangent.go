package geo

import "math"

// Tangent is a local east-north plane touching the WGS 84 ellipsoid at an
// origin: the frame in which fusion intersects bearings and fits
// positions. A point on the ellipsoid is mapped by dropping its height
// above the plane (an orthographic view from straight above the origin),
// so the mapping is exact both ways — ToENU then FromENU returns the
// point to within micrometres anywhere on the near hemisphere.
//
// Distances and bearings in the plane are not those on the ground: the
// plane distance from the origin falls short of the geodesic one by about
// s³/(6R²) (0.5 mm at 5 km, 0.5 m at 50 km, 33 m at 200 km) and north in
// the plane drifts from true north away from the origin by the meridian
// convergence, Δλ·sin φ. Keep the origin within tens of kilometres of the
// work, or convert bearings with care.
type Tangent struct {
	origin      Point
	o           [3]float64 // origin in ECEF, m
	east, north [3]float64 // unit vectors of the plane
	up          [3]float64
}

// NewTangent returns the tangent plane at origin. It is small enough to
// inline, so that a caller that does not keep the plane holds it on its
// stack: fusion makes one per sight line of every fit.
func NewTangent(origin Point) *Tangent {
	t := tangentAt(origin)
	return &t
}

func tangentAt(origin Point) Tangent {
	sinP, cosP := math.Sincos(origin.Lat * geodRad)
	sinL, cosL := math.Sincos(origin.Lon * geodRad)
	return Tangent{
		origin: origin,
		o:      ecef(origin),
		east:   [3]float64{-sinL, cosL, 0},
		north:  [3]float64{-sinP * cosL, -sinP * sinL, cosP},
		up:     [3]float64{cosP * cosL, cosP * sinL, sinP},
	}
}

// Origin is the point where the plane touches the ellipsoid.
func (t *Tangent) Origin() Point { return t.origin }

// ecef returns the Earth-centred, Earth-fixed coordinates of p on the
// ellipsoid's surface.
func ecef(p Point) [3]float64 {
	sinP, cosP := math.Sincos(p.Lat * geodRad)
	sinL, cosL := math.Sincos(p.Lon * geodRad)
	n := geodA / math.Sqrt(1-geodE2*sinP*sinP)
	return [3]float64{n * cosP * cosL, n * cosP * sinL, n * (1 - geodE2) * sinP}
}

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

// ToENU returns p's east and north coordinates in metres in the plane.
func (t *Tangent) ToENU(p Point) (east, north float64) {
	x := ecef(p)
	d := [3]float64{x[0] - t.o[0], x[1] - t.o[1], x[2] - t.o[2]}
	return dot(d, t.east), dot(d, t.north)
}

// FromENU returns the point of the ellipsoid (on the origin's side) that
// lies straight below (east, north) in the plane. Beyond the horizon —
// more than about 6,000 km out — there is none, and it returns NaNs.
func (t *Tangent) FromENU(east, north float64) Point {
	// The point is P0 + u·up for the u that puts it on the ellipsoid:
	// (x² + y²)/a² + z²/b² = 1, a quadratic in u.
	var p0 [3]float64
	for i := range p0 {
		p0[i] = t.o[i] + east*t.east[i] + north*t.north[i]
	}
	w := [3]float64{1 / (geodA * geodA), 1 / (geodA * geodA), 1 / (geodB * geodB)}
	var A, B, C float64
	for i := range p0 {
		A += w[i] * t.up[i] * t.up[i]
		B += 2 * w[i] * p0[i] * t.up[i]
		C += w[i] * p0[i] * p0[i]
	}
	C--
	disc := B*B - 4*A*C
	if disc < 0 {
		return Point{math.NaN(), math.NaN()}
	}
	// The root nearer the plane, in the form that does not cancel.
	u := -2 * C / (B + math.Sqrt(disc))
	x := [3]float64{p0[0] + u*t.up[0], p0[1] + u*t.up[1], p0[2] + u*t.up[2]}
	// On the surface, tan φ = z / ((1 − e²)·√(x² + y²)) exactly.
	lat := math.Atan2(x[2], (1-geodE2)*math.Hypot(x[0], x[1]))
	lon := math.Atan2(x[1], x[0])
	return Point{Lat: lat * geodDeg, Lon: lon * geodDeg}
}

// ECEF is a point in Earth-centred, Earth-fixed coordinates, metres.
type ECEF [3]float64

// ToECEF returns the ECEF coordinates of p on the ellipsoid's surface.
func ToECEF(p Point) ECEF { return ecef(p) }

// Look returns how the point x (ECEF) is seen from the plane's origin: the
// distance along the ground and the azimuth, degrees clockwise from true
// north at the origin. It stands in for Inverse over the tens of
// kilometres a sight line reaches, at a fraction of its cost (no
// iteration): the azimuth is that of the normal section through x, which
// differs from the geodesic's by under 10⁻⁵° (0.04″) within 100 km; the distance
// is the chord lengthened by the arc's excess over it on a sphere of the
// local radius, s − c ≈ c³/(24R²), within 2 cm of the geodesic at 100 km
// (tangent_test.go).
func (t *Tangent) Look(x ECEF) (distanceM, azimuthDeg float64) {
	d := [3]float64{x[0] - t.o[0], x[1] - t.o[1], x[2] - t.o[2]}
	e, n := dot(d, t.east), dot(d, t.north)
	c2 := dot(d, d)
	az := math.Atan2(e, n) * geodDeg
	if az < 0 {
		az += 360
	}
	if az >= 360 { // -tiny + 360 rounds to 360
		az = 0
	}
	return math.Sqrt(c2) * (1 + c2/(24*meanRadius2)), az
}

// meanRadius2 is the square of the Earth's mean radius (IUGG, 6,371,008.8 m),
// enough for the arc's small excess over its chord.
const meanRadius2 = 6371008.8 * 6371008.8
