package storetest

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/store"
)

// BenchmarkAppend appends b.N batches of size generated observations to s
// and reports observations per second, durable commit included (each
// AppendObservations returns only once its batch is on disk). Generating
// the batches is not timed.
func BenchmarkAppend(b *testing.B, s store.Store, size int) {
	ctx := context.Background()
	// The stream of the TenMillion dataset: reports in near time order,
	// at ten million a year. (At a rate a hundred times higher, each batch
	// lands in a much denser stretch of the place index and touches more
	// of its pages; see BENCHMARKS.md.)
	g := NewStream(uint64(size), TenMillion.Start, TenMillion.Span, TenMillion.N, Lateness)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		batch := g.Batch(size)
		b.StartTimer()
		if _, err := s.AppendObservations(ctx, batch, Base); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	n := float64(b.N * size)
	b.ReportMetric(n/b.Elapsed().Seconds(), "obs/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/obs")
}

// Dataset is generated data for volume benchmarks.
type Dataset struct {
	Seed  uint64
	N     int
	Start time.Time
	Span  time.Duration
}

// TenMillion is the volume: ten million observations over a year
// of Donbas, about 110 in a 20 × 20 km box on a given day, loaded in the
// order they would have arrived (up to six hours late).
var TenMillion = Dataset{Seed: 2026, N: 10_000_000, Start: Base, Span: 365 * 24 * time.Hour}

// Lateness is how late a dataset's reports may arrive.
const Lateness = 6 * time.Hour

// Load appends the dataset to s in batches, reporting progress to logf
// every million.
func (d Dataset) Load(ctx context.Context, s store.Store, batch int, logf func(format string, args ...any)) error {
	g := NewStream(d.Seed, d.Start, d.Span, d.N, Lateness)
	start := time.Now()
	for done := 0; done < d.N; {
		n := min(batch, d.N-done)
		if _, err := s.AppendObservations(ctx, g.Batch(n), d.Start.Add(d.Span)); err != nil {
			return fmt.Errorf("loading the dataset at %d: %w", done, err)
		}
		prev := done
		done += n
		if done/1_000_000 != prev/1_000_000 || done == d.N {
			el := time.Since(start)
			logf("loaded %d of %d observations in %v (%.0f obs/s)", done, d.N, el.Round(time.Second), float64(done)/el.Seconds())
		}
	}
	return nil
}

// QueryShape is a kind of query the operating picture makes.
type QueryShape struct {
	Name   string
	BoxKM  float64       // side of the square box; 0 for no box
	Window time.Duration // 0 for no time bound
	Limit  int
}

// QueryShapes are the benchmarked queries. The first is the target
// (p99 < 20 ms over ten million observations).
var QueryShapes = []QueryShape{
	{"box20km_24h_limit1000", 20, 24 * time.Hour, 1000},
	{"box20km_7d_limit1000", 20, 7 * 24 * time.Hour, 1000},
	{"box100km_24h_limit1000", 100, 24 * time.Hour, 1000},
	{"box20km_latest100", 20, 0, 100},
	{"nobox_24h_limit1000", 0, 24 * time.Hour, 1000},
}

// BenchmarkQueries runs each shape at random places in Donbas and random
// times in the dataset's span, and reports the median and 99th percentile
// latency and the mean number of records returned. Use a fixed iteration
// count (-benchtime=2000x) for a stable p99.
func BenchmarkQueries(b *testing.B, s store.Store, d Dataset) {
	for _, shape := range QueryShapes {
		b.Run(shape.Name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(d.Seed, 99))
			queries := make([]store.ObservationQuery, b.N)
			for i := range queries {
				queries[i] = shape.random(rng, d)
			}
			lat := make([]time.Duration, 0, b.N)
			rows := 0
			ctx := context.Background()
			b.ResetTimer()
			for i := range b.N {
				t0 := time.Now()
				recs, _, err := s.Observations(ctx, queries[i])
				lat = append(lat, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				rows += len(recs)
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(ms(percentile(lat, 0.50)), "p50_ms")
			b.ReportMetric(ms(percentile(lat, 0.99)), "p99_ms")
			b.ReportMetric(float64(rows)/float64(b.N), "rows/query")
		})
	}
}

