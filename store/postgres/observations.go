package postgres

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/placekey"
)

// observationColumns are the columns every read selects, in the order
// scanRecord expects.
const observationColumns = `o.sequence, o.source, o.id, o.observed_at, o.kind, o.marking, o.count, o.time_sigma_s,
	o.lat, o.lon, o.location_mgrs, o.location_cep_m, o.received_at, o.document`

var insertColumns = []string{"sequence", "source", "id", "observed_at", "kind", "marking", "count", "time_sigma_s",
	"lat", "lon", "location_mgrs", "location_cep_m", "received_at", "document", "day", "cell"}

// AppendObservations stores a batch in one transaction: lock the sequence
// counter's row (which serialises appenders from there to commit), give
// the new documents the next sequences in batch order, COPY them straight
// into observations, advance the counter, commit.
//
// It first assumes every key is new, the common case. If the COPY meets a
// key already stored (a resubmission, or a conflict), the transaction is
// rolled back and the batch is done again with a check: which keys are
// stored, with what bytes. Any difference is a ConflictError and nothing is
// written. Under the lock no other append can add a key between the check
// and the insert, so the insert needs no ON CONFLICT: skipping a row there
// would only hide a bug behind a gap in the sequences.
func (s *Store) AppendObservations(ctx context.Context, batch []observation.Observation, receivedAt time.Time) ([]store.Stored, error) {
	if len(batch) == 0 {
		return []store.Stored{}, nil
	}
	a := &appendBatch{batch: batch, received: fromMicros(receivedAt.UnixMicro())}
	// Within the batch, a key's first occurrence is the one stored; later
	// ones are resubmissions of it or conflicts.
	firstOf := make(map[observation.Key]int, len(batch))
	a.repeatOf = make([]int, len(batch))
	for i := range batch {
		k := batch[i].Key()
		if j, ok := firstOf[k]; ok {
			a.repeatOf[i] = j
			continue
		}
		firstOf[k] = i
		a.repeatOf[i] = -1
		a.fresh = append(a.fresh, i)
	}
	out, err := s.appendOnce(ctx, a, false)
	if isUniqueViolation(err) {
		out, err = s.appendOnce(ctx, a, true)
	}
	return out, err
}

// appendBatch is a batch on its way in.
type appendBatch struct {
	batch    []observation.Observation
	received time.Time
	repeatOf []int // for a key's later occurrences, its first; else -1
	fresh    []int // first occurrences, in batch order
}

