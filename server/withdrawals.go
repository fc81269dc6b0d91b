package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/ledger"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
)

// maxReasonLength bounds a withdrawal's stated reason.
const maxReasonLength = 2000

// withdrawalRequest is the body of POST /api/v1/withdrawals.
type withdrawalRequest struct {
	Record struct {
		Type string `json:"type"`
		Key  string `json:"key"`
	} `json:"record"`
	Reason   string `json:"reason"`
	Withhold bool   `json:"withhold"`
}

// postWithdrawal takes a record back: it stays stored and in the ledger;
// the withdrawal is a new record, committed like any other.
func (s *Server) postWithdrawal(w http.ResponseWriter, r *http.Request) {
	reader := s.reader(r)
	if !reader.May(access.Withdraw) {
		s.writeProblem(w, r, newProblem(codeUnauthorized, "withdrawing a record needs a token with the right to do so"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		s.writeProblem(w, r, newProblem(codeTooLarge, "a withdrawal is a small JSON object (at most 64 KiB)"))
		return
	}
	var req withdrawalRequest
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.writeProblem(w, r, newProblem(codeMalformed, "the body must be a JSON object {record: {type, key}, reason, withhold}: "+err.Error()))
		return
	}
	var bad []FieldProblem
	if req.Record.Type != ledger.TypeObservation {
		bad = append(bad, FieldProblem{Pointer: "/record/type", Detail: `only "observation" records can be withdrawn`})
	}
	src, id, ok := strings.Cut(req.Record.Key, "/")
	if !ok || src == "" || id == "" {
		bad = append(bad, FieldProblem{Pointer: "/record/key", Detail: "must be source/id"})
	}
	if strings.TrimSpace(req.Reason) == "" || len(req.Reason) > maxReasonLength {
		bad = append(bad, FieldProblem{Pointer: "/reason", Detail: fmt.Sprintf("say why, in 1 to %d characters", maxReasonLength)})
	}
	if len(bad) > 0 {
		p := newProblem(codeInvalid, "the withdrawal is not valid")
		p.Title = "Invalid withdrawal"
		p.Errors = bad
		s.writeProblem(w, r, p)
		return
	}
	// A record the caller may not see cannot be withdrawn by it either.
	if _, ok := s.visibleObservation(w, r, observation.Key{Source: src, ID: id}); !ok {
		return
	}
	wd, err := s.store.AppendWithdrawal(r.Context(), store.Withdrawal{
		RecordType: req.Record.Type, RecordKey: req.Record.Key, Reason: req.Reason, Withhold: req.Withhold,
		By: reader.Name, At: s.now(),
	})
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Location", "/api/v1/withdrawals?after="+strconv.FormatInt(wd.Sequence-1, 10)+"&limit=1")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(append(ledger.WithdrawalRecord(wd), '\n'))
}

// listWithdrawals pages through withdrawals in sequence order
// (?after=N&limit=M), showing those of records the reader may see.
func (s *Server) listWithdrawals(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, err1 := strconv.ParseInt(q.Get("after"), 10, 64)
	if q.Get("after") == "" {
		after, err1 = 0, nil
	}
	limit, err2 := strconv.Atoi(q.Get("limit"))
	if q.Get("limit") == "" {
		limit, err2 = defaultListLimit, nil
	}
	if err1 != nil || err2 != nil || after < 0 || limit < 1 || limit > maxListLimit {
		p := newProblem(codeBadQuery, "after is a sequence (0 or more); limit is 1 to "+strconv.Itoa(maxListLimit))
		s.writeProblem(w, r, p)
		return
	}
	ws, err := s.store.WithdrawalsAfter(r.Context(), after, limit)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	reader := s.reader(r)
	out := []json.RawMessage{}
	for _, wd := range ws {
		if !reader.All {
			src, id, _ := strings.Cut(wd.RecordKey, "/")
			rec, err := s.store.Observation(r.Context(), observation.Key{Source: src, ID: id})
			if err != nil || !reader.CanSee(rec.Marking) {
				continue
			}
		}
		out = append(out, ledger.WithdrawalRecord(wd))
	}
	resp := struct {
		Records []json.RawMessage `json:"records"`
		After   int64             `json:"next_after,omitempty"`
	}{Records: out}
	if len(ws) == limit {
		resp.After = ws[len(ws)-1].Sequence
	}
	writeJSON(w, http.StatusOK, resp)
}

// proveWithdrawal answers GET /api/v1/proof/withdrawal/{sequence}.
func (s *Server) proveWithdrawal(w http.ResponseWriter, r *http.Request) {
	seq, err := strconv.ParseInt(r.PathValue("sequence"), 10, 64)
	if err != nil || seq < 1 {
		s.writeProblem(w, r, newProblem(codeBadQuery, "a withdrawal is named by its sequence, a whole number from 1"))
		return
	}
	ws, err := s.store.WithdrawalsAfter(r.Context(), seq-1, 1)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	notFound := len(ws) == 0 || ws[0].Sequence != seq
	if !notFound && !s.reader(r).All {
		src, id, _ := strings.Cut(ws[0].RecordKey, "/")
		rec, err := s.store.Observation(r.Context(), observation.Key{Source: src, ID: id})
		notFound = err != nil || !s.reader(r).CanSee(rec.Marking)
	}
	if notFound {
		s.writeProblem(w, r, newProblem(codeNotFound, fmt.Sprintf("no withdrawal %d", seq)))
		return
	}
	if !s.ledgerRunning(w, r) {
		return
	}
	c := ledger.CommitCanonical(ledger.TypeWithdrawal, ledger.WithdrawalKey(ws[0]), ledger.WithdrawalRecord(ws[0]))
	p, err := ledger.Prove(r.Context(), s.ledger, s.store, c, seq)
	s.writeProof(w, r, p, err)
}
