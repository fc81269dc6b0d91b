package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/guarantee"
	"github.com/truce-mechanism/truce/server"
)

// `truce ceasefire`, `truce reassurance`, `truce commitment` and `truce
// obligation`: the security guarantees through the API, for guarantors,
// Ukraine's officials and the coordination cell. As in commission.go,
// bodies and answers are the guarantee package's own types.

// maxFailuresShown bounds the failed criteria printed; --json has all.
const maxFailuresShown = 6

func newCeasefireCmd() *cobra.Command {
	o := &apiOptions{}
	cmd := &cobra.Command{
		Use:   "ceasefire",
		Short: "Show the ceasefire's status, the indicators beside it and what the Commission is prompted to decide",
		Long: `Show the ceasefire's status as the determinations you may see make it, the
indicators the software computes beside it (verified violations per day over 7,
14 and 30 days with their 95% intervals, the credible-cessation criteria, signs of
an armed attack), and prompts: when the criteria are met, the Commission may put a
determination to the vote. truce never decides; the Commission does.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var v server.CeasefireView
			return o.call(cmd, http.MethodGet, "/api/v1/ceasefire", nil, &v, func(w io.Writer) error {
				printCeasefire(w, v)
				return nil
			})
		},
	}
	addAPIFlags(cmd, o)
	return cmd
}

func partyName(p string) string {
	if p == guarantee.Undetermined {
		return "unattributed"
	}
	return p
}

func printCeasefire(w io.Writer, v server.CeasefireView) {
	ind := v.Indicators
	phrase := v.Phrase
	if phrase == "" {
		phrase = v.Status.Phrase()
	}
	fmt.Fprintf(w, "The ceasefire is %s (%s), as of %s.\n", phrase, v.Status, utc(ind.AsOf))
	if d := v.Determination; d != nil {
		fmt.Fprintf(w, "Determined %s at %s by %s", d.Status, utc(d.At), actorText(d.By))
		if d.Party != "" {
			fmt.Fprintf(w, ", against %s", d.Party)
		}
		if d.Motion != "" {
			fmt.Fprintf(w, ", on motion %s", d.Motion)
		}
		fmt.Fprintln(w)
		if d.Tally != "" {
			fmt.Fprintf(w, "  vote: %s\n", d.Tally)
		}
	}

	fmt.Fprintf(w, "\nVerified violations per day, %.0f%% interval, over whole UTC days\n", 100*guarantee.Confidence)
	t := newTable(w)
	fmt.Fprintln(t, "WINDOW\tPARTY\tCOUNT\tHEAVY\tPER DAY\tINTERVAL\tCOVERAGE\tDAYS UNSEEN")
	for _, win := range ind.Windows {
		rows := append(append([]guarantee.Rate(nil), win.Parties...), win.All)
		for i, r := range rows {
			label, cover, unseen := "", "", ""
			if i == 0 {
				label = fmt.Sprintf("%d days %s", win.Days, dayRange(win.From, win.To))
				cover = fmt.Sprintf("%.0f%%", 100*win.MeanCoverage)
				unseen = fmt.Sprint(win.DaysWithoutCoverage)
			}
			fmt.Fprintf(t, "%s\t%s\t%d\t%d\t%.2f\t%.2f–%.2f\t%s\t%s\n", label, partyName(r.Party), r.Count, r.Heavy, r.PerDay, r.Low, r.High, cover, unseen)
		}
	}
	t.Flush()

	cc := ind.Cessation
	met := "not met"
	if cc.Met {
		met = "met"
	}
	fmt.Fprintf(w, "\nCredible-cessation criteria over the days %s: %s\n", dayRange(cc.From, cc.To), met)
	for i, f := range cc.Failures {
		if i == maxFailuresShown {
			fmt.Fprintf(w, "  … and %d more (--json lists them all)\n", len(cc.Failures)-maxFailuresShown)
			break
		}
		fmt.Fprintf(w, "  - %s\n", f)
	}

	if len(ind.AttackSigns) == 0 {
		fmt.Fprintf(w, "\nSigns of an armed attack in the last %d days: none\n", guarantee.AttackLookbackDays)
	} else {
		fmt.Fprintf(w, "\nSigns of an armed attack in the last %d days\n", guarantee.AttackLookbackDays)
		t = newTable(w)
		fmt.Fprintln(t, "DAY\tPARTY\tINDICATOR\tVALUE\tTHRESHOLD")
		for _, s := range ind.AttackSigns {
			fmt.Fprintf(t, "%s\t%s\t%s\t%g\t%g\n", s.Day.UTC().Format(time.DateOnly), partyName(s.Party), s.Indicator, s.Value, s.Threshold)
		}
		t.Flush()
	}

	if len(v.Prompts) == 0 {
		fmt.Fprintln(w, "\nPrompts: none; nothing asks for a determination now")
		return
	}
	fmt.Fprintln(w, "\nPrompts")
	for _, p := range v.Prompts {
		fmt.Fprintf(w, "  ! %s\n", p)
	}
}

// dayRange names the whole days from from (a midnight) to the midnight
// to, which is not among them: "2026-08-26..2026-09-01".
func dayRange(from, to time.Time) string {
	return from.UTC().Format(time.DateOnly) + ".." + to.UTC().AddDate(0, 0, -1).Format(time.DateOnly)
}

func printDetermination(w io.Writer, d guarantee.Determination) {
	fmt.Fprintf(w, "determination %s recorded: the ceasefire is %s", d.ID, d.Status.Phrase())
	if d.Party != "" {
		fmt.Fprintf(w, " (party responsible: %s)", d.Party)
	}
	fmt.Fprintf(w, "\n  vote: %s\n  criteria met at the time: %s\n", orDash(d.Tally), yesNo(d.Criteria))
	if d.Indicators != "" {
		fmt.Fprintf(w, "  indicators: %s\n", d.Indicators)
	}
	for _, v := range d.Dissent {
		fmt.Fprintf(w, "  dissent of %s: %s\n", v.Org, orDash(v.Reasons))
	}
}

func newReassuranceCmd() *cobra.Command {
	o := &apiOptions{}
	cmd := &cobra.Command{
		Use:   "reassurance",
		Short: "Ukraine's requests for reassurance measures, and the measures the coordination cell starts",
		Long: `Reassurance measures start only at Ukraine's request covering their domain, and
only once a credible cessation of hostilities has been determined; when either is
missing, the server refuses and says which.`,
	}
	addAPIFlags(cmd, o)

	var domains []string
	var text, marking string
	request := &cobra.Command{
		Use:     "request --domains air,sea --text TEXT",
		Short:   "Record Ukraine's request (a request for no domain withdraws it)",
		Example: `  truce reassurance request --domains air,sea --text "Ukraine requests reassurance measures in the air and at sea"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			body := struct {
				Domains []guarantee.Domain `json:"domains"`
				Text    string             `json:"text"`
				Marking string             `json:"marking,omitempty"`
			}{Domains: []guarantee.Domain{}, Text: text, Marking: marking}
			for _, d := range splitList(domains) {
				body.Domains = append(body.Domains, guarantee.Domain(d))
			}
			var q guarantee.Request
			return o.call(cmd, http.MethodPost, "/api/v1/reassurance/requests", body, &q, func(w io.Writer) error {
				if len(q.Domains) == 0 {
					fmt.Fprintf(w, "request %s recorded: Ukraine's request for reassurance measures is withdrawn\n", q.ID)
					return nil
				}
				fmt.Fprintf(w, "request %s recorded at %s: reassurance measures requested in %s\n", q.ID, utc(q.At), domainList(q.Domains))
				return nil
			})
		},
	}
	request.Flags().StringSliceVar(&domains, "domains", nil, "domains: air, sea, land (comma-separated; none withdraws the request)")
	request.Flags().StringVar(&text, "text", "", "the request's text")
	request.Flags().StringVar(&marking, "marking", "", "who may read it (default MISSION)")

	var name, domain, mMarking string
	var contributors []string
	measure := &cobra.Command{
		Use:     "measure --name NAME --domain air --contributors GBR,FRA",
		Short:   "Start a reassurance measure (coordination cell)",
		Example: `  truce reassurance measure --name "air policing" --domain air --contributors GBR,FRA`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if name == "" || domain == "" {
				return errors.New("a measure needs --name and --domain (air, sea or land)")
			}
			body := struct {
				Name         string           `json:"name"`
				Domain       guarantee.Domain `json:"domain"`
				Contributors []string         `json:"contributors"`
				Marking      string           `json:"marking,omitempty"`
			}{name, guarantee.Domain(domain), splitList(contributors), mMarking}
			var m guarantee.Measure
			return o.call(cmd, http.MethodPost, "/api/v1/reassurance/measures", body, &m, func(w io.Writer) error {
				fmt.Fprintf(w, "measure %s (%s, %s) started at %s by %s, at request %s, on determination %s\n",
					m.ID, m.Name, m.Domain, utc(m.Start), strings.Join(m.Contributors, ", "), m.Request, m.Determination)
				return nil
			})
		},
	}
	measure.Flags().StringVar(&name, "name", "", "the measure's name, e.g. \"air policing\" (required)")
	measure.Flags().StringVar(&domain, "domain", "", "air, sea or land (required)")
	measure.Flags().StringSliceVar(&contributors, "contributors", nil, "contributing nations, e.g. GBR,FRA")
	measure.Flags().StringVar(&mMarking, "marking", "", "who may read it (default MISSION)")

	list := &cobra.Command{
		Use:   "list",
		Short: "List the requests and measures you may see",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var page struct {
				Requests []guarantee.Request `json:"requests"`
				Measures []guarantee.Measure `json:"measures"`
			}
			return o.call(cmd, http.MethodGet, "/api/v1/reassurance", nil, &page, func(w io.Writer) error {
				fmt.Fprintln(w, "Requests")
				if len(page.Requests) == 0 {
					fmt.Fprintln(w, "  none that you may see")
				} else {
					t := newTable(w)
					fmt.Fprintln(t, "REQUEST\tAT\tDOMAINS\tBY\tTEXT")
					for _, q := range page.Requests {
						fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\n", q.ID, utc(q.At), domainList(q.Domains), actorText(q.By), orDash(q.Text))
					}
					t.Flush()
				}
				fmt.Fprintln(w, "\nMeasures")
				if len(page.Measures) == 0 {
					fmt.Fprintln(w, "  none that you may see")
					return nil
				}
				t := newTable(w)
				fmt.Fprintln(t, "MEASURE\tNAME\tDOMAIN\tCONTRIBUTORS\tSTARTED\tREQUEST\tDETERMINATION")
				for _, m := range page.Measures {
					fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.Name, m.Domain, orDash(strings.Join(m.Contributors, ", ")), utc(m.Start), orDash(m.Request), orDash(m.Determination))
				}
				return t.Flush()
			})
		},
	}
	cmd.AddCommand(request, measure, list)
	return cmd
}

