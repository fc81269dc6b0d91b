package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/store"
)

// PutOrganisation registers or updates an organisation.
func (s *Store) PutOrganisation(ctx context.Context, o access.Organisation) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if o.Created.IsZero() {
		o.Created = s.now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.write.ExecContext(ctx, `INSERT INTO organisations (code, name, kind, commission, created) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, commission = excluded.commission`,
		o.Code, o.Name, o.Kind, o.Commission, o.Created.UnixMicro())
	if err != nil {
		return fmt.Errorf("sqlite: storing organisation %s: %w", o.Code, err)
	}
	return nil
}

const orgColumns = "code, name, kind, commission, created"

func scanOrg(sc interface{ Scan(...any) error }) (access.Organisation, error) {
	var o access.Organisation
	var created int64
	err := sc.Scan(&o.Code, &o.Name, &o.Kind, &o.Commission, &created)
	o.Created = fromMicros(created)
	return o, err
}

// Organisation returns one organisation.
func (s *Store) Organisation(ctx context.Context, code string) (access.Organisation, error) {
	o, err := scanOrg(s.read.QueryRowContext(ctx, "SELECT "+orgColumns+" FROM organisations WHERE code = ?", code))
	return o, notFound(err, "organisation "+code)
}

// Organisations lists every organisation by code.
func (s *Store) Organisations(ctx context.Context) ([]access.Organisation, error) {
	return queryAll(ctx, s.read, "SELECT "+orgColumns+" FROM organisations ORDER BY code", scanOrg)
}

// PutUser registers or updates a user.
func (s *Store) PutUser(ctx context.Context, u access.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.Created.IsZero() {
		u.Created = s.now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var one int
	if err := s.write.QueryRowContext(ctx, "SELECT 1 FROM organisations WHERE code = ?", u.Org).Scan(&one); err != nil {
		return notFound(err, "organisation "+u.Org)
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO users (name, org, roles, disabled, created) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET org = excluded.org, roles = excluded.roles, disabled = excluded.disabled`,
		u.Name, u.Org, store.JoinList(u.Roles), u.Disabled, u.Created.UnixMicro())
	if err != nil {
		return fmt.Errorf("sqlite: storing user %s: %w", u.Name, err)
	}
	return nil
}

const userColumns = "name, org, roles, disabled, created"

func scanUser(sc interface{ Scan(...any) error }) (access.User, error) {
	var u access.User
	var roles string
	var created int64
	err := sc.Scan(&u.Name, &u.Org, &roles, &u.Disabled, &created)
	u.Roles, u.Created = store.SplitList(roles), fromMicros(created)
	return u, err
}

// User returns one user.
func (s *Store) User(ctx context.Context, name string) (access.User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE name = ?", name))
	return u, notFound(err, "user "+name)
}

// Users lists every user by name.
func (s *Store) Users(ctx context.Context) ([]access.User, error) {
	return queryAll(ctx, s.read, "SELECT "+userColumns+" FROM users ORDER BY name", scanUser)
}

// PutToken stores a new token.
func (s *Store) PutToken(ctx context.Context, t access.Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var one int
	if err := s.write.QueryRowContext(ctx, "SELECT 1 FROM users WHERE name = ?", t.User).Scan(&one); err != nil {
		return notFound(err, "user "+t.User)
	}
	res, err := s.write.ExecContext(ctx, `INSERT INTO tokens (id, user_name, hash, scopes, created, expires) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`, t.ID, t.User, t.Hash[:], store.ScopesText(t.Scopes), t.Created.UnixMicro(), t.Expires.UnixMicro())
	if err != nil {
		return fmt.Errorf("sqlite: storing token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("token %s: %w", t.ID, store.ErrConflict)
	}
	return nil
}

const tokenColumns = "id, user_name, hash, scopes, created, expires, revoked"

func scanToken(sc interface{ Scan(...any) error }) (access.Token, error) {
	var t access.Token
	var hash []byte
	var scopes string
	var created, expires int64
	var revoked sql.NullInt64
	if err := sc.Scan(&t.ID, &t.User, &hash, &scopes, &created, &expires, &revoked); err != nil {
		return t, err
	}
	copy(t.Hash[:], hash)
	t.Scopes, t.Created, t.Expires = store.ParseScopes(scopes), fromMicros(created), fromMicros(expires)
	if revoked.Valid {
		t.Revoked = fromMicros(revoked.Int64)
	}
	return t, nil
}

// Token returns a token by id.
func (s *Store) Token(ctx context.Context, id string) (access.Token, error) {
	t, err := scanToken(s.read.QueryRowContext(ctx, "SELECT "+tokenColumns+" FROM tokens WHERE id = ?", id))
	return t, notFound(err, "token "+id)
}

// Tokens lists a user's tokens, newest first.
func (s *Store) Tokens(ctx context.Context, user string) ([]access.Token, error) {
	return queryAll(ctx, s.read, "SELECT "+tokenColumns+" FROM tokens WHERE user_name = ? ORDER BY created DESC, id", scanToken, user)
}

// RevokeToken marks a token revoked; the first revocation stands.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.write.ExecContext(ctx, "UPDATE tokens SET revoked = coalesce(revoked, ?) WHERE id = ?", at.UnixMicro(), id)
	if err != nil {
		return fmt.Errorf("sqlite: revoking token %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("token %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// notFound turns "no rows" into ErrNotFound naming what was missing.
func notFound(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}

// queryAll runs a query and scans every row.
func queryAll[T any](ctx context.Context, db *sql.DB, q string, scan func(interface{ Scan(...any) error }) (T, error), args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
