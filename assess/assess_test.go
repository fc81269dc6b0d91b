package assess_test

import (
	"bytes"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/assess"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
)

// After the demo agreement takes effect (2026-09-01), and before.
var (
	inForce = time.Date(2026, 9, 2, 4, 0, 0, 0, time.UTC)
	before  = time.Date(2026, 8, 30, 4, 0, 0, 0, time.UTC)
)

func demo(t testing.TB) *agreement.Agreement {
	t.Helper()
	a, err := agreement.Demo()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// placeAt finds, deterministically, a place the party controls whose
// distance to the demo's line of contact is within 500 m of distM: out
// from a vertex in the middle of the line, trying azimuths in turn.
func placeAt(t testing.TB, party string, distM float64) geo.Point {
	t.Helper()
	a := demo(t)
	main := a.Line("contact").Parts[0]
	for _, i := range []int{183, 150, 240, 90} {
		for az := 0.0; az < 360; az += 5 {
			for d := distM; d < distM*3+2000; d += 250 {
				p := geo.Direct(main[i], az, d)
				if a.ControllingParty(p) == party && math.Abs(a.DistanceToLineM("contact", p)-distM) < 500 {
					return p
				}
			}
		}
	}
	t.Fatalf("no place of %s %v m from the line", party, distM)
	return geo.Point{}
}

func est(p geo.Point, sigmaM float64) *fusion.Estimate {
	return &fusion.Estimate{Point: p, Cov: [2][2]float64{{sigmaM * sigmaM, 0}, {0, sigmaM * sigmaM}}}
}

func caliber(mm float64) *float64 { return &mm }

func keys(sources ...string) []observation.Key {
	var out []observation.Key
	for i, s := range sources {
		out = append(out, observation.Key{Source: s, ID: "r" + string(rune('0'+i))})
	}
	return out
}

func rules(vs []assess.Violation) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.Rule)
	}
	return out
}

