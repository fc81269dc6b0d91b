package assess

import (
	"math"
	"sort"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/geo"
)

func demoPrepared(t testing.TB) *prepared {
	t.Helper()
	a, err := agreement.Demo()
	if err != nil {
		t.Fatal(err)
	}
	p, err := prepare(a)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// referenceQuadrature is the fine rule the default is measured against:
// at least 1024 pieces of 5 Gauss–Legendre nodes, edges out to 7 σ (on
// TestQuadratureCorner's corners it is exact to 1e-15);
// TestReferenceAgainstGrid checks it with code it shares nothing with.
var referenceQuadrature = quadrature{rays: 1024, gauss: 5, rhoMax: 7}

// demoCases are places near the demo agreement's boundaries — along the
// line of contact, at the end of the line where it meets the state border
// (three regions: UKR, RUS, and Russia's own ground beyond), on the
// Dnipro — with ellipses from a radar fix (150 m) to two long sight lines
// (10 km by 1 km).
func demoCases(t testing.TB, p *prepared) (points []geo.Point, covs [][2][2]float64) {
	contact := p.a.Line("contact")
	if contact == nil {
		t.Fatal("the demo agreement has no line of contact")
	}
	main := contact.Parts[0]
	for _, i := range []int{0, 40, 90, 150, 183, 240, 300, len(main) - 1} {
		v := main[i]
		for _, off := range [][2]float64{{0, 0}, {400, -300}, {-1500, 2500}} {
			tp := geo.NewTangent(v)
			points = append(points, tp.FromENU(off[0], off[1]))
		}
	}
	covs = [][2][2]float64{covOf(150, 150, 0), covOf(800, 400, 30), covOf(3000, 1000, 120), covOf(10000, 1000, 75)}
	return points, covs
}

// TestQuadratureDemoAgainstReference measures the default rule on the
// demo agreement's real boundaries against the fine reference, and its
// cost in boundary queries and time.
func TestQuadratureDemoAgainstReference(t *testing.T) {
	if testing.Short() {
		t.Skip("the reference takes a second or two")
	}
	p := demoPrepared(t)
	reg := p.areas
	points, covs := demoCases(t, p)
	var errs []float64
	var queries []int
	var elapsed time.Duration
	for _, pt := range points {
		for _, cov := range covs {
			ref, _ := referenceQuadrature.integrate(reg, pt, cov)
			start := time.Now()
			got, q := defaultQuadrature.integrate(reg, pt, cov)
			elapsed += time.Since(start)
			queries = append(queries, q)
			worst := 0.0
			for _, party := range []string{"UKR", "RUS", ""} {
				worst = max(worst, math.Abs(get(got, party)-get(ref, party)))
			}
			errs = append(errs, worst)
			if worst > 5e-4 {
				t.Errorf("at %v with σ %v: %v, reference %v", pt, cov, got, ref)
			}
		}
	}
	sort.Float64s(errs)
	sort.Ints(queries)
	t.Logf("%d cases: error median %.1e, p90 %.1e, max %.1e; queries median %d, max %d; %.1f µs per integration",
		len(errs), errs[len(errs)/2], errs[len(errs)*9/10], errs[len(errs)-1], queries[len(queries)/2], queries[len(queries)-1],
		float64(elapsed.Microseconds())/float64(len(errs)))
}

// TestReferenceAgainstGrid checks the reference itself with a method that
// shares none of its code: the normal mapped to the unit square (mass
// coordinate u = 1 − e^(−ρ²/2), angle θ), where it is uniform, and a
// midpoint grid of controlling-party lookups.
func TestReferenceAgainstGrid(t *testing.T) {
	if testing.Short() {
		t.Skip("the grid takes a second")
	}
	p := demoPrepared(t)
	reg := p.areas
	points, covs := demoCases(t, p)
	for _, c := range []struct{ pt, cov int }{{1, 1}, {13, 2}, {22, 3}} {
		pt, cov := points[c.pt], covs[c.cov]
		ref, _ := referenceQuadrature.integrate(reg, pt, cov)
		grid := gridIntegrate(p.a, pt, cov, 600, 720)
		for _, party := range []string{"UKR", "RUS", ""} {
			if d := math.Abs(get(ref, party) - grid[party]); d > 2e-3 {
				t.Errorf("at %v: %q reference %.5f, grid %.5f", pt, party, get(ref, party), grid[party])
			}
		}
		t.Logf("at %v: reference UKR %.5f RUS %.5f none %.5f; grid UKR %.5f RUS %.5f none %.5f",
			pt, get(ref, "UKR"), get(ref, "RUS"), get(ref, ""), grid["UKR"], grid["RUS"], grid[""])
	}
}

func gridIntegrate(a *agreement.Agreement, mean geo.Point, cov [2][2]float64, nu, nt int) map[string]float64 {
	l1, l2, u1, u2 := eigen(cov)
	tp := geo.NewTangent(mean)
	out := map[string]float64{}
	w := 1 / float64(nu*nt)
	for i := range nu {
		u := (float64(i) + 0.5) / float64(nu)
		rho := math.Sqrt(-2 * math.Log(1-u))
		for j := range nt {
			th := 2 * math.Pi * (float64(j) + 0.5) / float64(nt)
			x, y := rho*math.Cos(th)*math.Sqrt(l1), rho*math.Sin(th)*math.Sqrt(l2)
			e, n := x*u1[0]+y*u2[0], x*u1[1]+y*u2[1]
			out[a.ControllingParty(tp.FromENU(e, n))] += w
		}
	}
	return out
}

// BenchmarkIntegrate: one integration near the demo agreement's
// boundaries (the cases of TestQuadratureDemoAgainstReference in turn).
func BenchmarkIntegrate(b *testing.B) {
	p := demoPrepared(b)
	points, covs := demoCases(b, p)
	b.ResetTimer()
	for i := range b.N {
		k := i % (len(points) * len(covs))
		defaultQuadrature.integrate(p.areas, points[k/len(covs)], covs[k%len(covs)])
	}
}
