package coverage

import (
	"slices"
	"sync"
	"time"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"

	"github.com/truce-mechanism/truce/observation"
)

// SourceInfo is what the source registry says of a report's source
// (store.Source): its kind picks its footprint.
type SourceInfo struct {
	Kind string // monitor, sensor, radar, uav, osint
	Org  string
}

// Tracker holds the evidence of coverage, hour by hour, and answers for
// any reader. Add observations in any order (the ledger's is natural);
// the answers depend only on the set added. It is safe for concurrent
// use: one writer and any number of readers.
type Tracker struct {
	cfg Config

	mu    sync.RWMutex
	hours map[int64]*hourState // by hour number (Unix seconds / 3600)
	// footprints caches the grid cells a disc may touch, by centre and
	// radius: a fixed sensor's footprint is worked out once.
	footprints map[discKey][]s2.CellID
	stats      Stats
	// sums keeps what Summarize worked out, hour by hour (sums.go).
	sums sumCache
}

// Stats count what the tracker has been given and holds.
type Stats struct {
	Added        int // observations that added evidence
	Ignored      int // observations that could not: no observer, no footprint, no time
	Hours        int // hours held
	Presences    int // (source, place, marking) triples held, over all hours
	Restrictions int // restriction reports held
}

type hourState struct {
	presence     map[presenceKey]int // → number of reports
	restrictions map[observation.Key]restriction
	// markings of the presences and restrictions, sorted: whether a
	// reader may see any of them is what tells readers' summaries apart.
	markings []string
}

// presenceKey is one source, of one kind, seen working at one place in
// one hour through reports of one marking. Keeping markings apart is what
// lets a reader be shown only what its own markings allow.
type presenceKey struct {
	source, kind, marking string
	site                  s2.CellID // at siteLevel
}

type restriction struct {
	key     observation.Key
	kind    string // of the restricted source
	at      int64  // Unix ms
	site    s2.CellID
	marking string
}

type discKey struct {
	site    s2.CellID
	radiusM float64
}

// New makes an empty tracker.
func New(cfg Config) *Tracker {
	return &Tracker{
		cfg:        cfg.withDefaults(),
		hours:      map[int64]*hourState{},
		footprints: map[discKey][]s2.CellID{},
	}
}

// Config is the configuration in force, defaults applied.
func (t *Tracker) Config() Config {
	c := t.cfg
	c.Footprints = make(map[string]Footprint, len(t.cfg.Footprints))
	for k, v := range t.cfg.Footprints {
		c.Footprints[k] = v
	}
	return c
}

// hourOf numbers the UTC hour holding t.
func hourOf(t time.Time) int64 {
	s := t.Unix()
	h := s / 3600
	if s%3600 < 0 {
		h--
	}
	return h
}

func hourStart(h int64) time.Time { return time.Unix(h*3600, 0).UTC() }

func siteOf(p *observation.Point) (s2.CellID, bool) {
	if p == nil || !p.Resolved {
		return 0, false
	}
	return s2.CellIDFromLatLng(s2.LatLngFromDegrees(p.Lat, p.Lon)).Parent(siteLevel), true
}