// TestViolations: the demo agreement's two rules on hand-built events.
func TestViolations(t *testing.T) {
	ukr20, ukr10, ukr40 := placeAt(t, "UKR", 20000), placeAt(t, "UKR", 10000), placeAt(t, "UKR", 40000)
	impact, impact10 := placeAt(t, "RUS", 5000), placeAt(t, "RUS", 10000)
	heavy := &observation.Weapon{Class: "artillery", CaliberMM: caliber(152), System: "2S3 Akatsiya"}
	unknownCal := &observation.Weapon{Class: "artillery"}
	mortar := &observation.Weapon{Class: "mortar"}
	for _, tc := range []struct {
		name     string
		e        fusion.Event
		want     []string
		severity string
		version  string
	}{
		{name: "152 mm gun in position 20 km from the line: inside its 25 km zone",
			e:    fusion.Event{Kind: observation.WeaponSighting, Start: inForce, Location: est(ukr20, 20), Weapon: heavy},
			want: []string{"weapon-in-withdrawal-zone"}, severity: "high", version: "demo-2026-08-22@1"},
		{name: "152 mm gun 40 km from the line: beyond it",
			e:    fusion.Event{Kind: observation.WeaponSighting, Start: inForce, Location: est(ukr40, 20), Weapon: heavy},
			want: []string{}, version: "demo-2026-08-22@1"},
		{name: "152 mm gun 20 km from the line before the agreement took effect",
			e:    fusion.Event{Kind: observation.WeaponSighting, Start: before, Location: est(ukr20, 20), Weapon: heavy},
			want: []string{}, version: ""},
		{name: "an explosion after the ceasefire",
			e:    fusion.Event{Kind: observation.Explosion, Start: inForce, Location: est(impact, 200)},
			want: []string{"fire-after-ceasefire"}, severity: "high", version: "demo-2026-08-22@1"},
		{name: "an explosion before the ceasefire",
			e:    fusion.Event{Kind: observation.Explosion, Start: before, Location: est(impact, 200)},
			want: []string{}},
		{name: "152 mm fire from 20 km behind the line: the gun is in its zone too",
			e:    fusion.Event{Kind: observation.Explosion, Start: inForce, Location: est(impact, 200), Origin: est(ukr20, 150), Weapon: heavy},
			want: []string{"fire-after-ceasefire", "weapon-in-withdrawal-zone"}, severity: "high", version: "demo-2026-08-22@1"},
		{name: "152 mm fire from 40 km: only the fire",
			e:    fusion.Event{Kind: observation.Explosion, Start: inForce, Location: est(impact, 200), Origin: est(ukr40, 150), Weapon: heavy},
			want: []string{"fire-after-ceasefire"}, severity: "high", version: "demo-2026-08-22@1"},
		{name: "152 mm fire whose origin is unknown: where the gun stood is unknown",
			e:    fusion.Event{Kind: observation.Explosion, Start: inForce, Location: est(impact, 200), Weapon: heavy},
			want: []string{"fire-after-ceasefire"}, severity: "high", version: "demo-2026-08-22@1"},
		{name: "an explosion heard, placed nowhere: the rule that needs no place",
			e:    fusion.Event{Kind: observation.Explosion, Start: inForce},
			want: []string{"fire-after-ceasefire"}, severity: "high", version: "demo-2026-08-22@1"},
		{name: "a weapon seen, placed nowhere: nothing",
			e:    fusion.Event{Kind: observation.WeaponSighting, Start: inForce, Weapon: heavy},
			want: []string{}, version: "demo-2026-08-22@1"},
		{name: "small arms located only by their origin",
			e:    fusion.Event{Kind: observation.Shot, Start: inForce, Origin: est(placeAt(t, "UKR", 1000), 300), Weapon: &observation.Weapon{Class: "small_arms"}},
			want: []string{"fire-after-ceasefire"}, severity: "high", version: "demo-2026-08-22@1"},
		{name: "artillery of unknown calibre 10 km from the line: in a zone whatever its calibre",
			e:    fusion.Event{Kind: observation.WeaponSighting, Start: inForce, Location: est(ukr10, 20), Weapon: unknownCal},
			want: []string{"weapon-in-withdrawal-zone"}, severity: "high", version: "demo-2026-08-22@1"},
		{name: "artillery of unknown calibre 20 km from the line: only if heavy, so not alleged",
			e:    fusion.Event{Kind: observation.WeaponSighting, Start: inForce, Location: est(ukr20, 20), Weapon: unknownCal},
			want: []string{}, version: "demo-2026-08-22@1"},
		{name: "a mortar of unknown calibre 10 km from the line",
			e:    fusion.Event{Kind: observation.WeaponSighting, Start: inForce, Location: est(ukr10, 20), Weapon: mortar},
			want: []string{"weapon-in-withdrawal-zone"}, severity: "high", version: "demo-2026-08-22@1"},
		{name: "a mortar's rounds 5 km from the line, origin unknown: it stood inside its 15 km zone, within its 7.3 km",
			e:    fusion.Event{Kind: observation.Explosion, Start: inForce, Location: est(impact, 200), Weapon: mortar},
			want: []string{"fire-after-ceasefire", "weapon-in-withdrawal-zone"}, severity: "high", version: "demo-2026-08-22@1"},
		{name: "a mortar's rounds 10 km from the line: it may have stood beyond its zone",
			e:    fusion.Event{Kind: observation.Explosion, Start: inForce, Location: est(impact10, 200), Weapon: mortar},
			want: []string{"fire-after-ceasefire"}, severity: "high", version: "demo-2026-08-22@1"},
		{name: "the same place known only to 3 km: the error widens the disc beyond the zone",
			e:    fusion.Event{Kind: observation.Explosion, Start: inForce, Location: est(impact, 3000), Weapon: mortar},
			want: []string{"fire-after-ceasefire"}, severity: "high", version: "demo-2026-08-22@1"},
		{name: "Grad rockets 5 km from the line: the launcher stood inside the 35 km zone",
			e:    fusion.Event{Kind: observation.Explosion, Start: inForce, Location: est(impact, 200), Weapon: &observation.Weapon{Class: "mlrs", CaliberMM: caliber(122), System: "BM-21 Grad"}},
			want: []string{"fire-after-ceasefire", "weapon-in-withdrawal-zone"}, severity: "high", version: "demo-2026-08-22@1"},
		{name: "rockets of an unnamed system: they may come from 120 km",
			e:    fusion.Event{Kind: observation.Explosion, Start: inForce, Location: est(impact, 200), Weapon: &observation.Weapon{Class: "mlrs", CaliberMM: caliber(122)}},
			want: []string{"fire-after-ceasefire"}, severity: "high", version: "demo-2026-08-22@1"},
		{name: "artillery of unknown calibre 5 km from the line, origin unknown: a light gun reaches past its zone",
			e:    fusion.Event{Kind: observation.Explosion, Start: inForce, Location: est(impact, 200), Weapon: unknownCal},
			want: []string{"fire-after-ceasefire"}, severity: "high", version: "demo-2026-08-22@1"},
		{name: "122 mm artillery 5 km from the line, origin unknown: inside the 25 km zone",
			e:    fusion.Event{Kind: observation.Explosion, Start: inForce, Location: est(impact, 200), Weapon: &observation.Weapon{Class: "artillery", CaliberMM: caliber(122)}},
			want: []string{"fire-after-ceasefire", "weapon-in-withdrawal-zone"}, severity: "high", version: "demo-2026-08-22@1"},
		{name: "a restriction: the demo agreement has no rule for it",
			e:    fusion.Event{Kind: observation.Restriction, Start: inForce, Location: est(ukr10, 10)},
			want: []string{}, version: "demo-2026-08-22@1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := assess.New(demoVersions(t), assess.Config{})
			got, err := a.Assess(tc.e, nil, assess.NoReview)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rules(got.Violations), tc.want) {
				t.Errorf("rules %v, want %v", rules(got.Violations), tc.want)
			}
			if got.Severity != tc.severity {
				t.Errorf("severity %q, want %q", got.Severity, tc.severity)
			}
			if got.AgreementVersion != tc.version && tc.version != "" {
				t.Errorf("version %q, want %q", got.AgreementVersion, tc.version)
			}
			for _, v := range got.Violations {
				if v.AgreementVersion != got.AgreementVersion || v.Severity == "" {
					t.Errorf("violation %+v does not name the version %q and a severity", v, got.AgreementVersion)
				}
			}
		})
	}
}

