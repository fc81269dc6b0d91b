package commission

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/agreement"
)

// Question is what a motion asks the Commission to decide.
type Question string

const (
	// QuestionFinding: is the breach attributed to a party, not
	// attributable, or unfounded (and, if attributed, which remedies)?
	QuestionFinding Question = "finding"
	// QuestionRemedy: further remedies after a finding, such as the next
	// rung of the ladder when a remedy was not complied with.
	QuestionRemedy Question = "remedy"
	// QuestionDetermination: a determination on the ceasefire's status
	// (credible cessation, breach, armed attack), which the guarantee
	// package records; not part of a case.
	QuestionDetermination Question = "determination"
)

// Outcome is what a finding says of a breach.
type Outcome string

const (
	// Attributed: the breach happened and a party is responsible.
	Attributed Outcome = "attributed"
	// NotAttributable: the breach happened, but responsibility cannot be
	// established.
	NotAttributable Outcome = "not_attributable"
	// Unfounded: the allegation is not upheld.
	Unfounded Outcome = "unfounded"
)

// Outcomes lists the outcomes a finding may have.
var Outcomes = []Outcome{Attributed, NotAttributable, Unfounded}

// Choice is a member's vote.
type Choice string

const (
	For     Choice = "for"
	Against Choice = "against"
	Abstain Choice = "abstain"
)

// Proposal is the finding a motion proposes.
type Proposal struct {
	Outcome Outcome `json:"outcome"`
	Party   string  `json:"party"` // the party held responsible; only when Attributed
	Reasons string  `json:"reasons"`
}

// RemedyOrder is a remedy a motion proposes, from the agreement's ladder.
type RemedyOrder struct {
	Kind agreement.RemedyKind `json:"kind"`
	// Terms say what the party must do: "withdraw the 2S19 battery seen
	// at … beyond 25 km of the line of contact".
	Terms string `json:"terms"`
	// Due, when set, is the date the party must comply by ("withdraw by
	// 1 October"); otherwise the ladder's compliance deadline from the
	// day the remedy is ordered.
	Due time.Time `json:"due,omitzero"`
	// Recommendation is what a referral recommends to the guarantors,
	// such as sanctions.
	Recommendation string `json:"recommendation"`
}

// Motion is a question put to the vote of the Commission's voting
// members. Its roll of eligible members, its quorum and its deadline are
// fixed when it is put, so a vote is counted against the rules it was
// cast under.
type Motion struct {
	ID       string        `json:"id"`   // the ID of the action that put it
	Case     string        `json:"case"` // "" for a determination outside a case
	Round    int           `json:"round"`
	Question Question      `json:"question"`
	Finding  *Proposal     `json:"finding,omitempty"`
	Remedies []RemedyOrder `json:"remedies,omitempty"`
	// Determination is the ceasefire status a determination motion
	// proposes (see package guarantee).
	Determination string `json:"determination"`
	Text          string `json:"text"`

	ProposedBy Actor     `json:"proposed_by"`
	Opens      time.Time `json:"opens"`
	Closes     time.Time `json:"closes"`
	Eligible   []string  `json:"eligible"` // voting member organisations, the agreement's order
	Required   int       `json:"required"` // votes needed for a quorum
}

// Vote is one member organisation's vote on a motion. Reasons are kept
// with every vote; the reasons of a vote against are the member's dissent.
type Vote struct {
	Motion  string    `json:"motion"`
	Org     string    `json:"org"`
	User    string    `json:"user"`
	Choice  Choice    `json:"choice"`
	Reasons string    `json:"reasons"`
	At      time.Time `json:"at"`
}

