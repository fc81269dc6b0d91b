package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/notify"
	"github.com/truce-mechanism/truce/store"
)

// Notifications: every procedure record the server stores is published to
// the live streams (GET /api/v1/stream, server-sent events) and the
// webhook dispatcher is woken. Both apply the reader's markings. A stream
// that falls behind is dropped and told so; the client resumes with
// Last-Event-ID, the last record's procedure sequence, from the store.

// DefaultStreamHeartbeat is how often an idle stream sends a comment, so
// proxies and clients see the connection alive, and reads the store for
// records appended outside this server's handlers.
const DefaultStreamHeartbeat = 15 * time.Second

// streamPage is how many records one replay query reads.
const streamPage = 500

// streamRetry is the reconnection delay the stream asks clients to use.
const streamRetry = 3 * time.Second

// published tells the streams and the webhook dispatcher of records the
// store has just returned as stored.
func (s *Server) published(stored []store.ProcedureRecord) {
	ns := make([]notify.Notification, 0, len(stored))
	for _, r := range stored {
		n, err := notify.NotificationOf(r)
		if err != nil {
			s.log.Error("notify: a stored record cannot be published", slog.Int64("sequence", r.Sequence), slog.Any("err", err))
			continue
		}
		ns = append(ns, n)
	}
	s.notify.Publish(ns...)
	if s.webhooks != nil {
		s.webhooks.Kick()
	}
}

// stream serves GET /api/v1/stream: the procedure records the reader may
// see as server-sent events, id the record's procedure sequence. It
// replays what came after Last-Event-ID (or ?after=N) from the store, then
// follows live until the client leaves; ?follow=false stops after the
// replay (for scripts and tests).
func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from := q.Get("after")
	if h := r.Header.Get("Last-Event-ID"); h != "" {
		from = h // a reconnecting EventSource: where it stopped wins
	}
	after := int64(0)
	if from != "" {
		n, err := strconv.ParseInt(from, 10, 64)
		if err != nil || n < 0 {
			s.writeProblem(w, r, newProblem(codeBadQuery, "Last-Event-ID and after are a procedure sequence (0 or more), the id of the last event received"))
			return
		}
		after = n
	}
	follow := true
	switch q.Get("follow") {
	case "", "true":
	case "false":
		follow = false
	default:
		s.writeProblem(w, r, newProblem(codeBadQuery, "follow is true (the default: replay, then live) or false (replay only)"))
		return
	}
	rd := s.reader(r)
	var sub *notify.Subscription
	if follow {
		// Subscribed before the replay, so nothing stored in between is missed.
		sub = s.notify.Subscribe(rd.CanSee)
		defer sub.Close()
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "retry: %d\n\n", streamRetry.Milliseconds())
	last, err := s.replay(w, r, after)
	if err != nil || rc.Flush() != nil || !follow {
		if err != nil {
			s.log.WarnContext(r.Context(), "stream: replay failed", slog.Any("err", err))
		}
		return
	}
	beat := time.NewTicker(s.streamBeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-beat.C:
			// Records appended outside this server's handlers (cases the
			// event pipeline opens, another node's acts) are not
			// published here: each beat reads the store for them.
			if last, err = s.replay(w, r, last); err != nil {
				return
			}
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case n, ok := <-sub.C:
			if !ok {
				if sub.Dropped() {
					fmt.Fprintf(w, "event: dropped\ndata: {\"reason\":\"the stream fell behind\",\"resume_after\":%d}\n\n", last)
					_ = rc.Flush()
				}
				return
			}
			switch {
			case n.Sequence <= last:
				continue // replayed already
			case n.Sequence == last+1:
				if err := s.sendEvents(w, r, n); err != nil {
					return
				}
				last = n.Sequence
			default:
				// Records published out of order, or that the reader may
				// not see, lie in between: the store has them in order.
				if last, err = s.replay(w, r, last); err != nil {
					return
				}
			}
			if rc.Flush() != nil {
				return
			}
		}
	}
}

// replay sends every record the reader may see after a sequence, from the
// store, and returns the sequence of the last one sent (after when none).
func (s *Server) replay(w http.ResponseWriter, r *http.Request, after int64) (int64, error) {
	for {
		rs, err := s.store.ProcedureRecords(r.Context(), store.ProcedureQuery{After: after, Limit: streamPage, Markings: s.markingFilter(r)})
		if err != nil {
			return after, err
		}
		ns := make([]notify.Notification, 0, len(rs))
		for _, rec := range rs {
			n, err := notify.NotificationOf(rec)
			if err != nil {
				return after, err
			}
			ns = append(ns, n)
		}
		if err := s.sendEvents(w, r, ns...); err != nil {
			return after, err
		}
		if len(rs) > 0 {
			after = rs[len(rs)-1].Sequence
		}
		if len(rs) < streamPage {
			return after, nil
		}
	}
}