func (q QueryShape) random(rng *rand.Rand, d Dataset) store.ObservationQuery {
	out := store.ObservationQuery{Limit: q.Limit}
	if q.BoxKM > 0 {
		// Centres far enough inside Donbas that the box stays in the data.
		lat := Donbas[1] + 1 + rng.Float64()*(Donbas[3]-Donbas[1]-2)
		lon := Donbas[0] + 1 + rng.Float64()*(Donbas[2]-Donbas[0]-2)
		dlat := q.BoxKM / 2 / 111.32
		dlon := q.BoxKM / 2 / (111.32 * math.Cos(lat*math.Pi/180))
		out.BBox = &store.BBox{West: lon - dlon, South: lat - dlat, East: lon + dlon, North: lat + dlat}
	}
	if q.Window > 0 {
		out.Since = d.Start.Add(time.Duration(rng.Int64N(int64(d.Span - q.Window)))).Truncate(time.Second)
		out.Until = out.Since.Add(q.Window)
	}
	return out
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkPutEvents puts b.N batches of size event versions to s, as
// fusion persists them (new events and later versions of recent ones), and
// reports versions per second, durable commit included. Generating the
// batches is not timed.
func BenchmarkPutEvents(b *testing.B, s store.Store, size int) {
	ctx := context.Background()
	g := NewEventStream(uint64(size), MillionEvents.Start, MillionEvents.Span, MillionEvents.N)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		batch := g.Batch(size)
		b.StartTimer()
		if err := s.PutEvents(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	n := float64(b.N * size)
	b.ReportMetric(n/b.Elapsed().Seconds(), "versions/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/version")
}

// MillionEvents is a year of fused events over Donbas: a million events
// (about 2,700 a day, some ten in a 20 × 20 km box), half of them with
// later versions, about 1.9 million versions in all.
var MillionEvents = Dataset{Seed: 2026, N: 1_000_000, Start: Base, Span: 365 * 24 * time.Hour}

// LoadEvents puts the dataset's event versions to s in batches until N
// events are made, reporting progress to logf every hundred thousand.
func (d Dataset) LoadEvents(ctx context.Context, s store.Store, batch int, logf func(format string, args ...any)) error {
	g := NewEventStream(d.Seed, d.Start, d.Span, d.N)
	start := time.Now()
	versions := 0
	for g.Made() < d.N {
		prev := g.Made()
		vs := g.Batch(batch)
		if err := s.PutEvents(ctx, vs); err != nil {
			return fmt.Errorf("loading the events at %d: %w", prev, err)
		}
		versions += len(vs)
		if g.Made()/100_000 != prev/100_000 || g.Made() >= d.N {
			el := time.Since(start)
			logf("loaded %d of %d events (%d versions) in %v (%.0f versions/s)", g.Made(), d.N, versions, el.Round(time.Second), float64(versions)/el.Seconds())
		}
	}
	return nil
}

// BenchmarkEventQueries runs the query shapes of BenchmarkQueries against
// events: as a trusted reader, and the first shape again as a MISSION
// reader (the marking filter in the query). It reports the median and
// 99th percentile latency and the mean number of events returned. Use a
// fixed iteration count (-benchtime=2000x) for a stable p99.
func BenchmarkEventQueries(b *testing.B, s store.Store, d Dataset) {
	type shape struct {
		QueryShape
		markings store.MarkingFilter
	}
	shapes := make([]shape, 0, len(QueryShapes)+1)
	for _, q := range QueryShapes {
		shapes = append(shapes, shape{QueryShape: q})
	}
	mission := QueryShapes[0]
	mission.Name += "_mission_reader"
	shapes = append(shapes, shape{mission, func(m string) bool { return m == "PUBLIC" || m == "MISSION" }})
	for _, sh := range shapes {
		b.Run(sh.Name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(d.Seed, 99))
			queries := make([]store.EventQuery, b.N)
			for i := range queries {
				oq := sh.random(rng, d)
				queries[i] = store.EventQuery{Since: oq.Since, Until: oq.Until, BBox: oq.BBox, Limit: oq.Limit, Markings: sh.markings}
			}
			lat := make([]time.Duration, 0, b.N)
			rows := 0
			ctx := context.Background()
			b.ResetTimer()
			for i := range b.N {
				t0 := time.Now()
				es, _, err := s.Events(ctx, queries[i])
				lat = append(lat, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				rows += len(es)
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(ms(percentile(lat, 0.50)), "p50_ms")
			b.ReportMetric(ms(percentile(lat, 0.99)), "p99_ms")
			b.ReportMetric(float64(rows)/float64(b.N), "rows/query")
		})
	}
}