// Propose puts a motion to the vote at time at: it checks the proposer
// is a commissioner of a voting member and the motion is well formed,
// and fixes the roll, the quorum and the deadline. The motion's ID is the
// caller's (the ID of the record that holds it).
func Propose(r Rules, m Motion, by Actor, at time.Time) (Motion, error) {
	if err := r.voter(by, "putting a motion to the vote"); err != nil {
		return Motion{}, err
	}
	if m.ID == "" {
		return Motion{}, refuse(RuleInput, "a motion needs an ID")
	}
	switch m.Question {
	case QuestionFinding:
		if err := r.checkProposal(m.Finding); err != nil {
			return Motion{}, err
		}
		if len(m.Remedies) > 0 && m.Finding.Outcome != Attributed {
			return Motion{}, refuse(RuleLadder, "remedies are ordered against a party found responsible; this motion proposes the finding %q", m.Finding.Outcome)
		}
	case QuestionRemedy:
		if m.Finding != nil {
			return Motion{}, refuse(RuleInput, "a motion on remedies proposes no finding; put the finding in a motion of its own")
		}
		if len(m.Remedies) == 0 {
			return Motion{}, refuse(RuleInput, "a motion on remedies must propose at least one remedy from the ladder")
		}
	case QuestionDetermination:
		if m.Determination == "" {
			return Motion{}, refuse(RuleInput, "a motion for a determination must say which determination it proposes")
		}
		if m.Finding != nil || len(m.Remedies) > 0 {
			return Motion{}, refuse(RuleInput, "a motion for a determination proposes neither a finding nor remedies")
		}
	default:
		return Motion{}, refuse(RuleInput, "a motion asks for a finding, remedies or a determination, not %q", m.Question)
	}
	seen := map[agreement.RemedyKind]bool{}
	for _, o := range m.Remedies {
		rung, ok := r.Terms.Rung(o.Kind)
		if !ok {
			var kinds []string
			for _, k := range r.Terms.Remedies {
				kinds = append(kinds, string(k.Kind))
			}
			return Motion{}, refuse(RuleLadder, "remedy %q is not on the agreement's ladder (%s)", o.Kind, strings.Join(kinds, ", "))
		}
		if seen[o.Kind] {
			return Motion{}, refuse(RuleInput, "remedy %q is proposed twice in one motion; say it once, with all its terms", o.Kind)
		}
		seen[o.Kind] = true
		if strings.TrimSpace(o.Terms) == "" && o.Kind != agreement.RemedyReferral {
			return Motion{}, refuse(RuleInput, "remedy %q needs its terms: what the party must do", o.Kind)
		}
		if o.Kind == agreement.RemedyReferral && strings.TrimSpace(o.Recommendation) == "" {
			return Motion{}, refuse(RuleInput, "a referral to the guarantors carries a recommendation (such as sanctions)")
		}
		if !o.Due.IsZero() && !o.Due.After(at) {
			return Motion{}, refuse(RuleInput, "remedy %q is due %s, which is not after the motion (%s)", o.Kind, stamp(o.Due), stamp(at))
		}
		if !o.Due.IsZero() && rung.ComplianceDeadline == 0 {
			return Motion{}, refuse(RuleLadder, "the ladder tracks no compliance for remedy %q, so it takes no due date", o.Kind)
		}
	}
	m.ProposedBy = by
	m.Opens = at
	m.Closes = at.Add(r.Terms.VotePeriod)
	m.Eligible = r.Voting()
	m.Required = r.Terms.Quorum.Required(len(m.Eligible))
	return m, nil
}

func (r Rules) checkProposal(p *Proposal) error {
	if p == nil {
		return refuse(RuleInput, "a motion for a finding must propose one: attributed to a party, not attributable, or unfounded")
	}
	if !slices.Contains(Outcomes, p.Outcome) {
		return refuse(RuleInput, "a finding is %q, %q or %q, not %q", Attributed, NotAttributable, Unfounded, p.Outcome)
	}
	if p.Outcome == Attributed {
		if !r.IsParty(p.Party) {
			return refuse(RuleInput, "a breach is attributed to a party to the ceasefire (%s), not %q", strings.Join(r.Parties, ", "), p.Party)
		}
	} else if p.Party != "" {
		return refuse(RuleInput, "a finding of %q names no party (it names %s)", p.Outcome, p.Party)
	}
	if strings.TrimSpace(p.Reasons) == "" {
		return refuse(RuleInput, "a proposed finding gives its reasons")
	}
	return nil
}

// CastVote checks a vote against the motion and the votes already cast,
// and returns it as recorded (its organisation and user from by). A
// member has one vote: a second vote by the same organisation is refused,
// whoever of its users casts it.
func CastVote(r Rules, m Motion, prior []Vote, v Vote, by Actor) (Vote, error) {
	if err := r.voter(by, "voting"); err != nil {
		return Vote{}, err
	}
	if v.Motion != m.ID {
		return Vote{}, refuse(RuleInput, "the vote is on motion %q, not %q", v.Motion, m.ID)
	}
	if !slices.Contains(m.Eligible, by.Org) {
		return Vote{}, refuse(RuleMembership, "%s was not on the roll of motion %s when it was put (%s)", by.Org, m.ID, strings.Join(m.Eligible, ", "))
	}
	for _, p := range prior {
		if p.Motion == m.ID && p.Org == by.Org {
			return Vote{}, refuse(RuleOneVote, "%s has already voted on motion %s (%s, by %s at %s); each member has one vote", by.Org, m.ID, p.Choice, p.User, stamp(p.At))
		}
	}
	if v.At.Before(m.Opens) {
		return Vote{}, refuse(RuleInput, "a vote dated %s is before motion %s was put (%s)", stamp(v.At), m.ID, stamp(m.Opens))
	}
	if !v.At.Before(m.Closes) {
		return Vote{}, refuse(RuleVoteClosed, "the vote on motion %s closed at %s", m.ID, stamp(m.Closes))
	}
	switch v.Choice {
	case For, Against, Abstain:
	default:
		return Vote{}, refuse(RuleInput, "a vote is %q, %q or %q, not %q", For, Against, Abstain, v.Choice)
	}
	v.Org, v.User = by.Org, by.User
	return v, nil
}

