package fusion_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store/sqlite"
)

// liveDay stores a simulated day of reports in a fresh SQLite store:
// enough for Live to read in several batches.
func liveDay(t *testing.T) ([]observation.Observation, *sqlite.Store) {
	t.Helper()
	ctx := context.Background()
	obs, _ := simulate(t, "violations", 2, 30*time.Hour, 8) // about 13,000 reports: three batches
	st, err := sqlite.Open(ctx, t.TempDir()+"/truce.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for i := 0; i < len(obs); i += 1000 {
		if _, err := st.AppendObservations(ctx, obs[i:min(i+1000, len(obs))], time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
	}
	return obs, st
}

// shape is what a test compares of an event.
func shape(e fusion.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s v%d %s", e.ID, e.Version, e.Start.Format(time.RFC3339Nano))
	for _, k := range e.Observations {
		b.WriteString(" " + k.Source + "/" + k.ID)
	}
	return b.String()
}

// TestLiveCatchUp: Live reads, fuses and persists in a pipeline, and
// what it gives — the events persisted, then those it still holds — is
// what one engine makes of the same reports in the same order, each
// event once; when storing fails, nothing is lost: the events not
// persisted stay served and are offered again by the next CatchUp.
func TestLiveCatchUp(t *testing.T) {
	obs, st := liveDay(t)
	// A horizon of two hours, so that most of the day becomes final.
	cfg := fusion.Config{Horizon: 2 * time.Hour}
	g := fusion.NewEngine(cfg)
	for i := range obs {
		g.Add(int64(i+1), &obs[i])
	}
	var want []string
	for _, e := range g.TakeFinal() {
		want = append(want, shape(e.Snapshot()))
	}
	for _, e := range g.Events() {
		want = append(want, shape(e.Snapshot()))
	}
	sorted := slices.Sorted(slices.Values(want))
	for _, c := range []struct {
		name     string
		failures int // Persist calls that fail before it works
	}{{"storing works", 0}, {"storing fails twice", 2}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			live := fusion.NewLive(st, intake.ResolveMGRS, cfg)
			var mu sync.Mutex
			var persisted []string
			persistedReports := 0
			failures := c.failures
			live.Persist = func(_ context.Context, final []fusion.Event) error {
				mu.Lock()
				defer mu.Unlock()
				if failures > 0 {
					failures--
					return errors.New("disk full")
				}
				for _, e := range final {
					persisted = append(persisted, shape(e))
					persistedReports += len(e.Observations)
				}
				return nil
			}
			n, err := live.CatchUp(ctx)
			fused := n
			for range c.failures {
				if err == nil || !strings.Contains(err.Error(), "disk full") {
					t.Fatalf("CatchUp with a failing store: %v", err)
				}
				// Nothing is lost: every report fused so far is in an
				// event still served.
				reports := persistedReports
				for _, e := range live.Events() {
					reports += len(e.Observations)
				}
				if reports != fused {
					t.Fatalf("%d reports in events served or persisted, %d fused", reports, fused)
				}
				n, err = live.CatchUp(ctx)
				fused += n
			}
			if err != nil {
				t.Fatal(err)
			}
			if fused != len(obs) {
				t.Fatalf("fused %d of %d reports", fused, len(obs))
			}
			got := slices.Clone(persisted)
			if len(got) == 0 {
				t.Fatal("nothing became final: the day is shorter than the horizon")
			}
			held := live.Events()
			for _, e := range held {
				got = append(got, shape(e))
			}
			// Persisted batch by batch, each in order: the same events.
			slices.Sort(got)
			if !slices.Equal(got, sorted) {
				t.Fatalf("Live gave %d events (%d persisted), one engine %d; first difference at %d", len(got), len(persisted), len(want), firstDiff(got, sorted))
			}
		})
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
