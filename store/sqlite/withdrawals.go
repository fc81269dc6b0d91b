package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/truce-mechanism/truce/store"
)

const withdrawalColumns = "sequence, record_type, record_key, reason, withhold, by_whom, at"

// AppendWithdrawal stores a withdrawal with the next sequence.
func (s *Store) AppendWithdrawal(ctx context.Context, w store.Withdrawal) (store.Withdrawal, error) {
	source, id, err := store.WithdrawnObservation(w)
	if err != nil {
		return w, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return w, fmt.Errorf("sqlite: %w", err)
	}
	defer tx.Rollback()
	var one int
	err = tx.QueryRowContext(ctx, "SELECT 1 FROM observations WHERE source = ? AND id = ?", source, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return w, fmt.Errorf("observation %s: %w", w.RecordKey, store.ErrNotFound)
	}
	if err != nil {
		return w, fmt.Errorf("sqlite: %w", err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(sequence), 0) + 1 FROM withdrawals").Scan(&w.Sequence); err != nil {
		return w, fmt.Errorf("sqlite: %w", err)
	}
	if w.At.IsZero() {
		w.At = s.now()
	}
	w.At = fromMicros(w.At.UnixMicro())
	if _, err := tx.ExecContext(ctx, "INSERT INTO withdrawals ("+withdrawalColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
		w.Sequence, w.RecordType, w.RecordKey, w.Reason, w.Withhold, w.By, w.At.UnixMicro()); err != nil {
		return w, fmt.Errorf("sqlite: storing withdrawal: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return w, fmt.Errorf("sqlite: %w", err)
	}
	return w, nil
}

// Withdrawals lists one record's withdrawals.
func (s *Store) Withdrawals(ctx context.Context, recordType, recordKey string) ([]store.Withdrawal, error) {
	return s.queryWithdrawals(ctx, "SELECT "+withdrawalColumns+" FROM withdrawals WHERE record_type = ? AND record_key = ? ORDER BY sequence", recordType, recordKey)
}

// WithdrawalsAfter returns withdrawals after a sequence.
func (s *Store) WithdrawalsAfter(ctx context.Context, seq int64, limit int) ([]store.Withdrawal, error) {
	if limit <= 0 {
		limit = -1
	}
	return s.queryWithdrawals(ctx, "SELECT "+withdrawalColumns+" FROM withdrawals WHERE sequence > ? ORDER BY sequence LIMIT ?", seq, limit)
}

func (s *Store) queryWithdrawals(ctx context.Context, q string, args ...any) ([]store.Withdrawal, error) {
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	defer rows.Close()
	var out []store.Withdrawal
	for rows.Next() {
		var w store.Withdrawal
		var at int64
		if err := rows.Scan(&w.Sequence, &w.RecordType, &w.RecordKey, &w.Reason, &w.Withhold, &w.By, &at); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		w.At = fromMicros(at)
		out = append(out, w)
	}
	return out, rows.Err()
}