func domainList(ds []guarantee.Domain) string {
	if len(ds) == 0 {
		return "none (withdrawn)"
	}
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = string(d)
	}
	return strings.Join(s, ", ")
}

// commitmentBody is the body of POST /api/v1/commitments.
type commitmentBody struct {
	Guarantor    string                   `json:"guarantor"`
	Component    int                      `json:"component"`
	Kind         guarantee.CommitmentKind `json:"kind"`
	Description  string                   `json:"description"`
	Trigger      guarantee.Trigger        `json:"trigger"`
	ResponseTime string                   `json:"response_time"`
	Legal        guarantee.LegalBasis     `json:"legal"`
	Supersedes   string                   `json:"supersedes,omitempty"`
	Marking      string                   `json:"marking,omitempty"`
}

func newCommitmentCmd() *cobra.Command {
	o := &apiOptions{}
	cmd := &cobra.Command{
		Use:   "commitment",
		Short: "Record a guarantor's commitment, or list the commitments",
	}
	addAPIFlags(cmd, o)

	var b commitmentBody
	var kind, trigger, binding, ratification string
	var responseTime string
	add := &cobra.Command{
		Use:   "add --guarantor GBR --component 3 --kind KIND --trigger TRIGGER --response-time 72h --description TEXT",
		Short: "Record a commitment (by a user of the guarantor, or the coordination cell)",
		Example: `  truce commitment add --guarantor GBR --component 3 --kind reassurance_measures \
      --description "a squadron for air policing" --trigger credible_cessation_and_request \
      --response-time 72h --binding politically_binding --instrument "Paris Declaration"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var rt agreement.Period
			if err := rt.UnmarshalJSON(strconv.AppendQuote(nil, responseTime)); err != nil || rt <= 0 {
				return errors.New("--response-time: how long the guarantor has to act once the commitment is triggered, e.g. 72h or 14d")
			}
			b.Kind, b.Trigger = guarantee.CommitmentKind(kind), guarantee.Trigger(trigger)
			b.Legal.Binding, b.Legal.Ratification = guarantee.Binding(binding), guarantee.Ratification(ratification)
			b.ResponseTime = rt.String()
			var cm guarantee.Commitment
			return o.call(cmd, http.MethodPost, "/api/v1/commitments", b, &cm, func(w io.Writer) error {
				fmt.Fprintf(w, "commitment %s of %s recorded: %s (component %d), on %s, response time %s\n",
					cm.ID, cm.Guarantor, cm.Kind, cm.Component, cm.Trigger, span(cm.ResponseTime.Duration()))
				return nil
			})
		},
	}
	f := add.Flags()
	f.StringVar(&b.Guarantor, "guarantor", "", "the guarantor, e.g. GBR (required)")
	f.IntVar(&b.Component, "component", 0, "the declaration's component, 2 to 5")
	f.StringVar(&kind, "kind", "", "what is committed, e.g. reassurance_measures, military_assistance, sanctions")
	f.StringVar(&b.Description, "description", "", "the commitment in words")
	f.StringVar(&trigger, "trigger", "", triggerList())
	f.StringVar(&responseTime, "response-time", "", "how long the guarantor has to act once triggered, e.g. 72h or 14d")
	f.StringVar(&binding, "binding", string(guarantee.PoliticallyBinding), "politically_binding or legally_binding")
	f.StringVar(&b.Legal.Instrument, "instrument", "", "the text it rests on, e.g. \"Paris Declaration\"")
	f.StringVar(&ratification, "ratification", string(guarantee.RatificationNotRequired), "not_required, pending or ratified")
	f.StringVar(&b.Legal.Note, "legal-note", "", "a note on the legal basis")
	f.StringVar(&b.Supersedes, "supersedes", "", "the commitment this one changes")
	f.StringVar(&b.Marking, "marking", "", "who may read it (default MISSION)")

	var current bool
	list := &cobra.Command{
		Use:   "list [--current]",
		Short: "List the commitments you may see",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "/api/v1/commitments"
			if current {
				path += "?current=true"
			}
			var page struct {
				Commitments []guarantee.Commitment `json:"commitments"`
			}
			return o.call(cmd, http.MethodGet, path, nil, &page, func(w io.Writer) error {
				if len(page.Commitments) == 0 {
					fmt.Fprintln(w, "no commitments that you may see")
					return nil
				}
				t := newTable(w)
				fmt.Fprintln(t, "COMMITMENT\tGUARANTOR\tCOMPONENT\tKIND\tTRIGGER\tRESPONSE\tBINDING\tSUPERSEDES\tDESCRIPTION")
				for _, cm := range page.Commitments {
					fmt.Fprintf(t, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", cm.ID, cm.Guarantor, cm.Component, cm.Kind, cm.Trigger,
						span(cm.ResponseTime.Duration()), orDash(string(cm.Legal.Binding)), orDash(cm.Supersedes), orDash(cm.Description))
				}
				return t.Flush()
			})
		},
	}
	list.Flags().BoolVar(&current, "current", false, "only the commitments in force now")
	cmd.AddCommand(add, list)
	return cmd
}

func triggerList() string {
	s := make([]string, len(guarantee.Triggers))
	for i, t := range guarantee.Triggers {
		s[i] = string(t)
	}
	return "what activates it: " + strings.Join(s, ", ")
}

func newObligationCmd() *cobra.Command {
	o := &apiOptions{}
	cmd := &cobra.Command{
		Use:   "obligation",
		Short: "The obligations triggered commitments owe, and the guarantors' reports on them",
		Long: `When a commitment's trigger fires (the ceasefire in force, a credible cessation
and Ukraine's request, an armed attack), its guarantor owes an obligation due
within the commitment's response time. Only the guarantor reports on it; an
overdue obligation is escalated to the coordination cell, then to the
guarantors' governments.

An obligation may be named by the start of its ID, as long as that names one.`,
	}
	addAPIFlags(cmd, o)

	var overdue bool
	list := &cobra.Command{
		Use:   "list [--overdue]",
		Short: "List the obligations you may see, with what is due and what is overdue",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := o.client()
			if err != nil {
				return err
			}
			obs, raw, err := listObligations(cmd, c)
			if err != nil {
				return err
			}
			if o.json && !overdue {
				return printJSON(cmd.OutOrStdout(), raw)
			}
			var keep []server.ObligationView
			for _, ob := range obs {
				if !overdue || ob.Overdue {
					keep = append(keep, ob)
				}
			}
			if o.json {
				return printJSONValue(cmd.OutOrStdout(), map[string]any{"obligations": orEmpty(keep)})
			}
			printObligations(cmd.OutOrStdout(), keep, overdue, clockNow())
			return nil
		},
	}
	list.Flags().BoolVar(&overdue, "overdue", false, "only the overdue ones")

	var kind, text, marking string
	var evidence []string
	report := &cobra.Command{
		Use:   "report OBLIGATION --kind acknowledged|progress|fulfilled [--text TEXT] [--evidence REF]",
		Short: "Report on your obligation: acknowledge it, report progress, or report it fulfilled",
		Example: `  truce obligation report commitment-1f2e --kind acknowledged
  truce obligation report commitment-1f2e --kind fulfilled --text "four Typhoons on station"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body := struct {
				Kind     guarantee.ReportKind `json:"kind"`
				Text     string               `json:"text"`
				Evidence []string             `json:"evidence"`
				Complete bool                 `json:"complete"`
				Marking  string               `json:"marking,omitempty"`
			}{Text: text, Evidence: splitList(evidence), Marking: marking}
			switch kind {
			case "acknowledged", "acknowledge":
				body.Kind = guarantee.Acknowledged
			case "progress", string(guarantee.Fulfilment):
				body.Kind = guarantee.Fulfilment
			case "fulfilled":
				body.Kind, body.Complete = guarantee.Fulfilment, true
			default:
				return fmt.Errorf("--kind %q: acknowledged (you owe it and are acting), progress (what is done so far) or fulfilled (it is done)", kind)
			}
			c, err := o.client()
			if err != nil {
				return err
			}
			id, err := resolveObligation(cmd, c, args[0])
			if err != nil {
				return err
			}
			var rep guarantee.Report
			return o.callWith(cmd, c, http.MethodPost, "/api/v1/obligations/"+url.PathEscape(id)+"/reports", body, &rep, func(w io.Writer) error {
				what := "acknowledged"
				if rep.Kind == guarantee.Fulfilment {
					what = "progress reported"
					if rep.Complete {
						what = "reported fulfilled"
					}
				}
				fmt.Fprintf(w, "obligation %s %s at %s by %s (report %s)\n", id, what, utc(rep.At), actorText(rep.By), rep.ID)
				if rep.Late {
					fmt.Fprintln(w, "the report came after the obligation was due: it is recorded as late")
				}
				return nil
			})
		},
	}
	report.Flags().StringVar(&kind, "kind", "", "acknowledged, progress or fulfilled (required)")
	report.Flags().StringVar(&text, "text", "", "what has been done")
	report.Flags().StringArrayVar(&evidence, "evidence", nil, "evidence of it (repeat, or separate with commas)")
	report.Flags().StringVar(&marking, "marking", "", "who may read it (default: as the obligation)")
	cmd.AddCommand(list, report)
	return cmd
}

