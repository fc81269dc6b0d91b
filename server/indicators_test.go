package server_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/assess"
	"github.com/truce-mechanism/truce/coverage"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/guarantee"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/server"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/sqlite"
)

// indNow is the indicators tests' clock: a month into the demo
// agreement's ceasefire (in force from 1 September 2026).
var indNow = time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)

// indEvent is one assessed event as the pipeline stores it.
type indEvent struct {
	id            string
	day           int // of September 2026
	kind          observation.Kind
	count         int
	corroboration string
	violating     bool
	severity      string // of the violation; "high" when not given
	party         string
	marking       string
	weapon        *observation.Weapon
	at            *geo.Point
}

func (e indEvent) record(t testing.TB) store.EventRecord {
	start := time.Date(2026, 9, e.day, 10, 0, 0, 0, time.UTC)
	fe := fusion.Event{ID: e.id, Kind: e.kind, Start: start, End: start.Add(time.Minute), Count: max(e.count, 1), Version: 1, Sources: 2,
		Weapon: e.weapon, Marking: []string{e.marking}, Observations: []observation.Key{{Source: "s", ID: e.id}}}
	if e.at != nil {
		fe.Location = &fusion.Estimate{Point: *e.at, Cov: [2][2]float64{{100, 0}, {0, 100}}}
	}
	a := assess.Assessment{AgreementVersion: "demo-2026-08-22@1", Corroboration: e.corroboration, Violations: []assess.Violation{},
		Attribution: assess.Attribution{Party: e.party, Probability: 0.97, Probabilities: map[string]float64{}}}
	if e.violating {
		sev := cmp.Or(e.severity, "high")
		a.Violations = []assess.Violation{{Rule: "fire-after-ceasefire", AgreementVersion: "demo-2026-08-22@1", Severity: sev}}
		a.Severity = sev
	}
	rec := store.EventRecord{ID: e.id, Version: 1, Start: start, End: fe.End, Kind: string(e.kind), Marking: e.marking,
		Document: server.EventDocument(fe, a), Sequence: 1}
	if e.at != nil {
		rec.Lat, rec.Lon = &e.at.Lat, &e.at.Lon
	}
	return rec
}

// indFixture is a store holding the demo agreement, its events, users of
// the Commission and a party, and a coverage tracker.
type indFixture struct {
	st       store.Store
	versions *agreement.Versions
	demo     *agreement.Agreement
	tokens   map[string]string
}

