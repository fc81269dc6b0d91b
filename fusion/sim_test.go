package fusion_test

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/evaluate"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/sim"
	"github.com/truce-mechanism/truce/sim/simtest"
)

// simulate runs a scenario and returns its reports in arrival order and
// its truth.
func simulate(t testing.TB, scenario string, seed uint64, d time.Duration, scale ...float64) ([]observation.Observation, *sim.Truth) {
	t.Helper()
	cfg := sim.Config{Scenario: scenario, Seed: seed, Duration: d}
	if len(scale) > 0 {
		cfg.Scale = scale[0]
	}
	return simulateConfig(t, cfg)
}

// simulateConfig runs the simulator on cfg and returns its reports in
// arrival order, parsed as the intake would, and its truth.
func simulateConfig(t testing.TB, cfg sim.Config) ([]observation.Observation, *sim.Truth) {
	t.Helper()
	return simtest.Run(t, cfg)
}

func fuseAll(obs []observation.Observation) []*fusion.Event {
	g := fusion.NewEngine(fusion.Config{})
	for i := range obs {
		g.Add(int64(i+1), &obs[i])
	}
	return g.Events()
}

// TestFusionIsReproducible pins invariant 3: the same reports in the same
// order give the same events, byte for byte — through merges, audits and
// reports placed again, which a dense escalation exercises.
func TestFusionIsReproducible(t *testing.T) {
	for _, scenario := range []string{"violations", "escalation"} {
		obs, _ := simulate(t, scenario, 3, 6*time.Hour)
		run := func() string {
			var b strings.Builder
			for _, e := range fuseAll(obs) {
				b.WriteString(render(e))
				b.WriteByte('\n')
			}
			return b.String()
		}
		if a, b := run(), run(); a != b {
			t.Fatalf("%s: two runs over the same reports differ", scenario)
		}
	}
}

// toEvaluate shows fused events the way GET /api/v1/events?tentative=include
// does, for the scorer (which leaves tentative ones out, as the default
// list does).
func toEvaluate(es []*fusion.Event) []evaluate.Event {
	out := make([]evaluate.Event, 0, len(es))
	for _, e := range es {
		v := evaluate.Event{ID: e.ID, Start: e.Start, End: e.End, Kind: string(e.Kind), Count: e.Count, Tentative: e.Tentative}
		if est, basis := e.Placed(); est != nil {
			v.Location, v.Error, v.LocationBasis = &evaluate.Point{Lat: est.Point.Lat, Lon: est.Point.Lon}, ellipse(est), string(basis)
		}
		if est, basis := e.PlacedOrigin(); est != nil {
			v.Origin = &evaluate.Origin{Lat: est.Point.Lat, Lon: est.Point.Lon, Error: ellipse(est), Basis: string(basis)}
		}
		for _, k := range e.Observations {
			v.Observations = append(v.Observations, evaluate.ReportKey{Source: k.Source, ID: k.ID})
		}
		out = append(out, v)
	}
	return out
}

// ellipse is the 95 % error ellipse of est as the API shows it.
func ellipse(est *fusion.Estimate) *evaluate.Ellipse {
	el := fusion.ErrorEllipse(est.Cov, fusion.Chi2_95)
	return &evaluate.Ellipse{SemiMajorM: el.SemiMajorM, SemiMinorM: el.SemiMinorM, OrientationDeg: el.OrientationDeg}
}

