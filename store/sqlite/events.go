package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/placekey"
)

// eventColumns are the columns of event_versions every read selects, in
// the order readEvents expects.
const eventColumns = `v.id, v.version, v.start_at, v.end_at, v.kind, v.lat, v.lon, v.marking, v.document, v.sequence, v.recorded, v.tentative`

const (
	eventWidth  = 12 // values per event_versions row
	latestWidth = 10 // values per events_latest row
)

// PutEvents appends event versions in one transaction: new versions
// become rows, versions stored with the same content are skipped, and any
// other content under a stored (or repeated) key rolls everything back.
// events_latest then moves to the highest version of each event. Each new
// version takes the next recorded number as it is inserted; the one write
// connection, held by the transaction, keeps them gap-free and in commit
// order.
func (s *Store) PutEvents(ctx context.Context, versions []store.EventRecord) error {
	if len(versions) == 0 {
		return nil
	}
	for i := range versions {
		if err := store.CheckEvent(versions[i]); err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
	}
	fresh, conflicts := store.DistinctEventVersions(versions)

	s.mu.Lock()
	defer s.mu.Unlock()
	// Statements are prepared before the transaction takes the only write
	// connection: parsing a 128-row statement again for every chunk was a
	// sixth of an append's time. The sizes are those of an append of new
	// versions, the common case; others are parsed in the transaction.
	expected := []string{insertEventsSQL(1)}
	for _, n := range chunkSizes(len(fresh)) {
		expected = append(expected, insertEventsSQL(n))
	}
	for _, n := range chunkSizes(len(store.NewestEventVersions(versions, fresh))) {
		expected = append(expected, upsertLatestSQL(n))
	}
	for _, q := range expected {
		if err := s.prepare(ctx, q); err != nil {
			return err
		}
	}
	tx, err := s.write.BeginTx(ctx, nil) // BEGIN IMMEDIATE (see Open)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	defer tx.Rollback()

	var recorded int64 // the last number given
	if err := tx.QueryRowContext(ctx, lastRecordedSQL).Scan(&recorded); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	var created []int
	for start := 0; start < len(fresh); start += rowsPerInsert {
		chunk := fresh[start:min(start+rowsPerInsert, len(fresh))]
		args := make([]any, 0, len(chunk)*eventWidth)
		for k, i := range chunk {
			args = eventArgs(args, &versions[i], recorded+int64(k)+1)
		}
		_, err := s.exec(ctx, tx, insertEventsSQL(len(chunk)), args...)
		switch {
		case err == nil:
			created = append(created, chunk...)
			recorded += int64(len(chunk))
			continue
		case !isKeyViolation(err):
			return fmt.Errorf("sqlite: storing event versions: %w", err)
		}
		// Some version of this chunk is stored already (a replay). SQLite
		// undid the failed statement alone; redo the chunk one by one, so
		// that only the versions stored now take a number.
		for _, i := range chunk {
			e := &versions[i]
			stored, err := s.eventVersion(ctx, tx, e.ID, e.Version)
			switch {
			case errors.Is(err, store.ErrNotFound):
				if _, err := s.exec(ctx, tx, insertEventsSQL(1), eventArgs(nil, e, recorded+1)...); err != nil {
					return fmt.Errorf("sqlite: storing event %s version %d: %w", e.ID, e.Version, err)
				}
				recorded++
				created = append(created, i)
			case err != nil:
				return err
			case !store.SameEvent(stored, *e):
				conflicts = append(conflicts, i)
			}
		}
	}
	if len(conflicts) > 0 {
		return store.NewEventConflictError(versions, conflicts)
	}

	// Only the highest new version of each event can move its latest row.
	latest := store.NewestEventVersions(versions, created)
	for start := 0; start < len(latest); start += rowsPerInsert {
		chunk := latest[start:min(start+rowsPerInsert, len(latest))]
		args := make([]any, 0, len(chunk)*latestWidth)
		for _, i := range chunk {
			args = latestArgs(args, &versions[i])
		}
		if _, err := s.exec(ctx, tx, upsertLatestSQL(len(chunk)), args...); err != nil {
			return fmt.Errorf("sqlite: indexing the latest event versions: %w", err)
		}
	}
	var markings []string
	for _, i := range created {
		if !slices.Contains(markings, versions[i].Marking) {
			markings = append(markings, versions[i].Marking)
		}
	}
	for _, m := range markings {
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO event_markings (marking) VALUES (?)", m); err != nil {
			return fmt.Errorf("sqlite: recording event marking: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: committing event versions: %w", err)
	}
	return nil
}

