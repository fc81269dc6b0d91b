package fusion

import (
	"math"
	"slices"
	"time"

	"github.com/truce-mechanism/truce/observation"
)

// Config tunes association. Zero values take the defaults.
type Config struct {
	// Horizon is how late a report may still join an event: events whose
	// last report is older than the newest report's time by more than
	// Horizon are final.
	Horizon time.Duration
	// FireSlack is how far apart reports of one firing may time it beyond
	// their stated uncertainty and the travel of its sound: a salvo lasts,
	// and reporters time different rounds of it.
	FireSlack time.Duration
	// PlaceGate is the time gate of restrictions and other things that
	// stay put for a while; WeaponGate that of weapons seen in position,
	// which stay for days (0: DefaultWeaponGate, or the Horizon if
	// longer); a weapon's event stays open that long after its last
	// sighting, so that a patrol or UAV passing again days later adds to
	// it rather than reporting it anew. PlaceDistanceM is how far apart
	// the things of one checkpoint or one firing position may stand,
	// beyond the reports' location errors.
	PlaceGate      time.Duration
	WeaponGate     time.Duration
	PlaceDistanceM float64
	// MaxRangeM bounds how far a sight line may reach: two sight lines that
	// cross beyond it describe different events.
	MaxRangeM float64
	// MaxFlight is the longest a round flies, which bounds how long after
	// its launch a firing's impact is heard; MaxFireRangeM how far from its
	// point of origin it lands.
	MaxFlight     time.Duration
	MaxFireRangeM float64
}

// Defaults of Config.
const (
	DefaultHorizon        = 72 * time.Hour
	DefaultFireSlack      = 2 * time.Second
	DefaultPlaceGate      = 2 * time.Hour
	DefaultWeaponGate     = 7 * 24 * time.Hour
	DefaultPlaceDistanceM = 300
	DefaultMaxRangeM      = 60000
	DefaultMaxFlight      = 5 * time.Minute
	DefaultMaxFireRangeM  = 70000
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
	if c.WeaponGate == 0 {
		c.WeaponGate = max(DefaultWeaponGate, c.Horizon)
	}
	if c.PlaceDistanceM == 0 {
		c.PlaceDistanceM = DefaultPlaceDistanceM
	}
	if c.MaxRangeM == 0 {
		c.MaxRangeM = DefaultMaxRangeM
	}
	if c.MaxFlight == 0 {
		c.MaxFlight = DefaultMaxFlight
	}
	if c.MaxFireRangeM == 0 {
		c.MaxFireRangeM = DefaultMaxFireRangeM
	}
	return c
}

// Physical bounds the time gates rest on.
const (
	// soundSpeedMinMps: sound in cold air; a report timed when the sound
	// arrived lags the event by at most the distance over it.
	soundSpeedMinMps = 320.0
	// soundSpeedMps and soundSpread: the speed of sound near the ground
	// between -20 and +35 °C, 340 m/s within 4 %.
	soundSpeedMps = 340.0
	soundSpread   = 0.04
	// roundSpeedMinMps: the slowest mean speed of a round over its flight
	// (a mortar bomb lobbed high), bounding its time of flight by range.
	roundSpeedMinMps = 100.0
	// roundSpeedMaxMps: the fastest (a tank's kinetic round).
	roundSpeedMaxMps = 2000.0
	// minFlightBoundS: short flights may still take this long (a mortar
	// bomb lobbed high over a short range).
	minFlightBoundS = 30.0
	// timeSigmas: how many of its standard deviations a report's time may
	// be off.
	timeSigmas = 3.0
	// fireSlotS: the width of the time buckets fire is indexed by.
	fireSlotS = 60.0
)

// Engine fuses observations one at a time, in ledger order. Its result
// depends only on the observations and their order — no clock, no map
// order, no randomness — so replaying the ledger rebuilds it byte for byte.
type Engine struct {
	cfg Config
	// buckets index active events by kind group and time bucket of the
	// span in which a report may still join them.
	buckets map[bucketKey][]*Event
	// cells index active fire events also by the place of their
	// estimates, in coarse time buckets (spatial.go).
	cells   map[cellKey]cellList
	events  []*Event // active events, in creation order
	newest  float64  // the newest report time, Unix seconds
	seq     int64
	created int64
	ord     int64 // reports fused, to keep members in arrival order
	epoch   uint64
	cands   []*Event
	candAt  []*[2]cellPos // where each of cands is filed (near, bestMatch)
	scratch []*member
	queue   []member // Add's reports to place
	// Scratch buffers of the steps that run on every change, reused so
	// that they do not allocate each time: summarise, agreement,
	// bestMatch.
	sumBuf   summaryBuffers
	agreeBuf agreementBuffers
	matchBuf []matchMemo
	order    []bounded
	goneN    int // merged events still listed in events
	// calib is what has been learned of each source's accuracy
	// (calibrate.go).
	calib    map[string]*sourceFit
	calibAll sourceFit // all sources together
	// reach is what has been learned of how far each source's sight
	// lines end from its observer (sightline.go).
	reach    map[string]*sourceFit
	reachAll sourceFit
	fireAll  sourceFit // distances from launch to impact of placed firings (fireRange)
	// fireRangeM is fireRange as of fireRangeAt samples.
	fireRangeM  float64
	fireRangeAt int
	// tallies count each class of reports and how many are corroborated,
	// swept is the last sweep's tentativeSweepS and settled the last
	// settleEveryS that settled lone lines (tentative.go).
	tallies map[classKey]*classTally
	swept   int64
	settled int64
	// strings holds one copy of each source and marking seen
	// (fast_intern.go).
	strings map[string]string
	// lone lists, by source, the events that are one stated sight line
	// of that source alone (halves.go, turnLone); entries that stopped
	// being so are dropped as they are met, and at each sweep.
	lone map[string][]*Event
	// holding lists the events that hold a sight line for its time alone
	// (gross.go), so that a new event looks for its first report among
	// them, not among all it meets.
	holding []*Event
}

