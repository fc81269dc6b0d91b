package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/placekey"
)

// observationColumns are the columns every read selects, in the order
// scanRecord expects.
const observationColumns = `o.sequence, o.source, o.id, o.observed_at, o.kind, o.marking, o.count, o.time_sigma_s,
	o.lat, o.lon, o.location_mgrs, o.location_cep_m, o.received_at, o.document`

// insertColumns are written by every insert, in the order insertArgs
// produces them.
const insertColumns = `sequence, source, id, observed_at, kind, marking, count, time_sigma_s,
	lat, lon, location_mgrs, location_cep_m, received_at, document, day, cell`

const insertWidth = 16

// rowsPerInsert is how many observations one INSERT statement carries:
// fewer statements cost less than fewer rows per statement, and 128 rows of
// 16 values stay far below SQLite's limit on bound parameters (32766).
const rowsPerInsert = 128

// AppendObservations stores a batch in one transaction: new keys become
// rows with the next sequences in batch order, resubmissions return the
// stored record, and any changed content under an existing key rolls the
// whole transaction back.
func (s *Store) AppendObservations(ctx context.Context, batch []observation.Observation, receivedAt time.Time) ([]store.Stored, error) {
	if len(batch) == 0 {
		return []store.Stored{}, nil
	}
	received := receivedAt.UnixMicro()

	// Within the batch, a key's first occurrence is the one stored; later
	// ones are resubmissions of it (or conflicts, decided once we know
	// whether the first was already stored).
	firstOf := make(map[observation.Key]int, len(batch))
	repeatOf := make([]int, len(batch))
	fresh := make([]int, 0, len(batch))
	for i := range batch {
		k := batch[i].Key()
		if j, ok := firstOf[k]; ok {
			repeatOf[i] = j
			continue
		}
		firstOf[k] = i
		repeatOf[i] = -1
		fresh = append(fresh, i)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	// Statements are prepared before the transaction takes the only
	// write connection.
	for _, n := range []int{1, min(len(fresh), rowsPerInsert), len(fresh) % rowsPerInsert} {
		if n > 0 {
			if _, err := s.insertStatement(ctx, n); err != nil {
				return nil, err
			}
		}
	}
	tx, err := s.write.BeginTx(ctx, nil) // BEGIN IMMEDIATE (see Open)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	defer tx.Rollback()

	var next int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(sequence), 0) + 1 FROM observations").Scan(&next); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	seq := make([]int64, len(batch))                  // for created rows
	stored := make([]*observation.Record, len(batch)) // for keys stored before this batch
	var conflicts []int

	for start := 0; start < len(fresh); start += rowsPerInsert {
		chunk := fresh[start:min(start+rowsPerInsert, len(fresh))]
		args := make([]any, 0, len(chunk)*insertWidth)
		for k, i := range chunk {
			args = insertArgs(args, &batch[i], next+int64(k), received)
		}
		_, err = tx.StmtContext(ctx, s.inserts[len(chunk)]).ExecContext(ctx, args...)
		switch {
		case err == nil:
			for k, i := range chunk {
				seq[i] = next + int64(k)
			}
			next += int64(len(chunk))
			continue
		case !isUniqueViolation(err):
			return nil, fmt.Errorf("sqlite: storing observations: %w", err)
		}
		// Some key of this chunk is already stored. SQLite undid the
		// failed statement alone; redo the chunk one row at a time.
		for _, i := range chunk {
			rec, err := s.lookup(ctx, tx, batch[i].Key())
			switch {
			case errors.Is(err, store.ErrNotFound):
				if _, err := tx.StmtContext(ctx, s.inserts[1]).ExecContext(ctx, insertArgs(nil, &batch[i], next, received)...); err != nil {
					return nil, fmt.Errorf("sqlite: storing observation %v: %w", batch[i].Key(), err)
				}
				seq[i] = next
				next++
			case err != nil:
				return nil, err
			case bytes.Equal(rec.Document, batch[i].Document):
				stored[i] = &rec
			default:
				conflicts = append(conflicts, i)
				stored[i] = &rec
			}
		}
	}

	// A repeat within the batch must match what its key holds: the stored
	// document if there was one, else the first occurrence.
	for i, j := range repeatOf {
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

	if err := insertMarkings(ctx, tx, batch, seq); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: committing observations: %w", err)
	}

	out := make([]store.Stored, len(batch))
	receivedUTC := fromMicros(received)
	for i := range batch {
		switch {
		case repeatOf[i] >= 0:
			out[i] = store.Stored{Record: out[repeatOf[i]].Record, Outcome: store.Existing}
		case stored[i] != nil:
			out[i] = store.Stored{Record: *stored[i], Outcome: store.Existing}
		default:
			out[i] = store.Stored{Record: observation.Record{Observation: batch[i], ReceivedAt: receivedUTC, Sequence: seq[i]}, Outcome: store.Created}
		}
	}
	return out, nil
}

