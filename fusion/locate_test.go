package fusion

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/truce-mechanism/truce/geo"
)

// A target near Horlivka and observers around it, 4–15 km away.
var (
	target    = geo.Point{Lat: 48.3336, Lon: 38.0925}
	observers = []geo.Point{
		geo.Direct(target, 200, 6000),
		geo.Direct(target, 290, 11000),
		geo.Direct(target, 120, 4000),
		geo.Direct(target, 20, 15000),
	}
)

func bearingsTo(p geo.Point, obs []geo.Point, sigmaDeg float64) []Bearing {
	out := make([]Bearing, len(obs))
	for i, o := range obs {
		_, az, _ := geo.Inverse(o, p)
		out[i] = Bearing{Observer: o, AzimuthDeg: az, SigmaDeg: sigmaDeg}
	}
	return out
}

func TestLocateExact(t *testing.T) {
	cameraObs := observers[0]
	dist, az, _ := geo.Inverse(cameraObs, target)
	cases := []struct {
		name     string
		bearings []Bearing
		fixes    []Fix
		within   float64
	}{
		{"two bearings", bearingsTo(target, observers[:2], 5), nil, 1},
		{"four acoustic bearings", bearingsTo(target, observers, 2), nil, 1},
		{"a camera: bearing and distance", []Bearing{{Observer: cameraObs, AzimuthDeg: az, SigmaDeg: 3, RangeM: dist, RangeSigmaM: 300}}, nil, 1},
		{"a radar fix", nil, []Fix{{Point: target, SigmaM: 50}}, 0.01},
		{"a bearing and a fix", bearingsTo(target, observers[:1], 10), []Fix{{Point: target, SigmaM: 500}}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			est, err := Locate(c.bearings, c.fixes)
			if err != nil {
				t.Fatal(err)
			}
			if d := geo.DistanceM(est.Point, target); d > c.within {
				t.Fatalf("%v is %.2f m from the target", est, d)
			}
		})
	}
}

func TestLocateRefuses(t *testing.T) {
	north := geo.Direct(target, 0, 5000)
	cases := []struct {
		name     string
		bearings []Bearing
	}{
		{"nothing", nil},
		{"one bearing", bearingsTo(target, observers[:1], 2)},
		{"parallel bearings", []Bearing{
			{Observer: target, AzimuthDeg: 90, SigmaDeg: 2},
			{Observer: north, AzimuthDeg: 90, SigmaDeg: 2},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if est, err := Locate(c.bearings, nil); !errors.Is(err, ErrNoFix) {
				t.Fatalf("%v, %v; want ErrNoFix", est, err)
			}
		})
	}
}

// TestLocateMatchesCRLB: with noisy bearings the estimator is unbiased,
// its spread is the Cramér–Rao bound's (the design's target: median error
// within 1.5× of what the bound predicts), and its 95 % ellipses hold the
// truth about 95 % of the time.
func TestLocateMatchesCRLB(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 8))
	for _, sigma := range []float64{1, 3, 10} {
		bound, err := CRLB(target, bearingsTo(target, observers[:3], sigma), nil)
		if err != nil {
			t.Fatal(err)
		}
		const trials = 1500
		var errs []float64
		var se, sn float64
		inside := 0
		tp := geo.NewTangent(target)
		for range trials {
			bs := bearingsTo(target, observers[:3], sigma)
			for i := range bs {
				bs[i].AzimuthDeg += rng.NormFloat64() * sigma
			}
			est, err := Locate(bs, nil)
			if err != nil {
				t.Fatal(err)
			}
			e, n := tp.ToENU(est.Point)
			se, sn = se+e, sn+n
			errs = append(errs, math.Hypot(e, n))
			if mahalanobis(est.Cov, -e, -n) <= Chi2_95 {
				inside++
			}
		}
		sort.Float64s(errs)
		median := errs[trials/2]
		// The median distance of a 2-D normal with this covariance.
		boundMedian := medianRadius(bound)
		ratio := median / boundMedian
		coverage := float64(inside) / trials
		bias := math.Hypot(se/trials, sn/trials)
		t.Logf("σ=%g°: median error %.0f m, CRLB median %.0f m, ratio %.2f, 95%% ellipse coverage %.3f, bias %.1f m",
			sigma, median, boundMedian, ratio, coverage, bias)
		if ratio > 1.5 || ratio < 0.8 {
			t.Errorf("σ=%g°: median error is %.2f× the bound's", sigma, ratio)
		}
		if coverage < 0.92 || coverage > 0.98 {
			t.Errorf("σ=%g°: 95%% ellipses hold the truth %.1f%% of the time", sigma, 100*coverage)
		}
		if bias > 0.15*boundMedian {
			t.Errorf("σ=%g°: bias %.1f m", sigma, bias)
		}
	}
}

