package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/access"
)

// Release is a sanitised version of a derived record (an event, later an
// incident or a statistic), published under a marking of its own. A
// derived record carries the most restrictive marking of its inputs; an
// analyst who judges that less can be shown to more readers releases a
// new record, and the original keeps its marking (DESIGN.md, invariants 2
// and 4). A release is a human act: it names who made it and why
// (invariant 6).
type Release struct {
	Sequence int64
	ID       string // unique, chosen by whoever makes the release
	// Of names the released record as type/key: "event/ev-…".
	Of      string
	Marking string // the release's own marking, one valid marking
	// Document is the sanitised record, a JSON object; opaque to the
	// store beyond that.
	Document []byte
	By       string // the user who released it
	Org      string // the user's organisation, "" for none
	At       time.Time
	Reason   string
}

// ReleaseQuery selects releases. Zero fields do not filter.
type ReleaseQuery struct {
	// Markings restricts the result to releases whose marking the reader
	// may see; nil means no restriction (a trusted internal reader).
	Markings MarkingFilter
	After    int64  // the cursor: releases with Sequence > After
	Limit    int    // 0: no limit
	Of       string // releases of this record only
}

// maxReleaseID bounds a release's ID, which appears in paths and ledger
// keys.
const maxReleaseID = 128

// CheckRelease refuses a release the store must not keep: one it could
// not find again, show under a marking, or commit to the ledger.
func CheckRelease(r Release) error {
	typ, key, _ := strings.Cut(r.Of, "/")
	switch {
	case r.ID == "" || len(r.ID) > maxReleaseID || strings.ContainsAny(r.ID, "/?#% \t\r\n"):
		return fmt.Errorf("release %q: an id is 1 to %d characters without '/', '?', '#', '%%' or spaces", r.ID, maxReleaseID)
	case typ == "" || key == "":
		return fmt.Errorf("release %s: it must name what it releases as type/key, not %q", r.ID, r.Of)
	case r.By == "":
		return fmt.Errorf("release %s: no one made it", r.ID)
	case r.Sequence < 0:
		return fmt.Errorf("release %s: negative sequence %d", r.ID, r.Sequence)
	}
	// One valid marking: a conjunction or an unreadable marking would be
	// shown to fewer readers than the analyst meant, or to none.
	if _, err := access.ParseMarking(r.Marking); err != nil {
		return fmt.Errorf("release %s: %w", r.ID, err)
	}
	// The ledger commits the document inside the release's canonical
	// record, so it must be JSON; an object, so readers can rely on it.
	if !json.Valid(r.Document) || !bytes.HasPrefix(bytes.TrimSpace(r.Document), []byte("{")) {
		return fmt.Errorf("release %s: the document must be a JSON object", r.ID)
	}
	return nil
}

// SameRelease reports whether two releases have the same content as
// stored (times to the microsecond), whatever their sequences: a
// resubmission rather than a conflict.
func SameRelease(a, b Release) bool {
	return a.ID == b.ID && a.Of == b.Of && a.Marking == b.Marking && bytes.Equal(a.Document, b.Document) &&
		a.By == b.By && a.Org == b.Org && a.At.UnixMicro() == b.At.UnixMicro() && a.Reason == b.Reason
}
