package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/placekey"
	"github.com/truce-mechanism/truce/store/storetest"
)

// TestQueryPlans pins the access path of every query shape with EXPLAIN
// QUERY PLAN: spatial and time filters go through an index, never a scan of
// the observations table.
func TestQueryPlans(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g := storetest.NewGenerator(1, storetest.Base, 30*24*time.Hour)
	for range 5 {
		if _, err := s.AppendObservations(ctx, g.Batch(1000), storetest.Base); err != nil {
			t.Fatal(err)
		}
	}
	lo, hi := storetest.Base.UnixMicro(), storetest.Base.Add(24*time.Hour).UnixMicro()
	bb := store.BBox{West: 37.8, South: 47.9, East: 38.1, North: 48.1}
	box := &spatial{BBox: bb, cells: placekey.Covering(bb)}
	withKind, _, _ := s.filters(ctx, store.ObservationQuery{Kinds: []observation.Kind{observation.Explosion}, Markings: func(string) bool { return true }})
	withSource, _, _ := s.filters(ctx, store.ObservationQuery{Sources: []string{"team-001"}})
	cursor := filters{after: &store.Cursor{ObservedAt: storetest.Base.Add(time.Hour), Sequence: 10}}

	type plan struct {
		name   string
		query  string
		args   []any
		want   []string // fragments the plan must contain
		forbid []string // and must not
	}
	q := func(f filters, lo, hi *int64, box *spatial) (string, []any) { return scanSQL(f, lo, hi, box, 1001) }
	cases := []plan{}
	add := func(name string, sql string, args []any, want, forbid []string) {
		cases = append(cases, plan{name, sql, args, want, forbid})
	}
	sql, args := q(filters{}, &lo, &hi, box)
	add("bbox and time window", sql, args,
		[]string{"SEARCH o USING INDEX observations_by_place (day=? AND cell>? AND cell<?)"}, []string{"SCAN o"})
	sql, args = candidatesSQL(cursor.after, lo, hi, box, 1001)
	add("bbox candidates, index only", sql, args,
		[]string{"SEARCH o USING COVERING INDEX observations_by_place (day=? AND cell>? AND cell<?)"}, []string{"SCAN o"})
	add("rows of the candidates", "SELECT "+observationColumns+" FROM observations AS o WHERE o.sequence IN (?,?,?) AND o.kind IN (?) ORDER BY o.observed_at, o.sequence",
		[]any{1, 2, 3, "explosion"}, []string{"SEARCH o USING INTEGER PRIMARY KEY (rowid=?)"}, []string{"SCAN o"})
	sql, args = q(withKind, &lo, &hi, box)
	add("bbox, time, kind and markings", sql, args,
		[]string{"SEARCH o USING INDEX observations_by_place (day=? AND cell>? AND cell<?)"}, []string{"SCAN o"})
	sql, args = q(filters{}, &lo, &hi, nil)
	add("time window", sql, args,
		[]string{"SEARCH o USING INDEX observations_by_time (observed_at>? AND observed_at<?)"}, []string{"SCAN o", "TEMP B-TREE"})
	sql, args = q(cursor, nil, nil, nil)
	add("next page by cursor", sql, args,
		[]string{"SEARCH o USING INDEX observations_by_time (observed_at>?)"}, []string{"SCAN o", "TEMP B-TREE"})
	sql, args = q(withSource, &lo, &hi, nil)
	add("source and time window", sql, args, []string{"SEARCH o USING INDEX observations_by_time (observed_at>? AND observed_at<?)"}, []string{"SCAN o", "TEMP B-TREE"})
	sql, args = q(withKind, nil, nil, nil)
	add("kind, newest first page", sql, args, []string{"SCAN o USING INDEX observations_by_time"}, []string{"TEMP B-TREE"})
	add("one observation by key", "SELECT "+observationColumns+" FROM observations AS o WHERE o.source = ? AND o.id = ?", []any{"a", "b"},
		[]string{"SEARCH o USING INDEX sqlite_autoindex_observations_1 (source=? AND id=?)"}, nil)
	add("following the sequence", "SELECT "+observationColumns+" FROM observations AS o WHERE o.sequence > ? ORDER BY o.sequence LIMIT ?", []any{1, 10},
		[]string{"SEARCH o USING INTEGER PRIMARY KEY (rowid>?)"}, []string{"TEMP B-TREE"})
	add("time range ends", timeRangeSQL, nil,
		[]string{"SEARCH observations USING COVERING INDEX observations_by_time"}, []string{"SCAN observations"})

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := s.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+c.query, c.args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var lines []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				lines = append(lines, detail)
			}
			text := strings.Join(lines, "\n")
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("plan lacks %q:\n%s", w, text)
				}
			}
			for _, f := range c.forbid {
				for _, l := range lines {
					if strings.HasPrefix(l, f) || (f == "TEMP B-TREE" && strings.Contains(l, f)) {
						t.Errorf("plan has %q:\n%s", f, text)
					}
				}
			}
			t.Logf("plan:\n%s", text)
		})
	}
}
