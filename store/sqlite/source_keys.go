package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"

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
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	defer tx.Rollback()
	var one int
	if err := tx.QueryRowContext(ctx, "SELECT 1 FROM sources WHERE id = ?", k.Source).Scan(&one); err != nil {
		return notFound(err, "source "+k.Source)
	}
	var held []byte
	err = tx.QueryRowContext(ctx, "SELECT public_key FROM source_keys WHERE source = ? AND key_id = ?", k.Source, k.KeyID).Scan(&held)
	switch {
	case err == nil && bytes.Equal(held, k.PublicKey):
		return nil
	case err == nil:
		return fmt.Errorf("source %s already has another key %s: %w", k.Source, k.KeyID, store.ErrConflict)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlite: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO source_keys (source, key_id, public_key, added) VALUES (?, ?, ?, ?)",
		k.Source, k.KeyID, k.PublicKey, k.Added.UnixMicro()); err != nil {
		return fmt.Errorf("sqlite: storing key %s of %s: %w", k.KeyID, k.Source, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// SourceKeys lists a source's keys by id.
func (s *Store) SourceKeys(ctx context.Context, source string) ([]store.SourceKey, error) {
	return queryAll(ctx, s.read, "SELECT source, key_id, public_key, added FROM source_keys WHERE source = ? ORDER BY key_id",
		func(sc interface{ Scan(...any) error }) (store.SourceKey, error) {
			var k store.SourceKey
			var added int64
			err := sc.Scan(&k.Source, &k.KeyID, &k.PublicKey, &added)
			k.Added = fromMicros(added)
			return k, err
		}, source)
}
