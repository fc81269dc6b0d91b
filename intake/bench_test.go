package intake_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"k8s.io/klog/v2"

	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/ledger"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store/sqlite"
)

// benchBatch makes n realistic reports as NDJSON: monitors with bearings,
// MGRS and lat/lon places, weapons and gradings, as the field sends them.
// In a live stream (stream) batch run covers the ten minutes after the
// previous one and other places; otherwise every batch repeats the same
// ten minutes and places with new ids (a backfill of one busy window: the
// worst case for the indexes, which then grow in the middle, not at the end).
func benchBatch(run, n int, stream bool) []byte {
	var b strings.Builder
	kinds := []string{"explosion", "burst", "shot", "flare", "weapon_sighting"}
	start := time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC)
	for i := range n {
		j := i // varies places
		at := start.Add(time.Duration(i) * 10 * time.Minute / time.Duration(n))
		if stream {
			j = run*n + i
			at = at.Add(time.Duration(run) * 10 * time.Minute)
		}
		k := kinds[i%len(kinds)]
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, `{"id":"r%d-%d","source":"smm-%d","observed_at":%q,"kind":%q,"count":%d,"fire":"incoming","observer":{"lat":48.%04d,"lon":37.%04d,"cep_m":50},"bearing_deg":%d.5,"bearing_sigma_deg":10,"weapon":{"class":"artillery","caliber_mm":152},"grading":{"reliability":"B","credibility":2}}`,
				run, i, i%40, at.Format(time.RFC3339), k, 1+i%7, j%10000, (j*7)%10000, i%360)
		case 1:
			fmt.Fprintf(&b, `{"id":"r%d-%d","source":"acoustic-%d","observed_at":%q,"time_sigma_s":0.002,"kind":%q,"observer":{"mgrs":"37UDQ %05d %05d"},"bearing_deg":%d,"bearing_sigma_deg":2}`,
				run, i, i%12, at.Add(time.Duration(i%1000)*time.Millisecond).Format(time.RFC3339Nano), k, (j*37)%100000, (j*91)%100000, i%360)
		default:
			fmt.Fprintf(&b, `{"id":"r%d-%d","source":"osint-1","observed_at":%q,"kind":%q,"location":{"lat":47.%04d,"lon":38.%04d,"cep_m":500},"reported_party":"RUS","marking":"REL TO USA, UKR, GBR","notes":"video geolocated to a treeline"}`,
				run, i, at.Add(3*time.Hour).In(time.FixedZone("", 3*3600)).Format(time.RFC3339), k, j%10000, (j*3)%10000)
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// BenchmarkIntakeNDJSON measures the whole intake into the embedded store:
// decode + validate + canonical form + one durable (fsynced) commit per
// batch. Target: ≥ 100,000 observations/s on 2 cores with batches of 1,000+.
//
// The ledger=on variants run the ledger's committer beside the intake, as
// truce serve does, so their ratio to ledger=off is what the ledger costs
// intake (target: nothing noticeable; the ledger must never slow intake).
func BenchmarkIntakeNDJSON(b *testing.B) {
	for _, c := range []struct {
		batch          int
		stream, ledger bool
	}{
		{1000, true, false}, {1000, true, true}, {5000, true, false}, {1000, false, false},
	} {
		shape := map[bool]string{true: "stream", false: "one-window"}[c.stream]
		b.Run(fmt.Sprintf("batch=%d/%s/ledger=%s", c.batch, shape, map[bool]string{false: "off", true: "on"}[c.ledger]), func(b *testing.B) {
			benchIntake(b, c.batch, c.stream, c.ledger)
		})
	}
}

func benchIntake(b *testing.B, size int, stream, withLedger bool) {
	dir := b.TempDir()
	st, err := sqlite.Open(context.Background(), dir+"/truce.db")
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC) // after every report
	in := &intake.Intake{Store: st, Now: func() time.Time { return now }, AnySource: true}
	if withLedger {
		c, stop := runLedger(b, dir, st)
		defer stop()
		in.Stored = c.OfferObservations // as truce serve wires it
	}
	bodies := make([][]byte, 0, b.N)
	for i := range b.N {
		bodies = append(bodies, benchBatch(i, size, stream))
	}
	b.SetBytes(int64(len(bodies[0])))
	b.ResetTimer()
	for i := range b.N {
		docs, err := observation.Decode(observation.MediaNDJSON, bodies[i])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := in.Submit(context.Background(), docs); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer() // stopping the ledger (a last checkpoint) is not intake
	b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "obs/s")
}

// runLedger starts a committer following st, as truce serve does, and
// returns what stops it.
func runLedger(b *testing.B, dir string, st *sqlite.Store) (*ledger.Committer, func()) {
	klog.LogToStderr(false) // Tessera's notes would break the benchmark lines
	klog.SetOutput(io.Discard)
	ctx, cancel := context.WithCancel(context.Background())
	key, err := ledger.LoadOrCreateKey(dir+"/ledger.key", "bench.invalid/ledger")
	if err != nil {
		b.Fatal(err)
	}
	lg, err := ledger.OpenLog(ctx, dir+"/ledger", key, ledger.LogOptions{})
	if err != nil {
		b.Fatal(err)
	}
	c := &ledger.Committer{Log: lg, Store: st, Feeds: ledger.Feeds(st), Logger: slog.New(slog.DiscardHandler)}
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	return c, func() {
		cancel()
		<-done
		_ = lg.Close(context.Background())
	}
}