func listObligations(cmd *cobra.Command, c *procClient) ([]server.ObligationView, []byte, error) {
	var page struct {
		Obligations []server.ObligationView `json:"obligations"`
	}
	raw, err := c.get(cmd.Context(), "/api/v1/obligations", &page)
	return page.Obligations, raw, err
}

// resolveObligation turns the start of an obligation's ID into the ID,
// when it names exactly one the user may see: the IDs are long, and
// typed under pressure.
func resolveObligation(cmd *cobra.Command, c *procClient, given string) (string, error) {
	obs, _, err := listObligations(cmd, c)
	if err != nil {
		return "", err
	}
	var match []string
	for _, ob := range obs {
		if ob.ID == given {
			return given, nil
		}
		if strings.HasPrefix(ob.ID, given) {
			match = append(match, ob.ID)
		}
	}
	switch len(match) {
	case 0:
		return given, nil // the server says whether it exists
	case 1:
		return match[0], nil
	}
	return "", fmt.Errorf("%q is the start of %d obligations' IDs (%s); give more of it", given, len(match), strings.Join(match, ", "))
}

func printObligations(w io.Writer, obs []server.ObligationView, onlyOverdue bool, now time.Time) {
	if len(obs) == 0 {
		if onlyOverdue {
			fmt.Fprintln(w, "no overdue obligations that you may see")
		} else {
			fmt.Fprintln(w, "no obligations that you may see")
		}
		return
	}
	t := newTable(w)
	fmt.Fprintln(t, "OBLIGATION\tGUARANTOR\tKIND\tDUE\tSTANDING")
	var escalations []string
	for _, ob := range obs {
		standing := "not acknowledged"
		switch {
		case !ob.Fulfilled.IsZero():
			standing = "fulfilled " + utc(ob.Fulfilled)
		case !ob.Acknowledged.IsZero():
			standing = "acknowledged " + utc(ob.Acknowledged)
		}
		due := deadline(ob.Due, now)
		if !ob.Fulfilled.IsZero() {
			due = utc(ob.Due)
		}
		if ob.Overdue {
			standing = "OVERDUE, " + standing
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\n", ob.ID, ob.Guarantor, ob.Kind, due, standing)
		if ob.Escalation != "" {
			escalations = append(escalations, ob.Escalation)
		}
	}
	t.Flush()
	for _, e := range escalations {
		fmt.Fprintf(w, "! %s\n", e)
	}
}

func printJSONValue(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return printJSON(w, b)
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
