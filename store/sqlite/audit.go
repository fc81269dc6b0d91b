package sqlite

import (
	"context"
	"fmt"

	"github.com/truce-mechanism/truce/store"
)

const auditColumns = "sequence, at, actor, org, token, action, target, detail"

// AppendAudit stores audit events with the next sequences.
func (s *Store) AppendAudit(ctx context.Context, events []store.AuditEvent) ([]store.AuditEvent, error) {
	if len(events) == 0 {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	defer tx.Rollback()
	var last int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(sequence), 0) FROM audit").Scan(&last); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, "INSERT INTO audit ("+auditColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	defer stmt.Close()
	out := make([]store.AuditEvent, len(events))
	for i, e := range events {
		last++
		e.Sequence = last
		if e.At.IsZero() {
			e.At = s.now()
		}
		e.At = fromMicros(e.At.UnixMicro())
		if _, err := stmt.ExecContext(ctx, e.Sequence, e.At.UnixMicro(), e.Actor, e.Org, e.Token, e.Action, e.Target, e.Detail); err != nil {
			return nil, fmt.Errorf("sqlite: storing an audit event: %w", err)
		}
		out[i] = e
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return out, nil
}

// AuditAfter returns audit events after a sequence.
func (s *Store) AuditAfter(ctx context.Context, seq int64, limit int) ([]store.AuditEvent, error) {
	if limit <= 0 {
		limit = -1
	}
	return queryAll(ctx, s.read, "SELECT "+auditColumns+" FROM audit WHERE sequence > ? ORDER BY sequence LIMIT ?",
		func(sc interface{ Scan(...any) error }) (store.AuditEvent, error) {
			var e store.AuditEvent
			var at int64
			err := sc.Scan(&e.Sequence, &at, &e.Actor, &e.Org, &e.Token, &e.Action, &e.Target, &e.Detail)
			e.At = fromMicros(at)
			return e, err
		}, seq, limit)
}
