package server

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/assess"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/guarantee"
	"github.com/truce-mechanism/truce/store"
)

// The indicators' inputs, gathered from what the mechanism established:
// per UTC day and party, the verified violations (events whose assessment
// breaks a rule and whose corroboration is verified or confirmed), those
// by heavy weapons, the rounds fired, the ground crossings and the deepest
// strike beyond the line; and per day the coverage of the band along the
// line of contact, the same band the daily figures stand beside
// (stats.go). The domain — rates, intervals, criteria, signs — is
// guarantee.Compute's; this file only reads and counts.
//
// Events are the store's final ones and the running engine's, as the
// events route shows them: the engine holds the last days (fusion's
// horizon is 72 h), and leaving them out would make the most recent days
// look quiet, the one reading the criteria must never be given.
// Everything is filtered by the reader's markings (invariant 4): an
// indicator never counts a record its reader may not see.

// indicatorLookbackDays is how many whole days before today the inputs
// cover: the longest window, the credible-cessation window and the
// armed-attack lookback, whichever is longest.
func indicatorLookbackDays(r guarantee.Rules) int {
	n := max(guarantee.AttackLookbackDays, r.Terms.CredibleCessation.WindowDays)
	for _, w := range guarantee.Windows {
		n = max(n, w)
	}
	return n
}

// violationFacts are what the indicators read of one assessed event.
type violationFacts struct {
	Kind          string          `json:"kind"`
	Count         int             `json:"count"`
	Location      *pointJSON      `json:"location"`
	LocationBasis string          `json:"location_basis"`
	Weapon        *weaponJSON     `json:"weapon"`
	Corroboration string          `json:"corroboration"`
	Violations    []violationOut  `json:"violations"`
	Attribution   attributionFact `json:"attribution"`
}

type attributionFact struct {
	Party string `json:"party"`
}

// verified reports whether the event is a verified violation.
func (f *violationFacts) verified() bool {
	return len(f.Violations) > 0 && (f.Corroboration == "verified" || f.Corroboration == "confirmed")
}

// factsOf reads an engine event and its assessment as a stored document
// would give them.
func factsOf(e fusion.Event, a assess.Assessment) violationFacts {
	f := violationFacts{Kind: string(e.Kind), Count: e.Count, Corroboration: a.Corroboration, Attribution: attributionFact{Party: a.Attribution.Party}}
	for _, v := range a.Violations {
		f.Violations = append(f.Violations, violationOut{Rule: v.Rule, AgreementVersion: v.AgreementVersion, Severity: v.Severity})
	}
	if e.Location != nil {
		f.Location = &pointJSON{Lat: e.Location.Point.Lat, Lon: e.Location.Point.Lon}
	}
	if w := e.Weapon; w != nil {
		f.Weapon = &weaponJSON{Class: w.Class, CaliberMM: w.CaliberMM, System: w.System}
	}
	return f
}

// heavyWeapon says whether a weapon is heavy in the sense of the
// credible-cessation criteria: artillery of 100 mm and above, multiple
// rocket launchers, tanks and missiles — the weapons the Minsk package
// withdrew furthest (50, 70 and 140 km) and its 2015 addendum's tanks. An
// artillery piece of unknown calibre is not assumed heavy, as
// agreement.WeaponSpec.Matches does not assume it. (This belongs in
// guarantee beside DayCounts.HeavyWeapon; it is here until it moves.)
func heavyWeapon(w *weaponJSON) bool {
	if w == nil {
		return false
	}
	switch w.Class {
	case "mlrs", "tank", "missile":
		return true
	case "artillery":
		return w.CaliberMM != nil && *w.CaliberMM >= 100
	}
	return false
}

func isFireKind(kind string) bool { return kind == "explosion" || kind == "burst" || kind == "shot" }

// dayKey is a UTC day and a party.
type dayKey struct {
	day   time.Time
	party string
}

// indicatorCounter adds verified violations up per day and party.
type indicatorCounter struct {
	r        guarantee.Rules
	versions *agreement.Versions
	sums     map[dayKey]*guarantee.DayCounts
}

func newIndicatorCounter(r guarantee.Rules, versions *agreement.Versions) *indicatorCounter {
	return &indicatorCounter{r: r, versions: versions, sums: map[dayKey]*guarantee.DayCounts{}}
}

// add counts one event, started at start, if it is a verified violation.
func (c *indicatorCounter) add(start time.Time, f *violationFacts) {
	if !f.verified() {
		return
	}
	party := f.Attribution.Party
	if party == assess.Undetermined {
		party = guarantee.Undetermined
	}
	k := dayKey{midnightUTC(start), party}
	s := c.sums[k]
	if s == nil {
		s = &guarantee.DayCounts{Day: k.day, Party: party}
		c.sums[k] = s
	}
	s.Verified++
	if heavyWeapon(f.Weapon) {
		s.HeavyWeapon++
	}
	if isFireKind(f.Kind) {
		s.Rounds += max(f.Count, 1)
	}
	if party == guarantee.Undetermined || f.Location == nil || !measured(f.LocationBasis) || !isFireKind(f.Kind) && f.Kind != "movement" {
		return
	}
	// Beyond the line: the place is on ground another party controls.
	a := c.versions.InForce(start)
	if a == nil {
		return
	}
	pt := geo.Point{Lat: f.Location.Lat, Lon: f.Location.Lon}
	if other := a.ControllingParty(pt); other == "" || other == party {
		return
	}
	if f.Kind == "movement" {
		s.GroundCrossings++
		return
	}
	if l := a.Line(c.r.Terms.ArmedAttack.Line); l != nil {
		s.MaxStrikeDepthKM = max(s.MaxStrikeDepthKM, l.Geo.DistanceM(pt)/1000)
	}
}