// TestWeaponFromReports: the calibre a crater team measured counts even
// when fusion kept a patrol's weapon without one.
func TestWeaponFromReports(t *testing.T) {
	a := assess.New(demoVersions(t), assess.Config{})
	ks := keys("patrol", "crater", "acoustic")
	reports := []*observation.Observation{
		{Source: "patrol", ID: ks[0].ID, Weapon: &observation.Weapon{Class: "artillery"}},
		{Source: "crater", ID: ks[1].ID, Weapon: &observation.Weapon{Class: "artillery", CaliberMM: caliber(152)}},
		{Source: "acoustic", ID: ks[2].ID, Weapon: &observation.Weapon{Class: "mortar", CaliberMM: caliber(82)}},
	}
	e := fusion.Event{Kind: observation.Explosion, Start: inForce, Location: est(placeAt(t, "RUS", 5000), 200),
		Origin: est(placeAt(t, "UKR", 20000), 150), Weapon: reports[0].Weapon, Observations: ks}
	got, err := a.Assess(e, reports, assess.NoReview)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"fire-after-ceasefire", "weapon-in-withdrawal-zone"}; !slices.Equal(rules(got.Violations), want) {
		t.Errorf("rules %v, want %v: the crater team's 152 mm puts the gun in its 25 km zone", rules(got.Violations), want)
	}
}

// TestVersionInForce: the version whose effective time is the latest at
// or before the event's start, and only it, judges the event.
func TestVersionInForce(t *testing.T) {
	v1 := demo(t)
	doc := v1.Bytes()
	for _, r := range [][2]string{
		{`"version": 1,`, `"version": 2,`},
		{`"effective_from": "2026-09-01T00:00:00Z"`, `"effective_from": "2026-10-01T00:00:00Z"`},
		{`"distance_m": 25000,`, `"distance_m": 40000,`},
	} {
		if !bytes.Contains(doc, []byte(r[0])) {
			t.Fatalf("the demo agreement no longer has %s", r[0])
		}
		doc = bytes.Replace(doc, []byte(r[0]), []byte(r[1]), 1)
	}
	v2, err := agreement.Parse("demo-v2.json", doc)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := agreement.NewVersions(v1, v2)
	if err != nil {
		t.Fatal(err)
	}
	a := assess.New(vs, assess.Config{})
	gun := &observation.Weapon{Class: "artillery", CaliberMM: caliber(152)}
	at30 := placeAt(t, "UKR", 30000)
	for _, tc := range []struct {
		start   time.Time
		version string
		want    []string
	}{
		{time.Date(2026, 9, 15, 0, 0, 0, 0, time.UTC), "demo-2026-08-22@1", []string{}},
		{time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC), "demo-2026-08-22@2", []string{"weapon-in-withdrawal-zone"}},
	} {
		got, err := a.Assess(fusion.Event{Kind: observation.WeaponSighting, Start: tc.start, Location: est(at30, 20), Weapon: gun}, nil, assess.NoReview)
		if err != nil {
			t.Fatal(err)
		}
		if got.AgreementVersion != tc.version || !slices.Equal(rules(got.Violations), tc.want) {
			t.Errorf("%s: %s %v, want %s %v", tc.start.Format(time.DateOnly), got.AgreementVersion, rules(got.Violations), tc.version, tc.want)
		}
	}
}

