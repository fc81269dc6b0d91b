package postgres

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Exported for the external tests (postgres_test) in this directory.
var (
	TestDSN        = dsn
	FreshSchema    = freshSchema
	WithSearchPath = withSearchPath
)

// dsn is the server the tests use: TRUCE_TEST_POSTGRES, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. Without it
// every test here is skipped.
func dsn(t testing.TB) string {
	t.Helper()
	d := os.Getenv("TRUCE_TEST_POSTGRES")
	if d == "" {
		t.Skip("TRUCE_TEST_POSTGRES is not set: set it to a PostgreSQL URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL store's tests")
	}
	return d
}

var schemas atomic.Int64

// freshSchema creates an empty schema for one test, dropped at the end, and
// returns a DSN whose search_path points at it: runs and tests never meet.
func freshSchema(t testing.TB, name string) string {
	t.Helper()
	base := dsn(t)
	ctx := context.Background()
	if name == "" {
		name = fmt.Sprintf("truce_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemas.Add(1))
	}
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connecting to TRUCE_TEST_POSTGRES: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE; CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE")
	})
	return withSearchPath(t, base, name)
}

func withSearchPath(t testing.TB, base, schema string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		t.Fatalf("TRUCE_TEST_POSTGRES must be a postgres:// URL: %q", base)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
