package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// sourceView is a source as the API shows it.
type sourceView struct {
	ID      string    `json:"id"`
	Org     string    `json:"org"`
	Kind    string    `json:"kind"`
	Grading string    `json:"grading,omitempty"`
	Created time.Time `json:"created"`
}

// listSources shows the registered sources to readers who may see mission
// records: who reports is itself mission information.
func (s *Server) listSources(w http.ResponseWriter, r *http.Request) {
	if !s.reader(r).All {
		writeJSON(w, http.StatusOK, map[string]any{"sources": []sourceView{}})
		return
	}
	srcs, err := s.store.Sources(r.Context())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out := make([]sourceView, 0, len(srcs))
	for _, x := range srcs {
		out = append(out, sourceView{ID: x.ID, Org: x.Org, Kind: x.Kind, Grading: x.Grading, Created: x.Created.UTC()})
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": out})
}

// agreementView summarises one agreement version; the agreement text is
// public (the parties signed it), so every reader sees it.
type agreementView struct {
	ID            string    `json:"id"`
	Version       int       `json:"version"`
	Title         string    `json:"title"`
	EffectiveFrom time.Time `json:"effective_from"`
	SHA256        string    `json:"sha256"`
	InForce       bool      `json:"in_force"`
	Href          string    `json:"href"`
}

func (s *Server) listAgreements(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	current := s.agreements.InForce(now)
	out := []agreementView{}
	for _, a := range s.agreements.All() {
		out = append(out, agreementView{
			ID: a.ID, Version: a.Version, Title: a.Title, EffectiveFrom: a.EffectiveFrom.UTC(), SHA256: a.Digest(),
			InForce: a == current,
			Href:    "/api/v1/agreements/" + a.ID + "/" + strconv.Itoa(a.Version),
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"agreements": out})
}

// getAgreement returns an agreement version's file exactly as loaded, so
// its SHA-256 can be checked against the listing.
func (s *Server) getAgreement(w http.ResponseWriter, r *http.Request) {
	v, err := strconv.Atoi(r.PathValue("version"))
	a := s.agreements.Get(r.PathValue("id"), v)
	if err != nil || a == nil {
		s.writeProblem(w, r, newProblem(codeNotFound, "no such agreement version"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("ETag", `"`+a.Digest()+`"`)
	_, _ = w.Write(a.Bytes())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
