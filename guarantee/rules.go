package guarantee

import (
	"fmt"
	"slices"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/commission"
)

// Rule names the rule a Refusal is about.
type Rule string

const (
	// RuleInput: the record is incomplete or malformed.
	RuleInput Rule = "input"
	// RuleAuthority: this user may not make this record.
	RuleAuthority Rule = "authority"
	// RuleStatus: the ceasefire's status does not allow it (not yet in
	// force; a determination that does not follow from the current one).
	RuleStatus Rule = "status"
	// RuleDecision: a determination rests on a Commission vote that
	// carried.
	RuleDecision Rule = "commission-decision"
	// RuleRequest: reassurance measures start only at Ukraine's request.
	RuleRequest Rule = "ukraine-request"
	// RuleCessation: reassurance measures start only once a credible
	// cessation of hostilities has been determined.
	RuleCessation Rule = "credible-cessation"
	// RuleOverdue: an obligation's deadline has passed unfulfilled.
	RuleOverdue Rule = "overdue"
)

// Refusal is a record the guarantees do not allow, with the rule (and
// any further rule it also breaks) and a sentence the coordination cell
// can act on.
type Refusal struct {
	Rule   Rule   `json:"rule"`
	Also   []Rule `json:"also,omitempty"`
	Reason string `json:"reason"`
}

func (r *Refusal) Error() string { return r.Reason }

// Is matches a Refusal with no reason on any of its rules, so that
// errors.Is(err, guarantee.ErrNoRequest) holds when the request is among
// what is missing.
func (r *Refusal) Is(target error) bool {
	t, ok := target.(*Refusal)
	switch {
	case !ok:
		return false
	case t.Reason != "":
		return t.Rule == r.Rule && t.Reason == r.Reason
	}
	return t.Rule == r.Rule || slices.Contains(r.Also, t.Rule)
}

// Sentinels for errors.Is.
var (
	ErrInput       = &Refusal{Rule: RuleInput}
	ErrAuthority   = &Refusal{Rule: RuleAuthority}
	ErrStatus      = &Refusal{Rule: RuleStatus}
	ErrDecision    = &Refusal{Rule: RuleDecision}
	ErrNoRequest   = &Refusal{Rule: RuleRequest}
	ErrNoCessation = &Refusal{Rule: RuleCessation}
	ErrOverdue     = &Refusal{Rule: RuleOverdue}
)

func refuse(rule Rule, format string, args ...any) *Refusal {
	return &Refusal{Rule: rule, Reason: fmt.Sprintf(format, args...)}
}

// Actor is who made a record (see commission.Actor).
type Actor = commission.Actor

// RequestingState is the organisation whose request starts reassurance
// measures: Ukraine (declaration, component 3: "at Ukraine's request").
const RequestingState = "UKR"

// Rules are the terms the guarantees run under: the agreement version in
// force, its guarantee terms, and the Commission's rules for the votes
// determinations rest on.
type Rules struct {
	Agreement     string
	Version       int
	Digest        string
	EffectiveFrom time.Time
	Parties       []string
	Terms         agreement.Guarantees
	Commission    commission.Rules
}

// RulesFrom takes the rules from an agreement version.
func RulesFrom(a *agreement.Agreement) Rules {
	cr := commission.RulesFrom(a)
	return Rules{Agreement: a.ID, Version: a.Version, Digest: a.Digest(), EffectiveFrom: a.EffectiveFrom,
		Parties: cr.Parties, Terms: a.Guarantees, Commission: cr}
}

func (r Rules) isParty(org string) bool { return slices.Contains(r.Parties, org) }

func checkMarking(m string) error {
	if m == "" {
		return refuse(RuleInput, "every record needs a marking (PUBLIC, MISSION, COMMISSION or REL TO …) saying who may read it")
	}
	if _, err := access.ParseMarking(m); err != nil {
		return refuse(RuleInput, "%s", err.Error())
	}
	return nil
}

func checkHeader(id string, at time.Time, by Actor, marking string) error {
	if id == "" {
		return refuse(RuleInput, "the record needs an ID")
	}
	if at.IsZero() {
		return refuse(RuleInput, "record %s has no time", id)
	}
	if by.User == "" || by.Org == "" || by.IsSystem() {
		return refuse(RuleInput, "record %s names the person who made it and the organisation they act for: it is a human act", id)
	}
	return checkMarking(marking)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }
