package postgres

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/placekey"
	"github.com/truce-mechanism/truce/store/storetest"
)

// TestEventQueryPlans pins the access path of every event query with
// EXPLAIN over 40,000 analysed events: pages come from an index of
// events_latest, never a sequential scan, and only the page's versions are
// read from event_versions, each by its key.
func TestEventQueryPlans(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, freshSchema(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g := storetest.NewEventStream(1, storetest.Base, 30*24*time.Hour, 40_000)
	for g.Made() < 40_000 {
		if err := s.PutEvents(ctx, g.Batch(10_000)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.pool.Exec(ctx, "ANALYZE event_versions; ANALYZE events_latest"); err != nil {
		t.Fatal(err)
	}
	lo, hi := storetest.Base.Add(10*24*time.Hour).UnixMicro(), storetest.Base.Add(11*24*time.Hour).UnixMicro()
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
	cursor := filters{after: &store.Cursor{ObservedAt: storetest.Base.Add(10 * 24 * time.Hour), ID: "ev-000010000"}}
	noSeqScan := []string{"Seq Scan on events_latest", "Seq Scan on event_versions"}
	versionByKey := "Index Scan using event_versions_pkey on event_versions v"

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
	add("bbox and time window", q, args, []string{"Function Scan on r", "using events_by_place on events_latest e", versionByKey}, noSeqScan)
	q, args = eventsSQL(withKind, &lo, &hi, box, 1001)
	add("bbox, time, kind and markings", q, args, []string{"using events_by_place on events_latest e", versionByKey}, noSeqScan)
	q, args = eventsSQL(listed, &lo, &hi, box, 1001)
	add("bbox, time, kind, markings, not tentative", q, args, []string{"using events_by_place on events_latest e", versionByKey}, noSeqScan)
	q, args = eventsSQL(listed, &lo, &hi, nil, 1001)
	add("time, kind, markings, not tentative", q, args, []string{"events_by_time", versionByKey}, noSeqScan)
	q, args = eventsSQL(filters{}, &lo, &hi, nil, 1001)
	// A day's events: the planner may read them through a bitmap of
	// events_by_time and sort them (events_latest's rows move as events
	// change, so its heap is less in time order than observations'); an
	// index either way.
	add("time window", q, args, []string{"events_by_time", versionByKey}, noSeqScan)
	q, args = eventsSQL(cursor, nil, nil, nil, 1001)
	add("next page by cursor", q, args, []string{"Index Scan using events_by_time on events_latest e", "Index Cond: (ROW(start_at, id) > ROW(", versionByKey}, noSeqScan)
	add("one event", "SELECT "+eventColumns+" FROM events_latest AS e JOIN event_versions AS v ON v.id = e.id AND v.version = e.version WHERE e.id = $1",
		[]any{"ev-000000001"}, []string{"Index Scan using events_latest_pkey on events_latest e", "event_versions_pkey"}, noSeqScan)
	add("an event's versions", "SELECT "+eventColumns+" FROM event_versions AS v WHERE v.id = $1 ORDER BY v.version", []any{"ev-000000001"},
		[]string{"event_versions_pkey"}, noSeqScan)
	add("last event sequence", "SELECT coalesce(max(sequence), 0) FROM event_versions", nil,
		[]string{"Index Only Scan Backward using event_versions_by_sequence"}, noSeqScan)
	add("event versions after a place (the ledger's feed)", eventVersionsAfterSQL, []any{int64(60_000), 1000},
		[]string{"Index Scan using event_versions_by_recorded on event_versions v"}, append(noSeqScan, "Sort"))
	add("the last place given", lastRecordedSQL, nil,
		[]string{"Index Only Scan Backward using event_versions_by_recorded"}, noSeqScan)
	add("time range ends", "SELECT min(start_at), max(start_at) FROM events_latest", nil,
		[]string{"Index Only Scan using events_by_time", "Index Only Scan Backward using events_by_time"}, noSeqScan)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check(t, explain(t, s, c.query, c.args...), c.want, c.forbid)
		})
	}
}

