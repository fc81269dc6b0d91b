package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/truce-mechanism/truce/store"
)

const auditColumns = "sequence, at, actor, org, token, action, target, detail"

// AppendAudit stores audit events with the next sequences. A table lock
// keeps the sequence gap-free and in commit order (see DECISIONS 11).
func (s *Store) AppendAudit(ctx context.Context, events []store.AuditEvent) ([]store.AuditEvent, error) {
	if len(events) == 0 {
		return nil, nil
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "LOCK TABLE audit IN EXCLUSIVE MODE"); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	var last int64
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(sequence), 0) FROM audit").Scan(&last); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	out := make([]store.AuditEvent, len(events))
	batch := &pgx.Batch{}
	for i, e := range events {
		last++
		e.Sequence = last
		if e.At.IsZero() {
			e.At = s.now()
		}
		e.At = fromMicros(e.At.UnixMicro())
		batch.Queue("INSERT INTO audit ("+auditColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
			e.Sequence, e.At, e.Actor, e.Org, e.Token, e.Action, e.Target, e.Detail)
		out[i] = e
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return nil, fmt.Errorf("postgres: storing audit events: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return out, nil
}

// AuditAfter returns audit events after a sequence.
func (s *Store) AuditAfter(ctx context.Context, seq int64, limit int) ([]store.AuditEvent, error) {
	q := "SELECT " + auditColumns + " FROM audit WHERE sequence > $1 ORDER BY sequence"
	args := []any{seq}
	if limit > 0 {
		q += " LIMIT $2"
		args = append(args, limit)
	}
	return queryAll(ctx, s, q, func(row pgx.Row) (store.AuditEvent, error) {
		var e store.AuditEvent
		err := row.Scan(&e.Sequence, &e.At, &e.Actor, &e.Org, &e.Token, &e.Action, &e.Target, &e.Detail)
		e.At = e.At.UTC()
		return e, err
	}, args...)
}
