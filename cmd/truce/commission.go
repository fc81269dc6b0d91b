package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/commission"
	"github.com/truce-mechanism/truce/guarantee"
	"github.com/truce-mechanism/truce/server"
)

// `truce case` and `truce determination`: the Special Commission's work
// through the API. Bodies are the commission package's own types,
// marshalled as they are, so the wire names follow the types' tags; the
// answers are read back into the same types.

// caseActionAnswer is the answer to POST /api/v1/cases/{id}/actions.
type caseActionAnswer struct {
	Action commission.Action `json:"action"`
	Case   server.CaseView   `json:"case"`
}

// openCaseBody is the body of POST /api/v1/cases.
type openCaseBody struct {
	Accused   string   `json:"accused"`
	Events    []string `json:"events"`
	Incidents []string `json:"incidents"`
	Rule      string   `json:"rule"`
	Severity  string   `json:"severity"`
	Summary   string   `json:"summary"`
	Marking   string   `json:"marking,omitempty"`
}

// caseActionBody is the body of POST /api/v1/cases/{id}/actions: the
// action's name and its payload under the field of the same name.
type caseActionBody struct {
	Action     string                           `json:"action"`
	Marking    string                           `json:"marking,omitempty"`
	Notify     *commission.Notice               `json:"notify,omitempty"`
	Reply      *commission.Reply                `json:"reply,omitempty"`
	Motion     *commission.Motion               `json:"motion,omitempty"`
	Vote       *commission.Vote                 `json:"vote,omitempty"`
	Finding    *commission.Finding              `json:"finding,omitempty"`
	Remedy     *commission.Order                `json:"remedy,omitempty"`
	Compliance *commission.ComplianceReport     `json:"compliance,omitempty"`
	Assessment *commission.ComplianceAssessment `json:"assessment,omitempty"`
	Close      *commission.Closing              `json:"close,omitempty"`
	Reopen     *commission.Reopening            `json:"reopen,omitempty"`
}

func casePath(id string) string { return "/api/v1/cases/" + url.PathEscape(id) }

func detMotionPath(id string) string {
	return "/api/v1/determinations/motions/" + url.PathEscape(id)
}

func newCaseCmd() *cobra.Command {
	o := &apiOptions{}
	cmd := &cobra.Command{
		Use:   "case",
		Short: "Work on the Special Commission's cases: open, notify, reply, vote, find, remedy, close",
		Long: `Work on the Special Commission's cases on a truce server, as yourself: every act
is signed by the user your token belongs to, and the server checks it against the
agreement's procedure — who may act, in which order, by which deadline. When it
refuses, truce prints its reason and exits with a non-zero status.

You see the actions of a case that are released to you: the accused party's
liaison sees the notice and its own reply, not the Commission's deliberation.

Set the server and your token once per shell:
  export TRUCE_SERVER=https://truce.example.org TRUCE_TOKEN=…`,
	}
	addAPIFlags(cmd, o)

	list := &cobra.Command{
		Use:   "list",
		Short: "List the cases you may see",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var page struct {
				Cases []server.CaseView `json:"cases"`
			}
			return o.call(cmd, http.MethodGet, "/api/v1/cases", nil, &page, func(w io.Writer) error {
				printCaseList(w, page.Cases, clockNow())
				return nil
			})
		},
	}
	show := &cobra.Command{
		Use:   "show CASE",
		Short: "Show a case: its allegation, deadlines, motions, votes, findings and remedies",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var v server.CaseView
			return o.call(cmd, http.MethodGet, casePath(args[0]), nil, &v, func(w io.Writer) error {
				printCase(w, v, clockNow())
				return nil
			})
		},
	}
	cmd.AddCommand(list, show, newCaseOpenCmd(o))
	for _, a := range caseActionCmds() {
		cmd.AddCommand(a.command(o))
	}
	return cmd
}

