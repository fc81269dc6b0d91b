package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/store"
)

// SetPassword stores a user's password hash.
func (s *Store) SetPassword(ctx context.Context, user, hash string) error {
	tag, err := s.pool.Exec(ctx, "UPDATE users SET password = $1 WHERE name = $2", hash, user)
	if err != nil {
		return fmt.Errorf("postgres: setting the password of %s: %w", user, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("user %s: %w", user, store.ErrNotFound)
	}
	return nil
}

// PasswordHash returns a user's password hash.
func (s *Store) PasswordHash(ctx context.Context, user string) (string, error) {
	var h string
	err := s.pool.QueryRow(ctx, "SELECT password FROM users WHERE name = $1", user).Scan(&h)
	return h, notFound(err, "user "+user)
}

// PutSession stores a new session.
func (s *Store) PutSession(ctx context.Context, se access.Session) error {
	var one int
	if err := s.pool.QueryRow(ctx, "SELECT 1 FROM users WHERE name = $1", se.User).Scan(&one); err != nil {
		return notFound(err, "user "+se.User)
	}
	if _, err := s.pool.Exec(ctx, "INSERT INTO sessions (hash, user_name, created, expires) VALUES ($1, $2, $3, $4)",
		se.Hash[:], se.User, fromMicros(se.Created.UnixMicro()), fromMicros(se.Expires.UnixMicro())); err != nil {
		return fmt.Errorf("postgres: storing a session: %w", err)
	}
	return nil
}

// Session returns a session by its hash.
func (s *Store) Session(ctx context.Context, hash [32]byte) (access.Session, error) {
	var se access.Session
	var revoked *time.Time
	err := s.pool.QueryRow(ctx, "SELECT user_name, created, expires, revoked FROM sessions WHERE hash = $1", hash[:]).
		Scan(&se.User, &se.Created, &se.Expires, &revoked)
	if err != nil {
		return se, notFound(err, "session")
	}
	se.Hash, se.Created, se.Expires = hash, se.Created.UTC(), se.Expires.UTC()
	if revoked != nil {
		se.Revoked = revoked.UTC()
	}
	return se, nil
}

// RevokeSession ends a session.
func (s *Store) RevokeSession(ctx context.Context, hash [32]byte, at time.Time) error {
	tag, err := s.pool.Exec(ctx, "UPDATE sessions SET revoked = coalesce(revoked, $1) WHERE hash = $2", fromMicros(at.UnixMicro()), hash[:])
	if err != nil {
		return fmt.Errorf("postgres: ending a session: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("session: %w", store.ErrNotFound)
	}
	return nil
}
