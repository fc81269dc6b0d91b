package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/truce-mechanism/truce/store/sqlite"
	"github.com/truce-mechanism/truce/store/storetest"
)

// BenchmarkAppend measures durable intake into a fresh database: batches
// of 1,000 (the target: >= 100,000 obs/s including the fsync) and
// of 10,000.
//
//	go test -run '^$' -bench Append -benchtime 200x ./store/sqlite/
func BenchmarkAppend(b *testing.B) {
	for _, size := range []int{1000, 10_000} {
		b.Run(sizeName(size), func(b *testing.B) {
			s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			storetest.BenchmarkAppend(b, s, size)
		})
	}
}

func sizeName(n int) string {
	switch n {
	case 1000:
		return "batch1000"
	case 10_000:
		return "batch10000"
	}
	return "batch"
}

// BenchmarkQuery10M measures bbox + time window queries over ten million
// stored observations. Building the database takes minutes, so it runs
// only with TRUCE_BENCH_10M=1, and the database is kept for the next run
// at $TRUCE_BENCH_DATA (default: truce-bench-10m.db in the temporary
// directory):
//
//	TRUCE_BENCH_10M=1 go test -run '^$' -bench Query10M -benchtime 2000x -timeout 2h ./store/sqlite/
func BenchmarkQuery10M(b *testing.B) {
	if os.Getenv("TRUCE_BENCH_10M") == "" {
		b.Skip("set TRUCE_BENCH_10M=1 to build (once, minutes) and query a 10-million-observation database")
	}
	path := os.Getenv("TRUCE_BENCH_DATA")
	if path == "" {
		path = filepath.Join(os.TempDir(), "truce-bench-10m.db")
	}
	ctx := context.Background()
	complete := path + ".complete"
	if _, err := os.Stat(complete); err != nil {
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			os.Remove(p)
		}
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("building %s", path)
		if err := storetest.TenMillion.Load(ctx, s, 10_000, b.Logf); err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(complete, nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchmarkQueries(b, s, storetest.TenMillion)
}

// BenchmarkPutEvents measures durable appends of event versions into a
// fresh database, in batches of 1,000.
//
//	go test -run '^$' -bench PutEvents -benchtime 300x ./store/sqlite/
func BenchmarkPutEvents(b *testing.B) {
	s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.Run("batch1000", func(b *testing.B) { storetest.BenchmarkPutEvents(b, s, 1000) })
}

// BenchmarkEventQuery1M measures bbox + time window queries over a million
// stored events (1.9 million versions). Building the database takes a few
// minutes, so it runs only with TRUCE_BENCH_EVENTS=1, and the database is
// kept for the next run at $TRUCE_BENCH_EVENTS_DATA (default:
// truce-bench-1m-events.db in the temporary directory):
//
//	TRUCE_BENCH_EVENTS=1 go test -run '^$' -bench EventQuery1M -benchtime 2000x -timeout 1h ./store/sqlite/
func BenchmarkEventQuery1M(b *testing.B) {
	if os.Getenv("TRUCE_BENCH_EVENTS") == "" {
		b.Skip("set TRUCE_BENCH_EVENTS=1 to build (once, minutes) and query a database of a million events")
	}
	path := os.Getenv("TRUCE_BENCH_EVENTS_DATA")
	if path == "" {
		path = filepath.Join(os.TempDir(), "truce-bench-1m-events.db")
	}
	ctx := context.Background()
	complete := path + ".complete"
	if _, err := os.Stat(complete); err != nil {
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			os.Remove(p)
		}
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("building %s", path)
		if err := storetest.MillionEvents.LoadEvents(ctx, s, 1000, b.Logf); err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(complete, nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchmarkEventQueries(b, s, storetest.MillionEvents)
}