func newCaseOpenCmd(o *apiOptions) *cobra.Command {
	var b openCaseBody
	cmd := &cobra.Command{
		Use:   "open --accused PARTY --event ID [--incident ID] --summary TEXT [--rule R] [--severity S]",
		Short: "Open a case against a party, citing the events or incidents it is about",
		Example: `  truce case open --accused RUS --event ev-1 --rule fire-after-ceasefire --severity high \
      --summary "152 mm fire on Avdiivka from the east"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b.Events, b.Incidents = splitList(b.Events), splitList(b.Incidents)
			if b.Accused == "" {
				return errors.New("--accused: name the party accused, e.g. --accused RUS")
			}
			if len(b.Events)+len(b.Incidents) == 0 {
				return errors.New("cite what the case is about: --event ID or --incident ID (either may be repeated)")
			}
			var v server.CaseView
			return o.call(cmd, http.MethodPost, "/api/v1/cases", b, &v, func(w io.Writer) error {
				fmt.Fprintf(w, "case %s opened against %s: the case is %s\n", v.ID, v.Accused, v.Status.Phrase())
				fmt.Fprintf(w, "next: notify %s with 'truce case notify %s --allegation \"…\"'\n", v.Accused, v.ID)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&b.Accused, "accused", "", "the party accused, e.g. RUS (required)")
	f.StringArrayVar(&b.Events, "event", nil, "an event the case is about (repeat, or separate with commas)")
	f.StringArrayVar(&b.Incidents, "incident", nil, "an incident the case is about (repeat, or separate with commas)")
	f.StringVar(&b.Rule, "rule", "", "the agreement's rule allegedly broken")
	f.StringVar(&b.Severity, "severity", "", "the breach's severity: "+strings.Join(agreement.Severities, ", "))
	f.StringVar(&b.Summary, "summary", "", "what the case is about, in a sentence")
	f.StringVar(&b.Marking, "marking", "", "who may read the opening (default COMMISSION)")
	return cmd
}

// caseAction is one subcommand that takes an action on a case.
type caseAction struct {
	name, use, short, long, example string
	flags                           func(f *pflag.FlagSet)
	// build makes the body; fetch reads the case when the body needs it
	// (the motion a vote is on, when --motion is not given).
	build func(cmd *cobra.Command, fetch func() (server.CaseView, error)) (caseActionBody, error)
}

func (a caseAction) command(o *apiOptions) *cobra.Command {
	var marking string
	cmd := &cobra.Command{
		Use:     a.use,
		Short:   a.short,
		Long:    a.long,
		Example: a.example,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			c, err := o.client()
			if err != nil {
				return err
			}
			fetch := func() (server.CaseView, error) {
				var v server.CaseView
				_, err := c.get(cmd.Context(), casePath(id), &v)
				return v, err
			}
			body, err := a.build(cmd, fetch)
			if err != nil {
				return err
			}
			body.Action, body.Marking = a.name, marking
			var ans caseActionAnswer
			return o.callWith(cmd, c, http.MethodPost, casePath(id)+"/actions", body, &ans, func(w io.Writer) error {
				printCaseAction(w, ans, clockNow())
				return nil
			})
		},
	}
	if a.flags != nil {
		a.flags(cmd.Flags())
	}
	cmd.Flags().StringVar(&marking, "marking", "", "who may read this action (default: REL TO the accused party and the members for a notice or a reply, COMMISSION otherwise)")
	return cmd
}

// caseActionCmds are the actions on a case, in the order of the
// procedure.
func caseActionCmds() []caseAction {
	var (
		text, reasons, motion, remedy, question, outcome, party, referral, deadline string
		evidence, events, incidents, remedies                                       []string
		vFor, vAgainst, vAbstain, complied, notComplied                             bool
	)
	return []caseAction{
		{
			name: "notify", use: "notify CASE --allegation TEXT [--evidence event/ID]",
			short: "Notify the accused party of the allegation; its reply deadline is set by the agreement",
			long: `Notify the accused party of the allegation. The reply deadline is not chosen
here: the agreement sets it from the moment of the notice, and truce prints it.
Evidence sent with the notice must be releasable to the party: an event
("event/ID") or a release ("release/ID") its liaison may see.`,
			flags: func(f *pflag.FlagSet) {
				f.StringVar(&text, "allegation", "", "what the party is accused of (required)")
				f.StringArrayVar(&evidence, "evidence", nil, `evidence released with the notice, "event/ID" or "release/ID" (repeat, or separate with commas)`)
				f.StringVar(&deadline, "deadline", "", "not taken: the agreement sets the reply deadline")
				_ = f.MarkHidden("deadline")
			},
			build: func(cmd *cobra.Command, _ func() (server.CaseView, error)) (caseActionBody, error) {
				if deadline != "" {
					return caseActionBody{}, errors.New("--deadline: the reply deadline is set by the agreement from the time of the notice, not by the sender; leave it out and truce prints the deadline")
				}
				if strings.TrimSpace(text) == "" {
					return caseActionBody{}, errors.New("--allegation: say what the party is accused of")
				}
				return caseActionBody{Notify: &commission.Notice{Allegation: text, Evidence: splitList(evidence)}}, nil
			},
		},
		{
			name: "reply", use: "reply CASE --text TEXT [--evidence REF]",
			short: "Reply to a notice, as the accused party's liaison",
			flags: func(f *pflag.FlagSet) {
				f.StringVar(&text, "text", "", "the party's reply (required)")
				f.StringArrayVar(&evidence, "evidence", nil, "evidence the party cites (repeat, or separate with commas)")
			},
			build: func(cmd *cobra.Command, _ func() (server.CaseView, error)) (caseActionBody, error) {
				if strings.TrimSpace(text) == "" {
					return caseActionBody{}, errors.New("--text: write the party's reply")
				}
				return caseActionBody{Reply: &commission.Reply{Text: text, Evidence: splitList(evidence)}}, nil
			},
		},
		{
			name: "motion", use: "motion CASE --outcome attributed --party RUS --reasons TEXT [--remedy KIND=TERMS]",
			short: "Put a finding (and the remedies it orders) to the Commission's vote",
			long: `Put a motion to the vote of the Commission's voting members: a finding
(--outcome attributed, not_attributable or unfounded, with --party when
attributed) and any remedies from the agreement's ladder, or, after a finding,
further remedies (--question remedy). The vote's deadline and quorum are fixed
by the agreement when the motion is put.`,
			example: `  truce case motion case-1 --outcome attributed --party RUS \
      --reasons "the origin lies in RUS-controlled area" \
      --remedy "withdrawal=withdraw the 2S19 battery beyond 50 km"
  truce case motion case-1 --question remedy --referral "sanctions on the unit's command"`,
			flags: func(f *pflag.FlagSet) {
				f.StringVar(&question, "question", string(commission.QuestionFinding), "finding, or remedy (further remedies after a finding)")
				f.StringVar(&outcome, "outcome", "", "the finding proposed: attributed, not_attributable or unfounded")
				f.StringVar(&party, "party", "", "the party held responsible, when attributed")
				f.StringVar(&reasons, "reasons", "", "the reasons for the finding proposed")
				f.StringArrayVar(&remedies, "remedy", nil, "a remedy, KIND=TERMS, KIND one of "+remedyKinds()+" (repeat)")
				f.StringVar(&referral, "referral", "", "refer to the guarantors with this recommendation (e.g. sanctions)")
				f.StringVar(&text, "text", "", "the motion's text, if more is to be said")
			},
			build: func(cmd *cobra.Command, _ func() (server.CaseView, error)) (caseActionBody, error) {
				m := commission.Motion{Question: commission.Question(question), Text: text}
				if m.Question == commission.QuestionFinding {
					if outcome == "" {
						return caseActionBody{}, errors.New("--outcome: propose a finding: attributed (with --party), not_attributable or unfounded")
					}
					m.Finding = &commission.Proposal{Outcome: commission.Outcome(outcome), Party: party, Reasons: reasons}
				}
				for _, r := range remedies {
					kind, terms, ok := strings.Cut(r, "=")
					if !ok {
						return caseActionBody{}, fmt.Errorf("--remedy %q: write KIND=TERMS, e.g. \"withdrawal=withdraw the battery beyond 50 km\"", r)
					}
					m.Remedies = append(m.Remedies, commission.RemedyOrder{Kind: agreement.RemedyKind(strings.TrimSpace(kind)), Terms: strings.TrimSpace(terms)})
				}
				if referral != "" {
					m.Remedies = append(m.Remedies, commission.RemedyOrder{Kind: agreement.RemedyReferral, Recommendation: referral})
				}
				return caseActionBody{Motion: &m}, nil
			},
		},
		{
			name: "vote", use: "vote CASE --for|--against|--abstain --reasons TEXT [--motion ID]",
			short: "Vote on the case's motion, for your member organisation",
			long: `Vote on a motion, for your member organisation: one vote per member. Reasons
are kept with every vote; the reasons of a vote against are your dissent. Without
--motion, the vote is on the case's latest motion.`,
			flags: func(f *pflag.FlagSet) {
				f.BoolVar(&vFor, "for", false, "vote for the motion")
				f.BoolVar(&vAgainst, "against", false, "vote against the motion")
				f.BoolVar(&vAbstain, "abstain", false, "abstain")
				f.StringVar(&reasons, "reasons", "", "your reasons")
				f.StringVar(&motion, "motion", "", "the motion (default: the case's latest)")
			},
			build: func(cmd *cobra.Command, fetch func() (server.CaseView, error)) (caseActionBody, error) {
				choice, err := voteChoice(vFor, vAgainst, vAbstain)
				if err != nil {
					return caseActionBody{}, err
				}
				m, err := motionOf(motion, fetch)
				if err != nil {
					return caseActionBody{}, err
				}
				return caseActionBody{Vote: &commission.Vote{Motion: m, Choice: choice, Reasons: reasons}}, nil
			},
		},
		{
			name: "finding", use: "finding CASE --reasons TEXT [--motion ID]",
			short: "Record the finding of a motion that carried",
			flags: func(f *pflag.FlagSet) {
				f.StringVar(&reasons, "reasons", "", "the finding's reasons (required)")
				f.StringVar(&motion, "motion", "", "the motion that carried (default: the case's latest)")
			},
			build: func(cmd *cobra.Command, fetch func() (server.CaseView, error)) (caseActionBody, error) {
				m, err := motionOf(motion, fetch)
				if err != nil {
					return caseActionBody{}, err
				}
				return caseActionBody{Finding: &commission.Finding{Motion: m, Reasons: reasons}}, nil
			},
		},
		{
			name: "remedy", use: "remedy CASE [--motion ID]",
			short: "Order the remedies a carried motion proposed",
			flags: func(f *pflag.FlagSet) {
				f.StringVar(&motion, "motion", "", "the motion that carried (default: the case's latest)")
			},
			build: func(cmd *cobra.Command, fetch func() (server.CaseView, error)) (caseActionBody, error) {
				m, err := motionOf(motion, fetch)
				if err != nil {
					return caseActionBody{}, err
				}
				return caseActionBody{Remedy: &commission.Order{Motion: m}}, nil
			},
		},
		{
			name: "compliance", use: "compliance CASE --remedy ID --text TEXT [--evidence REF]",
			short: "Report compliance with a remedy",
			flags: func(f *pflag.FlagSet) {
				f.StringVar(&remedy, "remedy", "", "the remedy (its ID, as 'truce case show' lists it)")
				f.StringVar(&text, "text", "", "what was done")
				f.StringArrayVar(&evidence, "evidence", nil, "evidence of it (repeat, or separate with commas)")
			},
			build: func(cmd *cobra.Command, _ func() (server.CaseView, error)) (caseActionBody, error) {
				if remedy == "" {
					return caseActionBody{}, errors.New("--remedy: name the remedy complied with ('truce case show CASE' lists them)")
				}
				return caseActionBody{Compliance: &commission.ComplianceReport{Remedy: remedy, Text: text, Evidence: splitList(evidence)}}, nil
			},
		},
		{
			name: "assessment", use: "assess CASE --remedy ID --complied|--not-complied --reasons TEXT",
			short: "Judge the compliance reports on a remedy",
			flags: func(f *pflag.FlagSet) {
				f.StringVar(&remedy, "remedy", "", "the remedy (its ID, as 'truce case show' lists it)")
				f.BoolVar(&complied, "complied", false, "the remedy was complied with")
				f.BoolVar(&notComplied, "not-complied", false, "the remedy was not complied with")
				f.StringVar(&reasons, "reasons", "", "the reasons (required)")
			},
			build: func(cmd *cobra.Command, _ func() (server.CaseView, error)) (caseActionBody, error) {
				if remedy == "" {
					return caseActionBody{}, errors.New("--remedy: name the remedy assessed ('truce case show CASE' lists them)")
				}
				if complied == notComplied {
					return caseActionBody{}, errors.New("say which: --complied or --not-complied")
				}
				return caseActionBody{Assessment: &commission.ComplianceAssessment{Remedy: remedy, Complied: complied, Reasons: reasons}}, nil
			},
		},
		{
			name: "close", use: "close CASE --reasons TEXT",
			short: "Close a case once its finding is made and no remedy is outstanding",
			flags: func(f *pflag.FlagSet) {
				f.StringVar(&reasons, "reasons", "", "why the case is closed (required)")
			},
			build: func(cmd *cobra.Command, _ func() (server.CaseView, error)) (caseActionBody, error) {
				return caseActionBody{Close: &commission.Closing{Reasons: reasons}}, nil
			},
		},
		{
			name: "reopen", use: "reopen CASE --reasons TEXT (--event ID | --incident ID | --evidence REF)",
			short: "Reopen a decided case on new evidence",
			flags: func(f *pflag.FlagSet) {
				f.StringVar(&reasons, "reasons", "", "why the case is reopened (required)")
				f.StringArrayVar(&events, "event", nil, "a new event (repeat, or separate with commas)")
				f.StringArrayVar(&incidents, "incident", nil, "a new incident (repeat, or separate with commas)")
				f.StringArrayVar(&evidence, "evidence", nil, "other new evidence (repeat, or separate with commas)")
			},
			build: func(cmd *cobra.Command, _ func() (server.CaseView, error)) (caseActionBody, error) {
				return caseActionBody{Reopen: &commission.Reopening{Events: splitList(events), Incidents: splitList(incidents),
					Evidence: splitList(evidence), Reasons: reasons}}, nil
			},
		},
	}
}

