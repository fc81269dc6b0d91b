package coverage_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang/geo/s2"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/coverage"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
)

var (
	day0 = time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC)
	// here is somewhere behind the demo line of contact.
	here = geo.Point{Lat: 48.10, Lon: 37.80}
)

func at(h, m int) time.Time {
	return day0.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

func point(p geo.Point) *observation.Point {
	return &observation.Point{Lat: p.Lat, Lon: p.Lon, Resolved: true}
}

// heard is a report of an explosion heard by src standing at from.
func heard(src, id string, when time.Time, from geo.Point, marking string) *observation.Observation {
	return &observation.Observation{ID: id, Source: src, ObservedAt: when, Kind: observation.Explosion, Count: 1,
		Observer: point(from), Marking: marking}
}

// stopped is src's report of being stopped at a checkpoint at cp.
func stopped(src, id string, when time.Time, cp geo.Point, marking string) *observation.Observation {
	return &observation.Observation{ID: id, Source: src, ObservedAt: when, Kind: observation.Restriction, Count: 1,
		Location: point(cp), ReportedParty: "RUS", Marking: marking}
}

type added struct {
	o    *observation.Observation
	kind string
}

func track(cfg coverage.Config, in ...added) *coverage.Tracker {
	t := coverage.New(cfg)
	for _, a := range in {
		t.Add(a.o, coverage.SourceInfo{Kind: a.kind, Org: "MVM"})
	}
	return t
}

// within40km is the area of the cells within 40 km of here.
func within40km() coverage.Area {
	box := geo.Rect{Min: geo.Point{Lat: here.Lat - 0.5, Lon: here.Lon - 0.7}, Max: geo.Point{Lat: here.Lat + 0.5, Lon: here.Lon + 0.7}}
	return coverage.AreaWhere(box, func(p geo.Point) bool { return geo.DistanceM(p, here) < 40000 })
}

// TestFootprintEdge: a point just inside a kind's detection radius is
// covered, one just outside is not. The margin, 2 %, is what the disc's
// spherical maths (≤ 0.3 % off WGS 84) and the quantised observer
// position (≤ 25 m) may take.
func TestFootprintEdge(t *testing.T) {
	custom := coverage.Config{Footprints: map[string]coverage.Footprint{"satellite": {RadiusM: 30000}}}
	tests := []struct {
		kind   string
		cfg    coverage.Config
		factor float64 // distance from the observer, × the kind's radius
		want   coverage.Level
	}{
		{"monitor", coverage.Config{}, 0.98, coverage.Full},
		{"monitor", coverage.Config{}, 1.02, coverage.None},
		{"sensor", coverage.Config{}, 0.98, coverage.Full},
		{"sensor", coverage.Config{}, 1.02, coverage.None},
		{"radar", coverage.Config{}, 0.98, coverage.Full},
		{"radar", coverage.Config{}, 1.02, coverage.None},
		{"uav", coverage.Config{}, 0.98, coverage.Full},
		{"uav", coverage.Config{}, 1.02, coverage.None},
		{"osint", coverage.Config{}, 0, coverage.None},     // no footprint at all
		{"satellite", coverage.Config{}, 0, coverage.None}, // an unknown kind claims nothing
		{"satellite", custom, 0.98, coverage.Full},
		{"satellite", custom, 1.02, coverage.None},
		{"monitor", custom, 0, coverage.None}, // a table given replaces the defaults
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%g", tc.kind, tc.factor), func(t *testing.T) {
			radius := 1000.0
			if fp, ok := coverage.New(tc.cfg).Config().Footprints[tc.kind]; ok && fp.RadiusM > 0 {
				radius = fp.RadiusM
			}
			from := geo.Direct(here, 60, tc.factor*radius)
			tr := track(tc.cfg, added{heard("s-1", "1", at(10, 15), from, "MISSION"), tc.kind})
			got := tr.At(here, at(10, 59), coverage.All)
			if got.Level != tc.want {
				t.Fatalf("at %.0f m from a %s: %s, want %s", tc.factor*radius, tc.kind, got.Level, tc.want)
			}
			if tc.want == coverage.Full && !slices.Equal(got.Sources, []string{"s-1"}) {
				t.Fatalf("sources %v, want [s-1]", got.Sources)
			}
			// The next hour has no report: nothing is presumed.
			if next := tr.At(here, at(11, 0), coverage.All); next.Level != coverage.None {
				t.Fatalf("the hour after: %s, want none", next.Level)
			}
		})
	}
}