// sendEvents writes notifications as events and audits the reading of
// those whose marking makes it worth an audit event, as it happens: a
// stream may stay open for days.
func (s *Server) sendEvents(w http.ResponseWriter, r *http.Request, ns ...notify.Notification) error {
	var read []string
	for _, n := range ns {
		b, err := json.Marshal(n)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "id: %d\ndata: %s\n\n", n.Sequence, b); err != nil {
			return err
		}
		if n.Marking != access.Public && n.Marking != access.Mission {
			read = append(read, "procedure/"+n.Key+" ("+n.Marking+")")
		}
	}
	if len(read) > 0 {
		rd := s.reader(r)
		s.audit.add(store.AuditEvent{At: s.now(), Actor: rd.Name, Org: rd.Org, Token: rd.TokenID, Action: "read",
			Target: r.Method + " " + r.URL.Path, Detail: strings.Join(read, "; ")})
	}
	return nil
}

// webhookJSON is a subscription as the API shows it: never its secret,
// except once, in the answer that created it.
type webhookJSON struct {
	ID          string     `json:"id"`
	URL         string     `json:"url"`
	Org         string     `json:"org"`
	Roles       []string   `json:"roles"`
	Active      bool       `json:"active"`
	Created     time.Time  `json:"created"`
	CreatedBy   string     `json:"created_by"`
	Deactivated *time.Time `json:"deactivated,omitempty"`
	// After is the last procedure sequence queued for it.
	After  int64  `json:"after"`
	Secret string `json:"secret,omitempty"`
}

func toWebhookJSON(w store.WebhookSubscription) webhookJSON {
	out := webhookJSON{ID: w.ID, URL: w.URL, Org: w.Org, Roles: w.Roles, Active: w.Active, Created: w.Created, CreatedBy: w.CreatedBy, After: w.Cursor}
	if out.Roles == nil {
		out.Roles = []string{}
	}
	if !w.Deactivated.IsZero() {
		d := w.Deactivated
		out.Deactivated = &d
	}
	return out
}

// webhookAdmin is the reader when it may manage webhooks (an admin); to
// anyone else the webhooks do not exist (404, like the audit trail: the
// delivery log names records).
func (s *Server) webhookAdmin(w http.ResponseWriter, r *http.Request) (access.Reader, bool) {
	rd := s.reader(r)
	if !rd.May(access.Audit) {
		s.writeProblem(w, r, newProblem(codeNotFound, "no such resource"))
		return rd, false
	}
	return rd, true
}

// Bounds of a webhook subscription.
const (
	maxWebhookURL    = 2000
	minWebhookSecret = 16
	maxWebhookSecret = 200
)

// postWebhook serves POST /api/v1/webhooks: an admin registers a URL that
// is sent, signed, every procedure record a reader of org (with roles,
// viewer by default) may see. The secret is generated unless given, and
// shown in this answer only.
func (s *Server) postWebhook(w http.ResponseWriter, r *http.Request) {
	rd, ok := s.webhookAdmin(w, r)
	if !ok {
		return
	}
	var body struct {
		URL    string   `json:"url"`
		Org    string   `json:"org"`
		Secret string   `json:"secret"`
		Roles  []string `json:"roles"`
	}
	if !s.decodeBody(w, r, &body) {
		return
	}
	var bad []FieldProblem
	field := func(pointer, detail string) { bad = append(bad, FieldProblem{Pointer: pointer, Detail: detail}) }
	if msg := checkWebhookURL(body.URL); msg != "" {
		field("/url", msg)
	}
	switch _, err := s.store.Organisation(r.Context(), body.Org); {
	case body.Org == "":
		field("/org", "the organisation whose reader decides which records the webhook is sent is required")
	case errors.Is(err, store.ErrNotFound):
		field("/org", "no organisation "+strconv.Quote(body.Org)+" is registered")
	case err != nil:
		s.writeProblem(w, r, err)
		return
	}
	if body.Secret != "" && (len(body.Secret) < minWebhookSecret || len(body.Secret) > maxWebhookSecret) {
		field("/secret", fmt.Sprintf("a secret is %d to %d characters; leave it out and one is generated", minWebhookSecret, maxWebhookSecret))
	}
	if body.Roles == nil {
		body.Roles = []string{access.RoleViewer}
	}
	for i, role := range body.Roles {
		if !slices.Contains(access.Roles, role) {
			field("/roles/"+strconv.Itoa(i), "unknown role "+strconv.Quote(role)+"; roles are "+strings.Join(access.Roles, ", "))
		}
	}
	if len(bad) > 0 {
		s.writeProblem(w, r, &Problem{Type: problemTypeBase + "invalid-webhook", Title: "Invalid webhook subscription",
			Status: http.StatusUnprocessableEntity, Detail: fmt.Sprintf("%d field(s) to fix", len(bad)), Errors: bad})
		return
	}
	if body.Secret == "" {
		secret, err := notify.NewSecret()
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		body.Secret = secret
	}
	id := newRecordID("wh")
	sub, err := s.store.PutWebhookSubscription(r.Context(), store.WebhookSubscription{ID: id, URL: body.URL, Secret: body.Secret,
		Org: body.Org, Roles: body.Roles, Created: s.now(), CreatedBy: rd.Name})
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	s.audit.add(store.AuditEvent{At: s.now(), Actor: rd.Name, Org: rd.Org, Token: rd.TokenID, Action: "webhook",
		Target: "webhook/" + id, Detail: "subscribed " + body.URL + " for " + body.Org})
	out := toWebhookJSON(sub)
	out.Secret = body.Secret
	w.Header().Set("Location", "/api/v1/webhooks/"+id)
	writeJSON(w, http.StatusCreated, out)
}