func remedyKinds() string {
	ks := make([]string, len(agreement.RemedyKinds))
	for i, k := range agreement.RemedyKinds {
		ks[i] = string(k)
	}
	return strings.Join(ks, ", ")
}

// voteChoice reads --for, --against and --abstain: exactly one.
func voteChoice(vFor, vAgainst, vAbstain bool) (commission.Choice, error) {
	n := 0
	var c commission.Choice
	for _, x := range []struct {
		set bool
		c   commission.Choice
	}{{vFor, commission.For}, {vAgainst, commission.Against}, {vAbstain, commission.Abstain}} {
		if x.set {
			n++
			c = x.c
		}
	}
	if n != 1 {
		return "", errors.New("say how you vote: one of --for, --against or --abstain")
	}
	return c, nil
}

// motionOf is the motion given, or the case's latest in its round.
func motionOf(given string, fetch func() (server.CaseView, error)) (string, error) {
	if given != "" {
		return given, nil
	}
	v, err := fetch()
	if err != nil {
		return "", err
	}
	var last string
	for _, a := range v.Actions {
		if a.Motion != nil && a.Kind == commission.KindMotion {
			last = motionID(a)
		}
		if a.Kind == commission.KindReopened {
			last = "" // a motion of an earlier round is over
		}
	}
	if last == "" {
		return "", fmt.Errorf("case %s has no motion in its current round that you may see; give --motion ID", v.ID)
	}
	return last, nil
}

