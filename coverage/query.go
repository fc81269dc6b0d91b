package coverage

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
)

// Level grades a cell-hour's coverage.
type Level string

// Levels of coverage.
const (
	None    Level = "none"    // no sample point of the cell within a working footprint
	Partial Level = "partial" // some
	Full    Level = "full"    // all
)

// CellHour is what the mechanism could observe of one grid cell in one
// hour, as one reader may know it.
type CellHour struct {
	Cell s2.CellID
	Hour time.Time // the hour's start, UTC
	// Fraction is the share of the cell's SamplesPerCell sample points
	// within the footprint of a source that reported from there in the
	// hour and was not restricted there.
	Fraction float64
	Level    Level
	// Sources and Kinds are those whose footprint reached a sample point,
	// sorted.
	Sources []string
	Kinds   []string
	// Restrictions are the restriction reports in force over the cell in
	// the hour, sorted: monitors were denied this ground.
	Restrictions []observation.Key
	// Silent are fixed sensors that reported from near here in the hours
	// around but not in this one: their footprint would reach the cell,
	// and they count for nothing in Fraction.
	Silent []Silence
	// Markings are the conjunction (access.Combine) of the markings of the
	// reports this answer was computed from: the marking of the answer.
	Markings []string
}

// Silence is a fixed sensor saying nothing for an hour. With no report the
// record cannot show that it was working, so it covers nothing; how
// likely the silence is for a working sensor tells an analyst whether it
// was probably out.
type Silence struct {
	Source string
	Kind   string
	// Before and After are how many reports it made in the WindowHours
	// before and after the hour: its usual rate on each side.
	Before, After int
	WindowHours   int
	// PQuiet = exp(−min(Before, After)/WindowHours) is the chance that a
	// working sensor reporting at that rate says nothing for an hour, its
	// reports taken as a Poisson stream: near 1 for a sensor that rarely
	// reports (silence says nothing), near 0 for a busy one (it was very
	// likely out). The lower side's rate is taken because fire comes and
	// goes: a sensor silent just before a surge of fire began was quiet,
	// not out, though the hours after are busy. That, and its own outage
	// hours in the window pulling the rate down, make PQuiet err towards
	// "quiet", never towards "out".
	PQuiet float64
}

// All is the marking filter of a reader who may see everything: the
// rebuild, tests. Readers pass access.Reader.CanSee.
func All(string) bool { return true }

// publicOnly stands in for a nil filter: failing closed.
func publicOnly(m string) bool { return m == access.Public }

// Query is the coverage of every grid cell whose centre lies in bbox, for
// every hour that overlaps [since, until), as the reader whose marking
// filter is see may know it: only reports whose marking see accepts count
// (nil accepts PUBLIC only). Sorted by hour, then cell.
//
// A cell-hour is listed when some footprint reaches it, a restriction
// covers it, or a fixed sensor is silent over it; every other cell-hour
// has coverage None and nothing to say, and is left out. Summarize
// counts those too.
func (t *Tracker) Query(since, until time.Time, bbox geo.Rect, see func(marking string) bool) []CellHour {
	var out []CellHour
	t.query(since, until, func(id s2.CellID) bool { return cellInRect(bbox, id) }, see, func(c CellHour) { out = append(out, c) })
	return out
}

// visible is one hour's evidence a reader may see.
type visible struct {
	pres []presenceOf // sorted by source, kind, site, marking
	// sites of each source in the hour, for restrictions lifted by the
	// source's return
	sites map[string][]s2.CellID
}

type presenceOf struct {
	presenceKey
	n       int
	centre  s2.Point
	radiusM float64
	radius  s1.ChordAngle
}

type querier struct {
	t      *Tracker
	see    func(string) bool
	chords chords
	seen   map[int64]*visible
	// restrR is the restriction radius as a chord angle.
	restrR s1.ChordAngle
	// combined memoises access.Combine of the sorted, distinct markings
	// of a cell-hour: a query meets the same few sets again and again.
	combined map[string][]string
	// pts caches each cell's sample points over the hours of a query.
	pts map[s2.CellID]*[SamplesPerCell]s2.Point
}

func (q *querier) samples(id s2.CellID) []s2.Point {
	p, ok := q.pts[id]
	if !ok {
		x := samples(id)
		p = &x
		q.pts[id] = p
	}
	return p[:]
}

