package fusion

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/sim"
	"github.com/truce-mechanism/truce/sim/simtest"
)

// TestDiagnoseRefusals tells, against the simulator's truth, why each
// pair of events holding reports of one true firing was not merged at the
// end of a run: which of mergeable's tests refuses them. A tool, run when
// asked:
//
//	TRUCE_DIAGNOSE_REFUSALS=9-10 go test -run DiagnoseRefusals -v ./fusion
//
// (violations seeds 9 and 10, 24 h; escalation:2-3 for another scenario;
// TRUCE_DIAGNOSE_VERBOSE=1 lists the pairs, =2 their reports too).
func TestDiagnoseRefusals(t *testing.T) {
	spec := os.Getenv("TRUCE_DIAGNOSE_REFUSALS")
	if spec == "" {
		t.Skip("set TRUCE_DIAGNOSE_REFUSALS=[scenario:]first-last (seeds, 24 h)")
	}
	scenario := "violations"
	if sc, rest, ok := strings.Cut(spec, ":"); ok {
		scenario, spec = sc, rest
	}
	first, last := seedRange(t, "TRUCE_DIAGNOSE_REFUSALS", spec)
	count := map[string]int{}
	for seed := first; seed <= last; seed++ {
		obs, truth := simtest.Run(t, sim.Config{Scenario: scenario, Seed: seed, Duration: 24 * time.Hour})
		g := NewEngine(Config{})
		for i := range obs {
			g.Add(int64(i+1), &obs[i])
		}
		owner := map[observation.Key]int{}
		sees := map[observation.Key]string{}
		for i, e := range truth.Events {
			for _, o := range e.Observations {
				k := observation.Key{Source: o.Source, ID: o.ID}
				owner[k], sees[k] = i+1, o.Sees
			}
		}
		model := map[string]string{}
		for _, s := range truth.Sensors {
			model[s.Source] = s.Model
		}
		show := func(e *Event) string {
			var b strings.Builder
			for i := range e.members {
				m := &e.members[i]
				fmt.Fprintf(&b, "\n        %-9s saw %-6s of T%-4d stated %-8s as %-6s %s", model[m.key.Source], sees[m.key], owner[m.key], m.obs.Fire, []string{"launch", "impact", "either"}[m.resolved()], m.obs.ObservedAt.Format("15:04:05"))
				if m.bearing != nil {
					fmt.Fprintf(&b, " %5.1f±%.1f° from %.4f,%.4f", m.bearing.AzimuthDeg, m.bearing.SigmaDeg, m.bearing.Observer.Lat, m.bearing.Observer.Lon)
				}
				for q, f := range m.fix {
					if f != nil {
						fmt.Fprintf(&b, " %s at %.4f,%.4f ±%.0f", []string{"L", "I"}[q], f.Point.Lat, f.Point.Lon, f.SigmaM)
					}
				}
				if m.back != nil {
					fmt.Fprintf(&b, " back %.1f±%.1f°", m.back.AzimuthDeg, m.back.SigmaDeg)
				}
			}
			return b.String()
		}
		// Vote as the scorer does (evaluate, MATCHING.md): each listed
		// event to the true event it holds most of; the winner holds
		// most, then has fewest reports.
		byTruth := map[int][]*Event{}
		held := map[*Event]int{}
		for _, e := range g.events {
			if e.gone || e.group != "fire" || e.Tentative {
				continue
			}
			n := map[int]int{}
			top, other := 0, 0
			for i := range e.members {
				o := owner[e.members[i].key]
				if o == 0 {
					other++
					continue
				}
				n[o]++
				if n[o] > n[top] || n[o] == n[top] && o < top {
					top = o
				}
			}
			if top > 0 && n[top] >= other {
				byTruth[top] = append(byTruth[top], e)
				held[e] = n[top]
			}
		}
		tops := make([]int, 0, len(byTruth))
		for top := range byTruth {
			tops = append(tops, top)
		}
		sort.Ints(tops)
		for _, top := range tops {
			es := byTruth[top]
			sort.SliceStable(es, func(i, j int) bool {
				if held[es[i]] != held[es[j]] {
					return held[es[i]] > held[es[j]]
				}
				return len(es[i].members) < len(es[j].members)
			})
			for _, f := range es[1:] {
				why := g.whyApart(es[0], f)
				count[why]++
				if os.Getenv("TRUCE_DIAGNOSE_VERBOSE") != "" {
					te := truth.Events[top-1]
					t.Logf("seed %d %s: %s | %s", seed, why, sketch(es[0]), sketch(f))
					if os.Getenv("TRUCE_DIAGNOSE_VERBOSE") == "2" {
						t.Logf("  true %s at %.4f,%.4f from %v%s\n      ---%s", te.Time[11:19], te.Location.Lat, te.Location.Lon, te.Origin, show(es[0]), show(f))
					}
				}
			}
		}
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%5d  %s", count[k], k)
	}
}

func sketch(e *Event) string {
	s := e.ID
	for _, p := range []phase{phaseLaunch, phaseImpact} {
		if est := e.place(p); est != nil {
			s += fmt.Sprintf(" %s %.5f,%.5f σ%.0f", []string{"L", "I"}[p], est.Point.Lat, est.Point.Lon, majorSigma(est.Cov))
		}
	}
	return fmt.Sprintf("%s [%d]", s, len(e.members))
}

// whyApart names the first of mergeable's tests that refuses e and f
// (apart), with what helps read it.
func (g *Engine) whyApart(e, f *Event) string {
	why, q := g.apart(e, f)
	n := "either"
	if q != phaseEither {
		n = []string{"launch", "impact"}[q]
	}
	switch why {
	case together:
		return "mergeable now"
	case apartEstimates:
		ea, fa := e.place(q), f.place(q)
		eb, ef := e.measurements(q)
		fb, ff := f.measurements(q)
		_, _, ok1 := gateEstimate(fa, eb, ef, g.cfg.MaxRangeM)
		_, _, ok2 := gateEstimate(ea, fb, ff, g.cfg.MaxRangeM)
		return fmt.Sprintf("%s estimates apart (e's measurements fit f's place %v, f's fit e's %v)", n, ok1, ok2)
	case apartMeasurements:
		other := f
		if e.place(q) == nil {
			other = e
		}
		bs, fs := other.measurements(q)
		return fmt.Sprintf("%s measurements off the other's estimate (%d lines, %d fixes)", n, len(bs), len(fs))
	case apartLines:
		return n + " lines disagree"
	case apartUnshared:
		return fmt.Sprintf("nothing placed in common, not halves (halves %v/%v, %v/%v)", halfOf(e, 0), halfOf(e, 1), halfOf(f, 0), halfOf(f, 1))
	case apartObserver:
		return "one observer twice"
	case apartTimes:
		return n + " times disagree"
	}
	return "not one kind"
}