// motionID is the ID of the motion an action put.
func motionID(a commission.Action) string {
	if a.Motion != nil && a.Motion.ID != "" {
		return a.Motion.ID
	}
	return a.ID
}

func actorText(a commission.Actor) string {
	if a.Org == "" {
		return orDash(a.User)
	}
	return fmt.Sprintf("%s (%s)", a.User, a.Org)
}

func printCaseList(w io.Writer, cases []server.CaseView, now time.Time) {
	if len(cases) == 0 {
		fmt.Fprintln(w, "no cases that you may see")
		return
	}
	t := newTable(w)
	fmt.Fprintln(t, "CASE\tACCUSED\tSTATUS\tROUND\tREPLY DUE\tOPENED")
	for _, c := range cases {
		due, opened := "-", "-"
		if c.ReplyDeadline != nil && (c.Status == commission.StateNotified || c.Status == commission.StateReplyOverdue) {
			due = deadline(*c.ReplyDeadline, now)
		}
		for _, a := range c.Actions {
			if a.Kind == commission.KindOpened {
				opened = utc(a.At)
			}
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%d\t%s\t%s\n", c.ID, c.Accused, c.Status, c.Round, due, opened)
	}
	t.Flush()
}

// printCase shows a case from the actions the reader sees, so a party's
// liaison and a commissioner read the same layout.
func printCase(w io.Writer, v server.CaseView, now time.Time) {
	fmt.Fprintf(w, "Case %s against %s: %s (%s), round %d\n", v.ID, v.Accused, v.Status.Phrase(), v.Status, v.Round)
	if !v.Complete {
		fmt.Fprintf(w, "You see %d of its actions: those released to you.\n", len(v.Actions))
	}
	fmt.Fprintln(w)
	t := newTable(w)
	votes := map[string][3]int{}
	var motions, findings []commission.Action
	var voteRows []commission.Action
	for _, a := range v.Actions {
		switch {
		case a.Opening != nil:
			op := a.Opening
			fmt.Fprintf(t, "Opened\t%s by %s\n", utc(a.At), actorText(a.By))
			if op.Automatic {
				fmt.Fprintf(t, "\tautomatically, for a breach at or above the agreement's severity threshold\n")
			}
			fmt.Fprintf(t, "Agreement\t%s version %d\n", op.Agreement, op.Version)
			fmt.Fprintf(t, "Rule\t%s, severity %s\n", orDash(op.Rule), orDash(op.Severity))
			if len(op.Events) > 0 {
				fmt.Fprintf(t, "Events\t%s\n", strings.Join(op.Events, ", "))
			}
			if len(op.Incidents) > 0 {
				fmt.Fprintf(t, "Incidents\t%s\n", strings.Join(op.Incidents, ", "))
			}
			fmt.Fprintf(t, "Summary\t%s\n", orDash(op.Summary))
		case a.Notice != nil:
			fmt.Fprintf(t, "Notified\t%s by %s (round %d)\n", utc(a.At), actorText(a.By), a.Notice.Round)
			fmt.Fprintf(t, "Allegation\t%s\n", a.Notice.Allegation)
			if len(a.Notice.Evidence) > 0 {
				fmt.Fprintf(t, "Evidence sent\t%s\n", strings.Join(a.Notice.Evidence, ", "))
			}
			fmt.Fprintf(t, "Reply due\t%s\n", deadline(a.Notice.Deadline, now))
		case a.Reply != nil:
			late := ""
			if a.Reply.Late {
				late = ", after the deadline"
			}
			fmt.Fprintf(t, "Replied\t%s by %s%s\n", utc(a.At), actorText(a.By), late)
			fmt.Fprintf(t, "Reply\t%s\n", a.Reply.Text)
			if len(a.Reply.Evidence) > 0 {
				fmt.Fprintf(t, "Evidence cited\t%s\n", strings.Join(a.Reply.Evidence, ", "))
			}
		case a.Motion != nil:
			motions = append(motions, a)
		case a.Vote != nil:
			n := votes[a.Vote.Motion]
			switch a.Vote.Choice {
			case commission.For:
				n[0]++
			case commission.Against:
				n[1]++
			default:
				n[2]++
			}
			votes[a.Vote.Motion] = n
			voteRows = append(voteRows, a)
		case a.Finding != nil:
			findings = append(findings, a)
		case a.Closing != nil:
			fmt.Fprintf(t, "Closed\t%s by %s: %s\n", utc(a.At), actorText(a.By), a.Closing.Reasons)
		case a.Reopening != nil:
			fmt.Fprintf(t, "Reopened\t%s by %s: %s\n", utc(a.At), actorText(a.By), a.Reopening.Reasons)
		}
	}
	t.Flush()

	if len(motions) > 0 {
		fmt.Fprintln(w, "\nMotions")
		t = newTable(w)
		fmt.Fprintln(t, "MOTION\tROUND\tPROPOSES\tVOTE CLOSES\tFOR\tAGAINST\tABSTAIN\tQUORUM")
		for _, a := range motions {
			m := *a.Motion
			id := motionID(a)
			n := votes[id]
			closes := utc(m.Closes)
			if m.Closes.After(now) {
				closes = deadline(m.Closes, now)
			}
			fmt.Fprintf(t, "%s\t%d\t%s\t%s\t%d\t%d\t%d\t%d of %d\n", id, m.Round, proposes(m), closes, n[0], n[1], n[2], m.Required, len(m.Eligible))
		}
		t.Flush()
	}
	if len(voteRows) > 0 {
		fmt.Fprintln(w, "\nVotes")
		t = newTable(w)
		fmt.Fprintln(t, "MOTION\tMEMBER\tBY\tCHOICE\tAT\tREASONS")
		for _, a := range voteRows {
			fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Vote.Motion, a.Vote.Org, a.Vote.User, a.Vote.Choice, utc(a.Vote.At), orDash(a.Vote.Reasons))
		}
		t.Flush()
	}
	for _, a := range findings {
		f := a.Finding
		fmt.Fprintf(w, "\nFinding (round %d, %s by %s): %s%s\n", f.Round, utc(a.At), actorText(a.By), f.Outcome, partyText(f.Party))
		fmt.Fprintf(w, "  vote: %s\n  reasons: %s\n", orDash(f.Tally), orDash(f.Reasons))
		for _, d := range f.Dissent {
			fmt.Fprintf(w, "  dissent of %s (%s): %s\n", d.Org, d.User, orDash(d.Reasons))
		}
	}
	if v.Case != nil && len(v.Case.Remedies) > 0 {
		fmt.Fprintln(w, "\nRemedies")
		t = newTable(w)
		fmt.Fprintln(t, "REMEDY\tKIND\tPARTY\tDUE\tSTANDING\tTERMS")
		for _, r := range v.Case.Remedies {
			standing := "owed"
			switch {
			case !r.Complied.IsZero():
				standing = "complied with " + utc(r.Complied)
			case r.Due.IsZero():
				standing = "discharged when ordered"
			case r.Overdue(now):
				standing = "not complied with"
			}
			due := "-"
			if !r.Due.IsZero() {
				due = deadline(r.Due, now)
			}
			terms := r.Terms
			if r.Recommendation != "" {
				terms = strings.TrimSpace(terms + " recommends: " + r.Recommendation)
			}
			fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Kind, r.Party, due, standing, orDash(terms))
		}
		t.Flush()
	}

	fmt.Fprintln(w, "\nActions")
	t = newTable(w)
	fmt.Fprintln(t, "#\tAT\tACTION\tBY\tMARKING")
	for _, a := range v.Actions {
		fmt.Fprintf(t, "%d\t%s\t%s\t%s\t%s\n", a.Seq, utc(a.At), a.Kind, actorText(a.By), a.Marking)
	}
	t.Flush()
}

