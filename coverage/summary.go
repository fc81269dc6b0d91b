package coverage

import (
	"slices"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/access"
)

// Summary is the coverage of an area over a stretch of time: what the
// daily report prints beside the day's counts of fire, so that a quiet
// day over ground nobody watched is not taken for a quiet day.
type Summary struct {
	From, To time.Time
	// Cells in the area; CellHours = Cells × hours.
	Cells, CellHours int
	// Covered cell-hours had some coverage (Fraction > 0), Full all of it.
	Covered, Full int
	// Fraction is the mean coverage fraction over all CellHours: the
	// share of the area's ground and time within a working footprint.
	Fraction float64
	// Restricted cell-hours had a restriction in force; Silent ones a
	// silent fixed sensor nearby.
	Restricted, Silent int
	// ByKind is, per kind of source, how many cell-hours it reached.
	ByKind []KindCount
	// Markings is the conjunction of the markings of every report the
	// summary was computed from.
	Markings []string
}

// KindCount is the cell-hours one kind of source reached.
type KindCount struct {
	Kind      string
	CellHours int
}

// Summarize sums the coverage of area over [since, until) in steps of
// step (rounded down to whole hours, at least one), the first starting at
// the hour holding since: step = 24 h with since at midnight UTC gives
// days. The last step ends at until, rounded up to the hour. see is the
// reader's marking filter, as for Query.
//
// Each hour's share is kept for the area and what the reader may see
// (sums.go) until evidence within reach of the hour changes: asking again
// costs little, whatever the window.
func (t *Tracker) Summarize(since, until time.Time, step time.Duration, area Area, see func(marking string) bool) []Summary {
	if !until.After(since) {
		return nil
	}
	stepH := max(int64(step/time.Hour), 1)
	h0, h1 := hourOf(since), hourOf(until.Add(-time.Nanosecond))
	t.mu.RLock()
	defer t.mu.RUnlock()
	q := t.newQuerier(see)
	a, r := t.sums.area(area.cells), t.reach()
	var out []Summary
	for s := h0; s <= h1; s += stepH {
		e := min(s+stepH, h1+1)
		sum := Summary{From: hourStart(s), To: hourStart(e), Cells: area.Len(), CellHours: area.Len() * int(e-s)}
		samples := 0
		kinds := map[string]int{}
		var markings []string
		for h := s; h < e; h++ {
			hs := q.hourSum(h, area, a, r)
			samples += hs.samples
			sum.Covered += hs.covered
			sum.Full += hs.full
			sum.Restricted += hs.restricted
			sum.Silent += hs.silent
			for _, k := range hs.kinds {
				kinds[k.Kind] += k.CellHours
			}
			markings = append(markings, hs.markings...)
		}
		if sum.CellHours > 0 {
			// The mean of the cell-hours' fractions, each a whole number
			// of samples over SamplesPerCell, summed exactly.
			sum.Fraction = float64(samples) / SamplesPerCell / float64(sum.CellHours)
		}
		for k, n := range kinds {
			sum.ByKind = append(sum.ByKind, KindCount{Kind: k, CellHours: n})
		}
		slices.SortFunc(sum.ByKind, func(a, b KindCount) int { return strings.Compare(a.Kind, b.Kind) })
		sum.Markings = access.Combine(markings...)
		if !readable(sum.Markings) {
			sum.Markings = q.foldMarkings(s, e, area)
		}
		out = append(out, sum)
	}
	return out
}

// readable says whether every marking parses. Combine is then the same
// however its inputs are grouped. It is not when REL TO lists have no
// country in common: that gives a "REL TO " naming nobody, which does not
// parse, and later lists then stay beside it instead of intersecting.
func readable(markings []string) bool {
	for _, m := range markings {
		if _, err := access.ParseMarking(m); err != nil {
			return false
		}
	}
	return true
}

// foldMarkings combines the markings of the cell-hours of area in hours
// [h0, h1) in their order, 64 at a time, as summaries always have: hours'
// markings combined separately could then differ (see readable).
func (q *querier) foldMarkings(h0, h1 int64, area Area) []string {
	var markings []string
	for h := h0; h < h1; h++ {
		q.cellHours(h, area.Contains, func(c CellHour) {
			markings = append(markings, c.Markings...)
			if len(markings) > 64 {
				markings = access.Combine(markings...)
			}
		})
	}
	return access.Combine(markings...)
}