// radarReport is a report that locates the origin itself.
func radarReport(k observation.Key, at geo.Point) *observation.Observation {
	return &observation.Observation{Source: k.Source, ID: k.ID, Origin: &observation.Point{Lat: at.Lat, Lon: at.Lon, Resolved: true}}
}

// TestAttribution: the probability that the origin lies in each party's
// area, from the origin's distribution alone.
func TestAttribution(t *testing.T) {
	a := demo(t)
	deepUKR, deepRUS := placeAt(t, "UKR", 60000), placeAt(t, "RUS", 60000)
	onLine := a.Line("contact").Parts[0][183]
	// The westernmost corner of Ukraine's controlled area lies on the
	// border with Poland or Slovakia, which no party of the agreement
	// holds.
	west := geo.Point{Lon: 180}
	for _, area := range a.Areas {
		if area.Party != "UKR" {
			continue
		}
		for _, poly := range area.Polygons {
			for _, p := range poly[0] {
				if p.Lon < west.Lon {
					west = p
				}
			}
		}
	}
	ks := keys("cbr-1")
	located := func(p geo.Point) []*observation.Observation { return []*observation.Observation{radarReport(ks[0], p)} }
	noGross := assess.Config{GrossErrorLocated: -1, GrossErrorSightLines: -1}
	for _, tc := range []struct {
		name    string
		cfg     assess.Config
		e       fusion.Event
		reports []*observation.Observation
		party   string
		check   func(t *testing.T, at assess.Attribution)
	}{
		{name: "fire from deep inside Ukraine's area, the geometry alone", cfg: noGross,
			e:       fusion.Event{Kind: observation.Explosion, Start: inForce, Origin: est(deepUKR, 300), Observations: ks},
			reports: located(deepUKR), party: "UKR",
			check: func(t *testing.T, at assess.Attribution) {
				if at.Probability < 0.99 {
					t.Errorf("p = %v, want ≥ 0.99", at.Probability)
				}
			}},
		{name: "fire from deep inside Russia's area, the geometry alone", cfg: noGross,
			e:       fusion.Event{Kind: observation.Explosion, Start: inForce, Origin: est(deepRUS, 300), Observations: ks},
			reports: located(deepRUS), party: "RUS",
			check: func(t *testing.T, at assess.Attribution) {
				if at.Probability < 0.99 || at.Probabilities["UKR"] > 0.01 {
					t.Errorf("%+v, want RUS ≥ 0.99", at)
				}
			}},
		{name: "deep inside, a radar's fix, with the gross-error allowance",
			e:       fusion.Event{Kind: observation.Explosion, Start: inForce, Origin: est(deepUKR, 300), Observations: ks},
			reports: located(deepUKR), party: "UKR",
			check: func(t *testing.T, at assess.Attribution) {
				if want := 1 - assess.DefaultGrossErrorLocated/2; math.Abs(at.Probability-want) > 1e-6 {
					t.Errorf("p = %v, want %v", at.Probability, want)
				}
			}},
		{name: "deep inside, but only sight lines crossing there",
			e:     fusion.Event{Kind: observation.Explosion, Start: inForce, Origin: est(deepUKR, 300), Observations: keys("acoustic-1", "acoustic-2")},
			party: assess.Undetermined,
			check: func(t *testing.T, at assess.Attribution) {
				if want := 1 - assess.DefaultGrossErrorSightLines/2; math.Abs(at.Probabilities["UKR"]-want) > 1e-6 {
					t.Errorf("UKR %v, want %v", at.Probabilities["UKR"], want)
				}
			}},
		{name: "on the line of contact with a 3 km ellipse",
			e:       fusion.Event{Kind: observation.Explosion, Start: inForce, Origin: est(onLine, 3000), Observations: ks},
			reports: located(onLine), party: assess.Undetermined,
			check: func(t *testing.T, at assess.Attribution) {
				u, r := at.Probabilities["UKR"], at.Probabilities["RUS"]
				if u < 0.2 || r < 0.2 || math.Abs(u+r-(1)) > 0.01 {
					t.Errorf("UKR %v RUS %v, want both well away from 0 and 1, summing to 1", u, r)
				}
			}},
		{name: "on the western border: the mass beyond it is nobody's", cfg: noGross,
			e:       fusion.Event{Kind: observation.Explosion, Start: inForce, Origin: est(west, 2000), Observations: ks},
			reports: located(west), party: assess.Undetermined,
			check: func(t *testing.T, at assess.Attribution) {
				u, r := at.Probabilities["UKR"], at.Probabilities["RUS"]
				if u < 0.15 || u > 0.6 || r > 0.01 {
					t.Errorf("UKR %v RUS %v: want a part for UKR (a corner: less than half), nothing for RUS, the rest nobody's", u, r)
				}
			}},
		{name: "fire whose origin is unknown: nothing to attribute from",
			e:     fusion.Event{Kind: observation.Explosion, Start: inForce, Location: est(deepRUS, 300), Observations: ks},
			party: assess.Undetermined,
			check: func(t *testing.T, at assess.Attribution) {
				if len(at.Probabilities) != 0 || at.Probability != 0 {
					t.Errorf("%+v, want no probabilities", at)
				}
			}},
		{name: "a weapon seen: where it stands",
			e: fusion.Event{Kind: observation.WeaponSighting, Start: inForce, Location: est(deepRUS, 20), Observations: keys("uav-1")},
			reports: []*observation.Observation{{Source: "uav-1", ID: "r0",
				Location: &observation.Point{Lat: deepRUS.Lat, Lon: deepRUS.Lon, Resolved: true}}},
			party: "RUS"},
		{name: "a restriction: the checkpoint's ground",
			e: fusion.Event{Kind: observation.Restriction, Start: inForce, Location: est(deepUKR, 20), Observations: keys("patrol-1")},
			reports: []*observation.Observation{{Source: "patrol-1", ID: "r0", ReportedParty: "RUS",
				Location: &observation.Point{Lat: deepUKR.Lat, Lon: deepUKR.Lon, Resolved: true}}},
			party: "UKR"},
		{name: "before the agreement: no areas to attribute to",
			e:       fusion.Event{Kind: observation.Explosion, Start: before, Origin: est(deepUKR, 300), Observations: ks},
			reports: located(deepUKR), party: assess.Undetermined},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := assess.New(demoVersions(t), tc.cfg).Assess(tc.e, tc.reports, assess.NoReview)
			if err != nil {
				t.Fatal(err)
			}
			at := got.Attribution
			t.Logf("%s %.6f %v", at.Party, at.Probability, at.Probabilities)
			if at.Party != tc.party {
				t.Errorf("party %q, want %q", at.Party, tc.party)
			}
			var sum float64
			for _, p := range at.Probabilities {
				sum += p
			}
			if sum > 1+1e-6 {
				t.Errorf("probabilities sum to %v", sum)
			}
			if tc.check != nil {
				tc.check(t, at)
			}
		})
	}
}

