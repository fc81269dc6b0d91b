package evaluate

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/sim"
)

// Options tune the scorer. Zero values take the defaults.
type Options struct {
	// ConfidentProbability is the probability at or above which a wrong
	// attribution counts as confident (wrong_confident).
	ConfidentProbability float64
}

// DefaultConfidentProbability is the design's line for a confident
// attribution: no event may be given to the wrong party at p ≥ 0.99.
const DefaultConfidentProbability = 0.99

func (o Options) withDefaults() Options {
	if o.ConfidentProbability <= 0 || o.ConfidentProbability > 1 {
		o.ConfidentProbability = DefaultConfidentProbability
	}
	return o
}

// Report is the score of a set of events against the truth. Ratios that
// have nothing to be computed over (precision without any event, the
// attribution accuracy when nothing is attributed) are nil, shown as
// null and "—": a missing figure, not a zero. MATCHING.md defines each.
type Report struct {
	Scenario string `json:"scenario,omitempty"`
	Seed     uint64 `json:"seed"`

	F1        *float64 `json:"f1"`
	Precision *float64 `json:"precision"`
	// Recall is over the true events that some report describes; what no
	// sensor perceived cannot be detected. RecallAll is over every true
	// event.
	Recall    *float64 `json:"recall"`
	RecallAll *float64 `json:"recall_all"`

	AssociationPurity       *float64 `json:"association_purity"`
	AssociationCompleteness *float64 `json:"association_completeness"`

	LocMedianM   *float64 `json:"loc_median_m"`
	LocP90M      *float64 `json:"loc_p90_m"`
	LocCRLBRatio *float64 `json:"loc_crlb_ratio"`
	// CRLBMedianM is the median over the same events of the bound's
	// predicted median error.
	CRLBMedianM   *float64 `json:"crlb_median_m"`
	OriginMedianM *float64 `json:"origin_median_m"`
	// EllipseCoverage is the share of located matched events with an
	// error ellipse whose true location lies inside it: about 0.95 when
	// the stated 95 % ellipses are honest.
	EllipseCoverage *float64 `json:"ellipse_coverage"`
	// LocApproxMedianM and ApproxEllipseCoverage are the same figures for
	// the events whose location is a stand-in (location_basis "sight_line"
	// or "launch"), which the figures above leave out.
	LocApproxMedianM      *float64 `json:"loc_approx_median_m"`
	ApproxEllipseCoverage *float64 `json:"approx_ellipse_coverage"`

	AttributionAccuracy *float64 `json:"attribution_accuracy"`
	AttributedFraction  *float64 `json:"attributed_fraction"`
	WrongConfident      int      `json:"wrong_confident"`
	Brier               *float64 `json:"brier"`
	Calibration         []Bin    `json:"calibration"`

	ViolationAccuracy      *float64 `json:"violation_accuracy"`
	ViolationRulePrecision *float64 `json:"violation_rule_precision"`
	ViolationRuleRecall    *float64 `json:"violation_rule_recall"`

	KindAccuracy        *float64 `json:"kind_accuracy"`
	WeaponClassAccuracy *float64 `json:"weapon_class_accuracy"`

	Counts Counts    `json:"counts"`
	ByKind []KindRow `json:"by_kind"`
	// ConfidentProbability is the threshold wrong_confident used.
	ConfidentProbability float64 `json:"confident_probability"`
	// Notes say where the events left something out that the score had
	// to assume (sorted, one line each).
	Notes []string `json:"notes"`
}

// Counts are the numbers the ratios are made of.
type Counts struct {
	TrueEvents         int `json:"true_events"`
	ObservedTrueEvents int `json:"observed_true_events"`
	FusedEvents        int `json:"fused_events"`
	Matched            int `json:"matched"`
	// Missed: observed true events no fused event matched.
	Missed int `json:"missed"`
	// Spurious: fused events made mostly of reports of nothing (or of
	// reports the truth does not know). Duplicates: fused events whose
	// true event another fused event holds more of. Both are false
	// positives.
	Spurious       int `json:"spurious"`
	Duplicates     int `json:"duplicates"`
	FalsePositives int `json:"false_positives"`

	Located       int `json:"located"`        // matched events with a measured location
	Approximate   int `json:"approximate"`    // matched events whose location is a stand-in
	Ellipses      int `json:"ellipses"`       // located matched events with an error ellipse
	CRLBEvents    int `json:"crlb_events"`    // located matched events with a bound
	OriginsScored int `json:"origins_scored"` // matched events with an origin, true and estimated
	Attributed    int `json:"attributed"`     // matched events attributed to a party
	WeaponsScored int `json:"weapons_scored"` // matched events with a weapon class, true and assessed

	TruthReports    int `json:"truth_reports"`    // reports of true events
	SpuriousReports int `json:"spurious_reports"` // reports of nothing, in the truth
	FusedReports    int `json:"fused_reports"`    // distinct reports held by fused events
	// UnfusedReports: reports of true events that no fused event holds.
	UnfusedReports int `json:"unfused_reports"`
	// UnknownReports: reports in fused events that the truth does not list.
	UnknownReports int `json:"unknown_reports"`
	// SharedReports: reports held by more than one fused event.
	SharedReports int `json:"shared_reports"`
	// Tentative: events the server judged probable false alarms, left out
	// of every figure above; TentativeTrue: those of them whose reports
	// are mostly reports of true events.
	Tentative     int `json:"tentative"`
	TentativeTrue int `json:"tentative_true"`
}

