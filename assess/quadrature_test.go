package assess

import (
	"math"
	"testing"

	"github.com/truce-mechanism/truce/geo"
)

// planeMap is a synthetic map drawn in the tangent plane at planeOrigin:
// areas as polygons of (east, north) metres, each a party's. Integrating
// about planeOrigin itself, the quadrature's plane and this one coincide,
// so exact answers are known.
type planeMap struct {
	tp    *geo.Tangent
	areas []planeArea
}

type planeArea struct {
	party string
	ring  [][2]float64 // closed implicitly
}

var planeOrigin = geo.Point{Lat: 48.0, Lon: 37.8}

func newPlaneMap(areas ...planeArea) *planeMap {
	return &planeMap{tp: geo.NewTangent(planeOrigin), areas: areas}
}

// near gives every edge, moved into the caller's plane when it is not
// the map's own (only by a centimetre or so: the tests integrate about
// planeOrigin).
func (m *planeMap) near(tp *geo.Tangent, radiusM float64, buf []edge) ([]edge, []bool) {
	out := buf[:0]
	oe, on := m.tp.ToENU(tp.Origin())
	inside := make([]bool, len(m.areas))
	for i, a := range m.areas {
		inside[i] = a.contains(oe, on)
		for k := range a.ring {
			p, q := a.ring[k], a.ring[(k+1)%len(a.ring)]
			out = append(out, edge{p[0] - oe, p[1] - on, q[0] - oe, q[1] - on, i})
		}
	}
	return out, inside
}

func (m *planeMap) partyOf(i int) string { return m.areas[i].party }

// contains: even–odd rule.
func (a planeArea) contains(e, n float64) bool {
	in := false
	for k := range a.ring {
		p, q := a.ring[k], a.ring[(k+1)%len(a.ring)]
		if (p[1] > n) != (q[1] > n) && e < p[0]+(n-p[1])*(q[0]-p[0])/(q[1]-p[1]) {
			in = !in
		}
	}
	return in
}

// far is the size of the synthetic areas: far beyond any ellipse here.
const far = 1e6

// halfPlane: party "A" on the side of the line where the origin lies d
// metres inside (d < 0: outside), "B" beyond; the line's normal points
// angleDeg clockwise from north... measured as the angle of the normal
// from east, counter-clockwise.
func halfPlane(d, angleDeg float64) *planeMap {
	s, c := math.Sincos(angleDeg * math.Pi / 180)
	n := [2]float64{c, s}  // normal, towards A
	t := [2]float64{-s, c} // along the line
	at := func(alongN, alongT float64) [2]float64 {
		return [2]float64{(alongN-d)*n[0] + alongT*t[0], (alongN-d)*n[1] + alongT*t[1]}
	}
	return newPlaneMap(
		planeArea{"A", [][2]float64{at(0, -far), at(0, far), at(far, far), at(far, -far)}},
		planeArea{"B", [][2]float64{at(-far, -far), at(-far, far), at(0, far), at(0, -far)}},
	)
}

// normalCDF is Φ.
func normalCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

func get(ms []mass, party string) float64 {
	for _, m := range ms {
		if m.party == party {
			return m.p
		}
	}
	return 0
}

// covOf builds a covariance from its 1σ semi-axes and the major axis's
// direction (degrees clockwise from north).
func covOf(major, minor, orientDeg float64) [2][2]float64 {
	s, c := math.Sincos(orientDeg * math.Pi / 180)
	u := [2]float64{s, c} // east, north of the major axis
	v := [2]float64{c, -s}
	var cov [2][2]float64
	for i := range 2 {
		for j := range 2 {
			cov[i][j] = major*major*u[i]*u[j] + minor*minor*v[i]*v[j]
		}
	}
	return cov
}

