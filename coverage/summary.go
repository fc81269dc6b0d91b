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
func (t *Tracker) Summarize(since, until time.Time, step time.Duration, area Area, see func(marking string) bool) []Summary {
	if !until.After(since) {
		return nil
	}
	stepH := max(int64(step/time.Hour), 1)
	h0, h1 := hourOf(since), hourOf(until.Add(-time.Nanosecond))
	var out []Summary
	for s := h0; s <= h1; s += stepH {
		e := min(s+stepH, h1+1)
		out = append(out, Summary{From: hourStart(s), To: hourStart(e), Cells: area.Len(), CellHours: area.Len() * int(e-s)})
	}
	sums := make([]float64, len(out))
	kinds := make([]map[string]int, len(out))
	markings := make([][]string, len(out))
	t.query(hourStart(h0), hourStart(h1+1), area.Contains, see, func(c CellHour) {
		i := int((hourOf(c.Hour) - h0) / stepH)
		s := &out[i]
		sums[i] += c.Fraction
		if c.Fraction > 0 {
			s.Covered++
		}
		if c.Level == Full {
			s.Full++
		}
		if len(c.Restrictions) > 0 {
			s.Restricted++
		}
		if len(c.Silent) > 0 {
			s.Silent++
		}
		if kinds[i] == nil {
			kinds[i] = map[string]int{}
		}
		for _, k := range c.Kinds {
			kinds[i][k]++
		}
		markings[i] = append(markings[i], c.Markings...)
		if len(markings[i]) > 64 {
			markings[i] = access.Combine(markings[i]...)
		}
	})
	for i := range out {
		s := &out[i]
		if s.CellHours > 0 {
			s.Fraction = sums[i] / float64(s.CellHours)
		}
		for k, n := range kinds[i] {
			s.ByKind = append(s.ByKind, KindCount{Kind: k, CellHours: n})
		}
		slices.SortFunc(s.ByKind, func(a, b KindCount) int { return strings.Compare(a.Kind, b.Kind) })
		s.Markings = access.Combine(markings[i]...)
	}
	return out
}