func (q *querier) hour(h int64) *visible {
	if v, ok := q.seen[h]; ok {
		return v
	}
	v := &visible{sites: map[string][]s2.CellID{}}
	if hs := q.t.hours[h]; hs != nil {
		for k, n := range hs.presence {
			if !q.see(k.marking) {
				continue
			}
			fp := q.t.cfg.Footprints[k.kind]
			if fp.RadiusM <= 0 {
				continue
			}
			v.pres = append(v.pres, presenceOf{presenceKey: k, n: n, centre: k.site.Point(), radiusM: fp.RadiusM, radius: q.chords.of(fp.RadiusM)})
			v.sites[k.source] = append(v.sites[k.source], k.site)
		}
	}
	slices.SortFunc(v.pres, func(a, b presenceOf) int {
		return cmp.Or(cmp.Compare(a.source, b.source), cmp.Compare(a.kind, b.kind), cmp.Compare(a.site, b.site), cmp.Compare(a.marking, b.marking))
	})
	q.seen[h] = v
	return v
}

// activeRestriction is a restriction in force in the hour being answered.
type activeRestriction struct {
	restriction
	centre s2.Point
}

// silentSensor is a fixed sensor silent in the hour being answered.
type silentSensor struct {
	Silence
	sites    []s2.CellID
	centres  []s2.Point
	radiusM  float64
	radius   s1.ChordAngle
	markings []string
}

// candidate gathers, for one cell, what may reach it.
type candidate struct {
	fps, restr, silent []int32
}

// hourView is what one hour's answers are worked out from.
type hourView struct {
	h      int64
	v      *visible
	active []activeRestriction
	silent []silentSensor
}

func (t *Tracker) newQuerier(see func(string) bool) *querier {
	if see == nil {
		see = publicOnly
	}
	// A reader's filter may parse the marking each time; a query asks
	// about the same few markings thousands of times.
	memo := map[string]bool{}
	seeOnce := func(m string) bool {
		v, ok := memo[m]
		if !ok {
			v = see(m)
			memo[m] = v
		}
		return v
	}
	return &querier{t: t, see: seeOnce, chords: chords{}, seen: map[int64]*visible{},
		restrR: chordM(t.cfg.RestrictionRadiusM), combined: map[string][]string{}, pts: map[s2.CellID]*[SamplesPerCell]s2.Point{}}
}

func (q *querier) view(h int64) hourView {
	t := q.t
	// Forget what lies behind every window still needed, so that a long
	// query holds only a window's worth of evidence.
	delete(q.seen, h-q.window()-q.holdBack()-1)
	return hourView{
		h:      h,
		v:      q.hour(h),
		active: t.restrictionsIn(q, h, q.holdBack(), q.restrR),
		silent: t.silentIn(q, h, q.window()),
	}
}

func (q *querier) window() int64   { return int64(math.Ceil(q.t.cfg.SilenceWindow.Hours())) }
func (q *querier) holdBack() int64 { return int64(math.Ceil(q.t.cfg.RestrictionHold.Hours())) }

// candidates gathers, per cell that keep accepts, the footprints,
// restrictions and silent sensors that may reach it.
func (q *querier) candidates(hv hourView, keep func(s2.CellID) bool) map[s2.CellID]*candidate {
	t := q.t
	cands := map[s2.CellID]*candidate{}
	get := func(id s2.CellID) *candidate {
		c := cands[id]
		if c == nil {
			if !keep(id) {
				return nil
			}
			c = &candidate{}
			cands[id] = c
		}
		return c
	}
	for i, p := range hv.v.pres {
		for _, id := range t.footprint(p.site, p.radiusM) {
			if c := get(id); c != nil {
				c.fps = append(c.fps, int32(i))
			}
		}
	}
	for i, r := range hv.active {
		for _, id := range t.footprint(r.site, t.cfg.RestrictionRadiusM) {
			if c := get(id); c != nil {
				c.restr = append(c.restr, int32(i))
			}
		}
	}
	for i, s := range hv.silent {
		for _, site := range s.sites {
			for _, id := range t.footprint(site, s.radiusM) {
				if c := get(id); c != nil && (len(c.silent) == 0 || c.silent[len(c.silent)-1] != int32(i)) {
					c.silent = append(c.silent, int32(i))
				}
			}
		}
	}
	return cands
}