// insertStatement returns the prepared INSERT for n rows. Called with mu
// held and outside a transaction (preparing needs the write connection).
func (s *Store) insertStatement(ctx context.Context, n int) (*sql.Stmt, error) {
	if st, ok := s.inserts[n]; ok {
		return st, nil
	}
	row := "(" + strings.Repeat("?,", insertWidth-1) + "?)"
	q := "INSERT INTO observations (" + insertColumns + ") VALUES " + strings.Repeat(row+",", n-1) + row
	st, err := s.write.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("sqlite: preparing insert: %w", err)
	}
	s.inserts[n] = st
	return st, nil
}

// insertArgs appends one row's values.
func insertArgs(args []any, o *observation.Observation, seq, received int64) []any {
	var lat, lon, cep, mgrs, day, cell any
	observed := o.ObservedAt.UnixMicro()
	if l := o.Location; l != nil {
		if l.Resolved {
			lat, lon = l.Lat, l.Lon
			day, cell = placekey.Day(observed), placekey.Cell(l.Lat, l.Lon)
		}
		if l.MGRS != "" {
			mgrs = l.MGRS
		}
		if l.CEPm != nil {
			cep = *l.CEPm
		}
	}
	return append(args, seq, o.Source, o.ID, observed, string(o.Kind), o.Marking,
		int64(o.Count), o.TimeSigmaS, lat, lon, mgrs, cep, received, o.Document, day, cell)
}

// insertMarkings records the markings the batch brought.
func insertMarkings(ctx context.Context, tx *sql.Tx, batch []observation.Observation, seq []int64) error {
	var seen []string
	for i := range batch {
		if seq[i] != 0 && !slices.Contains(seen, batch[i].Marking) {
			seen = append(seen, batch[i].Marking)
		}
	}
	for _, m := range seen {
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO markings (marking) VALUES (?)", m); err != nil {
			return fmt.Errorf("sqlite: recording marking: %w", err)
		}
	}
	return nil
}

// lookup reads one observation inside the write transaction.
func (s *Store) lookup(ctx context.Context, tx *sql.Tx, key observation.Key) (observation.Record, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+observationColumns+" FROM observations AS o WHERE o.source = ? AND o.id = ?", key.Source, key.ID)
	if err != nil {
		return observation.Record{}, fmt.Errorf("sqlite: %w", err)
	}
	return s.one(rows, key)
}

// Observation returns one stored observation.
func (s *Store) Observation(ctx context.Context, key observation.Key) (observation.Record, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT "+observationColumns+" FROM observations AS o WHERE o.source = ? AND o.id = ?", key.Source, key.ID)
	if err != nil {
		return observation.Record{}, fmt.Errorf("sqlite: %w", err)
	}
	return s.one(rows, key)
}

func (s *Store) one(rows *sql.Rows, key observation.Key) (observation.Record, error) {
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return observation.Record{}, fmt.Errorf("sqlite: %w", err)
		}
		return observation.Record{}, fmt.Errorf("observation %s/%s: %w", key.Source, key.ID, store.ErrNotFound)
	}
	rec, _, err := s.scanRecord(rows)
	if err != nil {
		return observation.Record{}, err
	}
	return rec, rows.Err()
}