// checkWebhookURL says what is wrong with a webhook URL ("" when nothing).
func checkWebhookURL(raw string) string {
	if raw == "" {
		return "the URL the records are POSTed to is required"
	}
	if len(raw) > maxWebhookURL {
		return fmt.Sprintf("a URL is at most %d characters", maxWebhookURL)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "not a URL: " + err.Error()
	case u.Scheme != "http" && u.Scheme != "https":
		return "the URL must start with https:// (or http://); " + strconv.Quote(u.Scheme+":") + " is not a scheme webhooks are sent over"
	case u.Host == "" || u.Hostname() == "":
		return "the URL must name a host, as in https://receiver.example/truce"
	case u.User != nil:
		return "the URL must not hold credentials (they would be shown in the list); the receiver checks the Truce-Signature instead"
	case u.Fragment != "":
		return "the URL must not have a #fragment: it is never sent"
	}
	return ""
}

// listWebhooks serves GET /api/v1/webhooks: every subscription, without
// secrets.
func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.webhookAdmin(w, r); !ok {
		return
	}
	subs, err := s.store.WebhookSubscriptions(r.Context())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out := struct {
		Webhooks []webhookJSON `json:"webhooks"`
	}{Webhooks: []webhookJSON{}}
	for _, sub := range subs {
		out.Webhooks = append(out.Webhooks, toWebhookJSON(sub))
	}
	writeJSON(w, http.StatusOK, out)
}

// deleteWebhook serves DELETE /api/v1/webhooks/{id}: the subscription is
// deactivated (kept, with its delivery log); its pending deliveries stop.
func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	rd, ok := s.webhookAdmin(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	if err := s.store.DeactivateWebhookSubscription(r.Context(), id, s.now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			err = newProblem(codeNotFound, "no webhook "+id)
		}
		s.writeProblem(w, r, err)
		return
	}
	s.audit.add(store.AuditEvent{At: s.now(), Actor: rd.Name, Org: rd.Org, Token: rd.TokenID, Action: "webhook",
		Target: "webhook/" + id, Detail: "deactivated"})
	w.WriteHeader(http.StatusNoContent)
}

// listWebhookDeliveries serves GET /api/v1/webhooks/{id}/deliveries?after=N&limit=M:
// the delivery log, each delivery with its attempts.
func (s *Server) listWebhookDeliveries(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.webhookAdmin(w, r); !ok {
		return
	}
	id := r.PathValue("id")
	if _, err := s.store.WebhookSubscription(r.Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			err = newProblem(codeNotFound, "no webhook "+id)
		}
		s.writeProblem(w, r, err)
		return
	}
	after, limit, ok := s.sequencePage(w, r)
	if !ok {
		return
	}
	ds, err := s.store.WebhookDeliveries(r.Context(), id, after, limit)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	type attempt struct {
		Attempt     int        `json:"attempt"`
		Status      int        `json:"status,omitempty"`
		Error       string     `json:"error,omitempty"`
		At          time.Time  `json:"at"`
		State       string     `json:"state"`
		NextAttempt *time.Time `json:"next_attempt,omitempty"`
	}
	type delivery struct {
		Sequence    int64      `json:"sequence"`
		ID          string     `json:"id"`
		Event       string     `json:"event"`
		RecordKey   string     `json:"record_key"`
		Record      int64      `json:"record"`
		State       string     `json:"state"`
		Attempts    int        `json:"attempts"`
		NextAttempt *time.Time `json:"next_attempt,omitempty"`
		Created     time.Time  `json:"created"`
		Log         []attempt  `json:"log"`
	}
	when := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	out := struct {
		Deliveries []delivery `json:"deliveries"`
		Next       int64      `json:"next_after,omitempty"`
	}{Deliveries: []delivery{}}
	for _, d := range ds {
		v := delivery{Sequence: d.Sequence, ID: d.ID, Event: d.Event, RecordKey: d.RecordKey, Record: d.Record, State: d.State,
			Attempts: d.Attempts, NextAttempt: when(d.NextAttempt), Created: d.Created, Log: []attempt{}}
		for _, a := range d.Log {
			v.Log = append(v.Log, attempt{Attempt: a.Attempt, Status: a.Status, Error: a.Error, At: a.At, State: a.State, NextAttempt: when(a.NextAttempt)})
		}
		out.Deliveries = append(out.Deliveries, v)
	}
	if len(ds) == limit {
		out.Next = ds[len(ds)-1].Sequence
	}
	writeJSON(w, http.StatusOK, out)
}
