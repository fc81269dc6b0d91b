package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
)

// Decoder is how an adapter is told to rebuild typed observations from
// stored documents (its WithDecoder option).
type Decoder = func(doc []byte) (observation.Observation, error)

// RunDecoder checks that every read path rebuilds records through the
// decoder the store was opened with, and reports its failures. open
// returns an empty store using decode; the suite closes it.
func RunDecoder(t *testing.T, open func(t *testing.T, decode Decoder) store.Store) {
	ctx := context.Background()
	// The test decoder reads the key from the document and marks what it
	// made, so a record that bypassed it is recognisable.
	decode := func(doc []byte) (observation.Observation, error) {
		var d struct {
			ID     string `json:"id"`
			Source string `json:"source"`
			Notes  string `json:"notes"`
		}
		if err := json.Unmarshal(doc, &d); err != nil {
			return observation.Observation{}, err
		}
		switch d.Notes {
		case "undecodable":
			return observation.Observation{}, errors.New("bad document")
		case "other key":
			d.ID += "-x"
		}
		return observation.Observation{ID: d.ID, Source: d.Source, Notes: "decoded", Kind: observation.Other}, nil
	}
	t.Run("Decoder", func(t *testing.T) {
		s := open(t, decode)
		t.Cleanup(func() { _ = s.Close() })
		good := Build(Spec{Source: "om-1", ID: "good", At: Base, HasLocation: true, Lat: 48, Lon: 38})
		mustAppend(t, s, []observation.Observation{good}, received)

		reads := []struct {
			name string
			read func() ([]observation.Record, error)
		}{
			{"Observation", func() ([]observation.Record, error) {
				r, err := s.Observation(ctx, good.Key())
				return []observation.Record{r}, err
			}},
			{"ObservationsAfter", func() ([]observation.Record, error) { return s.ObservationsAfter(ctx, 0, 10) }},
			{"Observations", func() ([]observation.Record, error) {
				r, _, err := s.Observations(ctx, store.ObservationQuery{})
				return r, err
			}},
			{"Observations in a box", func() ([]observation.Record, error) {
				r, _, err := s.Observations(ctx, store.ObservationQuery{BBox: &store.BBox{West: 37, South: 47, East: 39, North: 49}, Limit: 10})
				return r, err
			}},
			{"resubmission", func() ([]observation.Record, error) {
				st, err := s.AppendObservations(ctx, []observation.Observation{good}, received)
				if err != nil {
					return nil, err
				}
				return []observation.Record{st[0].Record}, nil
			}},
		}
		for _, r := range reads {
			t.Run(r.name, func(t *testing.T) {
				recs, err := r.read()
				if err != nil {
					t.Fatal(err)
				}
				if len(recs) != 1 || recs[0].Notes != "decoded" || recs[0].Key() != good.Key() || string(recs[0].Document) != string(good.Document) {
					t.Errorf("got %+v; want the decoder's record with the stored document", recs)
				}
			})
		}
		for _, notes := range []string{"undecodable", "other key"} {
			t.Run(notes, func(t *testing.T) {
				bad := Build(Spec{Source: "om-1", ID: "bad-" + notes[:5], At: Base, Notes: notes})
				mustAppend(t, s, []observation.Observation{bad}, received)
				if _, err := s.Observation(ctx, bad.Key()); err == nil || errors.Is(err, store.ErrNotFound) {
					t.Errorf("Observation: err = %v; want the decoder's failure", err)
				}
				if _, err := s.ObservationsAfter(ctx, 0, 10); err == nil {
					t.Error("ObservationsAfter: no error")
				}
			})
		}
	})
}

// RunClock checks that a store stamps the times it must supply itself from
// the clock it was opened with. open returns an empty store using now; the
// suite closes it.
func RunClock(t *testing.T, open func(t *testing.T, now func() time.Time) store.Store) {
	t.Run("Clock", func(t *testing.T) {
		ctx := context.Background()
		at := time.Date(2026, 9, 1, 8, 30, 0, 123456000, time.UTC)
		s := open(t, func() time.Time { return at })
		t.Cleanup(func() { _ = s.Close() })
		if err := s.PutSource(ctx, store.Source{ID: "om-9", Org: "OSCE", Kind: "monitor"}); err != nil {
			t.Fatal(err)
		}
		src, err := s.Source(ctx, "om-9")
		if err != nil || !src.Created.Equal(at) {
			t.Errorf("source registered at %v (err %v); want the clock's %v", src.Created, err, at)
		}
		v := agreementVersion("demo", 1, []byte("id: demo\n"))
		v.Loaded = time.Time{}
		if err := s.PutAgreementVersion(ctx, v); err != nil {
			t.Fatal(err)
		}
		vs, err := s.AgreementVersions(ctx)
		if err != nil || len(vs) != 1 || !vs[0].Loaded.Equal(at) {
			t.Errorf("version loaded at %+v (err %v); want the clock's %v", vs, err, at)
		}
	})
}