// TestCellFraction: the fraction of a cell is the share of its sample
// points inside a footprint; a disc wider than the cell fills it.
func TestCellFraction(t *testing.T) {
	cell := coverage.CellOf(here)
	centre := coverage.CellCentre(cell)
	tests := []struct {
		name string
		kind string
		from geo.Point
		want coverage.Level
	}{
		{"sensor at the centre fills the cell", "sensor", centre, coverage.Full},
		{"UAV at the centre covers part", "uav", centre, coverage.Partial},
		{"patrol 6 km off reaches part", "monitor", geo.Direct(centre, 90, 6000), coverage.Partial},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := track(coverage.Config{}, added{heard("s", "1", at(3, 0), tc.from, "MISSION"), tc.kind})
			var got *coverage.CellHour
			for _, c := range tr.Query(at(3, 0), at(4, 0), coverage.World, coverage.All) {
				if c.Cell == cell {
					got = &c
				}
			}
			if got == nil {
				t.Fatal("cell not listed")
			}
			if got.Level != tc.want {
				t.Fatalf("level %s (fraction %.3f), want %s", got.Level, got.Fraction, tc.want)
			}
			if tc.want == coverage.Partial && (got.Fraction <= 0 || got.Fraction >= 1) {
				t.Fatalf("fraction %v", got.Fraction)
			}
		})
	}
}

// TestRestrictionRemovesCoverage: a patrol stopped at a checkpoint loses
// its coverage around it for the hold, unless it reports from there again;
// other sources' coverage stands, and the cell shows the restriction.
func TestRestrictionRemovesCoverage(t *testing.T) {
	cp := geo.Direct(here, 0, 1000) // the checkpoint, 1 km from where the patrol stood
	far := geo.Direct(here, 0, 40000)
	patrol := func(h, m int, id string) added {
		return added{heard("mvm-team-01", id, at(h, m), here, "MISSION"), "monitor"}
	}
	stop := func(p geo.Point) added {
		return added{stopped("mvm-team-01", "r1", at(10, 20), p, "MISSION"), "monitor"}
	}
	camera := added{heard("mvm-cam-01", "c1", at(10, 40), geo.Direct(here, 200, 3000), "MISSION"), "sensor"}
	tests := []struct {
		name        string
		in          []added
		when        time.Time
		want        coverage.Level
		sources     []string
		restriction bool
	}{
		{"patrol alone covers", []added{patrol(10, 5, "1")}, at(10, 30), coverage.Full, []string{"mvm-team-01"}, false},
		{"stopped in the same hour", []added{patrol(10, 5, "1"), stop(cp)}, at(10, 30), coverage.None, nil, true},
		{"order does not matter", []added{stop(cp), patrol(10, 5, "1")}, at(10, 30), coverage.None, nil, true},
		{"a camera still sees", []added{patrol(10, 5, "1"), stop(cp), camera}, at(10, 30), coverage.Full, []string{"mvm-cam-01"}, true},
		{"a checkpoint far away", []added{patrol(10, 5, "1"), stop(far)}, at(10, 30), coverage.Full, []string{"mvm-team-01"}, false},
		{"held into the next hour", []added{patrol(10, 5, "1"), stop(cp), patrol(11, 5, "2")}, at(11, 30), coverage.Full, []string{"mvm-team-01"}, false},
		{"still held two hours on", []added{patrol(10, 5, "1"), stop(cp), added{heard("mvm-team-01", "3", at(12, 5), far, "MISSION"), "monitor"}}, at(12, 10), coverage.None, nil, true},
		{"hold over", []added{stop(cp), patrol(13, 5, "4")}, at(13, 10), coverage.Full, []string{"mvm-team-01"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := track(coverage.Config{}, tc.in...).At(here, tc.when, coverage.All)
			if got.Level != tc.want || !slices.Equal(got.Sources, tc.sources) {
				t.Fatalf("%s by %v, want %s by %v", got.Level, got.Sources, tc.want, tc.sources)
			}
			if (len(got.Restrictions) > 0) != tc.restriction {
				t.Fatalf("restrictions %v, want any: %v", got.Restrictions, tc.restriction)
			}
		})
	}
}

