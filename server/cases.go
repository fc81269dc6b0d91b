package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/commission"
	"github.com/truce-mechanism/truce/store"
)

// A case is the fold of its actions (commission.Fold), each a procedure
// record with its own marking. The procedure is checked against every
// action, whoever asks; a reader is shown the actions it may see, and a
// case none of whose actions it may see does not exist for it (404). The
// accused party's liaison so sees the notice — released to it — and its
// own reply, not the Commission's deliberation.

// CaseView is a case as one reader is shown it.
type CaseView struct {
	ID      string           `json:"id"`
	Accused string           `json:"accused"`
	Status  commission.State `json:"status"`
	Round   int              `json:"round"`
	// ReplyDeadline is the current notice's deadline, when the reader
	// sees the notice.
	ReplyDeadline *time.Time `json:"reply_deadline,omitempty"`
	// Complete is true when the reader sees every action; only then is
	// the folded case (votes, findings, remedies) shown.
	Complete bool                `json:"complete"`
	Case     *commission.Case    `json:"case,omitempty"`
	Actions  []commission.Action `json:"actions"`
}

// loadCase reads and folds a case under the agreement version it was
// opened under.
func (s *Server) loadCase(ctx context.Context, id string) (commission.Case, commission.Rules, error) {
	recs, err := s.records(ctx, kindCaseAction, id)
	if err != nil {
		return commission.Case{}, commission.Rules{}, err
	}
	if len(recs) == 0 {
		return commission.Case{}, commission.Rules{}, newProblem(codeNotFound, "no case "+id)
	}
	return s.foldCase(id, recs)
}

// foldCase folds a case's records (in their order) under the agreement
// version it was opened under.
func (s *Server) foldCase(id string, recs []store.ProcedureRecord) (commission.Case, commission.Rules, error) {
	actions, err := decodeRecords[commission.Action](recs)
	if err != nil {
		return commission.Case{}, commission.Rules{}, err
	}
	op := actions[0].Opening
	if op == nil {
		return commission.Case{}, commission.Rules{}, newProblem(codeIntegrity, "case "+id+" does not begin with its opening")
	}
	a := s.agreements.Get(op.Agreement, op.Version)
	if a == nil {
		return commission.Case{}, commission.Rules{}, newProblem(codeUnavailable, "case "+id+" runs under an agreement version this server has not loaded")
	}
	rules := commission.RulesFrom(a)
	c, err := commission.Fold(rules, id, actions)
	if err != nil {
		return commission.Case{}, commission.Rules{}, err
	}
	return c, rules, nil
}

type caseAndRules struct {
	c     commission.Case
	rules commission.Rules
}

// allCases folds every case from one read of the case actions, in the
// order the cases were opened (one query, not one per case).
func (s *Server) allCases(ctx context.Context) ([]caseAndRules, error) {
	recs, err := s.records(ctx, kindCaseAction, "")
	if err != nil {
		return nil, err
	}
	var ids []string
	byCase := map[string][]store.ProcedureRecord{}
	for _, r := range recs {
		if byCase[r.Key] == nil {
			ids = append(ids, r.Key)
		}
		byCase[r.Key] = append(byCase[r.Key], r) // sequence order is each case's Seq order
	}
	out := make([]caseAndRules, 0, len(ids))
	for _, id := range ids {
		c, rules, err := s.foldCase(id, byCase[id])
		if err != nil {
			return nil, err
		}
		out = append(out, caseAndRules{c, rules})
	}
	return out, nil
}

// viewCase is the case as rd may see it; ok is false when rd may see
// none of it.
func viewCase(c commission.Case, rd access.Reader, now time.Time) (CaseView, bool) {
	v := CaseView{ID: c.ID, Accused: c.Accused, Status: c.Status(now), Round: c.Round, Actions: []commission.Action{}}
	for _, a := range c.Actions {
		if !rd.CanSee(a.Marking) {
			continue
		}
		v.Actions = append(v.Actions, a)
		if a.Notice != nil && a.Notice.Round == c.Round {
			d := a.Notice.Deadline
			v.ReplyDeadline = &d
		}
	}
	if len(v.Actions) == 0 {
		return v, false
	}
	if len(v.Actions) == len(c.Actions) {
		v.Complete = true
		v.Case = &c
	}
	return v, true
}