// TestCorroboration: the levels from independent sources and their
// grading, and the Commission's review passed through.
func TestCorroboration(t *testing.T) {
	registry := map[string]assess.SourceInfo{
		"patrol-1":  {Kind: assess.KindMonitor, Org: "MVM", Grading: "B2"},
		"patrol-2":  {Kind: assess.KindMonitor, Org: "MVM", Grading: "B2"},
		"patrol-c":  {Kind: assess.KindMonitor, Org: "MVM", Grading: "C3"},
		"acoustic":  {Kind: assess.KindSensor, Org: "MVM", Grading: "A2"},
		"osint-1":   {Kind: assess.KindOSINT, Org: "MVM", Grading: "C3"},
		"osint-2":   {Kind: assess.KindOSINT, Org: "MVM", Grading: "C3"},
		"osint-ukr": {Kind: assess.KindOSINT, Org: "UKR", Grading: "D3"},
	}
	lookup := func(id string) (assess.SourceInfo, bool) { s, ok := registry[id]; return s, ok }
	impact := placeAt(t, "RUS", 5000)
	for _, tc := range []struct {
		name    string
		sources []string
		grading map[string]string // report's own reliability, by source
		bound   float64
		sigmaM  float64
		review  assess.Review
		noReg   bool
		want    string
		wantErr bool
	}{
		{name: "one source", sources: []string{"patrol-1"}, want: assess.Reported},
		{name: "one source reporting twice", sources: []string{"osint-1", "osint-1"}, want: assess.Reported},
		{name: "two OSINT desks of one organisation relay one post", sources: []string{"osint-1", "osint-2"}, want: assess.Reported},
		{name: "OSINT desks of two organisations", sources: []string{"osint-1", "osint-ukr"}, want: assess.Corroborated},
		{name: "two patrols, graded B", sources: []string{"patrol-1", "patrol-2"}, want: assess.Verified},
		{name: "a patrol graded C and an OSINT desk", sources: []string{"patrol-c", "osint-1"}, want: assess.Corroborated},
		{name: "an acoustic array graded A and an OSINT desk", sources: []string{"acoustic", "osint-ukr"}, want: assess.Verified},
		{name: "a B patrol whose report grades itself D", sources: []string{"patrol-1", "osint-1"}, grading: map[string]string{"patrol-1": "D"}, want: assess.Corroborated},
		{name: "a C patrol whose report grades itself A: not above the registry", sources: []string{"patrol-c", "osint-1"}, grading: map[string]string{"patrol-c": "A"}, want: assess.Corroborated},
		{name: "sources the registry does not know", sources: []string{"x", "y"}, noReg: true, want: assess.Corroborated},
		{name: "located within the error bound", sources: []string{"osint-1", "osint-ukr"}, bound: 500, sigmaM: 100, want: assess.Verified},
		{name: "located, but not within the error bound", sources: []string{"osint-1", "osint-ukr"}, bound: 500, sigmaM: 1000, want: assess.Corroborated},
		{name: "one source within the bound is still one source", sources: []string{"osint-1"}, bound: 500, sigmaM: 100, want: assess.Reported},
		{name: "confirmed by the Commission", sources: []string{"patrol-1"}, review: assess.ReviewConfirms, want: assess.Confirmed},
		{name: "disputed", sources: []string{"patrol-1", "patrol-2"}, review: assess.ReviewDisputes, want: assess.Disputed},
		{name: "rejected", sources: []string{"patrol-1", "patrol-2"}, review: assess.ReviewRejects, want: assess.Rejected},
		{name: "a review that is not a state", sources: []string{"patrol-1"}, review: "upheld", want: "", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := assess.Config{Sources: lookup, ErrorBoundM: tc.bound}
			if tc.noReg {
				cfg.Sources = nil
			}
			ks := keys(tc.sources...)
			var reports []*observation.Observation
			for _, k := range ks {
				o := &observation.Observation{Source: k.Source, ID: k.ID}
				if g := tc.grading[k.Source]; g != "" {
					o.Grading = &observation.Grading{Reliability: g, Credibility: 2}
				}
				reports = append(reports, o)
			}
			sigma := tc.sigmaM
			if sigma == 0 {
				sigma = 300
			}
			e := fusion.Event{Kind: observation.Explosion, Start: inForce, Location: est(impact, sigma), Observations: ks}
			got, err := assess.New(demoVersions(t), cfg).Assess(e, reports, tc.review)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want one: %v", err, tc.wantErr)
			}
			if got.Corroboration != tc.want {
				t.Errorf("%q, want %q", got.Corroboration, tc.want)
			}
		})
	}
}

