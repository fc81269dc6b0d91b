package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/postgres"
	"github.com/truce-mechanism/truce/store/storetest"
)

func openFresh(t *testing.T) (store.Store, func(t *testing.T) store.Store) {
	t.Helper()
	d := postgres.FreshSchema(t, "")
	open := func(t *testing.T) store.Store {
		t.Helper()
		s, err := postgres.Open(context.Background(), d)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	}
	return open(t), open
}

func TestContract(t *testing.T) {
	postgres.TestDSN(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openFresh(t)
		return s
	})
	storetest.RunReopen(t, openFresh)
}

func TestOptions(t *testing.T) {
	postgres.TestDSN(t)
	storetest.RunDecoder(t, func(t *testing.T, decode storetest.Decoder) store.Store {
		s, err := postgres.Open(context.Background(), postgres.FreshSchema(t, ""), postgres.WithDecoder(decode))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
	storetest.RunClock(t, func(t *testing.T, now func() time.Time) store.Store {
		s, err := postgres.Open(context.Background(), postgres.FreshSchema(t, ""), postgres.WithClock(now))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
