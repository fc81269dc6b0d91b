package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/commission"
	"github.com/truce-mechanism/truce/guarantee"
	"github.com/truce-mechanism/truce/ledger"
	"github.com/truce-mechanism/truce/store"
)

// The Commission's and the guarantees' records are kept by the store as
// procedure records (store.ProcedureRecord): append-only, one kind per
// domain record, keyed so that the position of a new record is the
// optimistic lock on what it was checked against. A handler reads the
// records, folds them with the domain package, asks it whether the act is
// allowed, and appends the record at the next position: a concurrent act
// that got there first makes the append fail with a conflict (409), and
// nothing is half-stored. The ledger's procedure feed commits each record.

// Kinds of procedure records.
const (
	kindCaseAction    = "case_action"   // key: the case; seq: the action's position
	kindMotion        = "motion"        // a determination motion; key: its ID; seq 1
	kindVote          = "vote"          // key: the determination motion; seq: the vote's position
	kindDetermination = "determination" // key: ceasefireKey; seq: the determination's position
	kindRequest       = "request"       // key: guarantee.RequestingState; seq: the request's position
	kindMeasure       = "measure"       // key: the measure's ID; seq 1
	kindCommitment    = "commitment"    // key: the guarantor; seq: the commitment's position
	kindObligation    = "obligation"    // key: the obligation's ID; seq 1
	kindReport        = "report"        // key: the obligation; seq: the report's position
)

// ceasefireKey is the key the ceasefire's determinations are kept under.
const ceasefireKey = "ceasefire"

// maxProcedureBody bounds the body of a procedure request.
const maxProcedureBody = 256 << 10

// refusalTable is where the procedure's refusals become HTTP statuses, and
// nowhere else: who may act is 403, the state of the procedure 409, the
// rest 422.
var refusalTable = map[string]int{
	"commission/" + string(commission.RuleMembership):       http.StatusForbidden,
	"commission/" + string(commission.RuleAccusedParty):     http.StatusForbidden,
	"commission/" + string(commission.RuleProcedure):        http.StatusConflict,
	"commission/" + string(commission.RuleOneVote):          http.StatusConflict,
	"commission/" + string(commission.RuleVoteOpen):         http.StatusConflict,
	"commission/" + string(commission.RuleVoteClosed):       http.StatusConflict,
	"commission/" + string(commission.RuleQuorum):           http.StatusConflict,
	"commission/" + string(commission.RuleMajority):         http.StatusConflict,
	"commission/" + string(commission.RuleRightToReply):     http.StatusConflict,
	"commission/" + string(commission.RuleAgreementVersion): http.StatusConflict,
	"guarantee/" + string(guarantee.RuleAuthority):          http.StatusForbidden,
	"guarantee/" + string(guarantee.RuleStatus):             http.StatusConflict,
	"guarantee/" + string(guarantee.RuleDecision):           http.StatusConflict,
	"guarantee/" + string(guarantee.RuleRequest):            http.StatusConflict,
	"guarantee/" + string(guarantee.RuleCessation):          http.StatusConflict,
	"guarantee/" + string(guarantee.RuleOverdue):            http.StatusConflict,
}

// refusalTitles name the statuses of refusals.
var refusalTitles = map[int]string{
	http.StatusForbidden:           "Not yours to do",
	http.StatusConflict:            "Refused by the procedure",
	http.StatusUnprocessableEntity: "Invalid record",
}

// refusalProblem turns a refusal of the commission or guarantee package
// into a problem whose detail is the refusal's reason, and passes any
// other error through (a store conflict is a concurrent act: 409).
func refusalProblem(err error) error {
	var rule string
	var cr *commission.Refusal
	var gr *guarantee.Refusal
	switch {
	case errors.As(err, &cr):
		rule = "commission/" + string(cr.Rule)
	case errors.As(err, &gr):
		rule = "guarantee/" + string(gr.Rule)
	case errors.Is(err, store.ErrConflict):
		p := newProblem(codeConflict, "another record was stored at the same place in the procedure at the same moment; read it and try again")
		p.Title = "Concurrent change"
		return p
	default:
		return err
	}
	status, ok := refusalTable[rule]
	if !ok {
		status = http.StatusUnprocessableEntity
	}
	return &Problem{Type: problemTypeBase + "procedure/" + rule, Title: refusalTitles[status], Status: status, Detail: err.Error()}
}

// actor is who acts, as the domain packages record it.
func actor(rd access.Reader) commission.Actor {
	return commission.Actor{User: rd.Name, Org: rd.Org, Roles: append([]string(nil), rd.Roles...)}
}

// actingReader is the reader, when it is a user of an organisation: the
// procedure's acts are signed by a named user (invariant 6).
func (s *Server) actingReader(w http.ResponseWriter, r *http.Request) (access.Reader, bool) {
	rd := s.reader(r)
	if rd.Name == "" || rd.Org == "" || rd.All {
		s.writeProblem(w, r, newProblem(codeUnauthorized, "the Commission's and the guarantees' records are signed by a named user of an organisation: sign in or use a token"))
		return rd, false
	}
	if !rd.TokenAllows(access.Act) {
		s.writeProblem(w, r, newProblem(codeUnauthorized, "this token may not record the Commission's or the guarantees' acts: that needs a token with the scope \"act\" (truce token create --scope act)"))
		return rd, false
	}
	return rd, true
}