func (t *Tracker) query(since, until time.Time, keep func(s2.CellID) bool, see func(string) bool, emit func(CellHour)) {
	if !until.After(since) {
		return
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	q := t.newQuerier(see)
	for h := hourOf(since); h <= hourOf(until.Add(-time.Nanosecond)); h++ {
		q.cellHours(h, keep, emit)
	}
}

// cellHours emits the cell-hours of hour h worth listing, of the cells
// keep accepts, sorted by cell. The caller holds the read lock.
func (q *querier) cellHours(h int64, keep func(s2.CellID) bool, emit func(CellHour)) {
	hv := q.view(h)
	cands := q.candidates(hv, keep)
	ids := make([]s2.CellID, 0, len(cands))
	for id := range cands {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if ch, ok := q.judge(hv, id, q.samples(id), false, cands[id]); ok {
			emit(ch)
		}
	}
}

// At is the coverage of the point p in the hour holding at, for the
// reader whose filter is see: whether a working footprint reached p
// (Fraction 1, Level Full) or not (0, None), by which sources, and the
// restrictions and silent sensors over it. Cell is the grid cell holding
// p. This is what an assessment asks of an incident's place.
func (t *Tracker) At(p geo.Point, at time.Time, see func(marking string) bool) CellHour {
	t.mu.RLock()
	defer t.mu.RUnlock()
	q := t.newQuerier(see)
	h := hourOf(at)
	id := CellOf(p)
	hv := q.view(h)
	empty := CellHour{Cell: id, Hour: hourStart(h), Level: None, Markings: access.Combine()}
	c := q.candidates(hv, func(c s2.CellID) bool { return c == id })[id]
	if c == nil {
		return empty
	}
	pt := s2.PointFromLatLng(s2.LatLngFromDegrees(p.Lat, p.Lon))
	ch, ok := q.judge(hv, id, []s2.Point{pt}, true, c)
	if !ok {
		return empty
	}
	return ch
}

// restrictionsIn are the restrictions the reader may see that are in
// force in hour h: made at most holdBack hours before, not yet expired,
// and not lifted by their source reporting again from inside their disc
// in a later hour (it got there after all). Hours, not minutes: a
// restriction in force at any time of an hour takes the whole hour, as
// a report anywhere in an hour gives the whole hour.
func (t *Tracker) restrictionsIn(q *querier, h, holdBack int64, r s1.ChordAngle) []activeRestriction {
	var out []activeRestriction
	for hr := h - holdBack; hr <= h; hr++ {
		hs := t.hours[hr]
		if hs == nil {
			continue
		}
		for _, x := range hs.restrictions {
			if !q.see(x.marking) {
				continue
			}
			end := hourOf(time.UnixMilli(x.at + t.cfg.RestrictionHold.Milliseconds() - 1))
			if end < h {
				continue
			}
			centre := x.site.Point()
			lifted := false
			for hh := hr + 1; hh <= h && !lifted; hh++ {
				for _, site := range q.hour(hh).sites[x.key.Source] {
					if s2.ChordAngleBetweenPoints(site.Point(), centre) <= r {
						lifted = true
						break
					}
				}
			}
			if !lifted {
				out = append(out, activeRestriction{restriction: x, centre: centre})
			}
		}
	}
	slices.SortFunc(out, func(a, b activeRestriction) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.key.Source, b.key.Source), cmp.Compare(a.key.ID, b.key.ID))
	})
	return out
}

// silentIn are the fixed sensors, of the reports the reader may see, that
// reported in the window around hour h but not in h.
func (t *Tracker) silentIn(q *querier, h, window int64) []silentSensor {
	type sk struct{ source, kind string }
	here := map[sk]bool{}
	for _, p := range q.hour(h).pres {
		here[sk{p.source, p.kind}] = true
	}
	acc := map[sk]*silentSensor{}
	for hh := h - window; hh <= h+window; hh++ {
		if hh == h {
			continue
		}
		for _, p := range q.hour(hh).pres {
			k := sk{p.source, p.kind}
			if here[k] || !t.cfg.Footprints[p.kind].Fixed {
				continue
			}
			s := acc[k]
			if s == nil {
				s = &silentSensor{Silence: Silence{Source: p.source, Kind: p.kind, WindowHours: int(window)}, radiusM: p.radiusM, radius: p.radius}
				acc[k] = s
			}
			if hh < h {
				s.Before += p.n
			} else {
				s.After += p.n
			}
			if !slices.Contains(s.sites, p.site) {
				s.sites = append(s.sites, p.site)
			}
			if !slices.Contains(s.markings, p.marking) {
				s.markings = append(s.markings, p.marking)
			}
		}
	}
	out := make([]silentSensor, 0, len(acc))
	for _, s := range acc {
		s.PQuiet = math.Exp(-float64(min(s.Before, s.After)) / float64(s.WindowHours))
		slices.Sort(s.sites)
		slices.Sort(s.markings)
		for _, site := range s.sites {
			s.centres = append(s.centres, site.Point())
		}
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b silentSensor) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Kind, b.Kind))
	})
	return out
}

