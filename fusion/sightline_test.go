package fusion_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
)

var sightBase = time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC)

// sighting is a report of kind from an observer at from, on a sight line
// of the given azimuth and σ (no distance unless rangeM > 0), at t.
func sighting(source, id string, from geo.Point, azimuth, sigma float64, kind observation.Kind, fire observation.Fire, t time.Time, rangeM float64) observation.Observation {
	o := observation.Observation{Source: source, ID: id, ObservedAt: t, TimeSigmaS: 1, Kind: kind, Fire: fire, Count: 1,
		Observer: &observation.Point{Lat: from.Lat, Lon: from.Lon, Resolved: true}, BearingDeg: &azimuth, BearingSigmaDeg: sigma}
	if rangeM > 0 {
		o.Range = &observation.Range{MinM: rangeM * 0.9, MaxM: rangeM * 1.1}
	}
	return o
}

// TestLoneSightLine: an event that one sight line alone reports has no
// Location (nothing measures how far along the line it was) but an
// ApproximateLocation on that line, at the assumed reach before anything
// is learned, its 95 % ellipse long along the line and narrow across; an
// explosion heard only at its launch is shown about the launch.
func TestLoneSightLine(t *testing.T) {
	obs := geo.Point{Lat: 48.2, Lon: 37.6}
	const sigma = 2.0
	k := math.Sqrt(fusion.Chi2_95)
	for _, c := range []struct {
		name   string
		kind   observation.Kind
		fire   observation.Fire
		rangeM float64
		basis  fusion.Basis // of the place shown ("" none)
		origin bool         // ApproximateOrigin set
	}{
		{"impact heard", observation.Explosion, observation.Incoming, 0, fusion.BasisSightLine, false},
		{"direction not told", observation.Explosion, observation.FireUnknown, 0, fusion.BasisSightLine, false},
		{"launch heard: the impact is about it", observation.Explosion, observation.Outgoing, 0, fusion.BasisLaunch, true},
		{"small arms: the firing is the event", observation.Burst, observation.Outgoing, 0, fusion.BasisSightLine, true},
		{"a distance given: measured", observation.Explosion, observation.Incoming, 4000, fusion.BasisMeasured, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := fusion.NewEngine(fusion.Config{})
			o := sighting("acoustic-1", "1", obs, 60, sigma, c.kind, c.fire, sightBase, c.rangeM)
			e := g.Add(1, &o)
			if got := e.Location != nil; got != (c.basis == fusion.BasisMeasured) {
				t.Fatalf("Location %v, want set %v", e.Location, c.basis == fusion.BasisMeasured)
			}
			if got := e.ApproximateOrigin != nil; got != c.origin {
				t.Fatalf("ApproximateOrigin %v, want set %v", e.ApproximateOrigin, c.origin)
			}
			placed, basis := e.Placed()
			if basis != c.basis || (placed != nil) != (c.basis != "") {
				t.Fatalf("Placed gives %v on basis %q, want %q", placed, basis, c.basis)
			}
			sightLines := []*fusion.Estimate{e.ApproximateOrigin}
			if basis == fusion.BasisSightLine {
				sightLines = append(sightLines, e.ApproximateLocation)
			}
			for _, est := range sightLines {
				if est == nil {
					continue
				}
				d, az, _ := geo.Inverse(obs, est.Point)
				if math.Abs(d-5000) > 0.01 || math.Abs(az-60) > 1e-6 {
					t.Errorf("placed %.2f m at %.6f°, want 5000 m along 60°", d, az)
				}
				el := fusion.ErrorEllipse(est.Cov, fusion.Chi2_95)
				wantMajor, wantMinor := k*5000*math.Ln2, k*5000*sigma*math.Pi/180
				if math.Abs(el.SemiMajorM-wantMajor) > 0.01 || math.Abs(el.SemiMinorM-wantMinor) > 0.01 || math.Abs(el.OrientationDeg-60) > 1e-6 {
					t.Errorf("ellipse %+v, want %.1f × %.1f m along 60°", el, wantMajor, wantMinor)
				}
			}
			if basis == fusion.BasisLaunch {
				// About the launch, as far as firings fly (8 km before any
				// firing has been placed at both ends).
				el := fusion.ErrorEllipse(placed.Cov, fusion.Chi2_95)
				if placed.Point != e.ApproximateOrigin.Point || el.SemiMinorM < k*8000 {
					t.Errorf("impact shown at %v ± %+v, want about the launch %v, at least %.0f m", placed.Point, el, e.ApproximateOrigin.Point, k*8000)
				}
			}
		})
	}
}

