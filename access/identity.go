package access

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Organisation kinds.
const (
	KindLead        = "lead"        // runs the mechanism (e.g. the monitoring mission's lead)
	KindParticipant = "participant" // a coalition nation, the US, Ukraine's delegation, an IO
	KindParty       = "party"       // a side of the ceasefire answering allegations
	KindObserver    = "observer"    // sees what is released to it, no more
)

// Roles a user may hold.
const (
	RoleAdmin        = "admin"        // manages users and tokens of the mechanism
	RoleMonitor      = "monitor"      // submits reports for the sources of its organisation
	RoleAnalyst      = "analyst"      // assesses, withdraws false reports
	RoleCommissioner = "commissioner" // member of the Special Commission
	RoleCoordinator  = "coordinator"  // coordination cell
	RoleLiaison      = "liaison"      // a party's contact: sees allegations against it, replies
	RoleViewer       = "viewer"       // reads what is releasable to its organisation
)

// Kinds and Roles list the accepted values, for validation and help texts.
var (
	Kinds = []string{KindLead, KindParticipant, KindParty, KindObserver}
	Roles = []string{RoleAdmin, RoleMonitor, RoleAnalyst, RoleCommissioner, RoleCoordinator, RoleLiaison, RoleViewer}
)

// codePattern is what a REL TO marking can name: the schema's participant code.
var codePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,15}$`)

// Organisation is a participant of the mechanism, or a party. Its Code is
// what REL TO markings name (ISO 3166-1 alpha-3 or a short organisation code).
type Organisation struct {
	Code       string
	Name       string
	Kind       string
	Commission bool // a member of the Special Commission
	Created    time.Time
}

// Validate names what is wrong with an organisation.
func (o Organisation) Validate() error {
	var bad []string
	if !codePattern.MatchString(o.Code) {
		bad = append(bad, fmt.Sprintf("code %q must be 2–16 capital letters, digits or _, starting with a letter (as REL TO markings write it)", o.Code))
	}
	if strings.TrimSpace(o.Name) == "" {
		bad = append(bad, "the name is empty")
	}
	if !slices.Contains(Kinds, o.Kind) {
		bad = append(bad, fmt.Sprintf("kind %q is not one of %s", o.Kind, strings.Join(Kinds, ", ")))
	}
	if len(bad) > 0 {
		return fmt.Errorf("organisation %s: %s", o.Code, strings.Join(bad, "; "))
	}
	return nil
}

// namePattern is what a user name may be: it appears in audit records and
// on every action the user takes.
var namePattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,63}$`)

// User is a person acting in the mechanism; every action is attributed to
// one.
type User struct {
	Name     string
	Org      string
	Roles    []string
	Disabled bool
	Created  time.Time
}

// Validate names what is wrong with a user.
func (u User) Validate() error {
	var bad []string
	if !namePattern.MatchString(u.Name) {
		bad = append(bad, fmt.Sprintf("name %q must be 2–64 lower-case letters, digits, '.', '_' or '-', starting with a letter", u.Name))
	}
	if !codePattern.MatchString(u.Org) {
		bad = append(bad, fmt.Sprintf("organisation code %q is not a code", u.Org))
	}
	if len(u.Roles) == 0 {
		bad = append(bad, "a user needs at least one role")
	}
	for _, r := range u.Roles {
		if !slices.Contains(Roles, r) {
			bad = append(bad, fmt.Sprintf("role %q is not one of %s", r, strings.Join(Roles, ", ")))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("user %s: %s", u.Name, strings.Join(bad, "; "))
	}
	return nil
}

// Has reports whether the user holds role.
func (u User) Has(role string) bool { return slices.Contains(u.Roles, role) }
