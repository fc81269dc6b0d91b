package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
)

// Store is the SQLite adapter of store.Store.
type Store struct {
	write *sql.DB // exactly one connection: SQLite's single writer
	read  *sql.DB // a pool of query-only connections
	now   func() time.Time
	dec   func(doc []byte) (observation.Observation, error)

	// mu serialises writers (one at a time, in arrival order as far as
	// Go's mutex goes) and guards inserts and prepared, the prepared
	// statement caches.
	mu      sync.Mutex
	inserts map[int]*sql.Stmt // multi-row INSERT statements by row count
	// prepared holds other writes' statements by their SQL (event
	// versions' multi-row inserts and upserts).
	prepared map[string]*sql.Stmt

	closeOnce sync.Once
	closeErr  error
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

// DefaultReadConnections is the size of the read pool unless WithReadConnections says
// otherwise (at least 4, or GOMAXPROCS when larger).
var DefaultReadConnections = max(4, runtime.GOMAXPROCS(0))

// WithReadConnections sets the size of the read pool.
func WithReadConnections(n int) Option {
	return func(s *Store) {
		s.read.SetMaxOpenConns(max(1, n))
		s.read.SetMaxIdleConns(max(1, n))
	}
}

// walCheckpointPages is how many pages the WAL may hold before the
// writer copies them back into the database (see Open).
const walCheckpointPages = 8192

// busyTimeout bounds how long a connection waits for a lock held by
// another process (a backup, the sqlite3 shell); inside this process
// writers queue in Go.
const busyTimeout = 10 * time.Second

// Open opens (creating if needed) the database at path and brings its
// schema up to date.
//
// Pragmas, and why:
//   - journal_mode=WAL: readers do not block the writer nor wait for it.
//   - synchronous=FULL: a 2xx from intake must mean the batch is on disk.
//     In WAL mode a commit appends to the WAL; with synchronous=FULL the
//     writer fsyncs the WAL at every commit, with NORMAL it skips that sync
//     and syncs only at checkpoints (sqlite.org/wal.html: "Writers sync the
//     WAL on every transaction commit if PRAGMA synchronous is set to FULL
//     but omit this sync if PRAGMA synchronous is set to NORMAL";
//     sqlite.org/pragma.html#pragma_synchronous: "A transaction committed
//     in WAL mode with synchronous=NORMAL might roll back following a power
//     loss or system crash"). NORMAL survives a kill -9 (the bytes are in
//     the OS page cache) but not a power cut or kernel crash, and
//     acknowledged reports must survive both. Batching makes the cost one
//     fsync per batch, not per report.
//   - foreign_keys=ON: enforced if a later migration declares any.
//   - busy_timeout: see busyTimeout.
//   - BEGIN IMMEDIATE for writes (_txlock): the write lock is taken at the
//     start, so a transaction never fails halfway on a lock upgrade.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite: database path %q: must be a file name without '?' or '#'", path)
	}
	if strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: database path %q: must be a file name (WAL needs a file)", path)
	}
	common := url.Values{}
	common.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	common.Add("_pragma", "foreign_keys(1)")

	w := cloneValues(common)
	w.Set("_txlock", "immediate")
	w.Add("_pragma", "journal_mode(WAL)")
	w.Add("_pragma", "synchronous(FULL)")
	// A large cache keeps the upper levels of the indexes in memory while
	// batches are inserted (negative = KiB).
	w.Add("_pragma", "cache_size(-131072)")
	// Statement journals (which let a failed multi-row INSERT undo itself
	// inside the batch's transaction) stay in memory rather than in a
	// temporary file: writing them to a file was a third of the cost of
	// an append. Nothing durable lives there; the WAL is on disk.
	w.Add("_pragma", "temp_store(MEMORY)")
	// Checkpoints (copying the WAL back into the database) run in the
	// writer's commit. SQLite's default, every 1,000 pages, copied the
	// same index pages back again and again and took 40 % of intake time;
	// every 8,192 pages (32 MiB) copies each once per checkpoint, at the
	// price of a pause of some tens of milliseconds every few seconds of
	// full-speed intake. journal_size_limit then truncates the WAL file.
	w.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walCheckpointPages))
	w.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", 2*walCheckpointPages*4096))
	write, err := sql.Open("sqlite", path+"?"+w.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)

	r := cloneValues(common)
	r.Add("_pragma", "query_only(1)")
	r.Add("_pragma", "cache_size(-65536)")
	read, err := sql.Open("sqlite", path+"?"+r.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	read.SetMaxOpenConns(DefaultReadConnections)
	read.SetMaxIdleConns(DefaultReadConnections)
	read.SetConnMaxIdleTime(5 * time.Minute)

	s := &Store{write: write, read: read, now: time.Now, inserts: map[int]*sql.Stmt{}, prepared: map[string]*sql.Stmt{}}
	for _, o := range opts {
		o(s)
	}
	if err := s.checkPragmas(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// checkPragmas makes sure the settings durability rests on took effect: a
// driver that silently ignored one would otherwise weaken what a 2xx means.
func (s *Store) checkPragmas(ctx context.Context) error {
	var mode string
	var sync int
	if err := s.write.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("sqlite: opening: %w", err)
	}
	if err := s.write.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return fmt.Errorf("sqlite: opening: %w", err)
	}
	if !strings.EqualFold(mode, "wal") || sync != 2 {
		return fmt.Errorf("sqlite: journal_mode=%s synchronous=%d; need wal and 2 (FULL)", mode, sync)
	}
	return nil
}

// Close closes both pools. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		for _, st := range s.inserts {
			st.Close()
		}
		for _, st := range s.prepared {
			st.Close()
		}
		s.mu.Unlock()
		s.closeErr = errors.Join(s.read.Close(), s.write.Close())
	})
	return s.closeErr
}

// Ping reports whether the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var n int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		return fmt.Errorf("sqlite: %w", err)
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

// migrate applies, each in its own transaction with its row in
// schema_migrations, the migrations the database has not seen. The write
// transaction's lock also keeps a second process from migrating at once.
func (s *Store) migrate(ctx context.Context) error {
	all, err := migrations()
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("sqlite: creating schema_migrations: %w", err)
	}
	for _, m := range all {
		if err := s.apply(ctx, m, len(all)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) apply(ctx context.Context, m store.Migration, known int) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: migration %d: %w", m.Version, err)
	}
	defer tx.Rollback()
	var latest int
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&latest); err != nil {
		return fmt.Errorf("sqlite: reading schema_migrations: %w", err)
	}
	if latest > known {
		return fmt.Errorf("sqlite: the database has schema version %d; this truce knows only %d (use a newer truce)", latest, known)
	}
	if latest >= m.Version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("sqlite: migration %d (%s): %w", m.Version, m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.Version, m.Name, s.now().UnixMicro()); err != nil {
		return fmt.Errorf("sqlite: recording migration %d: %w", m.Version, err)
	}
	return tx.Commit()
}

// fromMicros is the inverse of time.Time.UnixMicro, in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// isUniqueViolation says whether err is SQLite refusing a duplicate key.
func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}
