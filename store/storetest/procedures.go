package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/store"
)

func procedureRecord(kind, key string, seq int, marking string, at time.Time) store.ProcedureRecord {
	return store.ProcedureRecord{Kind: kind, Key: key, Seq: seq, Marking: marking,
		Document: []byte(`{"ID":"` + key + `","Kind":"` + kind + `"}`), By: "us.chair", Org: "USA", At: at}
}

func procedureKeys(rs []store.ProcedureRecord) []int64 {
	var out []int64
	for _, r := range rs {
		out = append(out, r.Sequence)
	}
	return out
}

func testProcedureRecords(t *testing.T, s store.Store) {
	ctx := context.Background()
	at := Base.Add(96*time.Hour + 123456789) // sub-microsecond digits are cut
	opened := procedureRecord("case_action", "case-1", 1, "COMMISSION", at)
	notified := procedureRecord("case_action", "case-1", 2, "REL TO RUS, USA", at.Add(time.Minute))
	commitment := procedureRecord("commitment", "cm-1", 1, "PUBLIC", at.Add(2*time.Minute))

	t.Run("appended in sequence, atomically", func(t *testing.T) {
		got, err := s.AppendProcedureRecords(ctx, []store.ProcedureRecord{opened, notified})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Sequence != 1 || got[1].Sequence != 2 {
			t.Fatalf("appended %+v; want sequences 1, 2", got)
		}
		want := opened
		want.At = at.Truncate(time.Microsecond)
		if !store.SameProcedureRecord(got[0], want) || got[0].At.Location() != time.UTC {
			t.Fatalf("appended %+v; want %+v", got[0], want)
		}
		got, err = s.AppendProcedureRecords(ctx, []store.ProcedureRecord{commitment})
		if err != nil || got[0].Sequence != 3 {
			t.Fatalf("third record: %+v, %v", got, err)
		}
	})

	t.Run("a position taken is a conflict, and nothing of the batch is stored", func(t *testing.T) {
		next := procedureRecord("case_action", "case-1", 3, "COMMISSION", at.Add(time.Hour))
		again := notified
		again.Document = []byte(`{"other":true}`)
		_, err := s.AppendProcedureRecords(ctx, []store.ProcedureRecord{next, again})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("err = %v; want ErrConflict", err)
		}
		all, err := s.ProcedureRecordsAfter(ctx, 0, 0)
		if err != nil || len(all) != 3 {
			t.Fatalf("after a refused batch: %d records, %v; want 3", len(all), err)
		}
	})

	for _, tc := range []struct {
		name string
		f    func(*store.ProcedureRecord)
	}{
		{"no kind", func(r *store.ProcedureRecord) { r.Kind = "" }},
		{"a kind with a slash", func(r *store.ProcedureRecord) { r.Kind = "a/b" }},
		{"no key", func(r *store.ProcedureRecord) { r.Key = "" }},
		{"position 0", func(r *store.ProcedureRecord) { r.Seq = 0 }},
		{"no one", func(r *store.ProcedureRecord) { r.By = "" }},
		{"no time", func(r *store.ProcedureRecord) { r.At = time.Time{} }},
		{"a bad marking", func(r *store.ProcedureRecord) { r.Marking = "SECRET-ish" }},
		{"not JSON", func(r *store.ProcedureRecord) { r.Document = []byte("{") }},
		{"not an object", func(r *store.ProcedureRecord) { r.Document = []byte("[1]") }},
	} {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			r := procedureRecord("case_action", "case-9", 1, "PUBLIC", at)
			tc.f(&r)
			if _, err := s.AppendProcedureRecords(ctx, []store.ProcedureRecord{r}); err == nil {
				t.Fatal("stored")
			}
		})
	}

	t.Run("queried by kind, key and marking", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			q    store.ProcedureQuery
			want []int64
		}{
			{"all", store.ProcedureQuery{}, []int64{1, 2, 3}},
			{"a case", store.ProcedureQuery{Kind: "case_action", Key: "case-1"}, []int64{1, 2}},
			{"a kind", store.ProcedureQuery{Kind: "commitment"}, []int64{3}},
			{"after", store.ProcedureQuery{After: 1}, []int64{2, 3}},
			{"limit", store.ProcedureQuery{Limit: 1}, []int64{1}},
			{"what RUS may read", store.ProcedureQuery{Markings: func(m string) bool { return m == "PUBLIC" || m == "REL TO RUS, USA" }}, []int64{2, 3}},
			{"nothing readable", store.ProcedureQuery{Markings: func(string) bool { return false }}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.ProcedureRecords(ctx, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(procedureKeys(got), tc.want) {
					t.Fatalf("got %v; want %v", procedureKeys(got), tc.want)
				}
			})
		}
		got, err := s.ProcedureRecordsAfter(ctx, 1, 1)
		if err != nil || !slices.Equal(procedureKeys(got), []int64{2}) {
			t.Fatalf("after 1, limit 1: %v, %v", procedureKeys(got), err)
		}
	})
}