// Add takes one observation into account. info is the registry's entry
// for its source. Add each observation once, as the ledger holds it: a
// report added twice counts twice towards its source's usual rate.
//
// What counts:
//   - a report with an observer position shows that its source worked
//     there during the hour of observed_at, over its kind's footprint.
//     The location is not used: it is where the phenomenon was, and for
//     a crater analysis observed_at is when it happened, a day before
//     anyone stood there;
//   - a restriction report denies its source the ground around the place
//     it names (its location, else its observer) from its time on (see
//     Config.RestrictionHold).
func (t *Tracker) Add(o *observation.Observation, info SourceInfo) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if o.ObservedAt.IsZero() {
		t.stats.Ignored++
		return
	}
	marking := o.Marking
	if marking == "" {
		marking = observation.DefaultMarking
	}
	h := hourOf(o.ObservedAt)
	if o.Kind == observation.Restriction {
		site, ok := siteOf(o.Location)
		if !ok {
			site, ok = siteOf(o.Observer)
		}
		if !ok {
			t.stats.Ignored++
			return
		}
		hs := t.hour(h)
		if _, dup := hs.restrictions[o.Key()]; !dup {
			t.stats.Restrictions++
		}
		hs.restrictions[o.Key()] = restriction{key: o.Key(), kind: info.Kind, at: o.ObservedAt.UnixMilli(), site: site, marking: marking}
		hs.mark(marking)
		t.covering(site, t.cfg.RestrictionRadiusM)
		t.sums.invalidate(h, t.reach())
		t.stats.Added++
		return
	}
	fp := t.cfg.Footprints[info.Kind]
	site, ok := siteOf(o.Observer)
	if fp.RadiusM <= 0 || !ok {
		t.stats.Ignored++
		return
	}
	hs := t.hour(h)
	k := presenceKey{source: o.Source, kind: info.Kind, marking: marking, site: site}
	if hs.presence[k] == 0 {
		t.stats.Presences++
		hs.mark(marking)
		t.covering(site, fp.RadiusM)
		// A further report of a presence held changes only a silent
		// sensor's counts, which no summary shows.
		t.sums.invalidate(h, t.reach())
	}
	hs.presence[k]++
	t.stats.Added++
}

// mark notes that the hour holds evidence of marking m.
func (hs *hourState) mark(m string) {
	if i, ok := slices.BinarySearch(hs.markings, m); !ok {
		hs.markings = slices.Insert(hs.markings, i, m)
	}
}

func (t *Tracker) hour(h int64) *hourState {
	hs := t.hours[h]
	if hs == nil {
		hs = &hourState{presence: map[presenceKey]int{}, restrictions: map[observation.Key]restriction{}}
		t.hours[h] = hs
		t.stats.Hours++
	}
	return hs
}

// covering returns the cells a disc may touch, working them out once.
// Callers hold the write lock; readers use footprint, which only looks.
func (t *Tracker) covering(site s2.CellID, radiusM float64) []s2.CellID {
	k := discKey{site, radiusM}
	if c, ok := t.footprints[k]; ok {
		return c
	}
	c := disc(site.Point(), chordM(radiusM))
	t.footprints[k] = c
	return c
}

func (t *Tracker) footprint(site s2.CellID, radiusM float64) []s2.CellID {
	if c, ok := t.footprints[discKey{site, radiusM}]; ok {
		return c
	}
	// Not cached (cannot happen for what Add stored): work it out
	// without caching, as a reader may not write.
	return disc(site.Point(), chordM(radiusM))
}

// Forget drops every hour that ended at or before cutoff, and returns how
// many. State grows with the area and time covered; a server keeps the
// hours it serves (and the stores keep the reports to rebuild older ones).
func (t *Tracker) Forget(cutoff time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	// The hours before the one holding cutoff have ended by then; that
	// one has not, unless cutoff is its very start, and then it is not
	// before cutoff either.
	last := hourOf(cutoff) - 1
	n := 0
	for h, hs := range t.hours {
		if h > last {
			continue
		}
		t.stats.Presences -= len(hs.presence)
		t.stats.Restrictions -= len(hs.restrictions)
		delete(t.hours, h)
		n++
	}
	t.stats.Hours -= n
	if n > 0 {
		t.sums.forget(last, t.reach())
		// Keep only the footprints still referred to.
		used := map[discKey]bool{}
		for _, hs := range t.hours {
			for k := range hs.presence {
				used[discKey{k.site, t.cfg.Footprints[k.kind].RadiusM}] = true
			}
			for _, r := range hs.restrictions {
				used[discKey{r.site, t.cfg.RestrictionRadiusM}] = true
			}
		}
		for k := range t.footprints {
			if !used[k] {
				delete(t.footprints, k)
			}
		}
	}
	return n
}

// Stats reports what the tracker holds.
func (t *Tracker) Stats() Stats {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.stats
}

// chords caches the chord angle of each radius a query uses.
type chords map[float64]s1.ChordAngle

func (c chords) of(m float64) s1.ChordAngle {
	if a, ok := c[m]; ok {
		return a
	}
	a := chordM(m)
	c[m] = a
	return a
}
