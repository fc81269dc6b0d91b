package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/ledger"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
)

// postObservations is the intake: decode, validate every document, check
// the sources, store the batch atomically and durably, answer. A 2xx means
// every record is fsynced; any 4xx means nothing of the batch was stored.
func (s *Server) postObservations(w http.ResponseWriter, r *http.Request) {
	reader := s.reader(r)
	if !reader.May(access.Submit) {
		s.writeProblem(w, r, newProblem(codeUnauthorized, "submitting observations needs a token of a source's organisation"))
		return
	}
	mediaType, err := requestMediaType(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.writeProblem(w, r, newProblem(codeTooLarge, fmt.Sprintf("the body exceeds %d MiB; split it into several requests", MaxBodyBytes>>20)))
			return
		}
		s.writeProblem(w, r, newProblem(codeMalformed, "reading the body failed: "+err.Error()))
		return
	}
	records, single, err := s.submit(r.Context(), reader, mediaType, body)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	status := http.StatusOK
	created := 0
	for _, st := range records {
		if st.Outcome == store.Created {
			created++
		}
	}
	if created > 0 {
		status = http.StatusCreated
	}
	s.metrics.observations.WithLabelValues("created").Add(float64(created))
	s.metrics.observations.WithLabelValues("existing").Add(float64(len(records) - created))

	var out bytes.Buffer
	if single {
		writeRecord(&out, records[0].Record, records[0].Warnings)
		if status == http.StatusCreated {
			k := records[0].Record.Key()
			w.Header().Set("Location", "/api/v1/observations/"+k.Source+"/"+k.ID)
		}
	} else {
		fmt.Fprintf(&out, `{"created":%d,"existing":%d,"records":[`, created, len(records)-created)
		for i, rec := range records {
			if i > 0 {
				out.WriteByte(',')
			}
			writeRecord(&out, rec.Record, rec.Warnings)
		}
		out.WriteString("]}")
	}
	out.WriteByte('\n')
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(out.Bytes())
}

// submit decodes a body and hands it to the intake. single is true when
// the body was one JSON object, which is answered with one record.
func (s *Server) submit(ctx context.Context, reader access.Reader, mediaType string, body []byte) ([]intake.Accepted, bool, error) {
	docs, err := observation.Decode(mediaType, body)
	if err != nil {
		return nil, false, decodeProblem(err)
	}
	s.metrics.batchSize.Observe(float64(len(docs)))
	accepted, err := s.intake.SubmitFor(ctx, reader.Org, docs)
	if err == nil {
		return accepted, len(docs) == 1 && docs[0].Single, nil
	}
	s.metrics.observations.WithLabelValues("rejected").Add(float64(len(docs)))
	var (
		invalid  *intake.InvalidError
		unknown  *intake.SourceError
		tooLarge *intake.TooLargeError
		conflict *store.ConflictError
	)
	switch {
	case errors.As(err, &invalid):
		p := newProblem(codeInvalid, invalid.Error())
		p.Errors = fieldProblems(invalid.Errors)
		return nil, false, p
	case errors.As(err, &unknown):
		p := newProblem(codeUnknownSrc, unknown.Error())
		p.Errors = fieldProblems(unknown.Errors)
		return nil, false, p
	case errors.As(err, &tooLarge):
		return nil, false, newProblem(codeTooLarge, tooLarge.Error())
	case errors.Is(err, intake.ErrEmpty):
		return nil, false, newProblem(codeInvalid, err.Error())
	case errors.As(err, &conflict):
		p := newProblem(codeConflict, fmt.Sprintf("%d documents carry a (source, id) already stored with other content; a correction needs a new id; nothing was stored", len(conflict.Keys)))
		for i, k := range conflict.Keys {
			ck := ConflictKey{Source: k.Source, ID: k.ID, Index: -1}
			if i < len(conflict.Indexes) {
				ck.Index = conflict.Indexes[i]
			}
			p.Conflicts = append(p.Conflicts, ck)
		}
		return nil, false, p
	}
	return nil, false, err
}

func fieldProblems(errs []observation.FieldError) []FieldProblem {
	out := make([]FieldProblem, len(errs))
	for i, fe := range errs {
		out[i] = FieldProblem{Pointer: fe.Pointer, Detail: fe.Detail, Index: fe.Index, Line: fe.Line, Row: fe.Row}
	}
	return out
}

