package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/truce-mechanism/truce/store"
)

const (
	subscriptionColumns = "id, url, secret, org, roles, feed_cursor, created, created_by, deactivated"
	deliveryColumns     = "sequence, id, subscription, event, record_key, record, body, state, attempts, next_attempt, created"
	attemptColumns      = "delivery, attempt, subscription, record_key, status, error, at, state, next_attempt"
)

// PutWebhookSubscription stores a new subscription at the end of the
// procedure feed. The procedure records' table lock orders it against
// appends: no record falls between the cursor and the subscription.
func (s *Store) PutWebhookSubscription(ctx context.Context, sub store.WebhookSubscription) (store.WebhookSubscription, error) {
	if err := store.CheckWebhookSubscription(sub); err != nil {
		return sub, fmt.Errorf("postgres: %w", err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return sub, fmt.Errorf("postgres: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "LOCK TABLE procedure_records IN SHARE MODE"); err != nil {
		return sub, fmt.Errorf("postgres: %w", err)
	}
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(sequence), 0) FROM procedure_records").Scan(&sub.Cursor); err != nil {
		return sub, fmt.Errorf("postgres: %w", err)
	}
	sub.Created = fromMicros(sub.Created.UnixMicro())
	sub.Active, sub.Deactivated = true, time.Time{}
	roles := sub.Roles
	if roles == nil {
		roles = []string{}
	}
	if _, err := tx.Exec(ctx, "INSERT INTO webhook_subscriptions ("+subscriptionColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)",
		sub.ID, sub.URL, sub.Secret, sub.Org, roles, sub.Cursor, sub.Created, sub.CreatedBy); err != nil {
		if isUniqueViolation(err) {
			return sub, fmt.Errorf("webhook subscription %s: %w", sub.ID, store.ErrConflict)
		}
		return sub, fmt.Errorf("postgres: storing a webhook subscription: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return sub, fmt.Errorf("postgres: %w", err)
	}
	return sub, nil
}

// WebhookSubscription returns one subscription.
func (s *Store) WebhookSubscription(ctx context.Context, id string) (store.WebhookSubscription, error) {
	sub, err := scanSubscription(s.pool.QueryRow(ctx, "SELECT "+subscriptionColumns+" FROM webhook_subscriptions WHERE id = $1", id))
	return sub, notFound(err, "webhook subscription "+id)
}

// WebhookSubscriptions lists every subscription.
func (s *Store) WebhookSubscriptions(ctx context.Context) ([]store.WebhookSubscription, error) {
	return queryAll(ctx, s, "SELECT "+subscriptionColumns+" FROM webhook_subscriptions ORDER BY created, id", scanSubscription)
}

