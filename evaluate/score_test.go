package evaluate

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/sim"
)

// The hand-built world of the table tests: four true events and one
// report of nothing.
//
//	E1 explosion by RUS at loc1, heard by two acoustic arrays 5 km north
//	   and 5 km east of it (σ 2°): reports a1/1, a2/1.
//	E2 weapon_sighting of UKR at loc2, seen by a UAV (σ 15 m): u1/1.
//	E3 explosion by UKR that nobody perceived.
//	E4 restriction by RUS: the patrol's own report p1/1.
//	a3/9 is an acoustic array's thunder.
var (
	loc1 = geo.Point{Lat: 48.0, Lon: 37.0}
	loc2 = geo.Point{Lat: 48.1, Lon: 37.2}
	loc4 = geo.Point{Lat: 47.9, Lon: 36.9}
)

func pt(p geo.Point) sim.Point   { return sim.Point{Lat: p.Lat, Lon: p.Lon} }
func ptr(p geo.Point) *sim.Point { q := pt(p); return &q }

func handTruth() *sim.Truth {
	north, east := geo.Direct(loc1, 0, 5000), geo.Direct(loc1, 90, 5000)
	acoustic := func(id string, p geo.Point) sim.Sensor {
		return sim.Sensor{Source: id, Kind: "sensor", Model: "acoustic", Position: ptr(p), BearingSigmaDeg: 2}
	}
	fire := []sim.Violation{{Rule: "fire-after-ceasefire", Severity: "high", Agreement: "demo", Version: 1, At: "location"}}
	return &sim.Truth{
		Format: sim.TruthFormat, Scenario: "hand", Seed: 42, Parties: []string{"UKR", "RUS"},
		Sensors: []sim.Sensor{
			acoustic("a1", north), acoustic("a2", east), acoustic("a3", geo.Direct(loc1, 180, 5000)),
			{Source: "u1", Kind: "uav", Model: "uav", LocationSigmaM: 15},
			{Source: "p1", Kind: "monitor", Model: "patrol", BearingSigmaDeg: 7},
		},
		Spurious: []sim.SpuriousObs{{Source: "a3", ID: "9", Kind: "explosion", Reason: "thunder"}},
		Events: []sim.Event{
			{ID: "E1", Kind: "explosion", Party: "RUS", Time: "2026-09-02T01:00:00.000Z", ImpactTime: "2026-09-02T01:00:20.000Z",
				Location: pt(loc1), Target: ptr(loc1), Origin: ptr(geo.Direct(loc1, 45, 9000)), DispersionM: 100,
				Weapon: &sim.Weapon{Class: "artillery", CaliberMM: 152}, Violations: fire, Observed: true,
				Observations: []sim.ObsRef{{Source: "a1", ID: "1", Sees: "impact"}, {Source: "a2", ID: "1", Sees: "impact"}}},
			{ID: "E2", Kind: "weapon_sighting", Party: "UKR", Time: "2026-09-02T00:00:00.000Z", Location: pt(loc2),
				Origin: ptr(loc2), Weapon: &sim.Weapon{Class: "mortar"}, Observed: true,
				Violations:   []sim.Violation{{Rule: "weapon-in-withdrawal-zone", Severity: "high", Version: 1, At: "location"}},
				Observations: []sim.ObsRef{{Source: "u1", ID: "1", Sees: "weapon"}}},
			{ID: "E3", Kind: "explosion", Party: "UKR", Time: "2026-09-02T02:00:00.000Z", Location: pt(loc2), Violations: fire,
				Observations: []sim.ObsRef{}},
			{ID: "E4", Kind: "restriction", Party: "RUS", Time: "2026-09-02T03:00:00.000Z", Location: pt(loc4),
				Observations: []sim.ObsRef{{Source: "p1", ID: "1", Sees: "restriction"}}, Observed: true},
		},
	}
}

func keys(ks ...string) []ReportKey {
	var out []ReportKey
	for _, k := range ks {
		src, id, _ := strings.Cut(k, "/")
		out = append(out, ReportKey{src, id})
	}
	return out
}

func at(p geo.Point) *Point { return &Point{Lat: p.Lat, Lon: p.Lon} }

func party(p string, prob float64, probs map[string]float64) *Attribution {
	return &Attribution{Party: p, Probability: prob, Probabilities: probs}
}