// openCaseRequest is the body of POST /api/v1/cases.
type openCaseRequest struct {
	Accused   string   `json:"accused"`
	Events    []string `json:"events"`
	Incidents []string `json:"incidents"`
	Rule      string   `json:"rule"`
	Severity  string   `json:"severity"`
	Summary   string   `json:"summary"`
	// Marking defaults to COMMISSION.
	Marking string `json:"marking"`
}

// postCase opens a case: a commissioner of a voting member citing
// events and incidents.
func (s *Server) postCase(w http.ResponseWriter, r *http.Request) {
	var req openCaseRequest
	rd, ok := s.actingWith(w, r, &req)
	if !ok {
		return
	}
	a, err := s.agreementNow()
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if req.Marking == "" {
		req.Marking = access.Commission
	}
	id := newRecordID("case")
	now := s.now()
	c, err := commission.Open(commission.RulesFrom(a), id, commission.Action{Kind: commission.KindOpened, At: now, By: actor(rd), Marking: req.Marking,
		Opening: &commission.Opening{Accused: req.Accused, Events: req.Events, Incidents: req.Incidents, Rule: req.Rule, Severity: req.Severity, Summary: req.Summary}})
	if err != nil {
		s.writeProblem(w, r, refusalProblem(err))
		return
	}
	var bad []FieldProblem
	for i, ev := range req.Events {
		_, found, err := s.releasableEvent(r, rd, ev)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		if !found {
			bad = append(bad, FieldProblem{Pointer: "/events/" + strconv.Itoa(i), Detail: "no event " + ev + " that you may see"})
		}
	}
	if len(bad) > 0 {
		p := newProblem(codeInvalid, "a case cites events its opener may see")
		p.Title, p.Errors = "Invalid case", bad
		s.writeProblem(w, r, p)
		return
	}
	if !s.storeCaseAction(w, r, rd, c.Actions[0]) {
		return
	}
	v, _ := viewCase(c, rd, now)
	w.Header().Set("Location", "/api/v1/cases/"+id)
	writeJSON(w, http.StatusCreated, v)
}

// storeCaseAction appends an action Apply accepted at its position.
func (s *Server) storeCaseAction(w http.ResponseWriter, r *http.Request, rd access.Reader, a commission.Action) bool {
	return s.storeAct(w, r, rd, "case", kindCaseAction, a.Case, a.Seq, a.Marking, a.By, a.At, a)
}