// TestRestrictionHoldIsConfigurable: with a hold of 30 minutes the
// restriction ends in its own hour.
func TestRestrictionHoldIsConfigurable(t *testing.T) {
	cp := geo.Direct(here, 0, 1000)
	in := []added{
		{stopped("mvm-team-01", "r1", at(10, 20), cp, "MISSION"), "monitor"},
		{heard("mvm-team-01", "2", at(11, 40), here, "MISSION"), "monitor"},
	}
	for _, tc := range []struct {
		hold time.Duration
		want int // restrictions in force at 11:00
	}{{30 * time.Minute, 0}, {2 * time.Hour, 0 /* lifted: it reported from there at 11:40 */}, {3 * time.Hour, 0}} {
		got := track(coverage.Config{RestrictionHold: tc.hold}, in...).At(here, at(11, 0), coverage.All)
		if len(got.Restrictions) != tc.want {
			t.Errorf("hold %v: %d restrictions at 11:00, want %d", tc.hold, len(got.Restrictions), tc.want)
		}
	}
	in = in[:1]
	for _, tc := range []struct {
		hold time.Duration
		want int
	}{{30 * time.Minute, 0}, {2 * time.Hour, 1}} {
		got := track(coverage.Config{RestrictionHold: tc.hold}, in...).At(here, at(11, 0), coverage.All)
		if len(got.Restrictions) != tc.want {
			t.Errorf("hold %v, no return: %d restrictions at 11:00, want %d", tc.hold, len(got.Restrictions), tc.want)
		}
	}
}

// TestSilentFixedSensor: a fixed sensor covers an hour only if it
// reported in it. Silent, it covers nothing and is listed as silent, with
// the chance that a working sensor at its usual rate would say nothing.
func TestSilentFixedSensor(t *testing.T) {
	var in []added
	n := 0
	add := func(src, kind string, h int, p geo.Point) {
		n++
		in = append(in, added{heard(src, fmt.Sprint(n), at(h, 7*(n%8)), p, "MISSION"), kind})
	}
	for h := range 24 {
		if h >= 10 && h <= 12 {
			continue // the busy array's outage
		}
		for range 5 {
			add("mvm-acu-01", "sensor", h, here)
		}
	}
	add("mvm-acu-02", "sensor", 5, geo.Direct(here, 90, 4000)) // reports twice a day
	add("mvm-acu-02", "sensor", 17, geo.Direct(here, 90, 4000))
	add("mvm-team-01", "monitor", 9, here) // a patrol passing by: never silent
	add("mvm-team-01", "monitor", 13, here)
	tr := track(coverage.Config{}, in...)

	tests := []struct {
		hour    int
		level   coverage.Level
		sources []string
		silent  map[string]float64 // source → PQuiet
	}{
		{9, coverage.Full, []string{"mvm-acu-01", "mvm-team-01"}, map[string]float64{"mvm-acu-02": math.Exp(-1.0 / 12)}},
		// 10 reporting hours of 5 reports in the 12 before hour 11, 11 after
		{11, coverage.None, nil, map[string]float64{"mvm-acu-01": math.Exp(-10 * 5.0 / 12), "mvm-acu-02": math.Exp(-1.0 / 12)}},
		{17, coverage.Full, []string{"mvm-acu-01", "mvm-acu-02"}, map[string]float64{}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.hour), func(t *testing.T) {
			got := tr.At(here, at(tc.hour, 30), coverage.All)
			if got.Level != tc.level || !slices.Equal(got.Sources, tc.sources) {
				t.Fatalf("%s by %v, want %s by %v", got.Level, got.Sources, tc.level, tc.sources)
			}
			silent := map[string]float64{}
			for _, s := range got.Silent {
				silent[s.Source] = s.PQuiet
			}
			if len(silent) != len(tc.silent) {
				t.Fatalf("silent %v, want %v", got.Silent, tc.silent)
			}
			for src, p := range tc.silent {
				if q, ok := silent[src]; !ok || math.Abs(q-p) > 1e-12 {
					t.Fatalf("silent %v, want %v", got.Silent, tc.silent)
				}
			}
		})
	}
}

