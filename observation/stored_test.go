package observation

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestFromStored(t *testing.T) {
	src := `{"id":"a","source":"s","observed_at":"2026-09-02T01:00:00Z","kind":"explosion","count":2,"observer":{"lat":48,"lon":37},"bearing_deg":90}`
	docs, err := Decode(MediaJSON, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want, errs := Parse(docs[0], time.Date(2026, 9, 2, 2, 0, 0, 0, time.UTC), nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got, err := FromStored(want.Document, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Count != 2 || *got.BearingDeg != 90 || !got.ObservedAt.Equal(want.ObservedAt) || string(got.Document) != string(want.Document) {
		t.Errorf("round trip changed the observation: %+v", got)
	}
	for _, bad := range []string{`[]`, `{"id":"a"}`, `not json`} {
		if _, err := FromStored([]byte(bad), nil); err == nil {
			t.Errorf("FromStored(%s) accepted it", bad)
		}
	}
}

// TestFromStoredBatch: a batch reads as each document alone does, and a
// bad document is named by its position.
func TestFromStoredBatch(t *testing.T) {
	docs, err := Decode(MediaNDJSON, []byte(reportA+"\n"+reportB+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	var stored [][]byte
	for _, d := range docs {
		o, errs := Parse(d, farFuture, fakeResolve)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		stored = append(stored, o.Document)
	}
	got, err := FromStoredBatch(stored, fakeResolve)
	if err != nil {
		t.Fatal(err)
	}
	for i, doc := range stored {
		one, err := FromStored(doc, fakeResolve)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[i], one) {
			t.Errorf("document %d: batch %+v, alone %+v", i, got[i], one)
		}
	}
	for _, c := range []struct {
		bad  string
		want int
	}{{`[]`, 1}, {`{"id":"a"}`, 1}, {`not json`, 1}} {
		_, err := FromStoredBatch([][]byte{stored[0], []byte(c.bad), stored[1]}, fakeResolve)
		var be *StoredBatchError
		if !errors.As(err, &be) || be.Index != c.want {
			t.Errorf("a batch with %s: %v", c.bad, err)
		}
	}
}

// FuzzFromStored: a stored document reads the same alone and in a batch
// beside another, or fails both ways.
func FuzzFromStored(f *testing.F) {
	f.Add([]byte(reportA))
	f.Add([]byte(reportB))
	f.Add([]byte(`{"id":"a"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		one, err1 := FromStored(data, fakeResolve)
		batch, err2 := FromStoredBatch([][]byte{[]byte(reportA), data}, fakeResolve)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("alone: %v; in a batch: %v", err1, err2)
		}
		if err1 == nil && !reflect.DeepEqual(one, batch[1]) {
			t.Fatalf("alone %+v, in a batch %+v", one, batch[1])
		}
	})
}
