package fusion_test

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/evaluate"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/sim"
)

// TestDiagnose explains a run's false positives and misses against the
// simulator's truth: which fused events are duplicates of a true event
// (and what each part holds) or spurious, and what the missed events
// were made of. It is a tool for whoever works on association, not a
// check, so it runs only when asked:
//
//	TRUCE_DIAGNOSE=violations:1:24h,escalation:2:24h go test -run Diagnose -v ./fusion
//
// Options after the duration change the world (diagnosis): for example
// violations:21:48h:layout=7:sigma=1.5.
//
// TRUCE_DIAGNOSE_VERBOSE=1 also shows each duplicate and missed event with
// its reports, their times, sight lines and fixes.
func TestDiagnose(t *testing.T) {
	spec := os.Getenv("TRUCE_DIAGNOSE")
	if spec == "" {
		t.Skip("set TRUCE_DIAGNOSE=scenario:seed:duration[:option…][,…]")
	}
	for _, run := range strings.Split(spec, ",") {
		cfg, err := diagnosis(run)
		if err != nil {
			t.Fatalf("%q: %v", run, err)
		}
		t.Run(run, func(t *testing.T) { diagnose(t, cfg) })
	}
}

// diagnosis reads one run of TRUCE_DIAGNOSE: scenario:seed:duration, then
// any of layout=N (sim.Config.LayoutSeed), scale=X (sim.Config.Scale), sigma=X, time=X, outliers=P,
// bias=D (sim.ErrorModel); a bare number is the share of outliers.
func diagnosis(run string) (sim.Config, error) {
	f := strings.Split(run, ":")
	if len(f) < 3 {
		return sim.Config{}, fmt.Errorf("want scenario:seed:duration[:option…]")
	}
	cfg := sim.Config{Scenario: f[0]}
	var err error
	if cfg.Seed, err = strconv.ParseUint(f[1], 10, 64); err != nil {
		return cfg, err
	}
	if cfg.Duration, err = time.ParseDuration(f[2]); err != nil {
		return cfg, err
	}
	for _, o := range f[3:] {
		name, value, ok := strings.Cut(o, "=")
		if !ok {
			name, value = "outliers", o
		}
		if name == "scale" {
			if cfg.Scale, err = strconv.ParseFloat(value, 64); err != nil {
				return cfg, fmt.Errorf("scale: %v", err)
			}
			continue
		}
		if name == "layout" {
			if cfg.LayoutSeed, err = strconv.ParseUint(value, 10, 64); err != nil {
				return cfg, fmt.Errorf("layout: %v", err)
			}
			continue
		}
		x, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return cfg, fmt.Errorf("%s: %v", name, err)
		}
		switch name {
		case "sigma":
			cfg.Errors.SigmaScale = x
		case "time":
			cfg.Errors.TimeSigmaScale = x
		case "outliers":
			cfg.Errors.Outliers = x
		case "bias":
			cfg.Errors.BearingBiasDeg = x
		default:
			return cfg, fmt.Errorf("unknown option %q (layout, scale, sigma, time, outliers, bias)", name)
		}
	}
	return cfg, nil
}