// randomDay is a day of reports from a few sources of every kind, with
// every marking and some restrictions, drawn from seed.
func randomDay(seed uint64) []added {
	r := rand.New(rand.NewPCG(seed, 1))
	markings := []string{"MISSION", "PUBLIC", "REL TO GBR", "REL TO FRA, GBR", "COMMISSION"}
	type src struct {
		id, kind string
		fixed    bool
		at       geo.Point
	}
	srcs := []src{
		{"mvm-acu-01", "sensor", true, here},
		{"mvm-acu-02", "sensor", true, geo.Direct(here, 100, 15000)},
		{"mvm-cam-01", "sensor", true, geo.Direct(here, 200, 8000)},
		{"cbr-01", "radar", true, geo.Direct(here, 300, 12000)},
		{"mvm-team-01", "monitor", false, here},
		{"mvm-team-02", "monitor", false, geo.Direct(here, 45, 20000)},
		{"uav-01", "uav", false, here},
		{"osint-01", "osint", false, here},
	}
	var out []added
	for i := range 600 {
		s := srcs[r.IntN(len(srcs))]
		p := s.at
		if !s.fixed {
			p = geo.Direct(s.at, r.Float64()*360, r.Float64()*15000)
		}
		when := day0.Add(time.Duration(r.Int64N(int64(24 * time.Hour))))
		m := markings[r.IntN(len(markings))]
		o := heard(s.id, fmt.Sprintf("%04d", i), when, p, m)
		if s.kind == "monitor" && r.IntN(40) == 0 {
			o = stopped(s.id, o.ID, when, p, m)
		}
		out = append(out, added{o, s.kind})
	}
	return out
}

// render is a Query's answer as text, every field in order.
func render(cs []coverage.CellHour) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s %s %.4f %s %v %v %v %v\n", c.Hour.Format(time.RFC3339), c.Cell.ToToken(), c.Fraction, c.Level, c.Sources, c.Kinds, c.Restrictions, c.Markings)
		for _, s := range c.Silent {
			fmt.Fprintf(&b, "  silent %s %s %d|%d/%d %.6f\n", s.Source, s.Kind, s.Before, s.After, s.WindowHours, s.PQuiet)
		}
	}
	return b.String()
}

func renderSummaries(ss []coverage.Summary) string {
	var b strings.Builder
	for _, s := range ss {
		fmt.Fprintf(&b, "%v %v %+v\n", s.From, s.To, s)
	}
	return b.String()
}

