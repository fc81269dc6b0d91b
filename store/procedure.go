package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/access"
)

// ProcedureRecord is one record of the Commission's and the guarantees'
// procedures: an action on a case, a motion or vote on a determination, a
// determination, Ukraine's request, a reassurance measure, a commitment,
// an obligation, a report. The store keeps them append-only, keyed by
// (Kind, Key, Seq), and knows nothing of their content: the domain
// packages (commission.Fold, guarantee.Track, …) rebuild the state from
// the records, checking every one against the procedure again.
type ProcedureRecord struct {
	// Sequence is the store's, gap-free in commit order: the ledger's feed.
	Sequence int64
	// Kind names the kind of record ("case_action", "determination", …).
	Kind string
	// Key names what the record belongs to: a case's ID for its actions,
	// the record's own ID for the others.
	Key string
	// Seq is the record's 1-based position under (Kind, Key). A second
	// record at the same position is ErrConflict: two users acting on one
	// case at once cannot both be its next action.
	Seq     int
	Marking string
	// Document is the record as the domain package gives it, a JSON object.
	Document []byte
	By       string // the user who made it
	Org      string // the user's organisation, "" for the mechanism
	At       time.Time
}

// ProcedureQuery selects procedure records. Zero fields do not filter.
type ProcedureQuery struct {
	Kind string
	Key  string
	// Markings restricts the result to records whose marking the reader
	// may see; nil means no restriction (a trusted internal reader, such
	// as the fold that checks a new action against the whole case).
	Markings MarkingFilter
	After    int64 // the cursor: records with Sequence > After
	Limit    int   // 0: no limit
}

// maxProcedureName bounds a kind or key, which appear in paths and
// ledger keys.
const maxProcedureName = 200

// CheckProcedureRecord refuses a record the store must not keep.
func CheckProcedureRecord(r ProcedureRecord) error {
	name := r.Kind + "/" + r.Key
	switch {
	case r.Kind == "" || len(r.Kind) > maxProcedureName || strings.ContainsAny(r.Kind, "/?#% \t\r\n"):
		return fmt.Errorf("procedure record %q: a kind is 1 to %d characters without '/', '?', '#', '%%' or spaces", r.Kind, maxProcedureName)
	case r.Key == "" || len(r.Key) > maxProcedureName || strings.ContainsAny(r.Key, "?#% \t\r\n"):
		return fmt.Errorf("procedure record %s: a key is 1 to %d characters without '?', '#', '%%' or spaces", name, maxProcedureName)
	case r.Seq < 1:
		return fmt.Errorf("procedure record %s: positions start at 1, not %d", name, r.Seq)
	case r.By == "":
		return fmt.Errorf("procedure record %s/%d: no one made it", name, r.Seq)
	case r.At.IsZero():
		return fmt.Errorf("procedure record %s/%d: no time", name, r.Seq)
	case r.Sequence < 0:
		return fmt.Errorf("procedure record %s/%d: negative sequence %d", name, r.Seq, r.Sequence)
	}
	if _, err := access.ParseMarking(r.Marking); err != nil {
		return fmt.Errorf("procedure record %s/%d: %w", name, r.Seq, err)
	}
	if !json.Valid(r.Document) || !bytes.HasPrefix(bytes.TrimSpace(r.Document), []byte("{")) {
		return fmt.Errorf("procedure record %s/%d: the document must be a JSON object", name, r.Seq)
	}
	return nil
}

// SameProcedureRecord reports whether two records have the same content
// as stored (times to the microsecond), whatever their sequences.
func SameProcedureRecord(a, b ProcedureRecord) bool {
	return a.Kind == b.Kind && a.Key == b.Key && a.Seq == b.Seq && a.Marking == b.Marking &&
		bytes.Equal(a.Document, b.Document) && a.By == b.By && a.Org == b.Org && a.At.UnixMicro() == b.At.UnixMicro()
}