// actingWith is actingReader, then the body decoded into req: the start
// of every act.
func (s *Server) actingWith(w http.ResponseWriter, r *http.Request, req any) (access.Reader, bool) {
	rd, ok := s.actingReader(w, r)
	return rd, ok && s.decodeBody(w, r, req)
}

// decodeBody reads a JSON object into v, refusing unknown fields.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxProcedureBody))
	if err != nil {
		s.writeProblem(w, r, newProblem(codeTooLarge, fmt.Sprintf("the body is a JSON object of at most %d KiB", maxProcedureBody>>10)))
		return false
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		s.writeProblem(w, r, newProblem(codeMalformed, "the body must be a JSON object of the documented fields: "+err.Error()))
		return false
	}
	return true
}

// rulesNow is the agreement version in force now, or a 503 problem.
func (s *Server) agreementNow() (*agreement.Agreement, error) {
	if a := s.agreements.InForce(s.now()); a != nil {
		return a, nil
	}
	if all := s.agreements.All(); len(all) > 0 {
		return all[0], nil // before the first version's effective time: its rules, the ceasefire not yet in force
	}
	return nil, newProblem(codeUnavailable, "no agreement is loaded: the Commission and the guarantees run under one")
}

// procedureRecord wraps a domain record for the store.
func procedureRecord(kind, key string, seq int, marking string, by commission.Actor, doc any) (store.ProcedureRecord, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return store.ProcedureRecord{}, err
	}
	return store.ProcedureRecord{Kind: kind, Key: key, Seq: seq, Marking: marking, Document: b, By: by.User, Org: by.Org}, nil
}

// appendProcedure stores records in one transaction, stamped now, and
// audits each change.
func (s *Server) appendProcedure(ctx context.Context, rd access.Reader, action string, rs ...store.ProcedureRecord) ([]store.ProcedureRecord, error) {
	now := s.now()
	for i := range rs {
		if rs[i].At.IsZero() {
			rs[i].At = now
		}
	}
	stored, err := s.store.AppendProcedureRecords(ctx, rs)
	if err != nil {
		return nil, refusalProblem(err)
	}
	for _, r := range stored {
		s.audit.add(store.AuditEvent{At: now, Actor: rd.Name, Org: rd.Org, Token: rd.TokenID, Action: action,
			Target: "procedure/" + ledger.ProcedureKey(r), Detail: fmt.Sprintf("%s marked %s", r.Kind, r.Marking)})
	}
	s.published(stored)
	return stored, nil
}

// storeAct stores one act: the domain record doc at its place (kind, key,
// position), dated at (zero: now), signed by by; on a failure it answers
// the problem and returns false.
func (s *Server) storeAct(w http.ResponseWriter, r *http.Request, rd access.Reader, action, kind, key string, seq int, marking string, by commission.Actor, at time.Time, doc any) bool {
	rec, err := procedureRecord(kind, key, seq, marking, by, doc)
	if err == nil {
		rec.At = at
		_, err = s.appendProcedure(r.Context(), rd, action, rec)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return false
	}
	return true
}

// records reads every record of a kind (and key), unfiltered: the
// procedure is checked against the whole record, whoever asks.
func (s *Server) records(ctx context.Context, kind, key string) ([]store.ProcedureRecord, error) {
	return s.store.ProcedureRecords(ctx, store.ProcedureQuery{Kind: kind, Key: key})
}

// decodeRecords decodes the documents of records.
func decodeRecords[T any](rs []store.ProcedureRecord) ([]T, error) {
	out := make([]T, len(rs))
	for i, r := range rs {
		if err := json.Unmarshal(r.Document, &out[i]); err != nil {
			return nil, fmt.Errorf("procedure record %s: %w", ledger.ProcedureKey(r), err)
		}
	}
	return out, nil
}

// newRecordID is a fresh ID for a record: prefix and 16 hex digits.
// crypto/rand.Read cannot fail (since Go 1.24 it never returns an error).
func newRecordID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

// listProcedureRecords serves GET /api/v1/procedure-records: every
// procedure record the reader may see, exactly as the ledger committed
// it, in sequence order (what `truce verify --all` checks).
func (s *Server) listProcedureRecords(w http.ResponseWriter, r *http.Request) {
	after, limit, ok := s.sequencePage(w, r)
	if !ok {
		return
	}
	rs, err := s.store.ProcedureRecords(r.Context(), store.ProcedureQuery{After: after, Limit: limit, Markings: s.markingFilter(r)})
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	page := struct {
		Records []json.RawMessage `json:"records"`
		Next    int64             `json:"next_after,omitempty"`
	}{Records: []json.RawMessage{}}
	for _, rec := range rs {
		b, err := ledger.ProcedureRecord(rec)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		noteRead(r, "procedure/"+ledger.ProcedureKey(rec), rec.Marking)
		page.Records = append(page.Records, b)
	}
	if len(rs) == limit && limit > 0 {
		page.Next = rs[len(rs)-1].Sequence
	}
	writeJSON(w, http.StatusOK, page)
}

// markingFilter is the store filter for the reader: nil (everything) for
// the demo user, its CanSee otherwise.
func (s *Server) markingFilter(r *http.Request) store.MarkingFilter {
	rd := s.reader(r)
	if rd.All {
		return nil
	}
	return rd.CanSee
}