// The events of a perfect fusion of the hand-built world.
func perfect() []Event {
	return []Event{
		{ID: "F1", Kind: "explosion", Location: at(loc1), Observations: keys("a1/1", "a2/1"), Weapon: &Weapon{Class: "artillery"},
			Violations: []Violation{{Rule: "fire-after-ceasefire"}}, Attribution: party("RUS", 0.995, map[string]float64{"RUS": 0.995, "UKR": 0.005})},
		{ID: "F2", Kind: "weapon_sighting", Location: at(loc2), Observations: keys("u1/1"), Weapon: &Weapon{Class: "mortar"},
			Violations: []Violation{{Rule: "weapon-in-withdrawal-zone"}}, Attribution: party("UKR", 1, map[string]float64{"UKR": 1, "RUS": 0})},
		{ID: "F4", Kind: "restriction", Location: at(loc4), Observations: keys("p1/1"), Violations: []Violation{},
			Attribution: party("RUS", 1, map[string]float64{"RUS": 1, "UKR": 0})},
	}
}

// edit returns the perfect events changed by f.
func edit(f func(es []Event) []Event) []Event { return f(perfect()) }

// crlbMedian1 is the bound's median error for E1: two perpendicular
// bearings of σ 2° from 5 km give σ = 5000·2π/180 m in both directions,
// a circle whose median radius is its CEP.
var crlbMedian1 = 5000 * 2 * math.Pi / 180 * math.Sqrt(2*math.Ln2)

