package commission

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
)

// Rule names a rule of procedure a Refusal is about, so that the API can
// answer in one place (403 for who may act, 409 for the state of the
// procedure, 422 for the rest) and a member can read which rule stopped
// the action.
type Rule string

const (
	// RuleInput: the action is incomplete or malformed.
	RuleInput Rule = "input"
	// RuleProcedure: the action is not one the case's state allows.
	RuleProcedure Rule = "procedure"
	// RuleMembership: the user may not take this action for this
	// organisation (not a member, not a voting member, not a
	// commissioner).
	RuleMembership Rule = "membership"
	// RuleAccusedParty: only a liaison of the accused party replies.
	RuleAccusedParty Rule = "accused-party"
	// RuleOneVote: each voting member has one vote on a motion.
	RuleOneVote Rule = "one-vote-per-member"
	// RuleVoteOpen: the vote is still open; its result is not known.
	RuleVoteOpen Rule = "vote-open"
	// RuleVoteClosed: the vote closed at its deadline.
	RuleVoteClosed Rule = "vote-closed"
	// RuleQuorum: too few voting members voted for the vote to count.
	RuleQuorum Rule = "quorum"
	// RuleMajority: the motion did not win the majority the agreement
	// requires.
	RuleMajority Rule = "majority"
	// RuleRightToReply: no finding, and no motion towards one, before the
	// accused party has replied or its reply deadline has passed.
	RuleRightToReply Rule = "right-to-reply"
	// RuleLadder: remedies come from the agreement's ladder only.
	RuleLadder Rule = "remedy-ladder"
	// RuleAgreementVersion: a case is governed by the agreement version
	// in force when it was opened.
	RuleAgreementVersion Rule = "agreement-version"
)

// Refusal is an action the procedure does not allow, with the rule and a
// sentence a Commission member can act on.
type Refusal struct {
	Rule   Rule   `json:"rule"`
	Reason string `json:"reason"`
}

func (r *Refusal) Error() string { return r.Reason }

// Is matches a Refusal with no reason on its rule alone, so that
// errors.Is(err, commission.ErrQuorum) asks "was it the quorum?".
func (r *Refusal) Is(target error) bool {
	t, ok := target.(*Refusal)
	return ok && t.Rule == r.Rule && (t.Reason == "" || t.Reason == r.Reason)
}

// Sentinels for errors.Is, one per rule.
var (
	ErrInput            = &Refusal{Rule: RuleInput}
	ErrProcedure        = &Refusal{Rule: RuleProcedure}
	ErrMembership       = &Refusal{Rule: RuleMembership}
	ErrAccusedParty     = &Refusal{Rule: RuleAccusedParty}
	ErrOneVote          = &Refusal{Rule: RuleOneVote}
	ErrVoteOpen         = &Refusal{Rule: RuleVoteOpen}
	ErrVoteClosed       = &Refusal{Rule: RuleVoteClosed}
	ErrQuorum           = &Refusal{Rule: RuleQuorum}
	ErrMajority         = &Refusal{Rule: RuleMajority}
	ErrRightToReply     = &Refusal{Rule: RuleRightToReply}
	ErrLadder           = &Refusal{Rule: RuleLadder}
	ErrAgreementVersion = &Refusal{Rule: RuleAgreementVersion}
)

func refuse(rule Rule, format string, args ...any) *Refusal {
	return &Refusal{Rule: rule, Reason: fmt.Sprintf(format, args...)}
}

// Actor is who took an action: the user, the organisation the user acts
// for, and the roles the user held when acting (kept so that a replay of
// the record can check them again).
type Actor struct {
	User  string   `json:"user"`
	Org   string   `json:"org"`
	Roles []string `json:"roles"`
}

// System is the mechanism itself, for the steps of procedure the
// agreement makes automatic: opening a case for a breach at or above the
// severity threshold, and notifying the accused party. It never votes,
// finds or orders anything.
var System = Actor{User: SystemUser}

// SystemUser is the user name of System.
const SystemUser = "truce"

