package fusion

import (
	"math"
	"slices"
	"time"

	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
)

// Config tunes association. Zero values take the defaults.
type Config struct {
	// Horizon is how late a report may still join an event: events whose
	// last report is older than the newest report's time by more than
	// Horizon are final.
	Horizon time.Duration
	// FireSlack widens the time gate of fire beyond the reports' timing
	// uncertainty: rounds fly and sound travels (an acoustic array reports
	// when the sound arrived, up to a minute after the firing).
	FireSlack time.Duration
	// PlaceGate is the time gate of things that stay put (weapons seen,
	// restrictions), and PlaceDistanceM how near two reports of one must be.
	PlaceGate      time.Duration
	PlaceDistanceM float64
	// MaxRangeM bounds how far a bearing may reach: two sight lines that
	// cross beyond it describe different events.
	MaxRangeM float64
}

// Defaults of Config.
const (
	DefaultHorizon        = 72 * time.Hour
	DefaultFireSlack      = 90 * time.Second
	DefaultPlaceGate      = 2 * time.Hour
	DefaultPlaceDistanceM = 1500
	DefaultMaxRangeM      = 60000
)

func (c Config) withDefaults() Config {
	if c.Horizon == 0 {
		c.Horizon = DefaultHorizon
	}
	if c.FireSlack == 0 {
		c.FireSlack = DefaultFireSlack
	}
	if c.PlaceGate == 0 {
		c.PlaceGate = DefaultPlaceGate
	}
	if c.PlaceDistanceM == 0 {
		c.PlaceDistanceM = DefaultPlaceDistanceM
	}
	if c.MaxRangeM == 0 {
		c.MaxRangeM = DefaultMaxRangeM
	}
	return c
}

// Engine fuses observations one at a time, in ledger order. Its result
// depends only on the observations and their order — no clock, no map
// order, no randomness — so replaying the ledger rebuilds it byte for byte.
type Engine struct {
	cfg Config
	// buckets index events by kind group and time bucket (of the group's
	// gate width) of each report they hold.
	buckets map[bucketKey][]*Event
	events  []*Event // every event, in creation order
	newest  time.Time
	seq     int64
}

type bucketKey struct {
	group string
	slot  int64
}

// NewEngine makes an engine.
func NewEngine(cfg Config) *Engine {
	return &Engine{cfg: cfg.withDefaults(), buckets: map[bucketKey][]*Event{}}
}

// Sequence is the ledger sequence of the last observation fused.
func (g *Engine) Sequence() int64 { return g.seq }

// gate is the time window of a kind group.
func (g *Engine) gate(group string) time.Duration {
	if group == "fire" || group == string(observation.Flare) {
		return g.cfg.FireSlack + 3*time.Minute
	}
	return g.cfg.PlaceGate
}

func (g *Engine) slot(group string, t time.Time) int64 {
	w := int64(g.gate(group))
	s := t.UnixNano()
	if s < 0 {
		return (s - w + 1) / w
	}
	return s / w
}

// Add fuses one observation with ledger sequence seq and returns the
// event it joined or started.
func (g *Engine) Add(seq int64, o *observation.Observation) *Event {
	g.seq = seq
	if o.ObservedAt.After(g.newest) {
		g.newest = o.ObservedAt
	}
	m := measure(o)
	group := kindGroup(m.kind)
	best, bestScore := (*Event)(nil), math.Inf(1)
	s := g.slot(group, m.at)
	seen := map[*Event]bool{}
	for slot := s - 1; slot <= s+1; slot++ {
		for _, e := range g.buckets[bucketKey{group, slot}] {
			if seen[e] {
				continue
			}
			seen[e] = true
			if e.End.Before(g.newest.Add(-g.cfg.Horizon)) {
				continue // final
			}
			score, ok := g.compatible(e, &m, group)
			if ok && (score < bestScore || score == bestScore && best != nil && e.ID < best.ID) {
				best, bestScore = e, score
			}
		}
	}
	if best == nil {
		best = &Event{ID: eventID(m.key), Kind: m.kind}
		g.events = append(g.events, best)
	}
	best.members = append(best.members, m)
	best.Version++
	best.refresh()
	k := bucketKey{group, s}
	if !slices.Contains(g.buckets[k], best) {
		g.buckets[k] = append(g.buckets[k], best)
	}
	return best
}

