package fusion

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"slices"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
)

// Event is one physical occurrence fused from every report of it: where
// it happened (for fire: where the rounds landed), where it came from
// when the reports say (the point of origin), when, and from what.
type Event struct {
	ID    string
	Kind  observation.Kind
	Start time.Time
	End   time.Time
	// Location is the estimate of where the event happened; nil when the
	// reports do not determine it (one bearing alone).
	Location *Estimate
	// Origin is the estimated point of origin of fire; nil when unknown.
	Origin *Estimate
	Weapon *observation.Weapon
	Count  int
	// Observations are the reports fused into the event, in the order
	// they arrived (ledger order).
	Observations []observation.Key
	// Sources is the number of distinct sources among them.
	Sources int
	// Marking is the conjunction of the reports' markings (access.Combine).
	Marking []string
	// Version counts the changes: a late report that joins an event makes
	// a new version.
	Version int

	members []member
}

// member is one report as fusion uses it.
type member struct {
	key      observation.Key
	at       time.Time
	sigmaT   float64
	kind     observation.Kind
	weapon   *observation.Weapon
	count    int
	marking  string
	location []Bearing // measurements of Location
	fixes    []Fix
	oBear    []Bearing // measurements of Origin
	oFixes   []Fix
}

// kindGroup puts kinds that may describe one occurrence together: the
// rounds of one firing are heard as explosions, bursts or shots.
func kindGroup(k observation.Kind) string {
	switch k {
	case observation.Explosion, observation.Burst, observation.Shot:
		return "fire"
	}
	return string(k)
}

// measure reads what a report says about the event's place and origin.
func measure(o *observation.Observation) member {
	m := member{key: o.Key(), at: o.ObservedAt, sigmaT: o.TimeSigmaS, kind: o.Kind, weapon: o.Weapon, count: max(o.Count, 1), marking: o.Marking}
	if m.marking == "" {
		m.marking = access.Mission
	}
	if p := o.Location; p != nil && p.Resolved {
		m.fixes = append(m.fixes, Fix{Point: geo.Point{Lat: p.Lat, Lon: p.Lon}, SigmaM: sigmaOf(p, defaultFixSigmaM)})
	}
	if p := o.Origin; p != nil && p.Resolved {
		m.oFixes = append(m.oFixes, Fix{Point: geo.Point{Lat: p.Lat, Lon: p.Lon}, SigmaM: sigmaOf(p, defaultFixSigmaM)})
	}
	if obs := o.Observer; obs != nil && obs.Resolved && o.BearingDeg != nil {
		b := Bearing{Observer: geo.Point{Lat: obs.Lat, Lon: obs.Lon}, AzimuthDeg: *o.BearingDeg, SigmaDeg: sigmaOr(o.BearingSigmaDeg, defaultBearingSigmaDeg)}
		if r := o.Range; r != nil && r.MaxM > 0 {
			b.RangeM, b.RangeSigmaM = (r.MinM+r.MaxM)/2, math.Max((r.MaxM-r.MinM)/4, 50)
		}
		switch o.Fire {
		case observation.Outgoing:
			m.oBear = append(m.oBear, b)
		case observation.Incoming:
			m.location = append(m.location, b)
		default:
			// Could not tell launch from impact: the bearing may point at
			// either place, so it locates neither; it joins by time.
			if o.Kind != observation.Explosion && o.Kind != observation.Burst && o.Kind != observation.Shot {
				m.location = append(m.location, b)
			}
		}
	}
	// A crater's back-bearing points from the crater to the origin.
	if o.OriginBearingDeg != nil && o.Location != nil && o.Location.Resolved {
		m.oBear = append(m.oBear, Bearing{Observer: geo.Point{Lat: o.Location.Lat, Lon: o.Location.Lon},
			AzimuthDeg: *o.OriginBearingDeg, SigmaDeg: sigmaOr(o.OriginBearingSigmaDeg, defaultBearingSigmaDeg)})
	}
	return m
}

// Defaults for reports that leave an uncertainty out.
const (
	defaultFixSigmaM       = 1000 // a location without a CEP
	defaultBearingSigmaDeg = 10
)

func sigmaOf(p *observation.Point, def float64) float64 {
	if p.CEPm != nil && *p.CEPm > 0 {
		return CEPToSigma(*p.CEPm)
	}
	return def
}

func sigmaOr(s, def float64) float64 {
	if s > 0 {
		return s
	}
	return def
}

// refresh recomputes everything derived from the members.
func (e *Event) refresh() {
	var bs, obs []Bearing
	var fs, ofs []Fix
	sources := map[string]bool{}
	var markings []string
	var counts []int
	classes := map[string]int{}
	e.Start, e.End = e.members[0].at, e.members[0].at
	for _, m := range e.members {
		bs, fs = append(bs, m.location...), append(fs, m.fixes...)
		obs, ofs = append(obs, m.oBear...), append(ofs, m.oFixes...)
		sources[m.key.Source] = true
		markings = append(markings, m.marking)
		counts = append(counts, m.count)
		if m.at.Before(e.Start) {
			e.Start = m.at
		}
		if m.at.After(e.End) {
			e.End = m.at
		}
		if m.weapon != nil && m.weapon.Class != "" {
			classes[m.weapon.Class]++
			if e.Weapon == nil || classes[m.weapon.Class] > classes[e.Weapon.Class] ||
				(classes[m.weapon.Class] == classes[e.Weapon.Class] && m.weapon.Class < e.Weapon.Class) {
				e.Weapon = m.weapon
			}
		}
	}
	e.Location, e.Origin = locateOrNil(bs, fs), locateOrNil(obs, ofs)
	e.Sources = len(sources)
	e.Marking = access.Combine(markings...)
	slices.Sort(counts)
	e.Count = counts[len(counts)/2] // monitors miscount; the median resists one wild count
	e.Observations = e.Observations[:0]
	for _, m := range e.members {
		e.Observations = append(e.Observations, m.key)
	}
}

func locateOrNil(bs []Bearing, fs []Fix) *Estimate {
	if len(bs) == 0 && len(fs) == 0 {
		return nil
	}
	est, err := Locate(bs, fs)
	if err != nil {
		return nil
	}
	return &est
}

// eventID names an event after its first report, so that the same reports
// in the same order always give the same ids.
func eventID(first observation.Key) string {
	h := sha256.Sum256([]byte(first.Source + "/" + first.ID))
	return "ev-" + hex.EncodeToString(h[:8])
}

// sortEvents orders events by start time, then id: the API's order.
func sortEvents(es []*Event) {
	slices.SortFunc(es, func(a, b *Event) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}
