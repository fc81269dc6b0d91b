package commission

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
)

// State is where a case stands in the procedure.
type State string

const (
	StateOpen          State = "open"                  // opened; the accused party not yet notified
	StateNotified      State = "notified"              // the accused party notified; its reply awaited
	StateReplyReceived State = "reply_received"        // the accused party replied
	StateReplyOverdue  State = "reply_deadline_passed" // notified, no reply, the deadline passed (a time-derived state: see Case.Status)
	StateDeliberation  State = "deliberation"          // a motion for a finding has been put
	StateFinding       State = "finding"               // a finding is recorded
	StateRemedy        State = "remedy"                // remedies ordered
	StateClosed        State = "closed"
)

// Phrase says the state in words that follow "the case is".
func (s State) Phrase() string {
	switch s {
	case StateOpen:
		return "open, its accused party not yet notified"
	case StateNotified:
		return "awaiting the accused party's reply"
	case StateReplyReceived:
		return "ready for deliberation, the reply received"
	case StateReplyOverdue:
		return "ready for deliberation, the reply deadline passed"
	case StateDeliberation:
		return "in deliberation"
	case StateFinding:
		return "decided (its finding recorded)"
	case StateRemedy:
		return "at the stage of remedies"
	case StateClosed:
		return "closed"
	}
	return string(s)
}

// Kind is the kind of an action on a case.
type Kind string

const (
	KindOpened             Kind = "opened"
	KindNotified           Kind = "notified"
	KindReplied            Kind = "replied"
	KindMotion             Kind = "motion"
	KindVote               Kind = "vote"
	KindFinding            Kind = "finding"
	KindRemedy             Kind = "remedy"
	KindComplianceReported Kind = "compliance_reported"
	KindComplianceAssessed Kind = "compliance_assessed"
	KindClosed             Kind = "closed"
	KindReopened           Kind = "reopened"
)

// Action is one record of a case: who did what, when, under which
// marking. Exactly one of the payload fields is set, the one its Kind
// names. Actions are never edited; the case is their fold.
type Action struct {
	// ID is "<case>/<seq>", assigned by Apply.
	ID      string    `json:"id"`
	Case    string    `json:"case"`
	Seq     int       `json:"seq"` // 1-based position in the case
	Kind    Kind      `json:"kind"`
	At      time.Time `json:"at"`
	By      Actor     `json:"by"`
	Marking string    `json:"marking"`

	Opening    *Opening              `json:"opening,omitempty"`
	Notice     *Notice               `json:"notice,omitempty"`
	Reply      *Reply                `json:"reply,omitempty"`
	Motion     *Motion               `json:"motion,omitempty"`
	Vote       *Vote                 `json:"vote,omitempty"`
	Finding    *Finding              `json:"finding,omitempty"`
	Order      *Order                `json:"order,omitempty"`
	Compliance *ComplianceReport     `json:"compliance,omitempty"`
	Assessment *ComplianceAssessment `json:"assessment,omitempty"`
	Closing    *Closing              `json:"closing,omitempty"`
	Reopening  *Reopening            `json:"reopening,omitempty"`
}

// Opening opens a case.
type Opening struct {
	// The agreement version the case is run under; filled by Apply from
	// the rules.
	Agreement string `json:"agreement"`
	Version   int    `json:"version"`
	Digest    string `json:"digest"`

	Accused   string   `json:"accused"`             // the party alleged to have breached
	Events    []string `json:"events,omitempty"`    // events cited
	Incidents []string `json:"incidents,omitempty"` // incidents cited
	Rule      string   `json:"rule"`                // the agreement's rule allegedly broken, when known
	Severity  string   `json:"severity"`            // one of agreement.Severities, when known
	// Automatic is true when the mechanism opened the case because the
	// breach's severity is at or above the agreement's threshold.
	Automatic bool   `json:"automatic"`
	Summary   string `json:"summary"`
}

// Notice notifies the accused party of the allegation and its deadline.
type Notice struct {
	Party      string `json:"party"` // filled by Apply: the accused
	Allegation string `json:"allegation"`
	// Evidence are references to the evidence released to the party with
	// the notice (the store checks each is releasable to it).
	Evidence []string  `json:"evidence,omitempty"`
	Deadline time.Time `json:"deadline"` // filled by Apply: the notice's time plus the agreement's reply deadline
	Round    int       `json:"round"`    // filled by Apply
}

// Reply is the accused party's answer.
type Reply struct {
	Text     string   `json:"text"`
	Evidence []string `json:"evidence,omitempty"`
	Late     bool     `json:"late"`  // filled by Apply: sent after the deadline, before deliberation began
	Round    int      `json:"round"` // filled by Apply
}