// decodeProblem turns a decoding failure into a problem that says where
// the body broke.
func decodeProblem(err error) error {
	var de *observation.DecodeError
	p := newProblem(codeMalformed, err.Error())
	if errors.As(err, &de) {
		p.Errors = []FieldProblem{{Pointer: de.Pointer, Detail: de.Detail, Index: de.Index, Line: de.Line, Row: de.Row}}
	}
	return p
}

// requestMediaType reads Content-Type. Without one, the body is sniffed
// (the CLI does the same for files), so a quick curl works.
func requestMediaType(r *http.Request) (string, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return "", nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", newProblem(codeUnsupported, "unreadable Content-Type: "+ct)
	}
	switch mt {
	case "application/json", "application/x-ndjson", "application/ndjson", "application/jsonl",
		"application/geo+json", "text/csv", "application/csv":
		return mt, nil
	case "text/plain", "application/octet-stream", "application/x-www-form-urlencoded":
		return "", nil // curl's defaults: sniff the body
	}
	return "", newProblem(codeUnsupported, fmt.Sprintf("%s is not read here; send application/json, application/x-ndjson, application/geo+json or text/csv", mt))
}

// writeRecord writes a stored record as the document its source sent plus
// the server's fields. The canonical document is a JSON object, so the
// server's fields are spliced in before its closing brace.
func writeRecord(b *bytes.Buffer, rec observation.Record, warnings []string) {
	doc := rec.Document
	if len(doc) < 2 || doc[len(doc)-1] != '}' {
		doc = []byte("{}")
	}
	b.Write(doc[:len(doc)-1])
	if len(doc) > 2 {
		b.WriteByte(',')
	}
	b.WriteString(`"received_at":"`)
	b.WriteString(rec.ReceivedAt.UTC().Format(time.RFC3339Nano))
	b.WriteString(`","sequence":`)
	b.WriteString(strconv.FormatInt(rec.Sequence, 10))
	if len(warnings) > 0 {
		b.WriteString(`,"warnings":`)
		ws, _ := json.Marshal(warnings)
		b.Write(ws)
	}
	b.WriteByte('}')
}

// getObservation returns one record, or 404 when it does not exist or the
// reader may not see it: the two are indistinguishable on purpose.
func (s *Server) getObservation(w http.ResponseWriter, r *http.Request) {
	key := observation.Key{Source: r.PathValue("source"), ID: r.PathValue("id")}
	rec, ok := s.visibleObservation(w, r, key)
	if !ok {
		return
	}
	ws, err := s.store.Withdrawals(r.Context(), ledger.TypeObservation, ledger.ObservationKey(key))
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var withdrawn []json.RawMessage
	withheld := false
	for _, wd := range ws {
		withdrawn = append(withdrawn, ledger.WithdrawalRecord(wd))
		withheld = withheld || wd.Withhold
	}
	if withheld {
		p := newProblem(codeWithheld, fmt.Sprintf("observation %s/%s was withdrawn and its content withheld; its ledger leaf remains and proves it existed", key.Source, key.ID))
		p.Withdrawals = withdrawn
		s.writeProblem(w, r, p)
		return
	}
	noteRead(r, "observation/"+ledger.ObservationKey(key), rec.Marking)
	var out bytes.Buffer
	writeRecord(&out, rec, nil)
	if len(withdrawn) > 0 {
		// Shown beside the report, never in place of it.
		out.Truncate(out.Len() - 1)
		out.WriteString(`,"withdrawn":`)
		b, _ := json.Marshal(withdrawn)
		out.Write(b)
		out.WriteByte('}')
	}
	out.WriteByte('\n')
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out.Bytes())
}

// visibleObservation reads one observation for the request's reader, or
// answers 404 — the same for a record that does not exist and one the
// reader may not see — and returns false.
func (s *Server) visibleObservation(w http.ResponseWriter, r *http.Request, key observation.Key) (observation.Record, bool) {
	rec, err := s.store.Observation(r.Context(), key)
	if err == nil && !s.reader(r).CanSee(rec.Marking) {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		s.writeProblem(w, r, newProblem(codeNotFound, fmt.Sprintf("no observation %s/%s", key.Source, key.ID)))
		return rec, false
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return rec, false
	}
	return rec, true
}

// List paging limits.
const (
	defaultListLimit = 100
	maxListLimit     = 10_000
)

