package guarantee

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
)

// CommitmentKind is what a guarantor commits to, in the declaration's
// words (components 2–5).
type CommitmentKind string

const (
	MilitaryAssistance    CommitmentKind = "military_assistance"    // 2: long-term defence packages, armament
	Financing             CommitmentKind = "financing"              // 2: financing weapons purchases, the armed forces' budget
	DepotSupport          CommitmentKind = "defence_depot_support"  // 2: rapid additional support from defence depots on an armed attack
	FortificationSupport  CommitmentKind = "fortification_support"  // 2: building defensive fortifications
	ReassuranceMeasures   CommitmentKind = "reassurance_measures"   // 3: contributions to the Multinational Force (air, sea, land)
	MilitaryCapabilities  CommitmentKind = "military_capabilities"  // 4: use of military capabilities
	Intelligence          CommitmentKind = "intelligence"           // 4 and 5: intelligence support and cooperation
	Logistics             CommitmentKind = "logistics"              // 3 and 4: logistical support
	DiplomaticInitiatives CommitmentKind = "diplomatic_initiatives" // 4
	Sanctions             CommitmentKind = "sanctions"              // 4: additional sanctions
	Training              CommitmentKind = "training"               // 5
	JointProduction       CommitmentKind = "joint_production"       // 5: defence-industrial joint production
)

// componentKinds are the kinds each component of the declaration speaks
// of, so a commitment filed under a component says something that
// component contains.
var componentKinds = map[int][]CommitmentKind{
	2: {MilitaryAssistance, Financing, DepotSupport, FortificationSupport, Training},
	3: {ReassuranceMeasures, Intelligence, Logistics, Training},
	4: {MilitaryCapabilities, Intelligence, Logistics, DiplomaticInitiatives, Sanctions, DepotSupport},
	5: {Training, JointProduction, Intelligence},
}

// Trigger is what activates a commitment.
type Trigger string

const (
	// TriggerInForce: the ceasefire enters into force (the declaration's
	// guarantees "will be activated once a ceasefire enters into force").
	TriggerInForce Trigger = "ceasefire_in_force"
	// TriggerCessationAndRequest: a credible cessation of hostilities has
	// been determined and Ukraine has requested (reassurance measures).
	TriggerCessationAndRequest Trigger = "credible_cessation_and_request"
	// TriggerArmedAttack: an armed attack has been determined.
	TriggerArmedAttack Trigger = "armed_attack"
)

// Triggers lists the accepted triggers.
var Triggers = []Trigger{TriggerInForce, TriggerCessationAndRequest, TriggerArmedAttack}

// Binding is the kind of obligation a commitment is.
type Binding string

const (
	PoliticallyBinding Binding = "politically_binding"
	LegallyBinding     Binding = "legally_binding"
)

// Ratification is where a legally binding instrument stands in the
// guarantor's constitutional process.
type Ratification string

const (
	RatificationNotRequired Ratification = "not_required"
	RatificationPending     Ratification = "pending"
	Ratified                Ratification = "ratified"
)

// LegalBasis is what a commitment rests on.
type LegalBasis struct {
	Binding Binding `json:"binding"`
	// Instrument names the text: "Paris Declaration, 6 January 2026",
	// "UK–Ukraine bilateral security agreement".
	Instrument   string       `json:"instrument"`
	Ratification Ratification `json:"ratification"`
	Note         string       `json:"note"`
}

// Commitment is one guarantor's commitment under a component of the
// declaration. A change (a ratification, a new response time) is a new
// record that supersedes the old; Root names the first of the line, so
// obligations stay with the commitment through its changes.
type Commitment struct {
	ID          string         `json:"id"`
	Root        string         `json:"root"` // filled by RecordCommitment
	Supersedes  string         `json:"supersedes"`
	Guarantor   string         `json:"guarantor"` // participant code
	Component   int            `json:"component"` // 2–5
	Kind        CommitmentKind `json:"kind"`
	Description string         `json:"description"`
	Trigger     Trigger        `json:"trigger"`
	// ResponseTime is how long after its trigger the guarantor acts
	// ("72h", "14d" in JSON).
	ResponseTime agreement.Period `json:"response_time"`
	Legal        LegalBasis       `json:"legal"`
	At           time.Time        `json:"at"`
	By           Actor            `json:"by"`
	Marking      string           `json:"marking"`
}

var codePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,15}$`)

// RecordCommitment checks a commitment, or a change to one, against those
// recorded before, and returns it as it must be recorded. It is recorded
// by a user of the guarantor or by the coordination cell.
func RecordCommitment(prior []Commitment, c Commitment) (Commitment, error) {
	if err := checkHeader(c.ID, c.At, c.By, c.Marking); err != nil {
		return Commitment{}, err
	}
	if !codePattern.MatchString(c.Guarantor) {
		return Commitment{}, refuse(RuleInput, "commitment %s: guarantor %q is not a participant code (ISO 3166-1 alpha-3 such as FRA, or a short code)", c.ID, c.Guarantor)
	}
	if c.By.Org != c.Guarantor && !c.By.Has(access.RoleCoordinator) {
		return Commitment{}, refuse(RuleAuthority, "a commitment of %s is recorded by %s or by the coordination cell; %s of %s is neither", c.Guarantor, c.Guarantor, c.By.User, c.By.Org)
	}
	kinds, ok := componentKinds[c.Component]
	if !ok {
		return Commitment{}, refuse(RuleInput, "commitment %s: the guarantees are components 2 to 5 of the declaration, not %d", c.ID, c.Component)
	}
	if !slices.Contains(kinds, c.Kind) {
		var ks []string
		for _, k := range kinds {
			ks = append(ks, string(k))
		}
		return Commitment{}, refuse(RuleInput, "commitment %s: component %d covers %s, not %q", c.ID, c.Component, strings.Join(ks, ", "), c.Kind)
	}
	if !slices.Contains(Triggers, c.Trigger) {
		return Commitment{}, refuse(RuleInput, "commitment %s: a trigger is %q, %q or %q, not %q", c.ID, TriggerInForce, TriggerCessationAndRequest, TriggerArmedAttack, c.Trigger)
	}
	if c.Kind == ReassuranceMeasures && c.Trigger != TriggerCessationAndRequest {
		return Commitment{}, refuse(RuleInput, "commitment %s: reassurance measures are implemented at Ukraine's request once a credible cessation has taken place; their trigger is %q", c.ID, TriggerCessationAndRequest)
	}
	if c.ResponseTime <= 0 {
		return Commitment{}, refuse(RuleInput, "commitment %s needs a response time: how long after its trigger the guarantor acts", c.ID)
	}
	if strings.TrimSpace(c.Description) == "" {
		return Commitment{}, refuse(RuleInput, "commitment %s says what is committed", c.ID)
	}
	switch c.Legal.Binding {
	case PoliticallyBinding:
	case LegallyBinding:
		if strings.TrimSpace(c.Legal.Instrument) == "" {
			return Commitment{}, refuse(RuleInput, "commitment %s is legally binding: name the instrument it rests on", c.ID)
		}
	default:
		return Commitment{}, refuse(RuleInput, "commitment %s is %q or %q, not %q", c.ID, PoliticallyBinding, LegallyBinding, c.Legal.Binding)
	}
	switch c.Legal.Ratification {
	case RatificationNotRequired, RatificationPending, Ratified:
	default:
		return Commitment{}, refuse(RuleInput, "commitment %s: ratification is %q, %q or %q, not %q", c.ID, RatificationNotRequired, RatificationPending, Ratified, c.Legal.Ratification)
	}
	c.Root = c.ID
	for _, p := range prior {
		if p.ID == c.ID {
			return Commitment{}, refuse(RuleInput, "commitment %s is already recorded; a change is a new record that supersedes it", c.ID)
		}
		if p.Supersedes != "" && p.Supersedes == c.Supersedes {
			return Commitment{}, refuse(RuleInput, "commitment %s was already superseded by %s; supersede the latest", c.Supersedes, p.ID)
		}
	}
	if c.Supersedes != "" {
		i := slices.IndexFunc(prior, func(p Commitment) bool { return p.ID == c.Supersedes })
		if i < 0 {
			return Commitment{}, refuse(RuleInput, "commitment %s supersedes %q, which is not recorded", c.ID, c.Supersedes)
		}
		old := prior[i]
		if old.Guarantor != c.Guarantor {
			return Commitment{}, refuse(RuleInput, "commitment %s of %s cannot supersede %s, a commitment of %s", c.ID, c.Guarantor, old.ID, old.Guarantor)
		}
		if c.At.Before(old.At) {
			return Commitment{}, refuse(RuleInput, "commitment %s is dated before %s, which it supersedes", c.ID, old.ID)
		}
		c.Root = old.Root
	}
	return c, nil
}

// CurrentCommitments are the commitments in force at time at: recorded
// by then and not superseded by then, in the order given.
func CurrentCommitments(all []Commitment, at time.Time) []Commitment {
	superseded := map[string]bool{}
	for _, c := range all {
		if c.Supersedes != "" && !c.At.After(at) {
			superseded[c.Supersedes] = true
		}
	}
	var out []Commitment
	for _, c := range all {
		if !c.At.After(at) && !superseded[c.ID] {
			out = append(out, c)
		}
	}
	return out
}

// Activation is a trigger that fired.
type Activation struct {
	ID      string    `json:"id"` // "<trigger>@<time>", unique and stable
	Trigger Trigger   `json:"trigger"`
	At      time.Time `json:"at"`
	// Basis are the records it rests on: the determination, and
	// Ukraine's request.
	Basis []string `json:"basis,omitempty"`
}

// Activations are the triggers fired by now, in time order: the ceasefire
// entering into force; each credible-cessation determination together
// with a request of Ukraine, at the first moment both held; each
// armed-attack determination.
func Activations(r Rules, dets []Determination, reqs []Request, now time.Time) []Activation {
	var out []Activation
	if !now.Before(r.EffectiveFrom) {
		out = append(out, activation(TriggerInForce, r.EffectiveFrom))
	}
	sorted := slices.Clone(dets)
	slices.SortStableFunc(sorted, func(a, b Determination) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	for i, d := range sorted {
		if d.At.After(now) {
			break
		}
		switch d.Status {
		case ArmedAttack:
			a := activation(TriggerArmedAttack, d.At)
			a.Basis = []string{d.ID}
			out = append(out, a)
		case CredibleCessation:
			limit := now // the cessation holds until the next determination
			if i+1 < len(sorted) && sorted[i+1].At.Before(limit) {
				limit = sorted[i+1].At.Add(-time.Nanosecond)
			}
			req, at, ok := requestDuring(reqs, d.At, limit)
			if !ok {
				continue
			}
			a := activation(TriggerCessationAndRequest, at)
			a.Basis = []string{d.ID, req.ID}
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b Activation) int { return a.At.Compare(b.At) })
	return out
}

func activation(t Trigger, at time.Time) Activation {
	return Activation{ID: string(t) + "@" + at.UTC().Format(time.RFC3339), Trigger: t, At: at}
}

// Obligation is what an activated commitment owes: the guarantor must act
// by Due.
type Obligation struct {
	ID          string         `json:"id"`         // "<commitment root>/<activation ID>"
	Commitment  string         `json:"commitment"` // the commitment in force when it was activated
	Guarantor   string         `json:"guarantor"`
	Kind        CommitmentKind `json:"kind"`
	Description string         `json:"description"`
	Activation  string         `json:"activation"`
	Activated   time.Time      `json:"activated"`
	// ResponseTime is the commitment's.
	ResponseTime agreement.Period `json:"response_time"`
	Due          time.Time        `json:"due"`
	Marking      string           `json:"marking"`
}

// Activate lists the obligations an activation creates as of now: one for
// each commitment in force with that trigger, due its response time after
// the later of the activation and the commitment (a commitment made after
// its trigger fired owes from the day it was made). The store keeps each
// obligation once, by ID; calling Activate again gives the same IDs.
func Activate(commitments []Commitment, a Activation, now time.Time) []Obligation {
	var out []Obligation
	for _, c := range CurrentCommitments(commitments, now) {
		if c.Trigger != a.Trigger {
			continue
		}
		from := a.At
		if c.At.After(from) {
			from = c.At
		}
		out = append(out, Obligation{
			ID: c.Root + "/" + a.ID, Commitment: c.ID, Guarantor: c.Guarantor, Kind: c.Kind, Description: c.Description,
			Activation: a.ID, Activated: from, ResponseTime: c.ResponseTime, Due: from.Add(c.ResponseTime.Duration()), Marking: c.Marking,
		})
	}
	return out
}

// ReportKind is what a guarantor reports on an obligation.
type ReportKind string

const (
	// Acknowledged: the guarantor confirms it owes the obligation and is
	// acting on it.
	Acknowledged ReportKind = "acknowledged"
	// Fulfilment: what has been done; Complete when the obligation is
	// fulfilled.
	Fulfilment ReportKind = "fulfilment"
)

// Report is a guarantor's report on an obligation.
type Report struct {
	ID         string     `json:"id"`
	Obligation string     `json:"obligation"`
	Kind       ReportKind `json:"kind"`
	At         time.Time  `json:"at"`
	By         Actor      `json:"by"`
	Marking    string     `json:"marking"`
	Text       string     `json:"text"`
	Evidence   []string   `json:"evidence,omitempty"`
	Complete   bool       `json:"complete"` // fulfilment: the obligation is fulfilled
	Late       bool       `json:"late"`     // filled by RecordReport: made after the due time
}

// ObligationState is an obligation with its reports folded in.
type ObligationState struct {
	Obligation
	Acknowledged time.Time `json:"acknowledged,omitzero"`
	Fulfilled    time.Time `json:"fulfilled,omitzero"` // when a report said it was complete; zero until then
	Reports      []string  `json:"reports"`
}

// Track folds an obligation's reports (in record order).
func Track(o Obligation, reports []Report) ObligationState {
	s := ObligationState{Obligation: o, Reports: []string{}}
	for _, r := range reports {
		if r.Obligation != o.ID {
			continue
		}
		s.Reports = append(s.Reports, r.ID)
		switch {
		case r.Kind == Acknowledged && s.Acknowledged.IsZero():
			s.Acknowledged = r.At
		case r.Kind == Fulfilment && r.Complete && s.Fulfilled.IsZero():
			s.Fulfilled = r.At
		}
	}
	return s
}

// RecordReport checks a report against the obligation and the reports
// before it, and returns it as it must be recorded. Only the guarantor
// reports on its obligations. A report after the due time is accepted
// and marked late: the record of a late fulfilment is worth more than
// none.
func RecordReport(o Obligation, prior []Report, rep Report) (Report, error) {
	if err := checkHeader(rep.ID, rep.At, rep.By, rep.Marking); err != nil {
		return Report{}, err
	}
	if rep.Obligation != o.ID {
		return Report{}, refuse(RuleInput, "report %s is on obligation %q, not %q", rep.ID, rep.Obligation, o.ID)
	}
	if rep.By.Org != o.Guarantor {
		return Report{}, refuse(RuleAuthority, "obligation %s is owed by %s, and only %s reports on it; %s of %s may not", o.ID, o.Guarantor, o.Guarantor, rep.By.User, rep.By.Org)
	}
	if rep.At.Before(o.Activated) {
		return Report{}, refuse(RuleInput, "report %s is dated %s, before obligation %s arose (%s)", rep.ID, stamp(rep.At), o.ID, stamp(o.Activated))
	}
	s := Track(o, prior)
	if !s.Fulfilled.IsZero() {
		return Report{}, refuse(RuleStatus, "obligation %s was reported fulfilled at %s", o.ID, stamp(s.Fulfilled))
	}
	switch rep.Kind {
	case Acknowledged:
		if !s.Acknowledged.IsZero() {
			return Report{}, refuse(RuleStatus, "%s acknowledged obligation %s already, at %s", o.Guarantor, o.ID, stamp(s.Acknowledged))
		}
		if rep.Complete {
			return Report{}, refuse(RuleInput, "an acknowledgement does not fulfil an obligation; report the fulfilment")
		}
	case Fulfilment:
		if strings.TrimSpace(rep.Text) == "" && len(rep.Evidence) == 0 {
			return Report{}, refuse(RuleInput, "a fulfilment report says what was done, or cites evidence of it")
		}
	default:
		return Report{}, refuse(RuleInput, "a report is %q or %q, not %q", Acknowledged, Fulfilment, rep.Kind)
	}
	rep.Late = rep.At.After(o.Due)
	return rep, nil
}

// Overdue reports whether the obligation is unfulfilled after its due
// time.
func (s ObligationState) Overdue(now time.Time) bool {
	return s.Fulfilled.IsZero() && now.After(s.Due)
}

// Check is nil unless the obligation is overdue at now, when it is a
// Refusal under RuleOverdue that says by how long and to whom it
// escalates.
func (s ObligationState) Check(now time.Time) error {
	e, ok := s.escalation(now)
	if !ok {
		return nil
	}
	ack := "not acknowledged"
	if !s.Acknowledged.IsZero() {
		ack = "acknowledged at " + stamp(s.Acknowledged) + " but not fulfilled"
	}
	return refuse(RuleOverdue, "obligation %s of %s (%s) was due at %s and is overdue by %s, %s; escalated to %s",
		s.ID, s.Guarantor, s.Kind, stamp(s.Due), span(e.OverdueBy.Duration()), ack, e.To)
}

// Escalation is an overdue obligation and whom it goes to.
type Escalation struct {
	Obligation ObligationState `json:"obligation"`
	// OverdueBy is how long past its due time.
	OverdueBy agreement.Period `json:"overdue_by"`
	// Level 1 goes to the coordination cell; level 2, once the obligation
	// is overdue by its response time again, to the guarantors'
	// governments through the coordination cell's chairs.
	Level int    `json:"level"`
	To    string `json:"to"`
}

// Escalation levels' addressees.
const (
	EscalateToCell        = "the US/Ukraine/Coalition coordination cell"
	EscalateToGovernments = "the guarantors' governments, through the coordination cell"
)

func (s ObligationState) escalation(now time.Time) (Escalation, bool) {
	if !s.Overdue(now) {
		return Escalation{}, false
	}
	e := Escalation{Obligation: s, OverdueBy: agreement.Period(now.Sub(s.Due)), Level: 1, To: EscalateToCell}
	if e.OverdueBy.Duration() >= max(s.ResponseTime.Duration(), 24*time.Hour) {
		e.Level, e.To = 2, EscalateToGovernments
	}
	return e, true
}

// Escalations lists the obligations overdue at now, most overdue first
// (then by ID).
func Escalations(states []ObligationState, now time.Time) []Escalation {
	var out []Escalation
	for _, s := range states {
		if e, ok := s.escalation(now); ok {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b Escalation) int {
		if c := cmp.Compare(b.OverdueBy, a.OverdueBy); c != 0 {
			return c
		}
		return strings.Compare(a.Obligation.ID, b.Obligation.ID)
	})
	return out
}

// span says a duration in days and hours.
func span(d time.Duration) string {
	days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	switch {
	case days == 0 && hours == 0:
		return "less than an hour"
	case days == 0:
		return fmt.Sprintf("%d h", hours)
	case hours == 0:
		return fmt.Sprintf("%d days", days)
	}
	return fmt.Sprintf("%d days %d h", days, hours)
}
