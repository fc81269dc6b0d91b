package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/placekey"
)

// eventColumns are the columns of event_versions every read selects, in
// the order readEvents expects.
const eventColumns = `v.id, v.version, v.start_at, v.end_at, v.kind, v.lat, v.lon, v.marking, v.document, v.sequence, v.recorded, v.tentative`

// insertEventsSQL appends versions given as one array per column. The
// caller has checked, under the table lock, that none is stored.
const insertEventsSQL = `INSERT INTO event_versions (id, version, start_at, end_at, kind, lat, lon, marking, document, sequence, recorded, tentative)
	SELECT * FROM unnest($1::text[], $2::integer[], $3::timestamptz[], $4::timestamptz[], $5::text[],
		$6::double precision[], $7::double precision[], $8::text[], $9::bytea[], $10::bigint[], $11::bigint[], $12::boolean[])`

// storedEventsSQL reads stored versions by (id, version) arrays, each one
// probe of the primary key.
const storedEventsSQL = `SELECT ` + eventColumns + `
	FROM unnest($1::text[], $2::integer[]) AS k(id, version)
	JOIN event_versions AS v ON v.id = k.id AND v.version = k.version`

// upsertLatestSQL moves each event's events_latest row to the version
// given, when it is newer than the one there.
const upsertLatestSQL = `INSERT INTO events_latest (id, version, start_at, kind, marking, lat, lon, day, cell, tentative)
	SELECT * FROM unnest($1::text[], $2::integer[], $3::timestamptz[], $4::text[], $5::text[],
		$6::double precision[], $7::double precision[], $8::bigint[], $9::bigint[], $10::boolean[])
	ON CONFLICT (id) DO UPDATE SET version = excluded.version, start_at = excluded.start_at, kind = excluded.kind,
		marking = excluded.marking, lat = excluded.lat, lon = excluded.lon, day = excluded.day, cell = excluded.cell,
		tentative = excluded.tentative
	WHERE excluded.version > events_latest.version`

// PutEvents appends event versions in one transaction: compare the batch
// with what is stored, roll everything back on any difference, insert the
// versions not stored yet, then move events_latest to the highest version
// of each event.
//
// The transaction holds event_versions in EXCLUSIVE mode (readers pass,
// writers wait), as withdrawals and the audit trail do (DECISIONS 11):
// each new version takes the next recorded number, and the lock keeps
// the numbers gap-free and in commit order, so the ledger, which follows
// them, never sees a number before a lower one. Fusion is the one writer
// of events, so the lock costs nothing in the common case, and it makes
// concurrent batches that touch the same events wait instead of
// deadlocking.
func (s *Store) PutEvents(ctx context.Context, versions []store.EventRecord) error {
	if len(versions) == 0 {
		return nil
	}
	for i := range versions {
		if err := store.CheckEvent(versions[i]); err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
	}
	fresh, conflicts := store.DistinctEventVersions(versions)

	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "LOCK TABLE event_versions IN EXCLUSIVE MODE"); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}

	// The versions stored before: a replay is fine, other content is not.
	positionOf := make(map[store.EventVersionKey]int, len(fresh))
	kids, knums := make([]string, len(fresh)), make([]int32, len(fresh))
	for k, i := range fresh {
		e := &versions[i]
		kids[k], knums[k] = e.ID, int32(e.Version)
		positionOf[store.EventVersionKey{ID: e.ID, Version: e.Version}] = i
	}
	rows, err := tx.Query(ctx, storedEventsSQL, kids, knums)
	if err != nil {
		return fmt.Errorf("postgres: reading stored event versions: %w", err)
	}
	stored, err := readEvents(rows)
	if err != nil {
		return err
	}
	isStored := make(map[int]bool, len(stored))
	for _, st := range stored {
		i := positionOf[store.EventVersionKey{ID: st.ID, Version: st.Version}]
		isStored[i] = true
		if !store.SameEvent(st, versions[i]) {
			conflicts = append(conflicts, i)
		}
	}
	if len(conflicts) > 0 {
		return store.NewEventConflictError(versions, conflicts)
	}
	var created []int // in batch order, which is the order of their numbers
	for _, i := range fresh {
		if !isStored[i] {
			created = append(created, i)
		}
	}
	if len(created) == 0 {
		return tx.Commit(ctx) // a replay: nothing new
	}

	var recorded int64
	if err := tx.QueryRow(ctx, lastRecordedSQL).Scan(&recorded); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	n := len(created)
	var (
		ids          = make([]string, n)
		nums         = make([]int32, n)
		starts, ends = make([]time.Time, n), make([]time.Time, n)
		kinds, marks = make([]string, n), make([]string, n)
		lats, lons   = make([]*float64, n), make([]*float64, n)
		docs         = make([][]byte, n)
		seqs, recs   = make([]int64, n), make([]int64, n)
		tentative    = make([]bool, n)
	)
	for k, i := range created {
		e := &versions[i]
		ids[k], nums[k], kinds[k], marks[k], docs[k], seqs[k] = e.ID, int32(e.Version), e.Kind, e.Marking, e.Document, e.Sequence
		starts[k], ends[k] = fromMicros(e.Start.UnixMicro()), fromMicros(e.End.UnixMicro())
		lats[k], lons[k] = e.Lat, e.Lon
		recs[k] = recorded + int64(k) + 1
		tentative[k] = e.Tentative
	}
	if _, err := tx.Exec(ctx, insertEventsSQL, ids, nums, starts, ends, kinds, lats, lons, marks, docs, seqs, recs, tentative); err != nil {
		return fmt.Errorf("postgres: storing event versions: %w", err)
	}

	// Only the highest new version of each event can move its latest row;
	// rows in (id) order, as any other writer of them would take them.
	latest := store.NewestEventVersions(versions, created)
	slices.SortFunc(latest, func(a, b int) int { return compareVersions(&versions[a], &versions[b]) })
	m := len(latest)
	lids, lnums, lstarts := make([]string, m), make([]int32, m), make([]time.Time, m)
	lkinds, lmarks := make([]string, m), make([]string, m)
	llats, llons, days, cells := make([]*float64, m), make([]*float64, m), make([]*int64, m), make([]*int64, m)
	ltentative := make([]bool, m)
	for k, i := range latest {
		e := &versions[i]
		start := e.Start.UnixMicro()
		lids[k], lnums[k], lstarts[k], lkinds[k], lmarks[k] = e.ID, int32(e.Version), fromMicros(start), e.Kind, e.Marking
		ltentative[k] = e.Tentative
		if e.Lat != nil {
			d, c := placekey.Day(start), placekey.Cell(*e.Lat, *e.Lon)
			llats[k], llons[k], days[k], cells[k] = e.Lat, e.Lon, &d, &c
		}
	}
	if _, err := tx.Exec(ctx, upsertLatestSQL, lids, lnums, lstarts, lkinds, lmarks, llats, llons, days, cells, ltentative); err != nil {
		return fmt.Errorf("postgres: indexing the latest event versions: %w", err)
	}
	var markings []string
	for _, i := range created {
		if !slices.Contains(markings, versions[i].Marking) {
			markings = append(markings, versions[i].Marking)
		}
	}
	slices.Sort(markings)
	if _, err := tx.Exec(ctx, "INSERT INTO event_markings (marking) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING", markings); err != nil {
		return fmt.Errorf("postgres: recording event markings: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: committing event versions: %w", err)
	}
	return nil
}

