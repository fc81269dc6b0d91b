package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/truce-mechanism/truce/store"
)

// PutSource registers a source or updates its organisation, kind and
// grading; the registration time stays the first one. A zero Created is
// stamped from the store's clock.
func (s *Store) PutSource(ctx context.Context, src store.Source) error {
	if src.ID == "" {
		return errors.New("postgres: a source needs an id")
	}
	created := src.Created
	if created.IsZero() {
		created = s.now()
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO sources (id, org, kind, grading, created, require_signature) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET org = excluded.org, kind = excluded.kind, grading = excluded.grading,
		require_signature = excluded.require_signature`,
		src.ID, src.Org, src.Kind, src.Grading, created, src.RequireSignature)
	if err != nil {
		return fmt.Errorf("postgres: storing source %s: %w", src.ID, err)
	}
	return nil
}

// Source returns a registered source.
func (s *Store) Source(ctx context.Context, id string) (store.Source, error) {
	var src store.Source
	err := s.pool.QueryRow(ctx, "SELECT id, org, kind, grading, created, require_signature FROM sources WHERE id = $1", id).
		Scan(&src.ID, &src.Org, &src.Kind, &src.Grading, &src.Created, &src.RequireSignature)
	if errors.Is(err, pgx.ErrNoRows) {
		return src, fmt.Errorf("source %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return src, fmt.Errorf("postgres: %w", err)
	}
	src.Created = src.Created.UTC()
	return src, nil
}

// Sources lists every source by id.
func (s *Store) Sources(ctx context.Context) ([]store.Source, error) {
	rows, err := s.pool.Query(ctx, "SELECT id, org, kind, grading, created, require_signature FROM sources ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	defer rows.Close()
	var out []store.Source
	for rows.Next() {
		var src store.Source
		if err := rows.Scan(&src.ID, &src.Org, &src.Kind, &src.Grading, &src.Created, &src.RequireSignature); err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		src.Created = src.Created.UTC()
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
		return fmt.Errorf("postgres: %w", err)
	}
	if v.Loaded.IsZero() {
		v.Loaded = s.now()
	}
	// Insert if absent, then compare with what is stored: two loaders
	// racing on the same version both end up comparing with the winner.
	if _, err := s.pool.Exec(ctx, `INSERT INTO agreement_versions (agreement, version, effective_from, document, sha256, loaded)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		v.ID, v.Version, v.EffectiveFrom, v.Document, v.SHA256, v.Loaded); err != nil {
		return fmt.Errorf("postgres: storing agreement %s version %d: %w", v.ID, v.Version, err)
	}
	var doc []byte
	if err := s.pool.QueryRow(ctx, "SELECT document FROM agreement_versions WHERE agreement = $1 AND version = $2", v.ID, v.Version).Scan(&doc); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if !bytes.Equal(doc, v.Document) {
		return fmt.Errorf("agreement %s version %d is stored with other content; versions are immutable: %w", v.ID, v.Version, store.ErrConflict)
	}
	return nil
}

// AgreementVersions lists every version in (ID, Version) order.
func (s *Store) AgreementVersions(ctx context.Context) ([]store.AgreementVersion, error) {
	rows, err := s.pool.Query(ctx, `SELECT agreement, version, effective_from, document, sha256, loaded
		FROM agreement_versions ORDER BY agreement, version`)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	defer rows.Close()
	var out []store.AgreementVersion
	for rows.Next() {
		var v store.AgreementVersion
		var version int32
		if err := rows.Scan(&v.ID, &version, &v.EffectiveFrom, &v.Document, &v.SHA256, &v.Loaded); err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		v.Version = int(version)
		v.EffectiveFrom, v.Loaded = v.EffectiveFrom.UTC(), v.Loaded.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}
