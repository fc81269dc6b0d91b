package server

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/commission"
	"github.com/truce-mechanism/truce/guarantee"
	"github.com/truce-mechanism/truce/store"
)

// The guarantees as the API serves them: the ceasefire's status and the
// indicators beside it, determinations resting on Commission votes,
// Ukraine's requests and the Multinational Force's reassurance measures,
// commitments and the obligations their triggers create. Every record is
// a procedure record with a marking; a status or list is computed from
// the records the reader may see, so it never reveals one it may not.

// guaranteeRecords are every record of the guarantees, unfiltered, in
// record order, and their markings by ID.
type guaranteeRecords struct {
	rules       guarantee.Rules
	dets        []guarantee.Determination
	reqs        []guarantee.Request
	measures    []guarantee.Measure
	commitments []guarantee.Commitment
	obligations []guarantee.Obligation
	reports     []guarantee.Report
	// next are the next positions under each (kind, key).
	next map[string]int
}

func (g *guaranteeRecords) position(kind, key string) int { return g.next[kind+"/"+key] + 1 }

// loadGuarantees reads the guarantees' records.
func (s *Server) loadGuarantees(ctx context.Context) (*guaranteeRecords, error) {
	a, err := s.agreementNow()
	if err != nil {
		return nil, err
	}
	g := &guaranteeRecords{rules: guarantee.RulesFrom(a), next: map[string]int{}}
	for _, kind := range []string{kindDetermination, kindRequest, kindMeasure, kindCommitment, kindObligation, kindReport} {
		recs, err := s.records(ctx, kind, "")
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			if k := kind + "/" + rec.Key; rec.Seq > g.next[k] {
				g.next[k] = rec.Seq
			}
		}
		switch kind {
		case kindDetermination:
			g.dets, err = decodeRecords[guarantee.Determination](recs)
		case kindRequest:
			g.reqs, err = decodeRecords[guarantee.Request](recs)
		case kindMeasure:
			g.measures, err = decodeRecords[guarantee.Measure](recs)
		case kindCommitment:
			g.commitments, err = decodeRecords[guarantee.Commitment](recs)
		case kindObligation:
			g.obligations, err = decodeRecords[guarantee.Obligation](recs)
		case kindReport:
			g.reports, err = decodeRecords[guarantee.Report](recs)
		}
		if err != nil {
			return nil, err
		}
	}
	return g, nil
}

// visible keeps the records rd may see.
func visible[T any](rd access.Reader, all []T, marking func(T) string) []T {
	out := []T{}
	for _, x := range all {
		if rd.CanSee(marking(x)) {
			out = append(out, x)
		}
	}
	return out
}

func detMarking(d guarantee.Determination) string { return d.Marking }

// indicatorsAt are the indicators the software shows beside a
// determination at t, computed from the verified violations and the
// coverage rd may see (indicators.go). A day nobody could see counts as
// unseen, never as quiet ("no report" is never "no violation").
func (s *Server) indicatorsAt(ctx context.Context, rd access.Reader, r guarantee.Rules, t time.Time) (guarantee.Indicators, error) {
	counts, seen, err := s.indicatorInputs(ctx, rd, r, t)
	if err != nil {
		return guarantee.Indicators{}, err
	}
	return guarantee.Compute(r, counts, seen, t), nil
}

// CeasefireView is GET /api/v1/ceasefire.
type CeasefireView struct {
	Status        guarantee.Status         `json:"status"`
	Phrase        string                   `json:"phrase"`
	Determination *guarantee.Determination `json:"determination,omitempty"`
	Indicators    guarantee.Indicators     `json:"indicators"`
	// Prompts say when the computed criteria are met and a human
	// determination is asked for; truce never decides.
	Prompts []string `json:"prompts"`
}