func newIndFixture(t testing.TB, events []indEvent) *indFixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir()+"/truce.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	demo, err := agreement.Demo()
	if err != nil {
		t.Fatal(err)
	}
	versions := &agreement.Versions{}
	if err := versions.Add(demo); err != nil {
		t.Fatal(err)
	}
	f := &indFixture{st: st, versions: versions, demo: demo, tokens: map[string]string{}}
	for _, o := range []access.Organisation{
		{Code: "USA", Name: "United States", Kind: access.KindParticipant, Commission: true},
		{Code: "RUS", Name: "Russian Federation", Kind: access.KindParty},
	} {
		if err := st.PutOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []struct{ name, org, role string }{{"us.chair", "USA", access.RoleCommissioner}, {"ru.liaison", "RUS", access.RoleLiaison}} {
		f.tokens[u.name] = issueToken(t, st, access.User{Name: u.name, Org: u.org, Roles: []string{u.role}}, indNow.Add(-40*24*time.Hour), 90*24*time.Hour)
	}
	var recs []store.EventRecord
	for _, e := range events {
		recs = append(recs, e.record(t))
	}
	if len(recs) > 0 {
		if err := st.PutEvents(ctx, recs); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// watch is a tracker that saw the whole band along the line of contact
// every hour of the days of September 2026 from first on, but the days
// skipped: wide sensors at most 25 km apart along the line, each reaching
// 40 km. (Coverage of the whole band costs some 0.2 s a day to sum up:
// the tests watch only the days they look at.)
func (f *indFixture) watch(t testing.TB, first int, skip ...int) *coverage.Tracker {
	t.Helper()
	tr := coverage.New(coverage.Config{Footprints: map[string]coverage.Footprint{"wide": {RadiusM: 40000}}})
	sites := geo.Stations(f.demo.Line("contact").Parts, 25000)
	for day := first; day <= 30; day++ {
		if containsInt(skip, day) {
			continue
		}
		for h := range 24 {
			at := time.Date(2026, 9, day, h, 30, 0, 0, time.UTC)
			for i, p := range sites {
				o := &observation.Observation{Source: fmt.Sprintf("wide-%d", i), ID: fmt.Sprintf("%d-%d-%d", day, h, i), Kind: observation.Other,
					ObservedAt: at, Observer: &observation.Point{Lat: p.Lat, Lon: p.Lon, Resolved: true}, Marking: access.Public}
				tr.Add(o, coverage.SourceInfo{Kind: "wide", Org: "USA"})
			}
		}
	}
	return tr
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func (f *indFixture) server(tr *coverage.Tracker) *server.Server {
	return server.New(server.Config{Store: f.st, Agreements: f.versions, Now: func() time.Time { return indNow }, Version: "test", Coverage: tr})
}

// ceasefireJSON is GET /api/v1/ceasefire decoded into the domain's types.
type ceasefireJSON struct {
	Status     guarantee.Status
	Indicators guarantee.Indicators
	Prompts    []string
}

func getCeasefire(t testing.TB, srv *server.Server, token string) ceasefireJSON {
	t.Helper()
	rec := do(srv, "GET", "/api/v1/ceasefire", "", token)
	if rec.Code != 200 {
		t.Fatalf("GET /api/v1/ceasefire → %d: %s", rec.Code, rec.Body)
	}
	var v ceasefireJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	return v
}

func rateOf(t testing.TB, ind guarantee.Indicators, days int, party string) guarantee.Rate {
	t.Helper()
	for _, w := range ind.Windows {
		if w.Days != days {
			continue
		}
		if party == "all" {
			return w.All
		}
		for _, r := range w.Parties {
			if r.Party == party {
				return r
			}
		}
	}
	t.Fatalf("no %d-day rate for %q in %+v", days, party, ind.Windows)
	return guarantee.Rate{}
}

func caliber(mm float64) *float64 { return &mm }

// TestCeasefireIndicatorsCountVerifiedViolations: the ceasefire view's
// rates count the verified violations the reader may see, per party, with
// their Poisson intervals; heavy weapons, fire volume and a strike deep
// beyond the line give what the agreement names.
func TestCeasefireIndicatorsCountVerifiedViolations(t *testing.T) {
	kyiv := &geo.Point{Lat: 50.45, Lon: 30.52} // held by UKR, hundreds of km beyond the line
	f := newIndFixture(t, []indEvent{
		{id: "r1", day: 25, kind: observation.Explosion, corroboration: "verified", violating: true, party: "RUS", marking: "PUBLIC",
			weapon: &observation.Weapon{Class: "artillery", CaliberMM: caliber(152)}},
		{id: "r2", day: 25, kind: observation.Explosion, corroboration: "verified", violating: true, party: "RUS", marking: "PUBLIC"},
		{id: "r3", day: 27, kind: observation.Explosion, corroboration: "confirmed", violating: true, party: "RUS", marking: "PUBLIC", at: kyiv},
		{id: "r-mission", day: 27, kind: observation.Explosion, corroboration: "verified", violating: true, party: "RUS", marking: "MISSION"},
		{id: "r-reported", day: 27, kind: observation.Explosion, corroboration: "reported", violating: true, party: "RUS", marking: "PUBLIC"},
		{id: "r-lawful", day: 27, kind: observation.Explosion, corroboration: "verified", violating: false, party: "RUS", marking: "PUBLIC"},
		{id: "u1", day: 28, kind: observation.Burst, corroboration: "verified", violating: true, party: "UKR", marking: "PUBLIC"},
		{id: "u2", day: 30, kind: observation.Shot, corroboration: "verified", violating: true, party: "UKR", marking: "PUBLIC"},
		{id: "x1", day: 30, kind: observation.Explosion, corroboration: "verified", violating: true, party: assess.Undetermined, marking: "PUBLIC"},
		{id: "old", day: 10, kind: observation.Explosion, corroboration: "verified", violating: true, party: "RUS", marking: "PUBLIC"},
		// A barrage today (1 October): the signs of an armed attack do not wait for midnight.
		{id: "surge", day: 31, kind: observation.Explosion, count: 600, corroboration: "verified", violating: true, party: "RUS", marking: "PUBLIC"},
	})
	srv := f.server(f.watch(t, 24))

	public := getCeasefire(t, srv, "")
	chair := getCeasefire(t, srv, f.tokens["us.chair"])
	for _, c := range []struct {
		who         string
		v           ceasefireJSON
		days        int
		party       string
		count, high int
	}{
		{"public", public, 7, "RUS", 3, 1},
		{"public", public, 7, "UKR", 2, 0},
		{"public", public, 7, guarantee.Undetermined, 1, 0},
		{"public", public, 7, "all", 6, 1},
		{"public", public, 30, "RUS", 4, 1},
		{"chair", chair, 7, "RUS", 4, 1}, // the MISSION event too
		{"chair", chair, 30, "all", 8, 1},
	} {
		r := rateOf(t, c.v.Indicators, c.days, c.party)
		lo, hi := guarantee.PoissonInterval(c.count, guarantee.Confidence)
		d := float64(c.days)
		if r.Count != c.count || r.Heavy != c.high || math.Abs(r.PerDay-float64(c.count)/d) > 1e-9 ||
			math.Abs(r.Low-lo/d) > 1e-9 || math.Abs(r.High-hi/d) > 1e-9 {
			t.Errorf("%s, %d days, %q: %+v; want count %d, heavy %d, %.4f a day in [%.4f, %.4f]", c.who, c.days, c.party, r, c.count, c.high, float64(c.count)/d, lo/d, hi/d)
		}
	}
	// Coverage was full every day of the last week, and none before:
	// the rates say so beside them.
	for _, w := range public.Indicators.Windows {
		if full := w.MeanCoverage * float64(w.Days); full < 6.9 || full > 7 {
			t.Errorf("%d-day window: mean coverage %.3f, %d days without", w.Days, w.MeanCoverage, w.DaysWithoutCoverage)
		}
	}
	// A heavy weapon on the 25th fails the credible-cessation criteria.
	if c := public.Indicators.Cessation; c.Met || !strings.Contains(strings.Join(c.Failures, "\n"), "2026-09-25, 1 verified violations by heavy weapons") {
		t.Errorf("cessation: %+v", c)
	}
	signs := map[string]bool{}
	for _, s := range public.Indicators.AttackSigns {
		if s.Party == "RUS" {
			signs[s.Indicator] = true
		}
		if s.Indicator == "strike_depth" && s.Value < 250 {
			t.Errorf("strike depth of a strike on Kyiv: %+v", s)
		}
	}
	if !signs["fire_volume"] || !signs["strike_depth"] || len(public.Indicators.AttackSigns) != 2 {
		t.Errorf("attack signs: %+v", public.Indicators.AttackSigns)
	}
	prompts := strings.Join(public.Prompts, "\n")
	if !strings.Contains(prompts, "armed attack") || strings.Contains(prompts, "credible cessation") {
		t.Errorf("prompts: %q", public.Prompts)
	}
}

// TestCredibleCessationPromptNeedsCoverage: a quiet fortnight within the
// criteria prompts the Commission — only when the mechanism could see.
// The same events with one day unwatched, or no coverage at all, are not
// a quiet fortnight: no report is never no violation.
func TestCredibleCessationPromptNeedsCoverage(t *testing.T) {
	var quiet []indEvent
	for day := 1; day <= 30; day++ {
		for i := range 2 { // two verified breaches a day, within the demo's five
			quiet = append(quiet, indEvent{id: fmt.Sprintf("q%d-%d", day, i), day: day, kind: observation.Burst, corroboration: "verified",
				violating: true, party: []string{"RUS", "UKR"}[i], marking: "PUBLIC"})
		}
	}
	f := newIndFixture(t, quiet)
	const prompt = "criteria for a credible cessation of hostilities are met"
	for _, c := range []struct {
		name    string
		tracker *coverage.Tracker
		met     bool
		failure string
	}{
		{"watched every day", f.watch(t, 17), true, ""},
		{"one day unwatched", f.watch(t, 17, 27), false, "on 2026-09-27, coverage was 0 %"},
		{"no coverage tracker", nil, false, "on 2026-09-17, no coverage was recorded"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := getCeasefire(t, f.server(c.tracker), "")
			got := v.Indicators.Cessation
			if got.Met != c.met || c.failure != "" && !strings.Contains(strings.Join(got.Failures, "\n"), c.failure) {
				t.Errorf("cessation: %+v", got)
			}
			if has := strings.Contains(strings.Join(v.Prompts, "\n"), prompt); has != c.met || v.Status != guarantee.InForce {
				t.Errorf("status %s, prompts %q", v.Status, v.Prompts)
			}
			if r := rateOf(t, v.Indicators, 14, "all"); r.Count != 28 {
				t.Errorf("14-day rate: %+v", r)
			}
		})
	}
}

// BenchmarkCeasefire50k times GET /api/v1/ceasefire over 30 days of
// stored events: 50,000 events, a fifth of them verified violations,
// without and with 30 days of coverage along the whole line of contact.
// Cold: the server's day caches lapsed (the clock moves on past their
// lifetime between requests); warm: the settled days kept; first: the
// first request a new tracker is asked, which has kept no summary yet
// (as after a start).
func BenchmarkCeasefire50k(b *testing.B) {
	const n = 50_000
	events := make([]indEvent, 0, n)
	for i := range n {
		e := indEvent{id: fmt.Sprintf("ev-%06d", i), day: 1 + i%30, kind: observation.Explosion, corroboration: "reported", party: assess.Undetermined, marking: "PUBLIC"}
		if i%5 == 0 {
			e.corroboration, e.violating, e.party = "verified", true, []string{"RUS", "UKR"}[i/5%2]
		}
		if i%2 == 0 {
			e.violating = true
		}
		events = append(events, e)
	}
	f := newIndFixture(b, events)
	watched := f.watch(b, 1)
	for _, c := range []struct {
		name    string
		tracker *coverage.Tracker
		cold    bool
		first   bool
	}{{"events/cold", nil, true, false}, {"events/warm", nil, false, false}, {"events+coverage/cold", watched, true, false}, {"events+coverage/warm", watched, false, false}, {"events+coverage/first", nil, true, true}} {
		b.Run(c.name, func(b *testing.B) {
			now := indNow
			srv := server.New(server.Config{Store: f.st, Agreements: f.versions, Now: func() time.Time { return now }, Version: "test", Coverage: c.tracker})
			get := func() {
				if c.first {
					b.StopTimer()
					srv = server.New(server.Config{Store: f.st, Agreements: f.versions, Now: func() time.Time { return now }, Version: "test", Coverage: f.watch(b, 1)})
					b.StartTimer()
				}
				if c.cold {
					now = now.Add(11 * time.Minute)
				}
				if rec := do(srv, "GET", "/api/v1/ceasefire", "", f.tokens["us.chair"]); rec.Code != 200 {
					b.Fatalf("%d: %s", rec.Code, rec.Body)
				}
			}
			get()
			for b.Loop() {
				get()
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/request")
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// TestWarmCoverageChangesNothing: a server whose coverage was warmed
// shows every reader the ceasefire view an unwarmed one shows.
func TestWarmCoverageChangesNothing(t *testing.T) {
	f := newIndFixture(t, []indEvent{
		{id: "r1", day: 25, kind: observation.Explosion, corroboration: "verified", violating: true, party: "RUS", marking: "PUBLIC"},
		{id: "r-mission", day: 27, kind: observation.Explosion, corroboration: "verified", violating: true, party: "RUS", marking: "MISSION"},
	})
	cold, warm := f.server(f.watch(t, 24, 27)), f.server(f.watch(t, 24, 27))
	warm.WarmCoverage()
	for _, who := range []string{"", "us.chair", "ru.liaison"} {
		want, got := getCeasefire(t, cold, f.tokens[who]), getCeasefire(t, warm, f.tokens[who])
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: warmed %+v, unwarmed %+v", who, got.Indicators.Windows, want.Indicators.Windows)
		}
		if who == "" && len(want.Indicators.Windows) == 0 {
			t.Fatal("no indicator windows: the test compares nothing")
		}
	}
}
