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
// become final, and every event assessed under the demo agreement on the
// second core while fusion goes on (fusion.Live's pipeline) — and,
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
	// fuse runs as fusion.Live does: each batch of 5,000 reports fused in
	// ledger order, the events that became final snapshotted and handed to
	// another goroutine, which assesses them while fusion goes on (with a
	// nil assessor it only counts them: fusion alone).
	fuse := func(assessor *assess.Assessor) (events int, err error) {
		g := fusion.NewEngine(fusion.Config{})
		final := make(chan []fusion.Event, 2)
		type result struct {
			n   int
			err error
		}
		done := make(chan result)
		go func() {
			var r result
			for es := range final {
				for _, s := range es {
					r.n++
					if assessor != nil && r.err == nil {
						_, r.err = assessor.Assess(s, s.Reports, assess.NoReview)
					}
				}
			}
			done <- r
		}()
		hand := func(es []*fusion.Event) {
			snaps := make([]fusion.Event, len(es))
			for i, e := range es {
				snaps[i] = e.Snapshot()
			}
			final <- snaps
		}
		for i := range obs {
			g.Add(int64(i+1), &obs[i])
			if i%5000 == 4999 {
				hand(g.TakeFinal())
			}
		}
		hand(g.TakeFinal())
		hand(g.Events())
		close(final)
		r := <-done
		return r.n, r.err
	}
	b.ResetTimer()
	var fuseOnly, both time.Duration
	var events int
	for range b.N {
		t0 := time.Now()
		if _, err := fuse(nil); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		// A fresh assessor each round: its per-agreement preparation is
		// part of the cost.
		events, err = fuse(assess.New(versions, assess.Config{Sources: func(id string) (assess.SourceInfo, bool) { s, ok := reg[id]; return s, ok }}))
		if err != nil {
			b.Fatal(err)
		}
		fuseOnly, both = fuseOnly+t1.Sub(t0), both+time.Since(t1)
	}
	n := float64(b.N * len(obs))
	b.ReportMetric(n/both.Seconds(), "obs/s")
	b.ReportMetric(n/fuseOnly.Seconds(), "fuse_only_obs/s")
	b.ReportMetric(float64(len(obs)), "observations")
	b.ReportMetric(float64(events), "events")
}
