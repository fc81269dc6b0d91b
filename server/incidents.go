package server

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
)

// incidentJSON is an incident as the API shows it.
type incidentJSON struct {
	ID      string         `json:"id"`
	Start   time.Time      `json:"start"`
	End     time.Time      `json:"end"`
	Bounds  *[4]float64    `json:"bbox,omitempty"` // west, south, east, north
	Centre  *pointJSON     `json:"centre,omitempty"`
	Events  []string       `json:"events"`
	Kinds   map[string]int `json:"kinds"`
	Rounds  int            `json:"rounds"`
	Parties map[string]int `json:"attributed"` // events attributed to each party, and "undetermined"
	Rules   map[string]int `json:"violations"` // events breaking each rule
	Marking []string       `json:"marking"`
}

// event is what incidents read of an event document.
type event struct {
	ID          string                  `json:"id"`
	Kind        string                  `json:"kind"`
	Start       time.Time               `json:"start"`
	End         time.Time               `json:"end"`
	Count       int                     `json:"count"`
	Location    *pointJSON              `json:"location"`
	Basis       string                  `json:"location_basis"`
	Origin      *originJSON             `json:"origin"`
	Marking     []string                `json:"marking"`
	Violations  []struct{ Rule string } `json:"violations"`
	Attribution struct{ Party string }  `json:"attribution"`
}

// Incidents are computed per request from the events of the window, and
// of incidentPad either side of it so that an episode crossing the
// window's edge is whole; an episode longer than the pad may still be cut
// there (incidents are single-linkage chains, and a chain can creep on).
const (
	incidentDefaultSpan = 24 * time.Hour
	incidentMaxSpan     = 3 * 24 * time.Hour
	incidentPad         = 6 * time.Hour
)

// listIncidents answers GET /api/v1/incidents: episodes of events close in
// space and time (fusion.Incidents) over since..until (default the last
// 24 hours, at most 3 days) and bbox, built only from the events the
// reader may see. An incident is listed when it overlaps the window and
// any of its events lies in the box. Accept: application/geo+json gives
// each as a point at its centre.
func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) {
	if s.fusion == nil {
		s.writeProblem(w, r, newProblem(codeUnavailable, "this server does not run fusion"))
		return
	}
	win, bad := s.parseWindow(r, incidentDefaultSpan, incidentMaxSpan)
	if len(bad) > 0 {
		p := newProblem(codeBadQuery, "the query parameters cannot be used as given")
		p.Errors = bad
		s.writeProblem(w, r, p)
		return
	}
	q := eventQuery{EventQuery: store.EventQuery{Since: win.Since.Add(-incidentPad), Until: win.Until.Add(incidentPad)}}
	page, _, err := s.eventPage(r, q)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	events := make([]fusion.Event, 0, len(page))
	byID := map[string]event{}
	for _, se := range page {
		var e event
		if err := json.Unmarshal(se.doc, &e); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		// Incidents group events by where they were measured: a
		// stand-in place (a source's usual distance along a sight line,
		// the surroundings of a launch) could chain unrelated firings
		// together.
		if !measured(e.Basis) {
			e.Location = nil
		}
		if e.Origin != nil && !measured(e.Origin.Basis) {
			e.Origin = nil
		}
		byID[e.ID] = e
		fe := fusion.Event{ID: e.ID, Kind: observation.Kind(e.Kind), Start: e.Start, End: e.End, Count: e.Count, Marking: e.Marking}
		if p := e.Location; p != nil {
			fe.Location = &fusion.Estimate{Point: geo.Point{Lat: p.Lat, Lon: p.Lon}}
		}
		if p := e.Origin; p != nil {
			fe.Origin = &fusion.Estimate{Point: geo.Point{Lat: p.Lat, Lon: p.Lon}}
		}
		events = append(events, fe)
	}
	var out []incidentJSON
	for _, in := range fusion.Incidents(events, fusion.IncidentConfig{}) {
		if in.End.Before(win.Since) || !in.Start.Before(win.Until) {
			continue
		}
		if win.BBox != nil && !anyInBox(win.BBox, in.Events, byID) {
			continue
		}
		out = append(out, toIncidentJSON(in, byID))
	}
	for _, in := range out {
		noteRead(r, "incident/"+in.ID, store.JoinMarkings(in.Marking))
	}
	if wantsGeoJSON(r) {
		fc := newFeatureCollection()
		for _, in := range out {
			fc.add(in.ID, pointGeometry(in.Centre), in)
		}
		fc.write(w)
		return
	}
	if out == nil {
		out = []incidentJSON{}
	}
	writeJSON(w, http.StatusOK, struct {
		Since   time.Time      `json:"since"`
		Until   time.Time      `json:"until"`
		Records []incidentJSON `json:"records"`
	}{win.Since, win.Until, out})
}

func anyInBox(bb *store.BBox, ids []string, byID map[string]event) bool {
	for _, id := range ids {
		e := byID[id]
		p := e.Location
		if p == nil && e.Origin != nil {
			p = &e.Origin.pointJSON
		}
		if p != nil && inBox(bb.West, bb.South, bb.East, bb.North, p.Lat, p.Lon) {
			return true
		}
	}
	return false
}

func toIncidentJSON(in fusion.Incident, byID map[string]event) incidentJSON {
	out := incidentJSON{ID: in.ID, Start: in.Start.UTC(), End: in.End.UTC(), Events: in.Events, Kinds: map[string]int{},
		Rounds: in.Rounds, Parties: map[string]int{}, Rules: map[string]int{}, Marking: in.Marking}
	if in.Located {
		out.Bounds = &[4]float64{round(in.West, 6), round(in.South, 6), round(in.East, 6), round(in.North, 6)}
		out.Centre = &pointJSON{round((in.South+in.North)/2, 6), round((in.West+in.East)/2, 6)}
	}
	for _, k := range in.Kinds {
		out.Kinds[k.Kind] = k.Count
	}
	for _, id := range in.Events {
		e := byID[id]
		if p := e.Attribution.Party; p != "" {
			out.Parties[p]++
		}
		seen := map[string]bool{}
		for _, v := range e.Violations {
			if !seen[v.Rule] {
				out.Rules[v.Rule]++
				seen[v.Rule] = true
			}
		}
	}
	return out
}
