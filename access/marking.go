package access

import (
	"fmt"
	"regexp"
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
// every read path.
type Reader struct {
	// Name is how the reader appears in logs and audit records.
	Name string
	// All sees every marking (the demo user; later, system processes).
	All bool
	// Write may submit records.
	Write bool
}

// Anonymous is the public: PUBLIC records only, no writes.
var Anonymous = Reader{Name: "anonymous"}

// DemoUser is the single user of `truce serve --demo`, who may do
// everything. It exists only in demo mode.
var DemoUser = Reader{Name: "demo", All: true, Write: true}

// CanSee reports whether the reader may see a record with this marking.
// An unparseable marking is visible to nobody but All readers: failing
// closed is the only safe answer.
func (r Reader) CanSee(marking string) bool {
	if r.All {
		return true
	}
	return marking == Public
}