// compareVersions orders versions by (id, version), ids bytewise.
func compareVersions(a, b *store.EventRecord) int {
	if c := strings.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	return cmp.Compare(a.Version, b.Version)
}

// readEvents reads rows of eventColumns and closes them.
func readEvents(rows pgx.Rows) ([]store.EventRecord, error) {
	defer rows.Close()
	var out []store.EventRecord
	for rows.Next() {
		var (
			e          store.EventRecord
			version    int32
			start, end time.Time
		)
		if err := rows.Scan(&e.ID, &version, &start, &end, &e.Kind, &e.Lat, &e.Lon, &e.Marking, &e.Document, &e.Sequence, &e.Recorded, &e.Tentative); err != nil {
			return nil, fmt.Errorf("postgres: reading event: %w", err)
		}
		e.Version, e.Start, e.End = int(version), start.UTC(), end.UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: reading events: %w", err)
	}
	return out, nil
}

// Event returns the latest version of an event.
func (s *Store) Event(ctx context.Context, id string) (store.EventRecord, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+eventColumns+` FROM events_latest AS e
		JOIN event_versions AS v ON v.id = e.id AND v.version = e.version WHERE e.id = $1`, id)
	if err != nil {
		return store.EventRecord{}, fmt.Errorf("postgres: %w", err)
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
	rows, err := s.pool.Query(ctx, "SELECT "+eventColumns+" FROM event_versions AS v WHERE v.id = $1 ORDER BY v.version", id)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
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
	if err := s.pool.QueryRow(ctx, "SELECT coalesce(max(sequence), 0) FROM event_versions").Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: %w", err)
	}
	return n, nil
}

// EventVersionsAfter returns event versions in the order they were stored,
// from the unique index on recorded.
func (s *Store) EventVersionsAfter(ctx context.Context, seq int64, limit int) ([]store.EventRecord, error) {
	var n *int // LIMIT NULL: no limit
	if limit > 0 {
		n = &limit
	}
	rows, err := s.pool.Query(ctx, eventVersionsAfterSQL, seq, n)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return readEvents(rows)
}

const eventVersionsAfterSQL = "SELECT " + eventColumns + " FROM event_versions AS v WHERE v.recorded > $1 ORDER BY v.recorded LIMIT $2"

// lastRecordedSQL is where PutEvents numbers new versions from.
const lastRecordedSQL = "SELECT coalesce(max(recorded), 0) FROM event_versions"