// TestEventsSchema: ids order bytewise whatever the database's locale (the
// contract's (start, id) order is Go's and SQLite's), and the database
// itself refuses to edit or remove a version or to move an event's latest
// version back.
func TestEventsSchema(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, freshSchema(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t.Run("ids collate bytewise", func(t *testing.T) {
		rows, err := s.pool.Query(ctx, `SELECT table_name, coalesce(collation_name, '') FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name IN ('event_versions', 'events_latest') AND column_name = 'id'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var table, coll string
			if err := rows.Scan(&table, &coll); err != nil {
				t.Fatal(err)
			}
			n++
			if coll != "C" {
				t.Errorf("%s.id collates as %q; want C", table, coll)
			}
		}
		if n != 2 {
			t.Errorf("found %d id columns; want 2", n)
		}
	})
	e1 := storetest.BuildEvent(storetest.EventSpec{ID: "ev-1", Start: storetest.Base, Sequence: 1})
	e2 := storetest.BuildEvent(storetest.EventSpec{ID: "ev-1", Version: 2, Start: storetest.Base, Sequence: 2})
	if err := s.PutEvents(ctx, []store.EventRecord{e1, e2}); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"UPDATE event_versions SET kind = 'other'",
		"UPDATE event_versions SET recorded = recorded + 100", // its place in the ledger's order
		"UPDATE event_versions SET tentative = true",
		"DELETE FROM event_versions",
		"TRUNCATE event_versions CASCADE",
		"UPDATE events_latest SET version = 1",
		"UPDATE events_latest SET kind = 'other'", // the same version, edited
		"UPDATE events_latest SET tentative = true",
		"DELETE FROM events_latest",
		"UPDATE events_latest SET version = 3", // no such version
	} {
		t.Run(stmt, func(t *testing.T) {
			if _, err := s.pool.Exec(ctx, stmt); err == nil {
				t.Error("done; want a refusal")
			} else if !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "newer version") && !strings.Contains(err.Error(), "foreign key") {
				t.Errorf("err = %v; want a refusal", err)
			}
		})
	}
}

// schemaAt makes a fresh schema as an older truce left it, the first n
// migrations applied, and returns its address and a pool on it.
func schemaAt(t *testing.T, n int) (string, *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	d := freshSchema(t, "")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	old := &Store{pool: pool, now: time.Now}
	for _, m := range ms[:n] {
		if err := old.apply(ctx, m, n); err != nil {
			t.Fatal(err)
		}
	}
	return d, pool
}

// reopen closes the older truce's pool and opens the schema with this
// one, which migrates it; the store closes when the test ends.
func reopen(t *testing.T, old *pgxpool.Pool, dsn string) *Store {
	t.Helper()
	old.Close()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestEventRecordedMigration: a database made before event versions had
// a store-wide order gets one when it opens: its versions numbered by the
// observations fused in, then id and version; the next version after
// them; the versions still append-only.
func TestEventRecordedMigration(t *testing.T) {
	ctx := context.Background()
	d, pool := schemaAt(t, 8) // up to the events
	stored := []store.EventRecord{
		storetest.BuildEvent(storetest.EventSpec{ID: "ev-b", Start: storetest.Base, Sequence: 6}),
		storetest.BuildEvent(storetest.EventSpec{ID: "ev-a", Version: 2, Start: storetest.Base, Sequence: 6}),
		storetest.BuildEvent(storetest.EventSpec{ID: "ev-a", Start: storetest.Base, Sequence: 5}),
	}
	for _, e := range stored {
		if _, err := pool.Exec(ctx, `INSERT INTO event_versions (id, version, start_at, end_at, kind, marking, document, sequence)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.ID, e.Version, e.Start, e.End, e.Kind, e.Marking, e.Document, e.Sequence); err != nil {
			t.Fatal(err)
		}
	}
	s := reopen(t, pool, d)
	next := storetest.BuildEvent(storetest.EventSpec{ID: "ev-0", Start: storetest.Base, Sequence: 7})
	if err := s.PutEvents(ctx, []store.EventRecord{next}); err != nil {
		t.Fatal(err)
	}
	got, err := s.EventVersionsAfter(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ev-a@1", "ev-a@2", "ev-b@1", "ev-0@1"}
	if len(got) != len(want) {
		t.Fatalf("the feed holds %d versions; want %d", len(got), len(want))
	}
	for i, e := range got {
		if k := e.ID + "@" + strconv.Itoa(e.Version); k != want[i] || e.Recorded != int64(i+1) {
			t.Errorf("place %d: %s recorded %d; want %s", i+1, k, e.Recorded, want[i])
		}
	}
	if _, err := s.pool.Exec(ctx, "UPDATE event_versions SET kind = 'other'"); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("after the migration, an edit: %v; want a refusal", err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO event_versions (id, version, start_at, end_at, kind, marking, document, sequence)
		VALUES ('ev-z', 1, now(), now(), 'explosion', 'PUBLIC', '\x7b7d', 8)`); err == nil {
		t.Error("a version without its place in the store's order was stored")
	}
}

// TestEventTentativeMigration: a database made before versions could be
// tentative opens with every stored version not tentative (what each was),
// listed as such, and takes tentative versions after.
func TestEventTentativeMigration(t *testing.T) {
	ctx := context.Background()
	d, pool := schemaAt(t, 12) // up to the webhooks
	stored := storetest.BuildEvent(storetest.EventSpec{ID: "ev-a", Start: storetest.Base, Sequence: 5})
	if _, err := pool.Exec(ctx, `INSERT INTO event_versions (id, version, start_at, end_at, kind, marking, document, sequence, recorded)
		VALUES ($1, 1, $2, $3, $4, $5, $6, $7, 1)`, stored.ID, stored.Start, stored.End, stored.Kind, stored.Marking, stored.Document, stored.Sequence); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO events_latest (id, version, start_at, kind, marking) VALUES ($1, 1, $2, $3, $4)`,
		stored.ID, stored.Start, stored.Kind, stored.Marking); err != nil {
		t.Fatal(err)
	}
	s := reopen(t, pool, d)
	storetest.CheckTentativeMigration(t, s, stored)
}

// TestReleasesAppendOnly: the database itself refuses to edit or remove a
// release; a correction is a new release.
func TestReleasesAppendOnly(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, freshSchema(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := store.Release{ID: "rl-1", Of: "event/ev-1", Marking: "PUBLIC", Document: []byte(`{}`), By: "analyst", At: storetest.Base}
	if _, err := s.AppendRelease(ctx, r); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"UPDATE releases SET marking = 'MISSION'",
		"DELETE FROM releases",
		"TRUNCATE releases",
	} {
		t.Run(stmt, func(t *testing.T) {
			if _, err := s.pool.Exec(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("err = %v; want a refusal", err)
			}
		})
	}
}