// scanRecord reads one row of observationColumns. It also returns the
// stored observed_at, which cursors use: a custom decoder may give back
// more precision than the column holds.
func (s *Store) scanRecord(rows *sql.Rows) (observation.Record, int64, error) {
	var (
		rec                     observation.Record
		o                       = &rec.Observation
		observed, received, cnt int64
		kind                    string
		lat, lon, cep           sql.NullFloat64
		mgrs                    sql.NullString
	)
	if err := rows.Scan(&rec.Sequence, &o.Source, &o.ID, &observed, &kind, &o.Marking, &cnt, &o.TimeSigmaS,
		&lat, &lon, &mgrs, &cep, &received, &o.Document); err != nil {
		return rec, 0, fmt.Errorf("sqlite: reading observation: %w", err)
	}
	rec.ReceivedAt = fromMicros(received)
	if s.dec != nil {
		key := o.Key()
		d, err := s.dec(o.Document)
		if err != nil {
			return rec, 0, fmt.Errorf("sqlite: decoding stored observation %s/%s: %w", key.Source, key.ID, err)
		}
		if d.Key() != key {
			return rec, 0, fmt.Errorf("sqlite: stored observation %s/%s decodes as %s/%s", key.Source, key.ID, d.Source, d.ID)
		}
		d.Document = o.Document
		rec.Observation = d
		return rec, observed, nil
	}
	o.ObservedAt = fromMicros(observed)
	o.Kind = observation.Kind(kind)
	o.Count = int(cnt)
	if lat.Valid || mgrs.Valid {
		p := &observation.Point{MGRS: mgrs.String}
		if lat.Valid && lon.Valid {
			p.Lat, p.Lon, p.Resolved = lat.Float64, lon.Float64, true
		}
		if cep.Valid {
			c := cep.Float64
			p.CEPm = &c
		}
		o.Location = p
	}
	return rec, observed, nil
}

// ObservationsAfter returns observations with Sequence > seq in sequence
// order. A limit of zero or less means no limit.
func (s *Store) ObservationsAfter(ctx context.Context, seq int64, limit int) ([]observation.Record, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.read.QueryContext(ctx, "SELECT "+observationColumns+" FROM observations AS o WHERE o.sequence > ? ORDER BY o.sequence LIMIT ?", seq, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
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

// found is a record with the observed_at its row holds.
type found struct {
	observation.Record
	observed int64
}

// filters is a query reduced to SQL terms. lo and hi bound observed_at
// (lo <= t < hi, in µs); nil pointers do not bound.
type filters struct {
	lo, hi *int64
	after  *store.Cursor
	where  []string // extra conditions on o
	args   []any
}

// filters translates the query's non-spatial conditions. ok is false when
// nothing can match (no marking visible).
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
		f.where = append(f.where, "o.kind IN ("+placeholders(len(q.Kinds))+")")
		for _, k := range q.Kinds {
			f.args = append(f.args, string(k))
		}
	}
	if q.Sources != nil {
		if len(q.Sources) == 0 {
			return f, false, nil
		}
		// The unary + keeps SQLite from reading a source's every report
		// through the (source, id) index and sorting them: the walk in
		// time order, which a window bounds and a page ends, is cheaper.
		f.where = append(f.where, "+o.source IN ("+placeholders(len(q.Sources))+")")
		for _, src := range q.Sources {
			f.args = append(f.args, src)
		}
	}
	if q.Markings != nil {
		all, err := s.markings(ctx)
		if err != nil {
			return f, false, err
		}
		var visible []any
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
		f.where = append(f.where, "o.marking IN ("+placeholders(len(visible))+")")
		f.args = append(f.args, visible...)
	}
	f.where = append(f.where, notWithheld)
	return f, true, nil
}

// notWithheld drops observations whose content a withdrawal withholds. An
// index probe per row, on a table that is nearly always empty.
const notWithheld = `NOT EXISTS (SELECT 1 FROM withdrawals AS w
	WHERE w.record_type = 'observation' AND w.record_key = o.source || '/' || o.id AND w.withhold)`

func (s *Store) markings(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT marking FROM markings")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func coversWorld(b *store.BBox) bool {
	return b.West <= -180 && b.East >= 180 && b.South <= -90 && b.North >= 90
}

