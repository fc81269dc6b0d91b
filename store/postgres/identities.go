package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

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
	_, err := s.pool.Exec(ctx, `INSERT INTO organisations (code, name, kind, commission, created) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, commission = excluded.commission`,
		o.Code, o.Name, o.Kind, o.Commission, fromMicros(o.Created.UnixMicro()))
	if err != nil {
		return fmt.Errorf("postgres: storing organisation %s: %w", o.Code, err)
	}
	return nil
}

const orgColumns = "code, name, kind, commission, created"

func scanOrg(row pgx.Row) (access.Organisation, error) {
	var o access.Organisation
	err := row.Scan(&o.Code, &o.Name, &o.Kind, &o.Commission, &o.Created)
	o.Created = o.Created.UTC()
	return o, err
}

// Organisation returns one organisation.
func (s *Store) Organisation(ctx context.Context, code string) (access.Organisation, error) {
	o, err := scanOrg(s.pool.QueryRow(ctx, "SELECT "+orgColumns+" FROM organisations WHERE code = $1", code))
	return o, notFound(err, "organisation "+code)
}

// Organisations lists every organisation by code.
func (s *Store) Organisations(ctx context.Context) ([]access.Organisation, error) {
	return queryAll(ctx, s, "SELECT "+orgColumns+" FROM organisations ORDER BY code", scanOrg)
}

// PutUser registers or updates a user.
func (s *Store) PutUser(ctx context.Context, u access.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.Created.IsZero() {
		u.Created = s.now()
	}
	var one int
	if err := s.pool.QueryRow(ctx, "SELECT 1 FROM organisations WHERE code = $1", u.Org).Scan(&one); err != nil {
		return notFound(err, "organisation "+u.Org)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO users (name, org, roles, disabled, created) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (name) DO UPDATE SET org = excluded.org, roles = excluded.roles, disabled = excluded.disabled`,
		u.Name, u.Org, store.JoinList(u.Roles), u.Disabled, fromMicros(u.Created.UnixMicro()))
	if err != nil {
		return fmt.Errorf("postgres: storing user %s: %w", u.Name, err)
	}
	return nil
}

const userColumns = "name, org, roles, disabled, created"

func scanUser(row pgx.Row) (access.User, error) {
	var u access.User
	var roles string
	err := row.Scan(&u.Name, &u.Org, &roles, &u.Disabled, &u.Created)
	u.Roles, u.Created = store.SplitList(roles), u.Created.UTC()
	return u, err
}

// User returns one user.
func (s *Store) User(ctx context.Context, name string) (access.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE name = $1", name))
	return u, notFound(err, "user "+name)
}

// Users lists every user by name.
func (s *Store) Users(ctx context.Context) ([]access.User, error) {
	return queryAll(ctx, s, "SELECT "+userColumns+" FROM users ORDER BY name", scanUser)
}

// PutToken stores a new token.
func (s *Store) PutToken(ctx context.Context, t access.Token) error {
	var one int
	if err := s.pool.QueryRow(ctx, "SELECT 1 FROM users WHERE name = $1", t.User).Scan(&one); err != nil {
		return notFound(err, "user "+t.User)
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO tokens (id, user_name, hash, scopes, created, expires) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO NOTHING`, t.ID, t.User, t.Hash[:], store.ScopesText(t.Scopes),
		fromMicros(t.Created.UnixMicro()), fromMicros(t.Expires.UnixMicro()))
	if err != nil {
		return fmt.Errorf("postgres: storing token: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("token %s: %w", t.ID, store.ErrConflict)
	}
	return nil
}

const tokenColumns = "id, user_name, hash, scopes, created, expires, revoked"

func scanToken(row pgx.Row) (access.Token, error) {
	var t access.Token
	var hash []byte
	var scopes string
	var revoked *time.Time
	if err := row.Scan(&t.ID, &t.User, &hash, &scopes, &t.Created, &t.Expires, &revoked); err != nil {
		return t, err
	}
	copy(t.Hash[:], hash)
	t.Scopes, t.Created, t.Expires = store.ParseScopes(scopes), t.Created.UTC(), t.Expires.UTC()
	if revoked != nil {
		t.Revoked = revoked.UTC()
	}
	return t, nil
}

// Token returns a token by id.
func (s *Store) Token(ctx context.Context, id string) (access.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, "SELECT "+tokenColumns+" FROM tokens WHERE id = $1", id))
	return t, notFound(err, "token "+id)
}

// Tokens lists a user's tokens, newest first.
func (s *Store) Tokens(ctx context.Context, user string) ([]access.Token, error) {
	return queryAll(ctx, s, "SELECT "+tokenColumns+" FROM tokens WHERE user_name = $1 ORDER BY created DESC, id", scanToken, user)
}

// RevokeToken marks a token revoked; the first revocation stands.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, "UPDATE tokens SET revoked = coalesce(revoked, $1) WHERE id = $2", fromMicros(at.UnixMicro()), id)
	if err != nil {
		return fmt.Errorf("postgres: revoking token %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("token %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// notFound turns "no rows" into ErrNotFound naming what was missing.
func notFound(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// queryAll runs a query and scans every row.
func queryAll[T any](ctx context.Context, s *Store, q string, scan func(pgx.Row) (T, error), args ...any) ([]T, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