// Result is the count of a motion at a given time.
type Result struct {
	Motion   string   `json:"motion"`
	Question Question `json:"question"`
	// Determination is what a determination motion proposed.
	Determination string   `json:"determination"`
	Eligible      int      `json:"eligible"`
	Required      int      `json:"required"` // for a quorum
	For           int      `json:"for"`
	Against       int      `json:"against"`
	Abstain       int      `json:"abstain"`
	Voted         []string `json:"voted"` // organisations, in the roll's order
	NotVoted      []string `json:"not_voted"`
	// Open is true while the vote may still change: before its deadline
	// and with members yet to vote.
	Open      bool               `json:"open"`
	QuorumMet bool               `json:"quorum_met"`
	Majority  agreement.Majority `json:"majority"`
	Carried   bool               `json:"carried"`
	// DecidedAt is when the vote closed: the last vote if every member
	// voted before the deadline, else the deadline. Zero while open.
	DecidedAt time.Time `json:"decided_at,omitzero"`
	Dissent   []Vote    `json:"dissent"` // votes against, with their reasons
	// Explanation says the result in a sentence.
	Explanation string `json:"explanation"`
}

// Cast is how many voted.
func (r Result) Cast() int { return r.For + r.Against + r.Abstain }

// Tally counts the votes on a motion as they stand at now. Votes on other
// motions, and votes dated after now, are ignored.
func Tally(r Rules, m Motion, votes []Vote, now time.Time) Result {
	res := Result{Motion: m.ID, Question: m.Question, Determination: m.Determination, Eligible: len(m.Eligible), Required: m.Required, Majority: r.Terms.Majority}
	byOrg := map[string]Vote{}
	var last time.Time
	for _, v := range votes {
		if v.Motion != m.ID || v.At.After(now) || !slices.Contains(m.Eligible, v.Org) {
			continue
		}
		if _, dup := byOrg[v.Org]; dup {
			continue // CastVote refuses a second vote; a replay keeps the first
		}
		byOrg[v.Org] = v
		if v.At.After(last) {
			last = v.At
		}
	}
	for _, org := range m.Eligible {
		v, ok := byOrg[org]
		if !ok {
			res.NotVoted = append(res.NotVoted, org)
			continue
		}
		res.Voted = append(res.Voted, org)
		switch v.Choice {
		case For:
			res.For++
		case Against:
			res.Against++
			res.Dissent = append(res.Dissent, v)
		case Abstain:
			res.Abstain++
		}
	}
	everyone := len(res.NotVoted) == 0
	res.Open = now.Before(m.Closes) && !everyone
	if !res.Open {
		res.DecidedAt = m.Closes
		if everyone && last.Before(m.Closes) {
			res.DecidedAt = last
		}
	}
	res.QuorumMet = res.Cast() >= res.Required
	res.Carried = !res.Open && res.QuorumMet && r.Terms.Majority.Carried(res.For, res.Against)
	res.Explanation = res.explain(m, r)
	return res
}

func (res Result) explain(m Motion, r Rules) string {
	count := fmt.Sprintf("%d for, %d against, %d abstaining", res.For, res.Against, res.Abstain)
	switch {
	case res.Open:
		return fmt.Sprintf("the vote on motion %s is open until %s: %d of %d voting members have voted (%s); yet to vote: %s",
			m.ID, stamp(m.Closes), len(res.Voted), res.Eligible, count, strings.Join(res.NotVoted, ", "))
	case !res.QuorumMet:
		who := "none"
		if len(res.Voted) > 0 {
			who = strings.Join(res.Voted, ", ")
		}
		return fmt.Sprintf("motion %s did not reach the quorum: %d of %d voting members voted (%s), and the agreement requires %d (quorum %s)",
			m.ID, len(res.Voted), res.Eligible, who, res.Required, r.Terms.Quorum)
	case !res.Carried:
		return fmt.Sprintf("motion %s was not carried: %s, and the agreement requires %s", m.ID, count, r.Terms.Majority.Describe())
	default:
		return fmt.Sprintf("motion %s was carried: %s (quorum %d of %d reached; %s)", m.ID, count, res.Required, res.Eligible, r.Terms.Majority.Describe())
	}
}

// Refusal is nil when the motion carried, and otherwise the refusal of
// anything that needs it to have carried: the vote is still open, it did
// not reach the quorum, or it did not win the majority.
func (res Result) Refusal() error {
	switch {
	case res.Carried:
		return nil
	case res.Open:
		return refuse(RuleVoteOpen, "%s", res.Explanation)
	case !res.QuorumMet:
		return refuse(RuleQuorum, "%s", res.Explanation)
	default:
		return refuse(RuleMajority, "%s", res.Explanation)
	}
}
