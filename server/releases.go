package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/canonical"
	"github.com/truce-mechanism/truce/ledger"
	"github.com/truce-mechanism/truce/store"
)

// A derived record carries the conjunction of its inputs' markings, so an
// event fused from one REL TO USA report is for USA alone, however
// harmless most of it is. An analyst who judges that part of it may be
// shown wider releases a sanitised version: a new record with a marking
// of its own, which keeps only what the allow-list below copies, names who
// released it and why, and is committed to the ledger like any record. The
// original keeps its marking; nothing is edited.

// Release precision: the released location is snapped to a grid this many
// metres wide. Finer than the minimum would give back what the error
// ellipse said; coarser than the maximum says nothing useful.
const (
	DefaultReleasePrecisionM = 1000
	MinReleasePrecisionM     = 100
	MaxReleasePrecisionM     = 100_000
)

// metresPerDegree is the length of a degree of latitude, near enough for a
// grid whose purpose is to blur: WGS 84's varies from 110.6 to 111.7 km.
const metresPerDegree = 111_320.0

// releaseRequest is the body of POST /api/v1/releases.
type releaseRequest struct {
	Of         string   `json:"of"`
	Marking    string   `json:"marking"`
	PrecisionM *float64 `json:"precision_m"`
	Reason     string   `json:"reason"`
}

