package coverage_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/coverage"
	"github.com/truce-mechanism/truce/geo"
)

// bruteSummaries is Summarize as it was before hours' shares were kept:
// every cell-hour of the window worked out (here through Query, which
// keeps nothing) and folded in order. The kept shares must give exactly
// this.
func bruteSummaries(tr *coverage.Tracker, since, until time.Time, step time.Duration, area coverage.Area, see func(string) bool) []coverage.Summary {
	if !until.After(since) {
		return nil
	}
	stepH := max(step/time.Hour, 1) * time.Hour
	h0 := since.UTC().Truncate(time.Hour)
	h1 := until.Add(-time.Nanosecond).UTC().Truncate(time.Hour).Add(time.Hour)
	var out []coverage.Summary
	for s := h0; s.Before(h1); s = s.Add(stepH) {
		e := s.Add(stepH)
		if e.After(h1) {
			e = h1
		}
		out = append(out, coverage.Summary{From: s, To: e, Cells: area.Len(), CellHours: area.Len() * int(e.Sub(s)/time.Hour)})
	}
	sums := make([]float64, len(out))
	kinds := make([]map[string]int, len(out))
	markings := make([][]string, len(out))
	for _, c := range tr.Query(h0, h1, coverage.World, see) {
		if !area.Contains(c.Cell) {
			continue
		}
		i := int(c.Hour.Sub(h0) / stepH)
		s := &out[i]
		sums[i] += c.Fraction
		if c.Fraction > 0 {
			s.Covered++
		}
		if c.Level == coverage.Full {
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
	}
	for i := range out {
		s := &out[i]
		if s.CellHours > 0 {
			s.Fraction = sums[i] / float64(s.CellHours)
		}
		for _, k := range slices.Sorted(maps.Keys(kinds[i])) {
			s.ByKind = append(s.ByKind, coverage.KindCount{Kind: k, CellHours: kinds[i][k]})
		}
		s.Markings = access.Combine(markings[i]...)
	}
	return out
}

// twoDays is two random days of reports (randomDay), the second drawn
// from another seed, with some released to FRA alone: a summary over
// those and ones released to GBR is for nobody, the one case where how
// markings are grouped when combined shows.
func twoDays(seed uint64) []added {
	in := randomDay(seed)
	for _, a := range randomDay(seed + 100) {
		o := *a.o
		o.ID = "d2-" + o.ID
		o.ObservedAt = o.ObservedAt.Add(24 * time.Hour)
		in = append(in, added{&o, a.kind})
	}
	for i := range 40 {
		in = append(in, added{heard("mvm-acu-03", fmt.Sprintf("fra-%d", i), at(i, 15), geo.Direct(here, 170, 9000), "REL TO FRA"), "sensor"})
	}
	return in
}

// TestSummarizeKeepsNothingChanged: Summarize, whether it works hours out
// or takes them as kept, gives what working out every cell-hour gives, for
// every reader, area, step and window, before and after reports arrive
// late and hours are forgotten.
func TestSummarizeKeepsNothingChanged(t *testing.T) {
	in := twoDays(5)
	line, err := geo.NewLine([][]geo.Point{{geo.Direct(here, 270, 30000), geo.Direct(here, 90, 30000)}})
	if err != nil {
		t.Fatal(err)
	}
	areas := []struct {
		name string
		a    coverage.Area
	}{
		{"40 km", within40km()},
		{"band", coverage.AreaNearLine(line, 10000)},
		{"one cell", coverage.NewArea(coverage.CellOf(here))},
		{"empty", coverage.Area{}},
	}
	gbr := access.Reader{Name: "gbr", Org: "GBR", OrgKind: access.KindParticipant}
	fra := access.Reader{Name: "fra", Org: "FRA", OrgKind: access.KindParticipant}
	readers := []struct {
		name string
		see  func(string) bool
	}{
		{"all", coverage.All},
		{"nil", nil},
		{"gbr", gbr.CanSee},
		{"fra", fra.CanSee},
		{"mission", func(m string) bool { return m == "MISSION" || m == "PUBLIC" }},
	}
	windows := []struct {
		name         string
		since, until time.Time
		step         time.Duration
	}{
		{"days", day0, day0.Add(48 * time.Hour), 24 * time.Hour},
		{"hours", day0.Add(-3 * time.Hour), day0.Add(27 * time.Hour), time.Hour},
		{"partial hours", at(1, 30), at(30, 20), 5 * time.Hour},
		{"step under an hour", at(10, 0), at(14, 59), time.Minute},
		{"uneven steps", day0, day0.Add(48 * time.Hour), 7*time.Hour + 30*time.Minute},
	}
	unreadable := 0
	check := func(t *testing.T, tr *coverage.Tracker) {
		t.Helper()
		for _, a := range areas {
			for _, r := range readers {
				for _, w := range windows {
					want := bruteSummaries(tr, w.since, w.until, w.step, a.a, r.see)
					// Twice: worked out, then kept.
					for pass := range 2 {
						got := tr.Summarize(w.since, w.until, w.step, a.a, r.see)
						if g, w2 := renderSummaries(got), renderSummaries(want); g != w2 {
							t.Fatalf("%s, %s, %s, pass %d:\n%s\nwant\n%s", a.name, r.name, w.name, pass, g, w2)
						}
					}
					for _, s := range want {
						if slices.Contains(s.Markings, "REL TO ") {
							unreadable++
						}
					}
				}
			}
		}
	}

	tr := track(coverage.Config{}, in[:len(in)-200]...)
	t.Run("as recorded", func(t *testing.T) { check(t, tr) })
	t.Run("late reports", func(t *testing.T) {
		// The rest, most of them into hours already summarised: new
		// presences, repeated ones, restrictions, a new marking.
		for _, a := range in[len(in)-200:] {
			tr.Add(a.o, coverage.SourceInfo{Kind: a.kind})
		}
		tr.Add(heard("mvm-team-09", "late-1", at(6, 5), geo.Direct(here, 10, 4000), "REL TO DEU"), coverage.SourceInfo{Kind: "monitor"})
		tr.Add(stopped("mvm-team-01", "late-2", at(20, 5), here, "MISSION"), coverage.SourceInfo{Kind: "monitor"})
		tr.Add(heard("mvm-acu-01", "late-3", at(40, 5), here, "MISSION"), coverage.SourceInfo{Kind: "sensor"})
		check(t, tr)
	})
	t.Run("forgotten", func(t *testing.T) {
		tr.Forget(at(9, 0))
		check(t, tr)
	})
	t.Run("fresh tracker", func(t *testing.T) {
		// The same reports in one go: what was kept through the changes
		// above is what a tracker that never kept anything gives.
		fresh := track(coverage.Config{}, in...)
		fresh.Add(heard("mvm-team-09", "late-1", at(6, 5), geo.Direct(here, 10, 4000), "REL TO DEU"), coverage.SourceInfo{Kind: "monitor"})
		fresh.Add(stopped("mvm-team-01", "late-2", at(20, 5), here, "MISSION"), coverage.SourceInfo{Kind: "monitor"})
		fresh.Add(heard("mvm-acu-01", "late-3", at(40, 5), here, "MISSION"), coverage.SourceInfo{Kind: "sensor"})
		fresh.Forget(at(9, 0))
		for _, a := range areas {
			for _, r := range readers {
				for _, w := range windows {
					got, want := tr.Summarize(w.since, w.until, w.step, a.a, r.see), fresh.Summarize(w.since, w.until, w.step, a.a, r.see)
					if g, w2 := renderSummaries(got), renderSummaries(want); g != w2 {
						t.Fatalf("%s, %s, %s:\n%s\nwant\n%s", a.name, r.name, w.name, g, w2)
					}
				}
			}
		}
	})
	if unreadable == 0 {
		t.Error("no summary was for nobody: the grouping of markings went untested")
	}
}

// TestSummarizeManyAreas: more areas than are kept, asked in turn, each
// still gets its own answer.
func TestSummarizeManyAreas(t *testing.T) {
	tr := track(coverage.Config{}, randomDay(9)...)
	var areas []coverage.Area
	for i := range 12 {
		c := geo.Direct(here, float64(i*30), 10000)
		areas = append(areas, coverage.AreaWhere(geo.Rect{Min: geo.Point{Lat: c.Lat - 0.1, Lon: c.Lon - 0.15}, Max: geo.Point{Lat: c.Lat + 0.1, Lon: c.Lon + 0.15}}, nil))
	}
	for round := range 3 {
		for i, a := range areas {
			got := renderSummaries(tr.Summarize(day0, day0.Add(24*time.Hour), 6*time.Hour, a, coverage.All))
			if want := renderSummaries(bruteSummaries(tr, day0, day0.Add(24*time.Hour), 6*time.Hour, a, coverage.All)); got != want {
				t.Fatalf("round %d, area %d:\n%s\nwant\n%s", round, i, got, want)
			}
		}
	}
	if s := tr.Summarize(day0, day0.Add(24*time.Hour), 24*time.Hour, areas[0], coverage.All); !strings.Contains(renderSummaries(s), "Covered:") || s[0].Covered == 0 {
		t.Fatalf("nothing covered: %s", renderSummaries(s))
	}
}

// TestSummarizeLateAtReach: a report arriving late changes the summaries
// of the hours as far as their answers look — a fixed sensor's silence a
// silence window either side, a restriction its hold after — and a kept
// hour at the very edge is worked out again.
func TestSummarizeLateAtReach(t *testing.T) {
	long := coverage.Config{RestrictionHold: 20 * time.Hour, SilenceWindow: 3 * time.Hour}
	for _, c := range []struct {
		name string
		cfg  coverage.Config
		late added
	}{
		{"a sensor's first report", coverage.Config{}, added{heard("mvm-acu-09", "late", at(20, 10), geo.Direct(here, 0, 6000), "MISSION"), "sensor"}},
		{"a restriction", coverage.Config{}, added{stopped("mvm-team-01", "late", at(20, 10), here, "MISSION"), "monitor"}},
		{"a restriction held long", long, added{stopped("mvm-team-05", "late", at(20, 10), here, "MISSION"), "monitor"}},
		{"a sensor's first report, short window", long, added{heard("mvm-acu-09", "late", at(20, 10), geo.Direct(here, 0, 6000), "MISSION"), "sensor"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var in []added
			for h := range 48 {
				in = append(in, added{heard("mvm-acu-01", fmt.Sprintf("a-%d", h), at(h, 5), here, "MISSION"), "sensor"})
				if h%3 == 0 {
					in = append(in, added{heard("mvm-team-01", fmt.Sprintf("t-%d", h), at(h, 40), geo.Direct(here, float64(h*7), 5000), "MISSION"), "monitor"})
				}
			}
			tr := track(c.cfg, in...)
			area := within40km()
			since, until := day0, day0.Add(48*time.Hour)
			tr.Summarize(since, until, time.Hour, area, coverage.All)
			tr.Add(c.late.o, coverage.SourceInfo{Kind: c.late.kind})
			sameAsBrute(t, tr, since, until, area)
		})
	}
	t.Run("forgotten", func(t *testing.T) {
		// A sensor heard in hour 8 alone is silent until hour 20; once
		// hour 8 is forgotten, in none.
		tr := track(coverage.Config{},
			added{heard("mvm-acu-01", "1", at(8, 5), here, "MISSION"), "sensor"},
			added{heard("mvm-team-01", "2", at(21, 5), here, "MISSION"), "monitor"})
		since, until := day0, day0.Add(30*time.Hour)
		if s := tr.Summarize(since, until, time.Hour, within40km(), coverage.All); s[20].Silent == 0 || s[21].Silent != 0 {
			t.Fatalf("silent in hour 20: %d, 21: %d", s[20].Silent, s[21].Silent)
		}
		tr.Forget(at(9, 0))
		sameAsBrute(t, tr, since, until, within40km())
	})
}

// sameAsBrute checks hour by hour that Summarize gives what working out
// every cell-hour gives.
func sameAsBrute(t *testing.T, tr *coverage.Tracker, since, until time.Time, area coverage.Area) {
	t.Helper()
	got := tr.Summarize(since, until, time.Hour, area, coverage.All)
	want := bruteSummaries(tr, since, until, time.Hour, area, coverage.All)
	for i := range want {
		if g, w := renderSummaries(got[i:i+1]), renderSummaries(want[i:i+1]); g != w {
			t.Fatalf("hour %d:\n%s\nwant\n%s", i, g, w)
		}
	}
}
