package agreement

import (
	"fmt"
	"strings"

	"github.com/truce-mechanism/truce/geo"
)

// Problem is one thing wrong with an agreement file, said where it is and
// in words a negotiator can act on.
type Problem struct {
	File string
	// Path is the JSON pointer (RFC 6901) of the value at fault, e.g.
	// /controlled_areas/1/geometry/coordinates/0; "" for the whole file.
	Path string
	// Line and Column (1-based, column in characters) locate the value in
	// the file; 0 when there is no value to point at (a missing field is
	// placed at its parent object).
	Line, Column int
	// Feature is the entry's index in its top-level list (parties,
	// controlled_areas, lines, zones, rules, sources), -1 outside one.
	Feature int
	Message string
	// At is the place on the ground the problem concerns (a crossing, the
	// witness of an overlap), when it has one.
	At *geo.Point
}

// String reads "file: /path: message", or "file:line:column: message"
// for a file that is not valid JSON.
func (p Problem) String() string {
	switch {
	case p.Path != "":
		return fmt.Sprintf("%s: %s: %s", p.File, p.Path, p.Message)
	case p.Line > 0:
		return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, p.Message)
	default:
		return fmt.Sprintf("%s: %s", p.File, p.Message)
	}
}

// Problems is every problem found in one file; as an error it lists them
// one per line.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// pointer appends JSON pointer tokens, escaped as RFC 6901 requires.
func pointer(base string, tokens ...any) string {
	var b strings.Builder
	b.WriteString(base)
	for _, t := range tokens {
		b.WriteByte('/')
		s := fmt.Sprint(t)
		s = strings.ReplaceAll(s, "~", "~0")
		s = strings.ReplaceAll(s, "/", "~1")
		b.WriteString(s)
	}
	return b.String()
}
