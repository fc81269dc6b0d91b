package evaluate

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/sim"
)

// The Cramér–Rao bound of an event is computed from the truth alone: which
// reports the event had (its observations), what each one saw (`sees`),
// and each sensor's error model. MATCHING.md ("loc_crlb_ratio") says which
// report gives which measurement and with what σ; this file is that text
// in code.

// measurement is what one report tells about where an event is scored,
// built at the true position: a bearing from where the sensor stood, or a
// fix. Ref says which report it came from, so a test can put the report's
// actual values in its place.
type measurement struct {
	ref     sim.ObsRef
	bearing *fusion.Bearing
	fix     *fusion.Fix
}

// geometry indexes what the bound needs from the truth: sensors by source
// and where the mobile ones were.
type geometry struct {
	sensors map[string]*sim.Sensor
	tracks  map[string][]track // by sensor, in order of start
}

// track is a timed path of a patrol or a UAV sortie: straight legs between
// points, as the simulator moved it.
type track struct {
	from, to time.Time
	t        []time.Time
	p        []geo.Point
}

func newGeometry(truth *sim.Truth) *geometry {
	g := &geometry{sensors: map[string]*sim.Sensor{}, tracks: map[string][]track{}}
	for i := range truth.Sensors {
		s := &truth.Sensors[i]
		g.sensors[s.Source] = s
	}
	for _, k := range truth.Tracks {
		tr := track{from: parseTime(k.From), to: parseTime(k.To)}
		for _, p := range k.Points {
			tr.t = append(tr.t, parseTime(p.T))
			tr.p = append(tr.p, geo.Point{Lat: p.Lat, Lon: p.Lon})
		}
		if len(tr.t) == 0 || tr.from.IsZero() || tr.to.IsZero() {
			continue
		}
		g.tracks[k.Sensor] = append(g.tracks[k.Sensor], tr)
	}
	for _, ks := range g.tracks {
		sort.SliceStable(ks, func(i, j int) bool { return ks[i].from.Before(ks[j].from) })
	}
	return g
}

// position is where a sensor was at t: its fixed position, or the point of
// its track at t (linear in latitude and longitude along a leg, as the
// simulator moves it).
func (g *geometry) position(s *sim.Sensor, t time.Time) (geo.Point, bool) {
	if s.Position != nil {
		return geo.Point{Lat: s.Position.Lat, Lon: s.Position.Lon}, true
	}
	ks := g.tracks[s.Source]
	i := sort.Search(len(ks), func(i int) bool { return ks[i].from.After(t) }) - 1
	for ; i >= 0; i-- {
		k := ks[i]
		if t.After(k.to) || t.Before(k.t[0]) || t.After(k.t[len(k.t)-1]) {
			continue
		}
		j := sort.Search(len(k.t), func(j int) bool { return !k.t[j].Before(t) })
		if k.t[j].Equal(t) || j == 0 {
			return k.p[j], true
		}
		a, b := k.p[j-1], k.p[j]
		f := float64(t.Sub(k.t[j-1])) / float64(k.t[j].Sub(k.t[j-1]))
		return geo.Point{Lat: a.Lat + f*(b.Lat-a.Lat), Lon: a.Lon + f*(b.Lon-a.Lon)}, true
	}
	return geo.Point{}, false
}

// osintInfoFactor: an OSINT report's location error is location_sigma_m
// times a factor drawn from U(0.5, 1.5) per report (sim/TRUTH.md); the
// report's expected Fisher information is E[1/f²] = 4/3 times that of σ.
const osintInfoFactor = 4.0 / 3

// measurements rebuilds, from the truth, every report of e that bears on
// where e is scored (its location). Reposts (duplicate_of) are left out:
// a repost is no new evidence.
func (g *geometry) measurements(e *sim.Event) []measurement {
	scored := geo.Point{Lat: e.Location.Lat, Lon: e.Location.Lon}
	origin, target := scored, scored
	if e.Origin != nil {
		origin = geo.Point{Lat: e.Origin.Lat, Lon: e.Origin.Lon}
	}
	if e.Target != nil {
		target = geo.Point{Lat: e.Target.Lat, Lon: e.Target.Lon}
	}
	launch, impact := parseTime(e.Time), parseTime(e.Time)
	if e.ImpactTime != "" {
		impact = parseTime(e.ImpactTime)
	}
	at := func(p geo.Point) bool { return geo.DistanceM(p, scored) < 1 }
	var out []measurement
	for _, r := range e.Observations {
		s := g.sensors[r.Source]
		if s == nil || r.DuplicateOf != "" {
			continue
		}
		m := measurement{ref: r}
		switch r.Sees {
		case "launch", "impact":
			aim, t := origin, launch
			if r.Sees == "impact" {
				aim, t = target, impact
			}
			if !at(aim) {
				continue
			}
			switch {
			case s.BearingSigmaDeg > 0:
				pos, ok := g.position(s, t)
				if !ok {
					continue
				}
				m.bearing = bearingTo(pos, aim, s)
			case s.LocationSigmaM > 0: // OSINT: a rough location near the impact
				sigma := s.LocationSigmaM
				if s.Model == "osint" {
					sigma /= math.Sqrt(osintInfoFactor)
				}
				m.fix = &fusion.Fix{Point: aim, SigmaM: sigma}
			default:
				continue
			}
		case "track": // a radar's predicted impact
			if !at(target) || s.Position == nil {
				continue
			}
			radar := geo.Point{Lat: s.Position.Lat, Lon: s.Position.Lon}
			cep := math.Max(50, s.ImpactCEPFraction*geo.DistanceM(radar, target)) + e.DispersionM
			m.fix = &fusion.Fix{Point: target, SigmaM: fusion.CEPToSigma(cep)}
		case "crater":
			// A crater lies about the aim point as the rounds scatter
			// (σ = dispersion_m / 2 per axis) and is placed to 5 m.
			if !at(target) {
				continue
			}
			m.fix = &fusion.Fix{Point: target, SigmaM: math.Hypot(e.DispersionM/2, 5)}
		case "weapon":
			if s.LocationSigmaM <= 0 {
				continue
			}
			m.fix = &fusion.Fix{Point: scored, SigmaM: s.LocationSigmaM}
		default:
			// A restriction's checkpoint is given as it is: the truth
			// has no error model for it, so it bounds nothing.
			continue
		}
		out = append(out, m)
	}
	return out
}

