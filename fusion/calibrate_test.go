package fusion_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/evaluate"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/sim"
)

// TestCalibration runs days whose sensors' true errors are a multiple of
// what they state: honest sources are left as they are, over-confident
// ones are widened by about their true factor, and fusion keeps its F1
// where, trusting them, it would split firings (docs/BENCHMARKS.md has
// the table; TestRobustness prints it).
func TestCalibration(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates three days")
	}
	for _, c := range []struct {
		scale          float64
		lo, hi         float64 // the widening of the sources
		minF1          float64
		minWidenedFrac float64
	}{
		{1, 1, 1, 0.91, 0},
		{1.5, 1.15, 2, 0.89, 0.8},
		{2, 1.5, 2.8, 0.89, 0.9},
	} {
		t.Run(fmt.Sprintf("sigma×%g", c.scale), func(t *testing.T) {
			obs, truth := simulateConfig(t, sim.Config{Scenario: "violations", Seed: 2, Duration: 24 * time.Hour, Errors: sim.ErrorModel{SigmaScale: c.scale}})
			g := fusion.NewEngine(fusion.Config{})
			sources := map[string]bool{}
			for i := range obs {
				g.Add(int64(i+1), &obs[i])
				sources[obs[i].Source] = true
			}
			widened := 0
			for s := range sources {
				k := g.SigmaScale(s)
				if k == 1 {
					continue
				}
				widened++
				if k < c.lo || k > c.hi {
					t.Errorf("source %s widened %.2f×, want %g–%g", s, k, c.lo, c.hi)
				}
			}
			if frac := float64(widened) / float64(len(sources)); frac < c.minWidenedFrac {
				t.Errorf("%.0f %% of sources widened, want at least %.0f %%", 100*frac, 100*c.minWidenedFrac)
			}
			r := evaluate.Score(truth, toEvaluate(g.Events()), evaluate.Options{})
			logReport(t, r)
			if f1 := num(r.F1); !(f1 >= c.minF1) {
				t.Errorf("F1 %.3f, want at least %.2f", f1, c.minF1)
			}
		})
	}
}