func num(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func logReport(t testing.TB, r evaluate.Report) {
	t.Helper()
	c := r.Counts
	t.Logf("%s seed %d: F1 %.3f (precision %.3f, recall %.3f); %d fused, %d observed true, %d matched, %d duplicates, %d spurious, %d missed; purity %.3f, completeness %.3f; location median %.0f m, %.2f× the Cramér–Rao bound (%d events), %.2f inside their 95 %% ellipse; %d on a sight line only: median %.0f m, %.2f inside",
		r.Scenario, r.Seed, num(r.F1), num(r.Precision), num(r.Recall), c.FusedEvents, c.ObservedTrueEvents, c.Matched, c.Duplicates, c.Spurious, c.Missed,
		num(r.AssociationPurity), num(r.AssociationCompleteness), num(r.LocMedianM), num(r.LocCRLBRatio), c.CRLBEvents, num(r.EllipseCoverage), c.Approximate, num(r.LocApproxMedianM), num(r.ApproxEllipseCoverage))
}

// TestFusionAgainstTruth scores association and localisation on simulated
// days against their ground truth with the scorer truce evaluate uses
// (evaluate.Score, MATCHING.md), over several seeds, so that a change that
// helps one war and hurts the others shows. The floors sit a little under
// what the engine reaches (docs/BENCHMARKS.md has the figures): they catch
// regressions, not the targets.
func TestFusionAgainstTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates six days")
	}
	for _, c := range []struct {
		scenario string
		seed     uint64
		minF1    float64
		maxRatio float64
	}{
		{"violations", 1, 0.94, 1.3},
		{"violations", 2, 0.94, 1.3},
		{"violations", 3, 0.94, 1.3},
		{"escalation", 1, 0.76, 1.3},
		{"escalation", 2, 0.74, 2.4},
		{"escalation", 3, 0.78, 2.0},
	} {
		t.Run(fmt.Sprintf("%s/%d", c.scenario, c.seed), func(t *testing.T) {
			obs, truth := simulate(t, c.scenario, c.seed, 24*time.Hour)
			events := fuseAll(obs)
			ids, held := map[string]bool{}, map[observation.Key]bool{}
			for _, e := range events {
				if ids[e.ID] {
					t.Fatalf("two events are %s", e.ID)
				}
				ids[e.ID] = true
				for _, k := range e.Observations {
					if held[k] {
						t.Fatalf("report %v is in two events", k)
					}
					held[k] = true
				}
			}
			if len(held) != len(obs) {
				t.Errorf("%d of %d reports are in an event", len(held), len(obs))
			}
			r := evaluate.Score(truth, toEvaluate(events), evaluate.Options{})
			logReport(t, r)
			if f1 := num(r.F1); !(f1 >= c.minF1) {
				t.Errorf("F1 %.3f, want at least %.2f", f1, c.minF1)
			}
			if ratio := num(r.LocCRLBRatio); !(ratio <= c.maxRatio) {
				t.Errorf("localisation %.2f× the Cramér–Rao bound, want at most %.1f", ratio, c.maxRatio)
			}
		})
	}
}

// BenchmarkFuse: association and localisation throughput on a simulated
// escalation (the reports decoded beforehand; fusion alone is timed).
// TRUCE_BENCH_SCALE sets its size (10, the default: about 50,000
// reports).
//
//	go test -run '^$' -bench Fuse -benchtime 1x ./fusion
func BenchmarkFuse(b *testing.B) {
	scale := 10.0
	if s := os.Getenv("TRUCE_BENCH_SCALE"); s != "" {
		var err error
		if scale, err = strconv.ParseFloat(s, 64); err != nil {
			b.Fatal(err)
		}
	}
	obs := benchObservations(b, scale)
	b.ResetTimer()
	var events int
	for range b.N {
		events = len(fuseAll(obs))
	}
	b.ReportMetric(float64(b.N*len(obs))/b.Elapsed().Seconds(), "obs/s")
	b.ReportMetric(float64(len(obs)), "observations")
	b.ReportMetric(float64(events), "events")
}

// benchObservations are BenchmarkFuse's reports: a day of the simulated
// escalation, seed 1, at the given scale, decoded.
func benchObservations(tb testing.TB, scale float64) []observation.Observation {
	tb.Helper()
	obs, _ := simtest.Run(tb, sim.Config{Scenario: "escalation", Seed: 1, Duration: 24 * time.Hour, Scale: scale})
	return obs
}