// bearingTo is the sight line from pos to the aim point with the sensor's
// σ, and its distance estimate when the sensor gives one: σ of a log-normal
// range error σ_log is d·σ_log, and a sensor that gives a range in only a
// share of its reports contributes that share of the information
// (σ / √share).
func bearingTo(pos, aim geo.Point, s *sim.Sensor) *fusion.Bearing {
	d, az, _ := geo.Inverse(pos, aim)
	b := &fusion.Bearing{Observer: pos, AzimuthDeg: az, SigmaDeg: s.BearingSigmaDeg}
	if s.RangeErrorSigma > 0 && d > 0 {
		share := s.RangeShare
		if share <= 0 || share > 1 {
			share = 1 // no share stated: every report gives a range
		}
		b.RangeM, b.RangeSigmaM = d, d*s.RangeErrorSigma/math.Sqrt(share)
	}
	return b
}

// bound is the Cramér–Rao covariance of e's location from its reports, and
// the median error it predicts; ok is false when the reports do not
// determine a location (a single bearing, none at all, a restriction).
func (g *geometry) bound(e *sim.Event) (cov [2][2]float64, medianM float64, ok bool) {
	var bs []fusion.Bearing
	var fs []fusion.Fix
	for _, m := range g.measurements(e) {
		if m.bearing != nil {
			bs = append(bs, *m.bearing)
		}
		if m.fix != nil {
			fs = append(fs, *m.fix)
		}
	}
	if len(bs) == 0 && len(fs) == 0 {
		return cov, 0, false
	}
	cov, err := fusion.CRLB(geo.Point{Lat: e.Location.Lat, Lon: e.Location.Lon}, bs, fs)
	if err != nil {
		return cov, 0, false
	}
	m := medianRadius(cov)
	if !(m > 0) || math.IsInf(m, 0) {
		return cov, 0, false
	}
	return cov, m, true
}

// medianRadius is the median distance from the mean of a 2-D normal with
// covariance cov: the radius r with P(|x| ≤ r) = ½. With eigenvalues
// λ₁ ≥ λ₂ and x = ρ(√λ₁ cos φ, √λ₂ sin φ), ρ² ~ χ²₂ and φ uniform, so
// P(|x| ≤ r) = mean over φ of 1 − exp(−r² / 2(λ₁cos²φ + λ₂sin²φ)). It
// lies between the line's 0.6745·√λ₁ and the circle's √(2 ln 2)·√λ₁, and
// is found by Newton's method kept inside that bracket. For a circle it is
// the CEP, σ·√(2 ln 2).
func medianRadius(cov [2][2]float64) float64 {
	a, b, c := cov[0][0], (cov[0][1]+cov[1][0])/2, cov[1][1]
	mean, diff := (a+c)/2, math.Hypot((a-c)/2, b)
	l1, l2 := mean+diff, max(mean-diff, 0)
	if !(l1 > 0) || math.IsInf(l1, 0) {
		return 0
	}
	// The integrand is smooth and periodic: the midpoint rule converges
	// fast, and where the ellipse is thin it is saturated at 1.
	const n = 64
	var g [n]float64
	for i := range g {
		phi := (float64(i) + 0.5) * (math.Pi / 2) / n
		c2 := math.Cos(phi) * math.Cos(phi)
		g[i] = l1*c2 + l2*(1-c2)
	}
	within := func(r float64) (p, dp float64) {
		for _, gi := range g {
			if gi <= 0 {
				p++
				continue
			}
			e := math.Exp(-r * r / (2 * gi))
			p += 1 - e
			dp += r / gi * e
		}
		return p / n, dp / n
	}
	s1 := math.Sqrt(l1)
	lo, hi := 0.6744*s1, 1.1775*s1
	r := math.Sqrt(2 * math.Ln2 * (l1 + l2) / 2) // the CEP of the mean variance
	for range 60 {
		p, dp := within(r)
		if p < 0.5 {
			lo = r
		} else {
			hi = r
		}
		next := r - (p-0.5)/dp
		if !(next > lo && next < hi) {
			next = (lo + hi) / 2
		}
		if math.Abs(next-r) <= 1e-12*s1 {
			return next
		}
		r = next
	}
	return r
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
