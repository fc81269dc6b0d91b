package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/store"
)

func testWebhooks(t *testing.T, s store.Store) {
	ctx := context.Background()
	at := Base.Add(120*time.Hour + 123456789)
	if _, err := s.AppendProcedureRecords(ctx, []store.ProcedureRecord{procedureRecord("case_action", "case-1", 1, "PUBLIC", at)}); err != nil {
		t.Fatal(err)
	}
	sub := store.WebhookSubscription{ID: "wh-1", URL: "https://example.org/hook", Secret: "whsec_x", Org: "USA",
		Roles: []string{"viewer", "commissioner"}, Created: at, CreatedBy: "lead.admin"}

	t.Run("a subscription starts at the end of the feed", func(t *testing.T) {
		got, err := s.PutWebhookSubscription(ctx, sub)
		if err != nil {
			t.Fatal(err)
		}
		if got.Cursor != 1 || !got.Active || !got.Created.Equal(at.Truncate(time.Microsecond)) {
			t.Fatalf("stored %+v; want cursor 1, active", got)
		}
		read, err := s.WebhookSubscription(ctx, "wh-1")
		if err != nil || read.Secret != sub.Secret || !slices.Equal(read.Roles, sub.Roles) || read.Cursor != 1 || !read.Active || read.URL != sub.URL {
			t.Fatalf("read %+v, %v", read, err)
		}
		if _, err := s.PutWebhookSubscription(ctx, sub); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("again: %v; want ErrConflict", err)
		}
		if _, err := s.WebhookSubscription(ctx, "wh-none"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown: %v; want ErrNotFound", err)
		}
	})

	for _, tc := range []struct {
		name string
		f    func(*store.WebhookSubscription)
	}{
		{"no id", func(w *store.WebhookSubscription) { w.ID = "" }},
		{"not http", func(w *store.WebhookSubscription) { w.URL = "ftp://example.org/" }},
		{"relative", func(w *store.WebhookSubscription) { w.URL = "/hook" }},
		{"no secret", func(w *store.WebhookSubscription) { w.Secret = "" }},
		{"no org", func(w *store.WebhookSubscription) { w.Org = "" }},
	} {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			w := sub
			w.ID = "wh-bad"
			tc.f(&w)
			if _, err := s.PutWebhookSubscription(ctx, w); err == nil {
				t.Fatal("stored")
			}
		})
	}

	d1 := store.WebhookDelivery{ID: "wh-1-2", Subscription: "wh-1", Event: "case_action", RecordKey: "case_action/case-1/2", Record: 2,
		Body: []byte(`{"n":2}`), NextAttempt: at, Created: at}
	d2 := d1
	d2.ID, d2.RecordKey, d2.Record, d2.Body = "wh-1-3", "case_action/case-1/3", 3, []byte(`{"n":3}`)

	t.Run("queued with the cursor, once", func(t *testing.T) {
		if err := s.EnqueueWebhookDeliveries(ctx, "wh-1", 3, []store.WebhookDelivery{d1, d2}); err != nil {
			t.Fatal(err)
		}
		again := d1
		again.Body = []byte(`{"other":true}`)
		if err := s.EnqueueWebhookDeliveries(ctx, "wh-1", 2, []store.WebhookDelivery{again}); err != nil {
			t.Fatal(err)
		}
		w, err := s.WebhookSubscription(ctx, "wh-1")
		if err != nil || w.Cursor != 3 {
			t.Fatalf("cursor %d, %v; want 3 (never back)", w.Cursor, err)
		}
		due, err := s.DueWebhookDeliveries(ctx, at, 0)
		if err != nil || len(due) != 2 || due[0].ID != "wh-1-2" || string(due[0].Body) != `{"n":2}` || due[0].State != store.DeliveryPending || due[0].Attempts != 0 {
			t.Fatalf("due %+v, %v", due, err)
		}
		if due, _ := s.DueWebhookDeliveries(ctx, at.Add(-time.Second), 0); len(due) != 0 {
			t.Fatalf("due before their time: %+v", due)
		}
		if err := s.EnqueueWebhookDeliveries(ctx, "wh-none", 1, nil); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown subscription: %v", err)
		}
	})

	t.Run("attempts logged, in order", func(t *testing.T) {
		next := at.Add(10 * time.Second).Truncate(time.Microsecond)
		fail := store.WebhookAttempt{Delivery: "wh-1-2", Subscription: "wh-1", RecordKey: d1.RecordKey, Attempt: 1, Status: 503, At: at, State: store.DeliveryPending, NextAttempt: next}
		if err := s.RecordWebhookAttempt(ctx, fail); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordWebhookAttempt(ctx, fail); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("attempt 1 again: %v; want ErrConflict", err)
		}
		due, _ := s.DueWebhookDeliveries(ctx, at, 0)
		if len(due) != 1 || due[0].ID != "wh-1-3" {
			t.Fatalf("due at %v: %+v; want only wh-1-3", at, due)
		}
		ok := store.WebhookAttempt{Delivery: "wh-1-2", Subscription: "wh-1", RecordKey: d1.RecordKey, Attempt: 2, Status: 204, At: next, State: store.DeliveryDelivered}
		if err := s.RecordWebhookAttempt(ctx, ok); err != nil {
			t.Fatal(err)
		}
		gone := store.WebhookAttempt{Delivery: "wh-1-3", Subscription: "wh-1", RecordKey: d2.RecordKey, Attempt: 1, Error: "timeout", At: next, State: store.DeliveryFailed}
		if err := s.RecordWebhookAttempt(ctx, gone); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordWebhookAttempt(ctx, store.WebhookAttempt{Delivery: "none", Attempt: 1, At: at, State: store.DeliveryFailed}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown delivery: %v", err)
		}
		if due, _ := s.DueWebhookDeliveries(ctx, at.Add(time.Hour), 0); len(due) != 0 {
			t.Fatalf("due after delivery and failure: %+v", due)
		}
		ds, err := s.WebhookDeliveries(ctx, "wh-1", 0, 0)
		if err != nil || len(ds) != 2 {
			t.Fatalf("deliveries %+v, %v", ds, err)
		}
		if ds[0].State != store.DeliveryDelivered || ds[0].Attempts != 2 || len(ds[0].Log) != 2 ||
			ds[0].Log[0].Status != 503 || !ds[0].Log[0].NextAttempt.Equal(next) || ds[0].Log[1].Status != 204 || !ds[0].Log[1].NextAttempt.IsZero() {
			t.Fatalf("first delivery %+v", ds[0])
		}
		if ds[1].State != store.DeliveryFailed || len(ds[1].Log) != 1 || ds[1].Log[0].Error != "timeout" || ds[1].Log[0].Status != 0 {
			t.Fatalf("second delivery %+v", ds[1])
		}
		page, err := s.WebhookDeliveries(ctx, "wh-1", ds[0].Sequence, 1)
		if err != nil || len(page) != 1 || page[0].ID != "wh-1-3" || len(page[0].Log) != 1 {
			t.Fatalf("page after the first: %+v, %v", page, err)
		}
	})

	t.Run("deactivated: nothing due", func(t *testing.T) {
		d3 := d1
		d3.ID, d3.Record = "wh-1-4", 4
		if err := s.EnqueueWebhookDeliveries(ctx, "wh-1", 4, []store.WebhookDelivery{d3}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeactivateWebhookSubscription(ctx, "wh-1", at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.DeactivateWebhookSubscription(ctx, "wh-1", at.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		w, err := s.WebhookSubscription(ctx, "wh-1")
		if err != nil || w.Active || !w.Deactivated.Equal(at.Add(time.Hour).Truncate(time.Microsecond)) {
			t.Fatalf("after deactivation %+v, %v", w, err)
		}
		if due, _ := s.DueWebhookDeliveries(ctx, at.Add(time.Hour), 0); len(due) != 0 {
			t.Fatalf("due for an inactive subscription: %+v", due)
		}
		if err := s.DeactivateWebhookSubscription(ctx, "wh-none", at); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown: %v", err)
		}
		all, err := s.WebhookSubscriptions(ctx)
		if err != nil || len(all) != 1 || all[0].ID != "wh-1" {
			t.Fatalf("subscriptions %+v, %v", all, err)
		}
	})
}