// listObservations pages through observations matching the filters, in
// (observed_at, sequence) order, with an opaque cursor.
func (s *Server) listObservations(w http.ResponseWriter, r *http.Request) {
	q, err := parseObservationQuery(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	reader := s.reader(r)
	if !reader.All {
		q.Markings = reader.CanSee
	}
	recs, next, err := s.store.Observations(r.Context(), q)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var out bytes.Buffer
	out.WriteString(`{"records":[`)
	for i, rec := range recs {
		if i > 0 {
			out.WriteByte(',')
		}
		writeRecord(&out, rec, nil)
		noteRead(r, "observation/"+ledger.ObservationKey(rec.Key()), rec.Marking)
	}
	out.WriteString(`]`)
	if next != nil {
		c := encodeCursor(*next)
		out.WriteString(`,"next_cursor":"` + c + `"`)
		nextURL := *r.URL
		v := nextURL.Query()
		v.Set("cursor", c)
		nextURL.RawQuery = v.Encode()
		w.Header().Set("Link", "<"+nextURL.String()+`>; rel="next"`)
	}
	out.WriteString("}\n")
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out.Bytes())
}

func parseObservationQuery(r *http.Request) (store.ObservationQuery, error) {
	v := r.URL.Query()
	q := store.ObservationQuery{Limit: defaultListLimit}
	var bad []FieldProblem
	badParam := func(name, detail string) {
		bad = append(bad, FieldProblem{Pointer: "?" + name, Detail: detail, Index: -1})
	}
	for name := range v {
		switch name {
		case "since", "until", "bbox", "kind", "source", "limit", "cursor":
		default:
			badParam(name, "unknown parameter; known: since, until, bbox, kind, source, limit, cursor")
		}
	}
	parseTime := func(name string) time.Time {
		s := v.Get(name)
		if s == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			badParam(name, "must be an RFC 3339 time, e.g. 2026-09-01T00:00:00Z")
		}
		return t
	}
	q.Since, q.Until = parseTime("since"), parseTime("until")
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Until.After(q.Since) {
		badParam("until", "must be after since")
	}
	if s := v.Get("bbox"); s != "" {
		bb, err := parseBBox(s)
		if err != nil {
			badParam("bbox", err.Error())
		}
		q.BBox = bb
	}
	for _, k := range splitList(v["kind"]) {
		q.Kinds = append(q.Kinds, observation.Kind(k))
	}
	q.Sources = splitList(v["source"])
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxListLimit {
			badParam("limit", fmt.Sprintf("must be a whole number from 1 to %d", maxListLimit))
		}
		q.Limit = n
	}
	if s := v.Get("cursor"); s != "" {
		c, err := decodeCursor(s)
		if err != nil {
			badParam("cursor", "is not a cursor this server gave out")
		}
		q.After = c
	}
	if len(bad) > 0 {
		p := newProblem(codeBadQuery, "the query parameters cannot be used as given")
		p.Errors = bad
		return q, p
	}
	return q, nil
}

// splitList reads repeated and comma-separated parameters alike.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// parseBBox reads "west,south,east,north" in degrees (OGC order).
func parseBBox(s string) (*store.BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, errors.New("must be west,south,east,north in degrees")
	}
	var f [4]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", p)
		}
		f[i] = x
	}
	bb := &store.BBox{West: f[0], South: f[1], East: f[2], North: f[3]}
	switch {
	case bb.West < -180 || bb.West > 180 || bb.East < -180 || bb.East > 180:
		return nil, errors.New("longitudes must lie in -180..180")
	case bb.South < -90 || bb.North > 90 || bb.South > bb.North:
		return nil, errors.New("latitudes must lie in -90..90 with south <= north")
	}
	return bb, nil
}

// Cursors are opaque to clients: unix microseconds (the stores' precision,
// and unlike nanoseconds valid for every year the schema accepts) and
// sequence in base 36, which is enough to resume and reveals nothing the page
// did not.
func encodeCursor(c store.Cursor) string {
	return strconv.FormatInt(c.ObservedAt.UnixMicro(), 36) + "." + strconv.FormatInt(c.Sequence, 36)
}

func decodeCursor(s string) (*store.Cursor, error) {
	a, b, ok := strings.Cut(s, ".")
	if !ok {
		return nil, errors.New("bad cursor")
	}
	us, err1 := strconv.ParseInt(a, 36, 64)
	seq, err2 := strconv.ParseInt(b, 36, 64)
	if err1 != nil || err2 != nil || seq < 0 {
		return nil, errors.New("bad cursor")
	}
	return &store.Cursor{ObservedAt: time.UnixMicro(us).UTC(), Sequence: seq}, nil
}
