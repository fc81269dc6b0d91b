package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
)

// Store is the PostgreSQL adapter of store.Store.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time
	dec  func(doc []byte) (observation.Observation, error)

	closeOnce sync.Once
}

var _ store.Store = (*Store)(nil)

// Option configures Open.
type Option func(*Store)

// WithClock sets the clock the store reads when it must stamp a time
// itself: a source registered without a creation time, an agreement
// version without a load time, the time a migration was applied.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithDecoder sets how a stored document becomes the typed observation of
// a record. Without it the store rebuilds the indexed fields only (ID,
// Source, ObservedAt, Kind, Count, Marking, TimeSigmaS, Location) plus
// Document; the observation package's decoder restores the rest.
func WithDecoder(decode func(doc []byte) (observation.Observation, error)) Option {
	return func(s *Store) { s.dec = decode }
}

// Open connects to the database at dsn (a postgres:// URL or key=value
// string; pgxpool settings such as pool_max_conns are understood) and
// brings its schema up to date.
//
// Every connection runs with synchronous_commit=on, whatever the server's
// default: a commit returns only once its WAL is flushed to disk, which is
// what a 2xx from intake promises. Open refuses a server with fsync=off.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "on"
	cfg.ConnConfig.RuntimeParams["application_name"] = "truce"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if err := s.checkDurability(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) checkDurability(ctx context.Context) error {
	var fsync, sync string
	if err := s.pool.QueryRow(ctx, "SELECT current_setting('fsync'), current_setting('synchronous_commit')").Scan(&fsync, &sync); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if fsync != "on" || sync != "on" {
		return fmt.Errorf("postgres: fsync=%s synchronous_commit=%s; truce acknowledges only what is on disk and needs both on", fsync, sync)
	}
	return nil
}

// Close closes the pool. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(s.pool.Close)
	return nil
}

// Ping reports whether the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var n int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations returns the embedded migrations in order.
func migrations() ([]store.Migration, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	return store.Migrations(sub)
}

// migrationLock is the advisory lock key that keeps two truce nodes from
// migrating the same database at once ("truce-mi" in ASCII).
const migrationLock int64 = 0x7472_7563_652d_6d69

// migrate applies the migrations the schema has not seen, each in its own
// transaction with its row in schema_migrations, under an advisory lock.
func (s *Store) migrate(ctx context.Context) error {
	all, err := migrations()
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	for _, m := range all {
		if err := s.apply(ctx, m, len(all)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) apply(ctx context.Context, m store.Migration, known int) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
			return fmt.Errorf("postgres: locking for migration: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer     PRIMARY KEY,
			name       text        NOT NULL,
			applied_at timestamptz NOT NULL
		)`); err != nil {
			return fmt.Errorf("postgres: creating schema_migrations: %w", err)
		}
		var latest int
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&latest); err != nil {
			return fmt.Errorf("postgres: reading schema_migrations: %w", err)
		}
		if latest > known {
			return fmt.Errorf("postgres: the database has schema version %d; this truce knows only %d (use a newer truce)", latest, known)
		}
		if latest >= m.Version {
			return nil
		}
		// Simple protocol: a migration is several statements.
		if _, err := tx.Exec(ctx, m.SQL, pgx.QueryExecModeSimpleProtocol); err != nil {
			return fmt.Errorf("postgres: migration %d (%s): %w", m.Version, m.Name, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
			m.Version, m.Name, s.now()); err != nil {
			return fmt.Errorf("postgres: recording migration %d: %w", m.Version, err)
		}
		return nil
	})
}

// isUniqueViolation says whether err is PostgreSQL refusing a duplicate key.
func isUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}
