package sim

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
)

// measured is one measurement of a report of a firing against the truth:
// its error and the σ the report states, in the same unit.
type measured struct {
	source      string
	err, stated float64
	gross       bool
}

// measure reads the bearings of cameras and acoustic arrays and the
// arrival times of the arrays, the measurements whose truth can be worked
// out exactly from truth.json: the bearing from the sensor to the launch
// or the aim point, and launch or impact time plus distance / speed of
// sound.
func measure(t *testing.T, r *Result) (bearings, arrivals []measured) {
	t.Helper()
	obs, _, _ := files(t, r)
	docs, err := observation.Decode(observation.MediaNDJSON, obs)
	if err != nil {
		t.Fatal(err)
	}
	reports := map[key]observation.Observation{}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, d := range docs {
		o, errs := observation.Parse(d, now, resolveMGRS)
		if len(errs) > 0 {
			t.Fatalf("line %d: %s", d.Line, observation.Summary(errs, 0))
		}
		reports[key{o.Source, o.ID}] = o
	}
	models := map[string]string{}
	for _, s := range r.Truth.Sensors {
		models[s.Source] = s.Model
	}
	for _, e := range r.Truth.Events {
		for _, ref := range e.Observations {
			model := models[ref.Source]
			if model != "camera" && model != "acoustic" {
				continue
			}
			var at *Point
			var when string
			switch ref.Sees {
			case seesLaunch:
				at, when = e.Origin, e.Time
			case seesImpact:
				at, when = e.Target, e.ImpactTime
			default:
				continue
			}
			o := reports[key{ref.Source, ref.ID}]
			gross := strings.Contains(ref.Note, "gross error")
			d, az, _ := geo.Inverse(geo.Point{Lat: o.Observer.Lat, Lon: o.Observer.Lon}, gp(*at))
			bearings = append(bearings, measured{ref.Source, angleDiff(*o.BearingDeg, az), o.BearingSigmaDeg, gross})
			if model == "acoustic" {
				t0, err := time.Parse(time.RFC3339, when)
				if err != nil {
					t.Fatal(err)
				}
				heard := t0.Add(time.Duration(d / SpeedOfSound * float64(time.Second)))
				arrivals = append(arrivals, measured{ref.Source, o.ObservedAt.Sub(heard).Seconds(), o.TimeSigmaS, gross})
			}
		}
	}
	return bearings, arrivals
}

// rmsRatio is the root mean square of error / stated σ over the
// measurements keep accepts (nil: all), after taking off each source's
// bias.
func rmsRatio(ms []measured, keep func(measured) bool, bias map[string]float64) (float64, int) {
	sum, n := 0.0, 0
	for _, m := range ms {
		if keep != nil && !keep(m) {
			continue
		}
		z := (m.err - bias[m.source]) / m.stated
		sum += z * z
		n++
	}
	return math.Sqrt(sum / float64(n)), n
}

// measured3d is the run the error-model tests measure: three days of
// violations have some 1,500 camera and acoustic bearings of firings.
func measured3d(errs ErrorModel) Config {
	return Config{Scenario: "violations", Seed: 1, Start: start, Duration: 72 * time.Hour, Errors: errs}
}

// TestErrorModelSpread: true errors are SigmaScale (bearings) and
// TimeSigmaScale (times) times the σ the reports state.
func TestErrorModelSpread(t *testing.T) {
	for _, c := range []struct {
		name          string
		errs          ErrorModel
		bearing, time float64 // RMS of error / stated σ
	}{
		{"as stated", ErrorModel{}, 1, 1},
		{"sigma scale 2", ErrorModel{SigmaScale: 2}, 2, 1},
		{"sigma scale 0.5", ErrorModel{SigmaScale: 0.5}, 0.5, 1},
		{"time sigma scale 2", ErrorModel{TimeSigmaScale: 2}, 1, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			bearings, arrivals := measure(t, run(t, measured3d(c.errs)))
			for _, m := range []struct {
				what string
				ms   []measured
				want float64
			}{{"bearing", bearings, c.bearing}, {"acoustic arrival time", arrivals, c.time}} {
				got, n := rmsRatio(m.ms, nil, nil)
				t.Logf("%s: RMS error %.3f× the stated σ over %d reports", m.what, got, n)
				if n < 1000 || math.Abs(got/m.want-1) > 0.08 {
					t.Errorf("%s: RMS error %.3f× the stated σ over %d reports, want %.2f×", m.what, got, n, m.want)
				}
			}
		})
	}
}

