package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/notify"
	"github.com/truce-mechanism/truce/server"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/sqlite"
)

// notifyFixture is a server with the Commission's chair, Russia's liaison
// and an admin, and a public event cases can cite.
func notifyFixture(t *testing.T) (*server.Server, *sqlite.Store, map[string]string) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir()+"/truce.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	versions := &agreement.Versions{}
	if a, err := agreement.Demo(); err != nil || versions.Add(a) != nil {
		t.Fatal("the demo agreement:", err)
	}
	srv := server.New(server.Config{Store: st, Agreements: versions, Now: func() time.Time { return clock }, Version: "test"})
	for _, o := range []access.Organisation{
		{Code: "LEAD", Name: "Mission lead", Kind: access.KindLead},
		{Code: "USA", Name: "United States", Kind: access.KindParticipant, Commission: true},
		{Code: "RUS", Name: "Russian Federation", Kind: access.KindParty},
	} {
		if err := st.PutOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	tokens := map[string]string{}
	for _, u := range []access.User{
		{Name: "us.chair", Org: "USA", Roles: []string{access.RoleCommissioner}},
		{Name: "ru.liaison", Org: "RUS", Roles: []string{access.RoleLiaison}},
		{Name: "lead.admin", Org: "LEAD", Roles: []string{access.RoleAdmin}},
	} {
		tokens[u.Name] = issueToken(t, st, u, clock.Add(-time.Hour), 48*time.Hour, access.Act)
	}
	lat, lon := 48.0, 38.0
	ev := store.EventRecord{ID: "ev-1", Version: 1, Kind: "explosion", Start: clock.Add(-11 * time.Hour), End: clock.Add(-11*time.Hour + time.Minute),
		Lat: &lat, Lon: &lon, Marking: "PUBLIC", Sequence: 1,
		Document: []byte(`{"id":"ev-1","version":1,"kind":"explosion","start":"2026-09-02T01:00:00Z","end":"2026-09-02T01:01:00Z","location":{"lat":48,"lon":38},"count":1,"observations":[],"marking":["PUBLIC"]}`)}
	if err := st.PutEvents(ctx, []store.EventRecord{ev}); err != nil {
		t.Fatal(err)
	}
	return srv, st, tokens
}

func openCase(t *testing.T, srv http.Handler, chair, marking string) string {
	t.Helper()
	rec := do(srv, "POST", "/api/v1/cases", `{"accused":"RUS","events":["ev-1"],"rule":"no-fire","severity":"low","summary":"s","marking":"`+marking+`"}`, chair)
	var c struct{ ID string }
	if err := json.Unmarshal(rec.Body.Bytes(), &c); rec.Code != 201 || err != nil {
		t.Fatalf("opening a %s case: %d %s", marking, rec.Code, rec.Body)
	}
	return c.ID
}

// sseEvent is one event of a stream.
type sseEvent struct {
	id, event string
	n         notify.Notification
}

// readEvents reads events from a stream until stop says so or it ends.
func readEvents(t *testing.T, sc *bufio.Scanner, stop func([]sseEvent) bool) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.id != "" || cur.event != "" {
				out = append(out, cur)
				if stop(out) {
					return out
				}
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "id: "):
			cur.id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "event: "):
			cur.event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && cur.event == "":
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &cur.n); err != nil {
				t.Fatalf("data %q: %v", line, err)
			}
		}
	}
	return out
}

// openStream opens GET /api/v1/stream on the server at base as the
// holder of token, until ctx ends or the test does.
func openStream(t *testing.T, ctx context.Context, base, token string) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/stream", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return resp
}

