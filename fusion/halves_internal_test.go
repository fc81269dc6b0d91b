package fusion

import (
	"fmt"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
)

// heard is an acoustic array's report of a sound made at what, at time
// at, heard from from: its time is the sound's arrival, its sight line
// exact (σ 1.5°), its direction of fire as the array stated it.
func heard(id string, from, what geo.Point, at time.Time, fire observation.Fire) observation.Observation {
	d, az, _ := geo.Inverse(from, what)
	arrival := at.Add(time.Duration(d / soundSpeedMps * float64(time.Second)))
	return observation.Observation{Source: "acoustic-" + id, ID: id, ObservedAt: arrival, TimeSigmaS: 0.005,
		Kind: observation.Explosion, Fire: fire, Count: 1,
		Observer: &observation.Point{Lat: from.Lat, Lon: from.Lon, Resolved: true}, BearingDeg: &az, BearingSigmaDeg: 1.5}
}

// TestFiringHalves: a firing whose launch and impact different arrays
// heard is one event, whether the reports of each end arrive together or
// one array states the wrong direction of fire (its line is turned round
// once an impact placed elsewhere shows it was the launch, not before);
// ends too far apart in place or time stay two events.
func TestFiringHalves(t *testing.T) {
	t0 := time.Date(2026, 9, 2, 3, 0, 0, 0, time.UTC)
	launch := geo.Point{Lat: 48.30, Lon: 37.80}
	impact := geo.Direct(launch, 250, 6000) // 6 km west-south-west
	north, east, south := geo.Direct(launch, 10, 9000), geo.Direct(launch, 100, 8000), geo.Direct(impact, 190, 7000)
	west := geo.Direct(impact, 280, 8000)
	const flight = 20 * time.Second
	for _, c := range []struct {
		name   string
		obs    []observation.Observation
		events int
		want   string // what the event holding report "1" has: "launch", "impact", "both"
	}{
		{"the launch alone", []observation.Observation{
			heard("1", north, launch, t0, observation.Outgoing),
			heard("2", east, launch, t0, observation.Outgoing),
		}, 1, "launch"},
		{"a line that points at the launch keeps the direction it states while nothing says otherwise", []observation.Observation{
			heard("1", north, launch, t0, observation.Outgoing),
			heard("2", east, launch, t0, observation.Outgoing),
			heard("3", south, launch, t0, observation.Incoming),
		}, 1, "launch+impact line"},
		{"an impact heard elsewhere stays the impact", []observation.Observation{
			heard("1", north, launch, t0, observation.Outgoing),
			heard("2", east, launch, t0, observation.Outgoing),
			heard("3", south, impact, t0.Add(flight), observation.Incoming),
		}, 1, "launch+impact line"},
		{"launch and impact heard by different arrays are one firing", []observation.Observation{
			heard("1", north, launch, t0, observation.Outgoing),
			heard("2", east, launch, t0, observation.Outgoing),
			heard("3", south, impact, t0.Add(flight), observation.Incoming),
			heard("4", west, impact, t0.Add(flight), observation.Incoming),
		}, 1, "both"},
		{"the same, the impact reported first", []observation.Observation{
			heard("3", south, impact, t0.Add(flight), observation.Incoming),
			heard("4", west, impact, t0.Add(flight), observation.Incoming),
			heard("1", north, launch, t0, observation.Outgoing),
			heard("2", east, launch, t0, observation.Outgoing),
		}, 1, "both"},
		{"a launch-only and an impact-only event, once the launch's misstated line is turned, are one firing", []observation.Observation{
			heard("1", north, launch, t0, observation.Outgoing),
			heard("5", south, launch, t0, observation.Incoming),
			heard("3", south, impact, t0.Add(flight), observation.Incoming),
			heard("4", west, impact, t0.Add(flight), observation.Incoming),
			heard("2", east, launch, t0, observation.Outgoing),
		}, 1, "both"},
		{"a crater whose back-bearing points at the launch turns the launch's misstated line too", []observation.Observation{
			heard("1", north, launch, t0, observation.Outgoing),
			heard("2", east, launch, t0, observation.Outgoing),
			heard("5", south, launch, t0, observation.Incoming),
			crater("6", impact, launch, t0.Add(20*time.Minute)),
		}, 1, "both"},
		{"a crater whose back-bearing points elsewhere does not", []observation.Observation{
			heard("1", north, launch, t0, observation.Outgoing),
			heard("2", east, launch, t0, observation.Outgoing),
			heard("5", south, launch, t0, observation.Incoming),
			crater("6", impact, geo.Direct(impact, 160, 6000), t0.Add(20*time.Minute)),
		}, 2, "launch+impact line"},
		{"an impact ten minutes later is another firing", []observation.Observation{
			heard("1", north, launch, t0, observation.Outgoing),
			heard("2", east, launch, t0, observation.Outgoing),
			heard("3", south, impact, t0.Add(10*time.Minute), observation.Incoming),
			heard("4", west, impact, t0.Add(10*time.Minute), observation.Incoming),
		}, 2, "launch"},
		{"an impact before the launch is another firing", []observation.Observation{
			heard("1", north, launch, t0, observation.Outgoing),
			heard("2", east, launch, t0, observation.Outgoing),
			heard("3", south, impact, t0.Add(-3*time.Minute), observation.Incoming),
			heard("4", west, impact, t0.Add(-3*time.Minute), observation.Incoming),
		}, 2, "launch"},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := NewEngine(Config{})
			for i := range c.obs {
				g.Add(int64(i+1), &c.obs[i])
			}
			es := g.Events()
			if len(es) != c.events {
				t.Fatalf("%d events, want %d", len(es), c.events)
			}
			for _, e := range es {
				if !hasReport(e, "1") {
					continue
				}
				got := ""
				switch bs, _ := e.measurements(phaseImpact); {
				case e.Origin != nil && e.Location != nil:
					got = "both"
				case e.Origin != nil && len(bs) > 0:
					got = "launch+impact line"
				case e.Origin != nil:
					got = "launch"
				case e.Location != nil:
					got = "impact"
				}
				if got != c.want {
					t.Fatalf("the event of report 1 has %q, want %q (%s)", got, c.want, describe(e))
				}
				if c.want == "both" && roughDistanceM(e.Origin.Point, launch) > 300 {
					t.Fatalf("origin %v, %.0f m from the launch", e.Origin.Point, roughDistanceM(e.Origin.Point, launch))
				}
			}
		})
	}
}

