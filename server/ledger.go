package server

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/truce-mechanism/truce/ledger"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
)

// retryProofAfter is what a client asking too early is told to wait, in
// seconds: a batch is logged within a poll, a checkpoint within its interval.
const retryProofAfter = "2"

// ledgerRunning answers 503 when this server has no ledger (a test setup,
// or a node that is not the sequencer).
func (s *Server) ledgerRunning(w http.ResponseWriter, r *http.Request) bool {
	if s.ledger == nil {
		s.writeProblem(w, r, newProblem(codeUnavailable, "this server does not run the ledger"))
		return false
	}
	return true
}

// ledgerKey serves the verifier key as one line (note format).
func (s *Server) ledgerKey(w http.ResponseWriter, r *http.Request) {
	if !s.ledgerRunning(w, r) {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(s.ledgerKeyText + "\n"))
}

// ledgerFiles serves the checkpoint and the tiles.
func (s *Server) ledgerFiles(w http.ResponseWriter, r *http.Request) {
	if !s.ledgerRunning(w, r) {
		return
	}
	http.StripPrefix("/ledger", s.ledger).ServeHTTP(w, r)
}

// proveObservation answers GET /api/v1/proof/observation/{source}/{id}.
// A record the reader may not see is 404 here as everywhere.
func (s *Server) proveObservation(w http.ResponseWriter, r *http.Request) {
	key := observation.Key{Source: r.PathValue("source"), ID: r.PathValue("id")}
	rec, ok := s.visibleObservation(w, r, key)
	if !ok || !s.ledgerRunning(w, r) {
		return
	}
	noteRead(r, "proof of observation/"+ledger.ObservationKey(key), rec.Marking)
	c := ledger.CommitCanonical(ledger.TypeObservation, ledger.ObservationKey(key), rec.Document)
	p, err := ledger.Prove(r.Context(), s.ledger, s.store, c, rec.Sequence)
	s.writeProof(w, r, p, err)
}

func (s *Server) writeProof(w http.ResponseWriter, r *http.Request, p *ledger.Proof, err error) {
	switch {
	case errors.Is(err, ledger.ErrNotYet):
		w.Header().Set("Retry-After", retryProofAfter)
		s.writeProblem(w, r, newProblem(codeNotYet, "the record is stored; its batch is not yet in a published checkpoint"))
		return
	case errors.Is(err, ledger.ErrChanged):
		s.log.ErrorContext(r.Context(), "INTEGRITY: a stored record differs from its ledger leaf", "err", err)
		s.writeProblem(w, r, newProblem(codeIntegrity, err.Error()))
		return
	case err != nil:
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// consistencyProof answers GET /api/v1/proof/consistency?from=N&to=M: the
// proof that the log of size N is a prefix of that of size M (default: the
// latest checkpoint's size), with that checkpoint when M is its size.
func (s *Server) consistencyProof(w http.ResponseWriter, r *http.Request) {
	if !s.ledgerRunning(w, r) {
		return
	}
	raw, cp, err := s.ledger.Checkpoint(r.Context())
	if errors.Is(err, ledger.ErrNotYet) {
		w.Header().Set("Retry-After", retryProofAfter)
		s.writeProblem(w, r, newProblem(codeNotYet, "no checkpoint has been published yet"))
		return
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	q := r.URL.Query()
	var bad []FieldProblem
	size := func(name string, def uint64) uint64 {
		v := q.Get(name)
		if v == "" && def > 0 {
			return def
		}
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n > cp.Size {
			bad = append(bad, FieldProblem{Pointer: "?" + name, Index: -1, Detail: fmt.Sprintf("want a tree size from 0 to %d (the latest checkpoint)", cp.Size)})
		}
		return n
	}
	from, to := size("from", 0), size("to", cp.Size)
	if len(bad) == 0 && from > to {
		bad = append(bad, FieldProblem{Pointer: "?from", Index: -1, Detail: "from must not exceed to"})
	}
	if len(bad) > 0 {
		p := newProblem(codeBadQuery, "bad tree sizes")
		p.Errors = bad
		s.writeProblem(w, r, p)
		return
	}
	path, err := s.ledger.ConsistencyProof(r.Context(), from, to)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out := struct {
		From       uint64   `json:"from"`
		To         uint64   `json:"to"`
		Proof      [][]byte `json:"consistency_proof"`
		Checkpoint string   `json:"checkpoint,omitempty"`
	}{From: from, To: to, Proof: path}
	if to == cp.Size {
		out.Checkpoint = string(raw)
	}
	writeJSON(w, http.StatusOK, out)
}

// ledgerEntry answers GET /api/v1/ledger/entries/{index}: a log entry and
// the leaf hashes of its batch, so an auditor can recompute the batch root
// and check every record it can read against its leaf. Leaf hashes reveal
// no content (see DECISIONS); every inclusion proof shows neighbours' hashes
// anyway.
func (s *Server) ledgerEntry(w http.ResponseWriter, r *http.Request) {
	if !s.ledgerRunning(w, r) {
		return
	}
	idx, err := strconv.ParseUint(r.PathValue("index"), 10, 64)
	if err != nil {
		s.writeProblem(w, r, newProblem(codeBadQuery, "the entry index must be a whole number"))
		return
	}
	lb, err := s.store.LedgerBatchAt(r.Context(), idx)
	if errors.Is(err, store.ErrNotFound) {
		s.writeProblem(w, r, newProblem(codeNotFound, fmt.Sprintf("no ledger entry %d", idx)))
		return
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	leaves := make([]string, len(lb.Leaves))
	for i, l := range lb.Leaves {
		leaves[i] = base64.StdEncoding.EncodeToString(l[:])
	}
	writeJSON(w, http.StatusOK, struct {
		Index  uint64   `json:"index"`
		Entry  string   `json:"entry"`
		Leaves []string `json:"leaf_hashes"`
	}{idx, string(ledger.Batch{Type: lb.Type, First: lb.First, Count: lb.Count, Root: lb.Root}.MarshalEntry()), leaves})
}
