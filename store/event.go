package store

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// EventRecord is one version of a fused event as the store keeps it. The
// store knows events only through these fields: the event itself (its
// reports, estimates, covariance) is in Document, rendered by the server;
// the other fields are copies for selection, ordering and recovery.
//
// Versions are records of their own (DESIGN.md, invariant 2): a new
// version never replaces an older one, and the latest — the highest
// Version stored under an ID — is the one lists and Event show.
type EventRecord struct {
	ID      string
	Version int // from 1
	// Start and End bound the event in time; queries select on Start.
	Start, End time.Time
	Kind       string
	// Lat and Lon are the estimated location, both nil when the event is
	// not located (a bbox never selects it then).
	Lat, Lon *float64
	// Marking is the conjunction of the event's reports' markings
	// (access.Combine) in one string, as JoinMarkings writes it. A reader
	// sees the event only if it may see every marking of the conjunction.
	Marking string
	// Document is the event's canonical JSON as the server renders it;
	// opaque to the store.
	Document []byte
	// Sequence is the highest observation sequence fused into this
	// version: where a restarted fusion takes up the feed. Versions share
	// it (several are made from one report), so it cannot order them.
	Sequence int64
	// Recorded is the version's place in the order the store kept
	// versions in: 1, 2, 3… without gaps, given when the version is
	// first stored, never again on a replay. It is the sequence the
	// ledger commits event versions in (EventVersionsAfter). PutEvents
	// ignores it; it is not content (SameEvent leaves it out).
	Recorded int64
	// Tentative marks a version that rests on one source's report of a
	// class that source's reports are seldom corroborated in (thunder or
	// quarry blasting heard by an acoustic array): fusion's judgement that
	// it is probably a false alarm. It is content like any other field,
	// and lists show such an event only when a reader asks
	// (EventQuery.Tentative).
	Tentative bool
}

// EventQuery selects events: the latest version of each, with the filters
// of ObservationQuery. Zero fields do not filter.
type EventQuery struct {
	Since, Until time.Time // on Start: Since <= Start < Until
	// BBox selects located events whose location is in the box; nil means
	// everywhere. West > east crosses the antimeridian; edges are inclusive.
	BBox *BBox
	// Kinds selects events of these kinds; nil: any, empty: none.
	Kinds []string
	// Markings is asked about each marking of an event's conjunction; the
	// event is returned only when it allows every one. nil means no
	// restriction (a trusted internal reader).
	Markings MarkingFilter
	// Tentative selects on the latest version's Tentative: nil selects
	// every event, a pointer to false only the events fusion takes for
	// real, a pointer to true only the probable false alarms.
	Tentative *bool
	Limit     int // 0: no limit
	// After is the cursor: the Start (in ObservedAt) and ID of the last
	// event of the previous page, in (Start, ID) order, IDs compared
	// bytewise. Paging is stable for events whose latest version does not
	// change while it runs; a new version that moves an event's Start
	// across the cursor may make it missed or read twice, as a new
	// version is a new record.
	After *Cursor
}

// MarkingSeparator joins the markings of a conjunction in EventRecord's
// Marking. No marking contains it: the intake grammar (PUBLIC, MISSION,
// COMMISSION, REL TO A, B) has no '/'. The releasability banners the
// markings follow separate their parts with "//" too.
const MarkingSeparator = "//"

// UnreadableMarking stands, in a joined conjunction, for a marking that
// itself contains the separator. Such a marking was never valid, so
// access's readers refuse it (only a reader who sees everything sees it);
// splitting it instead might leave parts that each look harmless. The
// stand-in is refused the same way.
const UnreadableMarking = "UNREADABLE MARKING"

// JoinMarkings is how a derived record's marking conjunction (as
// access.Combine gives it) is kept in one string. The order is kept: a
// canonical conjunction gives a canonical string.
func JoinMarkings(markings []string) string {
	parts := make([]string, len(markings))
	for i, m := range markings {
		if m == "" || strings.Contains(m, "/") {
			m = UnreadableMarking
		}
		parts[i] = m
	}
	return strings.Join(parts, MarkingSeparator)
}

// SplitMarkings reverses JoinMarkings; "" is no marking at all.
func SplitMarkings(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, MarkingSeparator)
}

// ConjunctionFilter is the filter an event's joined marking must pass:
// every marking of the conjunction must pass f. It asks f about each
// distinct marking once, whatever the number of conjunctions it is asked
// about, so f may be as rich as access control needs.
func ConjunctionFilter(f MarkingFilter) MarkingFilter {
	seen := map[string]bool{}
	return func(joined string) bool {
		parts := SplitMarkings(joined)
		if len(parts) == 0 {
			return false // unmarked: never stored, refused if it were
		}
		for _, m := range parts {
			ok, asked := seen[m]
			if !asked {
				ok = f(m)
				seen[m] = ok
			}
			if !ok {
				return false
			}
		}
		return true
	}
}

