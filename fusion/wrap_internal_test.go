package fusion

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestWrapRadIsModulo pins wrapRad's direct cases to the math.Mod it
// stands in for, bit for bit, over the residuals the gates and fits take
// and at the edges of the turns.
func TestWrapRadIsModulo(t *testing.T) {
	byMod := func(a float64) float64 {
		a = math.Mod(a+math.Pi, 2*math.Pi)
		if a < 0 {
			a += 2 * math.Pi
		}
		return a - math.Pi
	}
	const turn = 2 * math.Pi
	cases := []float64{0, math.Copysign(0, -1), math.Pi, -math.Pi, turn, -turn, 3 * math.Pi, -3 * math.Pi, 1e-300, math.Inf(1), math.NaN()}
	for _, edge := range []float64{-math.Pi, turn - math.Pi, 2*turn - math.Pi, 3 * math.Pi} {
		// a few ulps either side of where x = a + π meets a turn
		up, down := edge, edge
		for range 4 {
			up, down = math.Nextafter(up, math.Inf(1)), math.Nextafter(down, math.Inf(-1))
			cases = append(cases, up, down)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1_000_000 {
		cases = append(cases, (r.Float64()*8-3)*math.Pi, r.Float64()*turn-r.Float64()*math.Pi)
	}
	for _, a := range cases {
		if got, want := wrapRad(a), byMod(a); math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("wrapRad(%v) = %v, math.Mod gives %v", a, got, want)
		}
	}
}
