package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/truce-mechanism/truce/store/postgres"
	"github.com/truce-mechanism/truce/store/storetest"
)

// BenchmarkAppend measures durable intake through COPY into a fresh
// schema: batches of 1,000 (the target: >= 50,000 obs/s) and of
// 10,000.
//
//	TRUCE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test -run '^$' -bench Append -benchtime 300x ./store/postgres/
func BenchmarkAppend(b *testing.B) {
	for _, c := range []struct {
		name string
		size int
	}{{"batch1000", 1000}, {"batch10000", 10_000}} {
		b.Run(c.name, func(b *testing.B) {
			s, err := postgres.Open(context.Background(), postgres.FreshSchema(b, ""))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			storetest.BenchmarkAppend(b, s, c.size)
		})
	}
}

// benchSchema holds the ten-million-observation dataset between runs.
const benchSchema = "truce_bench_10m"

// BenchmarkQuery10M measures bbox + time window queries over ten million
// stored observations. Loading them takes minutes, so it runs only with
// TRUCE_BENCH_10M=1; the data stays in the schema truce_bench_10m for the
// next run (DROP SCHEMA truce_bench_10m CASCADE to reclaim the space):
//
//	TRUCE_BENCH_10M=1 TRUCE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test -run '^$' -bench Query10M -benchtime 2000x -timeout 2h ./store/postgres/
func BenchmarkQuery10M(b *testing.B) {
	base := postgres.TestDSN(b)
	if os.Getenv("TRUCE_BENCH_10M") == "" {
		b.Skip("set TRUCE_BENCH_10M=1 to load (once, minutes) and query a 10-million-observation schema")
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close(ctx)
	var complete bool
	if err := admin.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", benchSchema+".bench_complete").Scan(&complete); err != nil {
		b.Fatal(err)
	}
	dsn := postgres.WithSearchPath(b, base, benchSchema)
	if !complete {
		if _, err := admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+benchSchema+" CASCADE; CREATE SCHEMA "+benchSchema); err != nil {
			b.Fatal(err)
		}
		s, err := postgres.Open(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("loading schema %s", benchSchema)
		if err := storetest.TenMillion.Load(ctx, s, 10_000, b.Logf); err != nil {
			b.Fatal(err)
		}
		s.Close()
		if _, err := admin.Exec(ctx, "ANALYZE "+benchSchema+".observations; CREATE TABLE "+benchSchema+".bench_complete ()"); err != nil {
			b.Fatal(err)
		}
	}
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchmarkQueries(b, s, storetest.TenMillion)
}

// BenchmarkPutEvents measures durable appends of event versions into a
// fresh schema, in batches of 1,000.
//
//	TRUCE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test -run '^$' -bench PutEvents -benchtime 300x ./store/postgres/
func BenchmarkPutEvents(b *testing.B) {
	s, err := postgres.Open(context.Background(), postgres.FreshSchema(b, ""))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.Run("batch1000", func(b *testing.B) { storetest.BenchmarkPutEvents(b, s, 1000) })
}

// eventBenchSchema holds the million-event dataset between runs.
const eventBenchSchema = "truce_bench_1m_events"

// BenchmarkEventQuery1M measures bbox + time window queries over a million
// stored events (1.9 million versions). Loading them takes minutes, so it
// runs only with TRUCE_BENCH_EVENTS=1; the data stays in the schema
// truce_bench_1m_events for the next run (DROP SCHEMA
// truce_bench_1m_events CASCADE to reclaim the space):
//
//	TRUCE_BENCH_EVENTS=1 TRUCE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test -run '^$' -bench EventQuery1M -benchtime 2000x -timeout 1h ./store/postgres/
func BenchmarkEventQuery1M(b *testing.B) {
	base := postgres.TestDSN(b)
	if os.Getenv("TRUCE_BENCH_EVENTS") == "" {
		b.Skip("set TRUCE_BENCH_EVENTS=1 to load (once, minutes) and query a schema of a million events")
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close(ctx)
	var complete bool
	if err := admin.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", eventBenchSchema+".bench_complete").Scan(&complete); err != nil {
		b.Fatal(err)
	}
	dsn := postgres.WithSearchPath(b, base, eventBenchSchema)
	if !complete {
		if _, err := admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+eventBenchSchema+" CASCADE; CREATE SCHEMA "+eventBenchSchema); err != nil {
			b.Fatal(err)
		}
		s, err := postgres.Open(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("loading schema %s", eventBenchSchema)
		if err := storetest.MillionEvents.LoadEvents(ctx, s, 1000, b.Logf); err != nil {
			b.Fatal(err)
		}
		s.Close()
		if _, err := admin.Exec(ctx, "VACUUM ANALYZE "+eventBenchSchema+".events_latest"); err != nil {
			b.Fatal(err)
		}
		if _, err := admin.Exec(ctx, "ANALYZE "+eventBenchSchema+".event_versions; CREATE TABLE "+eventBenchSchema+".bench_complete ()"); err != nil {
			b.Fatal(err)
		}
	}
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchmarkEventQueries(b, s, storetest.MillionEvents)
}
