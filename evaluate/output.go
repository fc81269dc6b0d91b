package evaluate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes the report as one indented JSON object and a newline.
// Field order is the struct's and lists are sorted, so equal reports give
// equal bytes.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes the report for a person: the figures the issue's
// targets name first, then where they come from.
func (r Report) WriteTable(w io.Writer) error {
	var b bytes.Buffer
	r.table(&b)
	// tabwriter pads empty last cells: trim what it leaves at line ends.
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	_, err := io.WriteString(w, strings.Join(lines, "\n"))
	return err
}

func (r Report) table(w io.Writer) {
	c := r.Counts
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	title := "Evaluation against ground truth"
	if r.Scenario != "" {
		title += fmt.Sprintf(" — scenario %s, seed %d", r.Scenario, r.Seed)
	}
	fmt.Fprintln(tw, title)
	section := func(name string) { fmt.Fprintf(tw, "\n%s\n", name) }
	row := func(name, value, detail string) { fmt.Fprintf(tw, "  %s\t%s\t%s\n", name, value, detail) }

	section("Detection")
	row("F1", num(r.F1), "")
	row("precision", num(r.Precision), fmt.Sprintf("%d matched of %d fused events (%d spurious, %d duplicates)", c.Matched, c.FusedEvents, c.Spurious, c.Duplicates))
	row("recall", num(r.Recall), fmt.Sprintf("%d matched of %d observed true events (%d missed)", c.Matched, c.ObservedTrueEvents, c.Missed))
	row("recall, all events", num(r.RecallAll), fmt.Sprintf("of %d true events, observed or not", c.TrueEvents))
	row("tentative, left out", strconv.Itoa(c.Tentative), fmt.Sprintf("probable false alarms, as the events list leaves them out; %d hold mostly reports of true events", c.TentativeTrue))

	section("Association")
	row("purity", num(r.AssociationPurity), fmt.Sprintf("%d reports in fused events (%d unknown to the truth, %d in several events)", c.FusedReports, c.UnknownReports, c.SharedReports))
	row("completeness", num(r.AssociationCompleteness), fmt.Sprintf("%d reports of true events (%d in no fused event)", c.TruthReports, c.UnfusedReports))

	section("Localisation")
	row("median error", metresText(r.LocMedianM), fmt.Sprintf("%d of %d matched events located; 90th percentile %s", c.Located, c.Matched, metresText(r.LocP90M)))
	row("median error / CRLB", num(r.LocCRLBRatio), fmt.Sprintf("over %d events with a bound; the bound's median error %s", c.CRLBEvents, metresText(r.CRLBMedianM)))
	row("origin median error", metresText(r.OriginMedianM), fmt.Sprintf("%d origins estimated", c.OriginsScored))
	row("inside 95 % ellipse", num(r.EllipseCoverage), fmt.Sprintf("of %d located events with an error ellipse", c.Ellipses))
	row("stand-in places", metresText(r.LocApproxMedianM), fmt.Sprintf("median error of %d events placed on a sight line or about their launch; %s inside their ellipse", c.Approximate, num(r.ApproxEllipseCoverage)))

	section("Attribution")
	row("accuracy", num(r.AttributionAccuracy), fmt.Sprintf("among %d attributed events", c.Attributed))
	row("attributed", num(r.AttributedFraction), "of matched events")
	row(fmt.Sprintf("wrong at p ≥ %s", strconv.FormatFloat(r.ConfidentProbability, 'f', -1, 64)), strconv.Itoa(r.WrongConfident), "events")
	row("Brier", num(r.Brier), "mean (1 − p(true party))², 0 is perfect")
	binned := 0
	for _, b := range r.Calibration {
		if b.Events == 0 {
			continue
		}
		binned += b.Events
		row(fmt.Sprintf("  p in [%s, %s%s", trim(b.From), trim(b.To), closing(b.To)), num(b.Accuracy),
			fmt.Sprintf("right, %d events of mean p %s", b.Events, num(b.MeanProbability)))
	}
	if binned == 0 {
		row("  calibration", "—", "no event gives a party a probability")
	}

	section("Assessment")
	row("violation accuracy", num(r.ViolationAccuracy), "matched events whose set of rules broken is the truth's")
	row("rules: precision", num(r.ViolationRulePrecision), "")
	row("rules: recall", num(r.ViolationRuleRecall), "")
	row("kind accuracy", num(r.KindAccuracy), "")
	row("weapon class accuracy", num(r.WeaponClassAccuracy), fmt.Sprintf("among %d events with a class", c.WeaponsScored))
	tw.Flush()

	if len(r.ByKind) > 0 {
		fmt.Fprintln(w, "\nBy kind (true events by their kind; fused and false positives by the kind fusion gave)")
		width := len("kind")
		for _, k := range r.ByKind {
			width = max(width, len(k.Kind))
		}
		kw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(kw, "%-*s\ttrue\tobserved\tmatched\trecall\tmedian error\t/ CRLB\tfused\tfalse pos.\t\n", width, "kind")
		for _, k := range r.ByKind {
			fmt.Fprintf(kw, "%-*s\t%d\t%d\t%d\t%s\t%s\t%s\t%d\t%d\t\n", width, k.Kind, k.TrueEvents, k.Observed, k.Matched,
				num(k.Recall), metresText(k.LocMedianM), num(k.LocCRLBRatio), k.FusedEvents, k.FalsePositives)
		}
		kw.Flush()
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(w, "\nNotes")
		for _, n := range r.Notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	fmt.Fprintln(w, "\nMetrics and the matching rule: evaluate/MATCHING.md")
}

func num(x *float64) string {
	if x == nil {
		return "—"
	}
	return strconv.FormatFloat(*x, 'f', 3, 64)
}

func metresText(x *float64) string {
	if x == nil {
		return "—"
	}
	return strconv.FormatFloat(*x, 'f', 0, 64) + " m"
}

func trim(x float64) string { return strings.TrimSuffix(strconv.FormatFloat(x, 'f', -1, 64), ".0") }

func closing(to float64) string {
	if to >= 1 {
		return "]"
	}
	return ")"
}