// judge works out one cell-hour from what may reach the cell, at the
// sample points pts. point says they are one point asked about, not a
// cell's samples: a disc must then hold it, not merely touch the cell.
func (q *querier) judge(hv hourView, id s2.CellID, pts []s2.Point, point bool, c *candidate) (CellHour, bool) {
	v, active, silent := hv.v, hv.active, hv.silent
	restrR := q.restrR
	var cell *s2.Cell
	if !point {
		x := s2.CellFromCellID(id)
		cell = &x
	}
	within := func(p, centre s2.Point, r s1.ChordAngle) bool { return s2.ChordAngleBetweenPoints(p, centre) <= r }

	counted := make([]bool, len(c.fps))
	covered := 0
	for _, p := range pts {
		hit := false
		for j, i := range c.fps {
			f := &v.pres[i]
			if !within(p, f.centre, f.radius) || deniedAt(p, f.source, c.restr, active, restrR) {
				continue
			}
			hit, counted[j] = true, true
		}
		if hit {
			covered++
		}
	}

	var markings, sources, kinds []string
	for j, i := range c.fps {
		if counted[j] {
			f := &v.pres[i]
			sources = append(sources, f.source)
			kinds = append(kinds, f.kind)
			markings = append(markings, f.marking)
		}
	}
	var restrictions []observation.Key
	for _, i := range c.restr {
		r := &active[i]
		if !reaches(cell, pts, []s2.Point{r.centre}, restrR) {
			continue
		}
		restrictions = append(restrictions, r.key)
		markings = append(markings, r.marking)
	}
	var quiet []Silence
	for _, i := range c.silent {
		s := &silent[i]
		if !reaches(cell, pts, s.centres, s.radius) {
			continue
		}
		quiet = append(quiet, s.Silence)
		markings = append(markings, s.markings...)
	}
	if covered == 0 && len(restrictions) == 0 && len(quiet) == 0 {
		return CellHour{}, false
	}
	slices.Sort(sources)
	slices.Sort(kinds)
	slices.SortFunc(restrictions, func(a, b observation.Key) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID))
	})
	ch := CellHour{
		Cell:         id,
		Hour:         hourStart(hv.h),
		Fraction:     float64(covered) / float64(len(pts)),
		Level:        Partial,
		Sources:      slices.Compact(sources),
		Kinds:        slices.Compact(kinds),
		Restrictions: restrictions,
		Silent:       quiet,
		Markings:     q.combine(markings),
	}
	switch covered {
	case 0:
		ch.Level = None
	case len(pts):
		ch.Level = Full
	}
	return ch, true
}

// combine is access.Combine of markings, which it sorts, memoised.
func (q *querier) combine(markings []string) []string {
	slices.Sort(markings)
	markings = slices.Compact(markings)
	k := strings.Join(markings, "\x00")
	c, ok := q.combined[k]
	if !ok {
		c = access.Combine(markings...)
		q.combined[k] = c
	}
	return slices.Clone(c)
}

// deniedAt says whether a restriction in force denies source the ground
// at p.
func deniedAt(p s2.Point, source string, restr []int32, active []activeRestriction, r s1.ChordAngle) bool {
	for _, i := range restr {
		a := &active[i]
		if a.key.Source == source && s2.ChordAngleBetweenPoints(p, a.centre) <= r {
			return true
		}
	}
	return false
}

// reaches says whether a disc about any of centres touches the cell: holds
// one of its sample points, or has its centre inside it (cell nil: holds
// one of the points).
func reaches(cell *s2.Cell, pts []s2.Point, centres []s2.Point, r s1.ChordAngle) bool {
	for _, c := range centres {
		if cell != nil && cell.ContainsPoint(c) {
			return true
		}
		for _, p := range pts {
			if s2.ChordAngleBetweenPoints(p, c) <= r {
				return true
			}
		}
	}
	return false
}
