package server

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/coverage"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/store"
)

// dailyCounts are the figures a monitoring mission's daily report gives
// for one party (or "undetermined") on one day, as the OSCE Special
// Monitoring Mission counted them: rounds heard or seen, not events.
type dailyCounts struct {
	Explosions      int `json:"explosions"`
	BurstsAndShots  int `json:"bursts_and_shots"`
	Flares          int `json:"flares"`
	WeaponsInBreach int `json:"weapons_in_violation"` // weapons seen inside their withdrawal zones
	Restrictions    int `json:"restrictions"`         // restrictions of the monitors' movement
	Events          int `json:"events"`
	ViolatingEvents int `json:"violating_events"` // events breaking at least one rule
	VerifiedEvents  int `json:"verified_events"`  // of those, verified or confirmed
	// TentativeEvents are the probable false alarms held back (fusion's
	// judgement, DECISIONS 45): counted in none of the figures above, so
	// that a reader sees how many detections were set aside.
	TentativeEvents int `json:"tentative_events"`
}

type coverageSummaryJSON struct {
	Fraction   float64 `json:"fraction"` // mean share of the area's ground within a working sensor's reach
	Covered    int     `json:"covered_cell_hours"`
	CellHours  int     `json:"cell_hours"`
	Restricted int     `json:"restricted_cell_hours"`
	Silent     int     `json:"silent_cell_hours"`
	Area       string  `json:"area"`
}

type dayJSON struct {
	Day      string                 `json:"day"`
	Parties  map[string]dailyCounts `json:"parties"`
	Total    dailyCounts            `json:"total"`
	Coverage *coverageSummaryJSON   `json:"coverage,omitempty"`
	Marking  []string               `json:"marking"`
}

const (
	statsDefaultSpan = 7 * 24 * time.Hour
	statsMaxSpan     = 14 * 24 * time.Hour
	// frontBandM is the band either side of the line of contact whose
	// coverage the daily figures are given beside, when no box is asked.
	frontBandM = 20000
)

// getDailyStats answers GET /api/v1/stats/daily: per UTC day, per party the
// event is attributed to (or "undetermined"), the counts of a daily
// report, with coverage beside them — of the box asked for, or of the band
// of 20 km either side of the line of contact — so that a quiet day in an
// unwatched sector is not read as a day without fire. Computed from the
// events and reports the reader may see.
func (s *Server) getDailyStats(w http.ResponseWriter, r *http.Request) {
	if s.fusion == nil {
		s.writeProblem(w, r, newProblem(codeUnavailable, "this server does not run fusion"))
		return
	}
	win, bad := s.parseWindow(r, statsDefaultSpan, statsMaxSpan)
	if len(bad) > 0 {
		p := newProblem(codeBadQuery, "the query parameters cannot be used as given")
		p.Errors = bad
		s.writeProblem(w, r, p)
		return
	}
	// Whole days: the day holding since up to the day holding until.
	since := win.Since.Truncate(24 * time.Hour)
	until := win.Until.Truncate(24 * time.Hour)
	if until.Before(win.Until) {
		until = until.Add(24 * time.Hour)
	}
	page, _, err := s.eventPage(r, eventQuery{EventQuery: store.EventQuery{Since: since, Until: until, BBox: win.BBox}, tentatives: withTentative})
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	days := map[string]*dayJSON{}
	var order []string
	for d := since; d.Before(until); d = d.Add(24 * time.Hour) {
		k := d.Format(time.DateOnly)
		days[k] = &dayJSON{Day: k, Parties: map[string]dailyCounts{}, Marking: []string{"PUBLIC"}}
		order = append(order, k)
	}
	markings := map[string][]string{}
	for _, se := range page {
		var e struct {
			event
			Corroboration string `json:"corroboration"`
			Tentative     bool   `json:"tentative"`
		}
		if err := json.Unmarshal(se.doc, &e); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		k := e.Start.UTC().Format(time.DateOnly)
		d := days[k]
		if d == nil {
			continue
		}
		party := e.Attribution.Party
		if party == "" {
			party = "undetermined"
		}
		c := d.Parties[party]
		if e.Tentative {
			c.TentativeEvents++
			d.Total.TentativeEvents++
		} else {
			tally(&c, &e.event, e.Corroboration)
			tally(&d.Total, &e.event, e.Corroboration)
		}
		d.Parties[party] = c
		markings[k] = append(markings[k], e.Marking...)
	}
	reader := s.reader(r)
	var area coverage.Area
	areaName := ""
	if s.coverage != nil {
		area, areaName = s.statsArea(win)
	}
	var sums []coverage.Summary
	if s.coverage != nil && area.Len() > 0 {
		sums = s.coverage.Summarize(since, until, 24*time.Hour, area, reader.CanSee)
	}
	for _, sum := range sums {
		d := days[sum.From.UTC().Format(time.DateOnly)]
		if d == nil {
			continue
		}
		d.Coverage = &coverageSummaryJSON{Fraction: round(sum.Fraction, 4), Covered: sum.Covered, CellHours: sum.CellHours,
			Restricted: sum.Restricted, Silent: sum.Silent, Area: areaName}
		markings[d.Day] = append(markings[d.Day], sum.Markings...)
	}
	out := make([]dayJSON, 0, len(order))
	for _, k := range order {
		d := days[k]
		d.Marking = combine(markings[k])
		out = append(out, *d)
	}
	writeJSON(w, http.StatusOK, struct {
		Since time.Time `json:"since"`
		Until time.Time `json:"until"`
		Days  []dayJSON `json:"days"`
	}{since, until, out})
}

func tally(c *dailyCounts, e *event, corroboration string) {
	n := max(e.Count, 1)
	switch e.Kind {
	case "explosion":
		c.Explosions += n
	case "burst", "shot":
		c.BurstsAndShots += n
	case "flare":
		c.Flares += n
	case "restriction":
		c.Restrictions++
	}
	c.Events++
	if len(e.Violations) > 0 {
		c.ViolatingEvents++
		if e.Kind == "weapon_sighting" {
			c.WeaponsInBreach += n
		}
		if corroboration == "verified" || corroboration == "confirmed" {
			c.VerifiedEvents++
		}
	}
}

// statsArea is the area whose coverage stands beside the counts: the box,
// or the band along the line of contact of the agreement in force at the
// window's end.
func (s *Server) statsArea(win window) (coverage.Area, string) {
	if win.BBox != nil {
		b := win.BBox
		return coverage.AreaWhere(geo.Rect{Min: geo.Point{Lat: b.South, Lon: b.West}, Max: geo.Point{Lat: b.North, Lon: b.East}}, nil), "bbox"
	}
	a := s.agreements.InForce(win.Until)
	if a == nil {
		return coverage.Area{}, ""
	}
	return frontBand(a), "20 km either side of the line of contact of " + a.ID + " v" + strconv.Itoa(a.Version)
}

// frontBands caches the band along each agreement version's line of
// contact: an agreement version is immutable (invariant 5).
var frontBands sync.Map // *agreement.Agreement → coverage.Area

func frontBand(a *agreement.Agreement) coverage.Area {
	if v, ok := frontBands.Load(a); ok {
		return v.(coverage.Area)
	}
	l := a.Line("contact")
	if l == nil {
		if len(a.Lines) == 0 {
			return coverage.Area{}
		}
		l = &a.Lines[0]
	}
	band := coverage.AreaNearLine(l.Geo, frontBandM)
	frontBands.Store(a, band)
	return band
}

// combine is the conjunction of markings, PUBLIC when there are none.
func combine(ms []string) []string {
	slices.Sort(ms)
	return access.Combine(slices.Compact(ms)...)
}
