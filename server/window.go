package server

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/store"
)

// window is the time span and place a derived read (coverage, statistics,
// incidents) covers: since and until as RFC 3339 times, bbox as for
// observations.
type window struct {
	Since, Until time.Time
	BBox         *store.BBox
}

// parseWindow reads since, until and bbox, allowing the parameters named
// in known besides them. Missing times take defaults: until now, since
// def before until. A window longer than maxSpan is refused: derived reads
// are computed per request, and an unbounded one would be a denial of
// service.
func (s *Server) parseWindow(r *http.Request, def, maxSpan time.Duration, known ...string) (window, []FieldProblem) {
	v := r.URL.Query()
	var bad []FieldProblem
	badParam := func(name, detail string) {
		bad = append(bad, FieldProblem{Pointer: "?" + name, Detail: detail, Index: -1})
	}
	known = append([]string{"since", "until", "bbox"}, known...)
	for name := range v {
		if !slices.Contains(known, name) {
			badParam(name, "unknown parameter; known: "+strings.Join(known, ", "))
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
		return t.UTC()
	}
	w := window{Since: parseTime("since"), Until: parseTime("until")}
	if w.Until.IsZero() {
		w.Until = s.now().UTC()
	}
	if w.Since.IsZero() {
		w.Since = w.Until.Add(-def)
	}
	switch {
	case !w.Until.After(w.Since):
		badParam("until", "must be after since")
	case w.Until.Sub(w.Since) > maxSpan:
		badParam("since", "the window from since to until may be at most "+maxSpan.String()+"; ask for several")
	}
	if b := v.Get("bbox"); b != "" {
		bb, err := parseBBox(b)
		if err != nil {
			badParam("bbox", err.Error())
		}
		w.BBox = bb
	}
	return w, bad
}
