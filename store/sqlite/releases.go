package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/truce-mechanism/truce/store"
)

const releaseColumns = "sequence, id, of_record, marking, document, by_whom, org, at, reason"

// AppendRelease stores a release with the next sequence, or finds it
// stored already under its ID.
func (s *Store) AppendRelease(ctx context.Context, r store.Release) (store.Release, error) {
	if err := store.CheckRelease(r); err != nil {
		return r, fmt.Errorf("sqlite: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return r, fmt.Errorf("sqlite: %w", err)
	}
	defer tx.Rollback()
	stored, err := scanRelease(tx.QueryRowContext(ctx, "SELECT "+releaseColumns+" FROM releases WHERE id = ?", r.ID))
	switch {
	case err == nil:
		if r.At.IsZero() {
			r.At = stored.At // a retry that left the time to the store
		}
		if !store.SameRelease(stored, r) {
			return r, fmt.Errorf("release %s: %w", r.ID, store.ErrConflict)
		}
		return stored, nil
	case !errors.Is(err, sql.ErrNoRows):
		return r, fmt.Errorf("sqlite: %w", err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(sequence), 0) + 1 FROM releases").Scan(&r.Sequence); err != nil {
		return r, fmt.Errorf("sqlite: %w", err)
	}
	if r.At.IsZero() {
		r.At = s.now()
	}
	r.At = fromMicros(r.At.UnixMicro())
	if _, err := tx.ExecContext(ctx, "INSERT INTO releases ("+releaseColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		r.Sequence, r.ID, r.Of, r.Marking, r.Document, r.By, r.Org, r.At.UnixMicro(), r.Reason); err != nil {
		return r, fmt.Errorf("sqlite: storing release: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO release_markings (marking) VALUES (?)", r.Marking); err != nil {
		return r, fmt.Errorf("sqlite: recording release marking: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return r, fmt.Errorf("sqlite: %w", err)
	}
	return r, nil
}

// Release returns one release by ID.
func (s *Store) Release(ctx context.Context, id string) (store.Release, error) {
	r, err := scanRelease(s.read.QueryRowContext(ctx, "SELECT "+releaseColumns+" FROM releases WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("release %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("sqlite: %w", err)
	}
	return r, nil
}

// Releases returns a page of releases in sequence order. The reader's
// filter is asked about each marking releases were made under, and the
// query keeps those it allows.
func (s *Store) Releases(ctx context.Context, q store.ReleaseQuery) ([]store.Release, error) {
	where, args := []string{"sequence > ?"}, []any{q.After}
	if q.Of != "" {
		where, args = append(where, "of_record = ?"), append(args, q.Of)
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
		where, args = append(where, "marking IN ("+placeholders(len(allowed))+")"), append(args, allowed...)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	args = append(args, limit)
	return s.queryReleases(ctx, "SELECT "+releaseColumns+" FROM releases WHERE "+strings.Join(where, " AND ")+" ORDER BY sequence LIMIT ?", args...)
}

// ReleasesAfter returns releases after a sequence.
func (s *Store) ReleasesAfter(ctx context.Context, seq int64, limit int) ([]store.Release, error) {
	if limit <= 0 {
		limit = -1
	}
	return s.queryReleases(ctx, "SELECT "+releaseColumns+" FROM releases WHERE sequence > ? ORDER BY sequence LIMIT ?", seq, limit)
}

func (s *Store) queryReleases(ctx context.Context, q string, args ...any) ([]store.Release, error) {
	return queryAll(ctx, s.read, q, scanRelease, args...)
}

func scanRelease(sc interface{ Scan(...any) error }) (store.Release, error) {
	var r store.Release
	var at int64
	err := sc.Scan(&r.Sequence, &r.ID, &r.Of, &r.Marking, &r.Document, &r.By, &r.Org, &at, &r.Reason)
	r.At = fromMicros(at)
	return r, err
}