func partyText(p string) string {
	if p == "" {
		return ""
	}
	return " to " + p
}

// proposes says what a motion asks in a few words.
func proposes(m commission.Motion) string {
	var parts []string
	if m.Finding != nil {
		parts = append(parts, string(m.Finding.Outcome)+partyText(m.Finding.Party))
	}
	if m.Determination != "" {
		parts = append(parts, m.Determination)
	}
	for _, r := range m.Remedies {
		parts = append(parts, string(r.Kind))
	}
	if len(parts) == 0 {
		return string(m.Question)
	}
	return strings.Join(parts, ", ")
}

// printCaseAction says what was recorded and what it means for the case.
func printCaseAction(w io.Writer, ans caseActionAnswer, now time.Time) {
	a, v := ans.Action, ans.Case
	fmt.Fprintf(w, "case %s: %s recorded as %s by %s, marked %s\n", v.ID, a.Kind, a.ID, actorText(a.By), a.Marking)
	switch {
	case a.Notice != nil:
		fmt.Fprintf(w, "%s must reply by %s\n", a.Notice.Party, deadline(a.Notice.Deadline, now))
	case a.Reply != nil && a.Reply.Late:
		fmt.Fprintln(w, "the reply came after the deadline; it is recorded as late")
	case a.Motion != nil:
		m := a.Motion
		fmt.Fprintf(w, "motion %s (%s) is open for votes until %s; %d of %d members must vote for a quorum\n",
			motionID(a), proposes(*m), deadline(m.Closes, now), m.Required, len(m.Eligible))
	case a.Vote != nil:
		fmt.Fprintf(w, "%s voted %s on motion %s\n", a.Vote.Org, a.Vote.Choice, a.Vote.Motion)
	case a.Finding != nil:
		fmt.Fprintf(w, "finding: %s%s; vote: %s\n", a.Finding.Outcome, partyText(a.Finding.Party), orDash(a.Finding.Tally))
		for _, d := range a.Finding.Dissent {
			fmt.Fprintf(w, "  dissent of %s: %s\n", d.Org, orDash(d.Reasons))
		}
	}
	fmt.Fprintf(w, "the case is %s\n", v.Status.Phrase())
	if v.Case != nil && a.Order != nil {
		for _, r := range v.Case.Remedies {
			if r.Motion == a.Order.Motion {
				fmt.Fprintf(w, "  remedy %s: %s on %s, due %s\n", r.ID, r.Kind, r.Party, deadline(r.Due, now))
			}
		}
	}
}

