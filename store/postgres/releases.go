package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/truce-mechanism/truce/store"
)

const releaseColumns = "sequence, id, of_record, marking, document, by_whom, org, at, reason"

// AppendRelease stores a release with the next sequence, or finds it
// stored already under its ID. Releases are rare: a table lock keeps their
// sequence gap-free and in commit order, and makes the ID check and the
// insert one step.
func (s *Store) AppendRelease(ctx context.Context, r store.Release) (store.Release, error) {
	if err := store.CheckRelease(r); err != nil {
		return r, fmt.Errorf("postgres: %w", err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return r, fmt.Errorf("postgres: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "LOCK TABLE releases IN EXCLUSIVE MODE"); err != nil {
		return r, fmt.Errorf("postgres: %w", err)
	}
	stored, err := scanRelease(tx.QueryRow(ctx, "SELECT "+releaseColumns+" FROM releases WHERE id = $1", r.ID))
	switch {
	case err == nil:
		if r.At.IsZero() {
			r.At = stored.At // a retry that left the time to the store
		}
		if !store.SameRelease(stored, r) {
			return r, fmt.Errorf("release %s: %w", r.ID, store.ErrConflict)
		}
		return stored, nil
	case !errors.Is(err, pgx.ErrNoRows):
		return r, fmt.Errorf("postgres: %w", err)
	}
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(sequence), 0) + 1 FROM releases").Scan(&r.Sequence); err != nil {
		return r, fmt.Errorf("postgres: %w", err)
	}
	if r.At.IsZero() {
		r.At = s.now()
	}
	r.At = fromMicros(r.At.UnixMicro())
	if _, err := tx.Exec(ctx, "INSERT INTO releases ("+releaseColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		r.Sequence, r.ID, r.Of, r.Marking, r.Document, r.By, r.Org, r.At, r.Reason); err != nil {
		return r, fmt.Errorf("postgres: storing release: %w", err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO release_markings (marking) VALUES ($1) ON CONFLICT DO NOTHING", r.Marking); err != nil {
		return r, fmt.Errorf("postgres: recording release marking: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return r, fmt.Errorf("postgres: %w", err)
	}
	return r, nil
}

// Release returns one release by ID.
func (s *Store) Release(ctx context.Context, id string) (store.Release, error) {
	r, err := scanRelease(s.pool.QueryRow(ctx, "SELECT "+releaseColumns+" FROM releases WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("release %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("postgres: %w", err)
	}
	return r, nil
}

// Releases returns a page of releases in sequence order. The reader's
// filter is asked about each marking releases were made under, and the
// query keeps those it allows.
func (s *Store) Releases(ctx context.Context, q store.ReleaseQuery) ([]store.Release, error) {
	where, args := []string{"sequence > $1"}, []any{q.After}
	param := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.Of != "" {
		where = append(where, "of_record = "+param(q.Of))
	}
	if q.Markings != nil {
		allowed, err := s.allowedMarkings(ctx, "release_markings", q.Markings)
		if err != nil {
			return nil, err
		}
		if len(allowed) == 0 {
			return nil, nil
		}
		// The condition stays even when every marking is allowed: one
		// stored after the list was read was never put to the filter.
		where = append(where, "marking = ANY("+param(allowed)+")")
	}
	query := "SELECT " + releaseColumns + " FROM releases WHERE " + strings.Join(where, " AND ") + " ORDER BY sequence"
	if q.Limit > 0 {
		query += " LIMIT " + param(q.Limit)
	}
	return queryAll(ctx, s, query, scanRelease, args...)
}

// ReleasesAfter returns releases after a sequence.
func (s *Store) ReleasesAfter(ctx context.Context, seq int64, limit int) ([]store.Release, error) {
	q, args := "SELECT "+releaseColumns+" FROM releases WHERE sequence > $1 ORDER BY sequence", []any{seq}
	if limit > 0 {
		q, args = q+" LIMIT $2", append(args, limit)
	}
	return queryAll(ctx, s, q, scanRelease, args...)
}

func scanRelease(row pgx.Row) (store.Release, error) {
	var r store.Release
	err := row.Scan(&r.Sequence, &r.ID, &r.Of, &r.Marking, &r.Document, &r.By, &r.Org, &r.At, &r.Reason)
	r.At = r.At.UTC()
	return r, err
}