func TestScore(t *testing.T) {
	cases := []struct {
		name   string
		events []Event
		want   map[string]any // JSON path → value (nil: null)
	}{
		{name: "no events", events: nil, want: map[string]any{
			"f1": 0.0, "precision": nil, "recall": 0.0, "recall_all": 0.0, "loc_median_m": nil, "loc_crlb_ratio": nil,
			"attribution_accuracy": nil, "attributed_fraction": nil, "brier": nil, "violation_accuracy": nil, "wrong_confident": 0.0,
			"association_purity": nil, "association_completeness": 0.0,
			"counts.true_events": 4.0, "counts.observed_true_events": 3.0, "counts.fused_events": 0.0, "counts.matched": 0.0,
			"counts.missed": 3.0, "counts.truth_reports": 4.0, "counts.unfused_reports": 4.0, "counts.spurious_reports": 1.0}},
		{name: "perfect", events: perfect(), want: map[string]any{
			"f1": 1.0, "precision": 1.0, "recall": 1.0, "recall_all": 0.75, "loc_median_m": 0.0, "loc_p90_m": 0.0, "loc_crlb_ratio": 0.0,
			"attribution_accuracy": 1.0, "attributed_fraction": 1.0, "wrong_confident": 0.0, "brier": round(0.005 * 0.005 / 3),
			"violation_accuracy": 1.0, "violation_rule_precision": 1.0, "violation_rule_recall": 1.0, "kind_accuracy": 1.0,
			"weapon_class_accuracy": 1.0, "association_purity": 1.0, "association_completeness": 1.0,
			"counts.matched": 3.0, "counts.located": 3.0, "counts.crlb_events": 2.0, "counts.false_positives": 0.0,
			"crlb_median_m": math.Round((crlbMedian1+15*math.Sqrt(2*math.Ln2))/2*10) / 10}},
		{name: "all spurious", events: []Event{
			{ID: "X1", Kind: "explosion", Observations: keys("a3/9")},
			{ID: "X2", Kind: "explosion", Observations: keys("stranger/1")},
			{ID: "X3", Kind: "flare"}}, want: map[string]any{
			"f1": 0.0, "precision": 0.0, "recall": 0.0, "counts.spurious": 3.0, "counts.duplicates": 0.0, "counts.false_positives": 3.0,
			"counts.unknown_reports": 1.0, "counts.fused_reports": 2.0, "association_purity": 1.0, "attribution_accuracy": nil}},
		{name: "a tentative false alarm is left out", events: append(perfect(), Event{ID: "T1", Kind: "explosion", Observations: keys("a3/9"), Tentative: true}),
			want: map[string]any{"f1": 1.0, "precision": 1.0, "counts.fused_events": 3.0, "counts.spurious": 0.0,
				"counts.tentative": 1.0, "counts.tentative_true": 0.0, "counts.fused_reports": 4.0}},
		{name: "a true event judged tentative is missed", events: edit(func(es []Event) []Event {
			es[1].Tentative = true
			return es
		}), want: map[string]any{"recall": round(2.0 / 3), "precision": 1.0, "counts.matched": 2.0, "counts.missed": 1.0,
			"counts.fused_events": 2.0, "counts.tentative": 1.0, "counts.tentative_true": 1.0, "counts.unfused_reports": 1.0}},
		{name: "an event split in two", events: edit(func(es []Event) []Event {
			es[0].Observations = keys("a2/1")
			return append(es, Event{ID: "F1b", Kind: "explosion", Location: at(loc1), Observations: keys("a1/1")})
		}), want: map[string]any{
			// F1 and F1b hold one report of E1 each, and one report in all:
			// the first by id (F1) matches, F1b is a duplicate.
			"precision": 0.75, "recall": 1.0, "f1": round(2 * 3.0 / 7), "counts.duplicates": 1.0, "counts.spurious": 0.0,
			"association_completeness": 0.75, "association_purity": 1.0, "attribution_accuracy": 1.0}},
		{name: "the purer of two equal holders matches", events: edit(func(es []Event) []Event {
			es[0].Observations = keys("a2/1", "a3/9")
			return append(es, Event{ID: "F1b", Kind: "explosion", Observations: keys("a1/1")})
		}), want: map[string]any{
			"counts.matched": 3.0, "counts.duplicates": 1.0, "counts.located": 2.0, "attribution_accuracy": 1.0,
			"attributed_fraction": round(2.0 / 3), "association_purity": 0.8, "brier": round(0.25 / 3)}},
		{name: "two events merged", events: edit(func(es []Event) []Event {
			es[0].Observations = keys("a1/1", "u1/1", "a2/1")
			return append(es[:1], es[2])
		}), want: map[string]any{
			// F1 holds two reports of E1 and one of E2: it matches E1; E2 is missed.
			"precision": 1.0, "recall": round(2.0 / 3), "f1": 0.8, "counts.missed": 1.0,
			"association_purity": 0.75, "association_completeness": 1.0}},
		{name: "mostly reports of nothing", events: edit(func(es []Event) []Event {
			es[0].Observations = keys("a1/1", "a3/9", "stranger/1")
			es[2].Observations = keys("p1/1", "a3/9") // one each: a tie goes to the true event
			return es
		}), want: map[string]any{
			"counts.spurious": 1.0, "counts.matched": 2.0, "counts.shared_reports": 1.0, "counts.unknown_reports": 1.0,
			"precision": round(2.0 / 3), "recall": round(2.0 / 3)}},
		{name: "undetermined attributions", events: edit(func(es []Event) []Event {
			es[0].Attribution = party(Undetermined, 0.6, map[string]float64{"RUS": 0.6, "UKR": 0.4})
			es[1].Attribution = party(Undetermined, 0, nil) // nothing said: counted as 1/2
			es[2].Attribution = nil
			return es
		}), want: map[string]any{
			"attribution_accuracy": nil, "attributed_fraction": 0.0, "wrong_confident": 0.0, "counts.attributed": 0.0,
			"brier": round((0.16 + 0.25 + 0.25) / 3), "calibration.1.events": 1.0, "calibration.1.accuracy": 1.0}},
		{name: "wrong and confident", events: edit(func(es []Event) []Event {
			es[0].Attribution = party("UKR", 0.995, map[string]float64{"UKR": 0.995, "RUS": 0.005})
			es[1].Attribution = party("RUS", 0.95, nil) // wrong, not confident: p(true) = 0.05
			return es
		}), want: map[string]any{
			"wrong_confident": 1.0, "attribution_accuracy": round(1.0 / 3), "attributed_fraction": 1.0,
			"brier": round((0.995*0.995 + 0.95*0.95) / 3), "calibration.2.accuracy": 0.0, "calibration.3.accuracy": 0.5}},
		{name: "confident wrong probability under an undetermined party", events: edit(func(es []Event) []Event {
			es[0].Attribution = party(Undetermined, 0, map[string]float64{"UKR": 0.999, "RUS": 0.001})
			return es
		}), want: map[string]any{"wrong_confident": 1.0, "attribution_accuracy": 1.0, "counts.attributed": 2.0}},
		{name: "violations", events: edit(func(es []Event) []Event {
			es[0].Violations = nil // missed
			es[2].Violations = []Violation{{Rule: "restriction-of-monitors"}, {Rule: "restriction-of-monitors"}}
			return es
		}), want: map[string]any{
			"violation_accuracy": round(1.0 / 3), "violation_rule_precision": 0.5, "violation_rule_recall": 0.5}},
		{name: "localisation", events: edit(func(es []Event) []Event {
			es[0].Location = at(geo.Direct(loc1, 0, 100))
			es[0].Origin = &Origin{Lat: loc1.Lat, Lon: loc1.Lon} // 9 km from the true origin
			es[1].Location = at(geo.Direct(loc2, 90, 30))
			es[2].Location = nil
			es[0].Kind = "shot"
			return es
		}), want: map[string]any{
			"loc_median_m": 65.0, "loc_p90_m": 100.0, "counts.located": 2.0, "counts.crlb_events": 2.0,
			"loc_crlb_ratio": round((100/crlbMedian1 + 30/(15*math.Sqrt(2*math.Ln2))) / 2), "origin_median_m": 9000.0,
			"kind_accuracy": round(2.0 / 3), "by_kind.0.kind": "explosion", "by_kind.0.matched": 1.0, "by_kind.0.fused_events": 0.0,
			"by_kind.2.kind": "shot", "by_kind.2.fused_events": 1.0, "by_kind.2.false_positives": 0.0}},
		{name: "ellipses and sight lines", events: edit(func(es []Event) []Event {
			// 100 m north inside a north–south ellipse of 200 × 50 m; 30 m
			// east outside one of 200 × 20 m; a sight-line place 5 km off,
			// inside its 8 × 1 km ellipse along the line, scored apart.
			es[0].Location, es[0].Error = at(geo.Direct(loc1, 0, 100)), &Ellipse{SemiMajorM: 200, SemiMinorM: 50}
			es[1].Location, es[1].Error = at(geo.Direct(loc2, 90, 30)), &Ellipse{SemiMajorM: 200, SemiMinorM: 20}
			es[2].Location, es[2].Error = at(geo.Direct(loc4, 270, 5000)), &Ellipse{SemiMajorM: 8000, SemiMinorM: 1000, OrientationDeg: 90}
			es[2].LocationBasis = SightLine
			es[0].Origin = &Origin{Lat: loc1.Lat, Lon: loc1.Lon, Basis: SightLine} // not scored as an origin
			return es
		}), want: map[string]any{
			"counts.located": 2.0, "counts.ellipses": 2.0, "ellipse_coverage": 0.5, "loc_median_m": 65.0,
			"counts.approximate": 1.0, "loc_approx_median_m": 5000.0, "approx_ellipse_coverage": 1.0,
			"origin_median_m": nil, "counts.origins_scored": 0.0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Score(handTruth(), c.events, Options{})
			got := asJSON(t, r)
			for _, path := range sortedKeys(c.want) {
				v, ok := lookup(got, path)
				if !ok {
					t.Errorf("%s: not in the report", path)
					continue
				}
				if !same(v, c.want[path]) {
					t.Errorf("%s = %v, want %v", path, v, c.want[path])
				}
			}
			// Any order of the same events gives the same report.
			rev := slices.Clone(c.events)
			slices.Reverse(rev)
			if a, b := mustJSON(t, r), mustJSON(t, Score(handTruth(), rev, Options{})); a != b {
				t.Errorf("the report depends on the events' order:\n%s\n%s", a, b)
			}
		})
	}
}

