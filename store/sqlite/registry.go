package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/truce-mechanism/truce/store"
)

// PutSource registers a source or updates its organisation, kind and
// grading; the registration time stays the first one. A zero Created is
// stamped from the store's clock.
func (s *Store) PutSource(ctx context.Context, src store.Source) error {
	if src.ID == "" {
		return errors.New("sqlite: a source needs an id")
	}
	created := src.Created
	if created.IsZero() {
		created = s.now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.write.ExecContext(ctx, `INSERT INTO sources (id, org, kind, grading, created, require_signature) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET org = excluded.org, kind = excluded.kind, grading = excluded.grading,
		require_signature = excluded.require_signature`,
		src.ID, src.Org, src.Kind, src.Grading, created.UnixMicro(), src.RequireSignature)
	if err != nil {
		return fmt.Errorf("sqlite: storing source %s: %w", src.ID, err)
	}
	return nil
}

// Source returns a registered source.
func (s *Store) Source(ctx context.Context, id string) (store.Source, error) {
	var src store.Source
	var created int64
	err := s.read.QueryRowContext(ctx, "SELECT id, org, kind, grading, created, require_signature FROM sources WHERE id = ?", id).
		Scan(&src.ID, &src.Org, &src.Kind, &src.Grading, &created, &src.RequireSignature)
	if errors.Is(err, sql.ErrNoRows) {
		return src, fmt.Errorf("source %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return src, fmt.Errorf("sqlite: %w", err)
	}
	src.Created = fromMicros(created)
	return src, nil
}

// Sources lists every source by id.
func (s *Store) Sources(ctx context.Context) ([]store.Source, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT id, org, kind, grading, created, require_signature FROM sources ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	defer rows.Close()
	var out []store.Source
	for rows.Next() {
		var src store.Source
		var created int64
		if err := rows.Scan(&src.ID, &src.Org, &src.Kind, &src.Grading, &created, &src.RequireSignature); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		src.Created = fromMicros(created)
		out = append(out, src)
	}
	return out, rows.Err()
}

// checkAgreementVersion fills in the hash of a version's document, or
// checks the one given.
func checkAgreementVersion(v *store.AgreementVersion) error {
	if v.ID == "" || v.Version < 1 {
		return fmt.Errorf("agreement version %q %d: needs an id and a version from 1", v.ID, v.Version)
	}
	sum := sha256.Sum256(v.Document)
	h := hex.EncodeToString(sum[:])
	if v.SHA256 == "" {
		v.SHA256 = h
	} else if v.SHA256 != h {
		return fmt.Errorf("agreement %s version %d: SHA256 %s is not the hash of the document (%s)", v.ID, v.Version, v.SHA256, h)
	}
	return nil
}

// PutAgreementVersion stores a new version, or does nothing when the same
// bytes are stored under its (ID, Version); other bytes are a conflict.
func (s *Store) PutAgreementVersion(ctx context.Context, v store.AgreementVersion) error {
	if err := checkAgreementVersion(&v); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if v.Loaded.IsZero() {
		v.Loaded = s.now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	defer tx.Rollback()
	var doc []byte
	err = tx.QueryRowContext(ctx, "SELECT document FROM agreement_versions WHERE agreement = ? AND version = ?", v.ID, v.Version).Scan(&doc)
	switch {
	case err == nil && bytes.Equal(doc, v.Document):
		return nil
	case err == nil:
		return fmt.Errorf("agreement %s version %d is stored with other content; versions are immutable: %w", v.ID, v.Version, store.ErrConflict)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlite: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO agreement_versions (agreement, version, effective_from, document, sha256, loaded)
		VALUES (?, ?, ?, ?, ?, ?)`, v.ID, v.Version, v.EffectiveFrom.UnixMicro(), v.Document, v.SHA256, v.Loaded.UnixMicro()); err != nil {
		return fmt.Errorf("sqlite: storing agreement %s version %d: %w", v.ID, v.Version, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// AgreementVersions lists every version in (ID, Version) order.
func (s *Store) AgreementVersions(ctx context.Context) ([]store.AgreementVersion, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT agreement, version, effective_from, document, sha256, loaded
		FROM agreement_versions ORDER BY agreement, version`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	defer rows.Close()
	var out []store.AgreementVersion
	for rows.Next() {
		var v store.AgreementVersion
		var eff, loaded int64
		if err := rows.Scan(&v.ID, &v.Version, &eff, &v.Document, &v.SHA256, &loaded); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		v.EffectiveFrom, v.Loaded = fromMicros(eff), fromMicros(loaded)
		out = append(out, v)
	}
	return out, rows.Err()
}