// KindRow breaks detection down by kind. The true-side columns group true
// events by their kind; FusedEvents and FalsePositives group fused events
// by the kind fusion gave them.
type KindRow struct {
	Kind           string   `json:"kind"`
	TrueEvents     int      `json:"true_events"`
	Observed       int      `json:"observed"`
	Matched        int      `json:"matched"`
	Recall         *float64 `json:"recall"`
	LocMedianM     *float64 `json:"loc_median_m"`
	LocCRLBRatio   *float64 `json:"loc_crlb_ratio"`
	FusedEvents    int      `json:"fused_events"`
	FalsePositives int      `json:"false_positives"`
}

// Bin is one band of attribution confidence: matched events whose most
// probable party had a probability in [From, To), how many of them named
// the true party, and the mean probability — calibrated when the two agree.
type Bin struct {
	From            float64  `json:"from"`
	To              float64  `json:"to"`
	Events          int      `json:"events"`
	MeanProbability *float64 `json:"mean_probability"`
	Accuracy        *float64 `json:"accuracy"`
}

// calibrationEdges bound the confidence bins; the last bin holds p = 1.
var calibrationEdges = []float64{0, 0.5, 0.9, 0.99, 1}

// fused is a fused event as matching sees it.
type fused struct {
	ev      *Event
	reports []ReportKey // distinct, in the event's order
	truth   int         // index of the true event it is assigned to; -1 none
	held    int         // how many of that true event's reports it holds
	matched bool
}