// postRelease publishes a sanitised version of a record the reader may
// see. A record it may not see is 404, as everywhere.
func (s *Server) postRelease(w http.ResponseWriter, r *http.Request) {
	reader := s.reader(r)
	if !reader.May(access.Release) {
		s.writeProblem(w, r, newProblem(codeUnauthorized, "releasing a record needs an analyst's token with the right to do so"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		s.writeProblem(w, r, newProblem(codeTooLarge, "a release is a small JSON object (at most 64 KiB)"))
		return
	}
	var req releaseRequest
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.writeProblem(w, r, newProblem(codeMalformed, "the body must be a JSON object {of, marking, precision_m, reason}: "+err.Error()))
		return
	}
	var bad []FieldProblem
	typ, id, _ := strings.Cut(req.Of, "/")
	if typ != ledger.TypeEvent || id == "" || strings.Contains(id, "/") {
		bad = append(bad, FieldProblem{Pointer: "/of", Detail: `name the record as "event/<id>": only events can be released so far`})
	}
	if req.Marking == "" {
		bad = append(bad, FieldProblem{Pointer: "/marking", Detail: "give the release's marking explicitly: PUBLIC, MISSION, COMMISSION or REL TO …"})
	} else if _, err := access.ParseMarking(req.Marking); err != nil {
		bad = append(bad, FieldProblem{Pointer: "/marking", Detail: err.Error()})
	}
	precision := DefaultReleasePrecisionM
	if p := req.PrecisionM; p != nil {
		if *p != math.Trunc(*p) || *p < MinReleasePrecisionM || *p > MaxReleasePrecisionM {
			bad = append(bad, FieldProblem{Pointer: "/precision_m", Detail: fmt.Sprintf("a whole number of metres from %d to %d", MinReleasePrecisionM, MaxReleasePrecisionM)})
		} else {
			precision = int(*p)
		}
	}
	if strings.TrimSpace(req.Reason) == "" || len(req.Reason) > maxReasonLength {
		bad = append(bad, FieldProblem{Pointer: "/reason", Detail: fmt.Sprintf("say why, in 1 to %d characters", maxReasonLength)})
	}
	if len(bad) > 0 {
		p := newProblem(codeInvalid, "the release is not valid")
		p.Title = "Invalid release"
		p.Errors = bad
		s.writeProblem(w, r, p)
		return
	}

	src, found, err := s.releasableEvent(r, reader, id)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if !found {
		s.writeProblem(w, r, newProblem(codeNotFound, "no event "+id))
		return
	}
	doc, err := sanitiseEvent(src.doc, req.Of, precision)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	// Unguessable, so that an ID seen in one place says nothing about
	// how many releases there are.
	rel, err := s.store.AppendRelease(r.Context(), store.Release{
		ID: newRecordID("rl"), Of: req.Of, Marking: req.Marking, Document: doc,
		By: reader.Name, Org: reader.Org, At: s.now(), Reason: req.Reason,
	})
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	record, err := ledger.ReleaseRecord(rel)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	// The request is audited like every other; this names what was
	// released, and how widely, beside it.
	s.audit.add(store.AuditEvent{At: s.now(), Actor: reader.Name, Org: reader.Org, Token: reader.TokenID,
		Action: "release", Target: "release/" + rel.ID,
		Detail: fmt.Sprintf("%s version %d (%s) released as %s, location to %d m", req.Of, src.version, src.marking, rel.Marking, precision)})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Location", "/api/v1/releases/"+rel.ID)
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(append(record, '\n'))
}

// sourceEvent is the event a release is made from, as the API shows it.
type sourceEvent struct {
	version int
	marking string // the joined conjunction
	doc     []byte
}

// releasableEvent finds the event as GET /api/v1/events shows it — the
// running engine's when it has the event (it is current), else the
// store's final version — and returns it only if the reader may see every
// marking of it.
func (s *Server) releasableEvent(r *http.Request, reader access.Reader, id string) (sourceEvent, bool, error) {
	var (
		src   sourceEvent
		found bool
	)
	rec, err := s.store.Event(r.Context(), id)
	switch {
	case err == nil:
		if reader.CanSeeAll(store.SplitMarkings(rec.Marking)) {
			src, found = sourceEvent{version: rec.Version, marking: rec.Marking, doc: rec.Document}, true
		}
	case !errors.Is(err, store.ErrNotFound):
		return src, false, err
	}
	if s.fusion != nil {
		for _, e := range s.fusion.Events() {
			if e.ID != id || e.Version < rec.Version {
				continue
			}
			found = false
			if reader.CanSeeAll(e.Marking) {
				doc, err := json.Marshal(s.renderEvent(e))
				if err != nil {
					return src, false, err
				}
				src, found = sourceEvent{version: e.Version, marking: store.JoinMarkings(e.Marking), doc: doc}, true
			}
			break
		}
	}
	if found {
		noteRead(r, "event/"+id, src.marking)
	}
	return src, found, nil
}

// releasedEvent is a sanitised event: what the allow-list keeps. Anything
// an event gains later stays out of releases until it is added here.
type releasedEvent struct {
	Of          string          `json:"of"`
	Version     int             `json:"version"` // of the event released, so the release can be traced to its leaf
	Kind        string          `json:"kind"`
	Start       string          `json:"start"` // down to the minute
	End         string          `json:"end"`   // up to the minute
	Location    *pointJSON      `json:"location,omitempty"`
	PrecisionM  int             `json:"precision_m"` // the grid the location was snapped to, instead of its error
	Count       int             `json:"count"`
	Weapon      *releasedWeapon `json:"weapon,omitempty"`
	Violations  json.RawMessage `json:"violations"`
	Attribution struct {
		Party       string  `json:"party"`
		Probability float64 `json:"probability"`
	} `json:"attribution"`
	Corroboration string `json:"corroboration"`
}

type releasedWeapon struct {
	Class string `json:"class"`
}

// sanitiseEvent makes the released document of an event: the fields the
// release keeps, coarsened, in RFC 8785 form. It drops the reports' keys,
// the number of sources, the error ellipse, the point of origin (whose
// precision would point at a firing position), the weapon's calibre and
// system, and anything else.
func sanitiseEvent(doc []byte, of string, precisionM int) ([]byte, error) {
	var ev struct {
		Version       int             `json:"version"`
		Kind          string          `json:"kind"`
		Start         time.Time       `json:"start"`
		End           time.Time       `json:"end"`
		Location      *pointJSON      `json:"location"`
		LocationBasis string          `json:"location_basis"`
		Count         int             `json:"count"`
		Weapon        *releasedWeapon `json:"weapon"`
		Violations    json.RawMessage `json:"violations"`
		Attribution   struct {
			Party       string  `json:"party"`
			Probability float64 `json:"probability"`
		} `json:"attribution"`
		Corroboration string `json:"corroboration"`
	}
	if err := json.Unmarshal(doc, &ev); err != nil {
		return nil, fmt.Errorf("releasing %s: the event's document: %w", of, err)
	}
	out := releasedEvent{Of: of, Version: ev.Version, Kind: ev.Kind, PrecisionM: precisionM, Count: ev.Count,
		Start: floorMinute(ev.Start).Format(time.RFC3339), End: ceilMinute(ev.End).Format(time.RFC3339),
		Violations: ev.Violations, Corroboration: ev.Corroboration}
	out.Attribution.Party, out.Attribution.Probability = ev.Attribution.Party, ev.Attribution.Probability
	if ev.Location != nil && measured(ev.LocationBasis) {
		// The public is shown where events were measured, not where a
		// sight line alone puts them (a source's habit, kilometres off).
		out.Location = snapToGrid(*ev.Location, precisionM)
	}
	if ev.Weapon != nil && ev.Weapon.Class != "" {
		out.Weapon = &releasedWeapon{Class: ev.Weapon.Class}
	}
	if len(out.Violations) == 0 || string(out.Violations) == "null" {
		out.Violations = json.RawMessage("[]")
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("releasing %s: %w", of, err)
	}
	return canonical.Transform(b)
}

func floorMinute(t time.Time) time.Time { return t.UTC().Truncate(time.Minute) }

func ceilMinute(t time.Time) time.Time {
	f := floorMinute(t)
	if f.Before(t) {
		return f.Add(time.Minute)
	}
	return f
}

// snapToGrid moves a point to the nearest node of a grid precisionM
// metres wide: latitude in steps of precisionM along the meridian,
// longitude in steps of precisionM along the snapped parallel. Every
// point of a cell gives the same node, so the node tells only the cell.
func snapToGrid(p pointJSON, precisionM int) *pointJSON {
	step := float64(precisionM) / metresPerDegree
	lat := math.Max(-90, math.Min(90, math.Round(p.Lat/step)*step))
	// Near the poles a parallel is too short for a grid in metres; one
	// hundredth of the equator's keeps the step finite.
	lonStep := step / math.Max(math.Cos(lat*math.Pi/180), 0.01)
	lon := math.Round(p.Lon/lonStep) * lonStep
	switch {
	case lon > 180:
		lon -= 360
	case lon < -180:
		lon += 360
	}
	return &pointJSON{round(lat, 6), round(lon, 6)}
}

// listReleases answers GET /api/v1/releases?after=N&limit=M&of=TYPE/KEY:
// the releases the reader may see, in sequence order, each exactly as
// committed; the store filters by the reader's markings.
func (s *Server) listReleases(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, limit, ok := s.sequencePage(w, r)
	if !ok {
		return
	}
	reader := s.reader(r)
	sq := store.ReleaseQuery{After: after, Limit: limit, Of: q.Get("of")}
	if !reader.All {
		sq.Markings = reader.CanSee
	}
	rels, err := s.store.Releases(r.Context(), sq)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out := []json.RawMessage{}
	for _, rel := range rels {
		rec, err := ledger.ReleaseRecord(rel)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		noteRead(r, "release/"+rel.ID, rel.Marking)
		out = append(out, rec)
	}
	resp := struct {
		Records []json.RawMessage `json:"records"`
		After   int64             `json:"next_after,omitempty"`
	}{Records: out}
	if len(rels) == limit {
		resp.After = rels[len(rels)-1].Sequence
	}
	writeJSON(w, http.StatusOK, resp)
}

// sequencePage reads ?after=N&limit=M of a list in sequence order.
func (s *Server) sequencePage(w http.ResponseWriter, r *http.Request) (after int64, limit int, ok bool) {
	q := r.URL.Query()
	after, err1 := strconv.ParseInt(q.Get("after"), 10, 64)
	if q.Get("after") == "" {
		after, err1 = 0, nil
	}
	limit, err2 := strconv.Atoi(q.Get("limit"))
	if q.Get("limit") == "" {
		limit, err2 = defaultListLimit, nil
	}
	if err1 != nil || err2 != nil || after < 0 || limit < 1 || limit > maxListLimit {
		s.writeProblem(w, r, newProblem(codeBadQuery, "after is a sequence (0 or more); limit is 1 to "+strconv.Itoa(maxListLimit)))
		return 0, 0, false
	}
	return after, limit, true
}

// visibleRelease reads a release the reader may see, or answers 404.
func (s *Server) visibleRelease(w http.ResponseWriter, r *http.Request, id string) (store.Release, bool) {
	rel, err := s.store.Release(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || err == nil && !s.reader(r).CanSee(rel.Marking) {
		s.writeProblem(w, r, newProblem(codeNotFound, "no release "+id))
		return rel, false
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return rel, false
	}
	return rel, true
}

// getRelease answers GET /api/v1/releases/{id}: the release exactly as
// committed.
func (s *Server) getRelease(w http.ResponseWriter, r *http.Request) {
	rel, ok := s.visibleRelease(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	rec, err := ledger.ReleaseRecord(rel)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	noteRead(r, "release/"+rel.ID, rel.Marking)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(rec, '\n'))
}

// proveRelease answers GET /api/v1/proof/release/{id}.
func (s *Server) proveRelease(w http.ResponseWriter, r *http.Request) {
	rel, ok := s.visibleRelease(w, r, r.PathValue("id"))
	if !ok || !s.ledgerRunning(w, r) {
		return
	}
	noteRead(r, "proof of release/"+rel.ID, rel.Marking)
	c, err := ledger.CommitRelease(rel)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	p, err := ledger.Prove(r.Context(), s.ledger, s.store, c, rel.Sequence)
	s.writeProof(w, r, p, err)
}

// proveEvent answers GET /api/v1/proof/event/{id}/{version}: the proof of
// one stored version, verifiable with the event's document as served. A
// version the reader may not see is 404, as one not stored (fusion may
// still change it) is.
func (s *Server) proveEvent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	version, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || version < 1 {
		s.writeProblem(w, r, newProblem(codeBadQuery, "an event version is a whole number from 1"))
		return
	}
	vs, err := s.store.EventVersions(r.Context(), id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.writeProblem(w, r, err)
		return
	}
	var v *store.EventRecord
	for i := range vs {
		if vs[i].Version == version && s.reader(r).CanSeeAll(store.SplitMarkings(vs[i].Marking)) {
			v = &vs[i]
		}
	}
	if v == nil {
		s.writeProblem(w, r, newProblem(codeNotFound, fmt.Sprintf("no stored version %d of event %s", version, id)))
		return
	}
	if !s.ledgerRunning(w, r) {
		return
	}
	noteRead(r, "proof of event/"+ledger.EventKey(v.ID, v.Version), v.Marking)
	p, err := ledger.Prove(r.Context(), s.ledger, s.store, ledger.CommitEvent(*v), v.Recorded)
	s.writeProof(w, r, p, err)
}

// listEventVersions answers GET /api/v1/event-versions?after=N&limit=M:
// every stored event version the reader may see, in the order the ledger
// commits them, each with its place in that order and its document as
// served — what an auditor checks against the leaves.
func (s *Server) listEventVersions(w http.ResponseWriter, r *http.Request) {
	after, limit, ok := s.sequencePage(w, r)
	if !ok {
		return
	}
	vs, err := s.store.EventVersionsAfter(r.Context(), after, limit)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	type version struct {
		Recorded int64           `json:"recorded"`
		ID       string          `json:"id"`
		Version  int             `json:"version"`
		Document json.RawMessage `json:"document"`
	}
	reader := s.reader(r)
	resp := struct {
		Records []version `json:"records"`
		After   int64     `json:"next_after,omitempty"`
	}{Records: []version{}}
	for _, v := range vs {
		if !reader.CanSeeAll(store.SplitMarkings(v.Marking)) {
			continue
		}
		if !json.Valid(v.Document) {
			// Never stored by this server; committed as its bytes, which
			// JSON cannot carry. Left out rather than fail the page.
			s.log.ErrorContext(r.Context(), "event version document is not JSON", "event", v.ID, "version", v.Version)
			continue
		}
		noteRead(r, "event/"+ledger.EventKey(v.ID, v.Version), v.Marking)
		resp.Records = append(resp.Records, version{v.Recorded, v.ID, v.Version, v.Document})
	}
	if len(vs) == limit {
		resp.After = vs[len(vs)-1].Recorded
	}
	writeJSON(w, http.StatusOK, resp)
}