// TestErrorModelOutliers: about the share Outliers of reports of events
// carry a gross error, noted in the truth, measured with 5 to 10 times
// the σ; the others are as stated.
func TestErrorModelOutliers(t *testing.T) {
	const share = 0.1
	r := run(t, measured3d(ErrorModel{Outliers: share}))
	n, gross := 0, 0
	for _, e := range r.Truth.Events {
		if e.Kind == "restriction" {
			continue // a patrol's own position: nothing measured
		}
		for _, o := range e.Observations {
			n++
			if strings.Contains(o.Note, "gross error") {
				gross++
			}
		}
	}
	if sd := math.Sqrt(share * (1 - share) / float64(n)); math.Abs(float64(gross)/float64(n)-share) > 4*sd {
		t.Errorf("%d of %d reports of events have a gross error, want about %.0f %%", gross, n, 100*share)
	}
	bearings, _ := measure(t, r)
	good, ng := rmsRatio(bearings, func(m measured) bool { return !m.gross }, nil)
	bad, nb := rmsRatio(bearings, func(m measured) bool { return m.gross }, nil)
	t.Logf("%d of %d reports gross; bearings %.2f× the stated σ (%d), gross ones %.2f× (%d)", gross, n, good, ng, bad, nb)
	if math.Abs(good-1) > 0.08 {
		t.Errorf("bearings without a gross error: RMS %.2f× the stated σ, want 1", good)
	}
	if nb < 50 || bad < outlierMin || bad > outlierMax {
		t.Errorf("gross bearings: RMS %.2f× the stated σ over %d, want %v to %v×", bad, nb, outlierMin, outlierMax)
	}
}

// TestErrorModelBearingBias: each bearing-taking sensor gets a constant
// bias of about BearingBiasDeg, recorded in the truth; taken off, its
// bearings are as stated.
func TestErrorModelBearingBias(t *testing.T) {
	const sd = 2.0
	r := run(t, measured3d(ErrorModel{BearingBiasDeg: sd}))
	bias := map[string]float64{}
	sum := 0.0
	for _, s := range r.Truth.Sensors {
		switch s.Model {
		case "patrol", "camera", "acoustic":
			bias[s.Source] = s.BearingBiasDeg
			sum += s.BearingBiasDeg * s.BearingBiasDeg
		default:
			if s.BearingBiasDeg != 0 {
				t.Errorf("%s takes no bearings but has a bias of %v°", s.Source, s.BearingBiasDeg)
			}
		}
	}
	if spread := math.Sqrt(sum / float64(len(bias))); math.Abs(spread/sd-1) > 0.3 {
		t.Errorf("biases of %d sensors spread %.2f°, want about %v°", len(bias), spread, sd)
	}
	bearings, _ := measure(t, r)
	raw, n := rmsRatio(bearings, nil, nil)
	unbiased, _ := rmsRatio(bearings, nil, bias)
	t.Logf("%d bearings: %.2f× the stated σ, %.2f× once each sensor's bias is taken off", n, raw, unbiased)
	if math.Abs(unbiased-1) > 0.08 || raw < 1.3 {
		t.Errorf("%d bearings: %.2f× the stated σ, %.2f× once each sensor's bias is taken off; want more than 1.3 and 1", n, raw, unbiased)
	}
}

// who says which report is of which event and which are spurious: what
// the error model must not change.
func who(r *Result) string {
	var b strings.Builder
	for _, e := range r.Truth.Events {
		fmt.Fprintf(&b, "%s %s %s %v %d:", e.ID, e.Kind, e.Time, e.Location, e.Count)
		for _, o := range e.Observations {
			fmt.Fprintf(&b, " %s/%s/%s", o.Source, o.ID, o.Sees)
		}
		b.WriteByte('\n')
	}
	for _, s := range r.Truth.Spurious {
		fmt.Fprintf(&b, "spurious %s/%s\n", s.Source, s.ID)
	}
	return b.String()
}

