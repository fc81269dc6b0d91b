package storetest

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/store"
)

func release(id, of, marking string, at time.Time) store.Release {
	return store.Release{ID: id, Of: of, Marking: marking, Document: []byte(`{"kind":"explosion","of":"` + of + `"}`),
		By: "us.analyst", Org: "USA", At: at, Reason: "for the daily report"}
}

func releaseIDs(rs []store.Release) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func sameStoredRelease(a, b store.Release) bool {
	return a.Sequence == b.Sequence && store.SameRelease(a, b) && a.At.Location() == time.UTC
}

func testReleases(t *testing.T, s store.Store) {
	ctx := context.Background()
	at := Base.Add(72*time.Hour + 123456789) // sub-microsecond digits are cut
	public := release("rl-1", "event/ev-1", "PUBLIC", at)
	usa := release("rl-2", "event/ev-1", "REL TO USA", at.Add(time.Minute))
	mission := release("rl-3", "event/ev-2", "MISSION", at.Add(2*time.Minute))

	t.Run("appended in sequence", func(t *testing.T) {
		for i, r := range []store.Release{public, usa, mission} {
			got, err := s.AppendRelease(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			want := r
			want.Sequence, want.At = int64(i+1), r.At.Truncate(time.Microsecond)
			if !sameStoredRelease(got, want) || !got.At.Equal(want.At) {
				t.Fatalf("appended %+v; want %+v", got, want)
			}
		}
	})

	bad := func(f func(*store.Release)) store.Release {
		r := release("rl-bad", "event/ev-9", "PUBLIC", at)
		f(&r)
		return r
	}
	otherReason := public
	otherReason.Reason = "another reason"
	untimed := public
	untimed.At = time.Time{}
	cases := []struct {
		name     string
		r        store.Release
		wantSeq  int64 // the stored release returned, or 0: refused
		conflict bool
	}{
		{"the same release again", public, 1, false},
		{"again, the time left to the store", untimed, 1, false},
		{"other content under a stored id", otherReason, 0, true},
		{"no id", bad(func(r *store.Release) { r.ID = "" }), 0, false},
		{"an id with a slash", bad(func(r *store.Release) { r.ID = "rl/1" }), 0, false},
		{"a record named without its type", bad(func(r *store.Release) { r.Of = "ev-9" }), 0, false},
		{"no one made it", bad(func(r *store.Release) { r.By = "" }), 0, false},
		{"no marking", bad(func(r *store.Release) { r.Marking = "" }), 0, false},
		{"a marking not in the grammar", bad(func(r *store.Release) { r.Marking = "SECRET" }), 0, false},
		{"a conjunction", bad(func(r *store.Release) { r.Marking = "MISSION//REL TO USA" }), 0, false},
		{"a document that is not JSON", bad(func(r *store.Release) { r.Document = []byte("kind: explosion") }), 0, false},
		{"a document that is not an object", bad(func(r *store.Release) { r.Document = []byte(`["explosion"]`) }), 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.AppendRelease(ctx, c.r)
			switch {
			case c.wantSeq > 0:
				if err != nil || got.Sequence != c.wantSeq {
					t.Fatalf("got sequence %d, %v; want the stored release %d", got.Sequence, err, c.wantSeq)
				}
			case c.conflict:
				if !errors.Is(err, store.ErrConflict) {
					t.Fatalf("error %v; want ErrConflict", err)
				}
			case err == nil:
				t.Fatal("accepted")
			case errors.Is(err, store.ErrConflict):
				t.Fatalf("error %v is a conflict; it is a bad release", err)
			}
		})
	}
	t.Run("nothing refused was kept, and no sequence lost", func(t *testing.T) {
		all, err := s.ReleasesAfter(ctx, 0, 0)
		if err != nil || !slices.Equal(releaseIDs(all), []string{"rl-1", "rl-2", "rl-3"}) {
			t.Fatalf("releases %v, %v", releaseIDs(all), err)
		}
		next, err := s.AppendRelease(ctx, release("rl-4", "incident/in-1", "REL TO GBR, USA", at.Add(time.Hour)))
		if err != nil || next.Sequence != 4 {
			t.Fatalf("the next release: sequence %d, %v; want 4", next.Sequence, err)
		}
	})

	t.Run("one by id", func(t *testing.T) {
		got, err := s.Release(ctx, "rl-2")
		want := usa
		want.Sequence, want.At = 2, usa.At.Truncate(time.Microsecond)
		if err != nil || !sameStoredRelease(got, want) || !bytes.Equal(got.Document, usa.Document) {
			t.Fatalf("got %+v, %v; want %+v", got, err, want)
		}
		if _, err := s.Release(ctx, "none"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no such release: %v; want ErrNotFound", err)
		}
	})

	queries := []struct {
		name string
		q    store.ReleaseQuery
		want []string
	}{
		{"all", store.ReleaseQuery{}, []string{"rl-1", "rl-2", "rl-3", "rl-4"}},
		{"the public's", store.ReleaseQuery{Markings: allow("PUBLIC")}, []string{"rl-1"}},
		{"a reader of USA's and MISSION", store.ReleaseQuery{Markings: allow("PUBLIC", "MISSION", "REL TO USA", "REL TO GBR, USA")}, []string{"rl-1", "rl-2", "rl-3", "rl-4"}},
		{"nothing visible", store.ReleaseQuery{Markings: allow("COMMISSION")}, nil},
		{"of one record", store.ReleaseQuery{Of: "event/ev-1"}, []string{"rl-1", "rl-2"}},
		{"of one record, as the public", store.ReleaseQuery{Of: "event/ev-1", Markings: allow("PUBLIC")}, []string{"rl-1"}},
		{"of a record released to none", store.ReleaseQuery{Of: "event/ev-9"}, nil},
		{"a page", store.ReleaseQuery{Limit: 2}, []string{"rl-1", "rl-2"}},
		{"the next page", store.ReleaseQuery{After: 2, Limit: 2}, []string{"rl-3", "rl-4"}},
		{"after the last", store.ReleaseQuery{After: 4}, nil},
		{"a page of what a reader sees", store.ReleaseQuery{After: 1, Limit: 1, Markings: allow("MISSION")}, []string{"rl-3"}},
	}
	for _, c := range queries {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.Releases(ctx, c.q)
			if err != nil || !slices.Equal(releaseIDs(got), c.want) {
				t.Fatalf("got %v, %v; want %v", releaseIDs(got), err, c.want)
			}
		})
	}
	t.Run("the filter is asked once per marking", func(t *testing.T) {
		asked := map[string]int{}
		if _, err := s.Releases(ctx, store.ReleaseQuery{Markings: func(m string) bool { asked[m]++; return true }}); err != nil {
			t.Fatal(err)
		}
		for m, n := range asked {
			if n != 1 {
				t.Errorf("asked about %q %d times", m, n)
			}
		}
		if len(asked) != 4 {
			t.Errorf("asked about %v; want the four markings in use", asked)
		}
	})
	t.Run("the ledger's feed", func(t *testing.T) {
		cases := []struct {
			after int64
			limit int
			want  []string
		}{
			{0, 0, []string{"rl-1", "rl-2", "rl-3", "rl-4"}},
			{1, 2, []string{"rl-2", "rl-3"}},
			{4, 0, nil},
		}
		for _, c := range cases {
			got, err := s.ReleasesAfter(ctx, c.after, c.limit)
			if err != nil || !slices.Equal(releaseIDs(got), c.want) {
				t.Errorf("after %d, limit %d: %v, %v; want %v", c.after, c.limit, releaseIDs(got), err, c.want)
			}
		}
	})
}