// listCases lists the cases the reader sees something of, in the order
// they were opened.
func (s *Server) listCases(w http.ResponseWriter, r *http.Request) {
	rd := s.reader(r)
	cases, err := s.allCases(r.Context())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out := []CaseView{}
	for _, cr := range cases {
		if v, ok := viewCase(cr.c, rd, s.now()); ok {
			noteRead(r, "case/"+cr.c.ID, access.Commission)
			out = append(out, v)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": out})
}

// getCase shows one case as the reader may see it.
func (s *Server) getCase(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, _, err := s.loadCase(r.Context(), id)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	v, ok := viewCase(c, s.reader(r), s.now())
	if !ok {
		s.writeProblem(w, r, newProblem(codeNotFound, "no case "+id))
		return
	}
	noteRead(r, "case/"+id, access.Commission)
	writeJSON(w, http.StatusOK, v)
}

// caseActionRequest is the body of POST /api/v1/cases/{id}/actions: the
// action's name and its payload, under the field of the same name. The
// payloads are the commission package's; the fields it fills (deadlines,
// tallies, rounds) are its own, whatever was sent.
type caseActionRequest struct {
	Action string `json:"action"`
	// Marking defaults to a release to the accused party and the
	// Commission's members for a notice and a reply, and to COMMISSION
	// for the rest.
	Marking    string                           `json:"marking"`
	Notify     *commission.Notice               `json:"notify"`
	Reply      *commission.Reply                `json:"reply"`
	Motion     *commission.Motion               `json:"motion"`
	Vote       *commission.Vote                 `json:"vote"`
	Finding    *commission.Finding              `json:"finding"`
	Remedy     *commission.Order                `json:"remedy"`
	Compliance *commission.ComplianceReport     `json:"compliance"`
	Assessment *commission.ComplianceAssessment `json:"assessment"`
	Close      *commission.Closing              `json:"close"`
	Reopen     *commission.Reopening            `json:"reopen"`
}

// caseActions names the actions the API takes, and their kinds.
var caseActions = map[string]commission.Kind{
	"notify": commission.KindNotified, "reply": commission.KindReplied, "motion": commission.KindMotion,
	"vote": commission.KindVote, "finding": commission.KindFinding, "remedy": commission.KindRemedy,
	"compliance": commission.KindComplianceReported, "assessment": commission.KindComplianceAssessed,
	"close": commission.KindClosed, "reopen": commission.KindReopened,
}

// releasedToParty is the marking of what the accused party is sent and
// sends: the party and the Commission's voting members (not the other
// party, which sits without a vote unless the agreement says otherwise).
func releasedToParty(rules commission.Rules, party string) string {
	orgs := []string{party}
	for _, org := range rules.Voting() {
		if !slices.Contains(orgs, org) {
			orgs = append(orgs, org)
		}
	}
	return "REL TO " + strings.Join(orgs, ", ")
}

// postCaseAction takes one action on a case.
func (s *Server) postCaseAction(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var req caseActionRequest
	rd, ok := s.actingWith(w, r, &req)
	if !ok {
		return
	}
	c, rules, err := s.loadCase(r.Context(), id)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	now := s.now()
	if _, ok := viewCase(c, rd, now); !ok {
		s.writeProblem(w, r, newProblem(codeNotFound, "no case "+id))
		return
	}
	kind, known := caseActions[req.Action]
	if !known {
		p := newProblem(codeInvalid, "the action is one of notify, reply, motion, vote, finding, remedy, compliance, assessment, close, reopen")
		p.Title = "Invalid action"
		p.Errors = []FieldProblem{{Pointer: "/action", Detail: "not " + `"` + req.Action + `"`}}
		s.writeProblem(w, r, p)
		return
	}
	if req.Marking == "" {
		req.Marking = access.Commission
		if kind == commission.KindNotified || kind == commission.KindReplied {
			req.Marking = releasedToParty(rules, c.Accused)
		}
	}
	a := commission.Action{Kind: kind, At: now, By: actor(rd), Marking: req.Marking,
		Notice: req.Notify, Reply: req.Reply, Motion: req.Motion, Vote: req.Vote, Finding: req.Finding, Order: req.Remedy,
		Compliance: req.Compliance, Assessment: req.Assessment, Closing: req.Close, Reopening: req.Reopen}
	next, stored, err := commission.Apply(rules, c, a)
	if err != nil {
		s.writeProblem(w, r, refusalProblem(err))
		return
	}
	if stored.Notice != nil && !s.checkReleasable(w, r, c.Accused, stored.Notice.Evidence) {
		return
	}
	if !s.storeCaseAction(w, r, rd, stored) {
		return
	}
	v, _ := viewCase(next, rd, now)
	writeJSON(w, http.StatusCreated, map[string]any{"action": stored, "case": v})
}

// checkReleasable checks that each piece of evidence sent to the accused
// party with its notice is releasable to it: an event ("event/<id>") or a
// release ("release/<id>") the party's liaison may see. Otherwise it
// answers 422 naming each piece, and the notice is not sent.
func (s *Server) checkReleasable(w http.ResponseWriter, r *http.Request, party string, evidence []string) bool {
	org, err := s.store.Organisation(r.Context(), party)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.writeProblem(w, r, err)
		return false
	}
	liaison := access.Reader{Name: "liaison of " + party, Org: party, OrgKind: org.Kind, Commission: org.Commission, Roles: []string{access.RoleLiaison}}
	var bad []FieldProblem
	for i, ref := range evidence {
		typ, id, _ := strings.Cut(ref, "/")
		ok := false
		switch typ {
		case "event":
			_, found, err := s.releasableEvent(r, liaison, id)
			if err != nil {
				s.writeProblem(w, r, err)
				return false
			}
			ok = found
		case "release":
			rel, err := s.store.Release(r.Context(), id)
			switch {
			case err == nil:
				ok = liaison.CanSee(rel.Marking)
			case !errors.Is(err, store.ErrNotFound):
				s.writeProblem(w, r, err)
				return false
			}
		}
		if !ok {
			bad = append(bad, FieldProblem{Pointer: "/notify/Evidence/" + strconv.Itoa(i),
				Detail: fmt.Sprintf("%q is not an event or release releasable to %s; release a sanitised version to it first", ref, party)})
		}
	}
	if len(bad) > 0 {
		p := newProblem(codeInvalid, "the evidence sent with a notice must be releasable to the accused party")
		p.Title, p.Errors = "Evidence not releasable", bad
		s.writeProblem(w, r, p)
		return false
	}
	return true
}
