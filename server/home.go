package server

import (
	"bytes"
	"net/http"
	"time"

	"github.com/truce-mechanism/truce/web"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	h := web.Home{Demo: s.demo, Version: s.version}
	if a := s.agreements.InForce(s.now()); a != nil {
		sum := &web.AgreementSummary{ID: a.ID, Title: a.Title, Version: a.Version,
			EffectiveFrom: a.EffectiveFrom.UTC().Format(time.RFC3339), SHA256: a.Digest(),
			Lines: len(a.Lines), Zones: len(a.Zones), Rules: len(a.Rules)}
		for _, p := range a.Parties {
			sum.Parties = append(sum.Parties, p.Name+" ("+p.Code+")")
		}
		h.Agreement = sum
	}
	if s.reader(r).All {
		if srcs, err := s.store.Sources(r.Context()); err == nil {
			h.Sources = len(srcs)
		}
	}
	var b bytes.Buffer
	if err := web.RenderHome(&b, h); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}
