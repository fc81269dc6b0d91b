package coverage

import (
	"maps"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/golang/geo/s2"

	"github.com/truce-mechanism/truce/access"
)

// Summaries are kept hour by hour. Working out an hour of a band along a
// 1,000 km line is judging some 2,000 cells against every footprint that
// reaches them, a few milliseconds; a month of them took seconds on
// every request that asked again. An hour's share of a summary (hourSum)
// depends only on the evidence within reach of the hour, the area, and
// which of that evidence's markings the reader may see, so it is kept
// under exactly those, and dropped when evidence within reach changes.

// hourSum is one hour's share of a Summary of one area, for one reader.
type hourSum struct {
	// samples are the sample points within a working footprint, over
	// the area's cells: Summary.Fraction's numerator, in whole samples.
	samples                           int
	covered, full, restricted, silent int
	kinds                             []KindCount // sorted by kind
	// markings are access.Combine of the markings of the hour's
	// cell-hours.
	markings []string
}

// reach is how far an hour's answers look for evidence: from back hours
// before it (restrictions in force, silent sensors' earlier reports) to
// fwd hours after (their later reports).
type reach struct{ back, fwd int64 }

func (t *Tracker) reach() reach {
	w := int64(math.Ceil(t.cfg.SilenceWindow.Hours()))
	hold := int64(math.Ceil(t.cfg.RestrictionHold.Hours()))
	return reach{back: max(w, hold), fwd: w}
}

// maxSumAreas bounds the areas summaries are kept for. The server asks
// for a few (the band along each agreement version's line, boxes for the
// daily statistics); the least recently asked is dropped first.
const maxSumAreas = 8

// sumCache holds hourSums. Readers fill it under the tracker's read lock,
// so what they store was worked out from the evidence as it still is; the
// writer drops entries under the write lock when it changes evidence. mu
// orders readers among themselves.
type sumCache struct {
	mu sync.Mutex
	// hours hold each a few sums, one per area and kind of reader: a
	// slice, searched, takes a fraction of a map's room.
	hours map[int64][]keptSum
	areas []*sumArea
	used  uint64 // a clock for areas' last use
}

type keptSum struct {
	sumKey
	hourSum
}

type sumKey struct {
	area *sumArea
	// visible are the markings, of the evidence within reach of the
	// hour, that the reader may see, each followed by "\x00": readers
	// who see the same of them get the same answer.
	visible string
}

type sumArea struct {
	cells []s2.CellID
	used  uint64
}

// area is the entry of the area with cells, made if needed.
func (c *sumCache) area(cells []s2.CellID) *sumArea {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.used++
	for _, a := range c.areas {
		if slices.Equal(a.cells, cells) {
			a.used = c.used
			return a
		}
	}
	if len(c.areas) == maxSumAreas {
		i := 0
		for j, a := range c.areas {
			if a.used < c.areas[i].used {
				i = j
			}
		}
		old := c.areas[i]
		c.areas = slices.Delete(c.areas, i, i+1)
		for h, kept := range c.hours {
			kept = slices.DeleteFunc(kept, func(k keptSum) bool { return k.area == old })
			if len(kept) == 0 {
				delete(c.hours, h)
			} else {
				c.hours[h] = kept
			}
		}
	}
	a := &sumArea{cells: cells, used: c.used}
	c.areas = append(c.areas, a)
	return a
}

func (c *sumCache) get(h int64, k sumKey) (hourSum, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.hours[h] {
		if s.sumKey == k {
			return s.hourSum, true
		}
	}
	return hourSum{}, false
}

func (c *sumCache) put(h int64, k sumKey, s hourSum) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !slices.Contains(c.areas, k.area) {
		return // dropped meanwhile by another reader
	}
	if c.hours == nil {
		c.hours = map[int64][]keptSum{}
	}
	kept := c.hours[h]
	for i := range kept {
		if kept[i].sumKey == k {
			kept[i].hourSum = s // another reader got there first
			return
		}
	}
	c.hours[h] = append(kept, keptSum{k, s})
}

// invalidate drops the sums of the hours within reach of hour g, whose
// evidence changed.
func (c *sumCache) invalidate(g int64, r reach) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.hours) == 0 {
		return
	}
	for h := g - r.fwd; h <= g+r.back; h++ {
		delete(c.hours, h)
	}
}

// forget drops the sums that the hours up to last, forgotten, were within
// reach of.
func (c *sumCache) forget(last int64, r reach) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h := range c.hours {
		if h <= last+r.back {
			delete(c.hours, h)
		}
	}
}

// visible is the key part naming what of the evidence within reach of
// hour h the reader may see; "" when nothing.
func (q *querier) visible(h int64, r reach) string {
	var b strings.Builder
	var ms []string
	for hh := h - r.back; hh <= h+r.fwd; hh++ {
		if hs := q.t.hours[hh]; hs != nil {
			for _, m := range hs.markings {
				if q.see(m) {
					ms = append(ms, m)
				}
			}
		}
	}
	slices.Sort(ms)
	for _, m := range slices.Compact(ms) {
		b.WriteString(m)
		b.WriteByte(0)
	}
	return b.String()
}

// hourSum is hour h's share of a summary of area, kept or worked out.
// The caller holds the tracker's read lock.
func (q *querier) hourSum(h int64, area Area, a *sumArea, r reach) hourSum {
	k := sumKey{area: a, visible: q.visible(h, r)}
	if k.visible == "" {
		return hourSum{} // nothing the reader may see: no cell-hour to count
	}
	if s, ok := q.t.sums.get(h, k); ok {
		return s
	}
	s := q.sumHour(h, area)
	q.t.sums.put(h, k, s)
	return s
}

// sumHour works out hour h's share of a summary of area.
func (q *querier) sumHour(h int64, area Area) hourSum {
	var s hourSum
	kinds := map[string]int{}
	markings := map[string]bool{}
	q.cellHours(h, area.Contains, func(c CellHour) {
		// Fraction is a count of SamplesPerCell samples over
		// SamplesPerCell: the product is that count, exactly.
		s.samples += int(c.Fraction * SamplesPerCell)
		if c.Fraction > 0 {
			s.covered++
		}
		if c.Level == Full {
			s.full++
		}
		if len(c.Restrictions) > 0 {
			s.restricted++
		}
		if len(c.Silent) > 0 {
			s.silent++
		}
		for _, k := range c.Kinds {
			kinds[k]++
		}
		for _, m := range c.Markings {
			markings[m] = true
		}
	})
	for k, n := range kinds {
		s.kinds = append(s.kinds, KindCount{Kind: k, CellHours: n})
	}
	slices.SortFunc(s.kinds, func(a, b KindCount) int { return strings.Compare(a.Kind, b.Kind) })
	if len(markings) > 0 {
		s.markings = access.Combine(slices.Sorted(maps.Keys(markings))...)
	}
	return s
}
