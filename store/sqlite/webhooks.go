package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/store"
)

const (
	subscriptionColumns = "id, url, secret, org, roles, feed_cursor, created, created_by, deactivated"
	deliveryColumns     = "sequence, id, subscription, event, record_key, record, body, state, attempts, next_attempt, created"
	attemptColumns      = "delivery, attempt, subscription, record_key, status, error, at, state, next_attempt"
)

// PutWebhookSubscription stores a new subscription at the end of the
// procedure feed.
func (s *Store) PutWebhookSubscription(ctx context.Context, sub store.WebhookSubscription) (store.WebhookSubscription, error) {
	if err := store.CheckWebhookSubscription(sub); err != nil {
		return sub, fmt.Errorf("sqlite: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return sub, fmt.Errorf("sqlite: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(sequence), 0) FROM procedure_records").Scan(&sub.Cursor); err != nil {
		return sub, fmt.Errorf("sqlite: %w", err)
	}
	sub.Created = fromMicros(sub.Created.UnixMicro())
	sub.Active, sub.Deactivated = true, time.Time{}
	if _, err := tx.ExecContext(ctx, "INSERT INTO webhook_subscriptions ("+subscriptionColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
		sub.ID, sub.URL, sub.Secret, sub.Org, strings.Join(sub.Roles, ","), sub.Cursor, sub.Created.UnixMicro(), sub.CreatedBy); err != nil {
		if isUniqueViolation(err) || strings.Contains(err.Error(), "UNIQUE") {
			return sub, fmt.Errorf("webhook subscription %s: %w", sub.ID, store.ErrConflict)
		}
		return sub, fmt.Errorf("sqlite: storing a webhook subscription: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return sub, fmt.Errorf("sqlite: %w", err)
	}
	return sub, nil
}

// WebhookSubscription returns one subscription.
func (s *Store) WebhookSubscription(ctx context.Context, id string) (store.WebhookSubscription, error) {
	sub, err := scanSubscription(s.read.QueryRowContext(ctx, "SELECT "+subscriptionColumns+" FROM webhook_subscriptions WHERE id = ?", id))
	return sub, notFound(err, "webhook subscription "+id)
}

// WebhookSubscriptions lists every subscription.
func (s *Store) WebhookSubscriptions(ctx context.Context) ([]store.WebhookSubscription, error) {
	return queryAll(ctx, s.read, "SELECT "+subscriptionColumns+" FROM webhook_subscriptions ORDER BY created, id", scanSubscription)
}

// DeactivateWebhookSubscription stops a subscription.
func (s *Store) DeactivateWebhookSubscription(ctx context.Context, id string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.write.ExecContext(ctx, "UPDATE webhook_subscriptions SET deactivated = coalesce(deactivated, ?) WHERE id = ?", at.UnixMicro(), id)
	if err != nil {
		return fmt.Errorf("sqlite: deactivating webhook subscription %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("webhook subscription %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// EnqueueWebhookDeliveries stores pending deliveries and moves the
// subscription's cursor, in one transaction.
func (s *Store) EnqueueWebhookDeliveries(ctx context.Context, subscription string, cursor int64, ds []store.WebhookDelivery) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "UPDATE webhook_subscriptions SET feed_cursor = max(feed_cursor, ?) WHERE id = ?", cursor, subscription)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("webhook subscription %s: %w", subscription, store.ErrNotFound)
	}
	for _, d := range ds {
		if d.ID == "" || d.Subscription != subscription {
			return fmt.Errorf("sqlite: webhook delivery %q: an id and the subscription %s are required", d.ID, subscription)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO webhook_deliveries (id, subscription, event, record_key, record, body, state, attempts, next_attempt, created)"+
			" VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (id) DO NOTHING",
			d.ID, d.Subscription, d.Event, d.RecordKey, d.Record, d.Body, d.NextAttempt.UnixMicro(), d.Created.UnixMicro()); err != nil {
			return fmt.Errorf("sqlite: queuing webhook delivery %s: %w", d.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// DueWebhookDeliveries returns the pending deliveries due at due.
func (s *Store) DueWebhookDeliveries(ctx context.Context, due time.Time, limit int) ([]store.WebhookDelivery, error) {
	if limit <= 0 {
		limit = -1
	}
	return queryAll(ctx, s.read, "SELECT "+prefixed("d.", deliveryColumns)+" FROM webhook_deliveries d JOIN webhook_subscriptions w ON w.id = d.subscription"+
		" WHERE d.state = 'pending' AND d.next_attempt <= ? AND w.deactivated IS NULL ORDER BY d.next_attempt, d.sequence LIMIT ?",
		scanDelivery, due.UnixMicro(), limit)
}

// RecordWebhookAttempt logs an attempt and updates its delivery.
func (s *Store) RecordWebhookAttempt(ctx context.Context, a store.WebhookAttempt) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	defer tx.Rollback()
	var attempts int
	if err := tx.QueryRowContext(ctx, "SELECT attempts FROM webhook_deliveries WHERE id = ?", a.Delivery).Scan(&attempts); err != nil {
		return notFound(err, "webhook delivery "+a.Delivery)
	}
	if a.Attempt != attempts+1 {
		return fmt.Errorf("webhook delivery %s: attempt %d after %d: %w", a.Delivery, a.Attempt, attempts, store.ErrConflict)
	}
	var next sql.NullInt64
	if !a.NextAttempt.IsZero() {
		next = sql.NullInt64{Int64: a.NextAttempt.UnixMicro(), Valid: true}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO webhook_attempts ("+attemptColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		a.Delivery, a.Attempt, a.Subscription, a.RecordKey, a.Status, a.Error, a.At.UnixMicro(), a.State, next); err != nil {
		return fmt.Errorf("sqlite: logging a webhook attempt: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE webhook_deliveries SET attempts = ?, state = ?, next_attempt = ? WHERE id = ?",
		a.Attempt, a.State, next.Int64, a.Delivery); err != nil {
		return fmt.Errorf("sqlite: updating webhook delivery %s: %w", a.Delivery, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// WebhookDeliveries returns a page of a subscription's deliveries, each
// with its attempts.
func (s *Store) WebhookDeliveries(ctx context.Context, subscription string, after int64, limit int) ([]store.WebhookDelivery, error) {
	if limit <= 0 {
		limit = -1
	}
	ds, err := queryAll(ctx, s.read, "SELECT "+deliveryColumns+" FROM webhook_deliveries WHERE subscription = ? AND sequence > ? ORDER BY sequence LIMIT ?",
		scanDelivery, subscription, after, limit)
	if err != nil || len(ds) == 0 {
		return ds, err
	}
	attempts, err := queryAll(ctx, s.read, "SELECT "+prefixed("a.", attemptColumns)+" FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery"+
		" WHERE d.subscription = ? AND d.sequence > ? AND d.sequence <= ? ORDER BY d.sequence, a.attempt",
		scanAttempt, subscription, after, ds[len(ds)-1].Sequence)
	if err != nil {
		return nil, err
	}
	byID := map[string]int{}
	for i, d := range ds {
		byID[d.ID] = i
	}
	for _, a := range attempts {
		i := byID[a.Delivery]
		ds[i].Log = append(ds[i].Log, a)
	}
	return ds, nil
}

// prefixed qualifies every column of a list with a table alias.
func prefixed(alias, columns string) string {
	cs := strings.Split(columns, ", ")
	for i := range cs {
		cs[i] = alias + cs[i]
	}
	return strings.Join(cs, ", ")
}

func scanSubscription(sc interface{ Scan(...any) error }) (store.WebhookSubscription, error) {
	var sub store.WebhookSubscription
	var roles string
	var created int64
	var deactivated sql.NullInt64
	if err := sc.Scan(&sub.ID, &sub.URL, &sub.Secret, &sub.Org, &roles, &sub.Cursor, &created, &sub.CreatedBy, &deactivated); err != nil {
		return sub, err
	}
	if roles != "" {
		sub.Roles = strings.Split(roles, ",")
	}
	sub.Created = fromMicros(created)
	sub.Active = !deactivated.Valid
	if deactivated.Valid {
		sub.Deactivated = fromMicros(deactivated.Int64)
	}
	return sub, nil
}

func scanDelivery(sc interface{ Scan(...any) error }) (store.WebhookDelivery, error) {
	var d store.WebhookDelivery
	var next, created int64
	err := sc.Scan(&d.Sequence, &d.ID, &d.Subscription, &d.Event, &d.RecordKey, &d.Record, &d.Body, &d.State, &d.Attempts, &next, &created)
	if d.State == store.DeliveryPending {
		d.NextAttempt = fromMicros(next)
	}
	d.Created = fromMicros(created)
	return d, err
}

func scanAttempt(sc interface{ Scan(...any) error }) (store.WebhookAttempt, error) {
	var a store.WebhookAttempt
	var at int64
	var next sql.NullInt64
	err := sc.Scan(&a.Delivery, &a.Attempt, &a.Subscription, &a.RecordKey, &a.Status, &a.Error, &at, &a.State, &next)
	a.At = fromMicros(at)
	if next.Valid {
		a.NextAttempt = fromMicros(next.Int64)
	}
	return a, err
}