// compatible decides whether report m can describe event e, and how well
// (lower is better).
func (g *Engine) compatible(e *Event, m *member, group string) (float64, bool) {
	if kindGroup(e.Kind) != group {
		return 0, false
	}
	// Time: the report's uncertainty, the event's, and the group's slack.
	var sigmaE float64
	for _, x := range e.members {
		sigmaE = max(sigmaE, x.sigmaT)
	}
	dt := 0.0
	if m.at.Before(e.Start) {
		dt = e.Start.Sub(m.at).Seconds()
	} else if m.at.After(e.End) {
		dt = m.at.Sub(e.End).Seconds()
	}
	slack := g.cfg.FireSlack.Seconds()
	if group != "fire" && group != string(observation.Flare) {
		slack = g.cfg.PlaceGate.Seconds()
	}
	if dt > 3*math.Hypot(m.sigmaT, sigmaE)+slack {
		return 0, false
	}
	if group != "fire" && group != string(observation.Flare) {
		return g.samePlace(e, m)
	}
	total, n := 0.0, 0
	for origin, part := range []struct {
		est *Estimate
		bs  []Bearing
		fs  []Fix
	}{
		{e.Location, m.location, m.fixes},
		{e.Origin, m.oBear, m.oFixes},
	} {
		if len(part.bs)+len(part.fs) == 0 {
			continue
		}
		if part.est != nil {
			if !nearby(part.est.Point, part.bs, part.fs, g.cfg.MaxRangeM) {
				return 0, false
			}
			sc, ok := residual(part.est, part.bs, part.fs)
			if !ok {
				return 0, false
			}
			total, n = total+sc, n+1
			continue
		}
		// The event has at most sight lines here: the new report must
		// cross them ahead, within range.
		var eb []Bearing
		var ef []Fix
		for _, x := range e.members {
			if origin == 1 {
				eb, ef = append(eb, x.oBear...), append(ef, x.oFixes...)
			} else {
				eb, ef = append(eb, x.location...), append(ef, x.fixes...)
			}
		}
		if len(eb)+len(ef) > 0 {
			if !crossAhead(eb, ef, part.bs, part.fs, g.cfg.MaxRangeM) {
				return 0, false
			}
			total, n = total+1, n+1
		}
	}
	if n == 0 {
		// Nothing to compare in space: only a tight time match may join.
		if dt > 3*math.Hypot(m.sigmaT, sigmaE)+slack {
			return 0, false
		}
		return 4 + dt/60, true
	}
	return total/float64(n) + dt/600, true
}

// nearby is a cheap first test: the fixes within range of p and the
// observers within range of it (flat-earth distance, generous by 10 %).
func nearby(p geo.Point, bs []Bearing, fs []Fix, maxRange float64) bool {
	for _, f := range fs {
		if roughDistanceM(p, f.Point) > maxRange {
			return false
		}
	}
	for _, b := range bs {
		if roughDistanceM(p, b.Observer) > 1.1*maxRange {
			return false
		}
	}
	return true
}

// roughAzimuth is the flat-earth distance and azimuth from a to b: within
// a few tenths of a degree over tens of kilometres, well inside the gates
// (the estimate itself uses geodesics).
func roughAzimuth(a, b geo.Point) (float64, float64) {
	const mPerDeg = 111195.0
	dn := (b.Lat - a.Lat) * mPerDeg
	de := (b.Lon - a.Lon) * mPerDeg * math.Cos((a.Lat+b.Lat)/2*math.Pi/180)
	az := math.Atan2(de, dn) * 180 / math.Pi
	if az < 0 {
		az += 360
	}
	return math.Hypot(de, dn), az
}