// Finding is the Commission's finding on a case, recorded by a named
// user once a motion for it has carried. Its outcome and party are the
// motion's; the dissent is the votes against it.
type Finding struct {
	Motion  string  `json:"motion"`
	Outcome Outcome `json:"outcome"` // filled by Apply from the motion
	Party   string  `json:"party"`   // filled by Apply from the motion
	Reasons string  `json:"reasons"`
	// Tally and Dissent are the vote's count and the votes against, as
	// they stood when the finding was recorded; filled by Apply.
	Tally   string `json:"tally"`
	Dissent []Vote `json:"dissent,omitempty"`
	// Supersedes is the ID of the finding this one replaces after the
	// case was reopened; filled by Apply.
	Supersedes string `json:"supersedes"`
	Round      int    `json:"round"`
}

// Order orders the remedies a carried motion proposed.
type Order struct {
	Motion string `json:"motion"`
}

// ComplianceReport is evidence that a remedy has been complied with,
// from the party that owes it or from a member (monitors who saw the
// withdrawal).
type ComplianceReport struct {
	Remedy   string   `json:"remedy"`
	Text     string   `json:"text"`
	Evidence []string `json:"evidence,omitempty"`
}

// ComplianceAssessment is a member's judgement of the reports on a
// remedy: complied with, or not (and why).
type ComplianceAssessment struct {
	Remedy   string `json:"remedy"`
	Complied bool   `json:"complied"`
	Reasons  string `json:"reasons"`
}

// Closing closes a case.
type Closing struct {
	Reasons string `json:"reasons"`
}

// Reopening reopens a case on new evidence.
type Reopening struct {
	Events    []string `json:"events,omitempty"`
	Incidents []string `json:"incidents,omitempty"`
	Evidence  []string `json:"evidence,omitempty"`
	Reasons   string   `json:"reasons"`
}

// Remedy is a remedy ordered on a case, and how compliance with it
// stands.
type Remedy struct {
	ID             string               `json:"id"` // "<order action ID>/<kind>"
	Motion         string               `json:"motion"`
	Kind           agreement.RemedyKind `json:"kind"`
	Party          string               `json:"party"`
	Terms          string               `json:"terms"`
	Recommendation string               `json:"recommendation"`
	Ordered        time.Time            `json:"ordered"`
	// Due is when the party must have complied; zero when the ladder
	// tracks no compliance for this kind (a referral is discharged when
	// made).
	Due time.Time `json:"due,omitzero"`
	// Reports are the IDs of the compliance reports on it.
	Reports []string `json:"reports"`
	// Complied is when a member found it complied with; zero until then.
	Complied time.Time `json:"complied,omitzero"`
	// Rejected counts the assessments that found it not complied with.
	Rejected int `json:"rejected"`
}

// Discharged reports whether nothing more is owed on the remedy.
func (r Remedy) Discharged() bool { return r.Due.IsZero() || !r.Complied.IsZero() }

// Overdue reports whether the remedy's deadline has passed at now with no
// compliance found.
func (r Remedy) Overdue(now time.Time) bool {
	return !r.Discharged() && now.After(r.Due)
}

// Case is the fold of a case's actions. Build it with Open and Apply (or
// Fold for stored actions); do not change it by hand.
type Case struct {
	ID        string    `json:"id"`
	Agreement string    `json:"agreement"`
	Version   int       `json:"version"`
	Digest    string    `json:"digest"`
	Accused   string    `json:"accused"`
	Events    []string  `json:"events"`
	Incidents []string  `json:"incidents"`
	Evidence  []string  `json:"evidence,omitempty"` // further references cited on reopening
	Rule      string    `json:"rule"`
	Severity  string    `json:"severity"`
	Automatic bool      `json:"automatic"`
	Opened    time.Time `json:"opened"`
	OpenedBy  Actor     `json:"opened_by"`

	State State `json:"state"`
	// Round counts openings: 1, then one more per reopening. Notices,
	// replies and motions belong to a round.
	Round     int       `json:"round"`
	Notice    *Notice   `json:"notice,omitempty"` // this round's
	Reply     *Reply    `json:"reply,omitempty"`  // this round's
	RepliedAt time.Time `json:"replied_at,omitzero"`
	Motions   []Motion  `json:"motions"`
	Votes     []Vote    `json:"votes"`
	Findings  []Finding `json:"findings"` // every finding, the current one last
	Remedies  []Remedy  `json:"remedies"`
	Closed    time.Time `json:"closed,omitzero"`

	Actions []Action `json:"actions"`
}

// Finding is the current finding, or nil.
func (c Case) Finding() *Finding {
	if len(c.Findings) == 0 {
		return nil
	}
	return &c.Findings[len(c.Findings)-1]
}