func diagnose(t *testing.T, cfg sim.Config) {
	obs, truth := simulateConfig(t, cfg)
	// The events as the API lists them: tentative ones left out.
	events := slices.DeleteFunc(fuseAll(obs), func(e *fusion.Event) bool { return e.Tentative })
	r := evaluate.Score(truth, toEvaluate(events), evaluate.Options{})
	logReport(t, r)
	verbose := os.Getenv("TRUCE_DIAGNOSE_VERBOSE") != ""

	// A report's label: the sensor's model, what it saw (or SPUR for a
	// report of nothing) and the direction of fire it stated.
	model := map[string]string{}
	for _, s := range truth.Sensors {
		model[s.Source] = s.Model
	}
	byKey := map[observation.Key]*observation.Observation{}
	for i := range obs {
		byKey[obs[i].Key()] = &obs[i]
	}
	owner := map[observation.Key]int{} // report → index of its true event + 1
	sees := map[observation.Key]string{}
	for i, e := range truth.Events {
		for _, o := range e.Observations {
			k := observation.Key{Source: o.Source, ID: o.ID}
			owner[k], sees[k] = i+1, o.Sees
			if strings.HasPrefix(o.Note, "gross error") {
				sees[k] += "!" // an outlier (sim.ErrorModel.Outliers)
			}
		}
	}
	label := func(k observation.Key) string {
		s := model[k.Source] + ":SPUR"
		if owner[k] > 0 {
			s = model[k.Source] + ":" + sees[k]
		}
		if o := byKey[k]; o != nil && o.Fire != "" {
			s += ":" + string(o.Fire)[:3]
		}
		return s
	}
	signature := func(ks []observation.Key) string {
		var ls []string
		for _, k := range ks {
			ls = append(ls, label(k))
		}
		slices.Sort(ls)
		return strings.Join(slices.Compact(ls), " ")
	}

	// Vote as evaluate does (MATCHING.md): each fused event to the true
	// event it holds most of, then one winner per true event.
	type vote struct{ truth, held int }
	votes := make([]vote, len(events))
	winner := map[int]int{}
	for i, e := range events {
		n, other := map[int]int{}, 0
		for _, k := range e.Observations {
			if owner[k] > 0 {
				n[owner[k]]++
			} else {
				other++
			}
		}
		top, held := 0, 0
		for v, c := range n {
			if c > held || c == held && v < top {
				top, held = v, c
			}
		}
		if top == 0 || held < other {
			continue
		}
		votes[i] = vote{top, held}
		w, ok := winner[top]
		if !ok || held > votes[w].held || held == votes[w].held && len(e.Observations) < len(events[w].Observations) {
			winner[top] = i
		}
	}
	duplicates, spurious, missed := map[string]int{}, map[string]int{}, map[string]int{}
	for i, e := range events {
		v := votes[i]
		switch {
		case v.truth == 0:
			spurious[signature(e.Observations)]++
			if verbose {
				t.Logf("SPURIOUS (false alarm %.2f) %s", e.FalseAlarm, detail(e, byKey, label))
			}
		case winner[v.truth] != i:
			w := events[winner[v.truth]]
			duplicates[fmt.Sprintf("%s: {%s} beside {%s}", truth.Events[v.truth-1].Kind, signature(e.Observations), signature(w.Observations))]++
			if verbose {
				te := truth.Events[v.truth-1]
				t.Logf("DUPLICATE of %s %s at %s (%.5f,%.5f) origin %v", te.ID, te.Kind, te.Time, te.Location.Lat, te.Location.Lon, te.Origin)
				t.Logf("  matched by %s", detail(w, byKey, label))
				t.Logf("  duplicate  %s", detail(e, byKey, label))
			}
		}
	}
	for i, te := range truth.Events {
		if _, ok := winner[i+1]; ok || len(te.Observations) == 0 {
			continue
		}
		var ks []observation.Key
		for _, o := range te.Observations {
			ks = append(ks, observation.Key{Source: o.Source, ID: o.ID})
		}
		missed[te.Kind+": {"+signature(ks)+"}"]++
	}
	if verbose {
		for i, te := range truth.Events {
			if _, ok := winner[i+1]; ok || len(te.Observations) == 0 {
				continue
			}
			t.Logf("MISSED %s %s at %s (%.5f,%.5f) origin %v", te.ID, te.Kind, te.Time, te.Location.Lat, te.Location.Lon, te.Origin)
			for _, o := range te.Observations {
				k := observation.Key{Source: o.Source, ID: o.ID}
				where := "in no event"
				for j, e := range events {
					if slices.Contains(e.Observations, k) {
						where = "in " + detail(events[j], byKey, label)
						break
					}
				}
				t.Logf("  %s %s", report(byKey[k], label(k)), where)
			}
		}
	}
	logCounts(t, "duplicates (the duplicate beside the event that matched)", duplicates)
	logCounts(t, "spurious events", spurious)
	logCounts(t, "missed true events", missed)
}

// detail shows a fused event and its reports, one per line.
func detail(e *fusion.Event, byKey map[observation.Key]*observation.Observation, label func(observation.Key) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s–%s", e.ID, e.Kind, e.Start.Format("15:04:05.000"), e.End.Format("15:04:05.000"))
	if e.Location != nil {
		fmt.Fprintf(&b, " at %v", e.Location)
	}
	if e.Origin != nil {
		fmt.Fprintf(&b, " from %v", e.Origin)
	}
	for _, k := range e.Observations {
		b.WriteString("\n      ")
		b.WriteString(report(byKey[k], label(k)))
	}
	return b.String()
}

// report shows what one report said.
func report(o *observation.Observation, label string) string {
	s := fmt.Sprintf("%-24s %s ±%gs", label, o.ObservedAt.Format("15:04:05.000"), o.TimeSigmaS)
	pt := func(p *observation.Point) string {
		cep := 0.0
		if p.CEPm != nil {
			cep = *p.CEPm
		}
		return fmt.Sprintf("(%.5f,%.5f ±%.0f m)", p.Lat, p.Lon, cep)
	}
	if o.BearingDeg != nil {
		s += fmt.Sprintf(" bearing %.1f±%.1f° from %s", *o.BearingDeg, o.BearingSigmaDeg, pt(o.Observer))
	}
	if o.Range != nil {
		s += fmt.Sprintf(" range %.0f–%.0f m", o.Range.MinM, o.Range.MaxM)
	}
	if o.Location != nil {
		s += " at " + pt(o.Location)
	}
	if o.Origin != nil {
		s += " origin " + pt(o.Origin)
	}
	return s
}

func logCounts(t *testing.T, title string, m map[string]int) {
	type kv struct {
		k string
		n int
	}
	var l []kv
	total := 0
	for k, n := range m {
		l, total = append(l, kv{k, n}), total+n
	}
	sort.Slice(l, func(i, j int) bool { return l[i].n > l[j].n || l[i].n == l[j].n && l[i].k < l[j].k })
	t.Logf("%s: %d", title, total)
	for i, x := range l {
		if i == 30 {
			t.Logf("  … %d more kinds", len(l)-i)
			break
		}
		t.Logf("  %4d  %s", x.n, x.k)
	}
}
