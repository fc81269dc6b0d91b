package coverage_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/golang/geo/s2"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/coverage"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/sim"
	"github.com/truce-mechanism/truce/sim/simtest"
)

// simulate runs a scenario and returns its reports in arrival order, the
// registry's view of each source, and the truth.
func simulate(t testing.TB, cfg sim.Config) ([]observation.Observation, map[string]coverage.SourceInfo, *sim.Truth) {
	t.Helper()
	obs, truth := simtest.Run(t, cfg)
	// What the registry knows: kind and organisation, nothing of the
	// simulator's positions, ranges or schedules.
	info := map[string]coverage.SourceInfo{}
	for _, s := range truth.Sensors {
		info[s.Source] = coverage.SourceInfo{Kind: s.Kind, Org: s.Org}
	}
	return obs, info, truth
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type cellHourKey struct {
	cell s2.CellID
	hour time.Time
}

// meanOver is the mean coverage fraction over the cells whose centre lies
// within radius of centre, in the given hours.
func meanOver(frac map[cellHourKey]float64, cells []s2.CellID, hours []time.Time) (float64, int) {
	sum, n := 0.0, 0
	for _, h := range hours {
		for _, c := range cells {
			sum += frac[cellHourKey{c, h}]
			n++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return sum / float64(n), n
}

// disc is the cells whose centre lies within radiusM of centre.
func discCells(centre geo.Point, radiusM float64) []s2.CellID {
	d := radiusM/111000 + 0.1
	box := geo.Rect{Min: geo.Point{Lat: centre.Lat - d, Lon: centre.Lon - 1.6*d}, Max: geo.Point{Lat: centre.Lat + d, Lon: centre.Lon + 1.6*d}}
	return coverage.AreaWhere(box, func(p geo.Point) bool { return geo.DistanceM(p, centre) <= radiusM }).Cells()
}

// hoursOf splits [from, to) into the hours wholly inside it and the hours
// wholly outside it within margin either side, all inside [start, end).
func hoursOf(from, to, start, end time.Time, margin int) (in, around []time.Time) {
	first := from.Truncate(time.Hour)
	if first.Before(from) {
		first = first.Add(time.Hour)
	}
	for h := first; !h.Add(time.Hour).After(to); h = h.Add(time.Hour) {
		if !h.Before(start) && !h.Add(time.Hour).After(end) {
			in = append(in, h)
		}
	}
	lo := from.Truncate(time.Hour).Add(-time.Duration(margin) * time.Hour)
	for h := lo; h.Before(to.Add(time.Duration(margin) * time.Hour)); h = h.Add(time.Hour) {
		outside := !h.Add(time.Hour).After(from) || !h.Before(to)
		if outside && !h.Before(start) && !h.Add(time.Hour).After(end) {
			around = append(around, h)
		}
	}
	return in, around
}

// TestAgainstSimulatedGaps runs two simulated days and compares the coverage
// inferred from its reports with what the truth says the sensors could
// not see (gaps with coverage_lost). The tracker never sees the truth:
// only the reports and each source's registered kind.
//
// What must hold: a fixed sensor is never counted as covering an hour it
// was wholly out; over all outages, the coverage of the sensors' areas is
// lower in their outage hours than in the hours around; every reported
// restriction shows over its checkpoint. The rest is logged.
func TestAgainstSimulatedGaps(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates two days")
	}
	for _, tc := range []struct {
		scenario string
		seed     uint64
		// heartbeats adds what the simulator's sensors do not send: a
		// report every ten minutes from each fixed sensor while it works.
		heartbeats bool
	}{{"violations", 3, false}, {"escalation", 5, false}, {"violations", 3, true}, {"escalation", 5, true}} {
		name := tc.scenario
		if tc.heartbeats {
			name += "+heartbeats"
		}
		t.Run(name, func(t *testing.T) {
			obs, info, truth := simulate(t, sim.Config{Scenario: tc.scenario, Seed: tc.seed, Duration: 48 * time.Hour})
			if tc.heartbeats {
				obs = append(obs, heartbeats(t, truth, 10*time.Minute)...)
			}
			tr := coverage.New(coverage.Config{})
			for i := range obs {
				tr.Add(&obs[i], info[obs[i].Source])
			}
			start, end := mustTime(t, truth.Window.Start), mustTime(t, truth.Window.End)
			cells := tr.Query(start, end, coverage.World, coverage.All)
			frac := map[cellHourKey]float64{}
			sources := map[cellHourKey][]string{}
			for _, c := range cells {
				k := cellHourKey{c.Cell, c.Hour}
				frac[k], sources[k] = c.Fraction, c.Sources
			}
			sensors := map[string]sim.Sensor{}
			for _, s := range truth.Sensors {
				sensors[s.Source] = s
			}
			st := tr.Stats()
			t.Logf("%s seed %d: %d reports (%d used, %d ignored), %d cell-hours listed over %s–%s",
				tc.scenario, tc.seed, len(obs), st.Added, st.Ignored, len(cells), truth.Window.Start, truth.Window.End)

			type tally struct {
				gaps, inN, aroundN int
				in, around         float64
				stillCounted       int // gap hours in which an outage's sensor was still counted at its own place
				gapHours           int
				ownAround          int // hours around in which it was
				aroundHours        int
				// cell-hours of the gap's area in its hours where the gapped
				// sensor was counted anyway
				ownInArea int
			}
			byKind := map[string]*tally{}
			kinds := []string{"outage", "restriction", "jamming", "suspended"}
			for _, k := range kinds {
				byKind[k] = &tally{}
			}
			for _, g := range truth.Gaps {
				if !g.CoverageLost {
					continue
				}
				tl := byKind[g.Kind]
				if tl == nil {
					continue
				}
				from, to := mustTime(t, g.From), mustTime(t, g.To)
				in, around := hoursOf(from, to, start, end, 3)
				if len(in) == 0 || len(around) == 0 {
					continue
				}
				var centre geo.Point
				var radius float64
				switch {
				case g.Area != nil:
					centre, radius = geo.Point{Lat: g.Area.Lat, Lon: g.Area.Lon}, g.Area.RadiusM
				case sensors[g.Sensor].Position != nil:
					p := sensors[g.Sensor].Position
					centre, radius = geo.Point{Lat: p.Lat, Lon: p.Lon}, tr.Config().Footprints[sensors[g.Sensor].Kind].RadiusM
				default:
					continue
				}
				area := discCells(centre, radius)
				mi, ni := meanOver(frac, area, in)
				ma, na := meanOver(frac, area, around)
				tl.gaps++
				tl.in += mi * float64(ni)
				tl.inN += ni
				tl.around += ma * float64(na)
				tl.aroundN += na
				for _, h := range in {
					for _, c := range area {
						if slices.Contains(sources[cellHourKey{c, h}], g.Sensor) {
							tl.ownInArea++
						}
					}
				}
				if g.Kind == "outage" {
					own := coverage.CellOf(centre)
					for _, h := range in {
						tl.gapHours++
						if slices.Contains(sources[cellHourKey{own, h}], g.Sensor) {
							tl.stillCounted++
						}
					}
					for _, h := range around {
						tl.aroundHours++
						if slices.Contains(sources[cellHourKey{own, h}], g.Sensor) {
							tl.ownAround++
						}
					}
				}
			}
			for _, k := range kinds {
				tl := byKind[k]
				if tl.gaps == 0 {
					t.Logf("  %-11s no gap with whole hours in the window", k)
					continue
				}
				t.Logf("  %-11s %3d gaps: mean coverage of their areas %.3f in the gap hours (%d cell-hours), %.3f in the 3 h around (%d); the gapped sensor counted in %d of the gap's cell-hours",
					k, tl.gaps, tl.in/float64(tl.inN), tl.inN, tl.around/float64(tl.aroundN), tl.aroundN, tl.ownInArea)
			}
			if out := byKind["outage"]; out.gaps > 0 {
				t.Logf("  outages: the sensor counted at its own cell in %d of %d whole gap hours, %d of %d hours around",
					out.stillCounted, out.gapHours, out.ownAround, out.aroundHours)
			}

			// Silence: does the chance of a quiet hour tell outages from
			// quiet hours? Every silent hour of a fixed sensor at its own
			// place, against the truth's outages.
			down := map[string][][2]time.Time{}
			for _, g := range truth.Gaps {
				if g.Kind == "outage" {
					down[g.Sensor] = append(down[g.Sensor], [2]time.Time{mustTime(t, g.From), mustTime(t, g.To)})
				}
			}
			// Only hours whose window lies inside the run: at its edges
			// one side of the window is empty and PQuiet says "quiet".
			w := tr.Config().SilenceWindow
			var outP, quietP []float64
			for _, c := range cells {
				if c.Hour.Before(start.Add(w)) || c.Hour.Add(time.Hour).After(end.Add(-w)) {
					continue
				}
				for _, s := range c.Silent {
					p := sensors[s.Source].Position
					if p == nil || coverage.CellOf(geo.Point{Lat: p.Lat, Lon: p.Lon}) != c.Cell {
						continue
					}
					// Out for most of the hour: a sensor reporting every ten
					// minutes can be silent for an hour only if it was.
					if outShare(down[s.Source], c.Hour, c.Hour.Add(time.Hour)) >= 0.5 {
						outP = append(outP, s.PQuiet)
					} else {
						quietP = append(quietP, s.PQuiet)
					}
				}
			}
			t.Logf("  silent fixed-sensor hours (window inside the run): %d mostly out, median PQuiet %.3f (%.0f %% below 0.1); %d not out, median PQuiet %.3f (%.0f %% below 0.1)",
				len(outP), median(outP), share(outP, 0.1), len(quietP), median(quietP), share(quietP, 0.1))
			if tc.heartbeats && (share(outP, 0.1) < 90 || len(quietP) > 0) {
				t.Errorf("with heartbeats, silence should mean an outage")
			}
			out := byKind["outage"]
			if out.gaps == 0 {
				t.Fatal("no outage to judge by")
			}
			if out.stillCounted > 0 {
				t.Errorf("a sensor wholly out was counted as covering its own cell in %d of %d hours", out.stillCounted, out.gapHours)
			}
			if out.in/float64(out.inN) >= out.around/float64(out.aroundN) {
				t.Errorf("outages: coverage no lower in the gap hours than around them")
			}

			// Restrictions: each reported one shows over its checkpoint in its hour.
			shown, reported := 0, 0
			for i := range obs {
				o := &obs[i]
				if o.Kind != observation.Restriction || o.Location == nil || o.ObservedAt.Before(start) || !o.ObservedAt.Before(end) {
					continue
				}
				reported++
				got := tr.At(geo.Point{Lat: o.Location.Lat, Lon: o.Location.Lon}, o.ObservedAt, coverage.All)
				for _, k := range got.Restrictions {
					if k == o.Key() {
						shown++
						break
					}
				}
			}
			t.Logf("  restrictions reported %d, shown over their checkpoint %d", reported, shown)
			if shown != reported {
				t.Errorf("%d of %d restrictions not shown over their checkpoint", reported-shown, reported)
			}

			// Coverage as a judge of detection: true firings that no report
			// describes should mostly lie where the mechanism could not see.
			// Small arms are heard to 2–3 km, less than any footprint:
			// judged apart.
			for _, small := range []bool{false, true} {
				judgeDetection(t, tr, truth, small)
			}

			days := tr.Summarize(start, end, 24*time.Hour, coverage.AreaNearLine(lineOf(t, truth), 20000), coverage.All)
			for _, d := range days {
				t.Logf("  band of 20 km either side of the line: %d cells; %s: %.1f %% of cell-hours covered, mean fraction %.3f, %d restricted, %d with a silent sensor, by kind %v",
					d.Cells, d.From.Format("2006-01-02"), pct(d.Covered, d.CellHours), d.Fraction, d.Restricted, d.Silent, d.ByKind)
			}
		})
	}
}

// heartbeats are the reports a fixed sensor would send every interval
// while it works, so that its silence means an outage: kind "other", its
// position, nothing seen. The simulator's sensors send none; these are
// made from its truth (positions, outages) to show what they would give.
func heartbeats(t testing.TB, truth *sim.Truth, every time.Duration) []observation.Observation {
	start, end := mustTime(t, truth.Window.Start), mustTime(t, truth.Window.End)
	var out []observation.Observation
	for _, s := range truth.Sensors {
		if s.Position == nil {
			continue
		}
		var down [][2]time.Time
		for _, g := range truth.Gaps {
			if g.Sensor == s.Source && g.Kind == "outage" {
				down = append(down, [2]time.Time{mustTime(t, g.From), mustTime(t, g.To)})
			}
		}
		for at := start; at.Before(end); at = at.Add(every) {
			if whollyIn(down, at, at.Add(time.Nanosecond)) {
				continue
			}
			out = append(out, observation.Observation{
				ID: "hb-" + at.Format("20060102T150405"), Source: s.Source, ObservedAt: at, Kind: observation.Other, Count: 1,
				Observer: &observation.Point{Lat: s.Position.Lat, Lon: s.Position.Lon, Resolved: true},
				Marking:  s.Marking, Notes: "heartbeat",
			})
		}
	}
	return out
}

// outShare is the share of [from, to) inside the union of spans.
func outShare(spans [][2]time.Time, from, to time.Time) float64 {
	n, in := 0, 0
	for at := from; at.Before(to); at = at.Add(time.Minute) {
		n++
		if whollyIn(spans, at, at.Add(time.Minute)) {
			in++
		}
	}
	return float64(in) / float64(n)
}

// whollyIn says whether [from, to) lies inside the union of spans.
func whollyIn(spans [][2]time.Time, from, to time.Time) bool {
	spans = slices.Clone(spans)
	slices.SortFunc(spans, func(a, b [2]time.Time) int { return a[0].Compare(b[0]) })
	at := from
	for _, sp := range spans {
		if sp[0].After(at) {
			break
		}
		if sp[1].After(at) {
			at = sp[1]
		}
		if !at.Before(to) {
			return true
		}
	}
	return false
}

// judgeDetection logs how many true firings, observed or not, lay at a
// place and hour the tracker calls covered.
func judgeDetection(t *testing.T, tr *coverage.Tracker, truth *sim.Truth, smallArms bool) {
	var obsCov, obsN, missCov, missN int
	for _, e := range truth.Events {
		if e.Kind != "explosion" && e.Kind != "burst" && e.Kind != "shot" || (e.Category == "small_arms") != smallArms {
			continue
		}
		when := mustTime(t, e.Time)
		got := tr.At(geo.Point{Lat: e.Location.Lat, Lon: e.Location.Lon}, when, coverage.All)
		covered := 0
		if got.Level == coverage.Full {
			covered = 1
		}
		if e.Observed {
			obsCov += covered
			obsN++
		} else {
			missCov += covered
			missN++
		}
	}
	what := "explosive fire"
	if smallArms {
		what = "small arms"
	}
	t.Logf("  firings (%s) observed: %d, %.1f %% at a covered place and hour; unobserved: %d, %.1f %% covered",
		what, obsN, pct(obsCov, obsN), missN, pct(missCov, missN))
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return xs[len(xs)/2]
}

func share(xs []float64, below float64) float64 {
	n := 0
	for _, x := range xs {
		if x < below {
			n++
		}
	}
	return pct(n, len(xs))
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// lineOf is the run's line of contact.
func lineOf(t testing.TB, truth *sim.Truth) *geo.Line {
	t.Helper()
	a, err := agreement.Demo()
	if err != nil {
		t.Fatal(err)
	}
	l := a.Line(truth.Config.Line)
	if l == nil {
		t.Fatalf("no line %q", truth.Config.Line)
	}
	return l.Geo
}

// BenchmarkAdd: observations taken in per second, over a simulated day
// (decoded beforehand; Add alone is timed).
//
//	go test -run '^$' -bench Add -benchtime 3x ./coverage
func BenchmarkAdd(b *testing.B) {
	obs, info, _ := simulate(b, sim.Config{Scenario: "escalation", Seed: 1, Duration: 24 * time.Hour, Scale: 10})
	infos := make([]coverage.SourceInfo, len(obs))
	for i := range obs {
		infos[i] = info[obs[i].Source]
	}
	b.ResetTimer()
	for range b.N {
		tr := coverage.New(coverage.Config{})
		for i := range obs {
			tr.Add(&obs[i], infos[i])
		}
	}
	b.ReportMetric(float64(b.N*len(obs))/b.Elapsed().Seconds(), "obs/s")
	b.ReportMetric(float64(len(obs)), "observations")
}

// BenchmarkQueryFrontDay: one reader's coverage of the whole front for a
// day — the cell-hours (Query) and the daily summary of the 20 km band
// along the line (Summarize), which is what GET /api/v1/coverage and
// GET /api/v1/stats/daily ask.
//
//	go test -run '^$' -bench QueryFrontDay -benchtime 10x ./coverage
func BenchmarkQueryFrontDay(b *testing.B) {
	obs, info, truth := simulate(b, sim.Config{Scenario: "escalation", Seed: 1, Duration: 24 * time.Hour, Scale: 10})
	tr := coverage.New(coverage.Config{})
	for i := range obs {
		tr.Add(&obs[i], info[obs[i].Source])
	}
	start, end := mustTime(b, truth.Window.Start), mustTime(b, truth.Window.End)
	band := coverage.AreaNearLine(lineOf(b, truth), 20000)
	mission := func(m string) bool { return m == "MISSION" || m == "PUBLIC" }
	b.Run("Query", func(b *testing.B) {
		n := 0
		for range b.N {
			n = len(tr.Query(start, end, coverage.World, mission))
		}
		b.ReportMetric(float64(n), "cell-hours")
		b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/query")
	})
	b.Run("Summarize", func(b *testing.B) {
		var s []coverage.Summary
		for range b.N {
			s = tr.Summarize(start, end, 24*time.Hour, band, mission)
		}
		b.ReportMetric(float64(band.Len()), "cells")
		b.ReportMetric(100*float64(s[0].Covered)/float64(s[0].CellHours), "%covered")
		b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/query")
	})
}