// Score compares events with the truth. It is a pure function: the same
// truth and events (in any order) give the same report.
func Score(truth *sim.Truth, events []Event, opts Options) Report {
	opts = opts.withDefaults()
	if truth == nil {
		truth = &sim.Truth{}
	}
	r := Report{Scenario: truth.Scenario, Seed: truth.Seed, ConfidentProbability: opts.ConfidentProbability, Notes: []string{}}
	c := &r.Counts
	notes := map[string]bool{}

	// The truth: which true event each report belongs to.
	owner := map[ReportKey]int{}
	spurious := map[ReportKey]bool{}
	reportsOf := make([]int, len(truth.Events))
	for i, e := range truth.Events {
		for _, o := range e.Observations {
			k := ReportKey{o.Source, o.ID}
			if _, dup := owner[k]; !dup {
				owner[k] = i
				reportsOf[i]++
			}
		}
		c.TruthReports += reportsOf[i]
	}
	for _, s := range truth.Spurious {
		k := ReportKey{s.Source, s.ID}
		if _, ok := owner[k]; !ok {
			spurious[k] = true
		}
	}
	c.SpuriousReports = len(spurious)
	c.TrueEvents = len(truth.Events)
	observed := make([]bool, len(truth.Events))
	for i, e := range truth.Events {
		observed[i] = e.Observed || reportsOf[i] > 0
		if observed[i] {
			c.ObservedTrueEvents++
		}
	}

	// Tentative events are left out, as the server's default list leaves
	// them out; counted apart, with those that hold mostly reports of
	// true events (recall the judgement cost).
	fs := make([]*fused, 0, len(events))
	for i := range events {
		e := &events[i]
		if !e.Tentative {
			fs = append(fs, &fused{ev: e, truth: -1})
			continue
		}
		c.Tentative++
		held := 0
		for _, k := range e.Observations {
			if _, ok := owner[k]; ok {
				held++
			}
		}
		if held > 0 && 2*held >= len(e.Observations) {
			c.TentativeTrue++
		}
	}
	// In an order that does not depend on the input's.
	slices.SortStableFunc(fs, func(a, b *fused) int {
		if c := cmp.Compare(a.ev.ID, b.ev.ID); c != 0 {
			return c
		}
		if c := a.ev.Start.Compare(b.ev.Start); c != 0 {
			return c
		}
		// Two events under one id and start: a server's fault, but the
		// report must still not depend on the order they came in.
		return slices.CompareFunc(a.ev.Observations, b.ev.Observations, func(x, y ReportKey) int {
			return cmp.Or(cmp.Compare(x.Source, y.Source), cmp.Compare(x.ID, y.ID))
		})
	})
	c.FusedEvents = len(fs)

	// Votes: each fused event goes to the true event that contributed the
	// most of its reports, unless reports of nothing outnumber it.
	holders := map[ReportKey]int{}
	maxHeld := make([]int, len(truth.Events))
	var purityNum, purityDen int
	for _, f := range fs {
		seen := map[ReportKey]bool{}
		votes := map[int]int{}
		other := 0 // spurious or unknown
		for _, k := range f.ev.Observations {
			if seen[k] {
				continue
			}
			seen[k] = true
			f.reports = append(f.reports, k)
			holders[k]++
			if i, ok := owner[k]; ok {
				votes[i]++
				continue
			}
			other++
			if !spurious[k] {
				c.UnknownReports++
			}
		}
		top, n := -1, 0
		for i, v := range votes {
			if v > n || v == n && i < top {
				top, n = i, v
			}
			maxHeld[i] = max(maxHeld[i], v)
		}
		if len(f.reports) > 0 {
			purityNum += max(n, 1) // a report of nothing is its own group
			purityDen += len(f.reports)
		}
		if top >= 0 && n >= other {
			f.truth, f.held = top, n
		}
	}
	for _, n := range holders {
		c.FusedReports++
		if n > 1 {
			c.SharedReports++
		}
	}
	for k := range owner {
		if holders[k] == 0 {
			c.UnfusedReports++
		}
	}
	r.AssociationPurity = ratio(purityNum, purityDen)
	var held int
	for i := range truth.Events {
		held += maxHeld[i]
	}
	r.AssociationCompleteness = ratio(held, c.TruthReports)

	// Each true event is matched by the fused event holding most of its
	// reports; then the purer (fewer reports in all); then the first in
	// the order above.
	winner := make([]*fused, len(truth.Events))
	for _, f := range fs {
		if f.truth < 0 {
			continue
		}
		w := winner[f.truth]
		if w == nil || f.held > w.held || f.held == w.held && len(f.reports) < len(w.reports) {
			winner[f.truth] = f
		}
	}
	for _, f := range fs {
		switch {
		case f.truth < 0:
			c.Spurious++
		case winner[f.truth] == f:
			f.matched = true
			c.Matched++
		default:
			c.Duplicates++
		}
	}
	c.FalsePositives = c.Spurious + c.Duplicates
	c.Missed = c.ObservedTrueEvents - c.Matched
	r.Precision = ratio(c.Matched, c.FusedEvents)
	r.Recall = ratio(c.Matched, c.ObservedTrueEvents)
	r.RecallAll = ratio(c.Matched, c.TrueEvents)
	// F1 = 2TP / (2TP + FP + FN) = 2·matched / (fused + observed).
	r.F1 = ratio(2*c.Matched, c.FusedEvents+c.ObservedTrueEvents)

	// What the matched events say, against the truth, in truth order.
	geom := newGeometry(truth)
	parties := len(truth.Parties)
	if parties < 2 {
		parties = 2
	}
	kinds := map[string]*kindAcc{}
	kindOf := func(k string) *kindAcc {
		if kinds[k] == nil {
			kinds[k] = &kindAcc{}
		}
		return kinds[k]
	}
	var locErr, crlbRatio, crlbMedian, originErr, approxErr []float64
	var inside, approxEllipses, approxInside int
	var attributedRight, brierN, ruleTP, ruleFused, ruleTrue, violRight, kindRight, weaponRight int
	var brierSum float64
	bins := make([]binAcc, len(calibrationEdges)-1)
	var noProbabilities int
	for i := range truth.Events {
		te := &truth.Events[i]
		ka := kindOf(te.Kind)
		ka.trueEvents++
		if observed[i] {
			ka.observed++
		}
		f := winner[i]
		if f == nil {
			continue
		}
		ka.matched++
		ev := f.ev
		if ev.Kind == te.Kind {
			kindRight++
		}
		truthAt := Point{Lat: te.Location.Lat, Lon: te.Location.Lon}
		switch {
		case ev.Location == nil:
		case standIn(ev.LocationBasis):
			c.Approximate++
			approxErr = append(approxErr, geo.DistanceM(geo.Point{Lat: ev.Location.Lat, Lon: ev.Location.Lon}, geo.Point(truthAt)))
			if ev.Error != nil {
				approxEllipses++
				if inEllipse(*ev.Location, ev.Error, truthAt) {
					approxInside++
				}
			}
		default:
			c.Located++
			d := geo.DistanceM(geo.Point{Lat: ev.Location.Lat, Lon: ev.Location.Lon}, geo.Point(truthAt))
			locErr = append(locErr, d)
			if ev.Error != nil {
				c.Ellipses++
				if inEllipse(*ev.Location, ev.Error, truthAt) {
					inside++
				}
			}
			ka.locErr = append(ka.locErr, d)
			if _, m, ok := geom.bound(te); ok {
				c.CRLBEvents++
				crlbRatio = append(crlbRatio, d/m)
				crlbMedian = append(crlbMedian, m)
				ka.crlbRatio = append(ka.crlbRatio, d/m)
			}
		}
		if ev.Origin != nil && !standIn(ev.Origin.Basis) && te.Origin != nil {
			c.OriginsScored++
			originErr = append(originErr, geo.DistanceM(geo.Point{Lat: ev.Origin.Lat, Lon: ev.Origin.Lon}, geo.Point{Lat: te.Origin.Lat, Lon: te.Origin.Lon}))
		}
		if ev.Weapon != nil && ev.Weapon.Class != "" && te.Weapon != nil && te.Weapon.Class != "" {
			c.WeaponsScored++
			if ev.Weapon.Class == te.Weapon.Class {
				weaponRight++
			}
		}

		// Attribution.
		a := ev.Attribution
		if a == nil {
			a = &Attribution{Party: Undetermined}
		}
		if a.Party != "" && a.Party != Undetermined {
			c.Attributed++
			if a.Party == te.Party {
				attributedRight++
			}
		}
		if wrongConfident(a, te.Party, opts.ConfidentProbability) {
			r.WrongConfident++
		}
		pTrue, given := probabilityOf(a, te.Party)
		if !given {
			pTrue = 1 / float64(parties)
			noProbabilities++
		}
		brierN++
		brierSum += (1 - pTrue) * (1 - pTrue)
		if party, p, ok := mostProbable(a); ok {
			b := binOf(p)
			bins[b].events++
			bins[b].sumP += p
			if party == te.Party {
				bins[b].right++
			}
		}

		// Violations: the sets of rules broken.
		want, got := rules(te.Violations), fusedRules(ev.Violations)
		if slices.Equal(want, got) {
			violRight++
		}
		ruleTrue += len(want)
		ruleFused += len(got)
		for _, rule := range got {
			if _, ok := slices.BinarySearch(want, rule); ok {
				ruleTP++
			}
		}
	}
	for _, f := range fs {
		ka := kindOf(f.ev.Kind)
		ka.fused++
		if !f.matched {
			ka.falsePositives++
		}
	}

	r.LocMedianM = metres(median(locErr))
	r.LocP90M = metres(quantile(locErr, 0.9))
	r.LocCRLBRatio = round4(median(crlbRatio))
	r.CRLBMedianM = metres(median(crlbMedian))
	r.OriginMedianM = metres(median(originErr))
	r.EllipseCoverage = ratio(inside, c.Ellipses)
	r.LocApproxMedianM = metres(median(approxErr))
	r.ApproxEllipseCoverage = ratio(approxInside, approxEllipses)
	r.AttributionAccuracy = ratio(attributedRight, c.Attributed)
	r.AttributedFraction = ratio(c.Attributed, c.Matched)
	if brierN > 0 {
		r.Brier = round4(brierSum / float64(brierN))
	}
	for b := range bins {
		bin := Bin{From: calibrationEdges[b], To: calibrationEdges[b+1], Events: bins[b].events, Accuracy: ratio(bins[b].right, bins[b].events)}
		if bins[b].events > 0 {
			bin.MeanProbability = round4(bins[b].sumP / float64(bins[b].events))
		}
		r.Calibration = append(r.Calibration, bin)
	}
	r.ViolationAccuracy = ratio(violRight, c.Matched)
	r.ViolationRulePrecision = ratio(ruleTP, ruleFused)
	r.ViolationRuleRecall = ratio(ruleTP, ruleTrue)
	r.KindAccuracy = ratio(kindRight, c.Matched)
	r.WeaponClassAccuracy = ratio(weaponRight, c.WeaponsScored)

	r.ByKind = []KindRow{}
	for _, k := range sortedKeys(kinds) {
		ka := kinds[k]
		r.ByKind = append(r.ByKind, KindRow{Kind: k, TrueEvents: ka.trueEvents, Observed: ka.observed, Matched: ka.matched,
			Recall: ratio(ka.matched, ka.observed), LocMedianM: metres(median(ka.locErr)), LocCRLBRatio: round4(median(ka.crlbRatio)),
			FusedEvents: ka.fused, FalsePositives: ka.falsePositives})
	}

	if noProbabilities > 0 {
		notes[fmt.Sprintf("%d matched events give no probability for the true party: the Brier score counts each as 1/%d (no information)", noProbabilities, parties)] = true
	}
	if c.UnknownReports > 0 {
		notes[fmt.Sprintf("%d reports held by fused events are not in the truth (counted like reports of nothing)", c.UnknownReports)] = true
	}
	if c.SharedReports > 0 {
		notes[fmt.Sprintf("%d reports are held by more than one fused event", c.SharedReports)] = true
	}
	if c.Tentative > 0 {
		notes[fmt.Sprintf("%d events judged tentative (probable false alarms) are left out, as the events list leaves them out; %d of them hold mostly reports of true events", c.Tentative, c.TentativeTrue)] = true
	}
	if n := c.Matched - c.Located - c.Approximate; n > 0 {
		notes[fmt.Sprintf("%d matched events have no location and are left out of loc_median_m", n)] = true
	}
	if c.Approximate > 0 {
		notes[fmt.Sprintf("%d matched events have a stand-in location (a sight line, a launch) and are scored apart (loc_approx_median_m)", c.Approximate)] = true
	}
	if n := c.Located - c.CRLBEvents; n > 0 {
		notes[fmt.Sprintf("%d located matched events have no Cramér–Rao bound (their reports do not fix a point) and are left out of loc_crlb_ratio", n)] = true
	}
	empty := 0
	for _, f := range fs {
		if len(f.reports) == 0 {
			empty++
		}
	}
	if empty > 0 {
		notes[fmt.Sprintf("%d fused events list no reports and count as spurious", empty)] = true
	}
	r.Notes = sortedKeys(notes)
	return r
}