// DeactivateWebhookSubscription stops a subscription.
func (s *Store) DeactivateWebhookSubscription(ctx context.Context, id string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, "UPDATE webhook_subscriptions SET deactivated = coalesce(deactivated, $1) WHERE id = $2", fromMicros(at.UnixMicro()), id)
	if err != nil {
		return fmt.Errorf("postgres: deactivating webhook subscription %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("webhook subscription %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// EnqueueWebhookDeliveries stores pending deliveries and moves the
// subscription's cursor, in one transaction.
func (s *Store) EnqueueWebhookDeliveries(ctx context.Context, subscription string, cursor int64, ds []store.WebhookDelivery) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, "UPDATE webhook_subscriptions SET feed_cursor = greatest(feed_cursor, $1) WHERE id = $2", cursor, subscription)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("webhook subscription %s: %w", subscription, store.ErrNotFound)
	}
	for _, d := range ds {
		if d.ID == "" || d.Subscription != subscription {
			return fmt.Errorf("postgres: webhook delivery %q: an id and the subscription %s are required", d.ID, subscription)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO webhook_deliveries (id, subscription, event, record_key, record, body, state, attempts, next_attempt, created)"+
			" VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8) ON CONFLICT (id) DO NOTHING",
			d.ID, d.Subscription, d.Event, d.RecordKey, d.Record, d.Body, fromMicros(d.NextAttempt.UnixMicro()), fromMicros(d.Created.UnixMicro())); err != nil {
			return fmt.Errorf("postgres: queuing webhook delivery %s: %w", d.ID, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// DueWebhookDeliveries returns the pending deliveries due at due.
func (s *Store) DueWebhookDeliveries(ctx context.Context, due time.Time, limit int) ([]store.WebhookDelivery, error) {
	q, args := "SELECT "+prefixed("d.", deliveryColumns)+" FROM webhook_deliveries d JOIN webhook_subscriptions w ON w.id = d.subscription"+
		" WHERE d.state = 'pending' AND d.next_attempt <= $1 AND w.deactivated IS NULL ORDER BY d.next_attempt, d.sequence", []any{fromMicros(due.UnixMicro())}
	if limit > 0 {
		q, args = q+" LIMIT $2", append(args, limit)
	}
	return queryAll(ctx, s, q, scanDelivery, args...)
}

// RecordWebhookAttempt logs an attempt and updates its delivery.
func (s *Store) RecordWebhookAttempt(ctx context.Context, a store.WebhookAttempt) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer tx.Rollback(ctx)
	var attempts int
	if err := tx.QueryRow(ctx, "SELECT attempts FROM webhook_deliveries WHERE id = $1 FOR UPDATE", a.Delivery).Scan(&attempts); err != nil {
		return notFound(err, "webhook delivery "+a.Delivery)
	}
	if a.Attempt != attempts+1 {
		return fmt.Errorf("webhook delivery %s: attempt %d after %d: %w", a.Delivery, a.Attempt, attempts, store.ErrConflict)
	}
	var next *time.Time
	nextAttempt := time.UnixMicro(0).UTC()
	if !a.NextAttempt.IsZero() {
		t := fromMicros(a.NextAttempt.UnixMicro())
		next, nextAttempt = &t, t
	}
	if _, err := tx.Exec(ctx, "INSERT INTO webhook_attempts ("+attemptColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		a.Delivery, a.Attempt, a.Subscription, a.RecordKey, a.Status, a.Error, fromMicros(a.At.UnixMicro()), a.State, next); err != nil {
		return fmt.Errorf("postgres: logging a webhook attempt: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE webhook_deliveries SET attempts = $1, state = $2, next_attempt = $3 WHERE id = $4",
		a.Attempt, a.State, nextAttempt, a.Delivery); err != nil {
		return fmt.Errorf("postgres: updating webhook delivery %s: %w", a.Delivery, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// WebhookDeliveries returns a page of a subscription's deliveries, each
// with its attempts.
func (s *Store) WebhookDeliveries(ctx context.Context, subscription string, after int64, limit int) ([]store.WebhookDelivery, error) {
	q, args := "SELECT "+deliveryColumns+" FROM webhook_deliveries WHERE subscription = $1 AND sequence > $2 ORDER BY sequence", []any{subscription, after}
	if limit > 0 {
		q, args = q+" LIMIT $3", append(args, limit)
	}
	ds, err := queryAll(ctx, s, q, scanDelivery, args...)
	if err != nil || len(ds) == 0 {
		return ds, err
	}
	attempts, err := queryAll(ctx, s, "SELECT "+prefixed("a.", attemptColumns)+" FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery"+
		" WHERE d.subscription = $1 AND d.sequence > $2 AND d.sequence <= $3 ORDER BY d.sequence, a.attempt",
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

func scanSubscription(row pgx.Row) (store.WebhookSubscription, error) {
	var sub store.WebhookSubscription
	var deactivated *time.Time
	if err := row.Scan(&sub.ID, &sub.URL, &sub.Secret, &sub.Org, &sub.Roles, &sub.Cursor, &sub.Created, &sub.CreatedBy, &deactivated); err != nil {
		return sub, err
	}
	if len(sub.Roles) == 0 {
		sub.Roles = nil
	}
	sub.Created = sub.Created.UTC()
	sub.Active = deactivated == nil
	if deactivated != nil {
		sub.Deactivated = deactivated.UTC()
	}
	return sub, nil
}

func scanDelivery(row pgx.Row) (store.WebhookDelivery, error) {
	var d store.WebhookDelivery
	var next time.Time
	err := row.Scan(&d.Sequence, &d.ID, &d.Subscription, &d.Event, &d.RecordKey, &d.Record, &d.Body, &d.State, &d.Attempts, &next, &d.Created)
	if d.State == store.DeliveryPending {
		d.NextAttempt = next.UTC()
	}
	d.Created = d.Created.UTC()
	return d, err
}

func scanAttempt(row pgx.Row) (store.WebhookAttempt, error) {
	var a store.WebhookAttempt
	var next *time.Time
	err := row.Scan(&a.Delivery, &a.Attempt, &a.Subscription, &a.RecordKey, &a.Status, &a.Error, &a.At, &a.State, &next)
	a.At = a.At.UTC()
	if next != nil {
		a.NextAttempt = next.UTC()
	}
	return a, err
}
