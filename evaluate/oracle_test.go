package evaluate

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/sim"
	"github.com/truce-mechanism/truce/sim/simtest"
)

// simulate runs a scenario in memory and returns its truth and its
// reports by key.
func simulate(t testing.TB, scenario string, seed uint64, d time.Duration, scale float64) (*sim.Truth, map[ReportKey]*observation.Observation) {
	t.Helper()
	obs, truth := simtest.Run(t, sim.Config{Scenario: scenario, Seed: seed, Duration: d, Scale: scale})
	reports := map[ReportKey]*observation.Observation{}
	for i := range obs {
		reports[ReportKey{obs[i].Source, obs[i].ID}] = &obs[i]
	}
	return truth, reports
}

// oracle plays a perfect fusion: every observed true event becomes one
// event holding exactly its reports, with the truth's kind, weapon, party
// and violations, located by fusion.Locate from what its reports actually
// say (the measurements the bound is built from, with the reports' values
// in place of the true ones).
func oracle(truth *sim.Truth, reports map[ReportKey]*observation.Observation) []Event {
	g := newGeometry(truth)
	var out []Event
	for i := range truth.Events {
		te := &truth.Events[i]
		if len(te.Observations) == 0 {
			continue
		}
		ev := Event{ID: "oracle-" + te.ID, Kind: te.Kind, Count: te.Count,
			Attribution: &Attribution{Party: te.Party, Probability: 1, Probabilities: map[string]float64{te.Party: 1}}}
		for _, o := range te.Observations {
			ev.Observations = append(ev.Observations, ReportKey{o.Source, o.ID})
		}
		for _, v := range te.Violations {
			ev.Violations = append(ev.Violations, Violation{Rule: v.Rule, Severity: v.Severity, AgreementVersion: Text(fmt.Sprint(v.Version))})
		}
		if te.Weapon != nil {
			ev.Weapon = &Weapon{Class: te.Weapon.Class, CaliberMM: te.Weapon.CaliberMM, System: te.Weapon.System}
		}
		var bs []fusion.Bearing
		var fs []fusion.Fix
		for _, m := range g.measurements(te) {
			o := reports[ReportKey{m.ref.Source, m.ref.ID}]
			if o == nil {
				continue
			}
			switch {
			case m.bearing != nil && o.Observer != nil && o.Observer.Resolved && o.BearingDeg != nil:
				b := *m.bearing
				b.Observer = geo.Point{Lat: o.Observer.Lat, Lon: o.Observer.Lon}
				b.AzimuthDeg = *o.BearingDeg
				b.RangeM, b.RangeSigmaM = 0, 0
				if r := o.Range; r != nil && r.MaxM > 0 {
					s := g.sensors[o.Source]
					b.RangeM = (r.MinM + r.MaxM) / 2
					b.RangeSigmaM = b.RangeM * s.RangeErrorSigma
				}
				bs = append(bs, b)
			case m.fix != nil && o.Location != nil && o.Location.Resolved:
				f := *m.fix
				f.Point = geo.Point{Lat: o.Location.Lat, Lon: o.Location.Lon}
				if g.sensors[o.Source].Model == "osint" && o.Location.CEPm != nil && *o.Location.CEPm > 0 {
					f.SigmaM = fusion.CEPToSigma(*o.Location.CEPm) // this report's own σ
				}
				fs = append(fs, f)
			}
		}
		if est, err := fusion.Locate(bs, fs); err == nil {
			ev.Location = &Point{Lat: est.Point.Lat, Lon: est.Point.Lon}
		}
		out = append(out, ev)
	}
	return out
}

// TestOracle scores a perfect fusion on a real simulation: association,
// attribution and violations are perfect by construction, and the
// localisation of an efficient estimator should sit on the Cramér–Rao
// bound, which checks that the bound is rebuilt from the truth the way
// the simulator makes its errors.
func TestOracle(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a day")
	}
	for _, c := range []struct {
		scenario string
		seed     uint64
	}{{"violations", 7}, {"escalation", 3}} {
		t.Run(c.scenario, func(t *testing.T) {
			truth, reports := simulate(t, c.scenario, c.seed, 24*time.Hour, 1)
			events := oracle(truth, reports)
			r := Score(truth, events, Options{})
			for _, m := range []struct {
				name string
				got  *float64
				want float64
			}{
				{"f1", r.F1, 1}, {"precision", r.Precision, 1}, {"recall", r.Recall, 1},
				{"association_purity", r.AssociationPurity, 1}, {"association_completeness", r.AssociationCompleteness, 1},
				{"attribution_accuracy", r.AttributionAccuracy, 1}, {"attributed_fraction", r.AttributedFraction, 1},
				{"brier", r.Brier, 0}, {"violation_accuracy", r.ViolationAccuracy, 1}, {"kind_accuracy", r.KindAccuracy, 1},
			} {
				if m.got == nil || *m.got != m.want {
					t.Errorf("%s = %s, want %v", m.name, num(m.got), m.want)
				}
			}
			if r.WrongConfident != 0 || r.Counts.FalsePositives != 0 || r.Counts.Missed != 0 {
				t.Errorf("wrong_confident %d, false positives %d, missed %d: want none", r.WrongConfident, r.Counts.FalsePositives, r.Counts.Missed)
			}
			if r.LocCRLBRatio == nil || r.Counts.CRLBEvents < 30 {
				t.Fatalf("only %d events with a bound", r.Counts.CRLBEvents)
			}
			t.Logf("%s: %d true events, %d observed, %d located, %d with a bound; median error %s, bound's median %s, ratio %.3f",
				c.scenario, r.Counts.TrueEvents, r.Counts.ObservedTrueEvents, r.Counts.Located, r.Counts.CRLBEvents,
				metresText(r.LocMedianM), metresText(r.CRLBMedianM), *r.LocCRLBRatio)
			for _, k := range r.ByKind {
				t.Logf("  %-16s matched %4d, median error %8s, ratio %s", k.Kind, k.Matched, metresText(k.LocMedianM), num(k.LocCRLBRatio))
			}
			if ratio := *r.LocCRLBRatio; math.Abs(math.Log(ratio)) > math.Log(1.25) {
				t.Errorf("an efficient estimator's median error is %.3f× the bound's: the bound does not match the simulator's error models", ratio)
			}
		})
	}
}

// BenchmarkScore: scoring a simulated escalation (24 h, scale 10) against
// a perfect fusion of it; the simulation and the oracle are not timed.
//
//	go test -run '^$' -bench Score -benchtime 5x ./evaluate
func BenchmarkScore(b *testing.B) {
	truth, reports := simulate(b, "escalation", 1, 24*time.Hour, 10)
	events := oracle(truth, reports)
	b.ResetTimer()
	var r Report
	for range b.N {
		r = Score(truth, events, Options{})
	}
	b.ReportMetric(float64(b.N*len(events))/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(len(reports))/(b.Elapsed().Seconds()/float64(b.N)), "reports/s")
	b.ReportMetric(float64(len(events)), "events")
	b.ReportMetric(float64(len(reports)), "reports")
	if r.F1 == nil || *r.F1 != 1 {
		b.Fatalf("f1 %s", num(r.F1))
	}
}