type bucketKey struct {
	group string
	slot  int64
}

// Nothing reports whether a report describes no phenomenon at any place:
// kind "other" with neither a location, an origin nor a sight line — a
// fixed sensor's heartbeat, saying only that it was working there (which
// coverage reads). It is no event.
func Nothing(o *observation.Observation) bool {
	return o.Kind == observation.Other && o.Location == nil && o.Origin == nil && o.BearingDeg == nil
}

// NewEngine makes an engine.
func NewEngine(cfg Config) *Engine {
	return &Engine{cfg: cfg.withDefaults(), buckets: map[bucketKey][]*Event{}, cells: map[cellKey]cellList{}, calib: map[string]*sourceFit{}, reach: map[string]*sourceFit{}, tallies: map[classKey]*classTally{}, newest: math.Inf(-1), swept: math.MinInt64, settled: math.MinInt64}
}

// Sequence is the ledger sequence of the last observation fused.
func (g *Engine) Sequence() int64 { return g.seq }

// Add fuses one observation with ledger sequence seq and returns the
// event it joined or started — nil for a report of nothing (Nothing).
func (g *Engine) Add(seq int64, o *observation.Observation) *Event {
	g.seq = seq
	if Nothing(o) {
		// Its time still moves the horizon on: the sensor was working then.
		g.newest = max(g.newest, unixSeconds(o.ObservedAt))
		g.sweep()
		return nil
	}
	m := measure(o, g.SigmaScale(o.Source))
	m.key.Source, m.marking = g.interned(m.key.Source), g.interned(m.marking)
	if m.bearing != nil {
		m.bearing.reachM = g.reachBound(o.Source) // as known when it arrives
	}
	g.ord++
	m.ord, m.lseq, m.obs = g.ord, seq, o
	g.newest = max(g.newest, m.at)
	// The reports to place: this one, then any an audit takes out. The
	// engine's buffer, not a fresh one: a member is a few hundred bytes,
	// and every report would otherwise allocate one.
	queue := append(g.queue[:0], m)
	var landed *Event
	for next := 0; next < len(queue); next++ {
		x := queue[next]
		e := g.associate(&x, kindGroup(x.kind), x.ord == m.ord && landed == nil)
		created := e == nil
		if created {
			g.created++
			e = &Event{ID: eventID(x.key, x.ejected), Kind: x.kind, group: kindGroup(x.kind), seq: g.created, slotLo: 1, slotHi: 0, cellLo: 1, cellHi: 0}
			g.events = append(g.events, e)
		}
		e.members = append(e.members, x)
		if x.gross {
			g.hold(e)
		}
		if x.ord == m.ord {
			landed = e
		}
		e.Version++
		g.refresh(e)
		queue = g.auditAll(e, queue)
		g.reindex(e)
		e = g.mergeAround(e, &queue)
		if created {
			queue = g.reclaimGross(e, queue)
		}
	}
	clear(queue) // it holds reports the buffer should not keep alive
	g.queue = queue[:0]
	g.sweep()
	for landed != nil && landed.into != nil {
		landed = landed.into
	}
	return landed
}

// auditAll takes out of e, one at a time, the reports that no longer
// agree with the rest of it, reversing the stated direction of fire of
// those that agree with the other phase instead; the others are queued
// to be placed again.
func (g *Engine) auditAll(e *Event, queue []member) []member {
	for range len(e.members) {
		i, flip := g.audit(e)
		if i < 0 {
			break
		}
		m := &e.members[i]
		if flip {
			m.phase = 1 - m.phase
			m.flipped = true
		} else {
			out := *m
			out.ejected++
			out.assigned = phaseEither
			e.members = slices.Delete(e.members, i, i+1)
			queue = append(queue, out)
		}
		e.Version++
		g.refresh(e)
	}
	return queue
}