// TestAssessIsReproducible pins invariant 3 for the assessment: every
// event of a simulated day, assessed twice by two assessors, comes out
// the same, field for field.
func TestAssessIsReproducible(t *testing.T) {
	r := simulate(t, "violations", 3, 6*time.Hour)
	v := demoVersions(t)
	a, b := assess.New(v, assess.Config{Sources: r.sources}), assess.New(v, assess.Config{Sources: r.sources})
	for _, e := range r.events {
		x, errX := a.Assess(*e, r.reports(e), assess.NoReview)
		y, errY := b.Assess(*e, r.reports(e), assess.NoReview)
		if !reflect.DeepEqual(x, y) || (errX == nil) != (errY == nil) {
			t.Fatalf("event %s: %+v and %+v", e.ID, x, y)
		}
		// The reports' order does not matter either.
		rev := slices.Clone(r.reports(e))
		slices.Reverse(rev)
		if z, _ := a.Assess(*e, rev, assess.NoReview); !reflect.DeepEqual(x, z) {
			t.Fatalf("event %s: reports in another order give %+v, not %+v", e.ID, z, x)
		}
	}
}

// TestVersionName: the form the rest of the mechanism cites.
func TestVersionName(t *testing.T) {
	if got := assess.VersionName(demo(t)); got != "demo-2026-08-22@1" || !strings.Contains(got, "@") {
		t.Errorf("VersionName = %q", got)
	}
	if assess.VersionName(nil) != "" {
		t.Error("no agreement, no name")
	}
}
