package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/truce-mechanism/truce/store"
)

// PutSourceKey registers a source's signing key.
func (s *Store) PutSourceKey(ctx context.Context, k store.SourceKey) error {
	if err := store.CheckSourceKey(k); err != nil {
		return err
	}
	if k.Added.IsZero() {
		k.Added = s.now()
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer tx.Rollback(ctx)
	var one int
	if err := tx.QueryRow(ctx, "SELECT 1 FROM sources WHERE id = $1 FOR UPDATE", k.Source).Scan(&one); err != nil {
		return notFound(err, "source "+k.Source)
	}
	var held []byte
	err = tx.QueryRow(ctx, "SELECT public_key FROM source_keys WHERE source = $1 AND key_id = $2", k.Source, k.KeyID).Scan(&held)
	switch {
	case err == nil && bytes.Equal(held, k.PublicKey):
		return nil
	case err == nil:
		return fmt.Errorf("source %s already has another key %s: %w", k.Source, k.KeyID, store.ErrConflict)
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("postgres: %w", err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO source_keys (source, key_id, public_key, added) VALUES ($1, $2, $3, $4)",
		k.Source, k.KeyID, k.PublicKey, fromMicros(k.Added.UnixMicro())); err != nil {
		return fmt.Errorf("postgres: storing key %s of %s: %w", k.KeyID, k.Source, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// SourceKeys lists a source's keys by id.
func (s *Store) SourceKeys(ctx context.Context, source string) ([]store.SourceKey, error) {
	return queryAll(ctx, s, "SELECT source, key_id, public_key, added FROM source_keys WHERE source = $1 ORDER BY key_id",
		func(row pgx.Row) (store.SourceKey, error) {
			var k store.SourceKey
			err := row.Scan(&k.Source, &k.KeyID, &k.PublicKey, &k.Added)
			k.Added = k.Added.UTC()
			return k, err
		}, source)
}