// slotWidth is the width in seconds of a group's time buckets.
func (g *Engine) slotWidth(group string) float64 {
	switch group {
	case "fire":
		return fireSlotS
	case string(observation.WeaponSighting):
		return g.cfg.WeaponGate.Seconds()
	}
	return g.cfg.PlaceGate.Seconds()
}

// finalBefore: an event of group whose last report is older than this is
// final — older than the newest report by the Horizon, or for a weapon
// in position by its gate if longer.
func (g *Engine) finalBefore(group string) float64 {
	h := g.cfg.Horizon.Seconds()
	if group == string(observation.WeaponSighting) {
		h = max(h, g.cfg.WeaponGate.Seconds())
	}
	return g.newest - h
}

// placeGate is how long apart reports of a thing that stays put may be.
func (g *Engine) placeGate(group string) float64 {
	if group == string(observation.WeaponSighting) {
		return g.cfg.WeaponGate.Seconds()
	}
	return g.cfg.PlaceGate.Seconds()
}

func (g *Engine) slots(group string, s span) (int64, int64) {
	w := g.slotWidth(group)
	return int64(math.Floor(s.lo / w)), int64(math.Floor(s.hi / w))
}

// reach is the span in which a report may still join an event: for fire
// the hull of its launch and impact windows; for the rest the window.
func (e *Event) reach() span {
	if e.group == "fire" {
		return span{min(e.win[0].lo, e.win[1].lo), max(e.win[0].hi, e.win[1].hi)}
	}
	return e.win[phaseImpact]
}

// reindex files e under the buckets its reach covers now, and a fire
// event under the cells of its estimates in them.
func (g *Engine) reindex(e *Event) {
	lo, hi := g.slots(e.group, e.reach())
	if e.group == "fire" {
		g.refile(e)
	}
	if lo == e.slotLo && hi == e.slotHi {
		return
	}
	g.unbucket(e)
	for s := lo; s <= hi; s++ {
		k := bucketKey{e.group, s}
		g.buckets[k] = append(g.buckets[k], e)
	}
	e.slotLo, e.slotHi = lo, hi
}

// unindex takes e out of the buckets and cells.
func (g *Engine) unindex(e *Event) {
	g.unbucket(e)
	g.unfileCells(e)
}

func (g *Engine) unbucket(e *Event) {
	for s := e.slotLo; s <= e.slotHi; s++ {
		k := bucketKey{e.group, s}
		b := g.buckets[k]
		if i := slices.Index(b, e); i >= 0 {
			b = slices.Delete(b, i, i+1)
		}
		if len(b) == 0 {
			delete(g.buckets, k)
		} else {
			g.buckets[k] = b
		}
	}
	e.slotLo, e.slotHi = 1, 0
}

// candidates lists the active events of group whose reach overlaps s, in
// no particular order: callers break ties by creation order.
func (g *Engine) candidates(group string, s span, except *Event) []*Event {
	g.epoch++
	out := g.cands[:0]
	lo, hi := g.slots(group, s)
	final := g.finalBefore(group)
	for slot := lo; slot <= hi; slot++ {
		for _, e := range g.buckets[bucketKey{group, slot}] {
			if e.mark == g.epoch || e == except || e.gone {
				continue
			}
			e.mark = g.epoch
			if e.last < final || !e.reach().overlaps(s) {
				continue
			}
			out = append(out, e)
		}
	}
	g.cands = out
	return out
}

// TakeFinal removes from the engine, and returns by start time then id,
// the events that have become final since the last call: their last
// report is older than the newest report's time less the Horizon (a
// weapon's: its gate, when longer; finalBefore), so no
// report can join or change them any more. A caller that keeps them (a
// store) and calls TakeFinal now and then holds the engine's memory to
// the events of one horizon, however long the history. Final events
// taken are no longer in Events; together the two give what an engine
// that never retires would give.
func (g *Engine) TakeFinal() []*Event {
	var out []*Event
	keep := g.events[:0]
	for _, e := range g.events {
		switch {
		case e.gone:
		case e.last < g.finalBefore(e.group):
			g.unindex(e)
			// What only association needed goes with it; what its
			// snapshot shows stays (the reports, for assessment, so that
			// they need not be read back from the store).
			e.LastSequence, e.Reports = e.lastSequence(), e.reports()
			// Its reports stay counted in the class tallies: they are history.
			e.gone, e.members, e.meas, e.fits, e.windowOf, e.tallied = true, nil, [2]measured{}, [2][2]fitMemo{}, [2]windowMemo{}, nil
			out = append(out, e)
		default:
			keep = append(keep, e)
		}
	}
	clear(g.events[len(keep):])
	g.events = keep
	g.goneN = 0
	sortEvents(out)
	return out
}

// Events returns every active event, by start time then id.
func (g *Engine) Events() []*Event {
	out := make([]*Event, 0, len(g.events))
	for _, e := range g.events {
		if !e.gone {
			out = append(out, e)
		}
	}
	sortEvents(out)
	return out
}
