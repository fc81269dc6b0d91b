package assess_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/assess"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/sim"
	"github.com/truce-mechanism/truce/sim/simtest"
)

// BenchmarkFuseAndAssess measures the mechanism's core as the server runs
// it: every report fused in ledger order, final events taken as they
// become final, and every event assessed under the demo agreement — and,
// in the same run, fusion alone, the baseline the assessment's cost is
// read against. The scenario is the simulator's escalation;
// TRUCE_BENCH_SCALE sets its density (10: about 50,000 reports a day; 132:
// about a million a day, a front ablaze) and TRUCE_BENCH_DAYS its length
// (1 by default; 20 at scale 10 is a million reports at the density of a
// heavy day).
func BenchmarkFuseAndAssess(b *testing.B) {
	scale, days := 10.0, 1.0
	for _, v := range []struct {
		name string
		to   *float64
	}{{"TRUCE_BENCH_SCALE", &scale}, {"TRUCE_BENCH_DAYS", &days}} {
		if s := os.Getenv(v.name); s != "" {
			var err error
			if *v.to, err = strconv.ParseFloat(s, 64); err != nil {
				b.Fatalf("%s: %v", v.name, err)
			}
		}
	}
	obs, truth := simtest.Run(b, sim.Config{Scenario: "escalation", Seed: 1, Duration: time.Duration(days * float64(24*time.Hour)), Scale: scale})
	reg := map[string]assess.SourceInfo{}
	for _, s := range truth.Sensors {
		reg[s.Source] = assess.SourceInfo{Kind: s.Kind, Org: s.Org, Grading: s.Grading}
	}
	demo, err := agreement.Demo()
	if err != nil {
		b.Fatal(err)
	}
	versions, err := agreement.NewVersions(demo)
	if err != nil {
		b.Fatal(err)
	}
	fuse := func(assessor *assess.Assessor) (events int) {
		g := fusion.NewEngine(fusion.Config{})
		judge := func(es []*fusion.Event) {
			for _, e := range es {
				events++
				if assessor != nil {
					s := e.Snapshot()
					if _, err := assessor.Assess(s, s.Reports, assess.NoReview); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
		for i := range obs {
			g.Add(int64(i+1), &obs[i])
			if i%5000 == 4999 { // as fusion.Live does after each batch
				judge(g.TakeFinal())
			}
		}
		judge(g.TakeFinal())
		judge(g.Events())
		return events
	}
	b.ResetTimer()
	var fuseOnly, both time.Duration
	var events int
	for range b.N {
		t0 := time.Now()
		fuse(nil)
		t1 := time.Now()
		// A fresh assessor each round: its per-agreement preparation is
		// part of the cost.
		events = fuse(assess.New(versions, assess.Config{Sources: func(id string) (assess.SourceInfo, bool) { s, ok := reg[id]; return s, ok }}))
		fuseOnly, both = fuseOnly+t1.Sub(t0), both+time.Since(t1)
	}
	n := float64(b.N * len(obs))
	b.ReportMetric(n/both.Seconds(), "obs/s")
	b.ReportMetric(n/fuseOnly.Seconds(), "fuse_only_obs/s")
	b.ReportMetric(float64(len(obs)), "observations")
	b.ReportMetric(float64(events), "events")
}
