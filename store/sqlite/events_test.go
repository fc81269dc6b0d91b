package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/placekey"
	"github.com/truce-mechanism/truce/store/storetest"
)

// TestEventQueryPlans pins the access path of every event query with
// EXPLAIN QUERY PLAN: the page is chosen from an index of events_latest
// alone (never a scan of it), and only the page's versions are read, each
// by its key.
func TestEventQueryPlans(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	g := storetest.NewEventStream(1, storetest.Base, 30*24*time.Hour, 5000)
	for range 5 {
		if err := s.PutEvents(ctx, g.Batch(1000)); err != nil {
			t.Fatal(err)
		}
	}
	lo, hi := storetest.Base.UnixMicro(), storetest.Base.Add(24*time.Hour).UnixMicro()
	bb := store.BBox{West: 37.8, South: 47.9, East: 38.1, North: 48.1}
	box := &spatial{BBox: bb, cells: placekey.Covering(bb)}
	withKind, _, err := s.eventFilters(ctx, store.EventQuery{Kinds: []string{"explosion"}, Markings: func(string) bool { return true }})
	if err != nil {
		t.Fatal(err)
	}
	// Lists leave tentative events out unless asked: the usual query.
	notTentative := false
	listed, _, err := s.eventFilters(ctx, store.EventQuery{Kinds: []string{"explosion"}, Markings: func(string) bool { return true }, Tentative: &notTentative})
	if err != nil {
		t.Fatal(err)
	}
	cursor := filters{after: &store.Cursor{ObservedAt: storetest.Base.Add(time.Hour), ID: "ev-000000010"}}
	versionByKey := "SEARCH v USING INDEX sqlite_autoindex_event_versions_1 (id=? AND version=?)"
	noScan := []string{"SCAN e", "SCAN v"}

	cases := []struct {
		name   string
		query  string
		args   []any
		want   []string
		forbid []string
	}{}
	add := func(name, query string, args []any, want, forbid []string) {
		cases = append(cases, struct {
			name   string
			query  string
			args   []any
			want   []string
			forbid []string
		}{name, query, args, want, forbid})
	}
	q, args := eventsSQL(filters{}, &lo, &hi, box, 1001)
	add("bbox and time window", q, args, []string{"SEARCH e USING COVERING INDEX events_by_place (day=? AND cell>? AND cell<?)", versionByKey}, noScan)
	q, args = eventsSQL(withKind, &lo, &hi, box, 1001)
	add("bbox, time, kind and markings", q, args, []string{"SEARCH e USING COVERING INDEX events_by_place (day=? AND cell>? AND cell<?)", versionByKey}, noScan)
	q, args = eventsSQL(listed, &lo, &hi, box, 1001)
	add("bbox, time, kind, markings, not tentative", q, args, []string{"SEARCH e USING COVERING INDEX events_by_place (day=? AND cell>? AND cell<?)", versionByKey}, noScan)
	q, args = eventsSQL(listed, &lo, &hi, nil, 1001)
	add("time, kind, markings, not tentative", q, args, []string{"SEARCH e USING COVERING INDEX events_by_time (start_at>? AND start_at<?)", versionByKey}, append(noScan, "TEMP B-TREE"))
	q, args = eventsSQL(filters{}, &lo, &hi, nil, 1001)
	add("time window", q, args, []string{"SEARCH e USING COVERING INDEX events_by_time (start_at>? AND start_at<?)", versionByKey}, append(noScan, "TEMP B-TREE"))
	q, args = eventsSQL(cursor, nil, nil, nil, 1001)
	add("next page by cursor", q, args, []string{"SEARCH e USING COVERING INDEX events_by_time (start_at>?)", versionByKey}, append(noScan, "TEMP B-TREE"))
	q, args = eventsSQL(withKind, nil, nil, nil, 1001)
	add("kind and markings, first page", q, args, []string{"SCAN e USING COVERING INDEX events_by_time", versionByKey}, []string{"SCAN v", "TEMP B-TREE"})
	add("one event", "SELECT "+eventColumns+" FROM events_latest AS e JOIN event_versions AS v ON v.id = e.id AND v.version = e.version WHERE e.id = ?",
		[]any{"ev-000000001"}, []string{"SEARCH e USING PRIMARY KEY (id=?)", versionByKey}, noScan)
	add("an event's versions", "SELECT "+eventColumns+" FROM event_versions AS v WHERE v.id = ? ORDER BY v.version", []any{"ev-000000001"},
		[]string{"SEARCH v USING INDEX sqlite_autoindex_event_versions_1 (id=?)"}, append(noScan, "TEMP B-TREE"))
	add("last event sequence", "SELECT coalesce(max(sequence), 0) FROM event_versions", nil,
		[]string{"SEARCH event_versions USING COVERING INDEX event_versions_by_sequence"}, []string{"SCAN event_versions"})
	add("event versions after a place (the ledger's feed)", eventVersionsAfterSQL, []any{1000, 1000},
		[]string{"SEARCH v USING INDEX event_versions_by_recorded (recorded>?)"}, append(noScan, "TEMP B-TREE"))
	add("the last place given", lastRecordedSQL, nil,
		[]string{"SEARCH event_versions USING COVERING INDEX event_versions_by_recorded"}, []string{"SCAN event_versions"})
	add("time range ends", eventTimeRangeSQL, nil,
		[]string{"SEARCH events_latest USING COVERING INDEX events_by_time"}, []string{"SCAN events_latest"})

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

// TestEventsAppendOnly: the database itself refuses to edit or remove an
// event version, and to move an event's latest version back.
func TestEventsAppendOnly(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	e1 := storetest.BuildEvent(storetest.EventSpec{ID: "ev-1", Start: storetest.Base, Sequence: 1})
	e2 := storetest.BuildEvent(storetest.EventSpec{ID: "ev-1", Version: 2, Start: storetest.Base, Sequence: 2})
	if err := s.PutEvents(ctx, []store.EventRecord{e1, e2}); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"UPDATE event_versions SET kind = 'other'",
		"UPDATE event_versions SET recorded = recorded + 100", // its place in the ledger's order
		"UPDATE event_versions SET tentative = 1",
		"DELETE FROM event_versions",
		"UPDATE events_latest SET version = 1",
		"UPDATE events_latest SET kind = 'other'", // the same version, edited
		"UPDATE events_latest SET tentative = 1",
		"DELETE FROM events_latest",
	} {
		t.Run(stmt, func(t *testing.T) {
			_, err := s.write.ExecContext(ctx, stmt)
			if err == nil || !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "newer version") {
				t.Errorf("err = %v; want a refusal", err)
			}
		})
	}
	t.Run("latest must be a stored version", func(t *testing.T) {
		_, err := s.write.ExecContext(ctx, "UPDATE events_latest SET version = 3")
		if err == nil {
			t.Error("events_latest points at a version that does not exist")
		}
	})
	t.Run("a version needs its place in the store's order", func(t *testing.T) {
		_, err := s.write.ExecContext(ctx, `INSERT INTO event_versions (id, version, start_at, end_at, kind, marking, document, sequence)
			VALUES ('ev-2', 1, 0, 0, 'explosion', 'PUBLIC', x'7b7d', 3)`)
		if err == nil || !strings.Contains(err.Error(), "recorded") {
			t.Errorf("err = %v; want a refusal", err)
		}
	})
}

