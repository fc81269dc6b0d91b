package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/truce-mechanism/truce/store"
)

const procedureColumns = "sequence, kind, key, seq, marking, document, by_whom, org, at"

// AppendProcedureRecords stores procedure records in one transaction,
// each with the next sequence. A table lock keeps the sequence gap-free
// and in commit order; the records are the Commission's and the cell's
// acts, a handful a day.
func (s *Store) AppendProcedureRecords(ctx context.Context, rs []store.ProcedureRecord) ([]store.ProcedureRecord, error) {
	for _, r := range rs {
		if err := store.CheckProcedureRecord(r); err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
	}
	if len(rs) == 0 {
		return nil, nil
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "LOCK TABLE procedure_records IN EXCLUSIVE MODE"); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	var next int64
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(sequence), 0) + 1 FROM procedure_records").Scan(&next); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	out := make([]store.ProcedureRecord, len(rs))
	for i, r := range rs {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM procedure_records WHERE kind = $1 AND key = $2 AND seq = $3", r.Kind, r.Key, r.Seq).Scan(&n); err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		if n > 0 {
			return nil, fmt.Errorf("procedure record %s/%s/%d: %w", r.Kind, r.Key, r.Seq, store.ErrConflict)
		}
		r.Sequence = next + int64(i)
		r.At = fromMicros(r.At.UnixMicro())
		if _, err := tx.Exec(ctx, "INSERT INTO procedure_records ("+procedureColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			r.Sequence, r.Kind, r.Key, r.Seq, r.Marking, r.Document, r.By, r.Org, r.At); err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "23505" {
				return nil, fmt.Errorf("procedure record %s/%s/%d: %w", r.Kind, r.Key, r.Seq, store.ErrConflict)
			}
			return nil, fmt.Errorf("postgres: storing procedure record: %w", err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO procedure_markings (marking) VALUES ($1) ON CONFLICT DO NOTHING", r.Marking); err != nil {
			return nil, fmt.Errorf("postgres: recording procedure marking: %w", err)
		}
		out[i] = r
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return out, nil
}

// ProcedureRecords returns the records a query selects, in sequence
// order. The reader's filter is asked about each marking records were
// made under, and the query keeps those it allows.
func (s *Store) ProcedureRecords(ctx context.Context, q store.ProcedureQuery) ([]store.ProcedureRecord, error) {
	where, args := []string{"sequence > $1"}, []any{q.After}
	param := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.Kind != "" {
		where = append(where, "kind = "+param(q.Kind))
	}
	if q.Key != "" {
		where = append(where, "key = "+param(q.Key))
	}
	if q.Markings != nil {
		allowed, err := s.allowedMarkings(ctx, "procedure_markings", q.Markings)
		if err != nil {
			return nil, err
		}
		if len(allowed) == 0 {
			return nil, nil
		}
		where = append(where, "marking = ANY("+param(allowed)+")")
	}
	query := "SELECT " + procedureColumns + " FROM procedure_records WHERE " + strings.Join(where, " AND ") + " ORDER BY sequence"
	if q.Limit > 0 {
		query += " LIMIT " + param(q.Limit)
	}
	return queryAll(ctx, s, query, scanProcedureRecord, args...)
}

// ProcedureRecordsAfter returns records after a sequence.
func (s *Store) ProcedureRecordsAfter(ctx context.Context, seq int64, limit int) ([]store.ProcedureRecord, error) {
	q, args := "SELECT "+procedureColumns+" FROM procedure_records WHERE sequence > $1 ORDER BY sequence", []any{seq}
	if limit > 0 {
		q, args = q+" LIMIT $2", append(args, limit)
	}
	return queryAll(ctx, s, q, scanProcedureRecord, args...)
}

func scanProcedureRecord(row pgx.Row) (store.ProcedureRecord, error) {
	var r store.ProcedureRecord
	err := row.Scan(&r.Sequence, &r.Kind, &r.Key, &r.Seq, &r.Marking, &r.Document, &r.By, &r.Org, &r.At)
	r.At = r.At.UTC()
	return r, err
}
