package sim

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
)

var start = time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC)

// runs caches one run per config: the tests below read the same runs.
var runs sync.Map

func run(t testing.TB, cfg Config) *Result {
	t.Helper()
	key := fmt.Sprintf("%s/%d/%v/%v/%v/%d/%+v", cfg.Scenario, cfg.Seed, cfg.Start.UnixMilli(), cfg.Duration, cfg.Scale, cfg.LayoutSeed, cfg.Errors)
	if r, ok := runs.Load(key); ok {
		return r.(*Result)
	}
	r, err := Run(cfg)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	runs.Store(key, r)
	return r
}

func files(t testing.TB, r *Result) (obs, truth, sources []byte) {
	t.Helper()
	var o, tr, s bytes.Buffer
	if err := r.WriteObservations(&o); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteTruth(&tr); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteSources(&s); err != nil {
		t.Fatal(err)
	}
	return o.Bytes(), tr.Bytes(), s.Bytes()
}

// configs are the runs every property below is checked on.
func configs() []Config {
	var out []Config
	for _, sc := range Scenarios() {
		for _, seed := range []uint64{1, 2} {
			out = append(out, Config{Scenario: sc.Name, Seed: seed, Start: start, Duration: 6 * time.Hour})
		}
	}
	// a night and a day and a night, from an afternoon start
	out = append(out, Config{Scenario: "violations", Seed: 3, Start: start.Add(13 * time.Hour), Duration: 30 * time.Hour})
	return out
}

func TestDeterministic(t *testing.T) {
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			cfg := Config{Scenario: sc.Name, Seed: 7, Start: start, Duration: 6 * time.Hour}
			a, err := Run(cfg)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Run(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ao, at, as := files(t, a)
			bo, bt, bs := files(t, b)
			if !bytes.Equal(ao, bo) || !bytes.Equal(at, bt) || !bytes.Equal(as, bs) {
				t.Fatal("the same config gave different bytes")
			}
			cfg.Seed = 8
			c, err := Run(cfg)
			if err != nil {
				t.Fatal(err)
			}
			co, ct, _ := files(t, c)
			if bytes.Equal(ao, co) || bytes.Equal(at, ct) {
				t.Fatal("seeds 7 and 8 gave the same run")
			}
		})
	}
}

func resolveMGRS(ref string) (float64, float64, error) {
	p, err := geo.MGRSToLatLon(ref)
	return p.Lat, p.Lon, err
}

// TestObservationsValid holds every line to the intake contract, parsed as
// the intake would at the moment the report arrives (so no observed_at
// lies in the future of its arrival) and at a fixed "now" after the last.
func TestObservationsValid(t *testing.T) {
	for _, cfg := range configs() {
		t.Run(fmt.Sprintf("%s-%d-%v", cfg.Scenario, cfg.Seed, cfg.Duration), func(t *testing.T) {
			r := run(t, cfg)
			obs, _, _ := files(t, r)
			docs, err := observation.Decode(observation.MediaNDJSON, obs)
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != r.Observations() || len(docs) == 0 {
				t.Fatalf("%d documents decoded, %d written", len(docs), r.Observations())
			}
			now := time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)
			kinds := map[observation.Kind]int{}
			for i, d := range docs {
				_, arrival := r.Line(i)
				for _, at := range []time.Time{time.UnixMilli(arrival).UTC(), now} {
					o, errs := observation.Parse(d, at, resolveMGRS)
					if len(errs) > 0 {
						t.Fatalf("line %d, received %s: %s\n%s", d.Line, at.Format(time.RFC3339), observation.Summary(errs, 0), d.Canonical)
					}
					if len(o.Warnings) > 0 {
						t.Fatalf("line %d: %v", d.Line, o.Warnings)
					}
					kinds[o.Kind]++
					if o.ObservedAt.After(at) {
						t.Fatalf("line %d: observed at %v, after its arrival %v", d.Line, o.ObservedAt, at)
					}
				}
			}
			if kinds[observation.Explosion] == 0 {
				t.Errorf("no explosions reported: %v", kinds)
			}
		})
	}
}

