package server

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/fusion"
)

// eventJSON is an event as the API shows it. Assessment (violations,
// attribution, corroboration beyond counting sources) is not built yet:
// those fields say so rather than guess.
type eventJSON struct {
	ID            string         `json:"id"`
	Version       int            `json:"version"`
	Start         time.Time      `json:"start"`
	End           time.Time      `json:"end"`
	Kind          string         `json:"kind"`
	Location      *pointJSON     `json:"location,omitempty"`
	Error         *ellipseJSON   `json:"error,omitempty"`
	Origin        *originJSON    `json:"origin,omitempty"`
	Weapon        *weaponJSON    `json:"weapon,omitempty"`
	Count         int            `json:"count"`
	Observations  []keyJSON      `json:"observations"`
	Sources       int            `json:"sources"`
	Corroboration string         `json:"corroboration"`
	Violations    []any          `json:"violations"`
	Attribution   attributionOut `json:"attribution"`
	Marking       []string       `json:"marking"`
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

func toEventJSON(e fusion.Event) eventJSON {
	out := eventJSON{ID: e.ID, Version: e.Version, Start: e.Start.UTC(), End: e.End.UTC(), Kind: string(e.Kind), Count: e.Count,
		Sources: e.Sources, Corroboration: "reported", Violations: []any{}, Marking: e.Marking,
		Attribution: attributionOut{Party: "undetermined", Probabilities: map[string]float64{}}}
	if e.Sources > 1 {
		out.Corroboration = "corroborated"
	}
	if e.Location != nil {
		out.Location = &pointJSON{round(e.Location.Point.Lat, 6), round(e.Location.Point.Lon, 6)}
		el := ellipseOf(e.Location)
		out.Error = &el
	}
	if e.Origin != nil {
		out.Origin = &originJSON{pointJSON{round(e.Origin.Point.Lat, 6), round(e.Origin.Point.Lon, 6)}, ellipseOf(e.Origin)}
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
// order with a cursor. An event is shown only to a reader who may see
// every report in it.
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	if s.fusion == nil {
		s.writeProblem(w, r, newProblem(codeUnavailable, "this server does not run fusion"))
		return
	}
	// The filters are the observations'; the cursor is the events' own.
	values := r.URL.Query()
	cursor := values.Get("cursor")
	values.Del("cursor")
	rq := r.Clone(r.Context())
	rq.URL.RawQuery = values.Encode()
	q, err := parseObservationQuery(rq)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var after *struct {
		start time.Time
		id    string
	}
	if c := cursor; c != "" {
		us, id, ok := strings.Cut(c, ".")
		n, err := strconv.ParseInt(us, 36, 64)
		if !ok || err != nil {
			s.writeProblem(w, r, newProblem(codeBadQuery, "bad cursor"))
			return
		}
		after = &struct {
			start time.Time
			id    string
		}{time.UnixMicro(n).UTC(), id}
	}
	reader := s.reader(r)
	kinds := map[string]bool{}
	for _, k := range q.Kinds {
		kinds[string(k)] = true
	}
	var page []eventJSON
	next := ""
	for _, e := range s.fusion.Events() {
		start := e.Start.Truncate(time.Microsecond)
		switch {
		case after != nil && (start.Before(after.start) || start.Equal(after.start) && e.ID <= after.id):
			continue
		case !q.Since.IsZero() && e.Start.Before(q.Since), !q.Until.IsZero() && !e.Start.Before(q.Until):
			continue
		case len(kinds) > 0 && !kinds[string(e.Kind)]:
			continue
		case q.BBox != nil && (e.Location == nil || !inBox(q.BBox.West, q.BBox.South, q.BBox.East, q.BBox.North, e.Location.Point.Lat, e.Location.Point.Lon)):
			continue
		case !reader.CanSeeAll(e.Marking):
			continue
		}
		if q.Limit > 0 && len(page) == q.Limit {
			last := page[len(page)-1]
			next = strconv.FormatInt(last.Start.UnixMicro(), 36) + "." + last.ID
			break
		}
		page = append(page, toEventJSON(e))
	}
	out := struct {
		Records []eventJSON `json:"records"`
		Next    string      `json:"next_cursor,omitempty"`
	}{Records: page, Next: next}
	if out.Records == nil {
		out.Records = []eventJSON{}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
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
