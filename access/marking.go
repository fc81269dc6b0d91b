package access

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Marking levels. REL TO markings name the participants a record is
// releasable to.
const (
	Public     = "PUBLIC"
	Mission    = "MISSION"
	Commission = "COMMISSION"
	relTo      = "REL TO "
)

// markingPattern is the intake schema's pattern for markings.
var markingPattern = regexp.MustCompile(`^(PUBLIC|MISSION|COMMISSION|REL TO [A-Z][A-Z0-9_]{1,15}(, ?[A-Z][A-Z0-9_]{1,15})*)$`)

// Marking is a parsed marking.
type Marking struct {
	Level string   // Public, Mission, Commission, or "REL TO"
	RelTo []string // participant codes for REL TO, in the order written
}

// ParseMarking reads a marking as the intake schema writes it.
func ParseMarking(s string) (Marking, error) {
	if !markingPattern.MatchString(s) {
		return Marking{}, fmt.Errorf("marking %q is not PUBLIC, MISSION, COMMISSION or REL TO followed by participant codes", s)
	}
	if rest, ok := strings.CutPrefix(s, relTo); ok {
		var codes []string
		for _, c := range strings.Split(rest, ",") {
			codes = append(codes, strings.TrimSpace(c))
		}
		return Marking{Level: "REL TO", RelTo: codes}, nil
	}
	return Marking{Level: s}, nil
}

// Reader is whoever is reading or writing: the rights it carries decide
// every read path and every action.
type Reader struct {
	// Name is how the reader appears in logs and audit records.
	Name string
	// All sees every marking and may do everything (the demo user).
	All bool
	// Org, OrgKind and Commission describe the reader's organisation;
	// empty for the anonymous public.
	Org        string
	OrgKind    string
	Commission bool
	Roles      []string
	// TokenID names the token the reader came with ("" for none).
	TokenID string

	// A reader acting through a token may take only the token's scopes.
	scoped bool
	scopes []Action
}

// Anonymous is the public: PUBLIC records only, no writes.
var Anonymous = Reader{Name: "anonymous"}

// DemoUser is the single user of `truce serve --demo`, who may do
// everything. It exists only in demo mode.
var DemoUser = Reader{Name: "demo", All: true}

// ReaderFor is the reader a user is, within its organisation.
func ReaderFor(u User, o Organisation) Reader {
	return Reader{Name: u.Name, Org: o.Code, OrgKind: o.Kind, Commission: o.Commission, Roles: u.Roles}
}

// CanSee reports whether the reader may see a record with this marking:
//
//   - PUBLIC: everyone;
//   - MISSION: users of the mechanism's lead and participating organisations;
//   - COMMISSION: commissioners of the Commission's member organisations;
//   - REL TO A, B: users of the organisations named.
//
// An unparseable marking is visible to nobody but All readers: failing
// closed is the only safe answer.
func (r Reader) CanSee(marking string) bool {
	if r.All || marking == Public {
		return true
	}
	if r.Org == "" {
		return false
	}
	m, err := ParseMarking(marking)
	if err != nil {
		return false
	}
	switch m.Level {
	case Mission:
		return r.OrgKind == KindLead || r.OrgKind == KindParticipant
	case Commission:
		return r.Commission && slices.Contains(r.Roles, RoleCommissioner)
	default:
		return slices.Contains(m.RelTo, r.Org)
	}
}

// Action is something a reader may be allowed to do beyond reading.
type Action string

// Actions and the roles that may take them.
const (
	Submit   Action = "submit"   // send reports (for its organisation's sources)
	Withdraw Action = "withdraw" // take a record back
	// Release publishes a sanitised version of a derived record the
	// reader may see, under a marking of the reader's choosing: a new
	// record, so a write, and one that can widen who sees what, so for
	// analysts only and, through a token, only with the scope.
	Release Action = "release"
	Audit   Action = "audit" // read the audit trail
	// Act records an act of the Commission or of the guarantees —
	// opening a case, replying, voting, a finding, a determination, a
	// commitment, a request for reassurance. Who may take which act is
	// the procedure's to say (commission, guarantee); through a token,
	// none without this scope, so a token made for reading or for
	// sending reports cannot cast a vote.
	Act Action = "act"
)

// writes are the actions a token's scopes govern; the others are reads
// that a role alone allows.
var writes = map[Action]bool{Submit: true, Withdraw: true, Release: true, Act: true}

var mayRoles = map[Action][]string{
	Submit:   {RoleMonitor},
	Withdraw: {RoleAnalyst},
	Release:  {RoleAnalyst},
	Audit:    {RoleAdmin},
}

// TokenAllows reports whether the reader's token, if it came with one,
// has the scope of action a; a reader signed in without a token has
// every scope its roles give.
func (r Reader) TokenAllows(a Action) bool {
	return !r.scoped || slices.Contains(r.scopes, a)
}

// May reports whether the reader may take the action.
func (r Reader) May(a Action) bool {
	if r.scoped && writes[a] && !slices.Contains(r.scopes, a) {
		return false
	}
	if r.All {
		return true
	}
	for _, role := range mayRoles[a] {
		if slices.Contains(r.Roles, role) {
			return true
		}
	}
	return false
}