type key struct{ source, id string }

// TestTruthConsistent checks the truth against the reports and the
// agreement: every report is in the truth once and vice versa, with its
// arrival; firing positions lie in the firing party's area and aim points
// in the other's, within the weapon's range; violations name rules the
// agreement has.
func TestTruthConsistent(t *testing.T) {
	a, err := agreement.Demo()
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]bool{}
	for _, r := range a.Rules {
		rules[r.ID] = true
	}
	for _, cfg := range configs() {
		t.Run(fmt.Sprintf("%s-%d-%v", cfg.Scenario, cfg.Seed, cfg.Duration), func(t *testing.T) {
			r := run(t, cfg)
			tr := r.Truth
			emitted := map[key]int64{}
			last := int64(math.MinInt64)
			for i := range r.Observations() {
				line, arrival := r.Line(i)
				docs, err := observation.Decode(observation.MediaJSON, line)
				if err != nil {
					t.Fatal(err)
				}
				o, errs := observation.Parse(docs[0], time.UnixMilli(arrival), resolveMGRS)
				if len(errs) > 0 {
					t.Fatal(observation.Summary(errs, 0))
				}
				k := key{o.Source, o.ID}
				if _, dup := emitted[k]; dup {
					t.Fatalf("%v emitted twice", k)
				}
				emitted[k] = arrival
				if arrival < last {
					t.Fatalf("line %d arrives before the line above it", i+1)
				}
				last = arrival
			}
			inTruth := map[key]bool{}
			claim := func(k key, arrival string) {
				t.Helper()
				if inTruth[k] {
					t.Fatalf("%v is in the truth twice", k)
				}
				inTruth[k] = true
				at, ok := emitted[k]
				if !ok {
					t.Fatalf("%v is in the truth but not in observations.ndjson", k)
				}
				if formatMs(at) != arrival {
					t.Fatalf("%v: truth says it arrives %s, the output %s", k, arrival, formatMs(at))
				}
			}
			for _, s := range tr.Spurious {
				claim(key{s.Source, s.ID}, s.ArrivalAt)
			}
			winStart, _ := time.Parse(time.RFC3339, tr.Window.Start)
			winEnd, _ := time.Parse(time.RFC3339, tr.Window.End)
			for i, e := range tr.Events {
				if i > 0 && e.Time < tr.Events[i-1].Time {
					t.Fatalf("%s: events out of time order", e.ID)
				}
				at, _ := time.Parse(time.RFC3339, e.Time)
				for _, o := range e.Observations {
					claim(key{o.Source, o.ID}, o.ArrivalAt)
					arr, _ := time.Parse(time.RFC3339, o.ArrivalAt)
					if e.Kind != "weapon_sighting" && arr.Sub(at) > Horizon {
						t.Fatalf("%s: report %s/%s arrives %v after the event", e.ID, o.Source, o.ID, arr.Sub(at))
					}
				}
				if e.Observed != (len(e.Observations) > 0) {
					t.Fatalf("%s: observed %v with %d reports", e.ID, e.Observed, len(e.Observations))
				}
				for _, v := range e.Violations {
					if !rules[v.Rule] || v.Agreement != a.ID || v.Version != a.Version {
						t.Fatalf("%s: violation %+v names no rule of %s", e.ID, v, a.ID)
					}
				}
				checkEvent(t, a, e, winStart, winEnd)
			}
			if len(inTruth) != len(emitted) {
				for k := range emitted {
					if !inTruth[k] {
						t.Fatalf("%v is in observations.ndjson but not in the truth", k)
					}
				}
			}
			if tr.Counts.Observations != len(emitted) || tr.Counts.Events != len(tr.Events) {
				t.Fatalf("counts %+v, want %d observations, %d events", tr.Counts, len(emitted), len(tr.Events))
			}
		})
	}
}

func gp(p Point) geo.Point { return geo.Point{Lat: p.Lat, Lon: p.Lon} }

