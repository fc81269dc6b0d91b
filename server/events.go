package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/assess"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/store"
)

// eventJSON is an event as the API shows it, with its assessment under
// the agreement version in force at its start.
type eventJSON struct {
	ID       string       `json:"id"`
	Version  int          `json:"version"`
	Start    time.Time    `json:"start"`
	End      time.Time    `json:"end"`
	Kind     string       `json:"kind"`
	Location *pointJSON   `json:"location,omitempty"`
	Error    *ellipseJSON `json:"error,omitempty"`
	// LocationBasis says what placed the event (fusion.Basis): "measured"
	// (its reports fix it), "sight_line" (one sight line at its source's
	// usual distance) or "launch" (an explosion known only by its launch:
	// about it, as far as firings fly).
	LocationBasis string      `json:"location_basis,omitempty"`
	Origin        *originJSON `json:"origin,omitempty"`
	Weapon        *weaponJSON `json:"weapon,omitempty"`
	Count         int         `json:"count"`
	Observations  []keyJSON   `json:"observations"`
	Sources       int         `json:"sources"`
	Corroboration string      `json:"corroboration"`
	// Tentative: one source's report, of a class seldom corroborated,
	// that is more likely a false alarm than not (fusion.Event.Tentative);
	// FalseAlarmProbability is that likelihood, absent where nothing
	// judges it. Lists leave tentative events out unless asked
	// (?tentative=include or only).
	Tentative             bool           `json:"tentative,omitempty"`
	FalseAlarmProbability float64        `json:"false_alarm_probability,omitempty"`
	Violations            []violationOut `json:"violations"`
	Severity              string         `json:"severity,omitempty"`
	Attribution           attributionOut `json:"attribution"`
	// AgreementVersion names the version the event was assessed under
	// (invariant 5); absent when none was in force.
	AgreementVersion string   `json:"agreement_version,omitempty"`
	Marking          []string `json:"marking"`
}

type violationOut struct {
	Rule             string `json:"rule"`
	AgreementVersion string `json:"agreement_version"`
	Severity         string `json:"severity"`
}

type pointJSON struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

type ellipseJSON struct {
	SemiMajorM     float64 `json:"semi_major_m"`
	SemiMinorM     float64 `json:"semi_minor_m"`
	OrientationDeg float64 `json:"orientation_deg"`
}

type originJSON struct {
	pointJSON
	Error ellipseJSON `json:"error"`
	Basis string      `json:"basis"` // "measured" or "sight_line", as eventJSON.LocationBasis
}

// measured says whether a place shown in a document is one its event's
// reports fix (a basis of "measured", or none in a document older than
// bases), not a stand-in (fusion.Basis): only those are read to judge.
func measured(basis string) bool {
	return basis == "" || basis == string(fusion.BasisMeasured)
}

type weaponJSON struct {
	Class     string   `json:"class,omitempty"`
	CaliberMM *float64 `json:"caliber_mm,omitempty"`
	System    string   `json:"system,omitempty"`
}

type keyJSON struct {
	Source string `json:"source"`
	ID     string `json:"id"`
}

