package fusion

import (
	"testing"
	"time"

	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
)

// misread is heard's report with its bearing off by offDeg (a gross
// error: σ is 1.5°).
func misread(id string, from, what geo.Point, at time.Time, offDeg float64) observation.Observation {
	o := heard(id, from, what, at, observation.Incoming)
	az := *o.BearingDeg + offDeg
	o.BearingDeg = &az
	return o
}

// TestGrossErrorHeldForItsTime: a sight line with a gross error, timed
// with an event and with no other firing in its reach, is held by that
// event for its time while its place is left out; timed otherwise, or
// beside another firing, it is an event of its own; and when the firing
// it was really of turns up, it is taken back.
func TestGrossErrorHeldForItsTime(t *testing.T) {
	t0 := time.Date(2026, 9, 2, 3, 0, 0, 0, time.UTC)
	impact := geo.Point{Lat: 48.30, Lon: 37.80}
	north, east, south := geo.Direct(impact, 10, 9000), geo.Direct(impact, 100, 8000), geo.Direct(impact, 190, 7000)
	west := geo.Direct(impact, 280, 8000)
	// elsewhere: as far from the west array as the impact, 12° round it.
	_, az, _ := geo.Inverse(west, impact)
	elsewhere := geo.Direct(west, az+12, geo.DistanceM(west, impact))
	near := geo.Direct(elsewhere, 160, 2000)
	// between: an array between the impact and elsewhere, which it hears
	// in opposite directions.
	_, back, _ := geo.Inverse(elsewhere, impact)
	between := geo.Direct(elsewhere, back, 800)
	firing := func() []observation.Observation {
		return []observation.Observation{
			heard("1", north, impact, t0, observation.Incoming),
			heard("2", east, impact, t0, observation.Incoming),
			heard("3", south, impact, t0, observation.Incoming),
		}
	}
	for _, c := range []struct {
		name   string
		obs    []observation.Observation
		events int
		held   bool // report "4" held by the event of report "1" for its time
	}{
		{"a line 12° off (8σ), timed with the firing, is held for its time", append(firing(),
			misread("4", west, impact, t0, 12)), 1, true},
		{"the same line a minute late is an event of its own", append(firing(),
			misread("4", west, impact, t0.Add(time.Minute), 12)), 2, false},
		{"a line 30° off (20σ) is an event of its own", append(firing(),
			misread("4", west, impact, t0, 30)), 2, false},
		{"another firing heard within its reach at that time: an event of its own", append(append(firing(),
			heard("5", near, geo.Direct(near, 250, 3000), t0, observation.Incoming),
			heard("6", geo.Direct(near, 300, 9000), geo.Direct(near, 250, 3000), t0, observation.Incoming)),
			misread("4", west, impact, t0, 12)), 3, false},
		{"held, then taken back when the firing it heard turns up", append(firing(),
			heard("4", west, elsewhere, t0, observation.Incoming),
			heard("7", between, elsewhere, t0, observation.Incoming)), 2, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := NewEngine(Config{})
			var before *Estimate
			for i := range c.obs {
				g.Add(int64(i+1), &c.obs[i])
				if c.obs[i].ID == "3" {
					for _, e := range g.Events() {
						before = e.Location
					}
				}
			}
			es := g.Events()
			if len(es) != c.events {
				for _, e := range es {
					t.Logf("%s", describe(e))
					for i := range e.members {
						t.Logf("  %s gross %v reclaimed %v phase %d", e.members[i].key.ID, e.members[i].gross, e.members[i].reclaimed, e.members[i].resolved())
					}
				}
				t.Fatalf("%d events, want %d", len(es), c.events)
			}
			for _, e := range es {
				if !hasReport(e, "1") {
					continue
				}
				if got := hasReport(e, "4"); got != c.held {
					t.Fatalf("report 4 held: %v, want %v (%s)", got, c.held, describe(e))
				}
				if c.held && (e.Location == nil || e.Location.Point != before.Point) {
					t.Fatalf("the place moved: %v, was %v", e.Location, before)
				}
			}
		})
	}
}