// appendOnce runs the append's transaction, checking for stored keys first
// when check is set.
func (s *Store) appendOnce(ctx context.Context, a *appendBatch, check bool) ([]store.Stored, error) {
	batch := a.batch
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	defer tx.Rollback(ctx)
	var last int64
	if err := tx.QueryRow(ctx, "SELECT last FROM observation_sequence FOR UPDATE").Scan(&last); err != nil {
		return nil, fmt.Errorf("postgres: locking the sequence: %w", err)
	}

	stored := make([]*observation.Record, len(batch))
	var conflicts []int
	if check {
		idx := make([]int32, len(a.fresh))
		sources := make([]string, len(a.fresh))
		ids := make([]string, len(a.fresh))
		for k, i := range a.fresh {
			idx[k], sources[k], ids[k] = int32(i), batch[i].Source, batch[i].ID
		}
		rows, err := tx.Query(ctx, storedKeysSQL, idx, sources, ids)
		if err != nil {
			return nil, fmt.Errorf("postgres: reading stored keys: %w", err)
		}
		for rows.Next() {
			var i int32
			rec, _, err := s.scanRecord(rows, &i)
			if err != nil {
				rows.Close()
				return nil, err
			}
			stored[i] = &rec
			if !bytes.Equal(rec.Document, batch[i].Document) {
				conflicts = append(conflicts, int(i))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("postgres: reading stored keys: %w", err)
		}
	}
	for i, j := range a.repeatOf {
		if j < 0 {
			continue
		}
		ref := batch[j].Document
		if stored[j] != nil {
			ref = stored[j].Document
		}
		if !bytes.Equal(batch[i].Document, ref) {
			conflicts = append(conflicts, i)
		}
	}
	if len(conflicts) > 0 {
		slices.Sort(conflicts)
		ce := &store.ConflictError{Indexes: conflicts}
		for _, i := range conflicts {
			ce.Keys = append(ce.Keys, batch[i].Key())
		}
		return nil, ce
	}

	seq := make([]int64, len(batch))
	var created []int
	var markings []string
	next := last
	for _, i := range a.fresh {
		if stored[i] != nil {
			continue
		}
		next++
		seq[i] = next
		created = append(created, i)
		if !slices.Contains(markings, batch[i].Marking) {
			markings = append(markings, batch[i].Marking)
		}
	}
	if len(created) > 0 {
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"observations"}, insertColumns,
			pgx.CopyFromSlice(len(created), func(k int) ([]any, error) {
				i := created[k]
				return insertRow(&batch[i], seq[i], a.received), nil
			}))
		if err != nil {
			return nil, fmt.Errorf("postgres: storing observations: %w", err)
		}
		if n != int64(len(created)) {
			return nil, fmt.Errorf("postgres: stored %d observations, expected %d", n, len(created))
		}
		if _, err := tx.Exec(ctx, "UPDATE observation_sequence SET last = $1", next); err != nil {
			return nil, fmt.Errorf("postgres: advancing the sequence: %w", err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO markings (marking) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING", markings); err != nil {
			return nil, fmt.Errorf("postgres: recording markings: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("postgres: committing observations: %w", err)
	}

	out := make([]store.Stored, len(batch))
	for i := range batch {
		switch {
		case a.repeatOf[i] >= 0:
			out[i] = store.Stored{Record: out[a.repeatOf[i]].Record, Outcome: store.Existing}
		case stored[i] != nil:
			out[i] = store.Stored{Record: *stored[i], Outcome: store.Existing}
		default:
			out[i] = store.Stored{Record: observation.Record{Observation: batch[i], ReceivedAt: a.received, Sequence: seq[i]}, Outcome: store.Created}
		}
	}
	return out, nil
}

// storedKeysSQL reads the stored observations under a batch's keys (given
// as arrays of batch index, source and id). OFFSET 0 keeps the planner from
// flattening the lateral subquery into a join it might answer with a scan
// of observations: each key is one probe of the (source, id) index.
const storedKeysSQL = `SELECT k.idx, ` + observationColumns + `
	FROM unnest($1::integer[], $2::text[], $3::text[]) AS k(idx, source, id)
	CROSS JOIN LATERAL (SELECT * FROM observations AS o WHERE o.source = k.source AND o.id = k.id OFFSET 0) AS o`

// insertRow is one row of insertColumns.
func insertRow(o *observation.Observation, seq int64, received time.Time) []any {
	var lat, lon, cep *float64
	var mgrs *string
	var day, cell *int64
	observed := o.ObservedAt.UnixMicro()
	if l := o.Location; l != nil {
		if l.Resolved {
			la, lo := l.Lat, l.Lon
			d, c := placekey.Day(observed), placekey.Cell(la, lo)
			lat, lon, day, cell = &la, &lo, &d, &c
		}
		if l.MGRS != "" {
			m := l.MGRS
			mgrs = &m
		}
		cep = l.CEPm
	}
	return []any{seq, o.Source, o.ID, fromMicros(observed), string(o.Kind), o.Marking, int32(o.Count), o.TimeSigmaS,
		lat, lon, mgrs, cep, received, o.Document, day, cell}
}

// fromMicros is the inverse of time.Time.UnixMicro, in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// Observation returns one stored observation.
func (s *Store) Observation(ctx context.Context, key observation.Key) (observation.Record, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+observationColumns+" FROM observations AS o WHERE o.source = $1 AND o.id = $2", key.Source, key.ID)
	if err != nil {
		return observation.Record{}, fmt.Errorf("postgres: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return observation.Record{}, fmt.Errorf("postgres: %w", err)
		}
		return observation.Record{}, fmt.Errorf("observation %s/%s: %w", key.Source, key.ID, store.ErrNotFound)
	}
	rec, _, err := s.scanRecord(rows)
	if err != nil {
		return observation.Record{}, err
	}
	rows.Close()
	return rec, rows.Err()
}

// scanRecord reads one row of observationColumns, after the columns extra
// points to. It also returns the stored observed_at in µs, which cursors
// use: a custom decoder may give back more precision than the column holds.
func (s *Store) scanRecord(rows pgx.Rows, extra ...any) (observation.Record, int64, error) {
	var (
		rec                observation.Record
		o                  = &rec.Observation
		observed, received time.Time
		kind               string
		cnt                int32
		lat, lon, cep      *float64
		mgrs               *string
	)
	dest := append(extra, &rec.Sequence, &o.Source, &o.ID, &observed, &kind, &o.Marking, &cnt, &o.TimeSigmaS,
		&lat, &lon, &mgrs, &cep, &received, &o.Document)
	if err := rows.Scan(dest...); err != nil {
		return rec, 0, fmt.Errorf("postgres: reading observation: %w", err)
	}
	rec.ReceivedAt = received.UTC()
	us := observed.UnixMicro()
	if s.dec != nil {
		key := o.Key()
		d, err := s.dec(o.Document)
		if err != nil {
			return rec, 0, fmt.Errorf("postgres: decoding stored observation %s/%s: %w", key.Source, key.ID, err)
		}
		if d.Key() != key {
			return rec, 0, fmt.Errorf("postgres: stored observation %s/%s decodes as %s/%s", key.Source, key.ID, d.Source, d.ID)
		}
		d.Document = o.Document
		rec.Observation = d
		return rec, us, nil
	}
	o.ObservedAt = observed.UTC()
	o.Kind = observation.Kind(kind)
	o.Count = int(cnt)
	if lat != nil || mgrs != nil {
		p := &observation.Point{CEPm: cep}
		if mgrs != nil {
			p.MGRS = *mgrs
		}
		if lat != nil && lon != nil {
			p.Lat, p.Lon, p.Resolved = *lat, *lon, true
		}
		o.Location = p
	}
	return rec, us, nil
}

// ObservationsAfter returns observations with Sequence > seq in sequence
// order. A limit of zero or less means no limit.
func (s *Store) ObservationsAfter(ctx context.Context, seq int64, limit int) ([]observation.Record, error) {
	q := "SELECT " + observationColumns + " FROM observations AS o WHERE o.sequence > $1 ORDER BY o.sequence"
	args := []any{seq}
	if limit > 0 {
		q += " LIMIT $2"
		args = append(args, limit)
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	defer rows.Close()
	var out []observation.Record
	for rows.Next() {
		rec, _, err := s.scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

// A spatial query walks its time range in windows: the first is a day
// long, each next one windowGrowth times longer up to maxWindowDays. A dense area fills a page from the
// first window; a sparse one takes a handful of queries even over years.
const (
	windowGrowth  = 4
	maxWindowDays = 64
)

// Observations returns a page of observations in (observed_at, sequence)
// order.
func (s *Store) Observations(ctx context.Context, q store.ObservationQuery) ([]observation.Record, *store.Cursor, error) {
	f, ok, err := s.filters(ctx, q)
	if err != nil || !ok {
		return nil, nil, err
	}
	want := -1 // no limit
	if q.Limit > 0 {
		want = q.Limit + 1 // one more tells whether there is a next page
	}
	var recs []found
	switch {
	case q.BBox == nil:
		recs, err = s.scan(ctx, f, f.lo, f.hi, nil, want)
	case coversWorld(q.BBox):
		// Only the time index can help; the box still excludes reports
		// without a place.
		f.where = append(f.where, "o.cell IS NOT NULL")
		recs, err = s.scan(ctx, f, f.lo, f.hi, nil, want)
	default:
		recs, err = s.scanWindows(ctx, f, q.BBox, want)
	}
	if err != nil {
		return nil, nil, err
	}
	var next *store.Cursor
	if q.Limit > 0 && len(recs) > q.Limit {
		recs = recs[:q.Limit]
		last := recs[len(recs)-1]
		next = &store.Cursor{ObservedAt: fromMicros(last.observed), Sequence: last.Sequence}
	}
	out := make([]observation.Record, len(recs))
	for i := range recs {
		out[i] = recs[i].Record
	}
	return out, next, nil
}

// found is a record with the observed_at (µs) its row holds.
type found struct {
	observation.Record
	observed int64
}

// filters is a query reduced to SQL terms. lo and hi bound observed_at
// (lo <= t < hi, in µs); nil pointers do not bound. Each condition in
// where with a ? takes the next value of args.
type filters struct {
	lo, hi *int64
	after  *store.Cursor
	where  []string
	args   []any
}

// filters translates the query's non-spatial conditions. ok is false when
// nothing can match.
func (s *Store) filters(ctx context.Context, q store.ObservationQuery) (filters, bool, error) {
	var f filters
	// Bounds are truncated to the microsecond, like the stored times.
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
		kinds := make([]string, len(q.Kinds))
		for i, k := range q.Kinds {
			kinds[i] = string(k)
		}
		f.where = append(f.where, "o.kind = ANY(?)")
		f.args = append(f.args, kinds)
	}
	if q.Sources != nil {
		if len(q.Sources) == 0 {
			return f, false, nil
		}
		f.where = append(f.where, "o.source = ANY(?)")
		f.args = append(f.args, q.Sources)
	}
	if q.Markings != nil {
		all, err := s.markings(ctx)
		if err != nil {
			return f, false, err
		}
		var visible []string
		for _, m := range all {
			if q.Markings(m) {
				visible = append(visible, m)
			}
		}
		if len(visible) == 0 {
			return f, false, nil
		}
		// The condition stays even when every marking is visible: one
		// stored after the list was read was never put to the filter.
		f.where = append(f.where, "o.marking = ANY(?)")
		f.args = append(f.args, visible)
	}
	f.where = append(f.where, notWithheld)
	return f, true, nil
}

// notWithheld drops observations whose content a withdrawal withholds. An
// index probe per row, on a table that is nearly always empty.
const notWithheld = `NOT EXISTS (SELECT 1 FROM withdrawals AS w
	WHERE w.record_type = 'observation' AND w.record_key = o.source || '/' || o.id AND w.withhold)`

func (s *Store) markings(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, "SELECT marking FROM markings")
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return out, nil
}

func coversWorld(b *store.BBox) bool {
	return b.West <= -180 && b.East >= 180 && b.South <= -90 && b.North >= 90
}

// spatial is a bounding box with its S2 covering.
type spatial struct {
	store.BBox
	cells []placekey.Range
}

// scan runs one query over [lo, hi) (nil: unbounded), with the spatial
// condition when box is set, and returns up to limit records (-1: all) in
// (observed_at, sequence) order.
func (s *Store) scan(ctx context.Context, f filters, lo, hi *int64, box *spatial, limit int) ([]found, error) {
	query, args := scanSQL(f, lo, hi, box, limit)
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: querying observations: %w", err)
	}
	defer rows.Close()
	var out []found
	for rows.Next() {
		rec, observed, err := s.scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, found{Record: rec, observed: observed})
	}
	return out, rows.Err()
}