// getCeasefire shows the ceasefire's status as the determinations the
// reader may see make it, the indicators and the prompts.
func (s *Server) getCeasefire(w http.ResponseWriter, r *http.Request) {
	g, err := s.loadGuarantees(r.Context())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	now := s.now()
	dets := visible(s.reader(r), g.dets, detMarking)
	status, det := guarantee.StatusAt(g.rules, dets, now)
	ind, err := s.indicatorsAt(r.Context(), s.reader(r), g.rules, now)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	v := CeasefireView{Status: status, Phrase: status.Phrase(), Determination: det, Indicators: ind, Prompts: []string{}}
	if ind.Cessation.Met && (status == guarantee.InForce || status == guarantee.Breached) {
		v.Prompts = append(v.Prompts, "the agreement's criteria for a credible cessation of hostilities are met: the Commission may put its determination to the vote")
	}
	if len(ind.AttackSigns) > 0 && status != guarantee.ArmedAttack && status != guarantee.NotInForce {
		v.Prompts = append(v.Prompts, fmt.Sprintf("%d signs of an armed attack in the last %d days: the Commission may put a determination of an armed attack to the vote", len(ind.AttackSigns), guarantee.AttackLookbackDays))
	}
	writeJSON(w, http.StatusOK, v)
}

// motionRequest is the body of POST /api/v1/determinations/motions.
type motionRequest struct {
	Determination string `json:"determination"`
	Text          string `json:"text"`
	Marking       string `json:"marking"` // default COMMISSION
}

// postDeterminationMotion puts a determination to the Commission's vote.
func (s *Server) postDeterminationMotion(w http.ResponseWriter, r *http.Request) {
	var req motionRequest
	rd, ok := s.actingWith(w, r, &req)
	if !ok {
		return
	}
	a, err := s.agreementNow()
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	switch guarantee.Status(req.Determination) {
	case guarantee.CredibleCessation, guarantee.Breached, guarantee.ArmedAttack:
	default:
		s.writeProblem(w, r, refusalProblem(&guarantee.Refusal{Rule: guarantee.RuleInput, Reason: fmt.Sprintf("a determination is of %q, %q or %q, not %q",
			guarantee.CredibleCessation, guarantee.Breached, guarantee.ArmedAttack, req.Determination)}))
		return
	}
	if req.Marking == "" {
		req.Marking = access.Commission
	}
	if _, err := access.ParseMarking(req.Marking); err != nil {
		s.writeProblem(w, r, refusalProblem(&guarantee.Refusal{Rule: guarantee.RuleInput, Reason: err.Error()}))
		return
	}
	id := newRecordID("motion")
	m, err := commission.Propose(commission.RulesFrom(a), commission.Motion{ID: id, Question: commission.QuestionDetermination, Determination: req.Determination, Text: req.Text}, actor(rd), s.now())
	if err != nil {
		s.writeProblem(w, r, refusalProblem(err))
		return
	}
	if !s.storeAct(w, r, rd, "determination", kindMotion, id, 1, req.Marking, m.ProposedBy, time.Time{}, m) {
		return
	}
	w.Header().Set("Location", "/api/v1/determinations/motions/"+id)
	writeJSON(w, http.StatusCreated, m)
}

// loadMotion reads a determination motion and its votes; 404 when the
// reader may not see the motion.
func (s *Server) loadMotion(ctx context.Context, rd access.Reader, id string) (commission.Motion, []commission.Vote, error) {
	recs, err := s.records(ctx, kindMotion, id)
	if err != nil {
		return commission.Motion{}, nil, err
	}
	if len(recs) == 0 || !rd.CanSee(recs[0].Marking) {
		return commission.Motion{}, nil, newProblem(codeNotFound, "no motion "+id)
	}
	ms, err := decodeRecords[commission.Motion](recs[:1])
	if err != nil {
		return commission.Motion{}, nil, err
	}
	vrecs, err := s.records(ctx, kindVote, id)
	if err != nil {
		return commission.Motion{}, nil, err
	}
	votes, err := decodeRecords[commission.Vote](vrecs)
	return ms[0], votes, err
}

// getDeterminationMotion shows a motion and its tally now.
func (s *Server) getDeterminationMotion(w http.ResponseWriter, r *http.Request) {
	m, votes, err := s.loadMotion(r.Context(), s.reader(r), r.PathValue("id"))
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	a, err := s.agreementNow()
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"motion": m, "votes": votes, "tally": commission.Tally(commission.RulesFrom(a), m, votes, s.now())})
}

// voteRequest is the body of a vote on a determination motion.
type voteRequest struct {
	Choice  commission.Choice `json:"choice"`
	Reasons string            `json:"reasons"`
	Marking string            `json:"marking"` // default COMMISSION
}