// CheckEvent refuses a version the store must not keep: one it could not
// find again, order or filter correctly.
func CheckEvent(e EventRecord) error {
	loc := func(v *float64, limit float64) bool {
		return v != nil && !math.IsNaN(*v) && *v >= -limit && *v <= limit
	}
	switch {
	case e.ID == "":
		return fmt.Errorf("an event version needs an id")
	case e.Version < 1:
		return fmt.Errorf("event %s: version %d; versions count from 1", e.ID, e.Version)
	case e.Start.IsZero() || e.End.Before(e.Start):
		return fmt.Errorf("event %s version %d: start %v and end %v must be set, the end not before the start", e.ID, e.Version, e.Start, e.End)
	case e.Kind == "":
		return fmt.Errorf("event %s version %d: no kind", e.ID, e.Version)
	case (e.Lat == nil) != (e.Lon == nil):
		return fmt.Errorf("event %s version %d: a location needs both lat and lon", e.ID, e.Version)
	case e.Lat != nil && (!loc(e.Lat, 90) || !loc(e.Lon, 180)):
		return fmt.Errorf("event %s version %d: location %v, %v is not a WGS 84 latitude and longitude", e.ID, e.Version, *e.Lat, *e.Lon)
	case len(e.Document) == 0:
		return fmt.Errorf("event %s version %d: no document", e.ID, e.Version)
	case e.Sequence < 0:
		return fmt.Errorf("event %s version %d: negative sequence %d", e.ID, e.Version, e.Sequence)
	}
	// An empty marking, or an empty part of one, would be a conjunction
	// with a hole: refused rather than read as less than it says.
	parts := SplitMarkings(e.Marking)
	if len(parts) == 0 {
		return fmt.Errorf("event %s version %d: no marking", e.ID, e.Version)
	}
	for _, p := range parts {
		if p == "" {
			return fmt.Errorf("event %s version %d: marking %q has an empty part", e.ID, e.Version, e.Marking)
		}
	}
	return nil
}

// SameEvent reports whether two versions have the same content as stored
// (times to the microsecond): a resubmission rather than a conflict.
// Recorded is the store's, not the content's, and is not compared.
func SameEvent(a, b EventRecord) bool {
	sameFloat := func(x, y *float64) bool { return (x == nil && y == nil) || (x != nil && y != nil && *x == *y) }
	return a.ID == b.ID && a.Version == b.Version &&
		a.Start.UnixMicro() == b.Start.UnixMicro() && a.End.UnixMicro() == b.End.UnixMicro() &&
		a.Kind == b.Kind && sameFloat(a.Lat, b.Lat) && sameFloat(a.Lon, b.Lon) &&
		a.Marking == b.Marking && bytes.Equal(a.Document, b.Document) && a.Sequence == b.Sequence &&
		a.Tentative == b.Tentative
}

// EventConflictError names the versions of a PutEvents batch stored with
// other content (or sent twice with different content). The whole batch
// was rejected.
type EventConflictError struct {
	// Versions are the conflicting (ID, Version) pairs, in batch order.
	Versions []EventVersionKey
	// Indexes are their positions in the batch.
	Indexes []int
}

// EventVersionKey is the key of an event version.
type EventVersionKey struct {
	ID      string
	Version int
}

func (e *EventConflictError) Error() string {
	var b strings.Builder
	b.WriteString("conflict: other content under an existing event version:")
	for i, k := range e.Versions {
		if i == 5 {
			fmt.Fprintf(&b, " and %d more", len(e.Versions)-i)
			break
		}
		fmt.Fprintf(&b, " %s v%d", k.ID, k.Version)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *EventConflictError) Is(target error) bool { return target == ErrConflict }

// NewEventConflictError names the versions at the given batch positions.
func NewEventConflictError(versions []EventRecord, positions []int) *EventConflictError {
	positions = slices.Clone(positions)
	slices.Sort(positions)
	positions = slices.Compact(positions)
	ce := &EventConflictError{Indexes: positions}
	for _, i := range positions {
		ce.Versions = append(ce.Versions, EventVersionKey{ID: versions[i].ID, Version: versions[i].Version})
	}
	return ce
}

// DistinctEventVersions is how adapters treat a batch that names a version
// twice: fresh are the positions of each (ID, Version)'s first occurrence,
// conflicts those of later occurrences with other content (the same
// content again is a resubmission within the batch).
func DistinctEventVersions(versions []EventRecord) (fresh, conflicts []int) {
	first := make(map[EventVersionKey]int, len(versions))
	for i := range versions {
		k := EventVersionKey{ID: versions[i].ID, Version: versions[i].Version}
		if j, ok := first[k]; ok {
			if !SameEvent(versions[j], versions[i]) {
				conflicts = append(conflicts, i)
			}
			continue
		}
		first[k] = i
		fresh = append(fresh, i)
	}
	return fresh, conflicts
}

// NewestEventVersions returns, among the batch positions given, that of
// each event's highest version, in the order of the events' first
// appearance: only it can become the event's latest, and one row per event
// keeps an upsert from touching a row twice (PostgreSQL refuses that).
func NewestEventVersions(versions []EventRecord, positions []int) []int {
	at := map[string]int{} // id → index into out
	var out []int
	for _, i := range positions {
		j, ok := at[versions[i].ID]
		switch {
		case !ok:
			at[versions[i].ID] = len(out)
			out = append(out, i)
		case versions[i].Version > versions[out[j]].Version:
			out[j] = i
		}
	}
	return out
}
