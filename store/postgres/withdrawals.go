package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/truce-mechanism/truce/store"
)

const withdrawalColumns = "sequence, record_type, record_key, reason, withhold, by_whom, at"

// AppendWithdrawal stores a withdrawal with the next sequence. Withdrawals
// are rare: a table lock keeps their sequence gap-free and in commit order.
func (s *Store) AppendWithdrawal(ctx context.Context, w store.Withdrawal) (store.Withdrawal, error) {
	source, id, err := store.WithdrawnObservation(w)
	if err != nil {
		return w, err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return w, fmt.Errorf("postgres: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "LOCK TABLE withdrawals IN EXCLUSIVE MODE"); err != nil {
		return w, fmt.Errorf("postgres: %w", err)
	}
	var one int
	err = tx.QueryRow(ctx, "SELECT 1 FROM observations WHERE source = $1 AND id = $2", source, id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return w, fmt.Errorf("observation %s: %w", w.RecordKey, store.ErrNotFound)
	}
	if err != nil {
		return w, fmt.Errorf("postgres: %w", err)
	}
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(sequence), 0) + 1 FROM withdrawals").Scan(&w.Sequence); err != nil {
		return w, fmt.Errorf("postgres: %w", err)
	}
	if w.At.IsZero() {
		w.At = s.now()
	}
	w.At = fromMicros(w.At.UnixMicro())
	if _, err := tx.Exec(ctx, "INSERT INTO withdrawals ("+withdrawalColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7)",
		w.Sequence, w.RecordType, w.RecordKey, w.Reason, w.Withhold, w.By, w.At); err != nil {
		return w, fmt.Errorf("postgres: storing withdrawal: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return w, fmt.Errorf("postgres: %w", err)
	}
	return w, nil
}

// Withdrawals lists one record's withdrawals.
func (s *Store) Withdrawals(ctx context.Context, recordType, recordKey string) ([]store.Withdrawal, error) {
	return s.queryWithdrawals(ctx, "SELECT "+withdrawalColumns+" FROM withdrawals WHERE record_type = $1 AND record_key = $2 ORDER BY sequence", recordType, recordKey)
}

// WithdrawalsAfter returns withdrawals after a sequence.
func (s *Store) WithdrawalsAfter(ctx context.Context, seq int64, limit int) ([]store.Withdrawal, error) {
	if limit <= 0 {
		return s.queryWithdrawals(ctx, "SELECT "+withdrawalColumns+" FROM withdrawals WHERE sequence > $1 ORDER BY sequence", seq)
	}
	return s.queryWithdrawals(ctx, "SELECT "+withdrawalColumns+" FROM withdrawals WHERE sequence > $1 ORDER BY sequence LIMIT $2", seq, limit)
}

func (s *Store) queryWithdrawals(ctx context.Context, q string, args ...any) ([]store.Withdrawal, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	defer rows.Close()
	var out []store.Withdrawal
	for rows.Next() {
		var w store.Withdrawal
		if err := rows.Scan(&w.Sequence, &w.RecordType, &w.RecordKey, &w.Reason, &w.Withhold, &w.By, &w.At); err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		w.At = w.At.UTC()
		out = append(out, w)
	}
	return out, rows.Err()
}
