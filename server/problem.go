package server

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/truce-mechanism/truce/store"
)

// Problem is an RFC 9457 problem document. Errors names each bad field of
// a rejected request so a sender can fix all of them in one go.
type Problem struct {
	Type     string         `json:"type"`
	Title    string         `json:"title"`
	Status   int            `json:"status"`
	Detail   string         `json:"detail,omitempty"`
	Instance string         `json:"instance,omitempty"`
	Errors   []FieldProblem `json:"errors,omitempty"`
	// Conflicts lists the keys whose stored content differs (409).
	Conflicts []ConflictKey `json:"conflicts,omitempty"`
	// Withdrawals are the withdrawals of a withheld record (410).
	Withdrawals []json.RawMessage `json:"withdrawals,omitempty"`
}

// FieldProblem is one bad field: where it is and what is wrong with it.
type FieldProblem struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
	// Index is the document's position in the batch (0-based).
	Index int `json:"index"`
	// Line (NDJSON, JSON text) or Row (CSV, 1-based data rows), when known.
	Line int `json:"line,omitempty"`
	Row  int `json:"row,omitempty"`
}

// ConflictKey is one (source, id) whose stored content differs.
type ConflictKey struct {
	Index  int    `json:"index"`
	Source string `json:"source"`
	ID     string `json:"id"`
}

// code is the small set of failure kinds the API knows; the HTTP status
// and the problem type come from the table below and nowhere else.
type code string

const (
	codeInvalid      code = "invalid"        // documents violate the schema
	codeMalformed    code = "malformed"      // not parseable at all
	codeTooLarge     code = "too-large"      // body or batch over the limits
	codeUnsupported  code = "unsupported"    // media type we do not read
	codeConflict     code = "conflict"       // different content under a key
	codeNotFound     code = "not-found"      // no such record (or not visible)
	codeUnauthorized code = "unauthorized"   // anonymous write
	codeBadQuery     code = "bad-query"      // query parameters we cannot use
	codeUnavailable  code = "unavailable"    // store down
	codeInternal     code = "internal"       // a bug or a foreign error
	codeUnknownSrc   code = "source-refused" // unregistered, another organisation's, or badly signed
	codeNotYet       code = "not-yet"        // stored, but its ledger proof is not ready
	codeIntegrity    code = "integrity"      // a stored record differs from what the ledger committed
	codeWithheld     code = "withheld"       // a withdrawal withholds the record's content
	codeThrottled    code = "throttled"      // too many failed logins
	codeCrossOrigin  code = "cross-origin"   // an unsafe request another site made a browser send
)

var problemTable = map[code]struct {
	status int
	title  string
}{
	codeInvalid:      {http.StatusUnprocessableEntity, "Invalid observation"},
	codeMalformed:    {http.StatusBadRequest, "Malformed request body"},
	codeTooLarge:     {http.StatusRequestEntityTooLarge, "Request too large"},
	codeUnsupported:  {http.StatusUnsupportedMediaType, "Unsupported media type"},
	codeConflict:     {http.StatusConflict, "Different content under an existing (source, id)"},
	codeNotFound:     {http.StatusNotFound, "Not found"},
	codeUnauthorized: {http.StatusUnauthorized, "Authentication required"},
	codeBadQuery:     {http.StatusBadRequest, "Bad query"},
	codeUnavailable:  {http.StatusServiceUnavailable, "Service unavailable"},
	codeInternal:     {http.StatusInternalServerError, "Internal error"},
	codeUnknownSrc:   {http.StatusUnprocessableEntity, "Source refused"},
	codeNotYet:       {http.StatusServiceUnavailable, "Not yet in a published checkpoint"},
	codeIntegrity:    {http.StatusInternalServerError, "Stored record differs from the ledger"},
	codeWithheld:     {http.StatusGone, "Withdrawn; content withheld"},
	codeThrottled:    {http.StatusTooManyRequests, "Too many attempts"},
	codeCrossOrigin:  {http.StatusForbidden, "Cross-origin request refused"},
}

// problemTypeBase prefixes problem types; the documents live in docs/.
const problemTypeBase = "https://truce.invalid/problems/"

func newProblem(c code, detail string) *Problem {
	row, ok := problemTable[c]
	if !ok {
		row = problemTable[codeInternal]
		c = codeInternal
	}
	return &Problem{Type: problemTypeBase + string(c), Title: row.title, Status: row.status, Detail: detail}
}

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

// writeProblem sends p. Anything that is not a *Problem becomes an internal
// error: logged in full, shown to the caller only as "internal error", so
// foreign error text (SQL, file paths) never leaks.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	var p *Problem
	switch {
	case errors.As(err, &p):
	case errors.Is(err, store.ErrNotFound):
		p = newProblem(codeNotFound, "no such record")
	default:
		s.log.ErrorContext(r.Context(), "request failed", slog.String("path", r.URL.Path), slog.Any("err", err))
		p = newProblem(codeInternal, "internal error; the operator has the details in the log")
	}
	p.Instance = r.URL.Path
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