// TestQuadratureHalfPlane: the mass beyond a straight boundary is
// Φ(−d/σn), σn the standard deviation along its normal, whatever the
// ellipse's shape and orientation.
func TestQuadratureHalfPlane(t *testing.T) {
	worst := 0.0
	for _, tc := range []struct {
		d, angle           float64
		major, minor, axis float64
	}{
		{0, 0, 1000, 1000, 0},
		{500, 30, 1000, 1000, 0},
		{-800, 200, 1000, 300, 45},
		{2000, 90, 3000, 200, 10},
		{1500, 10, 3000, 200, 100},
		{100, 300, 50000, 2000, 33},
		{3000, 45, 800, 700, 120},
		{-2500, 135, 1200, 100, 80},
	} {
		pl := halfPlane(tc.d, tc.angle)
		cov := covOf(tc.major, tc.minor, tc.axis)
		s, c := math.Sincos(tc.angle * math.Pi / 180)
		sn := math.Sqrt(c*c*cov[0][0] + 2*c*s*cov[0][1] + s*s*cov[1][1])
		want := normalCDF(-tc.d / sn) // P(B)
		ms, _ := defaultQuadrature.integrate(pl, planeOrigin, cov)
		got := get(ms, "B")
		if sum := get(ms, "A") + got; math.Abs(sum-1) > 1e-9 {
			t.Errorf("%+v: masses sum to %v", tc, sum)
		}
		err := math.Abs(got - want)
		worst = max(worst, err)
		t.Logf("d %6.0f σn %7.0f: P(B) %.7f, exact %.7f, error %.1e", tc.d, sn, got, want, err)
		if err > 1e-4 {
			t.Errorf("%+v: P(B) = %v, want %v", tc, got, want)
		}
	}
	t.Logf("worst error %.1e", worst)
}

// TestQuadratureCorner: the quadrant east of a and north of b, for a
// circular normal, holds Φ(−a/σ)·Φ(−b/σ): a corner, where the control
// (one straight line) cannot take all the rule's error away.
func TestQuadratureCorner(t *testing.T) {
	const sigma = 1000
	for _, ab := range [][2]float64{{0, 0}, {300, -200}, {1000, 1500}, {-2000, 500}} {
		a, b := ab[0], ab[1]
		pl := newPlaneMap(planeArea{"Q", [][2]float64{{a, b}, {far, b}, {far, far}, {a, far}}})
		ms, _ := defaultQuadrature.integrate(pl, planeOrigin, covOf(sigma, sigma, 0))
		want := normalCDF(-a/sigma) * normalCDF(-b/sigma)
		got := get(ms, "Q")
		t.Logf("corner at (%v, %v): %.6f, exact %.6f, error %.1e", a, b, got, want, math.Abs(got-want))
		if math.Abs(got-want) > 1e-4 {
			t.Errorf("corner at (%v, %v): %v, want %v", a, b, got, want)
		}
	}
}

// TestQuadratureStrip: a strip of no one's ground between two parties
// (a band 2 km wide) keeps its mass for no party.
func TestQuadratureStrip(t *testing.T) {
	const half = 1000
	for _, off := range []float64{0, 700, 1500, 4000} {
		pl := newPlaneMap(
			planeArea{"A", [][2]float64{{-far, -far}, {-half - off, -far}, {-half - off, far}, {-far, far}}},
			planeArea{"B", [][2]float64{{half - off, -far}, {far, -far}, {far, far}, {half - off, far}}},
		)
		ms, _ := defaultQuadrature.integrate(pl, planeOrigin, covOf(1500, 800, 90))
		sigma := 1500.0 // east–west
		wantA := normalCDF((-half - off) / sigma)
		wantB := 1 - normalCDF((half-off)/sigma)
		wantNone := 1 - wantA - wantB
		gotA, gotB, gotNone := get(ms, "A"), get(ms, "B"), get(ms, "")
		t.Logf("offset %4.0f: A %.5f/%.5f B %.5f/%.5f none %.5f/%.5f", off, gotA, wantA, gotB, wantB, gotNone, wantNone)
		for _, c := range [][2]float64{{gotA, wantA}, {gotB, wantB}, {gotNone, wantNone}} {
			if math.Abs(c[0]-c[1]) > 1e-4 {
				t.Errorf("offset %v: got %v, want %v", off, c[0], c[1])
			}
		}
	}
}

// TestQuadratureFarFromBoundary: nothing within reach, all to the
// containing area.
func TestQuadratureFarFromBoundary(t *testing.T) {
	pl := halfPlane(50000, 0)
	ms, _ := defaultQuadrature.integrate(pl, planeOrigin, covOf(1000, 500, 0))
	if len(ms) != 1 || ms[0].party != "A" || ms[0].p != 1 {
		t.Errorf("got %+v, want all of A", ms)
	}
}