func TestStreamMarkingsAndReplay(t *testing.T) {
	srv, _, tokens := notifyFixture(t)
	hs := httptest.NewServer(srv)
	defer hs.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp := openStream(t, ctx, hs.URL, tokens["ru.liaison"])
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)

	// Live: the liaison is streamed what is released to Russia and the
	// public, never the Commission's own records.
	secret := openCase(t, hs.Config.Handler, tokens["us.chair"], "COMMISSION")
	released := openCase(t, hs.Config.Handler, tokens["us.chair"], "REL TO RUS")
	public := openCase(t, hs.Config.Handler, tokens["us.chair"], "PUBLIC")
	live := readEvents(t, sc, func(es []sseEvent) bool { return strings.Contains(es[len(es)-1].n.Key, public) })
	var keys []string
	for _, e := range live {
		if e.n.Marking == "COMMISSION" || strings.Contains(e.n.Key, secret) || strings.Contains(string(e.n.Record), secret) {
			t.Fatalf("a RUS liaison was streamed a COMMISSION record: %+v", e)
		}
		if e.id != fmt.Sprint(e.n.Sequence) || e.n.Type != "case_action" || !strings.Contains(string(e.n.Record), `"sequence":`+e.id) {
			t.Fatalf("event %+v: the id must be the record's procedure sequence", e)
		}
		keys = append(keys, e.n.Key)
	}
	if len(live) < 2 || !strings.Contains(live[0].n.Key, released) {
		t.Fatalf("live events %v; want the REL TO RUS case then the public one", keys)
	}
	cancel()

	// Replay from Last-Event-ID: what came after the first event, from the store.
	for _, tc := range []struct {
		name, token, lastID string
		want                []string
	}{
		{"liaison, from the start", tokens["ru.liaison"], "0", keys},
		{"liaison, after the first", tokens["ru.liaison"], live[0].id, keys[1:]},
		{"anonymous", "", "0", keys[len(keys)-1:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/api/v1/stream?follow=false", nil)
			req.Header.Set("Last-Event-ID", tc.lastID)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			got := readEvents(t, bufio.NewScanner(rec.Body), func([]sseEvent) bool { return false })
			var gotKeys []string
			for _, e := range got {
				gotKeys = append(gotKeys, e.n.Key)
			}
			if strings.Join(gotKeys, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("replayed %v; want %v", gotKeys, tc.want)
			}
		})
	}

	for _, bad := range []string{"/api/v1/stream?after=-1", "/api/v1/stream?after=x", "/api/v1/stream?follow=maybe"} {
		if rec := do(srv, "GET", bad, "", ""); rec.Code != 400 || !strings.Contains(rec.Body.String(), "problem") && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s; want a 400 problem", bad, rec.Code, rec.Body)
		}
	}
}

func TestStreamDroppedSubscriber(t *testing.T) {
	_, st, _ := notifyFixture(t)
	broker := notify.NewBroker(1)
	srv := server.New(server.Config{Store: st, Now: func() time.Time { return clock }, Notify: broker})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	resp, err := http.Get(hs.URL + "/api/v1/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	for broker.Subscribers() == 0 {
		time.Sleep(time.Millisecond)
	}
	// Far more than the buffer, faster than any stream reads: dropped.
	for i := range 10_000 {
		broker.Publish(notify.Notification{Sequence: int64(i + 1), Marking: "PUBLIC", Record: json.RawMessage(`{}`)})
	}
	got := readEvents(t, bufio.NewScanner(resp.Body), func(es []sseEvent) bool { return es[len(es)-1].event == "dropped" })
	if len(got) == 0 || got[len(got)-1].event != "dropped" {
		t.Fatalf("a slow stream was not told it was dropped: %+v", got)
	}
}