// TestScoreOptions: the confidence line is an option.
func TestScoreOptions(t *testing.T) {
	es := edit(func(es []Event) []Event {
		es[0].Attribution = party("UKR", 0.95, nil)
		return es
	})
	if r := Score(handTruth(), es, Options{}); r.WrongConfident != 0 || r.ConfidentProbability != 0.99 {
		t.Errorf("default: wrong_confident %d at %v", r.WrongConfident, r.ConfidentProbability)
	}
	if r := Score(handTruth(), es, Options{ConfidentProbability: 0.9}); r.WrongConfident != 1 {
		t.Errorf("at 0.9: wrong_confident %d, want 1", r.WrongConfident)
	}
	if r := Score(nil, nil, Options{}); r.Counts.TrueEvents != 0 || r.F1 != nil {
		t.Errorf("no truth: %+v", r)
	}
}

// TestNotes: what the scorer had to assume is said, once, in order.
func TestNotes(t *testing.T) {
	es := edit(func(es []Event) []Event {
		es[0].Attribution = nil
		es[1].Location = nil
		return append(es, Event{ID: "Z", Observations: keys("ghost/1", "a1/1")}, Event{ID: "Y"})
	})
	r := Score(handTruth(), es, Options{})
	want := []string{
		"1 fused events list no reports and count as spurious",
		"1 located matched events have no Cramér–Rao bound (their reports do not fix a point) and are left out of loc_crlb_ratio",
		"1 matched events give no probability for the true party: the Brier score counts each as 1/2 (no information)",
		"1 matched events have no location and are left out of loc_median_m",
		"1 reports are held by more than one fused event",
		"1 reports held by fused events are not in the truth (counted like reports of nothing)",
	}
	if !slices.Equal(r.Notes, want) {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(r.Notes, "\n"), strings.Join(want, "\n"))
	}
}

