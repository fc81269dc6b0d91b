package guarantee

import (
	"slices"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/commission"
)

// Status is the state of the ceasefire on which the guarantees turn.
type Status string

const (
	// NotInForce: before the agreement's effective time.
	NotInForce Status = "not_in_force"
	// InForce: from the effective time, until a determination.
	InForce Status = "in_force"
	// CredibleCessation: a credible cessation of hostilities has been
	// determined; reassurance measures may start at Ukraine's request.
	CredibleCessation Status = "credible_cessation"
	// Breached: the ceasefire has been determined breached.
	Breached Status = "breached"
	// ArmedAttack: an armed attack has been determined; the binding
	// commitments of component 4 activate.
	ArmedAttack Status = "armed_attack"
)

// Phrase says the status in words that follow "the ceasefire is".
func (s Status) Phrase() string {
	switch s {
	case NotInForce:
		return "not yet in force"
	case InForce:
		return "in force, with no determination"
	case CredibleCessation:
		return "in force, with a credible cessation of hostilities determined"
	case Breached:
		return "determined breached"
	case ArmedAttack:
		return "broken by an armed attack, so determined"
	}
	return string(s)
}

// follows lists, for each determination, the statuses it may follow. A
// credible cessation may be determined again after a breach; nothing
// follows an armed attack under the same agreement version — restoring
// peace after one is a new agreement.
var follows = map[Status][]Status{
	CredibleCessation: {InForce, Breached},
	Breached:          {InForce, CredibleCessation},
	ArmedAttack:       {InForce, CredibleCessation, Breached},
}

// Determination is a human act on the ceasefire's status: recorded by a
// commissioner, resting on a Commission vote that carried, with the
// indicators the software computed beside it. It is never computed.
type Determination struct {
	ID      string    `json:"id"`
	Status  Status    `json:"status"`
	At      time.Time `json:"at"`
	By      Actor     `json:"by"`
	Marking string    `json:"marking"`
	// Party is the party held responsible for a breach or an armed
	// attack; empty for a credible cessation.
	Party   string `json:"party"`
	Motion  string `json:"motion"` // the Commission motion that carried
	Reasons string `json:"reasons"`

	// Filled by Determine.
	Tally      string            `json:"tally"` // the vote's count, as the commission package said it
	Dissent    []commission.Vote `json:"dissent,omitempty"`
	Criteria   bool              `json:"criteria"`   // whether the computed criteria for this status were met at its time
	Indicators string            `json:"indicators"` // what the software indicated at its time, in a sentence
	Supersedes string            `json:"supersedes"` // the determination it follows, if any
}

// StatusAt is the ceasefire's status at time at, given the determinations
// made so far (in any order), and the determination it rests on (nil for
// not in force and in force).
func StatusAt(r Rules, dets []Determination, at time.Time) (Status, *Determination) {
	if at.Before(r.EffectiveFrom) {
		return NotInForce, nil
	}
	var cur *Determination
	for i := range dets {
		d := &dets[i]
		if d.At.After(at) {
			continue
		}
		if cur == nil || d.At.After(cur.At) || d.At.Equal(cur.At) && d.ID > cur.ID {
			cur = d
		}
	}
	if cur == nil {
		return InForce, nil
	}
	return cur.Status, cur
}

// Determine checks a determination against the status, the Commission
// vote it rests on and the indicators computed for its time, and returns
// it as it must be recorded. vote is the tally of d.Motion at d.At
// (commission.Tally); ind are the indicators as of d.At (Compute).
func Determine(r Rules, prior []Determination, d Determination, vote commission.Result, ind Indicators) (Determination, error) {
	if err := checkHeader(d.ID, d.At, d.By, d.Marking); err != nil {
		return Determination{}, err
	}
	allowed, known := follows[d.Status]
	if !known {
		return Determination{}, refuse(RuleInput, "a determination is of a credible cessation of hostilities (%q), a breach (%q) or an armed attack (%q), not %q",
			CredibleCessation, Breached, ArmedAttack, d.Status)
	}
	if err := r.Commission.CheckCommissioner(d.By, "recording a determination"); err != nil {
		return Determination{}, &Refusal{Rule: RuleAuthority, Reason: err.Error()}
	}
	switch {
	case d.Status == CredibleCessation && d.Party != "":
		return Determination{}, refuse(RuleInput, "a credible cessation of hostilities names no party")
	case d.Status != CredibleCessation && !r.isParty(d.Party):
		return Determination{}, refuse(RuleInput, "a determination of %s names the party responsible (%s), not %q", d.Status, strings.Join(r.Parties, ", "), d.Party)
	}
	if strings.TrimSpace(d.Reasons) == "" {
		return Determination{}, refuse(RuleInput, "a determination gives its reasons")
	}
	for _, p := range prior {
		if p.ID == d.ID {
			return Determination{}, refuse(RuleInput, "determination %s is already recorded; a correction is a new determination", d.ID)
		}
		if p.At.After(d.At) {
			return Determination{}, refuse(RuleInput, "determination %s is dated %s, before determination %s (%s); determinations are recorded in order", d.ID, stamp(d.At), p.ID, stamp(p.At))
		}
	}
	cur, curDet := StatusAt(r, prior, d.At)
	if cur == NotInForce {
		return Determination{}, refuse(RuleStatus, "the ceasefire is not in force until %s; nothing can be determined of it before then", stamp(r.EffectiveFrom))
	}
	if !slices.Contains(allowed, cur) {
		return Determination{}, refuse(RuleStatus, "the ceasefire is %s; a determination of %s cannot follow that", cur.Phrase(), d.Status)
	}
	if vote.Motion != d.Motion || vote.Question != commission.QuestionDetermination || vote.Determination != string(d.Status) {
		return Determination{}, refuse(RuleDecision, "a determination of %s rests on a Commission vote on that very question; motion %q (%s %s) is not one",
			d.Status, vote.Motion, vote.Question, vote.Determination)
	}
	if err := vote.Refusal(); err != nil {
		return Determination{}, refuse(RuleDecision, "the determination cannot be recorded: %s", err.Error())
	}
	if !ind.AsOf.Equal(d.At) {
		return Determination{}, refuse(RuleInput, "the indicators recorded beside a determination are those at its time (%s), not at %s", stamp(d.At), stamp(ind.AsOf))
	}
	d.Tally, d.Dissent = vote.Explanation, vote.Dissent
	d.Criteria, d.Indicators = ind.criteriaFor(d.Status, d.Party)
	d.Supersedes = ""
	if curDet != nil {
		d.Supersedes = curDet.ID
	}
	return d, nil
}
