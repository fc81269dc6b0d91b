package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestTangentRoundTrip(t *testing.T) {
	origins := []struct {
		name string
		p    Point
	}{
		{"donetsk", Point{48.0159, 37.8028}},
		{"equator", Point{0, 0}},
		{"antimeridian", Point{-17, 179.9}},
		{"far north", Point{84, -30}},
		{"south", Point{-45, 170}},
	}
	for _, o := range origins {
		t.Run(o.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			tp := NewTangent(o.p)
			if e, n := tp.ToENU(o.p); math.Abs(e) > 1e-9 || math.Abs(n) > 1e-9 {
				t.Errorf("origin maps to (%g, %g), want (0, 0)", e, n)
			}
			var worst float64
			for range 2000 {
				p := Direct(o.p, rng.Float64()*360, rng.Float64()*200000)
				e, n := tp.ToENU(p)
				back := tp.FromENU(e, n)
				d := DistanceM(p, back)
				if d > 0.01 {
					t.Fatalf("%v → (%.3f, %.3f) → %v: %.4g m apart", p, e, n, back, d)
				}
				worst = math.Max(worst, d)
			}
			t.Logf("worst round trip within 200 km: %.2g m", worst)
		})
	}
}

func TestTangentGeometry(t *testing.T) {
	o := Point{48.0159, 37.8028}
	tp := NewTangent(o)
	t.Run("meridian has no east", func(t *testing.T) {
		for _, lat := range []float64{46, 47.5, 48.0159, 49, 50} {
			if e, _ := tp.ToENU(Point{lat, o.Lon}); math.Abs(e) > 1e-7 {
				t.Errorf("lat %v on the origin's meridian: east = %g", lat, e)
			}
		}
	})
	t.Run("small steps keep their azimuth", func(t *testing.T) {
		for az := 0.0; az < 360; az += 15 {
			p := Direct(o, az, 1000)
			e, n := tp.ToENU(p)
			we, wn := 1000*math.Sin(az*geodRad), 1000*math.Cos(az*geodRad)
			if math.Hypot(e-we, n-wn) > 1e-3 {
				t.Errorf("1 km at %v°: plane (%.4f, %.4f), want (%.4f, %.4f)", az, e, n, we, wn)
			}
		}
	})
	t.Run("plane distance falls short by the documented s³/6R²", func(t *testing.T) {
		for _, s := range []float64{5000, 50000, 200000} {
			for az := 0.0; az < 360; az += 30 {
				e, n := tp.ToENU(Direct(o, az, s))
				short := s - math.Hypot(e, n)
				bound := s*s*s/(6*6.3e6*6.3e6) + 1e-3
				if short < -1e-6 || short > bound {
					t.Errorf("%v m at %v°: plane distance short by %.4f m, outside [0, %.4f]", s, az, short, bound)
				}
			}
		}
	})
	t.Run("beyond the horizon", func(t *testing.T) {
		if p := tp.FromENU(9e6, 0); !math.IsNaN(p.Lat) {
			t.Errorf("FromENU(9000 km) = %v, want NaN", p)
		}
	})
}

func BenchmarkTangent(b *testing.B) {
	tp := NewTangent(Point{48.0159, 37.8028})
	p := Point{48.3, 37.1}
	for b.Loop() {
		e, n := tp.ToENU(p)
		p = tp.FromENU(e, n)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/roundtrip")
}

// TestLookAgreesWithInverse pins Look against the geodesic over the
// distances sight lines reach, in every direction and at the latitudes of
// the front and beyond.
func TestLookAgreesWithInverse(t *testing.T) {
	for _, c := range []struct {
		lat, lon float64
	}{{48.0, 37.8}, {46.6, 33.0}, {51.5, 35.0}, {0, 0}, {-33.9, 18.4}, {70, 25}} {
		from := Point{Lat: c.lat, Lon: c.lon}
		tp := NewTangent(from)
		for _, dist := range []float64{50, 1000, 10000, 40000, 70000, 100000} {
			for az := 0.0; az < 360; az += 7.5 {
				to := Direct(from, az, dist)
				s, a, _ := Inverse(from, to)
				gotS, gotA := tp.Look(ToECEF(to))
				if math.Abs(gotS-s) > 0.02 {
					t.Errorf("%v → %.0f m at %.1f°: distance %.4f m, geodesic %.4f m", from, dist, az, gotS, s)
				}
				if d := math.Abs(math.Remainder(gotA-a, 360)); d > 1e-5 {
					t.Errorf("%v → %.0f m at %.1f°: azimuth %.9f°, geodesic %.9f° (off by %.2g°)", from, dist, az, gotA, a, d)
				}
			}
		}
	}
}
