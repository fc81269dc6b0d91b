package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/store"
)

// The audit trail records every request of an authenticated user, every
// change, and every read of a COMMISSION or REL TO record, with who and
// when. Events are written in batches (RunAudit) so reads never wait for a
// disk sync; a kill -9 can lose the last AuditFlushInterval of read events,
// never a change, which the store keeps in its own records.

// AuditFlushInterval is how often buffered audit events are written.
const AuditFlushInterval = 200 * time.Millisecond

// maxListedReads bounds the record keys one list request's read event names.
const maxListedReads = 100

type auditNotes struct{ reads []string }

type auditNotesKey struct{}

// noteRead records that the request returned a record whose marking makes
// its reading worth an audit event.
func noteRead(r *http.Request, key, marking string) {
	if marking == access.Public || marking == access.Mission {
		return
	}
	if n, ok := r.Context().Value(auditNotesKey{}).(*auditNotes); ok {
		n.reads = append(n.reads, key+" ("+marking+")")
	}
}

// withAudit records the request once the handler has answered.
func (s *Server) withAudit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		notes := &auditNotes{}
		sw := &statusWriter{ResponseWriter: w, r: r}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), auditNotesKey{}, notes)))
		reader := s.reader(r)
		if reader.Org == "" && r.Method == http.MethodGet && len(notes.reads) == 0 {
			return // the public reading: nothing to attribute
		}
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		base := store.AuditEvent{At: s.now(), Actor: reader.Name, Org: reader.Org, Token: reader.TokenID}
		req := base
		req.Action, req.Target, req.Detail = "request", r.Method+" "+r.URL.Path, strconv.Itoa(status)
		events := []store.AuditEvent{req}
		if len(notes.reads) > 0 {
			read := base
			read.Action, read.Target = "read", r.Method+" "+r.URL.Path
			shown := notes.reads[:min(len(notes.reads), maxListedReads)]
			read.Detail = strings.Join(shown, "; ")
			if more := len(notes.reads) - len(shown); more > 0 {
				read.Detail += fmt.Sprintf("; and %d more", more)
			}
			events = append(events, read)
		}
		s.audit.add(events...)
	})
}

// auditBuffer holds events until the next flush.
type auditBuffer struct {
	mu      sync.Mutex
	pending []store.AuditEvent
}

func (b *auditBuffer) add(e ...store.AuditEvent) {
	b.mu.Lock()
	b.pending = append(b.pending, e...)
	b.mu.Unlock()
}

// FlushAudit writes the buffered audit events.
func (s *Server) FlushAudit(ctx context.Context) error {
	s.audit.mu.Lock()
	events := s.audit.pending
	s.audit.pending = nil
	s.audit.mu.Unlock()
	if len(events) == 0 {
		return nil
	}
	if _, err := s.store.AppendAudit(ctx, events); err != nil {
		// Keep them for the next try, in order.
		s.audit.mu.Lock()
		s.audit.pending = append(events, s.audit.pending...)
		s.audit.mu.Unlock()
		return err
	}
	return nil
}

// RunAudit writes audit events every AuditFlushInterval until ctx ends,
// then once more.
func (s *Server) RunAudit(ctx context.Context) {
	t := time.NewTicker(AuditFlushInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := s.FlushAudit(context.WithoutCancel(ctx)); err != nil {
				s.log.Error("audit: the last events could not be written", slog.Any("error", err))
			}
			return
		case <-t.C:
			if err := s.FlushAudit(ctx); err != nil {
				s.log.Error("audit: writing events failed; retrying", slog.Any("error", err))
			}
		}
	}
}

// listAudit answers GET /api/v1/audit?after=N&limit=M&actor=NAME, for
// admins only; to anyone else the trail does not exist.
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	if !s.reader(r).May(access.Audit) {
		s.writeProblem(w, r, newProblem(codeNotFound, "no such resource"))
		return
	}
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
		s.writeProblem(w, r, newProblem(codeBadQuery, "after is a sequence (0 or more); limit is 1 to "+strconv.Itoa(maxListLimit)))
		return
	}
	if err := s.FlushAudit(r.Context()); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	events, err := s.store.AuditAfter(r.Context(), after, limit)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	type event struct {
		Sequence int64     `json:"sequence"`
		At       time.Time `json:"at"`
		Actor    string    `json:"actor"`
		Org      string    `json:"org,omitempty"`
		Token    string    `json:"token,omitempty"`
		Action   string    `json:"action"`
		Target   string    `json:"target"`
		Detail   string    `json:"detail,omitempty"`
	}
	out := struct {
		Events []event `json:"events"`
		Next   int64   `json:"next_after,omitempty"`
	}{Events: []event{}}
	actor := q.Get("actor")
	for _, e := range events {
		if actor == "" || e.Actor == actor {
			out.Events = append(out.Events, event(e))
		}
	}
	if len(events) == limit {
		out.Next = events[len(events)-1].Sequence
	}
	writeJSON(w, http.StatusOK, out)
}