// TestErrorModelChangesOnlyErrors: however rough the error model, the
// same sensors report the same events, and every report still meets the
// intake contract.
func TestErrorModelChangesOnlyErrors(t *testing.T) {
	cfg := Config{Scenario: "escalation", Seed: 2, Start: start, Duration: 6 * time.Hour}
	plain := run(t, cfg)
	for _, errs := range []ErrorModel{
		{SigmaScale: 2, TimeSigmaScale: 3, Outliers: 0.2, BearingBiasDeg: 3},
		{SigmaScale: MaxSigmaScale, TimeSigmaScale: MaxSigmaScale, Outliers: 1, BearingBiasDeg: MaxBearingBiasDeg},
	} {
		t.Run(fmt.Sprintf("%+v", errs), func(t *testing.T) {
			cfg.Errors = errs
			rough := run(t, cfg)
			if who(plain) != who(rough) {
				t.Error("the error model changed which reports are of which event")
			}
			po, _, _ := files(t, plain)
			ro, _, _ := files(t, rough)
			if bytes.Equal(po, ro) {
				t.Error("the error model changed no report")
			}
			docs, err := observation.Decode(observation.MediaNDJSON, ro)
			if err != nil {
				t.Fatal(err)
			}
			for i, d := range docs {
				_, arrival := rough.Line(i)
				o, errs := observation.Parse(d, time.UnixMilli(arrival).UTC(), resolveMGRS)
				if len(errs) > 0 || len(o.Warnings) > 0 {
					t.Fatalf("line %d: %s %v\n%s", d.Line, observation.Summary(errs, 0), o.Warnings, d.Canonical)
				}
			}
		})
	}
}

// TestAsStatedIsTheDefault: an error model spelled out as "as stated",
// and a layout seed equal to the seed, give the bytes of a run without
// them.
func TestAsStatedIsTheDefault(t *testing.T) {
	cfg := Config{Scenario: "violations", Seed: 5, Start: start, Duration: 6 * time.Hour}
	plain := run(t, cfg)
	cfg.Errors, cfg.LayoutSeed = asStated, cfg.Seed
	spelled := run(t, cfg)
	po, pt, ps := files(t, plain)
	so, st, ss := files(t, spelled)
	if !bytes.Equal(po, so) || !bytes.Equal(pt, st) || !bytes.Equal(ps, ss) {
		t.Error("the default error model and layout, spelled out, changed the files")
	}
}

// TestLayoutSeed: another layout seed moves the sensors and leaves the
// war alone — the same sectors, the same firings and deployments.
func TestLayoutSeed(t *testing.T) {
	cfg := Config{Scenario: "violations", Seed: 1, Start: start, Duration: 24 * time.Hour}
	plain := run(t, cfg)
	cfg.LayoutSeed = 99
	moved := run(t, cfg)
	if moved.Truth.Config.LayoutSeed != 99 || plain.Truth.Config.LayoutSeed != 0 {
		t.Errorf("truth records layout seeds %d and %d, want 0 and 99", plain.Truth.Config.LayoutSeed, moved.Truth.Config.LayoutSeed)
	}
	if !slices.Equal(plain.Truth.Sectors, moved.Truth.Sectors) {
		t.Error("the layout seed moved the sectors")
	}
	war := func(r *Result) []string {
		var out []string
		for _, e := range r.Truth.Events {
			if e.Kind != "restriction" { // patrols stopped on their rounds: those follow the layout
				out = append(out, fmt.Sprintf("%s %s %s %s %v %v %v %d", e.Kind, e.Category, e.Party, e.Time, e.Location, e.Origin, e.Target, e.Count))
			}
		}
		return out
	}
	if a, b := war(plain), war(moved); !slices.Equal(a, b) {
		t.Errorf("the layout seed changed the war: %d firings and deployments, then %d", len(a), len(b))
	}
	where := map[Point]bool{}
	fixed := 0
	for _, s := range plain.Truth.Sensors {
		if s.Position != nil {
			where[*s.Position] = true
			fixed++
		}
	}
	stayed := 0
	for _, s := range moved.Truth.Sensors {
		if s.Position != nil && where[*s.Position] {
			stayed++
		}
	}
	if fixed == 0 || stayed > 0 {
		t.Errorf("%d of %d fixed sensors stand where they stood", stayed, fixed)
	}
	if who(plain) == who(moved) {
		t.Error("the sensors moved but reported the same")
	}
}