// databaseAt makes, at path, a database as an older truce left it: the
// first n migrations applied and recorded.
func databaseAt(t *testing.T, path string, n int) *sql.DB {
	t.Helper()
	ctx := context.Background()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.ExecContext(ctx, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT"); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:n] {
		if _, err := old.ExecContext(ctx, m.SQL); err != nil {
			t.Fatalf("migration %d: %v", m.Version, err)
		}
		if _, err := old.ExecContext(ctx, "INSERT INTO schema_migrations VALUES (?, ?, 0)", m.Version, m.Name); err != nil {
			t.Fatal(err)
		}
	}
	return old
}

// reopen closes the older truce's database and opens it with this one,
// which migrates it; the store closes when the test ends.
func reopen(t *testing.T, old *sql.DB, path string) *Store {
	t.Helper()
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestEventRecordedMigration: a database made before event versions had
// a store-wide order gets one when it opens: its versions numbered in the
// order they were stored, the next version after them, and the versions
// still append-only.
func TestEventRecordedMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "truce.db")
	old := databaseAt(t, path, 8) // up to the events
	// Stored neither in (id, version) nor in sequence order.
	stored := []store.EventRecord{
		storetest.BuildEvent(storetest.EventSpec{ID: "ev-b", Start: storetest.Base, Sequence: 5}),
		storetest.BuildEvent(storetest.EventSpec{ID: "ev-a", Start: storetest.Base, Sequence: 7}),
		storetest.BuildEvent(storetest.EventSpec{ID: "ev-a", Version: 2, Start: storetest.Base, Sequence: 6}),
	}
	for _, e := range stored {
		if _, err := old.ExecContext(ctx, `INSERT INTO event_versions (id, version, start_at, end_at, kind, lat, lon, marking, document, sequence)
			VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?)`, e.ID, e.Version, e.Start.UnixMicro(), e.End.UnixMicro(), e.Kind, e.Marking, e.Document, e.Sequence); err != nil {
			t.Fatal(err)
		}
	}
	s := reopen(t, old, path)
	next := storetest.BuildEvent(storetest.EventSpec{ID: "ev-c", Start: storetest.Base, Sequence: 8})
	if err := s.PutEvents(ctx, []store.EventRecord{next}); err != nil {
		t.Fatal(err)
	}
	got, err := s.EventVersionsAfter(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := append(stored, next)
	if len(got) != len(want) {
		t.Fatalf("the feed holds %d versions; want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Version != want[i].Version || got[i].Recorded != int64(i+1) {
			t.Errorf("place %d: %s@%d recorded %d; want %s@%d", i+1, got[i].ID, got[i].Version, got[i].Recorded, want[i].ID, want[i].Version)
		}
	}
	if _, err := s.write.ExecContext(ctx, "UPDATE event_versions SET kind = 'other'"); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("after the migration, an edit: %v; want a refusal", err)
	}
}

// TestEventTentativeMigration: a database made before versions could be
// tentative opens with every stored version not tentative (what each was),
// listed as such, and takes tentative versions after.
func TestEventTentativeMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "truce.db")
	old := databaseAt(t, path, 12) // up to the webhooks
	stored := storetest.BuildEvent(storetest.EventSpec{ID: "ev-a", Start: storetest.Base, Sequence: 5})
	if _, err := old.ExecContext(ctx, `INSERT INTO event_versions (id, version, start_at, end_at, kind, lat, lon, marking, document, sequence, recorded)
		VALUES (?, 1, ?, ?, ?, NULL, NULL, ?, ?, ?, 1)`, stored.ID, stored.Start.UnixMicro(), stored.End.UnixMicro(), stored.Kind, stored.Marking, stored.Document, stored.Sequence); err != nil {
		t.Fatal(err)
	}
	if _, err := old.ExecContext(ctx, `INSERT INTO events_latest (id, version, start_at, kind, marking) VALUES (?, 1, ?, ?, ?)`,
		stored.ID, stored.Start.UnixMicro(), stored.Kind, stored.Marking); err != nil {
		t.Fatal(err)
	}
	s := reopen(t, old, path)
	storetest.CheckTentativeMigration(t, s, stored)
}