func mahalanobis(cov [2][2]float64, e, n float64) float64 {
	inv, _ := invert(cov)
	return e*(inv[0][0]*e+inv[0][1]*n) + n*(inv[1][0]*e+inv[1][1]*n)
}

// medianRadius is the median of |x| for x ~ N(0, cov), by numerical
// integration over the eigenvalues (a Hoyt distribution).
func medianRadius(cov [2][2]float64) float64 {
	el := ErrorEllipse(cov, 1)
	a, b := el.SemiMajorM, el.SemiMinorM
	// P(r ≤ R) by integrating the angle; find R by bisection.
	cdf := func(R float64) float64 {
		const steps = 2000
		sum := 0.0
		for i := range steps {
			th := (float64(i) + 0.5) * 2 * math.Pi / steps
			c, s := math.Cos(th), math.Sin(th)
			k := c*c/(a*a) + s*s/(b*b)
			sum += (1 - math.Exp(-R*R*k/2)) / k
		}
		return sum * (2 * math.Pi / steps) / (2 * math.Pi * a * b)
	}
	lo, hi := 0.0, 10*a
	for range 60 {
		mid := (lo + hi) / 2
		if cdf(mid) < 0.5 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

func TestErrorEllipse(t *testing.T) {
	cases := []struct {
		name               string
		cov                [2][2]float64
		major, minor, orin float64
	}{
		{"long east–west", [2][2]float64{{100, 0}, {0, 25}}, 10, 5, 90},
		{"long north–south", [2][2]float64{{25, 0}, {0, 100}}, 10, 5, 0},
		{"a circle", [2][2]float64{{16, 0}, {0, 16}}, 4, 4, 0},
		{"north-east", [2][2]float64{{50, 30}, {30, 50}}, math.Sqrt(80), math.Sqrt(20), 45},
		{"north-west", [2][2]float64{{50, -30}, {-30, 50}}, math.Sqrt(80), math.Sqrt(20), 135},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			el := ErrorEllipse(c.cov, 1)
			if math.Abs(el.SemiMajorM-c.major) > 1e-9 || math.Abs(el.SemiMinorM-c.minor) > 1e-9 || math.Abs(el.OrientationDeg-c.orin) > 1e-6 {
				t.Fatalf("%+v; want %.3f × %.3f @ %.0f°", el, c.major, c.minor, c.orin)
			}
		})
	}
}

func BenchmarkLocate(b *testing.B) {
	bs := bearingsTo(target, observers, 2)
	for i := range bs {
		bs[i].AzimuthDeg += 0.7 * float64(i%3-1)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := Locate(bs, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/event")
}

// TestLocateStartsWhereTheReportsAgree: two precise sight lines (one with
// a range) and a rough OSINT location ten kilometres off, from a
// simulated run: started from the rough location, Gauss–Newton settled
// three kilometres from where both lines cross; started from the
// crossing, it finds it.
func TestLocateStartsWhereTheReportsAgree(t *testing.T) {
	bs := []Bearing{
		{Observer: geo.Point{Lat: 48.51046, Lon: 37.82204}, AzimuthDeg: 337.1, SigmaDeg: 1.4, RangeM: 4640, RangeSigmaM: 705},
		{Observer: geo.Point{Lat: 48.56215, Lon: 37.79530}, AzimuthDeg: 179.7, SigmaDeg: 2},
	}
	fs := []Fix{{Point: geo.Point{Lat: 48.65630, Lon: 37.77660}, SigmaM: CEPToSigma(4200)}}
	est, err := Locate(bs, fs)
	if err != nil {
		t.Fatal(err)
	}
	if d := geo.DistanceM(est.Point, geo.Point{Lat: 48.5523, Lon: 37.7954}); d > 300 {
		t.Fatalf("placed at %v, %.0f m from where the lines cross", est.Point, d)
	}
}