// TestLoneLineSettled: a lone sight line that states one end of a firing
// and points at its other — an array that called the impact outgoing,
// heard before anything placed that end — is turned round and given to
// the firing by the sweep, when that firing is the only one its line
// could have heard at its time; not beside another firing, nor when it
// fits the end it states. (The lone line is put in by hand, as Add makes
// an event of a report nothing takes: which arrival orders leave it alone
// is association's business, tested elsewhere.)
func TestLoneLineSettled(t *testing.T) {
	t0 := time.Date(2026, 9, 2, 3, 0, 0, 0, time.UTC)
	launch := geo.Point{Lat: 48.30, Lon: 37.80}
	impact := geo.Direct(launch, 250, 6000)
	north, east := geo.Direct(launch, 10, 9000), geo.Direct(launch, 100, 8000)
	astray := geo.Direct(impact, 290, 6000) // hears the impact
	const flight = 20 * time.Second
	firing := []observation.Observation{
		heard("1", north, launch, t0, observation.Outgoing),
		heard("2", east, launch, t0, observation.Outgoing),
		crater("3", impact, launch, t0.Add(5*time.Minute)),
	}
	other := geo.Direct(astray, 60, 8000)
	beside := []observation.Observation{
		heard("6", geo.Direct(other, 0, 6000), other, t0, observation.Incoming),
		heard("7", geo.Direct(other, 120, 6000), other, t0, observation.Incoming),
	}
	for _, c := range []struct {
		name   string
		before []observation.Observation
		line   observation.Observation
		joined bool
	}{
		{"the impact called outgoing, the sole firing in reach: turned, joined", firing,
			heard("5", astray, impact, t0.Add(flight), observation.Outgoing), true},
		{"another firing in reach at its time: left alone", append(append([]observation.Observation{}, firing...), beside...),
			heard("5", astray, impact, t0.Add(flight), observation.Outgoing), false},
		{"the impact called incoming: not this rule's", firing,
			heard("5", astray, impact, t0.Add(flight), observation.Incoming), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := NewEngine(Config{})
			for i := range c.before {
				g.Add(int64(i+1), &c.before[i])
			}
			line := loneEvent(g, &c.line)
			g.settleLone()
			if line.gone != c.joined {
				t.Fatalf("the lone line joined: %v, want %v", line.gone, c.joined)
			}
			if c.joined {
				e := line.into
				if !hasReport(e, "1") || !hasReport(e, "3") || e.members[len(e.members)-1].resolved() != phaseImpact {
					t.Fatalf("joined %s, its line as %d", describe(e), e.members[len(e.members)-1].resolved())
				}
			}
		})
	}
}

// loneEvent makes of o an event of its own, as Add does of a report no
// event takes.
func loneEvent(g *Engine, o *observation.Observation) *Event {
	m := measure(o, 1)
	g.ord++
	m.ord, m.obs = g.ord, o
	g.created++
	e := &Event{ID: eventID(m.key, 0), Kind: m.kind, group: "fire", seq: g.created, slotLo: 1, slotHi: 0, cellLo: 1, cellHi: 0, members: []member{m}}
	g.events = append(g.events, e)
	g.refresh(e)
	g.reindex(e)
	g.turnLoneFor(e)
	return e
}

// TestCrowdedByTime: a precisely timed impact line that could join a
// firing only by its time (the firing placed its launch, nothing of its
// impact) joins it when few firings could have been heard then, and
// starts its own event among many.
func TestCrowdedByTime(t *testing.T) {
	t0 := time.Date(2026, 9, 2, 3, 0, 0, 0, time.UTC)
	base := geo.Point{Lat: 48.30, Lon: 37.80}
	launchAt := func(k int) geo.Point { return geo.Direct(base, 90, float64(k)*3000) }
	// Each firing seen by one camera 3 km south of it, which gives a
	// range: its launch placed, its impact not.
	firing := func(k int) observation.Observation {
		l := launchAt(k)
		o := heard(string(rune('a'+k)), geo.Direct(l, 180, 3000), l, t0, observation.Outgoing)
		o.ObservedAt, o.TimeSigmaS, o.Range = t0, 1, &observation.Range{MinM: 2800, MaxM: 3200}
		return o
	}
	impact := geo.Direct(launchAt(0), 250, 6000)
	line := heard("z", geo.Direct(impact, 200, 7000), impact, t0.Add(20*time.Second), observation.Incoming)
	for _, c := range []struct {
		name    string
		firings int
		joined  bool
	}{
		{"one firing: joined by time", 1, true},
		{"six firings the line could have heard: its own event", 6, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := NewEngine(Config{})
			n := int64(0)
			for k := range c.firings {
				o := firing(k)
				n++
				g.Add(n, &o)
			}
			if got := len(g.Events()); got != c.firings {
				t.Fatalf("%d events of firings, want %d", got, c.firings)
			}
			e := g.Add(n+1, &line)
			if joined := len(e.members) > 1; joined != c.joined {
				t.Fatalf("joined: %v, want %v (%s)", joined, c.joined, describe(e))
			}
		})
	}
}