// Status is the case's state as of now: StateReplyOverdue once the
// accused party, notified, lets its deadline pass without replying. The
// deadline passing is a fact of time, not an act, so it has no record.
func (c Case) Status(now time.Time) State {
	if c.State == StateNotified && c.Notice != nil && !now.Before(c.Notice.Deadline) {
		return StateReplyOverdue
	}
	return c.State
}

// Motion returns the case's motion with the given ID.
func (c Case) Motion(id string) (Motion, bool) {
	i := slices.IndexFunc(c.Motions, func(m Motion) bool { return m.ID == id })
	if i < 0 {
		return Motion{}, false
	}
	return c.Motions[i], true
}

// Remedy returns the case's remedy with the given ID.
func (c Case) Remedy(id string) (Remedy, bool) {
	i := slices.IndexFunc(c.Remedies, func(r Remedy) bool { return r.ID == id })
	if i < 0 {
		return Remedy{}, false
	}
	return c.Remedies[i], true
}

// OpenMotion is the case's motion still open at now, if any.
func (c Case) OpenMotion(r Rules, now time.Time) (Motion, bool) {
	for _, m := range c.Motions {
		if m.Round == c.Round && Tally(r, m, c.Votes, now).Open {
			return m, true
		}
	}
	return Motion{}, false
}

// Breach is what the assessment hands the Commission: an alleged breach
// of the agreement by a party.
type Breach struct {
	Event    string    `json:"event"`    // an event ID, or
	Incident string    `json:"incident"` // an incident ID
	Accused  string    `json:"accused"`
	Rule     string    `json:"rule"`
	Severity string    `json:"severity"`
	At       time.Time `json:"at"` // when the breach was assessed
}

// ShouldOpen reports whether the agreement opens a case automatically
// for a breach of this severity.
func ShouldOpen(r Rules, severity string) bool {
	s := slices.Index(agreement.Severities, severity)
	t := slices.Index(agreement.Severities, r.Terms.AutoOpenSeverity)
	return s >= 0 && t >= 0 && s >= t
}

// OpenAutomatically opens a case for a breach at or above the
// agreement's severity threshold, as the mechanism (System), under the
// COMMISSION marking. A breach below it is refused: a member may still
// open a case for it (Open).
func OpenAutomatically(r Rules, caseID string, b Breach) (Case, error) {
	op := &Opening{Accused: b.Accused, Rule: b.Rule, Severity: b.Severity, Automatic: true,
		Summary: fmt.Sprintf("breach of rule %q (severity %s) by %s", b.Rule, b.Severity, b.Accused)}
	if b.Event != "" {
		op.Events = []string{b.Event}
	}
	if b.Incident != "" {
		op.Incidents = []string{b.Incident}
	}
	return Open(r, caseID, Action{Kind: KindOpened, At: b.At, By: System, Marking: access.Commission, Opening: op})
}

// Open opens a case with its first action.
func Open(r Rules, caseID string, a Action) (Case, error) {
	if caseID == "" {
		return Case{}, refuse(RuleInput, "a case needs an ID")
	}
	c, _, err := Apply(r, Case{ID: caseID}, a)
	return c, err
}

// Fold rebuilds a case from its stored actions, checking each against
// the procedure again: a history that the rules would not have allowed
// is an error naming the first action at fault.
func Fold(r Rules, caseID string, actions []Action) (Case, error) {
	c := Case{ID: caseID}
	for i, a := range actions {
		want := a
		next, got, err := Apply(r, c, a)
		if err != nil {
			return c, fmt.Errorf("case %s, action %d (%s): %w", caseID, i+1, a.Kind, err)
		}
		if want.ID != "" && want.ID != got.ID {
			return c, fmt.Errorf("case %s, action %d: stored as %q, but it is %q in the case's order", caseID, i+1, want.ID, got.ID)
		}
		c = next
	}
	return c, nil
}

// Apply checks an action against the case and the rules and returns the
// case with the action added, and the action as it must be stored (with
// its ID, sequence number and the fields Apply fills). The case passed in
// is not changed. On a refusal, the error is a *Refusal.
func Apply(r Rules, c Case, a Action) (Case, Action, error) {
	a = a.clone()
	if err := check(r, c, &a); err != nil {
		return c, Action{}, err
	}
	next := c.clone()
	if err := next.apply(r, &a); err != nil {
		return c, Action{}, err
	}
	next.Actions = append(next.Actions, a)
	return next, a, nil
}

