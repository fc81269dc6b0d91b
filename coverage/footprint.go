package coverage

import (
	"time"

	"github.com/golang/geo/s1"
)

// Footprint is what one report of a source's kind says about the ground
// around its observer position.
type Footprint struct {
	// RadiusM is how far from where it stood the source would have
	// noticed explosive fire (mortar and artillery) with a fair chance.
	// Zero: the kind has no footprint, and its reports show no coverage.
	RadiusM float64
	// Fixed kinds stand still and report whatever they notice as it
	// happens, so an hour without a report from one that usually reports
	// may be an outage. Mobile kinds (patrols, UAVs) are simply elsewhere
	// or off duty when silent.
	Fixed bool
}

// The kinds of source the registry knows (store.Source.Kind).
const (
	KindMonitor = "monitor"
	KindSensor  = "sensor"
	KindRadar   = "radar"
	KindUAV     = "uav"
	KindOSINT   = "osint"
)

// DefaultFootprints is the footprint of each kind of source. The radii are
// where detection is still likely, not the longest range a kind ever
// reaches: detection falls off with distance, and overstating coverage is
// the error this package exists to avoid.
//
//   - monitor 5 km: a patrol hears mortars to about 5 km and artillery to
//     6–8 km, much less well while driving.
//   - sensor 10 km: acoustic arrays locate mortars to about 10 km and
//     artillery to 14–20 km; cameras see flashes and bursts 4–15 km
//     (less by day) but only within their field of view, which the
//     registry does not record.
//   - radar 15 km: an AN/TPQ-36 tracks artillery to about 14.5 km and
//     mortars to 18 km, an AN/TPQ-37 to 30 km, each over a 90° sector
//     whose heading the registry does not record; a 90° sector of 30 km
//     has the area of a disc of 15 km. Radars see launches only.
//   - uav 2 km: the swath of its camera about the position it reported.
//   - osint none: a post says nothing about who could see where.
func DefaultFootprints() map[string]Footprint {
	return map[string]Footprint{
		KindMonitor: {RadiusM: 5000},
		KindSensor:  {RadiusM: 10000, Fixed: true},
		KindRadar:   {RadiusM: 15000, Fixed: true},
		KindUAV:     {RadiusM: 2000},
		KindOSINT:   {},
	}
}

// Defaults of a Config.
const (
	// DefaultRestrictionRadiusM is the ground a restriction denies: a
	// patrol stopped at a checkpoint was on its way to an observation
	// point a few kilometres on, from which it would have heard about as
	// far again.
	DefaultRestrictionRadiusM = 10000.0
	// DefaultRestrictionHold is how long a restriction denies that
	// ground, unless the restricted source reports from inside it again
	// sooner: patrols are held for half an hour to two hours and then
	// usually turned back.
	DefaultRestrictionHold = 2 * time.Hour
	// DefaultSilenceWindow is how far either side of an hour a fixed
	// sensor's reports are looked for to call it silent in that hour, and
	// over which its usual rate is measured.
	DefaultSilenceWindow = 12 * time.Hour
)

// Config tunes the inference. The zero Config means the defaults.
type Config struct {
	// Footprints by source kind; nil means DefaultFootprints(). A kind
	// not in the table has no footprint: coverage is never claimed for
	// a kind nobody has described.
	Footprints map[string]Footprint
	// RestrictionRadiusM around a restriction's place; 0 means
	// DefaultRestrictionRadiusM.
	RestrictionRadiusM float64
	// RestrictionHold from a restriction's time; 0 means
	// DefaultRestrictionHold.
	RestrictionHold time.Duration
	// SilenceWindow either side of an hour; 0 means DefaultSilenceWindow.
	SilenceWindow time.Duration
}

func (c Config) withDefaults() Config {
	if c.Footprints == nil {
		c.Footprints = DefaultFootprints()
	} else {
		// A copy: the caller may change its map later, and the tracker's
		// answers must not change with it.
		fp := make(map[string]Footprint, len(c.Footprints))
		for k, v := range c.Footprints {
			fp[k] = v
		}
		c.Footprints = fp
	}
	if c.RestrictionRadiusM <= 0 {
		c.RestrictionRadiusM = DefaultRestrictionRadiusM
	}
	if c.RestrictionHold <= 0 {
		c.RestrictionHold = DefaultRestrictionHold
	}
	if c.SilenceWindow <= 0 {
		c.SilenceWindow = DefaultSilenceWindow
	}
	return c
}

// earthRadiusM is the mean radius of the Earth. Footprints are discs on a
// sphere of this radius: it is off the WGS 84 geodesic by at most 0.3 %,
// far less than the uncertainty of any detection radius, and keeps the
// test of a point against a disc to a few multiplications.
const earthRadiusM = 6371008.8

func chordM(m float64) s1.ChordAngle {
	return s1.ChordAngleFromAngle(s1.Angle(m / earthRadiusM))
}