// TestReachIsLearned: once a source's sight lines have joined events that
// others place, its lone sight lines are placed at the distance those
// events lay — drawn towards every source's figure while its own samples
// are few, which here are its own too.
func TestReachIsLearned(t *testing.T) {
	west, east, array := geo.Point{Lat: 48.2, Lon: 37.5}, geo.Point{Lat: 48.2, Lon: 37.7}, geo.Point{Lat: 48.1, Lon: 37.6}
	g := fusion.NewEngine(fusion.Config{})
	seq := int64(0)
	add := func(o observation.Observation) *fusion.Event {
		seq++
		return g.Add(seq, &o)
	}
	const firings = 40
	for i := range firings {
		// A firing 3 km from the array, which two patrols cross-fix first.
		at := sightBase.Add(time.Duration(i) * time.Hour)
		x := geo.Direct(array, float64(i%7)*5-15, 3000)
		for _, s := range []struct {
			source string
			from   geo.Point
		}{{"patrol-w", west}, {"patrol-e", east}, {"array", array}} {
			d, az, _ := geo.Inverse(s.from, x)
			heard := at.Add(time.Duration(d / 340 * float64(time.Second)))
			add(sighting(s.source, fmt.Sprint(i), s.from, az, 1, observation.Explosion, observation.Incoming, heard, 0))
		}
	}
	// Every sample is the array's (the patrols fix each firing before it
	// reports), so all sources' figure is its own too.
	d, spread := g.Reach("array")
	if math.Abs(math.Log(d/3000)) > math.Ln2/8 {
		t.Errorf("the array's reach %.0f m, want 3000 m within a bin", d)
	}
	if spread < 0.25 || spread > 0.3 {
		t.Errorf("spread %.3f, want the floor of a quarter", spread)
	}
	// A source never heard of is placed at all sources' figure.
	if other, _ := g.Reach("unknown"); math.Abs(math.Log(other/3000)) > math.Ln2/8 {
		t.Errorf("an unknown source's reach %.0f m, want all sources' 3000 m", other)
	}
	// The array's next lone report is placed there.
	e := add(sighting("array", "lone", array, 200, 1, observation.Explosion, observation.Incoming, sightBase.Add(100*time.Hour), 0))
	if e.Location != nil || e.ApproximateLocation == nil {
		t.Fatalf("lone report: Location %v, ApproximateLocation %v", e.Location, e.ApproximateLocation)
	}
	if got := geo.DistanceM(array, e.ApproximateLocation.Point); math.Abs(got-d) > 0.01 {
		t.Errorf("placed %.1f m from the array, want its reach %.1f m", got, d)
	}
}

// TestPlacedAddsWhatTheFitLeavesOut: the place shown of explosive fire
// holds one spread of rounds more than the fit (sight lines find rounds,
// the event is where they were aimed), and any place grows by χ²/dof when
// its reports disagree more than their errors allow. Small arms and
// things that stay put are shown as fitted when their reports agree.
func TestPlacedAddsWhatTheFitLeavesOut(t *testing.T) {
	west, east, south := geo.Point{Lat: 48.2, Lon: 37.5}, geo.Point{Lat: 48.2, Lon: 37.7}, geo.Point{Lat: 48.1, Lon: 37.6}
	x := geo.Point{Lat: 48.23, Lon: 37.61}
	line := func(source string, from geo.Point, kind observation.Kind, off float64) observation.Observation {
		d, az, _ := geo.Inverse(from, x)
		fire := observation.Incoming
		if kind != observation.Explosion {
			fire = observation.Outgoing // small arms are heard where they fire
		}
		return sighting(source, "1", from, az+off, 1, kind, fire, sightBase.Add(time.Duration(d/340*float64(time.Second))), 0)
	}
	for _, c := range []struct {
		name    string
		reports []observation.Observation
		spread  bool // one spread of rounds added
		birge   bool // grown by χ²/dof
	}{
		{"explosion, two sight lines", []observation.Observation{line("w", west, observation.Explosion, 0), line("e", east, observation.Explosion, 0)}, true, false},
		{"explosion, three disagreeing", []observation.Observation{line("w", west, observation.Explosion, 0), line("e", east, observation.Explosion, 0), line("s", south, observation.Explosion, 2.5)}, true, true},
		{"small arms, two sight lines", []observation.Observation{line("w", west, observation.Burst, 0), line("e", east, observation.Burst, 0)}, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := fusion.NewEngine(fusion.Config{})
			var e *fusion.Event
			for i := range c.reports {
				e = g.Add(int64(i+1), &c.reports[i])
			}
			if len(g.Events()) != 1 || e.Location == nil {
				t.Fatalf("%d events, location %v", len(g.Events()), e.Location)
			}
			shown, basis := e.Placed()
			if basis != fusion.BasisMeasured || shown.Point != e.Location.Point {
				t.Fatalf("shown at %v (basis %q), fitted at %v", shown.Point, basis, e.Location.Point)
			}
			want := e.Location.Cov
			k := 1.0
			if c.birge {
				if k = e.Location.Chi2 / float64(e.Location.Dof); !(k > 1) {
					t.Fatalf("χ²/dof %.2f: the reports were meant to disagree", k)
				}
			}
			for i := range 2 {
				for j := range 2 {
					want[i][j] *= k
				}
			}
			if c.spread {
				want[0][0] += 100 * 100
				want[1][1] += 100 * 100
			}
			for i := range 2 {
				for j := range 2 {
					if math.Abs(shown.Cov[i][j]-want[i][j]) > 1e-6*math.Abs(want[i][j])+1e-9 {
						t.Fatalf("shown covariance %v, want %v", shown.Cov, want)
					}
				}
			}
		})
	}
}