// clone copies the action's details, which Apply fills in, so the
// caller's are left as they were.
func (a Action) clone() Action {
	a.By.Roles = slices.Clone(a.By.Roles)
	a.Opening = clonePtr(a.Opening)
	a.Notice = clonePtr(a.Notice)
	a.Reply = clonePtr(a.Reply)
	a.Motion = clonePtr(a.Motion)
	a.Vote = clonePtr(a.Vote)
	a.Finding = clonePtr(a.Finding)
	a.Order = clonePtr(a.Order)
	a.Compliance = clonePtr(a.Compliance)
	a.Assessment = clonePtr(a.Assessment)
	a.Closing = clonePtr(a.Closing)
	a.Reopening = clonePtr(a.Reopening)
	return a
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// clone copies the slices a new action may append to or change, so the
// case passed to Apply is left as it was.
func (c Case) clone() Case {
	c.Events = slices.Clone(c.Events)
	c.Incidents = slices.Clone(c.Incidents)
	c.Evidence = slices.Clone(c.Evidence)
	c.Motions = slices.Clone(c.Motions)
	c.Votes = slices.Clone(c.Votes)
	c.Findings = slices.Clone(c.Findings)
	c.Remedies = slices.Clone(c.Remedies)
	for i := range c.Remedies {
		c.Remedies[i].Reports = slices.Clone(c.Remedies[i].Reports)
	}
	c.Actions = slices.Clone(c.Actions)
	return c
}

// check validates the header of an action and fills its ID and Seq.
func check(r Rules, c Case, a *Action) error {
	if a.At.IsZero() {
		return refuse(RuleInput, "the action has no time")
	}
	if err := checkMarking(a.Marking); err != nil {
		return err
	}
	if a.Seq != 0 && a.Seq != len(c.Actions)+1 {
		return refuse(RuleInput, "the action is numbered %d, but it would be action %d of case %s", a.Seq, len(c.Actions)+1, c.ID)
	}
	if a.Case != "" && a.Case != c.ID {
		return refuse(RuleInput, "the action is for case %q, not %q", a.Case, c.ID)
	}
	if n := len(c.Actions); n > 0 && a.At.Before(c.Actions[n-1].At) {
		return refuse(RuleInput, "the action is dated %s, before the case's last action (%s); a case's record runs forward in time", stamp(a.At), stamp(c.Actions[n-1].At))
	}
	if len(c.Actions) > 0 && (c.Digest != r.Digest || c.Agreement != r.Agreement) {
		return refuse(RuleAgreementVersion, "case %s is run under %s version %d (sha256 %.12s…), not the rules given (%s version %d, sha256 %.12s…)", c.ID, c.Agreement, c.Version, c.Digest, r.Agreement, r.Version, r.Digest)
	}
	if len(c.Actions) == 0 && a.Kind != KindOpened {
		return refuse(RuleProcedure, "a case begins with its opening, not with %q", a.Kind)
	}
	if !a.By.IsSystem() && (a.By.User == "" || a.By.Org == "") {
		return refuse(RuleInput, "every action names the user who took it and the organisation the user acts for")
	}
	a.Case = c.ID
	a.Seq = len(c.Actions) + 1
	a.ID = c.ID + "/" + strconv.Itoa(a.Seq)
	want := map[Kind]bool{
		KindOpened: a.Opening != nil, KindNotified: a.Notice != nil, KindReplied: a.Reply != nil,
		KindMotion: a.Motion != nil, KindVote: a.Vote != nil, KindFinding: a.Finding != nil, KindRemedy: a.Order != nil,
		KindComplianceReported: a.Compliance != nil, KindComplianceAssessed: a.Assessment != nil,
		KindClosed: a.Closing != nil, KindReopened: a.Reopening != nil,
	}
	set := 0
	for _, ok := range want {
		if ok {
			set++
		}
	}
	if has, known := want[a.Kind]; !known || !has || set != 1 {
		return refuse(RuleInput, "an action of kind %q carries exactly its own details (and no other)", a.Kind)
	}
	if a.By.IsSystem() && a.Kind != KindOpened && a.Kind != KindNotified {
		return refuse(RuleMembership, "the mechanism only opens cases and notifies parties; %q is an act of a person", a.Kind)
	}
	return nil
}

// Escalation is a remedy overdue at a given time, and the rung of the
// ladder the Commission may climb to next.
type Escalation struct {
	Remedy Remedy `json:"remedy"`
	// OverdueBy is how long past its due time.
	OverdueBy agreement.Period `json:"overdue_by"`
	// Next is the next rung, if the ladder has one above.
	Next *agreement.RemedyRung `json:"next,omitempty"`
}

// Overdue lists the case's remedies overdue at now, in the order they
// were ordered, each with the next rung of the ladder.
func (c Case) Overdue(r Rules, now time.Time) []Escalation {
	var out []Escalation
	for _, rem := range c.Remedies {
		if !rem.Overdue(now) {
			continue
		}
		e := Escalation{Remedy: rem, OverdueBy: agreement.Period(now.Sub(rem.Due))}
		if next, ok := r.Terms.NextRung(rem.Kind); ok {
			e.Next = &next
		}
		out = append(out, e)
	}
	return out
}