// newDeterminationCmd is `truce determination`: the Commission's
// determinations on the ceasefire's status, each resting on a vote.
func newDeterminationCmd() *cobra.Command {
	o := &apiOptions{}
	cmd := &cobra.Command{
		Use:   "determination",
		Short: "Put a determination on the ceasefire's status to the vote, vote, record it, list them",
		Long: `A determination on the ceasefire's status — a credible cessation of hostilities,
a breach, an armed attack — is a human act: a commissioner puts it to the
Commission's vote, the members vote, and once the vote has carried a commissioner
records it. truce computes indicators beside it ('truce ceasefire') but never
decides.`,
	}
	addAPIFlags(cmd, o)

	var det, text, marking string
	motion := &cobra.Command{
		Use:     "motion --determination STATUS [--text TEXT]",
		Short:   "Put a determination to the Commission's vote",
		Example: `  truce determination motion --determination credible_cessation --text "fourteen quiet days"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if det == "" {
				return errors.New("--determination: credible_cessation, breached or armed_attack")
			}
			body := struct {
				Determination string `json:"determination"`
				Text          string `json:"text"`
				Marking       string `json:"marking,omitempty"`
			}{det, text, marking}
			var m commission.Motion
			return o.call(cmd, http.MethodPost, "/api/v1/determinations/motions", body, &m, func(w io.Writer) error {
				fmt.Fprintf(w, "motion %s puts the determination %s to the vote until %s; %d of %d members must vote for a quorum\n",
					m.ID, m.Determination, deadline(m.Closes, clockNow()), m.Required, len(m.Eligible))
				return nil
			})
		},
	}
	motion.Flags().StringVar(&det, "determination", "", "credible_cessation, breached or armed_attack (required)")
	motion.Flags().StringVar(&text, "text", "", "the motion's text")
	motion.Flags().StringVar(&marking, "marking", "", "who may read the motion (default COMMISSION)")

	show := &cobra.Command{
		Use:   "show MOTION",
		Short: "Show a determination motion, its votes and its tally",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ans detMotionAnswer
			return o.call(cmd, http.MethodGet, detMotionPath(args[0]), nil, &ans, func(w io.Writer) error {
				printDetMotion(w, ans, clockNow())
				return nil
			})
		},
	}

	var reasons, voteMarking string
	var vFor, vAgainst, vAbstain bool
	vote := &cobra.Command{
		Use:   "vote MOTION --for|--against|--abstain --reasons TEXT",
		Short: "Vote on a determination motion, for your member organisation",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			choice, err := voteChoice(vFor, vAgainst, vAbstain)
			if err != nil {
				return err
			}
			body := struct {
				Choice  commission.Choice `json:"choice"`
				Reasons string            `json:"reasons"`
				Marking string            `json:"marking,omitempty"`
			}{choice, reasons, voteMarking}
			var v commission.Vote
			return o.call(cmd, http.MethodPost, detMotionPath(args[0])+"/votes", body, &v, func(w io.Writer) error {
				fmt.Fprintf(w, "%s voted %s on motion %s at %s\n", v.Org, v.Choice, v.Motion, utc(v.At))
				return nil
			})
		},
	}
	vote.Flags().BoolVar(&vFor, "for", false, "vote for the motion")
	vote.Flags().BoolVar(&vAgainst, "against", false, "vote against the motion")
	vote.Flags().BoolVar(&vAbstain, "abstain", false, "abstain")
	vote.Flags().StringVar(&reasons, "reasons", "", "your reasons")
	vote.Flags().StringVar(&voteMarking, "marking", "", "who may read the vote (default COMMISSION)")

	var status, party, recReasons, recMarking string
	record := &cobra.Command{
		Use:   "record MOTION --reasons TEXT [--party PARTY]",
		Short: "Record the determination of a motion that carried",
		Long: `Record the determination a motion proposed, once its vote has carried. The
status is the motion's unless --status says otherwise; a breach or an armed attack
names the --party responsible. It is PUBLIC unless --marking says otherwise.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := o.client()
			if err != nil {
				return err
			}
			if status == "" {
				var ans detMotionAnswer
				if _, err := c.get(cmd.Context(), detMotionPath(args[0]), &ans); err != nil {
					return err
				}
				status = ans.Motion.Determination
			}
			body := struct {
				Status  string `json:"status"`
				Party   string `json:"party"`
				Motion  string `json:"motion"`
				Reasons string `json:"reasons"`
				Marking string `json:"marking,omitempty"`
			}{status, party, args[0], recReasons, recMarking}
			var d guarantee.Determination
			return o.callWith(cmd, c, http.MethodPost, "/api/v1/determinations", body, &d, func(w io.Writer) error {
				printDetermination(w, d)
				return nil
			})
		},
	}
	record.Flags().StringVar(&status, "status", "", "the determination (default: the motion's)")
	record.Flags().StringVar(&party, "party", "", "the party responsible, for a breach or an armed attack")
	record.Flags().StringVar(&recReasons, "reasons", "", "the reasons (required)")
	record.Flags().StringVar(&recMarking, "marking", "", "who may read it (default PUBLIC)")

	list := &cobra.Command{
		Use:   "list",
		Short: "List the determinations you may see",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var page struct {
				Determinations []guarantee.Determination `json:"determinations"`
			}
			return o.call(cmd, http.MethodGet, "/api/v1/determinations", nil, &page, func(w io.Writer) error {
				if len(page.Determinations) == 0 {
					fmt.Fprintln(w, "no determinations that you may see: the ceasefire's status is as the agreement sets it ('truce ceasefire')")
					return nil
				}
				t := newTable(w)
				fmt.Fprintln(t, "DETERMINATION\tAT\tSTATUS\tPARTY\tMOTION\tCRITERIA MET\tBY")
				for _, d := range page.Determinations {
					fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, utc(d.At), d.Status, orDash(d.Party), orDash(d.Motion), yesNo(d.Criteria), actorText(d.By))
				}
				return t.Flush()
			})
		},
	}
	cmd.AddCommand(motion, show, vote, record, list)
	return cmd
}