// TestOrderDoesNotMatter pins invariant 3: the same reports in different
// orders give the same coverage, byte for byte.
func TestOrderDoesNotMatter(t *testing.T) {
	in := randomDay(7)
	area := within40km()
	answer := func(in []added) string {
		tr := track(coverage.Config{}, in...)
		return render(tr.Query(day0, day0.Add(24*time.Hour), coverage.World, coverage.All)) +
			renderSummaries(tr.Summarize(day0, day0.Add(24*time.Hour), 6*time.Hour, area, coverage.All))
	}
	want := answer(in)
	if strings.Count(want, "\n") < 100 {
		t.Fatalf("too little to compare:\n%s", want)
	}
	for seed := range uint64(5) {
		shuffled := slices.Clone(in)
		rand.New(rand.NewPCG(seed, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := answer(shuffled); got != want {
			t.Fatalf("order %d gives a different answer", seed)
		}
	}
}

// TestMarkingsAreApplied pins invariant 4: what a reader learns from
// coverage is exactly what the reports it may see would give — the same
// answer as a tracker fed only those reports — and a REL TO report is
// invisible to everyone it is not released to.
func TestMarkingsAreApplied(t *testing.T) {
	readers := []access.Reader{
		access.Anonymous,
		{Name: "fra", Org: "FRA", OrgKind: access.KindParticipant},
		{Name: "gbr", Org: "GBR", OrgKind: access.KindParticipant},
		{Name: "deu-observer", Org: "DEU", OrgKind: access.KindObserver},
		{Name: "commissioner", Org: "USA", OrgKind: access.KindParticipant, Commission: true, Roles: []string{access.RoleCommissioner}},
		access.DemoUser,
	}
	in := randomDay(11)
	full := track(coverage.Config{}, in...)
	area := within40km()
	for _, r := range readers {
		t.Run(r.Name, func(t *testing.T) {
			var mine []added
			for _, a := range in {
				if r.CanSee(a.o.Marking) {
					mine = append(mine, a)
				}
			}
			own := track(coverage.Config{}, mine...)
			since, until := day0, day0.Add(24*time.Hour)
			got, want := render(full.Query(since, until, coverage.World, r.CanSee)), render(own.Query(since, until, coverage.World, coverage.All))
			if got != want {
				t.Fatalf("reader %s learns more (or less) than its reports give", r.Name)
			}
			gs, ws := renderSummaries(full.Summarize(since, until, 24*time.Hour, area, r.CanSee)), renderSummaries(own.Summarize(since, until, 24*time.Hour, area, coverage.All))
			if gs != ws {
				t.Fatalf("reader %s: summary differs:\n%s\nwant\n%s", r.Name, gs, ws)
			}
			t.Logf("%s: %d of %d reports, %d cell-hours", r.Name, len(mine), len(in), strings.Count(got, "\n"))
		})
	}

	// One report released to GBR only, and a restriction likewise.
	gbr := access.Reader{Name: "gbr", Org: "GBR", OrgKind: access.KindParticipant}
	fra := access.Reader{Name: "fra", Org: "FRA", OrgKind: access.KindParticipant}
	tr := track(coverage.Config{},
		added{heard("cbr-01", "1", at(4, 10), here, "REL TO GBR"), "radar"},
		added{heard("mvm-team-01", "2", at(5, 10), here, "MISSION"), "monitor"},
		added{stopped("mvm-team-01", "3", at(5, 30), here, "REL TO GBR"), "monitor"},
	)
	tests := []struct {
		reader   access.Reader
		hour     int
		level    coverage.Level
		markings []string
	}{
		{gbr, 4, coverage.Full, []string{"REL TO GBR"}},
		{fra, 4, coverage.None, []string{"PUBLIC"}},
		{access.Anonymous, 4, coverage.None, []string{"PUBLIC"}},
		{gbr, 5, coverage.None, []string{"REL TO GBR"}}, // restricted, and the radar is silent
		{fra, 5, coverage.Full, []string{"MISSION"}},    // the restriction is not FRA's to know
		{access.Anonymous, 5, coverage.None, []string{"PUBLIC"}},
	}
	for _, tc := range tests {
		got := tr.At(here, at(tc.hour, 40), tc.reader.CanSee)
		if got.Level != tc.level || !slices.Equal(got.Markings, tc.markings) {
			t.Errorf("%s at %d h: %s marked %v, want %s marked %v", tc.reader.Name, tc.hour, got.Level, got.Markings, tc.level, tc.markings)
		}
		for _, s := range got.Silent {
			if s.Source == "cbr-01" && !tc.reader.CanSee("REL TO GBR") {
				t.Errorf("%s learns of cbr-01 through its silence", tc.reader.Name)
			}
		}
	}
	// A nil filter fails closed: PUBLIC only.
	if got := tr.At(here, at(4, 40), nil); got.Level != coverage.None {
		t.Errorf("nil filter sees %s", got.Level)
	}
}

// TestIgnored: reports that place no working sensor add nothing.
func TestIgnored(t *testing.T) {
	crater := &observation.Observation{ID: "1", Source: "mvm-team-01", ObservedAt: at(3, 0), Kind: observation.Explosion,
		Location: point(here), Marking: "MISSION"} // crater analysis: where it fell, not where anyone stood
	unresolved := heard("mvm-team-01", "2", at(3, 0), here, "MISSION")
	unresolved.Observer.Resolved = false
	untimed := heard("mvm-team-01", "3", time.Time{}, here, "MISSION")
	osint := heard("osint-01", "4", at(3, 0), here, "PUBLIC")
	nowhere := &observation.Observation{ID: "5", Source: "mvm-team-01", ObservedAt: at(3, 0), Kind: observation.Restriction, Marking: "MISSION"}
	tr := track(coverage.Config{},
		added{crater, "monitor"}, added{unresolved, "monitor"}, added{untimed, "monitor"}, added{osint, "osint"}, added{nowhere, "monitor"})
	if st := tr.Stats(); st.Added != 0 || st.Ignored != 5 || st.Hours != 0 {
		t.Fatalf("stats %+v", st)
	}
	if got := tr.Query(day0, day0.Add(24*time.Hour), coverage.World, coverage.All); len(got) != 0 {
		t.Fatalf("coverage from nothing: %s", render(got))
	}
}

// TestForget: hours that ended by the cutoff go, the rest stay.
func TestForget(t *testing.T) {
	var in []added
	for h := range 6 {
		in = append(in, added{heard("mvm-acu-01", fmt.Sprint(h), at(h, 30), here, "MISSION"), "sensor"})
	}
	in = append(in, added{stopped("mvm-team-01", "r", at(1, 0), here, "MISSION"), "monitor"})
	tr := track(coverage.Config{}, in...)
	for _, tc := range []struct {
		cutoff  time.Time
		dropped int
		hours   int
	}{
		{at(0, 30), 0, 6}, // hour 0 has not ended
		{at(3, 0), 3, 3},  // hours 0, 1, 2
		{at(3, 59), 0, 3},
		{at(9, 0), 3, 0},
	} {
		if n := tr.Forget(tc.cutoff); n != tc.dropped {
			t.Fatalf("Forget(%v) dropped %d, want %d", tc.cutoff, n, tc.dropped)
		}
		if st := tr.Stats(); st.Hours != tc.hours {
			t.Fatalf("after Forget(%v): %+v", tc.cutoff, st)
		}
		if tc.cutoff == at(3, 0) {
			if got := tr.At(here, at(2, 30), coverage.All); got.Level != coverage.None {
				t.Fatalf("a forgotten hour still covered")
			}
			if got := tr.At(here, at(3, 30), coverage.All); got.Level != coverage.Full {
				t.Fatalf("a kept hour lost")
			}
			if st := tr.Stats(); st.Restrictions != 0 || st.Presences != 3 {
				t.Fatalf("stats %+v", st)
			}
		}
	}
}

// TestSummarize: a summary counts every cell of its area, reported from
// or not, and adds up to the cell-hours Query gives.
func TestSummarize(t *testing.T) {
	area := coverage.AreaWhere(geo.Rect{Min: geo.Point{Lat: 47.9, Lon: 37.5}, Max: geo.Point{Lat: 48.3, Lon: 38.1}}, nil)
	tr := track(coverage.Config{},
		added{heard("mvm-acu-01", "1", at(1, 10), here, "MISSION"), "sensor"},
		added{heard("mvm-team-01", "2", at(1, 20), geo.Direct(here, 0, 3000), "MISSION"), "monitor"},
		added{heard("mvm-acu-01", "3", at(7, 10), here, "MISSION"), "sensor"},
		added{stopped("mvm-team-01", "4", at(9, 0), here, "MISSION"), "monitor"},
	)
	hourly := tr.Summarize(day0, day0.Add(24*time.Hour), time.Hour, area, coverage.All)
	daily := tr.Summarize(day0, day0.Add(24*time.Hour), 24*time.Hour, area, coverage.All)
	if len(hourly) != 24 || len(daily) != 1 {
		t.Fatalf("%d hourly, %d daily summaries", len(hourly), len(daily))
	}
	var covered, restricted, cellHours int
	var sum float64
	for _, c := range tr.Query(day0, day0.Add(24*time.Hour), area.Bound(), coverage.All) {
		if !area.Contains(c.Cell) {
			continue
		}
		sum += c.Fraction
		if c.Fraction > 0 {
			covered++
		}
		if len(c.Restrictions) > 0 {
			restricted++
		}
	}
	for _, h := range hourly {
		cellHours += h.CellHours
	}
	d := daily[0]
	if d.Cells != area.Len() || d.CellHours != 24*area.Len() || cellHours != d.CellHours {
		t.Fatalf("cells %d, cell-hours %d (hourly %d), area %d", d.Cells, d.CellHours, cellHours, area.Len())
	}
	if d.Covered != covered || d.Restricted != restricted || math.Abs(d.Fraction-sum/float64(d.CellHours)) > 1e-12 {
		t.Fatalf("daily %+v, from Query: covered %d restricted %d mean %v", d, covered, restricted, sum/float64(d.CellHours))
	}
	if hourly[1].Covered == 0 || hourly[7].Covered == 0 || hourly[9].Restricted == 0 || hourly[3].Covered != 0 {
		t.Fatalf("hourly: %s", renderSummaries(hourly))
	}
	if hourly[7].Silent != 0 || hourly[4].Silent == 0 {
		t.Fatalf("silence: hour 4 %d, hour 7 %d", hourly[4].Silent, hourly[7].Silent)
	}
	wantKinds := []coverage.KindCount{{Kind: "monitor", CellHours: hourly[1].ByKind[0].CellHours}, {Kind: "sensor", CellHours: hourly[1].ByKind[1].CellHours}}
	if !slices.Equal(hourly[1].ByKind, wantKinds) || !slices.Equal(d.Markings, []string{"MISSION"}) {
		t.Fatalf("hour 1 by kind %v, markings %v", hourly[1].ByKind, d.Markings)
	}
	t.Logf("area %d cells; day: %d of %d cell-hours covered, mean fraction %.4f", area.Len(), d.Covered, d.CellHours, d.Fraction)
}

// TestArea: areas are sets of grid cells, however given.
func TestArea(t *testing.T) {
	c := coverage.CellOf(here)
	if got := coverage.NewArea(c.Parent(coverage.GridLevel - 1)).Len(); got != 4 {
		t.Errorf("a parent cell gives %d grid cells, want 4", got)
	}
	if got := coverage.NewArea(c.ChildBegin(), c, c.ChildBeginAtLevel(20)).Cells(); !slices.Equal(got, []s2.CellID{c}) {
		t.Errorf("finer cells give %v, want [%v]", got, c)
	}
	line, err := geo.NewLine([][]geo.Point{{here, geo.Direct(here, 90, 100000)}})
	if err != nil {
		t.Fatal(err)
	}
	band := coverage.AreaNearLine(line, 10000)
	// A band 100 km long and 20 km wide, of cells of about 20.4 km²,
	// plus the round ends: about 113 cells.
	if n := band.Len(); n < 95 || n > 130 {
		t.Errorf("band of %d cells", n)
	}
	for _, id := range band.Cells() {
		if d := line.DistanceM(coverage.CellCentre(id)); d > 10000 {
			t.Fatalf("cell %v lies %.0f m from the line", id, d)
		}
	}
	if !band.Contains(c) || band.Contains(coverage.CellOf(geo.Direct(here, 0, 30000))) {
		t.Error("band membership")
	}
	if got := len(coverage.CellPolygon(c)); got != 4 {
		t.Errorf("polygon of %d corners", got)
	}
}

// TestConcurrentUse: one writer and readers at once (run with -race).
func TestConcurrentUse(t *testing.T) {
	in := randomDay(3)
	tr := coverage.New(coverage.Config{})
	area := within40km()
	done := make(chan bool)
	for range 2 {
		go func() {
			for range 20 {
				tr.Query(day0, day0.Add(24*time.Hour), coverage.World, coverage.All)
				tr.At(here, at(5, 0), coverage.All)
				tr.Summarize(day0, day0.Add(24*time.Hour), 6*time.Hour, area, coverage.All)
			}
			done <- true
		}()
	}
	for _, a := range in {
		tr.Add(a.o, coverage.SourceInfo{Kind: a.kind})
	}
	tr.Forget(at(2, 0))
	<-done
	<-done
	if st := tr.Stats(); st.Added == 0 {
		t.Fatal("nothing added")
	}
	// What the readers kept while reports came in is what the reports
	// give.
	fresh := track(coverage.Config{}, in...)
	fresh.Forget(at(2, 0))
	got := renderSummaries(tr.Summarize(day0, day0.Add(24*time.Hour), 6*time.Hour, area, coverage.All))
	if want := renderSummaries(fresh.Summarize(day0, day0.Add(24*time.Hour), 6*time.Hour, area, coverage.All)); got != want {
		t.Fatalf("after concurrent use:\n%s\nwant\n%s", got, want)
	}
}
