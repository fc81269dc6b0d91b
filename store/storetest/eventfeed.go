package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/store"
)

// testEventVersionsAfter: every version stored takes the next place in
// the store's order of event versions, in batch order, once: a replay, a
// conflict or a refused batch takes none, so the ledger's feed has no gap.
func testEventVersionsAfter(t *testing.T, s store.Store) {
	ctx := context.Background()
	if got, err := s.EventVersionsAfter(ctx, 0, 0); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v, %v", eventIDs(got), err)
	}
	ev := func(id string, version int, seq int64) store.EventRecord {
		return BuildEvent(EventSpec{ID: id, Version: version, Start: Base.Add(time.Duration(seq) * time.Minute), Sequence: seq})
	}
	a1, a2, b1, c1, d1 := ev("f-a", 1, 1), ev("f-a", 2, 3), ev("f-b", 1, 2), ev("f-c", 1, 3), ev("f-d", 1, 4)
	changed := a1
	changed.Document = append(changed.Document, ' ')
	refused := d1
	refused.Kind = ""
	// Enough new versions to span several of an adapter's INSERT
	// statements, with stored ones among them.
	var many []store.EventRecord
	var manyKeys []string
	for i := range 300 {
		e := ev(fmt.Sprintf("f-m%03d", i), 1, 10)
		many = append(many, e)
		manyKeys = append(manyKeys, e.ID+"@1")
		if i == 150 {
			many = append(many, b1, a2)
		}
	}

	steps := []struct {
		name    string
		batch   []store.EventRecord
		failed  bool
		wantNew []string // versions that took the next places, in order
	}{
		{"in batch order", []store.EventRecord{a1, b1}, false, []string{"f-a@1", "f-b@1"}},
		{"a replay among new versions takes no place", []store.EventRecord{b1, a2, a1, c1}, false, []string{"f-a@2", "f-c@1"}},
		{"the same batch again", []store.EventRecord{a1, b1, a2, c1}, false, nil},
		{"a version twice in one batch", []store.EventRecord{d1, d1}, false, []string{"f-d@1"}},
		{"a conflict takes none", []store.EventRecord{ev("f-x", 1, 5), changed}, true, nil},
		{"a refused version takes none", []store.EventRecord{ev("f-y", 1, 5), refused}, true, nil},
		{"many, across statements", many, false, manyKeys},
	}
	var last int64
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			err := s.PutEvents(ctx, st.batch)
			if st.failed != (err != nil) {
				t.Fatalf("PutEvents: %v; want failure %v", err, st.failed)
			}
			got, err := s.EventVersionsAfter(ctx, last, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(eventIDs(got), st.wantNew) {
				t.Fatalf("new places %v; want %v", firstN(eventIDs(got), 5), firstN(st.wantNew, 5))
			}
			for i, e := range got {
				if e.Recorded != last+int64(i)+1 {
					t.Fatalf("%s@%d recorded %d; want %d (no gap)", e.ID, e.Version, e.Recorded, last+int64(i)+1)
				}
			}
			last += int64(len(got))
		})
	}

	t.Run("pages of the feed", func(t *testing.T) {
		cases := []struct {
			after int64
			limit int
			want  []string
		}{
			{0, 3, []string{"f-a@1", "f-b@1", "f-a@2"}},
			{2, 2, []string{"f-a@2", "f-c@1"}},
			{4, 1, []string{"f-d@1"}},
			{last - 1, 0, []string{"f-m299@1"}},
			{last, 0, nil},
			{last + 10, 5, nil},
		}
		for _, c := range cases {
			got, err := s.EventVersionsAfter(ctx, c.after, c.limit)
			if err != nil || !slices.Equal(eventIDs(got), c.want) {
				t.Errorf("after %d, limit %d: %v, %v; want %v", c.after, c.limit, eventIDs(got), err, c.want)
			}
		}
	})
	t.Run("every read carries the place", func(t *testing.T) {
		latest, err := s.Event(ctx, "f-a")
		if err != nil || latest.Recorded != 3 {
			t.Errorf("Event: recorded %d, %v; want 3", latest.Recorded, err)
		}
		vs, err := s.EventVersions(ctx, "f-a")
		if err != nil || len(vs) != 2 || vs[0].Recorded != 1 || vs[1].Recorded != 3 {
			t.Errorf("EventVersions: %+v, %v; want places 1 and 3", vs, err)
		}
		page, _, err := s.Events(ctx, store.EventQuery{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			if e.ID == "f-a" && e.Recorded != 3 {
				t.Errorf("Events: f-a recorded %d; want 3", e.Recorded)
			}
		}
		if _, err := s.EventVersions(ctx, "f-x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a version of a failed batch was kept: %v", err)
		}
	})
}

func firstN(xs []string, n int) []string { return xs[:min(n, len(xs))] }