// detMotionAnswer is GET /api/v1/determinations/motions/{id}.
type detMotionAnswer struct {
	Motion commission.Motion `json:"motion"`
	Votes  []commission.Vote `json:"votes"`
	Tally  commission.Result `json:"tally"`
}

func printDetMotion(w io.Writer, ans detMotionAnswer, now time.Time) {
	m, r := ans.Motion, ans.Tally
	fmt.Fprintf(w, "Motion %s: determination %s, put by %s at %s\n", m.ID, m.Determination, actorText(m.ProposedBy), utc(m.Opens))
	if m.Text != "" {
		fmt.Fprintf(w, "  %s\n", m.Text)
	}
	state := "closed " + utc(r.DecidedAt)
	if r.Open {
		state = "open until " + deadline(m.Closes, now)
	}
	fmt.Fprintf(w, "Vote %s: %d for, %d against, %d abstaining; %d of %d needed for a quorum\n", state, r.For, r.Against, r.Abstain, r.Required, r.Eligible)
	if r.Explanation != "" {
		fmt.Fprintf(w, "%s\n", r.Explanation)
	}
	if len(r.NotVoted) > 0 {
		fmt.Fprintf(w, "Not voted: %s\n", strings.Join(r.NotVoted, ", "))
	}
	if len(ans.Votes) > 0 {
		fmt.Fprintln(w)
		t := newTable(w)
		fmt.Fprintln(t, "MEMBER\tBY\tCHOICE\tAT\tREASONS")
		for _, v := range ans.Votes {
			fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\n", v.Org, v.User, v.Choice, utc(v.At), orDash(v.Reasons))
		}
		t.Flush()
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