// crater is a patrol's report of a crater at impact, found at time at
// (σ half an hour), with its back-bearing (σ 10°) towards from.
func crater(id string, impact, from geo.Point, at time.Time) observation.Observation {
	_, az, _ := geo.Inverse(impact, from)
	cep := 10.0
	return observation.Observation{Source: "patrol-" + id, ID: id, ObservedAt: at, TimeSigmaS: 1800,
		Kind: observation.Explosion, Fire: observation.Incoming, Count: 1,
		Location: &observation.Point{Lat: impact.Lat, Lon: impact.Lon, CEPm: &cep, Resolved: true}, OriginBearingDeg: &az, OriginBearingSigmaDeg: 10}
}

func hasReport(e *Event, id string) bool {
	for _, k := range e.Observations {
		if k.ID == id {
			return true
		}
	}
	return false
}

func describe(e *Event) string {
	return fmt.Sprintf("%s: %d reports, location %v, origin %v", e.ID, len(e.Observations), e.Location, e.Origin)
}

// TestSoundsInOrder: an observer that states the same direction of fire
// for both sounds of one firing has one statement wrong; the sound it
// heard first is taken as the launch, whichever report arrived first —
// unless it gave the event more than two sight lines (a dense front:
// then its sounds may be of several firings).
func TestSoundsInOrder(t *testing.T) {
	t0 := time.Date(2026, 9, 2, 3, 0, 0, 0, time.UTC)
	launch := geo.Point{Lat: 48.30, Lon: 37.80}
	impact := geo.Direct(launch, 250, 6000)
	north, east := geo.Direct(launch, 10, 9000), geo.Direct(launch, 100, 8000)
	// An array beside the line of fire, nearer the launch: it hears the
	// launch about 25 s before the impact.
	side := geo.Direct(geo.Direct(launch, 250, 2000), 340, 4000)
	const flight = 20 * time.Second
	for _, c := range []struct {
		name  string
		fire  observation.Fire
		order []string // report ids in arrival order
	}{
		{"both stated incoming, the launch's report first", observation.Incoming, []string{"L", "I", "1", "2"}},
		{"both stated incoming, the impact's report first", observation.Incoming, []string{"I", "L", "1", "2"}},
		{"both stated outgoing, the impact's report first", observation.Outgoing, []string{"I", "L", "1", "2"}},
		{"both stated outgoing, the launch's report first", observation.Outgoing, []string{"L", "I", "1", "2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			reports := map[string]observation.Observation{
				"1": heard("1", north, launch, t0, observation.Outgoing),
				"2": heard("2", east, launch, t0, observation.Outgoing),
				"L": heard("L", side, launch, t0, c.fire),
				"I": heard("I", side, impact, t0.Add(flight), c.fire),
			}
			for _, id := range []string{"L", "I"} { // one observer
				o := reports[id]
				o.Source = "acoustic-side"
				reports[id] = o
			}
			g := NewEngine(Config{})
			for i, id := range c.order {
				o := reports[id]
				g.Add(int64(i+1), &o)
			}
			es := g.Events()
			if len(es) != 1 {
				t.Fatalf("%d events, want 1", len(es))
			}
			want := map[string]phase{"L": phaseLaunch, "I": phaseImpact}
			for _, m := range es[0].members {
				if p, ok := want[m.key.ID]; ok && m.resolved() != p {
					t.Errorf("report %s counts for phase %d, want %d (%s)", m.key.ID, m.resolved(), p, describe(es[0]))
				}
			}
		})
	}
}

