package access

import (
	"slices"
	"strings"
)

// Derived records (events, incidents, statistics) are built from records
// with markings of their own, and must never show a reader what one of
// their inputs would hide. Their marking is the conjunction of their
// inputs' markings: a reader sees a derived record only if it may see
// every input. Combine reduces that conjunction to its shortest form. An
// analyst who wants a wider release publishes a sanitised version: a new
// record with its own marking.

// Combine is the marking conjunction of a derived record's inputs, in a
// canonical order: PUBLIC drops out (it hides nothing); REL TO lists
// intersect into one; MISSION and COMMISSION stay as they are. No input,
// or only PUBLIC ones, gives [PUBLIC]. REL TO lists with nothing in
// common give a REL TO naming nobody: the record is for no organisation
// (the demo user aside) until someone sanitises it.
func Combine(markings ...string) []string {
	var out []string
	var rel []string
	haveRel := false
	for _, m := range markings {
		pm, err := ParseMarking(m)
		switch {
		case err != nil:
			// Unreadable: keep it, so that the conjunction hides the
			// record as the marking itself would.
			out = appendOnce(out, m)
		case pm.Level == Public:
		case pm.Level == "REL TO" && !haveRel:
			rel, haveRel = slices.Clone(pm.RelTo), true
		case pm.Level == "REL TO":
			rel = slices.DeleteFunc(rel, func(c string) bool { return !slices.Contains(pm.RelTo, c) })
		default:
			out = appendOnce(out, pm.Level)
		}
	}
	if haveRel {
		slices.Sort(rel)
		rel = slices.Compact(rel)
		out = append(out, relTo+strings.Join(rel, ", "))
	}
	if len(out) == 0 {
		return []string{Public}
	}
	slices.Sort(out)
	return out
}

func appendOnce(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

// CanSeeAll reports whether the reader may see a record marked with every
// one of markings (a derived record's conjunction).
func (r Reader) CanSeeAll(markings []string) bool {
	for _, m := range markings {
		if m == relTo { // REL TO nobody
			if !r.All {
				return false
			}
			continue
		}
		if !r.CanSee(m) {
			return false
		}
	}
	return true
}
