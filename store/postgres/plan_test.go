package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/placekey"
	"github.com/truce-mechanism/truce/store/storetest"
)

// TestQueryPlans pins the access path of every query shape with EXPLAIN
// over 40,000 analysed observations: spatial and time filters go through
// an index, never a sequential scan of observations.
func TestQueryPlans(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, freshSchema(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g := storetest.NewStream(1, storetest.Base, 30*24*time.Hour, 40_000, storetest.Lateness)
	for range 4 {
		if _, err := s.AppendObservations(ctx, g.Batch(10_000), storetest.Base); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.pool.Exec(ctx, "ANALYZE observations"); err != nil {
		t.Fatal(err)
	}
	lo, hi := storetest.Base.Add(10*24*time.Hour).UnixMicro(), storetest.Base.Add(11*24*time.Hour).UnixMicro()
	bb := store.BBox{West: 37.8, South: 47.9, East: 38.1, North: 48.1}
	box := &spatial{BBox: bb, cells: placekey.Covering(bb)}
	withKind, _, _ := s.filters(ctx, store.ObservationQuery{Kinds: []observation.Kind{observation.Explosion}, Markings: func(string) bool { return true }})
	withSource, _, _ := s.filters(ctx, store.ObservationQuery{Sources: []string{"team-001"}})
	cursor := filters{after: &store.Cursor{ObservedAt: storetest.Base.Add(10 * 24 * time.Hour), Sequence: 10}}

	type plan struct {
		name   string
		query  string
		args   []any
		want   []string // fragments the plan must contain
		forbid []string // and must not
	}
	var cases []plan
	add := func(name, sql string, args []any, want, forbid []string) {
		cases = append(cases, plan{name, sql, args, want, forbid})
	}
	noSeqScan := []string{"Seq Scan on observations"}
	sql, args := scanSQL(filters{}, &lo, &hi, box, 1001)
	add("bbox and time window", sql, args, []string{"Function Scan on r", "Index Scan using observations_by_place on observations o"}, noSeqScan)
	sql, args = scanSQL(withKind, &lo, &hi, box, 1001)
	add("bbox, time, kind and markings", sql, args, []string{"Index Scan using observations_by_place on observations o"}, noSeqScan)
	sql, args = scanSQL(filters{}, &lo, &hi, nil, 1001)
	add("time window", sql, args, []string{"Index Scan using observations_by_time on observations o"}, append(noSeqScan, "Sort"))
	sql, args = scanSQL(cursor, nil, nil, nil, 1001)
	add("next page by cursor", sql, args, []string{"Index Scan using observations_by_time on observations o", "Index Cond: (ROW(observed_at, sequence) > ROW("}, append(noSeqScan, "Sort"))
	sql, args = scanSQL(withSource, &lo, &hi, nil, 1001)
	add("source and time window", sql, args, []string{"Index Scan"}, noSeqScan)
	add("one observation by key", "SELECT "+observationColumns+" FROM observations AS o WHERE o.source = $1 AND o.id = $2", []any{"team-001", "gen-000000001"},
		[]string{"Index Scan using observations_source_id_key"}, noSeqScan)
	add("following the sequence", "SELECT "+observationColumns+" FROM observations AS o WHERE o.sequence > $1 ORDER BY o.sequence LIMIT $2", []any{int64(20000), 100},
		[]string{"Index Scan using observations_pkey"}, append(noSeqScan, "Sort"))
	add("time range ends", "SELECT min(observed_at), max(observed_at) FROM observations", nil,
		[]string{"Index Only Scan using observations_by_time", "Index Only Scan Backward using observations_by_time"}, noSeqScan)

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := explain(t, s, c.query, c.args...)
			check(t, text, c.want, c.forbid)
		})
	}

	// The check of a resubmitted batch's keys against the stored ones.
	t.Run("stored keys of a batch", func(t *testing.T) {
		idx, sources, ids := make([]int32, 1000), make([]string, 1000), make([]string, 1000)
		for i := range idx {
			idx[i], sources[i], ids[i] = int32(i), fmt.Sprintf("team-%03d", i%300), fmt.Sprintf("gen-%09d", i)
		}
		check(t, explain(t, s, storedKeysSQL, idx, sources, ids), []string{"Index Scan using observations_source_id_key"}, noSeqScan)
	})
}

func explain(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.pool.Query(context.Background(), "EXPLAIN "+query, args...)
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", query, err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

func check(t *testing.T, text string, want, forbid []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("plan lacks %q:\n%s", w, text)
		}
	}
	for _, f := range forbid {
		if strings.Contains(text, f) {
			t.Errorf("plan has %q:\n%s", f, text)
		}
	}
	t.Logf("plan:\n%s", text)
}