// isKeyViolation says whether err is SQLite refusing a duplicate primary
// key (event_versions' (id, version) is one; SQLite names it apart from a
// UNIQUE constraint).
func isKeyViolation(err error) bool {
	var e *sqlite.Error
	return isUniqueViolation(err) || errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// rows is the VALUES list of n rows of width placeholders.
func rows(n, width int) string {
	row := "(" + placeholders(width) + ")"
	return strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}

// insertEventsSQL appends n versions.
func insertEventsSQL(n int) string {
	return "INSERT INTO event_versions (id, version, start_at, end_at, kind, lat, lon, marking, document, sequence, recorded, tentative) VALUES " + rows(n, eventWidth)
}

// upsertLatestSQL moves n events' latest rows to the versions given, when
// they are newer than the ones there.
func upsertLatestSQL(n int) string {
	return `INSERT INTO events_latest (id, version, start_at, kind, marking, lat, lon, day, cell, tentative) VALUES ` + rows(n, latestWidth) + `
		ON CONFLICT (id) DO UPDATE SET version = excluded.version, start_at = excluded.start_at, kind = excluded.kind,
		marking = excluded.marking, lat = excluded.lat, lon = excluded.lon, day = excluded.day, cell = excluded.cell,
		tentative = excluded.tentative
		WHERE excluded.version > events_latest.version`
}

// chunkSizes are the statement sizes n rows are written in.
func chunkSizes(n int) []int {
	var out []int
	if n >= rowsPerInsert {
		out = append(out, rowsPerInsert)
	}
	if n%rowsPerInsert > 0 {
		out = append(out, n%rowsPerInsert)
	}
	return out
}

// prepare caches the prepared statement of query. Called with mu held and
// outside a transaction (preparing needs the write connection).
func (s *Store) prepare(ctx context.Context, query string) error {
	if _, ok := s.prepared[query]; ok {
		return nil
	}
	st, err := s.write.PrepareContext(ctx, query)
	if err != nil {
		return fmt.Errorf("sqlite: preparing a statement: %w", err)
	}
	s.prepared[query] = st
	return nil
}

// exec runs query in tx, prepared if it was.
func (s *Store) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if st, ok := s.prepared[query]; ok {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// eventArgs appends one event_versions row's values, the version taking
// the place recorded in the store's order.
func eventArgs(args []any, e *store.EventRecord, recorded int64) []any {
	var lat, lon any
	if e.Lat != nil {
		lat, lon = *e.Lat, *e.Lon
	}
	return append(args, e.ID, int64(e.Version), e.Start.UnixMicro(), e.End.UnixMicro(), e.Kind, lat, lon, e.Marking, e.Document, e.Sequence, recorded, e.Tentative)
}

// latestArgs appends one events_latest row's values.
func latestArgs(args []any, e *store.EventRecord) []any {
	var lat, lon, day, cell any
	start := e.Start.UnixMicro()
	if e.Lat != nil {
		lat, lon = *e.Lat, *e.Lon
		day, cell = placekey.Day(start), placekey.Cell(*e.Lat, *e.Lon)
	}
	return append(args, e.ID, int64(e.Version), start, e.Kind, e.Marking, lat, lon, day, cell, e.Tentative)
}

// eventVersion reads one stored version inside the write transaction.
func (s *Store) eventVersion(ctx context.Context, tx *sql.Tx, id string, version int) (store.EventRecord, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+eventColumns+" FROM event_versions AS v WHERE v.id = ? AND v.version = ?", id, version)
	if err != nil {
		return store.EventRecord{}, fmt.Errorf("sqlite: %w", err)
	}
	out, err := readEvents(rows)
	if err != nil {
		return store.EventRecord{}, err
	}
	if len(out) == 0 {
		return store.EventRecord{}, fmt.Errorf("event %s version %d: %w", id, version, store.ErrNotFound)
	}
	return out[0], nil
}

// readEvents reads rows of eventColumns and closes them.
func readEvents(rows *sql.Rows) ([]store.EventRecord, error) {
	defer rows.Close()
	var out []store.EventRecord
	for rows.Next() {
		var (
			e          store.EventRecord
			version    int64
			start, end int64
			lat, lon   sql.NullFloat64
		)
		if err := rows.Scan(&e.ID, &version, &start, &end, &e.Kind, &lat, &lon, &e.Marking, &e.Document, &e.Sequence, &e.Recorded, &e.Tentative); err != nil {
			return nil, fmt.Errorf("sqlite: reading event: %w", err)
		}
		e.Version, e.Start, e.End = int(version), fromMicros(start), fromMicros(end)
		if lat.Valid && lon.Valid {
			e.Lat, e.Lon = &lat.Float64, &lon.Float64
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: reading events: %w", err)
	}
	return out, nil
}

// Event returns the latest version of an event.
func (s *Store) Event(ctx context.Context, id string) (store.EventRecord, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT "+eventColumns+` FROM events_latest AS e
		JOIN event_versions AS v ON v.id = e.id AND v.version = e.version WHERE e.id = ?`, id)
	if err != nil {
		return store.EventRecord{}, fmt.Errorf("sqlite: %w", err)
	}
	out, err := readEvents(rows)
	if err != nil {
		return store.EventRecord{}, err
	}
	if len(out) == 0 {
		return store.EventRecord{}, fmt.Errorf("event %s: %w", id, store.ErrNotFound)
	}
	return out[0], nil
}

// EventVersions returns every version of an event, oldest first.
func (s *Store) EventVersions(ctx context.Context, id string) ([]store.EventRecord, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT "+eventColumns+" FROM event_versions AS v WHERE v.id = ? ORDER BY v.version", id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	out, err := readEvents(rows)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("event %s: %w", id, store.ErrNotFound)
	}
	return out, nil
}

// LastEventSequence is the highest Sequence of any stored event version.
func (s *Store) LastEventSequence(ctx context.Context) (int64, error) {
	var n int64
	if err := s.read.QueryRowContext(ctx, "SELECT coalesce(max(sequence), 0) FROM event_versions").Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: %w", err)
	}
	return n, nil
}

// EventVersionsAfter returns event versions in the order they were stored,
// from the unique index on recorded.
func (s *Store) EventVersionsAfter(ctx context.Context, seq int64, limit int) ([]store.EventRecord, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.read.QueryContext(ctx, eventVersionsAfterSQL, seq, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return readEvents(rows)
}

const eventVersionsAfterSQL = "SELECT " + eventColumns + " FROM event_versions AS v WHERE v.recorded > ? ORDER BY v.recorded LIMIT ?"

// lastRecordedSQL is where PutEvents numbers new versions from.
const lastRecordedSQL = "SELECT coalesce(max(recorded), 0) FROM event_versions"

// Events returns a page of latest event versions in (start, id) order.
// It is the observations' query over events_latest: the time index, or
// per day of the window the S2 cell ranges of the box, then the page's own
// rows of event_versions.
func (s *Store) Events(ctx context.Context, q store.EventQuery) ([]store.EventRecord, *store.Cursor, error) {
	f, ok, err := s.eventFilters(ctx, q)
	if err != nil || !ok {
		return nil, nil, err
	}
	want := -1 // no limit
	if q.Limit > 0 {
		want = q.Limit + 1 // one more tells whether there is a next page
	}
	var out []store.EventRecord
	switch {
	case q.BBox == nil:
		out, err = s.scanEvents(ctx, f, f.lo, f.hi, nil, want)
	case coversWorld(q.BBox):
		f.where = append(f.where, "e.cell IS NOT NULL")
		out, err = s.scanEvents(ctx, f, f.lo, f.hi, nil, want)
	default:
		out, err = s.scanEventWindows(ctx, f, q.BBox, want)
	}
	if err != nil {
		return nil, nil, err
	}
	var next *store.Cursor
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
		last := out[len(out)-1]
		next = &store.Cursor{ObservedAt: last.Start, ID: last.ID}
	}
	return out, next, nil
}

// eventFilters translates an event query's non-spatial conditions, all on
// columns of events_latest. ok is false when nothing can match.
func (s *Store) eventFilters(ctx context.Context, q store.EventQuery) (filters, bool, error) {
	var f filters
	if !q.Since.IsZero() {
		lo := q.Since.UnixMicro()
		f.lo = &lo
	}
	if !q.Until.IsZero() {
		hi := q.Until.UnixMicro()
		f.hi = &hi
	}
	if f.lo != nil && f.hi != nil && *f.lo >= *f.hi {
		return f, false, nil
	}
	f.after = q.After
	if q.Kinds != nil {
		if len(q.Kinds) == 0 {
			return f, false, nil
		}
		f.where = append(f.where, "e.kind IN ("+placeholders(len(q.Kinds))+")")
		for _, k := range q.Kinds {
			f.args = append(f.args, k)
		}
	}
	if q.Markings != nil {
		allowed, err := s.allowedMarkings(ctx, "event_markings", store.ConjunctionFilter(q.Markings))
		if err != nil {
			return f, false, err
		}
		if len(allowed) == 0 {
			return f, false, nil
		}
		// The condition stays even when every conjunction is visible: one
		// stored after the list was read was never put to the filter.
		f.where = append(f.where, "e.marking IN ("+placeholders(len(allowed))+")")
		f.args = append(f.args, allowed...)
	}
	if q.Tentative != nil {
		f.where = append(f.where, "e.tentative = ?")
		f.args = append(f.args, *q.Tentative)
	}
	return f, true, nil
}

// allowedMarkings are the markings a table of markings holds that allow
// lets through, as query arguments: the list a query's "marking IN"
// condition keeps. The condition stays even when every marking is
// allowed, since one stored after the list was read was never put to
// the filter.
func (s *Store) allowedMarkings(ctx context.Context, table string, allow func(string) bool) ([]any, error) {
	all, err := queryAll(ctx, s.read, "SELECT marking FROM "+table, func(sc interface{ Scan(...any) error }) (string, error) {
		var m string
		return m, sc.Scan(&m)
	})
	if err != nil {
		return nil, err
	}
	var out []any
	for _, m := range all {
		if allow(m) {
			out = append(out, m)
		}
	}
	return out, nil
}

// scanEvents runs one query over start in [lo, hi) (nil: unbounded), with
// the spatial condition when box is set, and returns up to limit events
// (-1: all) in (start, id) order.
func (s *Store) scanEvents(ctx context.Context, f filters, lo, hi *int64, box *spatial, limit int) ([]store.EventRecord, error) {
	query, args := eventsSQL(f, lo, hi, box, limit)
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: querying events: %w", err)
	}
	return readEvents(rows)
}

// eventsSQL builds scanEvents' query in two steps: the page's (id,
// version) from an index of events_latest alone — each holds every
// column a condition names — then those versions' rows.
func eventsSQL(f filters, lo, hi *int64, box *spatial, limit int) (string, []any) {
	var (
		sb   strings.Builder
		args []any
		cond []string
	)
	sb.WriteString("SELECT " + eventColumns + " FROM (SELECT e.id, e.version, e.start_at FROM ")
	if box != nil {
		// One (day, cell range) a row; CROSS JOIN makes SQLite drive the
		// join from this list, each row one range scan of events_by_place.
		sb.WriteString("(VALUES ")
		first := true
		for d := placekey.Day(*lo); d <= placekey.Day(*hi-1); d++ {
			for _, r := range box.cells {
				if !first {
					sb.WriteString(",")
				}
				first = false
				sb.WriteString("(?,?,?)")
				args = append(args, d, r.Lo, r.Hi)
			}
		}
		sb.WriteString(") AS r CROSS JOIN events_latest AS e INDEXED BY events_by_place ON e.day = r.column1 AND e.cell BETWEEN r.column2 AND r.column3")
		cond = append(cond, "e.lat BETWEEN ? AND ?")
		args = append(args, box.South, box.North)
		if box.West <= box.East {
			cond = append(cond, "e.lon BETWEEN ? AND ?")
		} else {
			cond = append(cond, "(e.lon >= ? OR e.lon <= ?)")
		}
		args = append(args, box.West, box.East)
	} else {
		sb.WriteString("events_latest AS e INDEXED BY events_by_time")
	}
	if lo != nil {
		cond = append(cond, "e.start_at >= ?")
		args = append(args, *lo)
	}
	if hi != nil {
		cond = append(cond, "e.start_at < ?")
		args = append(args, *hi)
	}
	if a := f.after; a != nil {
		t := a.ObservedAt.UnixMicro()
		// Written so the index bounds the scan: (start_at, id) > (t, id).
		cond = append(cond, "e.start_at >= ?", "(e.start_at > ? OR e.id > ?)")
		args = append(args, t, t, a.ID)
	}
	cond = append(cond, f.where...)
	args = append(args, f.args...)
	if len(cond) > 0 {
		sb.WriteString(" WHERE " + strings.Join(cond, " AND "))
	}
	sb.WriteString(" ORDER BY e.start_at, e.id LIMIT ?) AS p JOIN event_versions AS v ON v.id = p.id AND v.version = p.version ORDER BY p.start_at, p.id")
	args = append(args, limit)
	return sb.String(), args
}

// scanEventWindows answers a bounding box query from events_by_place,
// walking the time range in windows that grow until the page is full, as
// scanWindows does for observations.
func (s *Store) scanEventWindows(ctx context.Context, f filters, b *store.BBox, want int) ([]store.EventRecord, error) {
	lo, hi, ok, err := s.eventTimeRange(ctx, f)
	if err != nil || !ok {
		return nil, err
	}
	box := &spatial{BBox: *b, cells: placekey.Covering(*b)}
	var out []store.EventRecord
	days := int64(1)
	for lo < hi && (want < 0 || len(out) < want) {
		end := hi
		if hi-lo > days*placekey.DayMicros {
			end = lo + days*placekey.DayMicros
		}
		need := -1
		if want > 0 {
			need = want - len(out)
		}
		window, err := s.scanEvents(ctx, f, &lo, &end, box, need)
		if err != nil {
			return nil, err
		}
		out = append(out, window...)
		lo = end
		days = min(days*windowGrowth, maxWindowDays)
	}
	return out, nil
}

// eventTimeRangeSQL reads both ends of events_by_time (two subqueries, so
// that each is answered from an end of the index).
const eventTimeRangeSQL = "SELECT (SELECT min(start_at) FROM events_latest), (SELECT max(start_at) FROM events_latest)"

// eventTimeRange bounds a spatial query's time walk, as timeRange does.
func (s *Store) eventTimeRange(ctx context.Context, f filters) (lo, hi int64, ok bool, err error) {
	var minT, maxT sql.NullInt64
	if f.lo == nil || f.hi == nil {
		if err := s.read.QueryRowContext(ctx, eventTimeRangeSQL).Scan(&minT, &maxT); err != nil {
			return 0, 0, false, fmt.Errorf("sqlite: %w", err)
		}
		if !minT.Valid {
			return 0, 0, false, nil
		}
	}
	lo, hi = minT.Int64, maxT.Int64+1
	if f.lo != nil {
		lo = *f.lo
	}
	if f.hi != nil {
		hi = *f.hi
	}
	if a := f.after; a != nil {
		lo = max(lo, a.ObservedAt.UnixMicro())
	}
	return lo, hi, lo < hi, nil
}
