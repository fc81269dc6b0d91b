package fusion_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
)

// TestTentative: two acoustic arrays hear the same firings and say which
// way each went; between the firings one array hears explosions it cannot
// classify. When nobody else hears those, each is a tentative event (a
// lone report of a class seldom corroborated), and a second source's
// report of it confirms it; when the other array hears them too, none
// is; before enough reports are known, none is.
func TestTentative(t *testing.T) {
	a, b := geo.Point{Lat: 48.20, Lon: 37.60}, geo.Point{Lat: 48.20, Lon: 37.75}
	report := func(source, id string, from, at geo.Point, fire observation.Fire, t0 time.Time) observation.Observation {
		d, az, _ := geo.Inverse(from, at)
		return sighting(source, id, from, az, 1, observation.Explosion, fire, t0.Add(time.Duration(d/340*float64(time.Second))), 0)
	}
	for _, c := range []struct {
		name      string
		rounds    int
		heardByB  bool // the unclassified explosions are heard by b too
		tentative int  // lone unclassified events judged tentative
	}{
		{"alarms nobody else hears", 40, false, 40},
		{"unclassified but heard by others", 40, true, 0},
		{"too few reports to judge", 10, false, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := fusion.NewEngine(fusion.Config{})
			seq := int64(0)
			add := func(o observation.Observation) *fusion.Event {
				seq++
				return g.Add(seq, &o)
			}
			var last *fusion.Event
			var lastAt time.Time
			var lastPlace geo.Point
			for i := range c.rounds {
				t0 := sightBase.Add(time.Duration(i) * 20 * time.Minute)
				p := geo.Point{Lat: 48.146, Lon: 37.64 + 0.002*float64(i)}
				add(report("array-a", "f"+strconv.Itoa(i), a, p, observation.Incoming, t0))
				add(report("array-b", "f"+strconv.Itoa(i), b, p, observation.Incoming, t0))
				t1, q := t0.Add(10*time.Minute), geo.Point{Lat: 48.15, Lon: 37.70 - 0.002*float64(i)}
				last, lastAt, lastPlace = add(report("array-a", "u"+strconv.Itoa(i), a, q, observation.FireUnknown, t1)), t1, q
				if c.heardByB {
					add(report("array-b", "u"+strconv.Itoa(i), b, q, observation.Incoming, t1))
				}
			}
			// One more firing moves the newest report on, so that the
			// last sweep has judged everything.
			add(report("array-a", "end", a, geo.Point{Lat: 48.146, Lon: 37.6}, observation.Incoming, sightBase.Add(time.Duration(c.rounds)*20*time.Minute+15*time.Minute)))
			tentative := 0
			for _, e := range g.Events() {
				if e.Tentative {
					tentative++
					if e.Sources != 1 || e.FalseAlarm <= 0.5 {
						t.Errorf("%s tentative with %d sources, false alarm %.2f", e.ID, e.Sources, e.FalseAlarm)
					}
				}
			}
			if tentative != c.tentative {
				t.Fatalf("%d events tentative, want %d", tentative, c.tentative)
			}
			if c.tentative == 0 {
				return
			}
			// Array b's report of the last one confirms it.
			e := add(report("array-b", "late", b, lastPlace, observation.Incoming, lastAt))
			if e.ID != last.ID || e.Tentative || e.FalseAlarm != 0 || e.Sources != 2 {
				t.Errorf("after a second source: event %s (want %s) tentative %v, false alarm %.2f, %d sources", e.ID, last.ID, e.Tentative, e.FalseAlarm, e.Sources)
			}
		})
	}
}

// TestUndecidedSightLine: an event whose only sight line could be a
// launch or an impact takes, by time alone, only reports whose sight line
// or fix meets that line; one from elsewhere is another event.
func TestUndecidedSightLine(t *testing.T) {
	a, b := geo.Point{Lat: 48.20, Lon: 37.60}, geo.Point{Lat: 48.20, Lon: 37.75}
	p := geo.Point{Lat: 48.15, Lon: 37.68} // on a's line
	far := geo.Point{Lat: 48.30, Lon: 37.80}
	fix := func(at geo.Point, sigmaM float64) observation.Observation {
		cep := sigmaM * 1.1774
		return observation.Observation{Source: "osint-1", ID: "x", ObservedAt: sightBase.Add(20 * time.Second), TimeSigmaS: 60, Kind: observation.Explosion,
			Fire: observation.Incoming, Count: 1, Location: &observation.Point{Lat: at.Lat, Lon: at.Lon, CEPm: &cep, Resolved: true}}
	}
	towards := func(from, at geo.Point) observation.Observation {
		d, az, _ := geo.Inverse(from, at)
		return sighting("array-b", "x", from, az, 1, observation.Explosion, observation.Incoming, sightBase.Add(time.Duration(d/340*float64(time.Second))), 0)
	}
	for _, c := range []struct {
		name string
		next observation.Observation
		join bool
	}{
		{"a sight line crossing it", towards(b, p), true},
		{"a sight line that never meets it", towards(b, far), false},
		{"a fix on it", fix(p, 200), true},
		{"a fix far off it", fix(far, 200), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := fusion.NewEngine(fusion.Config{})
			d, az, _ := geo.Inverse(a, p)
			first := sighting("array-a", "u", a, az, 1, observation.Explosion, observation.FireUnknown, sightBase.Add(time.Duration(d/340*float64(time.Second))), 0)
			e := g.Add(1, &first)
			next := c.next
			if got := g.Add(2, &next); (got.ID == e.ID) != c.join {
				t.Errorf("joined %v, want %v", got.ID == e.ID, c.join)
			}
		})
	}
}