type attributionOut struct {
	Party         string             `json:"party"`
	Probability   float64            `json:"probability"`
	Probabilities map[string]float64 `json:"probabilities"`
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

func ellipseOf(e *fusion.Estimate) ellipseJSON {
	el := fusion.ErrorEllipse(e.Cov, fusion.Chi2_95)
	return ellipseJSON{round(el.SemiMajorM, 0), round(el.SemiMinorM, 0), round(el.OrientationDeg, 1)}
}

func toEventJSON(e fusion.Event, a assess.Assessment) eventJSON {
	out := eventJSON{ID: e.ID, Version: e.Version, Start: e.Start.UTC(), End: e.End.UTC(), Kind: string(e.Kind), Count: e.Count,
		Sources: e.Sources, Corroboration: a.Corroboration, Tentative: e.Tentative, FalseAlarmProbability: round(e.FalseAlarm, 4),
		Violations: []violationOut{}, Severity: a.Severity,
		AgreementVersion: a.AgreementVersion, Marking: e.Marking,
		Attribution: attributionOut{Party: a.Attribution.Party, Probability: round(a.Attribution.Probability, 4), Probabilities: map[string]float64{}}}
	for _, v := range a.Violations {
		out.Violations = append(out.Violations, violationOut{v.Rule, v.AgreementVersion, v.Severity})
	}
	for p, x := range a.Attribution.Probabilities {
		out.Attribution.Probabilities[p] = round(x, 4)
	}
	if out.Attribution.Party == "" {
		out.Attribution.Party = assess.Undetermined
	}
	if est, basis := e.Placed(); est != nil {
		out.Location = &pointJSON{round(est.Point.Lat, 6), round(est.Point.Lon, 6)}
		el := ellipseOf(est)
		out.Error, out.LocationBasis = &el, string(basis)
	}
	if est, basis := e.PlacedOrigin(); est != nil {
		out.Origin = &originJSON{pointJSON{round(est.Point.Lat, 6), round(est.Point.Lon, 6)}, ellipseOf(est), string(basis)}
	}
	if w := e.Weapon; w != nil {
		out.Weapon = &weaponJSON{Class: w.Class, CaliberMM: w.CaliberMM, System: w.System}
	}
	for _, k := range e.Observations {
		out.Observations = append(out.Observations, keyJSON{k.Source, k.ID})
	}
	return out
}

// listEvents answers GET /api/v1/events with the filters of observations
// (since, until on the start; bbox on the location; kind), in (start, id)
// order with a cursor. Final events come from the store, the ones fusion
// may still change from the running engine; both are shown only to a
// reader who may see every report in them. Accept: application/geo+json
// gives GeoJSON features.
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	if s.fusion == nil {
		s.writeProblem(w, r, newProblem(codeUnavailable, "this server does not run fusion"))
		return
	}
	q, err := parseEventQuery(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	page, more, err := s.eventPage(r, q)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	next := ""
	if more {
		last := page[len(page)-1]
		next = strconv.FormatInt(last.start.UnixMicro(), 36) + "." + last.id
		nextURL := *r.URL
		v := nextURL.Query()
		v.Set("cursor", next)
		nextURL.RawQuery = v.Encode()
		w.Header().Set("Link", "<"+nextURL.String()+`>; rel="next"`)
	}
	for _, e := range page {
		noteRead(r, "event/"+e.id, e.marking)
	}
	if wantsGeoJSON(r) {
		fc := newFeatureCollection()
		fc.NextCursor = next
		for _, e := range page {
			fc.add(e.id, pointGeometry(e.location), json.RawMessage(e.doc))
		}
		fc.write(w)
		return
	}
	var out bytes.Buffer
	out.WriteString(`{"records":[`)
	for i, e := range page {
		if i > 0 {
			out.WriteByte(',')
		}
		out.Write(e.doc)
	}
	out.WriteString(`]`)
	if next != "" {
		out.WriteString(`,"next_cursor":"` + next + `"`)
	}
	out.WriteString("}\n")
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out.Bytes())
}

// placedInBox: e is shown inside bb, as the store selects final events
// (on where they are shown, cmd/truce's record).
func placedInBox(bb *store.BBox, e *fusion.Event) bool {
	est, _ := e.Placed()
	return est != nil && inBox(bb.West, bb.South, bb.East, bb.North, est.Point.Lat, est.Point.Lon)
}

// eventQuery is a read of events: the observations' filters on the
// events' own cursor, and which tentative events to show.
type eventQuery struct {
	store.EventQuery
	tentatives tentativeMode
}

// tentativeMode selects events by fusion's judgement of false alarm:
// the zero value leaves tentative events out, as every count, incident
// and list does unless its reader asks.
type tentativeMode int

const (
	withoutTentative tentativeMode = iota
	withTentative
	onlyTentative
)

// storeFilter is the mode as the store's filter (nil: every event, else
// the events judged so); the engine's events are read through it too.
func (m tentativeMode) storeFilter() *bool {
	switch m {
	case withTentative:
		return nil
	case onlyTentative:
		return new(true)
	}
	return new(false)
}

// parseEventQuery reads the parameters of observations (since, until,
// bbox, kind, limit), the events' cursor and tentative (exclude, the
// default; include; only).
func parseEventQuery(r *http.Request) (eventQuery, error) {
	values := r.URL.Query()
	cursor := values.Get("cursor")
	values.Del("cursor")
	var mode tentativeMode
	switch t := values.Get("tentative"); t {
	case "", "exclude":
	case "include":
		mode = withTentative
	case "only":
		mode = onlyTentative
	default:
		p := newProblem(codeBadQuery, "the query parameters cannot be used as given")
		p.Errors = []FieldProblem{{Pointer: "?tentative", Detail: fmt.Sprintf("is %q; known: exclude (the default), include, only", t), Index: -1}}
		return eventQuery{}, p
	}
	values.Del("tentative")
	values.Del("source") // the observations' filter; events have many sources
	rq := r.Clone(r.Context())
	rq.URL.RawQuery = values.Encode()
	oq, err := parseObservationQuery(rq)
	if err != nil {
		return eventQuery{}, err
	}
	q := eventQuery{EventQuery: store.EventQuery{Since: oq.Since, Until: oq.Until, BBox: oq.BBox, Limit: oq.Limit}, tentatives: mode}
	for _, k := range oq.Kinds {
		q.Kinds = append(q.Kinds, string(k))
	}
	if cursor != "" {
		us, id, ok := strings.Cut(cursor, ".")
		n, err := strconv.ParseInt(us, 36, 64)
		if !ok || err != nil || id == "" {
			p := newProblem(codeBadQuery, "the query parameters cannot be used as given")
			p.Errors = []FieldProblem{{Pointer: "?cursor", Detail: "is not a cursor this server gave out", Index: -1}}
			return eventQuery{}, p
		}
		q.After = &store.Cursor{ObservedAt: time.UnixMicro(n).UTC(), ID: id}
	}
	return q, nil
}

