package fusion_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/observation"
)

// render writes everything an event shows, for comparisons.
func render(e *fusion.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %v %v n=%d v=%d s=%d %v %v %v tentative=%v p=%v", e.ID, e.Kind, e.Start, e.End, e.Count, e.Version, e.Sources, e.Marking, e.Observations, e.Replaces, e.Tentative, e.FalseAlarm)
	for _, est := range []*fusion.Estimate{e.Location, e.Origin} {
		if est != nil {
			fmt.Fprintf(&b, " %.9f %.9f %v", est.Point.Lat, est.Point.Lon, est.Cov)
		}
	}
	if e.Weapon != nil {
		fmt.Fprintf(&b, " %s", e.Weapon.Class)
	}
	return b.String()
}

// TestTakeFinal pins that retiring final events changes nothing but
// memory: over a long run with a short horizon, the events taken as they
// become final plus those still active are exactly the events of an
// engine that never retires, while the engine holds only a horizon's
// worth at any time.
func TestTakeFinal(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates five days")
	}
	obs, _ := simulate(t, "violations", 5, 5*24*time.Hour)
	cfg := fusion.Config{Horizon: 6 * time.Hour}

	whole := fusion.NewEngine(cfg)
	for i := range obs {
		whole.Add(int64(i+1), &obs[i])
	}
	want := map[string]string{}
	for _, e := range whole.Events() {
		want[e.ID] = render(e)
	}

	g := fusion.NewEngine(cfg)
	got := map[string]string{}
	peak, calls := 0, 0
	for i := range obs {
		g.Add(int64(i+1), &obs[i])
		if i%100 == 99 {
			calls++
			for _, e := range g.TakeFinal() {
				if _, dup := got[e.ID]; dup {
					t.Fatalf("event %s taken twice", e.ID)
				}
				got[e.ID] = render(e)
			}
		}
		peak = max(peak, len(g.Events()))
	}
	for _, e := range g.Events() {
		if _, dup := got[e.ID]; dup {
			t.Fatalf("event %s both taken and active", e.ID)
		}
		got[e.ID] = render(e)
	}
	if len(got) != len(want) {
		t.Errorf("%d events taken and active, want %d", len(got), len(want))
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("event %s:\n got %s\nwant %s", id, got[id], w)
			break
		}
	}
	tentative := 0
	for _, e := range whole.Events() {
		if e.Tentative {
			tentative++
		}
	}
	t.Logf("%d reports, %d events (%d tentative); at most %d active at once (horizon %v, TakeFinal every 100 reports, %d calls)",
		len(obs), len(want), tentative, peak, cfg.Horizon, calls)
	if tentative == 0 {
		t.Error("no event tentative: the comparison says nothing of when judgements are fixed")
	}
	if peak*3 > len(want) {
		t.Errorf("%d events active at once out of %d: memory is not bounded by the horizon", peak, len(want))
	}
}

// BenchmarkMemory: what the engine holds against the length of its
// window, on three simulated weeks of violations at three times the
// default scale, taking final events every 1,000 reports. heap-MB is the peak of
// the live heap the engine adds (after a collection, sampled every 5,000
// reports), active-events the most events held at once; the never-retire
// run is the baseline in the same process.
//
//	go test -run '^$' -bench Memory -benchtime 1x ./fusion
func BenchmarkMemory(b *testing.B) {
	obs, _ := simulate(b, "violations", 7, 21*24*time.Hour, 3)
	for _, c := range []struct {
		name    string
		horizon time.Duration
		retire  bool
	}{
		{"horizon=6h", 6 * time.Hour, true},
		{"horizon=24h", 24 * time.Hour, true},
		{"horizon=72h", 72 * time.Hour, true},
		{"horizon=72h/never-retire", 72 * time.Hour, false},
	} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				heap, active, total := fuseMeasured(obs, fusion.Config{Horizon: c.horizon}, c.retire)
				b.ReportMetric(heap/(1<<20), "heap-MB")
				b.ReportMetric(float64(active), "active-events")
				b.ReportMetric(float64(total), "events")
				b.ReportMetric(float64(len(obs)), "observations")
			}
		})
	}
}

func fuseMeasured(obs []observation.Observation, cfg fusion.Config, retire bool) (peakHeap float64, peakActive, total int) {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := float64(ms.HeapInuse)
	g := fusion.NewEngine(cfg)
	taken := 0
	for i := range obs {
		g.Add(int64(i+1), &obs[i])
		if retire && i%1000 == 999 {
			taken += len(g.TakeFinal()) // a store would keep them; here they go
		}
		if i%5000 == 4999 || i == len(obs)-1 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peakHeap = max(peakHeap, float64(ms.HeapInuse)-base)
			peakActive = max(peakActive, len(g.Events()))
		}
	}
	return peakHeap, peakActive, taken + len(g.Events())
}

// TestSnapshot: a snapshot shows what the event shows and keeps it while
// the engine goes on changing the event.
func TestSnapshot(t *testing.T) {
	obs, _ := simulate(t, "violations", 2, 3*time.Hour)
	g := fusion.NewEngine(fusion.Config{})
	half := len(obs) / 2
	for i := range obs[:half] {
		g.Add(int64(i+1), &obs[i])
	}
	before := map[string]string{}
	snaps := map[string]fusion.Event{}
	for _, e := range g.Events() {
		before[e.ID] = render(e)
		snaps[e.ID] = e.Snapshot()
	}
	for i := half; i < len(obs); i++ {
		g.Add(int64(i+1), &obs[i])
	}
	for id, s := range snaps {
		if got := render(&s); got != before[id] {
			t.Fatalf("snapshot of %s changed:\n got %s\nwant %s", id, got, before[id])
		}
	}
}