// TestLoneSecondSound: an array's launch, called incoming and reported
// before anything else of the firing, is an event of one line; once the
// firing's event holds the same array's impact and places the launch
// where that line points, the line is turned round and joins it. Without
// the array's impact in that event nothing says so, and the line stays.
func TestLoneSecondSound(t *testing.T) {
	t0 := time.Date(2026, 9, 2, 3, 0, 0, 0, time.UTC)
	launch := geo.Point{Lat: 48.30, Lon: 37.80}
	impact := geo.Direct(launch, 250, 6000)
	side := geo.Direct(geo.Direct(launch, 250, 2000), 340, 4000)
	const flight = 20 * time.Second
	radar := func() observation.Observation {
		cep, ocep := 150.0, 60.0
		return observation.Observation{Source: "radar-1", ID: "R", ObservedAt: t0, TimeSigmaS: 1, Kind: observation.Explosion,
			Fire: observation.Outgoing, Count: 1,
			Location: &observation.Point{Lat: impact.Lat, Lon: impact.Lon, Resolved: true, CEPm: &cep},
			Origin:   &observation.Point{Lat: launch.Lat, Lon: launch.Lon, Resolved: true, CEPm: &ocep}}
	}
	sideHeard := func(id string, what geo.Point, at time.Time) observation.Observation {
		o := heard(id, side, what, at, observation.Incoming)
		o.Source = "acoustic-side"
		return o
	}
	for _, c := range []struct {
		name   string
		obs    []observation.Observation
		events int
	}{
		{"the array's impact in the firing's event: its lone launch line joins", []observation.Observation{
			sideHeard("L", launch, t0), radar(), sideHeard("I", impact, t0.Add(flight)),
		}, 1},
		{"no word from the array in the firing's event: the line stays alone", []observation.Observation{
			sideHeard("L", launch, t0), radar(),
		}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := NewEngine(Config{})
			for i := range c.obs {
				g.Add(int64(i+1), &c.obs[i])
			}
			if es := g.Events(); len(es) != c.events {
				for _, e := range es {
					t.Log(describe(e))
				}
				t.Fatalf("%d events, want %d", len(es), c.events)
			}
		})
	}
}