type kindAcc struct {
	trueEvents, observed, matched, fused, falsePositives int
	locErr, crlbRatio                                    []float64
}

type binAcc struct {
	events, right int
	sumP          float64
}

func binOf(p float64) int {
	for b := len(calibrationEdges) - 2; b > 0; b-- {
		if p >= calibrationEdges[b] {
			return b
		}
	}
	return 0
}

// probabilityOf is the probability an attribution gives to party: from its
// per-party probabilities when it lists party; else the probability of the
// party it names when that is party, or what that leaves over when it
// names another. given is false when it says nothing about party.
func probabilityOf(a *Attribution, party string) (p float64, given bool) {
	if p, ok := a.Probabilities[party]; ok {
		return p, true
	}
	switch {
	case a.Party == party:
		return a.Probability, true
	case a.Party != "" && a.Party != Undetermined:
		return 1 - a.Probability, true
	}
	return 0, false
}

// mostProbable is the party an attribution thinks likeliest, and its
// probability (ties to the first party by name).
func mostProbable(a *Attribution) (string, float64, bool) {
	best, bp := "", -1.0
	for _, party := range sortedKeys(a.Probabilities) {
		if p := a.Probabilities[party]; p > bp {
			best, bp = party, p
		}
	}
	if best != "" {
		return best, bp, true
	}
	if a.Party != "" && a.Party != Undetermined {
		return a.Party, a.Probability, true
	}
	return "", 0, false
}

// wrongConfident: the attribution gives a party other than the truth's a
// probability of at least threshold — in its per-party probabilities, or
// as the party it names.
func wrongConfident(a *Attribution, truthParty string, threshold float64) bool {
	for party, p := range a.Probabilities {
		if party != truthParty && p >= threshold {
			return true
		}
	}
	return a.Party != "" && a.Party != Undetermined && a.Party != truthParty && a.Probability >= threshold
}

func rules(vs []sim.Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Rule)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func fusedRules(vs []Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Rule)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	return round4(float64(n) / float64(d))
}

func round4(x float64) *float64 {
	if math.IsNaN(x) {
		return nil
	}
	v := math.Round(x*1e4) / 1e4
	return &v
}

func metres(x float64) *float64 {
	if math.IsNaN(x) {
		return nil
	}
	v := math.Round(x*10) / 10
	return &v
}

// median of xs (the mean of the middle two for an even count); NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// quantile by nearest rank: the smallest value with at least q of xs at or
// below it; NaN for none.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}
