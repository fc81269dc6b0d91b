package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/store"
)

// SetPassword stores a user's password hash.
func (s *Store) SetPassword(ctx context.Context, user, hash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.write.ExecContext(ctx, "UPDATE users SET password = ? WHERE name = ?", hash, user)
	if err != nil {
		return fmt.Errorf("sqlite: setting the password of %s: %w", user, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %s: %w", user, store.ErrNotFound)
	}
	return nil
}

// PasswordHash returns a user's password hash.
func (s *Store) PasswordHash(ctx context.Context, user string) (string, error) {
	var h string
	err := s.read.QueryRowContext(ctx, "SELECT password FROM users WHERE name = ?", user).Scan(&h)
	return h, notFound(err, "user "+user)
}

// PutSession stores a new session.
func (s *Store) PutSession(ctx context.Context, se access.Session) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var one int
	if err := s.write.QueryRowContext(ctx, "SELECT 1 FROM users WHERE name = ?", se.User).Scan(&one); err != nil {
		return notFound(err, "user "+se.User)
	}
	if _, err := s.write.ExecContext(ctx, "INSERT INTO sessions (hash, user_name, created, expires) VALUES (?, ?, ?, ?)",
		se.Hash[:], se.User, se.Created.UnixMicro(), se.Expires.UnixMicro()); err != nil {
		return fmt.Errorf("sqlite: storing a session: %w", err)
	}
	return nil
}

// Session returns a session by its hash.
func (s *Store) Session(ctx context.Context, hash [32]byte) (access.Session, error) {
	var se access.Session
	var created, expires int64
	var revoked sql.NullInt64
	err := s.read.QueryRowContext(ctx, "SELECT user_name, created, expires, revoked FROM sessions WHERE hash = ?", hash[:]).
		Scan(&se.User, &created, &expires, &revoked)
	if err != nil {
		return se, notFound(err, "session")
	}
	se.Hash, se.Created, se.Expires = hash, fromMicros(created), fromMicros(expires)
	if revoked.Valid {
		se.Revoked = fromMicros(revoked.Int64)
	}
	return se, nil
}

// RevokeSession ends a session.
func (s *Store) RevokeSession(ctx context.Context, hash [32]byte, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.write.ExecContext(ctx, "UPDATE sessions SET revoked = coalesce(revoked, ?) WHERE hash = ?", at.UnixMicro(), hash[:])
	if err != nil {
		return fmt.Errorf("sqlite: ending a session: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("session: %w", store.ErrNotFound)
	}
	return nil
}
