package ledger_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/transparency-dev/tessera"
	"github.com/transparency-dev/tessera/storage/posix"

	"github.com/truce-mechanism/truce/ledger"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/storetest"
)

// The ledger's throughput, both ways in one run (docs/BENCHMARKS.md):
//
//	go test -run '^$' -bench 'Ledger' -benchtime 3x ./ledger/
//
// BenchmarkLedgerOneEntryPerRecord is the baseline: Tessera's POSIX driver
// with one log entry per record (batches of 1,024, no antispam), what a
// log without batch commitments would do. BenchmarkLedgerBatched is the
// committer: records read from the store, hashed, one entry per 4,096.
const benchRecords = 200_000

func BenchmarkLedgerOneEntryPerRecord(b *testing.B) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		dir := b.TempDir()
		key, err := ledger.LoadOrCreateKey(filepath.Join(dir, "k"), "bench.invalid/log")
		if err != nil {
			b.Fatal(err)
		}
		driver, err := posix.New(ctx, posix.Config{Path: filepath.Join(dir, "log")})
		if err != nil {
			b.Fatal(err)
		}
		bg, cancel := context.WithCancel(ctx)
		app, shutdown, _, err := tessera.NewAppender(bg, driver, tessera.NewAppendOptions().
			WithCheckpointSigner(key.Signer).WithCheckpointInterval(time.Second).
			WithBatching(1024, 100*time.Millisecond).WithPushback(benchRecords))
		if err != nil {
			b.Fatal(err)
		}
		// A record's commitment is what each entry would hold.
		entries := make([][]byte, benchRecords)
		for i := range entries {
			entries[i] = ledger.CommitCanonical(ledger.TypeObservation, fmt.Sprintf("src/%d", i), []byte(fmt.Sprint(i))).LeafInput()
		}
		b.StartTimer()
		futures := make([]tessera.IndexFuture, len(entries))
		for i, e := range entries {
			futures[i] = app.Add(ctx, tessera.NewEntry(e))
		}
		for _, f := range futures {
			if _, err := f(); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		if err := shutdown(ctx); err != nil {
			b.Fatal(err)
		}
		cancel()
	}
	b.ReportMetric(float64(b.N*benchRecords)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkLedgerBatched/read-back reads every record back from the store
// (a restart's catch-up); /handed-over takes them as intake offers them
// (truce serve's normal path; offering is timed too).
func BenchmarkLedgerBatched(b *testing.B) {
	b.Run("read-back", func(b *testing.B) { benchBatched(b, false) })
	b.Run("handed-over", func(b *testing.B) { benchBatched(b, true) })
}

func benchBatched(b *testing.B, offer bool) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		f := open(b, b.TempDir())
		f.c.BatchSize = ledger.DefaultBatchSize
		g := storetest.NewGenerator(11, storetest.Base, 24*time.Hour)
		var stored [][]store.Stored
		for range benchRecords / 10_000 {
			s, err := f.st.AppendObservations(ctx, g.Batch(10_000), storetest.Base)
			if err != nil {
				b.Fatal(err)
			}
			stored = append(stored, s)
		}
		b.StartTimer()
		if offer {
			for _, s := range stored {
				f.c.OfferObservations(s)
			}
		}
		n, err := f.c.CommitPending(ctx)
		if err != nil || n != benchRecords {
			b.Fatalf("committed %d, %v", n, err)
		}
		b.StopTimer()
		f.close()
	}
	b.ReportMetric(float64(b.N*benchRecords)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkProve: a record's two-level proof against the latest
// checkpoint, from the store's batch row and the log's tiles (target:
// under 1 ms), and its offline verification.
func BenchmarkProve(b *testing.B) {
	ctx := context.Background()
	f := open(b, b.TempDir())
	f.c.BatchSize = ledger.DefaultBatchSize
	g := storetest.NewGenerator(12, storetest.Base, 24*time.Hour)
	var recs []observation.Record
	for range 20 {
		recs = append(recs, f.append(b, g, 10_000)...)
	}
	if _, err := f.c.CommitPending(ctx); err != nil {
		b.Fatal(err)
	}
	size, _ := f.log.Size(ctx)
	f.waitCheckpoint(b, size)
	commits := make([]ledger.Commitment, len(recs))
	for i, r := range recs {
		commits[i] = ledger.CommitCanonical(ledger.TypeObservation, ledger.ObservationKey(r.Key()), r.Document)
	}
	b.Run("prove", func(b *testing.B) {
		for i := range b.N {
			j := (i * 7919) % len(recs)
			if _, err := ledger.Prove(ctx, f.log, f.st, commits[j], recs[j].Sequence); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/proof")
	})
	p, err := ledger.Prove(ctx, f.log, f.st, commits[123], recs[123].Sequence)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("verify", func(b *testing.B) {
		for range b.N {
			if _, err := p.Verify(f.key.Verifier, recs[123].Document); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/verify")
	})
}