// postDeterminationVote casts one member's vote on a determination.
func (s *Server) postDeterminationVote(w http.ResponseWriter, r *http.Request) {
	var req voteRequest
	rd, ok := s.actingWith(w, r, &req)
	if !ok {
		return
	}
	id := r.PathValue("id")
	m, votes, err := s.loadMotion(r.Context(), rd, id)
	if err != nil {
		s.writeProblem(w, r, err)
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
	if _, err := access.ParseMarking(req.Marking); err != nil {
		s.writeProblem(w, r, refusalProblem(&guarantee.Refusal{Rule: guarantee.RuleInput, Reason: err.Error()}))
		return
	}
	v, err := commission.CastVote(commission.RulesFrom(a), m, votes, commission.Vote{Motion: id, Choice: req.Choice, Reasons: req.Reasons, At: s.now()}, actor(rd))
	if err != nil {
		s.writeProblem(w, r, refusalProblem(err))
		return
	}
	if !s.storeAct(w, r, rd, "vote", kindVote, id, len(votes)+1, req.Marking, actor(rd), v.At, v) {
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

// determinationRequest is the body of POST /api/v1/determinations.
type determinationRequest struct {
	Status  guarantee.Status `json:"status"`
	Party   string           `json:"party"`
	Motion  string           `json:"motion"`
	Reasons string           `json:"reasons"`
	Marking string           `json:"marking"` // default PUBLIC: the status of the ceasefire is the public's business
}

// postDetermination records a determination resting on a carried vote.
func (s *Server) postDetermination(w http.ResponseWriter, r *http.Request) {
	var req determinationRequest
	rd, g, ok := s.actingOnGuarantees(w, r, &req)
	if !ok {
		return
	}
	now := s.now()
	var tally commission.Result
	if req.Motion != "" {
		m, votes, err := s.loadMotion(r.Context(), rd, req.Motion)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		tally = commission.Tally(g.rules.Commission, m, votes, now)
	}
	if req.Marking == "" {
		req.Marking = access.Public
	}
	id := newRecordID("determination")
	ind, err := s.indicatorsAt(r.Context(), rd, g.rules, now)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	d, err := guarantee.Determine(g.rules, g.dets, guarantee.Determination{ID: id, Status: req.Status, At: now, By: actor(rd), Marking: req.Marking,
		Party: req.Party, Motion: req.Motion, Reasons: req.Reasons}, tally, ind)
	if err != nil {
		s.writeProblem(w, r, refusalProblem(err))
		return
	}
	if !s.storeAct(w, r, rd, "determination", kindDetermination, ceasefireKey, g.position(kindDetermination, ceasefireKey), d.Marking, d.By, now, d) {
		return
	}
	s.syncObligations(r.Context())
	writeJSON(w, http.StatusCreated, d)
}

// actingOnGuarantees is actingWith and then the guarantee records, for
// the handlers that record a guarantee act; ok is false once it has
// answered.
func (s *Server) actingOnGuarantees(w http.ResponseWriter, r *http.Request, req any) (access.Reader, *guaranteeRecords, bool) {
	rd, ok := s.actingWith(w, r, req)
	if !ok {
		return rd, nil, false
	}
	g, err := s.loadGuarantees(r.Context())
	if err != nil {
		s.writeProblem(w, r, err)
		return rd, nil, false
	}
	return rd, g, true
}

// listDeterminations lists the determinations the reader may see.
func (s *Server) listDeterminations(w http.ResponseWriter, r *http.Request) {
	g, err := s.loadGuarantees(r.Context())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"determinations": visible(s.reader(r), g.dets, detMarking)})
}

// requestRequest is the body of POST /api/v1/reassurance/requests.
type requestRequest struct {
	Domains []guarantee.Domain `json:"domains"`
	Text    string             `json:"text"`
	Marking string             `json:"marking"` // default MISSION
}

// postReassuranceRequest records Ukraine's request, signed by its user.
func (s *Server) postReassuranceRequest(w http.ResponseWriter, r *http.Request) {
	var req requestRequest
	rd, g, ok := s.actingOnGuarantees(w, r, &req)
	if !ok {
		return
	}
	if req.Marking == "" {
		req.Marking = access.Mission
	}
	id := newRecordID("request")
	now := s.now()
	q, err := guarantee.RecordRequest(g.reqs, guarantee.Request{ID: id, At: now, By: actor(rd), Marking: req.Marking, Domains: req.Domains, Text: req.Text})
	if err != nil {
		s.writeProblem(w, r, refusalProblem(err))
		return
	}
	if !s.storeAct(w, r, rd, "request", kindRequest, guarantee.RequestingState, g.position(kindRequest, guarantee.RequestingState), q.Marking, q.By, now, q) {
		return
	}
	s.syncObligations(r.Context())
	writeJSON(w, http.StatusCreated, q)
}

// measureRequest is the body of POST /api/v1/reassurance/measures.
type measureRequest struct {
	Name         string           `json:"name"`
	Domain       guarantee.Domain `json:"domain"`
	Contributors []string         `json:"contributors"`
	Marking      string           `json:"marking"` // default MISSION
}

// postReassuranceMeasure starts a reassurance measure, only at Ukraine's
// request and after a credible cessation (guarantee.StartMeasure).
func (s *Server) postReassuranceMeasure(w http.ResponseWriter, r *http.Request) {
	var req measureRequest
	rd, g, ok := s.actingOnGuarantees(w, r, &req)
	if !ok {
		return
	}
	if req.Marking == "" {
		req.Marking = access.Mission
	}
	id := newRecordID("measure")
	now := s.now()
	m, err := guarantee.StartMeasure(g.rules, g.dets, g.reqs, guarantee.Measure{ID: id, Name: req.Name, Domain: req.Domain, Contributors: req.Contributors,
		Start: now, By: actor(rd), Marking: req.Marking})
	if err != nil {
		s.writeProblem(w, r, refusalProblem(err))
		return
	}
	if !s.storeAct(w, r, rd, "measure", kindMeasure, id, 1, m.Marking, m.By, now, m) {
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

// listReassurance lists the requests and measures the reader may see.
func (s *Server) listReassurance(w http.ResponseWriter, r *http.Request) {
	g, err := s.loadGuarantees(r.Context())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	rd := s.reader(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"requests": visible(rd, g.reqs, func(q guarantee.Request) string { return q.Marking }),
		"measures": visible(rd, g.measures, func(m guarantee.Measure) string { return m.Marking }),
	})
}

// commitmentRequest is the body of POST /api/v1/commitments.
type commitmentRequest struct {
	Guarantor   string                   `json:"guarantor"`
	Component   int                      `json:"component"`
	Kind        guarantee.CommitmentKind `json:"kind"`
	Description string                   `json:"description"`
	Trigger     guarantee.Trigger        `json:"trigger"`
	// ResponseTime is a period: "72h", "14d" (or a Go duration, "90m").
	ResponseTime string               `json:"response_time"`
	Legal        guarantee.LegalBasis `json:"legal"`
	Supersedes   string               `json:"supersedes"`
	Marking      string               `json:"marking"` // default MISSION
}

// postCommitment records a guarantor's commitment, or a change to one.
func (s *Server) postCommitment(w http.ResponseWriter, r *http.Request) {
	var req commitmentRequest
	rd, ok := s.actingWith(w, r, &req)
	if !ok {
		return
	}
	var rt agreement.Period
	if err := rt.UnmarshalJSON(strconv.AppendQuote(nil, req.ResponseTime)); err != nil {
		p := newProblem(codeInvalid, "the commitment is not valid")
		p.Title = "Invalid commitment"
		p.Errors = []FieldProblem{{Pointer: "/response_time", Detail: err.Error()}}
		s.writeProblem(w, r, p)
		return
	}
	g, err := s.loadGuarantees(r.Context())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if req.Marking == "" {
		req.Marking = access.Mission
	}
	id := newRecordID("commitment")
	now := s.now()
	c, err := guarantee.RecordCommitment(g.commitments, guarantee.Commitment{ID: id, Supersedes: req.Supersedes, Guarantor: req.Guarantor, Component: req.Component,
		Kind: req.Kind, Description: req.Description, Trigger: req.Trigger, ResponseTime: rt, Legal: req.Legal, At: now, By: actor(rd), Marking: req.Marking})
	if err != nil {
		s.writeProblem(w, r, refusalProblem(err))
		return
	}
	if !s.storeAct(w, r, rd, "commitment", kindCommitment, c.Guarantor, g.position(kindCommitment, c.Guarantor), c.Marking, c.By, now, c) {
		return
	}
	s.syncObligations(r.Context())
	w.Header().Set("Location", "/api/v1/commitments")
	writeJSON(w, http.StatusCreated, c)
}

// listCommitments lists the commitments the reader may see; ?current=true
// keeps those in force now.
func (s *Server) listCommitments(w http.ResponseWriter, r *http.Request) {
	g, err := s.loadGuarantees(r.Context())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	cs := visible(s.reader(r), g.commitments, func(c guarantee.Commitment) string { return c.Marking })
	if cur, _ := strconv.ParseBool(r.URL.Query().Get("current")); cur {
		cs = guarantee.CurrentCommitments(cs, s.now())
	}
	if cs == nil {
		cs = []guarantee.Commitment{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"commitments": cs})
}

// syncObligations stores the obligations the triggers fired by now
// create and the store does not hold yet, as the mechanism's records. A
// failure is logged: the next write or read of obligations stores them.
func (s *Server) syncObligations(ctx context.Context) {
	if _, err := s.obligationsNow(ctx); err != nil {
		s.log.ErrorContext(ctx, "storing obligations", "err", err)
	}
}

// obligationsNow stores any new obligations and returns the records.
func (s *Server) obligationsNow(ctx context.Context) (*guaranteeRecords, error) {
	g, err := s.loadGuarantees(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var recs []store.ProcedureRecord
	for _, a := range guarantee.Activations(g.rules, g.dets, g.reqs, now) {
		for _, o := range guarantee.Activate(g.commitments, a, now) {
			if slices.ContainsFunc(g.obligations, func(p guarantee.Obligation) bool { return p.ID == o.ID }) {
				continue
			}
			rec, err := procedureRecord(kindObligation, o.ID, 1, o.Marking, commission.System, o)
			if err != nil {
				return nil, err
			}
			recs = append(recs, rec)
			g.obligations = append(g.obligations, o)
		}
	}
	if len(recs) > 0 {
		if _, err := s.appendProcedure(ctx, access.Reader{Name: commission.SystemUser}, "obligation", recs...); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// ObligationView is an obligation as it stands now.
type ObligationView struct {
	guarantee.ObligationState
	Overdue    bool   `json:"overdue"`
	Escalation string `json:"escalation,omitempty"`
}

// listObligations lists the obligations the reader may see, with their
// reports folded in, overdue ones escalated.
func (s *Server) listObligations(w http.ResponseWriter, r *http.Request) {
	g, err := s.obligationsNow(r.Context())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	rd, now := s.reader(r), s.now()
	out := []ObligationView{}
	for _, o := range visible(rd, g.obligations, func(o guarantee.Obligation) string { return o.Marking }) {
		reps := visible(rd, g.reports, func(p guarantee.Report) string { return p.Marking })
		st := guarantee.Track(o, reps)
		v := ObligationView{ObligationState: st, Overdue: st.Overdue(now)}
		if err := st.Check(now); err != nil {
			v.Escalation = err.Error()
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"obligations": out})
}

// reportRequest is the body of POST /api/v1/obligations/{id}/reports.
type reportRequest struct {
	Kind     guarantee.ReportKind `json:"kind"`
	Text     string               `json:"text"`
	Evidence []string             `json:"evidence"`
	Complete bool                 `json:"complete"`
	Marking  string               `json:"marking"` // default: the obligation's
}

// postObligationReport records a guarantor's report on its obligation.
func (s *Server) postObligationReport(w http.ResponseWriter, r *http.Request) {
	var req reportRequest
	rd, ok := s.actingWith(w, r, &req)
	if !ok {
		return
	}
	g, err := s.obligationsNow(r.Context())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	id := r.PathValue("id")
	i := slices.IndexFunc(g.obligations, func(o guarantee.Obligation) bool { return o.ID == id })
	if i < 0 || !rd.CanSee(g.obligations[i].Marking) {
		s.writeProblem(w, r, newProblem(codeNotFound, "no obligation "+id))
		return
	}
	o := g.obligations[i]
	if req.Marking == "" {
		req.Marking = o.Marking
	}
	rid := newRecordID("report")
	now := s.now()
	rep, err := guarantee.RecordReport(o, g.reports, guarantee.Report{ID: rid, Obligation: id, Kind: req.Kind, At: now, By: actor(rd), Marking: req.Marking,
		Text: req.Text, Evidence: req.Evidence, Complete: req.Complete})
	if err != nil {
		s.writeProblem(w, r, refusalProblem(err))
		return
	}
	if !s.storeAct(w, r, rd, "report", kindReport, id, g.position(kindReport, id), rep.Marking, rep.By, now, rep) {
		return
	}
	writeJSON(w, http.StatusCreated, rep)
}