// IsSystem reports whether the actor is the mechanism itself.
func (a Actor) IsSystem() bool { return a.User == SystemUser && a.Org == "" }

// Has reports whether the actor held role.
func (a Actor) Has(role string) bool { return slices.Contains(a.Roles, role) }

func (a Actor) String() string {
	if a.IsSystem() {
		return "the mechanism"
	}
	return fmt.Sprintf("%s (%s)", a.User, a.Org)
}

// Rules are the terms a case is run under: the Commission section of the
// agreement version in force when the case was opened, and the parties.
type Rules struct {
	Agreement string // the agreement's id
	Version   int
	Digest    string // SHA-256 of the agreement file, hex: names the version
	Parties   []string
	Terms     agreement.Commission
}

// RulesFrom takes the rules from an agreement version.
func RulesFrom(a *agreement.Agreement) Rules {
	r := Rules{Agreement: a.ID, Version: a.Version, Digest: a.Digest(), Terms: a.Commission}
	for _, p := range a.Parties {
		r.Parties = append(r.Parties, p.Code)
	}
	return r
}

// IsParty reports whether org is a party to the ceasefire.
func (r Rules) IsParty(org string) bool { return slices.Contains(r.Parties, org) }

// Voting lists the organisations that vote, in the agreement's order.
func (r Rules) Voting() []string {
	var out []string
	for _, m := range r.Terms.Members {
		if r.IsParty(m.Org) && !r.Terms.PartiesVote {
			continue
		}
		out = append(out, m.Org)
	}
	return out
}

func (r Rules) members() string {
	var codes []string
	for _, m := range r.Terms.Members {
		codes = append(codes, m.Org)
	}
	return strings.Join(codes, ", ")
}

// commissioner checks that by is a commissioner of a member organisation.
func (r Rules) commissioner(by Actor, doing string) error {
	if by.User == "" || by.Org == "" {
		return refuse(RuleInput, "%s needs the user who acts and the organisation the user acts for", doing)
	}
	if !r.Terms.IsMember(by.Org) {
		return refuse(RuleMembership, "%s is for members of the Commission; %s does not sit on it (members: %s)", doing, by.Org, r.members())
	}
	if !by.Has(access.RoleCommissioner) {
		return refuse(RuleMembership, "%s is for commissioners; %s of %s does not hold the commissioner role", doing, by.User, by.Org)
	}
	return nil
}

// CheckCommissioner is nil when by is a commissioner of a member
// organisation, and otherwise a Refusal saying why by may not be
// doing what doing says ("recording a determination").
func (r Rules) CheckCommissioner(by Actor, doing string) error { return r.commissioner(by, doing) }

// CheckVoter is nil when by is a commissioner of a voting member, and
// otherwise a Refusal saying why not.
func (r Rules) CheckVoter(by Actor, doing string) error { return r.voter(by, doing) }

// voter checks that by is a commissioner of a voting member.
func (r Rules) voter(by Actor, doing string) error {
	if err := r.commissioner(by, doing); err != nil {
		return err
	}
	if !slices.Contains(r.Voting(), by.Org) {
		return refuse(RuleMembership, "%s is for voting members; %s is a party to the ceasefire and under this agreement parties sit on the Commission without a vote", doing, by.Org)
	}
	return nil
}

// checkMarking checks a marking is one the mechanism knows.
func checkMarking(m string) error {
	if m == "" {
		return refuse(RuleInput, "every record needs a marking (PUBLIC, MISSION, COMMISSION or REL TO …) saying who may read it")
	}
	if _, err := access.ParseMarking(m); err != nil {
		return refuse(RuleInput, "%s", err.Error())
	}
	return nil
}

// readableBy reports whether a record with marking m reaches the
// organisation org (a party, which sees PUBLIC and what is released to
// it).
func readableBy(m, org string) bool {
	pm, err := access.ParseMarking(m)
	if err != nil {
		return false
	}
	return pm.Level == access.Public || slices.Contains(pm.RelTo, org)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
