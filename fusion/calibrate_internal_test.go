package fusion

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestHonestMedian checks the medians calibration divides by against
// samples of χ² with as many degrees of freedom, and sourceFit's binned
// median against the exact one.
func TestHonestMedian(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, dof := range []int{1, 2, 3, 4, 5, 8} {
		t.Run("", func(t *testing.T) {
			const n = 100001
			xs := make([]float64, n)
			var f sourceFit
			for i := range xs {
				var c float64
				for range dof {
					z := r.NormFloat64()
					c += z * z
				}
				xs[i] = c / float64(dof)
				f.add(xs[i] / honestMedian(dof))
			}
			slices.Sort(xs)
			if got := xs[n/2] / honestMedian(dof); math.Abs(got-1) > 0.03 {
				t.Errorf("%d degrees of freedom: sample median / honestMedian = %.4f, want 1 ± 0.03", dof, got)
			}
			// The binned median is the middle of an eighth of a doubling.
			if got := f.median(); math.Abs(math.Log2(got)) > 1.0/calibBinsPer {
				t.Errorf("%d degrees of freedom: binned median %.4f, want 1 within a bin", dof, got)
			}
		})
	}
}