func TestWebhookAPI(t *testing.T) {
	srv, st, tokens := notifyFixture(t)
	admin := tokens["lead.admin"]
	for _, tc := range []struct {
		name, body, pointer, says string
	}{
		{"no URL", `{"org":"USA"}`, "/url", "required"},
		{"ftp", `{"url":"ftp://x.example/","org":"USA"}`, "/url", "https://"},
		{"no host", `{"url":"https:///x","org":"USA"}`, "/url", "host"},
		{"credentials", `{"url":"https://u:p@x.example/","org":"USA"}`, "/url", "credentials"},
		{"unknown org", `{"url":"https://x.example/","org":"XXX"}`, "/org", "no organisation"},
		{"short secret", `{"url":"https://x.example/","org":"USA","secret":"abc"}`, "/secret", "16 to 200"},
		{"unknown role", `{"url":"https://x.example/","org":"USA","roles":["king"]}`, "/roles/0", "unknown role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(srv, "POST", "/api/v1/webhooks", tc.body, admin)
			var p server.Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); rec.Code != 422 || err != nil || len(p.Errors) != 1 ||
				p.Errors[0].Pointer != tc.pointer || !strings.Contains(p.Errors[0].Detail, tc.says) {
				t.Fatalf("%d %s; want 422 naming %s", rec.Code, rec.Body, tc.pointer)
			}
		})
	}
	if rec := do(srv, "POST", "/api/v1/webhooks", `{"url":"https://x.example/","org":"USA","extra":1}`, admin); rec.Code != 400 {
		t.Fatalf("unknown field: %d", rec.Code)
	}

	rec := do(srv, "POST", "/api/v1/webhooks", `{"url":"https://x.example/hook","org":"RUS","roles":["liaison"]}`, admin)
	var created struct {
		ID, Secret string
		Roles      []string
		Active     bool
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &created); rec.Code != 201 || err != nil || !strings.HasPrefix(created.Secret, "whsec_") || !created.Active ||
		rec.Header().Get("Location") != "/api/v1/webhooks/"+created.ID {
		t.Fatalf("created: %d %s", rec.Code, rec.Body)
	}
	if rec := do(srv, "GET", "/api/v1/webhooks", "", admin); rec.Code != 200 || !strings.Contains(rec.Body.String(), created.ID) || strings.Contains(rec.Body.String(), created.Secret) {
		t.Fatalf("list: %d %s", rec.Code, rec.Body)
	}

	// Records go to it as a reader of RUS may see them; the log shows each.
	secret := openCase(t, srv, tokens["us.chair"], "COMMISSION")
	released := openCase(t, srv, tokens["us.chair"], "REL TO RUS")
	var posted []string
	d := notify.NewDispatcher(notify.DispatcherConfig{Store: st, Now: func() time.Time { return clock }, Client: &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		posted = append(posted, r.Header.Get(notify.HeaderDelivery))
		return &http.Response{StatusCode: 202, Body: http.NoBody, Request: r}, nil
	})}})
	if err := d.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec = do(srv, "GET", "/api/v1/webhooks/"+created.ID+"/deliveries", "", admin)
	var log struct {
		Deliveries []struct {
			ID, State string
			RecordKey string `json:"record_key"`
			Log       []struct{ Status int }
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &log); rec.Code != 200 || err != nil || len(posted) == 0 || len(log.Deliveries) != len(posted) {
		t.Fatalf("deliveries: %d %s; posted %v", rec.Code, rec.Body, posted)
	}
	for _, dl := range log.Deliveries {
		if len(dl.Log) != 1 || dl.Log[0].Status != 202 || dl.State != "delivered" || !strings.Contains(dl.RecordKey, released) {
			t.Fatalf("delivery %+v; want the REL TO RUS case's records, delivered", dl)
		}
		if strings.Contains(dl.RecordKey, secret) {
			t.Fatalf("a COMMISSION record was sent to a RUS webhook: %+v", dl)
		}
	}

	if rec := do(srv, "DELETE", "/api/v1/webhooks/"+created.ID, "", admin); rec.Code != 204 {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	if rec := do(srv, "GET", "/api/v1/webhooks", "", admin); !strings.Contains(rec.Body.String(), `"active":false`) {
		t.Fatalf("after delete: %s", rec.Body)
	}
	if rec := do(srv, "GET", "/api/v1/webhooks", "", tokens["us.chair"]); rec.Code != 404 {
		t.Fatalf("a commissioner listed webhooks: %d", rec.Code)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestStreamReadsRecordsAppendedElsewhere: a record the server's handlers
// did not publish (a case the event pipeline opened, another node's act)
// reaches an open stream at its next beat.
func TestStreamReadsRecordsAppendedElsewhere(t *testing.T) {
	_, st, tokens := notifyFixture(t)
	srv := server.New(server.Config{Store: st, Now: func() time.Time { return clock }, Version: "test", StreamHeartbeat: 20 * time.Millisecond})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp := openStream(t, ctx, hs.URL, tokens["ru.liaison"])

	rs, err := st.AppendProcedureRecords(ctx, []store.ProcedureRecord{
		{Kind: "case_action", Key: "case-auto-ev-1", Seq: 1, Marking: "COMMISSION", Document: []byte(`{"kind":"opened"}`), By: "truce", At: clock},
		{Kind: "case_action", Key: "case-auto-ev-1", Seq: 2, Marking: "REL TO RUS", Document: []byte(`{"kind":"notified"}`), By: "truce", At: clock},
	})
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(resp.Body)
	got := readEvents(t, sc, func(es []sseEvent) bool { return true })
	if len(got) != 1 || got[0].n.Sequence != rs[1].Sequence || got[0].n.Marking != "REL TO RUS" {
		t.Fatalf("streamed %+v; want only the record released to Russia (sequence %d)", got, rs[1].Sequence)
	}
}
