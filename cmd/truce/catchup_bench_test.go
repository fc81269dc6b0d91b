package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/sim"
	"github.com/truce-mechanism/truce/sim/simtest"
)

// BenchmarkCatchUp: what truce serve does with reports already stored —
// read them back in ledger order, decode, fuse, assess the events that
// become final and store them — over a simulated escalation day in the
// embedded store. TRUCE_BENCH_SCALE sets its density (10, the default:
// about 50,000 reports).
//
//	go test -run '^$' -bench CatchUp -benchtime 1x ./cmd/truce
func BenchmarkCatchUp(b *testing.B) {
	scale := 10.0
	if s := os.Getenv("TRUCE_BENCH_SCALE"); s != "" {
		var err error
		if scale, err = strconv.ParseFloat(s, 64); err != nil {
			b.Fatal(err)
		}
	}
	obs, _ := simtest.Run(b, sim.Config{Scenario: "escalation", Seed: 1, Duration: 24 * time.Hour, Scale: scale})
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var final int
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		st, err := openStore(ctx, b.TempDir(), "")
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < len(obs); i += 5000 {
			if _, err := st.AppendObservations(ctx, obs[i:min(i+5000, len(obs))], time.Now()); err != nil {
				b.Fatal(err)
			}
		}
		versions := storeDemoAgreement(b, st, log)
		pipe := newEventPipeline(st, versions, newSourceBook(st), log)
		// A day is shorter than the default horizon: events become final
		// two hours after their last report, so that most are stored.
		live := fusion.NewLive(st, intake.ResolveMGRS, fusion.Config{Horizon: 2 * time.Hour})
		final = 0
		live.Persist = func(ctx context.Context, es []fusion.Event) error {
			final += len(es)
			return pipe.persist(ctx, es)
		}
		b.StartTimer()
		if _, err := live.CatchUp(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*len(obs))/b.Elapsed().Seconds(), "obs/s")
	b.ReportMetric(float64(len(obs)), "observations")
	b.ReportMetric(float64(final), "stored_events")
}