// scan runs one query over [lo, hi) (nil: unbounded), with the spatial
// condition when box is set, and returns up to limit records (-1: all) in
// (observed_at, sequence) order.
func (s *Store) scan(ctx context.Context, f filters, lo, hi *int64, box *spatial, limit int) ([]found, error) {
	query, args := scanSQL(f, lo, hi, box, limit)
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: querying observations: %w", err)
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

// scanSQL builds scan's query.
func scanSQL(f filters, lo, hi *int64, box *spatial, limit int) (string, []any) {
	var (
		sb   strings.Builder
		args []any
		cond []string
	)
	sb.WriteString("SELECT " + observationColumns + " FROM ")
	if box != nil {
		// One (day, cell range) a row; CROSS JOIN makes SQLite drive the
		// join from this list, each row one range scan of
		// observations_by_place.
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
		sb.WriteString(") AS r CROSS JOIN observations AS o ON o.day = r.column1 AND o.cell BETWEEN r.column2 AND r.column3")
		cond = append(cond, "o.lat BETWEEN ? AND ?")
		args = append(args, box.South, box.North)
		if box.West <= box.East {
			cond = append(cond, "o.lon BETWEEN ? AND ?")
		} else {
			cond = append(cond, "(o.lon >= ? OR o.lon <= ?)")
		}
		args = append(args, box.West, box.East)
	} else {
		sb.WriteString("observations AS o")
	}
	if lo != nil {
		cond = append(cond, "o.observed_at >= ?")
		args = append(args, *lo)
	}
	if hi != nil {
		cond = append(cond, "o.observed_at < ?")
		args = append(args, *hi)
	}
	if a := f.after; a != nil {
		t := a.ObservedAt.UnixMicro()
		// Written so the time index bounds the scan; (observed_at, sequence) > (t, seq).
		cond = append(cond, "o.observed_at >= ?", "(o.observed_at > ? OR o.sequence > ?)")
		args = append(args, t, t, a.Sequence)
	}
	cond = append(cond, f.where...)
	args = append(args, f.args...)
	if len(cond) > 0 {
		sb.WriteString(" WHERE " + strings.Join(cond, " AND "))
	}
	sb.WriteString(" ORDER BY o.observed_at, o.sequence LIMIT ?")
	args = append(args, limit)
	return sb.String(), args
}

// spatial is a bounding box with its S2 covering.
type spatial struct {
	store.BBox
	cells []placekey.Range
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
		window, err := s.scanBox(ctx, f, lo, end, box, need)
		if err != nil {
			return nil, err
		}
		out = append(out, window...)
		lo = end
		days = min(days*windowGrowth, maxWindowDays)
	}
	return out, nil
}

// scanBox returns up to need records (-1: all) of one window of a spatial
// query. Reading rows is what a query costs, so it works in two steps: the
// candidates, in (observed_at, sequence) order and cut to need, come from
// observations_by_place alone (it holds observed_at, lat and lon); only
// their rows are read. Where conditions on other columns (kind, source,
// marking) reject some, it goes on from the last candidate.
func (s *Store) scanBox(ctx context.Context, f filters, lo, hi int64, box *spatial, need int) ([]found, error) {
	if need < 0 {
		return s.scan(ctx, f, &lo, &hi, box, -1)
	}
	var out []found
	for need > 0 {
		cands, err := s.candidates(ctx, f.after, lo, hi, box, need)
		if err != nil || len(cands) == 0 {
			return out, err
		}
		recs, err := s.fetch(ctx, f, cands)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
		if len(cands) < need {
			break // the window has no more
		}
		need -= len(recs)
		last := cands[len(cands)-1]
		f.after = &store.Cursor{ObservedAt: fromMicros(last.observed), Sequence: last.sequence}
	}
	return out, nil
}

// candidate is an index entry of observations_by_place.
type candidate struct{ sequence, observed int64 }