// roughDistanceM is an equirectangular distance, within a few per cent
// over tens of kilometres: enough to rule out what is far away.
func roughDistanceM(a, b geo.Point) float64 {
	const mPerDeg = 111195.0
	dlat := (a.Lat - b.Lat) * mPerDeg
	dlon := (a.Lon - b.Lon) * mPerDeg * math.Cos((a.Lat+b.Lat)/2*math.Pi/180)
	return math.Hypot(dlat, dlon)
}

// gateChi2 is how far (in normalised squared residual per measurement) a
// report may lie from an estimate and still describe it: χ² with one
// degree of freedom at 99.9 %.
const gateChi2 = 10.83

// residual scores measurements against an estimate, normalised by both
// uncertainties.
func residual(est *Estimate, bs []Bearing, fs []Fix) (float64, bool) {
	varE := (est.Cov[0][0] + est.Cov[1][1]) / 2
	total, n := 0.0, 0
	for _, f := range fs {
		d := roughDistanceM(f.Point, est.Point)
		r := d * d / (f.SigmaM*f.SigmaM + varE) / 2
		if r > gateChi2 {
			return 0, false
		}
		total, n = total+r, n+1
	}
	for _, b := range bs {
		dist, az := roughAzimuth(b.Observer, est.Point)
		if dist < 1 {
			continue
		}
		res := wrapRad((b.AzimuthDeg - az) * math.Pi / 180)
		sig := b.SigmaDeg * math.Pi / 180
		r := res * res / (sig*sig + varE/(dist*dist))
		if r > gateChi2 {
			return 0, false
		}
		total, n = total+r, n+1
		if b.RangeM > 0 && b.RangeSigmaM > 0 {
			rr := (b.RangeM - dist) * (b.RangeM - dist) / (b.RangeSigmaM*b.RangeSigmaM + varE)
			if rr > gateChi2 {
				return 0, false
			}
			total, n = total+rr, n+1
		}
	}
	if n == 0 {
		return 0, true
	}
	return total / float64(n), true
}

// crossAhead reports whether new measurements agree with an event that
// has no estimate yet (one sight line, or none): a new sight line must
// cross the old one in front of both observers within maxRange; a fix
// must lie on the old sight line's side, within range.
func crossAhead(oldB []Bearing, oldF []Fix, newB []Bearing, newF []Fix, maxRange float64) bool {
	for _, a := range oldB {
		for _, b := range newB {
			est, err := Locate([]Bearing{a, b}, nil)
			if err != nil {
				return false
			}
			if !ahead(a, est.Point, maxRange) || !ahead(b, est.Point, maxRange) {
				return false
			}
		}
		for _, f := range newF {
			if !ahead(a, f.Point, maxRange) {
				return false
			}
		}
	}
	for _, f := range oldF {
		for _, b := range newB {
			if !ahead(b, f.Point, maxRange) {
				return false
			}
		}
	}
	return true
}

// ahead: p lies along the bearing (within 3 σ and a few degrees), in
// front of the observer and within range.
func ahead(b Bearing, p geo.Point, maxRange float64) bool {
	dist, az := roughAzimuth(b.Observer, p)
	if dist > maxRange {
		return false
	}
	if dist < 50 {
		return true
	}
	return math.Abs(wrapRad((b.AzimuthDeg-az)*math.Pi/180)) <= (3*b.SigmaDeg+2)*math.Pi/180
}

// samePlace associates weapon sightings and restrictions: near each other
// and, for weapons, of the same class.
func (g *Engine) samePlace(e *Event, m *member) (float64, bool) {
	if m.weapon != nil && e.Weapon != nil && m.weapon.Class != "" && e.Weapon.Class != "" && m.weapon.Class != e.Weapon.Class {
		return 0, false
	}
	if e.Location == nil || len(m.fixes) == 0 {
		return 0, false
	}
	d := geo.DistanceM(m.fixes[0].Point, e.Location.Point)
	if d > g.cfg.PlaceDistanceM+3*m.fixes[0].SigmaM {
		return 0, false
	}
	return d / g.cfg.PlaceDistanceM, true
}

// Events returns every event, by start time then id.
func (g *Engine) Events() []*Event {
	out := slices.Clone(g.events)
	sortEvents(out)
	return out
}
