package notify_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/notify"
	"github.com/truce-mechanism/truce/store"
)

// BenchmarkPublish: notifications published and received per second with
// N live subscribers, each drained by its own goroutine (a stream). The
// publisher sends bursts of a subscriber's buffer and waits for every
// subscriber to drain each one, so nobody is dropped: the figure is the
// sustained fan-out, publish to receipt, not the rate at which a
// publisher can overrun its readers.
func BenchmarkPublish(b *testing.B) {
	n := notify.Notification{Type: "case_action", Key: "case_action/case-1/1", Marking: "PUBLIC", Record: []byte(`{}`)}
	for _, subs := range []int{1, 10, 100, 1000} {
		b.Run(fmt.Sprintf("subscribers=%d", subs), func(b *testing.B) {
			br := notify.NewBroker(notify.DefaultBuffer)
			var received atomic.Int64
			var wg sync.WaitGroup
			all := make([]*notify.Subscription, subs)
			for i := range subs {
				s := br.Subscribe(func(m string) bool { return m == "PUBLIC" })
				all[i] = s
				wg.Go(func() {
					for range s.C {
						received.Add(1)
					}
				})
			}
			sent := 0
			for b.Loop() {
				n.Sequence++
				br.Publish(n)
				sent++
				if sent%notify.DefaultBuffer == 0 {
					for received.Load() < int64(sent*subs) {
						runtime.Gosched()
					}
				}
			}
			for received.Load() < int64(sent*subs) {
				runtime.Gosched()
			}
			elapsed := b.Elapsed().Seconds()
			br.Close()
			wg.Wait()
			for _, s := range all {
				if s.Dropped() {
					b.Fatal("a subscriber was dropped")
				}
			}
			b.ReportMetric(float64(sent)/elapsed, "notifications/s")
			b.ReportMetric(float64(sent*subs)/elapsed, "receipts/s")
		})
	}
}

// BenchmarkWebhookDelivery: procedure records delivered per second to a
// local receiver (httptest, answering 204): queued in the store, signed,
// POSTed, each attempt logged — the embedded SQLite store, default workers.
func BenchmarkWebhookDelivery(b *testing.B) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer ok.Close()
	f := newFixture(b)
	if _, err := f.st.PutWebhookSubscription(context.Background(), store.WebhookSubscription{ID: "wh-bench", URL: ok.URL, Secret: secret,
		Org: "USA", Roles: []string{access.RoleViewer}, Created: t0, CreatedBy: "a"}); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	batch := make([]store.ProcedureRecord, 0, b.N)
	for i := range b.N {
		batch = append(batch, store.ProcedureRecord{Kind: "report", Key: "obl-1", Seq: i + 1, Marking: "PUBLIC",
			Document: []byte(`{"summary":"delivered on time"}`), By: "us.cell", Org: "USA", At: t0})
	}
	if _, err := f.st.AppendProcedureRecords(ctx, batch); err != nil {
		b.Fatal(err)
	}
	d := notify.NewDispatcher(notify.DispatcherConfig{Store: f.st, Now: time.Now, Seed: 1})
	b.ResetTimer()
	if err := d.Step(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	ds, err := f.st.WebhookDeliveries(ctx, "wh-bench", 0, 0)
	if err != nil || len(ds) != b.N {
		b.Fatalf("%d deliveries, %v; want %d", len(ds), err, b.N)
	}
	for _, dl := range ds {
		if dl.State != store.DeliveryDelivered {
			b.Fatalf("delivery %+v", dl)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}