// shownEvent is an event ready to be written: its document and what a
// page needs to order, filter and audit it.
type shownEvent struct {
	id       string
	start    time.Time // µs, as the store keeps it
	marking  string    // joined conjunction
	location *pointJSON
	doc      []byte
}

func before(a, b shownEvent) bool {
	if c := a.start.Compare(b.start); c != 0 {
		return c < 0
	}
	return a.id < b.id
}

// eventPage reads one page of q: the store's final events merged with the
// running engine's, in (start, id) order; more says whether another page
// follows.
func (s *Server) eventPage(r *http.Request, q eventQuery) ([]shownEvent, bool, error) {
	reader := s.reader(r)
	limit := q.Limit
	sq := q.EventQuery
	sq.Tentative = q.tentatives.storeFilter()
	if limit > 0 {
		sq.Limit = limit + 1
	}
	if !reader.All {
		sq.Markings = reader.CanSee
	}
	recs, _, err := s.store.Events(r.Context(), sq)
	if err != nil {
		return nil, false, err
	}
	active := s.activeEvents(reader, q)
	inEngine := map[string]bool{}
	for _, e := range active {
		inEngine[e.id] = true
	}
	var stored []shownEvent
	for _, rec := range recs {
		if inEngine[rec.ID] {
			continue // re-fused since a restart: the engine's is current
		}
		e := shownEvent{id: rec.ID, start: rec.Start.UTC(), marking: rec.Marking, doc: rec.Document}
		if rec.Lat != nil && rec.Lon != nil {
			e.location = &pointJSON{*rec.Lat, *rec.Lon}
		}
		stored = append(stored, e)
	}
	var page []shownEvent
	for len(stored)+len(active) > 0 && (limit <= 0 || len(page) <= limit) {
		if len(active) == 0 || len(stored) > 0 && before(stored[0], active[0]) {
			page, stored = append(page, stored[0]), stored[1:]
		} else {
			page, active = append(page, active[0]), active[1:]
		}
	}
	if limit > 0 && len(page) > limit {
		return page[:limit], true, nil
	}
	return page, false, nil
}

// activeEvents renders the running engine's events that q selects and the
// reader may see, in (start, id) order.
func (s *Server) activeEvents(reader access.Reader, q eventQuery) []shownEvent {
	kinds := map[string]bool{}
	for _, k := range q.Kinds {
		kinds[k] = true
	}
	tentative := q.tentatives.storeFilter()
	var out []shownEvent
	for _, e := range s.fusion.Events() {
		start := e.Start.Truncate(time.Microsecond).UTC()
		switch {
		case q.After != nil && (start.Before(q.After.ObservedAt) || start.Equal(q.After.ObservedAt) && e.ID <= q.After.ID):
			continue
		case !q.Since.IsZero() && start.Before(q.Since), !q.Until.IsZero() && !start.Before(q.Until):
			continue
		case len(kinds) > 0 && !kinds[string(e.Kind)], tentative != nil && *tentative != e.Tentative:
			continue
		case q.BBox != nil && !placedInBox(q.BBox, &e):
			continue
		case !reader.CanSeeAll(e.Marking):
			continue
		}
		ej := s.renderEvent(e)
		doc, _ := json.Marshal(ej)
		out = append(out, shownEvent{id: e.ID, start: start, marking: store.JoinMarkings(e.Marking), location: ej.Location, doc: doc})
		if q.Limit > 0 && len(out) > q.Limit {
			break // enough to fill a page whatever the store holds
		}
	}
	return out
}

// renderEvent is an event as the API shows it, assessed.
func (s *Server) renderEvent(e fusion.Event) eventJSON {
	var a assess.Assessment
	if s.assess != nil {
		a = s.assess(e)
	}
	return toEventJSON(e, a)
}

func inBox(west, south, east, north, lat, lon float64) bool {
	if lat < south || lat > north {
		return false
	}
	if west <= east {
		return lon >= west && lon <= east
	}
	return lon >= west || lon <= east // across the antimeridian
}

// fusionStatus answers GET /api/v1/fusion/status: how far fusion has got.
func (s *Server) fusionStatus(w http.ResponseWriter, r *http.Request) {
	if s.fusion == nil {
		s.writeProblem(w, r, newProblem(codeUnavailable, "this server does not run fusion"))
		return
	}
	stored, fused, err := s.fusion.Status(r.Context())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"observations": stored, "fused": fused})
}

// EventDocument is the JSON document of an assessed event as the API
// serves it and the store keeps it.
func EventDocument(e fusion.Event, a assess.Assessment) []byte {
	b, err := json.Marshal(toEventJSON(e, a))
	if err != nil {
		panic(err) // plain data always marshals
	}
	return b
}
