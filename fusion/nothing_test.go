package fusion

import (
	"testing"
	"time"

	"github.com/truce-mechanism/truce/observation"
)

// TestNothingIsNoEvent: a heartbeat (kind other, only where the sensor
// stands) makes no event but counts as fused; other reports of kind other
// still do.
func TestNothingIsNoEvent(t *testing.T) {
	at := time.Date(2026, 9, 2, 10, 0, 0, 0, time.UTC)
	bearing := 45.0
	cases := []struct {
		name  string
		o     observation.Observation
		event bool
	}{
		{"heartbeat", observation.Observation{Source: "s", ID: "1", ObservedAt: at, Kind: observation.Other,
			Observer: &observation.Point{Lat: 48, Lon: 38, Resolved: true}}, false},
		{"something seen there", observation.Observation{Source: "s", ID: "2", ObservedAt: at, Kind: observation.Other,
			Location: &observation.Point{Lat: 48, Lon: 38, Resolved: true}}, true},
		{"something seen that way", observation.Observation{Source: "s", ID: "3", ObservedAt: at, Kind: observation.Other,
			Observer: &observation.Point{Lat: 48, Lon: 38, Resolved: true}, BearingDeg: &bearing}, true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewEngine(Config{})
			e := g.Add(int64(i+1), &c.o)
			if (e != nil) != c.event || len(g.Events()) != map[bool]int{false: 0, true: 1}[c.event] {
				t.Fatalf("event %v, %d events; want an event: %v", e, len(g.Events()), c.event)
			}
			if g.Sequence() != int64(i+1) {
				t.Fatalf("sequence %d after the report", g.Sequence())
			}
		})
	}
}