func TestMedianRadius(t *testing.T) {
	cases := []struct {
		name string
		cov  [2][2]float64
		want float64
	}{
		{"circle", [2][2]float64{{100, 0}, {0, 100}}, 10 * math.Sqrt(2*math.Ln2)},
		{"a line: the median of |N(0, σ²)|", [2][2]float64{{0, 0}, {0, 400}}, 20 * 0.6744897501960817},
		{"rotated line", [2][2]float64{{200, 200}, {200, 200}}, 20 * 0.6744897501960817},
		{"nothing", [2][2]float64{}, 0},
	}
	for _, c := range cases {
		if got := medianRadius(c.cov); math.Abs(got-c.want) > 1e-6*max(c.want, 1) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	// An ellipse, against sampling.
	cov := [2][2]float64{{900, 300}, {300, 200}}
	m := medianRadius(cov)
	l := [2][2]float64{{30, 0}, {10, math.Sqrt(200 - 100)}} // Cholesky factor
	inside, n := 0, 200000
	x := uint64(1)
	normal := func() float64 { // Box–Muller on a fixed LCG: deterministic
		x = x*6364136223846793005 + 1442695040888963407
		u1 := (float64(x>>11) + 0.5) / (1 << 53)
		x = x*6364136223846793005 + 1442695040888963407
		u2 := float64(x>>11) / (1 << 53)
		return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
	}
	for range n {
		z1, z2 := normal(), normal()
		e, nn := l[0][0]*z1, l[1][0]*z1+l[1][1]*z2
		if math.Hypot(e, nn) <= m {
			inside++
		}
	}
	if f := float64(inside) / float64(n); math.Abs(f-0.5) > 0.005 {
		t.Errorf("%.4f of samples fall within the median radius", f)
	}
}

// TestMeasurements: which report measures the scored location, and how.
func TestMeasurements(t *testing.T) {
	origin := geo.Direct(loc1, 0, 8000)
	radar := geo.Direct(loc1, 180, 10000)
	truth := &sim.Truth{
		Sensors: []sim.Sensor{
			{Source: "cam", Model: "camera", Position: ptr(geo.Direct(loc1, 90, 4000)), BearingSigmaDeg: 1, RangeErrorSigma: 0.1},
			{Source: "team", Model: "patrol", BearingSigmaDeg: 8, RangeErrorSigma: 0.35, RangeShare: 0.25},
			{Source: "cbr", Model: "radar", Position: ptr(radar), ImpactCEPFraction: 0.008},
			{Source: "osint", Model: "osint", LocationSigmaM: 500},
		},
		Tracks: []sim.Track{{Sensor: "team", From: "2026-09-02T00:00:00Z", To: "2026-09-02T02:00:00Z", Points: []sim.TrackPoint{
			{T: "2026-09-02T00:00:00Z", Lat: 48.05, Lon: 37.0}, {T: "2026-09-02T01:00:00Z", Lat: 48.05, Lon: 37.1},
			{T: "2026-09-02T02:00:00Z", Lat: 48.05, Lon: 37.1}}}},
	}
	ev := &sim.Event{Kind: "explosion", Time: "2026-09-02T00:30:00Z", ImpactTime: "2026-09-02T00:30:30Z",
		Location: pt(loc1), Target: ptr(loc1), Origin: ptr(origin), DispersionM: 100,
		Observations: []sim.ObsRef{
			{Source: "cam", ID: "1", Sees: "impact"},
			{Source: "cam", ID: "2", Sees: "launch"}, // points at the origin, not the location
			{Source: "team", ID: "1", Sees: "impact"},
			{Source: "team", ID: "2", Sees: "crater"},
			{Source: "cbr", ID: "1", Sees: "track"},
			{Source: "osint", ID: "1", Sees: "impact"},
			{Source: "osint", ID: "2", Sees: "impact", DuplicateOf: "1"}, // a repost: no new evidence
			{Source: "nobody", ID: "1", Sees: "impact"},
		}}
	g := newGeometry(truth)
	ms := g.measurements(ev)
	var got []string
	for _, m := range ms {
		got = append(got, m.ref.Source+"/"+m.ref.ID)
	}
	if want := []string{"cam/1", "team/1", "team/2", "cbr/1", "osint/1"}; !slices.Equal(got, want) {
		t.Fatalf("measurements from %v, want %v", got, want)
	}
	cam, team, crater, cbr, osint := ms[0], ms[1], ms[2], ms[3], ms[4]
	if b := cam.bearing; b == nil || math.Abs(b.RangeM-4000) > 1 || math.Abs(b.RangeSigmaM-400) > 0.1 || b.SigmaDeg != 1 {
		t.Errorf("camera: %+v", cam.bearing)
	}
	// Half way along the first leg at 00:30:30.
	wantPos := geo.Point{Lat: 48.05, Lon: 37.0 + 0.1*(30.5/60)}
	if b := team.bearing; b == nil || geo.DistanceM(b.Observer, wantPos) > 0.01 || b.SigmaDeg != 8 {
		t.Errorf("patrol: %+v, want observer at %v", team.bearing, wantPos)
	} else if d := geo.DistanceM(wantPos, loc1); math.Abs(b.RangeSigmaM-d*0.35/0.5) > 0.1 {
		t.Errorf("patrol range σ %v, want %v", b.RangeSigmaM, d*0.35/0.5)
	}
	if f := crater.fix; f == nil || math.Abs(f.SigmaM-math.Hypot(50, 5)) > 1e-9 {
		t.Errorf("crater: %+v", crater.fix)
	}
	if f := cbr.fix; f == nil || math.Abs(f.SigmaM-fusion.CEPToSigma(80+100)) > 0.01 {
		t.Errorf("radar: %+v, want σ of CEP 180 m", cbr.fix)
	}
	if f := osint.fix; f == nil || math.Abs(f.SigmaM-500*math.Sqrt(0.75)) > 1e-9 {
		t.Errorf("osint: %+v", osint.fix)
	}

	// Small arms are scored at the firing position: launches measure it.
	arms := &sim.Event{Kind: "shot", Time: "2026-09-02T00:30:00Z", Location: pt(origin), Origin: ptr(origin), Target: ptr(loc1),
		Observations: []sim.ObsRef{{Source: "cam", ID: "3", Sees: "launch"}, {Source: "cam", ID: "4", Sees: "impact"}}}
	if ms := g.measurements(arms); len(ms) != 1 || ms[0].ref.ID != "3" {
		t.Errorf("small arms: %d measurements", len(ms))
	}
	// A patrol off its track measures nothing; a restriction bounds nothing.
	off := &sim.Event{Kind: "explosion", Time: "2026-09-02T05:00:00Z", Location: pt(loc1), Target: ptr(loc1),
		Observations: []sim.ObsRef{{Source: "team", ID: "9", Sees: "impact"}}}
	if ms := g.measurements(off); len(ms) != 0 {
		t.Errorf("a patrol off its track gave %d measurements", len(ms))
	}
	if _, _, ok := g.bound(&handTruth().Events[3]); ok {
		t.Error("a restriction has a bound")
	}
}

// TestOutput: the JSON has the fields; the table shows them.
func TestOutput(t *testing.T) {
	r := Score(handTruth(), perfect(), Options{})
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(js.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"f1", "precision", "recall", "loc_median_m", "loc_crlb_ratio", "attribution_accuracy",
		"attributed_fraction", "wrong_confident", "brier", "violation_accuracy", "counts"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	var tb bytes.Buffer
	if err := Score(handTruth(), nil, Options{}).WriteTable(&tb); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"scenario hand, seed 42", "F1", "0.000", "—", "median error / CRLB", "wrong at p ≥ 0.99",
		"By kind", "weapon_sighting", "MATCHING.md"} {
		if !strings.Contains(tb.String(), w) {
			t.Errorf("table lacks %q:\n%s", w, tb.String())
		}
	}
}

// TestDecodePage: the API's pages, and what the decoder refuses.
func TestDecodePage(t *testing.T) {
	good := `{"records":[{"id":"ev-1","version":2,"start":"2026-09-02T01:00:00Z","end":"2026-09-02T01:00:20.5Z","kind":"explosion",
		"location":{"lat":48,"lon":37},"error":{"semi_major_m":400,"semi_minor_m":200,"orientation_deg":12.5},
		"weapon":{"class":"artillery","caliber_mm":152},"count":4,"observations":[{"source":"a1","id":"1"}],"sources":1,
		"corroboration":"reported","violations":[{"rule":"fire-after-ceasefire","agreement_version":1,"severity":"high"}],
		"attribution":{"party":"undetermined","probability":0,"probabilities":{}},"origin":{"lat":48.1,"lon":37.1,"error":{"semi_major_m":90,"semi_minor_m":50,"orientation_deg":0}},
		"marking":["MISSION"]}],"next_cursor":"abc"}`
	p, err := DecodePage([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	e := p.Records[0]
	if p.NextCursor != "abc" || e.ID != "ev-1" || e.Violations[0].AgreementVersion != "1" || e.Marking[0] != "MISSION" ||
		e.Weapon.CaliberMM != 152 || e.Origin.Error.SemiMajorM != 90 || !e.End.Equal(time.Date(2026, 9, 2, 1, 0, 20, 5e8, time.UTC)) {
		t.Errorf("decoded %+v", e)
	}
	if p, err := DecodePage([]byte(`{"records":[{"id":"x","marking":"PUBLIC","violations":[{"rule":"r","agreement_version":"sha:ab"}]}]}`)); err != nil ||
		p.Records[0].Marking[0] != "PUBLIC" || p.Records[0].Violations[0].AgreementVersion != "sha:ab" || p.NextCursor != "" {
		t.Errorf("a string marking and version: %+v, %v", p, err)
	}
	bad := []struct{ body, want string }{
		{`[]`, "events page"},
		{`{}`, `no "records"`},
		{`{"records":[{"id":"a"},{"id":"b","count":"many"}]}`, `record 1 (id "b"): field count`},
		{`{"records":[{"id":"a","start":"yesterday"}]}`, `record 0 (id "a")`},
		{`{"records":[{"kind":"explosion"}]}`, "/id: missing"},
		{`{"records":[{"id":"a","location":{"lat":91,"lon":0}}]}`, "/location"},
		{`{"records":[{"id":"a","origin":{"lat":0,"lon":181}}]}`, "/origin"},
		{`{"records":[{"id":"a","attribution":{"party":"RUS","probability":1.5}}]}`, "/attribution/probability"},
		{`{"records":[{"id":"a","attribution":{"party":"RUS","probability":1,"probabilities":{"RUS":-1}}}]}`, "/attribution/probabilities/RUS"},
		{`{"records":[{"id":"a","observations":[{"source":"s"}]}]}`, "/observations/0"},
		{`{"records":[{"id":"a","marking":5}]}`, "string"},
		{`{"records":[{"id":"a","violations":[{"rule":"r","agreement_version":true}]}]}`, "string or a number"},
	}
	for _, b := range bad {
		if _, err := DecodePage([]byte(b.body)); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: error %v, want one naming %q", b.body, err, b.want)
		}
	}
}

func round(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func asJSON(t *testing.T, r Report) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(mustJSON(t, r)), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func mustJSON(t *testing.T, r Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// lookup follows a dotted path of keys and list indices.
func lookup(v any, path string) (any, bool) {
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[part]; !ok {
				return nil, false
			}
		case []any:
			i := 0
			for _, ch := range part {
				i = i*10 + int(ch-'0')
			}
			if i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func same(got, want any) bool {
	if g, ok := got.(float64); ok {
		w, ok := want.(float64)
		return ok && math.Abs(g-w) < 1e-9
	}
	return got == want
}
