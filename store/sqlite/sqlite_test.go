package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/sqlite"
	"github.com/truce-mechanism/truce/store/storetest"
)

func openTemp(t *testing.T) (store.Store, func(t *testing.T) store.Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "truce.db")
	open := func(t *testing.T) store.Store {
		t.Helper()
		s, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	}
	return open(t), open
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openTemp(t)
		return s
	})
	storetest.RunReopen(t, openTemp)
}

func TestOptions(t *testing.T) {
	storetest.RunDecoder(t, func(t *testing.T, decode storetest.Decoder) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "truce.db"), sqlite.WithDecoder(decode))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
	storetest.RunClock(t, func(t *testing.T, now func() time.Time) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "truce.db"), sqlite.WithClock(now))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ name, path string }{
		{"empty", ""},
		{"in memory", ":memory:"},
		{"a URI", "file:" + filepath.Join(dir, "a.db")},
		{"a query in the name", filepath.Join(dir, "a.db?mode=ro")},
		{"a folder that does not exist", filepath.Join(dir, "no", "such", "folder", "a.db")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := sqlite.Open(context.Background(), c.path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded", c.path)
			}
		})
	}
}