// Events returns a page of latest event versions in (start, id) order: the
// observations' query over events_latest, then the page's own rows of
// event_versions.
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
		f.where = append(f.where, "e.kind = ANY(?)")
		f.args = append(f.args, q.Kinds)
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
		f.where = append(f.where, "e.marking = ANY(?)")
		f.args = append(f.args, allowed)
	}
	if q.Tentative != nil {
		f.where = append(f.where, "e.tentative = ?")
		f.args = append(f.args, *q.Tentative)
	}
	return f, true, nil
}

// scanEvents runs one query over start in [lo, hi) (nil: unbounded), with
// the spatial condition when box is set, and returns up to limit events
// (-1: all) in (start, id) order.
func (s *Store) scanEvents(ctx context.Context, f filters, lo, hi *int64, box *spatial, limit int) ([]store.EventRecord, error) {
	query, args := eventsSQL(f, lo, hi, box, limit)
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: querying events: %w", err)
	}
	return readEvents(rows)
}

// eventsSQL builds scanEvents' query in two steps: the page's (id,
// version) from events_latest, then those versions' rows.
func eventsSQL(f filters, lo, hi *int64, box *spatial, limit int) (string, []any) {
	var (
		args sqlArgs
		cond []string
		from string
	)
	if box != nil {
		// One (day, cell range) a row, each one range scan of
		// events_by_place (OFFSET 0: see scanSQL).
		var days, los, his []int64
		for d := placekey.Day(*lo); d <= placekey.Day(*hi-1); d++ {
			for _, r := range box.cells {
				days, los, his = append(days, d), append(los, r.Lo), append(his, r.Hi)
			}
		}
		from = "unnest(" + args.add(days) + "::bigint[], " + args.add(los) + "::bigint[], " + args.add(his) + "::bigint[]) AS r(day, lo, hi)" +
			" CROSS JOIN LATERAL (SELECT e.id, e.version, e.start_at FROM events_latest AS e WHERE e.day = r.day AND e.cell BETWEEN r.lo AND r.hi"
		cond = append(cond, "e.lat BETWEEN "+args.add(box.South)+" AND "+args.add(box.North))
		if box.West <= box.East {
			cond = append(cond, "e.lon BETWEEN "+args.add(box.West)+" AND "+args.add(box.East))
		} else {
			cond = append(cond, "(e.lon >= "+args.add(box.West)+" OR e.lon <= "+args.add(box.East)+")")
		}
	} else {
		from = "events_latest AS e WHERE true"
	}
	if lo != nil {
		cond = append(cond, "e.start_at >= "+args.add(fromMicros(*lo)))
	}
	if hi != nil {
		cond = append(cond, "e.start_at < "+args.add(fromMicros(*hi)))
	}
	if a := f.after; a != nil {
		cond = append(cond, "(e.start_at, e.id) > ("+args.add(fromMicros(a.ObservedAt.UnixMicro()))+", "+args.add(a.ID)+")")
	}
	next := 0
	for _, w := range f.where {
		if strings.Contains(w, "?") {
			w = strings.Replace(w, "?", args.add(f.args[next]), 1)
			next++
		}
		cond = append(cond, w)
	}
	var sb strings.Builder
	sb.WriteString("SELECT " + eventColumns + " FROM (SELECT e.id, e.version, e.start_at FROM " + from)
	for _, c := range cond {
		sb.WriteString(" AND " + c)
	}
	if box != nil {
		sb.WriteString(" OFFSET 0) AS e")
	}
	sb.WriteString(" ORDER BY e.start_at, e.id")
	if limit >= 0 {
		sb.WriteString(" LIMIT " + args.add(limit))
	}
	sb.WriteString(") AS p JOIN event_versions AS v ON v.id = p.id AND v.version = p.version ORDER BY p.start_at, p.id")
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

// eventTimeRange bounds a spatial query's time walk, as timeRange does.
func (s *Store) eventTimeRange(ctx context.Context, f filters) (lo, hi int64, ok bool, err error) {
	if f.lo == nil || f.hi == nil {
		var minT, maxT *time.Time
		if err := s.pool.QueryRow(ctx, "SELECT min(start_at), max(start_at) FROM events_latest").Scan(&minT, &maxT); err != nil {
			return 0, 0, false, fmt.Errorf("postgres: %w", err)
		}
		if minT == nil {
			return 0, 0, false, nil
		}
		lo, hi = minT.UnixMicro(), maxT.UnixMicro()+1
	}
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

// allowedMarkings are the markings a table of markings holds that allow
// lets through: the list a query's "marking = ANY" condition keeps. The
// condition stays even when every marking is allowed, since one stored
// after the list was read was never put to the filter.
func (s *Store) allowedMarkings(ctx context.Context, table string, allow func(string) bool) ([]string, error) {
	rows, err := s.pool.Query(ctx, "SELECT marking FROM "+table)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	all, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	var out []string
	for _, m := range all {
		if allow(m) {
			out = append(out, m)
		}
	}
	return out, nil
}
