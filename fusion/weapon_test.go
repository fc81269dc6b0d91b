package fusion_test

import (
	"testing"
	"time"

	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
)

// TestWeaponSeenAgain: a weapon in position seen again at its place days
// later — UAV sorties pass when they pass — adds to the event of its
// first sighting while the weapon gate (a week by default) is open, also
// when the event has outlived the 72-hour horizon of fire; beyond the
// gate it is a new event. Reports elsewhere move time on in between, as
// they would, and TakeFinal runs after each report, as Live's batches do:
// an event it handed over can take nothing more.
func TestWeaponSeenAgain(t *testing.T) {
	at := geo.Point{Lat: 48.10, Lon: 37.60}
	elsewhere := geo.Point{Lat: 47.50, Lon: 35.20}
	t0 := time.Date(2026, 9, 2, 6, 0, 0, 0, time.UTC)
	sighting := func(id string, p geo.Point, when time.Time) observation.Observation {
		cep := 30.0
		return observation.Observation{Source: "uav-1", ID: id, ObservedAt: when, TimeSigmaS: 1, Kind: observation.WeaponSighting,
			Count: 1, Fire: observation.FireUnknown, Weapon: &observation.Weapon{Class: "artillery"},
			Location: &observation.Point{Lat: p.Lat, Lon: p.Lon, Resolved: true, CEPm: &cep}}
	}
	for _, c := range []struct {
		name   string
		again  time.Duration
		events int // with the weapon's sightings
	}{
		{"the next day", 24 * time.Hour, 1},
		{"four days later, past the horizon", 4 * 24 * time.Hour, 1},
		{"six days later", 6 * 24 * time.Hour, 1},
		{"eight days later, past the gate", 8 * 24 * time.Hour, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := fusion.NewEngine(fusion.Config{})
			var obs []observation.Observation
			obs = append(obs, sighting("w1", at, t0))
			for h := 12 * time.Hour; h < c.again; h += 12 * time.Hour {
				obs = append(obs, sighting("x"+h.String(), elsewhere, t0.Add(h)))
			}
			obs = append(obs, sighting("w2", at, t0.Add(c.again)))
			var all []*fusion.Event
			for i := range obs {
				g.Add(int64(i+1), &obs[i])
				all = append(all, g.TakeFinal()...)
			}
			all = append(all, g.Events()...)
			n := 0
			for _, e := range all {
				for _, k := range e.Observations {
					if k.ID == "w1" || k.ID == "w2" {
						n++
						break
					}
				}
			}
			if n != c.events {
				t.Fatalf("the weapon's sightings in %d events, want %d", n, c.events)
			}
		})
	}
}