func checkEvent(t *testing.T, a *agreement.Agreement, e Event, winStart, winEnd time.Time) {
	t.Helper()
	at, err := time.Parse(time.RFC3339, e.Time)
	if err != nil {
		t.Fatalf("%s: time %q: %v", e.ID, e.Time, err)
	}
	if e.Kind != "weapon_sighting" && (at.Before(winStart) || !at.Before(winEnd)) {
		t.Fatalf("%s at %s lies outside the window", e.ID, e.Time)
	}
	if got := a.ControllingParty(gp(e.Location)); got != e.LocationParty {
		t.Fatalf("%s: location_party %s, the agreement says %s", e.ID, e.LocationParty, got)
	}
	switch e.Kind {
	case "explosion", "burst", "shot":
		if e.Origin == nil || e.Target == nil || e.Weapon == nil {
			t.Fatalf("%s: a firing without origin, target or weapon", e.ID)
		}
		if got := a.ControllingParty(gp(*e.Origin)); got != e.Party {
			t.Fatalf("%s: fired by %s from ground held by %q", e.ID, e.Party, got)
		}
		if got := a.ControllingParty(gp(*e.Target)); got == e.Party || got == "" || got != e.TargetParty {
			t.Fatalf("%s: %s aimed at ground held by %q (target_party %q)", e.ID, e.Party, got, e.TargetParty)
		}
		sys := systemNamed(e.Weapon.System)
		if sys == nil || sys.Cat.ID != e.Category || sys.CaliberMM != e.Weapon.CaliberMM {
			t.Fatalf("%s: weapon %+v of category %s is not in the catalogue", e.ID, e.Weapon, e.Category)
		}
		d := geo.DistanceM(gp(*e.Origin), gp(*e.Target))
		if d < sys.MinRangeM-1 || d > sys.MaxRangeM+1 || math.Abs(d-e.RangeM) > 2 {
			t.Fatalf("%s: %s fired %.0f m (range_m %.0f), its range is %.0f–%.0f m", e.ID, sys.Name, d, e.RangeM, sys.MinRangeM, sys.MaxRangeM)
		}
		if !slices.ContainsFunc(e.Violations, func(v Violation) bool { return v.Rule == "fire-after-ceasefire" }) {
			t.Fatalf("%s: a firing after the ceasefire that breaks no rule", e.ID)
		}
		zones := a.ZonesAt(gp(*e.Origin))
		for _, z := range e.WeaponZones {
			if !slices.Contains(zones, z) || !a.Zone(z).Restricts(e.Weapon.Class, e.Weapon.CaliberMM, e.Weapon.System) {
				t.Fatalf("%s: weapon zone %s does not hold a %s at its origin", e.ID, z, e.Weapon.System)
			}
		}
		inZone := slices.ContainsFunc(e.Violations, func(v Violation) bool { return v.Rule == "weapon-in-withdrawal-zone" && v.At == "origin" })
		if inZone != (len(e.WeaponZones) > 0) {
			t.Fatalf("%s: weapon zones %v but in-zone violation %v", e.ID, e.WeaponZones, inZone)
		}
	case "weapon_sighting":
		if got := a.ControllingParty(gp(e.Location)); got != e.Party {
			t.Fatalf("%s: %s weapons on ground held by %q", e.ID, e.Party, got)
		}
		inZone := slices.ContainsFunc(e.Violations, func(v Violation) bool { return v.Rule == "weapon-in-withdrawal-zone" })
		if inZone != (len(e.WeaponZones) > 0) {
			t.Fatalf("%s: weapon zones %v but in-zone violation %v", e.ID, e.WeaponZones, inZone)
		}
	case "restriction":
		if e.Restricted == "" || e.Reason == "" {
			t.Fatalf("%s: a restriction without the patrol or the reason", e.ID)
		}
	default:
		t.Fatalf("%s: kind %q", e.ID, e.Kind)
	}
}

