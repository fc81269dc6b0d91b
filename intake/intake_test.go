package intake_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/sqlite"
)

var now = time.Date(2026, 9, 2, 12, 0, 0, 0, time.UTC)

func open(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir()+"/truce.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.PutSource(context.Background(), store.Source{ID: "smm-7", Org: "OSCE", Kind: "monitor", Created: now}); err != nil {
		t.Fatal(err)
	}
	return st
}

func decode(t *testing.T, ndjson string) []observation.Document {
	t.Helper()
	docs, err := observation.Decode("application/x-ndjson", []byte(ndjson))
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

const (
	good     = `{"id":"a","source":"smm-7","observed_at":"2026-09-02T01:00:00Z","kind":"shot"}`
	stranger = `{"id":"b","source":"nobody","observed_at":"2026-09-02T01:00:00Z","kind":"shot"}`
	bad      = `{"id":"c","source":"smm-7","observed_at":"2026-09-02T01:00:00Z","kind":"shot","count":-1}`
)

// TestSubmit pins the intake's decisions: a batch is stored whole or not
// at all, whatever is wrong with it.
func TestSubmit(t *testing.T) {
	cases := []struct {
		name      string
		anySource bool
		batch     string
		wantErr   any // pointer to the error type expected, nil for success
		pointer   string
		stored    int // records readable afterwards
	}{
		{name: "registered source", batch: good, stored: 1},
		{name: "unregistered source is refused with the batch", batch: good + "\n" + stranger, wantErr: new(*intake.SourceError), pointer: "/source"},
		{name: "demo takes any source", anySource: true, batch: good + "\n" + stranger, stored: 2},
		{name: "an invalid document refuses the batch", batch: good + "\n" + bad, wantErr: new(*intake.InvalidError), pointer: "/count"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := open(t)
			in := &intake.Intake{Store: st, Now: func() time.Time { return now }, AnySource: c.anySource}
			_, err := in.Submit(context.Background(), decode(t, c.batch))
			switch target := c.wantErr.(type) {
			case nil:
				if err != nil {
					t.Fatalf("Submit: %v", err)
				}
			case **intake.SourceError:
				if !errors.As(err, target) {
					t.Fatalf("Submit: %v, want an unknown-source error", err)
				}
				if got := (*target).Errors[0]; got.Pointer != c.pointer || got.Index != 1 || !strings.Contains(got.Detail, "nobody") {
					t.Errorf("blamed %+v", got)
				}
			case **intake.InvalidError:
				if !errors.As(err, target) {
					t.Fatalf("Submit: %v, want an invalid-document error", err)
				}
				if got := (*target).Errors[0]; got.Pointer != c.pointer || got.Index != 1 {
					t.Errorf("blamed %+v", got)
				}
			}
			recs, _, err := st.Observations(context.Background(), store.ObservationQuery{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != c.stored {
				t.Errorf("%d records stored, want %d", len(recs), c.stored)
			}
		})
	}
}

func TestSubmitLimits(t *testing.T) {
	in := &intake.Intake{Store: open(t), Now: func() time.Time { return now }}
	if _, err := in.Submit(context.Background(), nil); !errors.Is(err, intake.ErrEmpty) {
		t.Errorf("empty batch: %v", err)
	}
	var tooLarge *intake.TooLargeError
	if _, err := in.Submit(context.Background(), make([]observation.Document, intake.MaxBatch+1)); !errors.As(err, &tooLarge) {
		t.Errorf("batch over the limit: %v", err)
	}
}
