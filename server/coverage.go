package server

import (
	"net/http"
	"time"

	"github.com/golang/geo/s2"
	"github.com/truce-mechanism/truce/coverage"
	"github.com/truce-mechanism/truce/geo"
)

// coverageJSON is one cell and hour of coverage as the API shows it.
type coverageJSON struct {
	Cell         string        `json:"cell"` // S2 cell token
	Hour         time.Time     `json:"hour"`
	Centre       pointJSON     `json:"centre"`
	Fraction     float64       `json:"fraction"`
	Level        string        `json:"level"`
	Kinds        []string      `json:"kinds"`
	Sources      []string      `json:"sources"`
	Restrictions []keyJSON     `json:"restrictions,omitempty"`
	Silent       []silenceJSON `json:"silent,omitempty"`
	Marking      []string      `json:"marking"`
}

type silenceJSON struct {
	Source string  `json:"source"`
	Kind   string  `json:"kind"`
	PQuiet float64 `json:"p_quiet"`
}

// Coverage reads are computed per request: a day of the whole front is
// some 20,000 cell-hours.
const (
	coverageDefaultSpan = 24 * time.Hour
	coverageMaxSpan     = 7 * 24 * time.Hour
)

func rectOf(w window) geo.Rect {
	if w.BBox == nil {
		return coverage.World
	}
	return geo.Rect{Min: geo.Point{Lat: w.BBox.South, Lon: w.BBox.West}, Max: geo.Point{Lat: w.BBox.North, Lon: w.BBox.East}}
}

// getCoverage answers GET /api/v1/coverage: per S2 cell and hour, how much
// of the ground was within reach of a working sensor, which kinds and
// sources reached it, the restrictions in force and the fixed sensors that
// fell silent — computed only from the reports the reader may see, so the
// answer never reveals a report it may not. Cells with no coverage and no
// restriction are left out: the absence of a cell means nothing could see
// it. Accept: application/geo+json gives the cells as polygons.
func (s *Server) getCoverage(w http.ResponseWriter, r *http.Request) {
	if s.coverage == nil {
		s.writeProblem(w, r, newProblem(codeUnavailable, "this server does not compute coverage"))
		return
	}
	win, bad := s.parseWindow(r, coverageDefaultSpan, coverageMaxSpan)
	if len(bad) > 0 {
		p := newProblem(codeBadQuery, "the query parameters cannot be used as given")
		p.Errors = bad
		s.writeProblem(w, r, p)
		return
	}
	reader := s.reader(r)
	cells := s.coverage.Query(win.Since, win.Until, rectOf(win), reader.CanSee)
	out := make([]coverageJSON, 0, len(cells))
	for _, c := range cells {
		if !reader.CanSeeAll(c.Markings) {
			continue // the filter already kept only visible reports; belt and braces
		}
		centre := coverage.CellCentre(c.Cell)
		cj := coverageJSON{Cell: c.Cell.ToToken(), Hour: c.Hour.UTC(), Centre: pointJSON{round(centre.Lat, 5), round(centre.Lon, 5)},
			Fraction: round(c.Fraction, 4), Level: string(c.Level), Kinds: nonNil(c.Kinds), Sources: nonNil(c.Sources), Marking: c.Markings}
		for _, k := range c.Restrictions {
			cj.Restrictions = append(cj.Restrictions, keyJSON{k.Source, k.ID})
		}
		for _, sl := range c.Silent {
			cj.Silent = append(cj.Silent, silenceJSON{sl.Source, sl.Kind, round(sl.PQuiet, 4)})
		}
		out = append(out, cj)
	}
	if wantsGeoJSON(r) {
		fc := newFeatureCollection()
		for _, c := range out {
			fc.add(c.Cell+"@"+c.Hour.Format(time.RFC3339), polygonGeometry(coverage.CellPolygon(s2.CellIDFromToken(c.Cell))), c)
		}
		fc.write(w)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Since time.Time      `json:"since"`
		Until time.Time      `json:"until"`
		Cells []coverageJSON `json:"cells"`
	}{win.Since, win.Until, out})
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