func systemNamed(name string) *system {
	for _, s := range systems {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// TestScenarioShape: a holding ceasefire is quiet, an escalation loud.
func TestScenarioShape(t *testing.T) {
	fire := map[string]int{}
	rounds := map[string]int{}
	for _, cfg := range configs() {
		if cfg.Duration != 6*time.Hour {
			continue
		}
		tr := run(t, cfg).Truth
		fire[cfg.Scenario] += tr.Counts.FireEvents
		rounds[cfg.Scenario] += tr.Counts.Rounds
	}
	if !(fire["quiet"]*10 < fire["violations"] && fire["violations"]*3 < fire["escalation"]) {
		t.Errorf("firings: quiet %d, violations %d, escalation %d", fire["quiet"], fire["violations"], fire["escalation"])
	}
	if rounds["escalation"] < 20*max(1, rounds["quiet"]) {
		t.Errorf("rounds: quiet %d, escalation %d", rounds["quiet"], rounds["escalation"])
	}
	tr := run(t, Config{Scenario: "escalation", Seed: 1, Start: start, Duration: 6 * time.Hour}).Truth
	var surge *Episode
	for i := range tr.Episodes {
		if tr.Episodes[i].Kind == "surge" {
			surge = &tr.Episodes[i]
		}
	}
	if surge == nil || surge.Firings < 100 {
		t.Fatalf("escalation without a surge: %+v", tr.Episodes)
	}
	// The attacker does most of the firing in the surge.
	by := map[string]int{}
	for _, e := range tr.Events {
		if e.Episode == surge.ID {
			by[e.Party]++
		}
	}
	if by[surge.Party] < 2*(surge.Firings-by[surge.Party]) {
		t.Errorf("surge by %s: firings by party %v", surge.Party, by)
	}
}

// TestRunShowsEveryModel: each sensor model reports, gaps are recorded and
// spurious reports exist, over a day and a half of a ceasefire in trouble.
func TestRunShowsEveryModel(t *testing.T) {
	tr := run(t, Config{Scenario: "violations", Seed: 3, Start: start.Add(13 * time.Hour), Duration: 30 * time.Hour}).Truth
	model := map[string]string{}
	for _, s := range tr.Sensors {
		model[s.Source] = s.Model
	}
	sees := map[string]int{}
	for _, e := range tr.Events {
		for _, o := range e.Observations {
			sees[model[o.Source]+"/"+o.Sees]++
		}
	}
	for _, want := range []string{"patrol/launch", "patrol/impact", "patrol/crater", "patrol/restriction", "camera/impact",
		"acoustic/launch", "acoustic/impact", "radar/track", "uav/weapon", "osint/impact"} {
		if sees[want] == 0 {
			t.Errorf("no %s reports: %v", want, sees)
		}
	}
	gaps := map[string]int{}
	for _, g := range tr.Gaps {
		gaps[g.Kind]++
	}
	for _, want := range []string{"outage", "link", "restriction"} {
		if gaps[want] == 0 {
			t.Errorf("no %s gaps: %v", want, gaps)
		}
	}
	if len(tr.Spurious) == 0 || len(tr.Tracks) == 0 {
		t.Errorf("%d spurious reports, %d tracks", len(tr.Spurious), len(tr.Tracks))
	}
	late := 0
	for _, e := range tr.Events {
		for _, o := range e.Observations {
			if o.ArrivalAt > e.End {
				late++
			}
		}
	}
	if late == 0 {
		t.Error("no report arrives after its event ended")
	}
}

func TestSources(t *testing.T) {
	r := run(t, Config{Scenario: "violations", Seed: 1, Start: start, Duration: 6 * time.Hour})
	_, _, src := files(t, r)
	lines := strings.Split(strings.TrimSpace(string(src)), "\n")
	if len(lines) != len(r.Truth.Sensors) {
		t.Fatalf("%d sources, %d sensors", len(lines), len(r.Truth.Sensors))
	}
	kinds := map[string]bool{"monitor": true, "sensor": true, "uav": true, "radar": true, "osint": true}
	for _, s := range r.Truth.Sensors {
		if !kinds[s.Kind] || len(s.Grading) != 2 || s.Org == "" || s.Delay == "" {
			t.Errorf("source %+v cannot be registered", s)
		}
	}
}

func TestReadTruthRoundTrip(t *testing.T) {
	r := run(t, Config{Scenario: "escalation", Seed: 1, Start: start, Duration: 6 * time.Hour})
	_, raw, _ := files(t, r)
	tr, err := ReadTruth(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	again := &Result{Truth: tr}
	var b bytes.Buffer
	if err := again.WriteTruth(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, b.Bytes()) {
		t.Fatal("truth.json read back and written again differs")
	}
	if _, err := ReadTruth(strings.NewReader(`{"format":"other"}`)); err == nil {
		t.Error("a truth of another format was read")
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"unknown scenario", Config{Scenario: "war"}, `scenario "war": want one of quiet, violations, escalation`},
		{"negative duration", Config{Scenario: "quiet", Duration: -time.Hour}, "duration"},
		{"too long", Config{Scenario: "quiet", Duration: 40 * 24 * time.Hour}, "duration"},
		{"negative scale", Config{Scenario: "quiet", Scale: -1}, "scale -1"},
		{"huge scale", Config{Scenario: "quiet", Scale: 1e6}, "scale"},
		{"NaN event scale", Config{Scenario: "quiet", EventScale: math.NaN()}, "event scale"},
		{"no such line", Config{Scenario: "quiet", Line: "front"}, `line "front"`},
		{"negative sigma scale", Config{Scenario: "quiet", Errors: ErrorModel{SigmaScale: -2}}, "sigma scale -2"},
		{"NaN time sigma scale", Config{Scenario: "quiet", Errors: ErrorModel{TimeSigmaScale: math.NaN()}}, "time sigma scale NaN"},
		{"huge sigma scale", Config{Scenario: "quiet", Errors: ErrorModel{SigmaScale: math.Inf(1)}}, "sigma scale +Inf"},
		{"outliers above one", Config{Scenario: "quiet", Errors: ErrorModel{Outliers: 1.5}}, "outliers 1.5: want a share of reports from 0 to 1"},
		{"negative outliers", Config{Scenario: "quiet", Errors: ErrorModel{Outliers: -0.1}}, "outliers -0.1"},
		{"negative bearing bias", Config{Scenario: "quiet", Errors: ErrorModel{BearingBiasDeg: -1}}, "bearing bias -1°"},
		{"huge bearing bias", Config{Scenario: "quiet", Errors: ErrorModel{BearingBiasDeg: 90}}, "bearing bias 90°"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Run(c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestScaleGrowsVolume: Scale is the knob the fusion benchmark turns.
func TestScaleGrowsVolume(t *testing.T) {
	small := run(t, Config{Scenario: "violations", Seed: 1, Start: start, Duration: 6 * time.Hour})
	big := run(t, Config{Scenario: "violations", Seed: 1, Start: start, Duration: 6 * time.Hour, Scale: 8})
	ratio := float64(big.Observations()) / float64(small.Observations())
	if ratio < 4 || ratio > 16 {
		t.Errorf("scale 8 gave %.1f× the reports (%d → %d)", ratio, small.Observations(), big.Observations())
	}
}

func FuzzReadTruth(f *testing.F) {
	f.Add([]byte(`{"format":"truce-sim-truth/1","events":[{"id":"E1","location":{"lat":1,"lon":2}}]}`))
	f.Add([]byte(`{"format":1}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := ReadTruth(bytes.NewReader(b))
		if err == nil && tr.Format != TruthFormat {
			t.Fatalf("accepted format %q", tr.Format)
		}
	})
}

// BenchmarkRun1M generates an escalation of about a million reports — the
// volume the fusion benchmark consumes — and writes it (to memory).
func BenchmarkRun1M(b *testing.B) {
	cfg := Config{Scenario: "escalation", Seed: 1, Start: start, Duration: 24 * time.Hour, Scale: 132}
	var n int
	b.ReportAllocs()
	for b.Loop() {
		r, err := Run(cfg)
		if err != nil {
			b.Fatal(err)
		}
		var sink countWriter
		if err := r.WriteObservations(&sink); err != nil {
			b.Fatal(err)
		}
		if err := r.WriteTruth(&sink); err != nil {
			b.Fatal(err)
		}
		n = r.Observations()
	}
	b.ReportMetric(float64(n), "observations")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "obs/s")
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