// sqlArgs numbers query parameters as they are added.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// scanSQL builds scan's query.
func scanSQL(f filters, lo, hi *int64, box *spatial, limit int) (string, []any) {
	var (
		args sqlArgs
		cond []string
		from string
	)
	if box != nil {
		// One (day, cell range) a row, each one range scan of
		// observations_by_place: the lateral subquery with OFFSET 0 runs
		// once per row and is not flattened into a join the planner might
		// answer another way.
		var days, los, his []int64
		for d := placekey.Day(*lo); d <= placekey.Day(*hi-1); d++ {
			for _, r := range box.cells {
				days, los, his = append(days, d), append(los, r.Lo), append(his, r.Hi)
			}
		}
		from = "unnest(" + args.add(days) + "::bigint[], " + args.add(los) + "::bigint[], " + args.add(his) + "::bigint[]) AS r(day, lo, hi)" +
			" CROSS JOIN LATERAL (SELECT * FROM observations AS o WHERE o.day = r.day AND o.cell BETWEEN r.lo AND r.hi"
		cond = append(cond, "o.lat BETWEEN "+args.add(box.South)+" AND "+args.add(box.North))
		if box.West <= box.East {
			cond = append(cond, "o.lon BETWEEN "+args.add(box.West)+" AND "+args.add(box.East))
		} else {
			cond = append(cond, "(o.lon >= "+args.add(box.West)+" OR o.lon <= "+args.add(box.East)+")")
		}
	} else {
		from = "observations AS o WHERE true"
	}
	if lo != nil {
		cond = append(cond, "o.observed_at >= "+args.add(fromMicros(*lo)))
	}
	if hi != nil {
		cond = append(cond, "o.observed_at < "+args.add(fromMicros(*hi)))
	}
	if a := f.after; a != nil {
		cond = append(cond, "(o.observed_at, o.sequence) > ("+args.add(fromMicros(a.ObservedAt.UnixMicro()))+", "+args.add(a.Sequence)+")")
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
	sb.WriteString("SELECT " + observationColumns + " FROM " + from)
	for _, c := range cond {
		sb.WriteString(" AND " + c)
	}
	if box != nil {
		sb.WriteString(" OFFSET 0) AS o")
	}
	sb.WriteString(" ORDER BY o.observed_at, o.sequence")
	if limit >= 0 {
		sb.WriteString(" LIMIT " + args.add(limit))
	}
	return sb.String(), args
}

// scanWindows answers a bounding box query from observations_by_place,
// walking the time range in windows that grow until the page is full.
// Each window's rows are sorted by the database and windows do not
// overlap, so the concatenation is in (observed_at, sequence) order.
func (s *Store) scanWindows(ctx context.Context, f filters, b *store.BBox, want int) ([]found, error) {
	lo, hi, ok, err := s.timeRange(ctx, f)
	if err != nil || !ok {
		return nil, err
	}
	box := &spatial{BBox: *b, cells: placekey.Covering(*b)}
	var out []found
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
		window, err := s.scan(ctx, f, &lo, &end, box, need)
		if err != nil {
			return nil, err
		}
		out = append(out, window...)
		lo = end
		days = min(days*windowGrowth, maxWindowDays)
	}
	return out, nil
}

// timeRange bounds a spatial query's time walk: the query's own bounds
// where it has them, else the oldest and newest stored observed_at (each
// read from an end of the time index). ok is false when the range is empty.
func (s *Store) timeRange(ctx context.Context, f filters) (lo, hi int64, ok bool, err error) {
	if f.lo == nil || f.hi == nil {
		var minT, maxT *time.Time
		if err := s.pool.QueryRow(ctx, "SELECT min(observed_at), max(observed_at) FROM observations").Scan(&minT, &maxT); err != nil {
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

// LastSequence is the highest observation sequence stored.
func (s *Store) LastSequence(ctx context.Context) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, "SELECT last FROM observation_sequence").Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: %w", err)
	}
	return n, nil
}