// counts are the sums in (day, party) order.
func (c *indicatorCounter) counts() []guarantee.DayCounts {
	out := make([]guarantee.DayCounts, 0, len(c.sums))
	for _, s := range c.sums {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b guarantee.DayCounts) int {
		if c := a.Day.Compare(b.Day); c != 0 {
			return c
		}
		return cmp.Compare(a.Party, b.Party)
	})
	return out
}

func midnightUTC(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// indicatorInputs gathers the daily counts and coverage the indicators
// at now are computed from, as rd may see them: every day from the
// lookback's first to today so far (the signs of an armed attack read
// today; the rates and criteria only whole days).
func (s *Server) indicatorInputs(ctx context.Context, rd access.Reader, r guarantee.Rules, now time.Time) ([]guarantee.DayCounts, []guarantee.DayCoverage, error) {
	today := midnightUTC(now)
	since := today.AddDate(0, 0, -indicatorLookbackDays(r))
	until := today.AddDate(0, 0, 1)

	engine := newIndicatorCounter(r, s.agreements)
	inEngine := map[string]bool{}
	engineDays := map[time.Time]bool{} // days whose stored counts leave out an event the engine holds
	if s.fusion != nil {
		for _, e := range s.fusion.Events() {
			start := e.Start.Truncate(time.Microsecond).UTC()
			if start.Before(since) || !start.Before(until) || !rd.CanSeeAll(e.Marking) || e.Tentative {
				continue
			}
			inEngine[e.ID] = true
			engineDays[midnightUTC(start)] = true
			var a assess.Assessment
			if s.assess != nil {
				a = s.assess(e)
			}
			f := factsOf(e, a)
			engine.add(start, &f)
		}
	}
	counts := engine.counts()

	// The store's final events: the settled days from the cache, the
	// rest read.
	key := dayCacheKey{source: s.store, rules: r.Digest, who: visibilityOf(rd)}
	for _, day := range storedCounts.get(key, since, until, now) {
		counts = append(counts, day...)
		since = since.AddDate(0, 0, 1)
	}
	stored := newIndicatorCounter(r, s.agreements)
	q := store.EventQuery{Since: since, Until: until, Tentative: new(false)}
	if !rd.All {
		q.Markings = rd.CanSee
	}
	recs, _, err := s.store.Events(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	for _, rec := range recs {
		// Most events break no rule or are not verified: skip them
		// without decoding (the document is the server's own rendering).
		if inEngine[rec.ID] || !bytes.Contains(rec.Document, []byte(`"rule"`)) ||
			!bytes.Contains(rec.Document, []byte(`"verified"`)) && !bytes.Contains(rec.Document, []byte(`"confirmed"`)) {
			continue
		}
		var f violationFacts
		if err := json.Unmarshal(rec.Document, &f); err != nil {
			return nil, nil, err
		}
		stored.add(rec.Start, &f)
	}
	byDay := map[time.Time][]guarantee.DayCounts{}
	for _, c := range stored.counts() {
		byDay[c.Day] = append(byDay[c.Day], c)
		counts = append(counts, c)
	}
	for d := since; d.Before(until); d = d.AddDate(0, 0, 1) {
		if !engineDays[d] { // a restarted engine re-fusing an old day: its events go back to the store soon
			storedCounts.put(key, d, byDay[d], now)
		}
	}
	return counts, s.dailyCoverage(rd, r, today.AddDate(0, 0, -indicatorLookbackDays(r)), today), nil
}

// dailyCoverage is the share of the band along the line of contact the
// mechanism could see on each whole day in [since, until), from the
// reports rd may see; none at all without a coverage tracker, so that
// every day then counts as unseen.
func (s *Server) dailyCoverage(rd access.Reader, r guarantee.Rules, since, until time.Time) []guarantee.DayCoverage {
	if s.coverage == nil || !until.After(since) {
		return nil
	}
	a := s.agreements.Get(r.Agreement, r.Version)
	if a == nil {
		return nil
	}
	band := frontBand(a)
	if band.Len() == 0 {
		return nil
	}
	now := s.now()
	key := dayCacheKey{source: s.coverage, rules: a.Digest(), who: visibilityOf(rd)}
	out := dayCoverage.get(key, since, until, now)
	from := since.AddDate(0, 0, len(out)) // the first day not known
	if from.Before(until) {
		for _, sum := range s.coverage.Summarize(from, until, 24*time.Hour, band, rd.CanSee) {
			dc := guarantee.DayCoverage{Day: sum.From, Share: sum.Fraction}
			out = append(out, dc)
			dayCoverage.put(key, dc.Day, dc, now)
		}
	}
	return out
}

// What a settled day holds is kept for a while. Coverage of a day is
// costly to work out the first time (the band along a 1,000 km line is
// some 2,000 cells, a day 24 hours of each: up to 0.2 s a day; the
// tracker then keeps each hour's share, a few milliseconds a month
// after), and reading 30 days
// of stored events is too (about 10 µs an event from SQLite); both settle
// once no report on the day can still come in and no event of it can
// still change — fusion's weapon gate after its end, the longest an event
// stays open (a weapon in position, seen again days later) — and the
// store's events of a day then are its final ones. A settled day is kept for dayCacheTTL, per source
// (tracker or store), agreement version and what the reader may see; the
// days still open are worked out on every request. A report later than
// the horizon, or a new assessment of an old event, shows within the TTL.
const (
	daySettles  = max(fusion.DefaultHorizon, fusion.DefaultWeaponGate)
	dayCacheTTL = 10 * time.Minute
)

type dayCacheKey struct {
	source any    // the coverage tracker or the store
	rules  string // the agreement version's digest
	who    string // visibilityOf the reader
}

type dayEntry[V any] struct {
	v                 V
	computed, expires time.Time
}

// dayCache keeps per-day values of settled days, and of open days for
// openTTL when it is set.
type dayCache[V any] struct {
	openTTL time.Duration
	mu      sync.Mutex
	days    map[dayCacheKey]map[time.Time]dayEntry[V]
}

// The coverage of the days still open is kept for a minute too: working
// it out is what a request costs most, and a share a minute old errs, if
// at all, on the cautious side (late reports only add coverage). The
// counts of open days are not: an event that moved from the engine to
// the store meanwhile would be in neither.
var (
	dayCoverage  = dayCache[guarantee.DayCoverage]{openTTL: time.Minute, days: map[dayCacheKey]map[time.Time]dayEntry[guarantee.DayCoverage]{}}
	storedCounts = dayCache[[]guarantee.DayCounts]{days: map[dayCacheKey]map[time.Time]dayEntry[[]guarantee.DayCounts]{}}
)

// cacheable says whether values derived from source may be kept under
// it: only a pointer (a tracker, a store) names one source for good.
func cacheable(source any) bool {
	return source != nil && reflect.ValueOf(source).Kind() == reflect.Pointer
}

func (e dayEntry[V]) fresh(now time.Time) bool {
	return !now.Before(e.computed) && now.Before(e.expires)
}

// get returns the values kept for the days from since on, in day order,
// up to the first day not kept.
func (c *dayCache[V]) get(k dayCacheKey, since, until, now time.Time) []V {
	if !cacheable(k.source) {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []V
	days := c.days[k]
	for d := since; d.Before(until); d = d.AddDate(0, 0, 1) {
		e, ok := days[d]
		if !ok || !e.fresh(now) {
			break
		}
		out = append(out, e.v)
	}
	return out
}

// put keeps a day's value if the day has settled (or for openTTL if it
// has not), and forgets what has gone stale.
func (c *dayCache[V]) put(k dayCacheKey, day time.Time, v V, now time.Time) {
	ttl := dayCacheTTL
	if now.Before(day.Add(24*time.Hour + daySettles)) {
		ttl = c.openTTL
	}
	if ttl <= 0 || !cacheable(k.source) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	days := c.days[k]
	if days == nil {
		days = map[time.Time]dayEntry[V]{}
		c.days[k] = days
	}
	for d, e := range days {
		if !e.fresh(now) {
			delete(days, d)
		}
	}
	days[day] = dayEntry[V]{v: v, computed: now, expires: now.Add(ttl)}
}

// visibilityOf names what a reader may see (access.Reader.CanSee reads
// nothing else): readers of one name see the same markings.
func visibilityOf(rd access.Reader) string {
	switch {
	case rd.All:
		return "all"
	case rd.Org == "":
		return "public"
	}
	return fmt.Sprintf("%s/%s/%t", rd.Org, rd.OrgKind, rd.Commission && slices.Contains(rd.Roles, access.RoleCommissioner))
}

// WarmCoverage works out, once, the daily coverage the ceasefire view
// reads — the band along the line of contact of the agreement in force,
// over the indicators' lookback — as a reader who may see every marking.
// The tracker keeps each hour's share of it (coverage/sums.go), so the
// first reader after a start, whose visible markings of that evidence are
// the same (commonly all of it is MISSION), does not wait the seconds a
// month of the band costs to sum the first time. truce serve calls it
// once fusion has caught up with the stored reports. What readers are
// shown does not change (TestWarmCoverageChangesNothing).
func (s *Server) WarmCoverage() {
	now := s.now()
	a := s.agreements.InForce(now)
	if a == nil || s.coverage == nil {
		return
	}
	r := guarantee.RulesFrom(a)
	today := midnightUTC(now)
	s.dailyCoverage(access.Reader{Name: "coverage warm-up", All: true}, r, today.AddDate(0, 0, -indicatorLookbackDays(r)), today)
}
