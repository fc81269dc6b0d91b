package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/storetest"
)

func openTest(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "truce.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// TestDurabilitySettings: what a 2xx rests on is in force on the write
// connection, and the read pool cannot write.
func TestDurabilitySettings(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	cases := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
	}
	for _, c := range cases {
		t.Run(c.pragma, func(t *testing.T) {
			var got string
			if err := s.write.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("PRAGMA %s = %s; want %s", c.pragma, got, c.want)
			}
		})
	}
	t.Run("readers are query-only", func(t *testing.T) {
		if _, err := s.read.ExecContext(ctx, "INSERT INTO markings VALUES ('PUBLIC')"); err == nil {
			t.Error("a read connection wrote")
		}
	})
}

// TestAppendOnly: the database itself refuses to edit or remove what was
// stored, whoever asks.
func TestAppendOnly(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	o := storetest.Build(storetest.Spec{Source: "om-1", ID: "a", At: storetest.Base})
	if _, err := s.AppendObservations(ctx, []observation.Observation{o}, storetest.Base); err != nil {
		t.Fatal(err)
	}
	if err := s.PutAgreementVersion(ctx, store.AgreementVersion{ID: "demo", Version: 1, Document: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"UPDATE observations SET kind = 'other'",
		"DELETE FROM observations",
		"UPDATE agreement_versions SET document = x'00'",
		"DELETE FROM agreement_versions",
	} {
		t.Run(stmt, func(t *testing.T) {
			_, err := s.write.ExecContext(ctx, stmt)
			if err == nil || !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "immutable") {
				t.Errorf("err = %v; want a refusal", err)
			}
		})
	}
}

// TestNewerSchemaRefused: a truce older than its database stops rather
// than guess.
func TestNewerSchemaRefused(t *testing.T) {
	s, path := openTest(t)
	if _, err := s.write.Exec("INSERT INTO schema_migrations VALUES (99, 'from the future', 0)"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "schema version 99") {
		t.Fatalf("err = %v; want a refusal naming version 99", err)
	}
}

func TestMigrationsNumbered(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Version != 1 {
		t.Fatalf("migrations: %+v", ms)
	}
}
