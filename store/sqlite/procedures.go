package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/truce-mechanism/truce/store"
)

const procedureColumns = "sequence, kind, key, seq, marking, document, by_whom, org, at"

// AppendProcedureRecords stores procedure records in one transaction,
// each with the next sequence.
func (s *Store) AppendProcedureRecords(ctx context.Context, rs []store.ProcedureRecord) ([]store.ProcedureRecord, error) {
	for _, r := range rs {
		if err := store.CheckProcedureRecord(r); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
	}
	if len(rs) == 0 {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	defer tx.Rollback()
	var next int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(sequence), 0) + 1 FROM procedure_records").Scan(&next); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	out := make([]store.ProcedureRecord, len(rs))
	for i, r := range rs {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM procedure_records WHERE kind = ? AND key = ? AND seq = ?", r.Kind, r.Key, r.Seq).Scan(&n); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		if n > 0 {
			return nil, fmt.Errorf("procedure record %s/%s/%d: %w", r.Kind, r.Key, r.Seq, store.ErrConflict)
		}
		r.Sequence = next + int64(i)
		r.At = fromMicros(r.At.UnixMicro())
		if _, err := tx.ExecContext(ctx, "INSERT INTO procedure_records ("+procedureColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			r.Sequence, r.Kind, r.Key, r.Seq, r.Marking, r.Document, r.By, r.Org, r.At.UnixMicro()); err != nil {
			if strings.Contains(err.Error(), "UNIQUE") {
				return nil, fmt.Errorf("procedure record %s/%s/%d: %w", r.Kind, r.Key, r.Seq, store.ErrConflict)
			}
			return nil, fmt.Errorf("sqlite: storing procedure record: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO procedure_markings (marking) VALUES (?)", r.Marking); err != nil {
			return nil, fmt.Errorf("sqlite: recording procedure marking: %w", err)
		}
		out[i] = r
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return out, nil
}

// ProcedureRecords returns the records a query selects, in sequence
// order. The reader's filter is asked about each marking records were
// made under, and the query keeps those it allows.
func (s *Store) ProcedureRecords(ctx context.Context, q store.ProcedureQuery) ([]store.ProcedureRecord, error) {
	where, args := []string{"sequence > ?"}, []any{q.After}
	if q.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, q.Kind)
	}
	if q.Key != "" {
		where, args = append(where, "key = ?"), append(args, q.Key)
	}
	if q.Markings != nil {
		allowed, err := s.allowedMarkings(ctx, "procedure_markings", q.Markings)
		if err != nil {
			return nil, err
		}
		if len(allowed) == 0 {
			return nil, nil
		}
		where, args = append(where, "marking IN ("+placeholders(len(allowed))+")"), append(args, allowed...)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	args = append(args, limit)
	return queryAll(ctx, s.read, "SELECT "+procedureColumns+" FROM procedure_records WHERE "+strings.Join(where, " AND ")+" ORDER BY sequence LIMIT ?", scanProcedureRecord, args...)
}

// ProcedureRecordsAfter returns records after a sequence.
func (s *Store) ProcedureRecordsAfter(ctx context.Context, seq int64, limit int) ([]store.ProcedureRecord, error) {
	if limit <= 0 {
		limit = -1
	}
	return queryAll(ctx, s.read, "SELECT "+procedureColumns+" FROM procedure_records WHERE sequence > ? ORDER BY sequence LIMIT ?", scanProcedureRecord, seq, limit)
}

func scanProcedureRecord(sc interface{ Scan(...any) error }) (store.ProcedureRecord, error) {
	var r store.ProcedureRecord
	var at int64
	err := sc.Scan(&r.Sequence, &r.Kind, &r.Key, &r.Seq, &r.Marking, &r.Document, &r.By, &r.Org, &at)
	r.At = fromMicros(at)
	return r, err
}
