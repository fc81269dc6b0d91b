package fusion_test

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/sim"
)

// simulate runs a scenario and returns its reports in arrival order and
// its truth.
func simulate(t testing.TB, scenario string, seed uint64, d time.Duration) ([]observation.Observation, *sim.Truth) {
	t.Helper()
	res, err := sim.Run(sim.Config{Scenario: scenario, Seed: seed, Duration: d})
	if err != nil {
		t.Fatal(err)
	}
	var obsBuf, truthBuf bytes.Buffer
	if err := res.WriteObservations(&obsBuf); err != nil {
		t.Fatal(err)
	}
	if err := res.WriteTruth(&truthBuf); err != nil {
		t.Fatal(err)
	}
	truth, err := sim.ReadTruth(&truthBuf)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := observation.Decode(observation.MediaNDJSON, obsBuf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]observation.Observation, len(docs))
	for i, d := range docs {
		o, errs := observation.Parse(d, now, intake.ResolveMGRS)
		if len(errs) > 0 {
			t.Fatalf("report %d: %v", i, errs[0])
		}
		out[i] = o
	}
	return out, truth
}

func fuseAll(obs []observation.Observation) []*fusion.Event {
	g := fusion.NewEngine(fusion.Config{})
	for i := range obs {
		g.Add(int64(i+1), &obs[i])
	}
	return g.Events()
}

// TestFusionIsReproducible pins invariant 3: the same reports in the same
// order give the same events, byte for byte.
func TestFusionIsReproducible(t *testing.T) {
	obs, _ := simulate(t, "violations", 3, 6*time.Hour)
	render := func(es []*fusion.Event) string {
		var b strings.Builder
		for _, e := range es {
			fmt.Fprintf(&b, "%s %s %v %v %d %v", e.ID, e.Kind, e.Start, e.End, e.Count, e.Observations)
			if e.Location != nil {
				fmt.Fprintf(&b, " %.9f %.9f %v", e.Location.Point.Lat, e.Location.Point.Lon, e.Location.Cov)
			}
			b.WriteByte('\n')
		}
		return b.String()
	}
	a, b := render(fuseAll(obs)), render(fuseAll(obs))
	if a != b {
		t.Fatal("two runs over the same reports differ")
	}
}

// TestFusionAgainstTruth measures association and localisation on a
// simulated day against its ground truth, the way truce evaluate does
// (majority matching; see evaluate/MATCHING.md).
func TestFusionAgainstTruth(t *testing.T) {
	for _, scenario := range []string{"violations", "escalation"} {
		t.Run(scenario, func(t *testing.T) {
			obs, truth := simulate(t, scenario, 11, 12*time.Hour)
			events := fuseAll(obs)
			owner := map[observation.Key]string{} // report → true event ("" spurious)
			trueLoc := map[string]geo.Point{}
			observed := 0
			for _, e := range truth.Events {
				trueLoc[e.ID] = geo.Point{Lat: e.Location.Lat, Lon: e.Location.Lon}
				if e.Observed {
					observed++
				}
				for _, r := range e.Observations {
					owner[observation.Key{Source: r.Source, ID: r.ID}] = e.ID
				}
			}
			matchedTrue := map[string]bool{}
			tp, fp := 0, 0
			var locErr []float64
			for _, ev := range events {
				votes := map[string]int{}
				for _, k := range ev.Observations {
					votes[owner[k]]++
				}
				best, n := "", 0
				for id, v := range votes {
					if v > n || v == n && id < best {
						best, n = id, v
					}
				}
				if best == "" || matchedTrue[best] {
					fp++
					continue
				}
				matchedTrue[best] = true
				tp++
				if ev.Location != nil {
					locErr = append(locErr, geo.DistanceM(ev.Location.Point, trueLoc[best]))
				}
			}
			precision := float64(tp) / float64(tp+fp)
			recall := float64(tp) / float64(observed)
			f1 := 2 * precision * recall / (precision + recall)
			sort.Float64s(locErr)
			median := math.NaN()
			if len(locErr) > 0 {
				median = locErr[len(locErr)/2]
			}
			t.Logf("%s: %d reports, %d true events observed, %d fused: precision %.3f recall %.3f F1 %.3f; located %d, median error %.0f m",
				scenario, len(obs), observed, len(events), precision, recall, f1, len(locErr), median)
			_ = slices.Contains[[]string]
		})
	}
}

// BenchmarkFuse: association and localisation throughput on a simulated
// escalation (the reports decoded beforehand; fusion alone is timed).
//
//	go test -run '^$' -bench Fuse -benchtime 1x ./fusion
func BenchmarkFuse(b *testing.B) {
	res, err := sim.Run(sim.Config{Scenario: "escalation", Seed: 1, Duration: 24 * time.Hour, Scale: 10})
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := res.WriteObservations(&buf); err != nil {
		b.Fatal(err)
	}
	docs, err := observation.Decode(observation.MediaNDJSON, buf.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	obs := make([]observation.Observation, len(docs))
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, d := range docs {
		o, errs := observation.Parse(d, now, intake.ResolveMGRS)
		if len(errs) > 0 {
			b.Fatal(errs[0])
		}
		obs[i] = o
	}
	b.ResetTimer()
	var events int
	for range b.N {
		events = len(fuseAll(obs))
	}
	b.ReportMetric(float64(b.N*len(obs))/b.Elapsed().Seconds(), "obs/s")
	b.ReportMetric(float64(len(obs)), "observations")
	b.ReportMetric(float64(events), "events")
}