// candidates reads the first limit entries of observations_by_place in the
// window, the box and after the cursor, in (observed_at, sequence) order,
// without reading a row.
func (s *Store) candidates(ctx context.Context, after *store.Cursor, lo, hi int64, box *spatial, limit int) ([]candidate, error) {
	query, args := candidatesSQL(after, lo, hi, box, limit)
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: querying observations: %w", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.sequence, &c.observed); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// candidatesSQL builds candidates' query: every condition is on a column
// of observations_by_place, so SQLite answers it from the index alone.
func candidatesSQL(after *store.Cursor, lo, hi int64, box *spatial, limit int) (string, []any) {
	var sb strings.Builder
	var args []any
	sb.WriteString("SELECT o.sequence, o.observed_at FROM (VALUES ")
	first := true
	for d := placekey.Day(lo); d <= placekey.Day(hi-1); d++ {
		for _, r := range box.cells {
			if !first {
				sb.WriteString(",")
			}
			first = false
			sb.WriteString("(?,?,?)")
			args = append(args, d, r.Lo, r.Hi)
		}
	}
	sb.WriteString(") AS r CROSS JOIN observations AS o INDEXED BY observations_by_place ON o.day = r.column1 AND o.cell BETWEEN r.column2 AND r.column3")
	sb.WriteString(" WHERE o.observed_at >= ? AND o.observed_at < ? AND o.lat BETWEEN ? AND ?")
	args = append(args, lo, hi, box.South, box.North)
	if box.West <= box.East {
		sb.WriteString(" AND o.lon BETWEEN ? AND ?")
	} else {
		sb.WriteString(" AND (o.lon >= ? OR o.lon <= ?)")
	}
	args = append(args, box.West, box.East)
	if after != nil {
		t := after.ObservedAt.UnixMicro()
		sb.WriteString(" AND o.observed_at >= ? AND (o.observed_at > ? OR o.sequence > ?)")
		args = append(args, t, t, after.Sequence)
	}
	sb.WriteString(" ORDER BY o.observed_at, o.sequence LIMIT ?")
	args = append(args, limit)
	return sb.String(), args
}

// fetch reads the rows of candidates that meet the query's other
// conditions, in (observed_at, sequence) order.
func (s *Store) fetch(ctx context.Context, f filters, cands []candidate) ([]found, error) {
	var sb strings.Builder
	args := make([]any, 0, len(cands)+len(f.args))
	sb.WriteString("SELECT " + observationColumns + " FROM observations AS o WHERE o.sequence IN (")
	for i, c := range cands {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString("?")
		args = append(args, c.sequence)
	}
	sb.WriteString(")")
	for _, w := range f.where {
		sb.WriteString(" AND " + w)
	}
	args = append(args, f.args...)
	sb.WriteString(" ORDER BY o.observed_at, o.sequence")
	rows, err := s.read.QueryContext(ctx, sb.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: reading observations: %w", err)
	}
	defer rows.Close()
	out := make([]found, 0, len(cands))
	for rows.Next() {
		rec, observed, err := s.scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, found{Record: rec, observed: observed})
	}
	return out, rows.Err()
}

// timeRangeSQL reads both ends of the time index. Two subqueries, because
// SQLite answers a lone min() or max() from an index's end but scans the
// table for both in one SELECT.
const timeRangeSQL = "SELECT (SELECT min(observed_at) FROM observations), (SELECT max(observed_at) FROM observations)"

// timeRange bounds a spatial query's time walk: the query's own bounds
// where it has them, else the oldest and newest stored observed_at (both
// read from the time index's ends). ok is false when the range is empty.
func (s *Store) timeRange(ctx context.Context, f filters) (lo, hi int64, ok bool, err error) {
	var minT, maxT sql.NullInt64
	if f.lo == nil || f.hi == nil {
		if err := s.read.QueryRowContext(ctx, timeRangeSQL).Scan(&minT, &maxT); err != nil {
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

// LastSequence is the highest observation sequence stored.
func (s *Store) LastSequence(ctx context.Context) (int64, error) {
	var n int64
	if err := s.read.QueryRowContext(ctx, "SELECT coalesce(max(sequence), 0) FROM observations").Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: %w", err)
	}
	return n, nil
}
