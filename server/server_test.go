package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/server"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/sqlite"
)

// clock is the fixed "now" of every test: reports may not lie more than
// five minutes after it.
var clock = time.Date(2026, 9, 2, 12, 0, 0, 0, time.UTC)

func newServer(t *testing.T, demo bool) (*server.Server, store.Store) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir()+"/truce.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := server.New(server.Config{Store: st, Demo: demo, Now: func() time.Time { return clock }, Version: "test"})
	return srv, st
}

// apiCase is one request and what its answer must and must not contain.
type apiCase struct {
	name        string
	method, url string
	ctype, body string
	status      int
	contains    []string
	notContains []string
	header      map[string]string
}

func (c apiCase) run(t *testing.T, h http.Handler) string {
	t.Helper()
	req := httptest.NewRequest(c.method, c.url, strings.NewReader(c.body))
	if c.ctype != "" {
		req.Header.Set("Content-Type", c.ctype)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != c.status {
		t.Fatalf("%s %s: status %d, want %d; body: %s", c.method, c.url, rec.Code, c.status, body)
	}
	for _, s := range c.contains {
		if !strings.Contains(string(body), s) {
			t.Errorf("%s %s: body lacks %q: %s", c.method, c.url, s, body)
		}
	}
	for _, s := range c.notContains {
		if strings.Contains(string(body), s) {
			t.Errorf("%s %s: body has %q: %s", c.method, c.url, s, body)
		}
	}
	for k, v := range c.header {
		if got := rec.Header().Get(k); !strings.Contains(got, v) {
			t.Errorf("%s %s: header %s = %q, want it to contain %q", c.method, c.url, k, got, v)
		}
	}
	return string(body)
}

const (
	report       = `{"id":"r1","source":"smm-7","observed_at":"2026-09-02T04:12:00+03:00","kind":"explosion","count":3,"location":{"lat":48.0,"lon":37.8}}`
	reportEdited = `{"id":"r1","source":"smm-7","observed_at":"2026-09-02T04:12:00+03:00","kind":"explosion","count":4,"location":{"lat":48.0,"lon":37.8}}`
	publicReport = `{"id":"p1","source":"smm-7","observed_at":"2026-09-02T05:00:00Z","kind":"flare","marking":"PUBLIC","location":{"lat":48.5,"lon":38.0}}`
	problemJSON  = "application/problem+json"
)

// TestIntakeScenarios runs one table through a demo server in order: the
// scenarios build on each other (a repeat needs the first report stored).
func TestIntakeScenarios(t *testing.T) {
	srv, _ := newServer(t, true)
	cases := []apiCase{
		{name: "one report is stored", method: "POST", url: "/api/v1/observations", ctype: "application/json", body: report,
			status: 201, contains: []string{`"id":"r1"`, `"received_at":"2026-09-02T12:00:00Z"`, `"sequence":1`},
			header: map[string]string{"Location": "/api/v1/observations/smm-7/r1", "Truce-Demo": "demo"}},
		{name: "the same report again is a duplicate", method: "POST", url: "/api/v1/observations", ctype: "application/json", body: report,
			status: 200, contains: []string{`"sequence":1`}},
		{name: "other content under the same key conflicts", method: "POST", url: "/api/v1/observations", ctype: "application/json", body: reportEdited,
			status: 409, contains: []string{`"source":"smm-7"`, `"id":"r1"`, "nothing was stored"}, header: map[string]string{"Content-Type": problemJSON}},
		{name: "every bad field is named", method: "POST", url: "/api/v1/observations", ctype: "application/json",
			body:   `{"id":"x","source":"s","observed_at":"yesterday","kind":"bang","location":{"lat":91,"lon":37}}`,
			status: 422, contains: []string{`"/observed_at"`, `"/kind"`, `"/location`}, header: map[string]string{"Content-Type": problemJSON}},
		{name: "a report from the future is refused", method: "POST", url: "/api/v1/observations", ctype: "application/json",
			body:   `{"id":"f1","source":"s","observed_at":"2026-09-02T12:06:00Z","kind":"shot"}`,
			status: 422, contains: []string{`"/observed_at"`}},
		{name: "five minutes of clock skew is tolerated", method: "POST", url: "/api/v1/observations", ctype: "application/json",
			body:   `{"id":"f2","source":"s","observed_at":"2026-09-02T12:05:00Z","kind":"shot"}`,
			status: 201},
		{name: "an NDJSON batch with one bad line stores nothing and names the line", method: "POST", url: "/api/v1/observations", ctype: "application/x-ndjson",
			body:   `{"id":"n1","source":"s","observed_at":"2026-09-02T01:00:00Z","kind":"flare"}` + "\n" + `{"id":"n2","source":"s","observed_at":"2026-09-02T01:00:00Z","kind":"flare","count":0}` + "\n",
			status: 422, contains: []string{`"pointer":"/count"`, `"line":2`, `"index":1`}},
		{name: "the good line of the refused batch was not stored", method: "GET", url: "/api/v1/observations/s/n1", status: 404,
			header: map[string]string{"Content-Type": problemJSON}},
		{name: "an NDJSON batch", method: "POST", url: "/api/v1/observations", ctype: "application/x-ndjson",
			body:   `{"id":"n1","source":"s","observed_at":"2026-09-02T01:00:00Z","kind":"flare"}` + "\n" + `{"id":"n2","source":"s","observed_at":"2026-09-02T01:00:00Z","kind":"flare","count":2}` + "\n",
			status: 201, contains: []string{`"created":2`, `"existing":0`}},
		{name: "a CSV batch with a bad row names the row", method: "POST", url: "/api/v1/observations", ctype: "text/csv",
			body:   "id,source,observed_at,kind,location.lat,location.lon\nc1,s,2026-09-02T02:00:00Z,explosion,48.1,37.9\nc2,s,2026-09-02T02:00:00Z,explosion,48.1,200\n",
			status: 422, contains: []string{`"/location/lon"`, `"row":3`}},
		{name: "a GeoJSON FeatureCollection", method: "POST", url: "/api/v1/observations", ctype: "application/geo+json",
			body:   `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[37.9,48.1]},"properties":{"id":"g1","source":"s","observed_at":"2026-09-02T02:00:00Z","kind":"explosion"}}]}`,
			status: 201, contains: []string{`"location":{"lat":48.1,"lon":37.9}`}},
		{name: "a JSON array and a public report", method: "POST", url: "/api/v1/observations", ctype: "application/json",
			body: "[" + publicReport + "]", status: 201, contains: []string{`"created":1`}},
		{name: "malformed JSON", method: "POST", url: "/api/v1/observations", ctype: "application/json", body: `{"id":`,
			status: 400, header: map[string]string{"Content-Type": problemJSON}},
		{name: "an empty array", method: "POST", url: "/api/v1/observations", ctype: "application/json", body: `[]`, status: 422},
		{name: "an unsupported media type", method: "POST", url: "/api/v1/observations", ctype: "application/xml", body: `<x/>`, status: 415},
		{name: "read one back", method: "GET", url: "/api/v1/observations/smm-7/r1", status: 200,
			contains: []string{`"count":3`, `"sequence":1`}},
		{name: "an unknown record", method: "GET", url: "/api/v1/observations/smm-7/nope", status: 404},
		{name: "list by kind", method: "GET", url: "/api/v1/observations?kind=flare", status: 200,
			contains: []string{`"id":"n1"`, `"id":"n2"`, `"id":"p1"`}, notContains: []string{`"id":"r1"`}},
		{name: "list by box", method: "GET", url: "/api/v1/observations?bbox=37.7,47.9,37.85,48.05", status: 200,
			contains: []string{`"id":"r1"`}, notContains: []string{`"id":"g1"`, `"id":"p1"`}},
		{name: "list by time", method: "GET", url: "/api/v1/observations?since=2026-09-02T01:10:00Z&until=2026-09-02T03:00:00Z", status: 200,
			contains: []string{`"id":"r1"`, `"id":"g1"`}, notContains: []string{`"id":"n1"`, `"id":"p1"`}},
		{name: "a bad query names the parameter", method: "GET", url: "/api/v1/observations?bbox=1,2,3&limit=0&colour=red", status: 400,
			contains: []string{`"?bbox"`, `"?limit"`, `"?colour"`}},
		{name: "a wrong method is a problem document", method: "DELETE", url: "/api/v1/observations/smm-7/r1", status: 405,
			header: map[string]string{"Content-Type": problemJSON}},
		{name: "an unknown path is a problem document", method: "GET", url: "/api/v2/nothing", status: 404,
			header: map[string]string{"Content-Type": problemJSON}},
		{name: "health", method: "GET", url: "/healthz", status: 200, contains: []string{`"ok"`}},
		{name: "readiness", method: "GET", url: "/readyz", status: 200, contains: []string{`"ready"`}},
		{name: "metrics count what came in", method: "GET", url: "/metrics", status: 200,
			contains: []string{`truce_observations_total{outcome="created"} 6`, `truce_observations_total{outcome="existing"} 1`}},
		{name: "the UI shows the demo banner", method: "GET", url: "/", status: 200, contains: []string{"DEMO"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, srv) })
	}
}

// TestAnonymousReader pins what the public may do without demo mode: read
// PUBLIC records and nothing else; a hidden record does not exist (404,
// never 403), in lists as in single reads; writes need credentials.
func TestAnonymousReader(t *testing.T) {
	demo, st := newServer(t, true)
	for _, body := range []string{report, publicReport} {
		apiCase{method: "POST", url: "/api/v1/observations", ctype: "application/json", body: body, status: 201}.run(t, demo)
	}
	public := server.New(server.Config{Store: st, Now: func() time.Time { return clock }})
	cases := []apiCase{
		{name: "write without credentials", method: "POST", url: "/api/v1/observations", ctype: "application/json", body: publicReport, status: 401},
		{name: "a PUBLIC record", method: "GET", url: "/api/v1/observations/smm-7/p1", status: 200},
		{name: "a MISSION record does not exist", method: "GET", url: "/api/v1/observations/smm-7/r1", status: 404,
			notContains: []string{"MISSION", "forbidden"}},
		{name: "lists hold PUBLIC records only", method: "GET", url: "/api/v1/observations", status: 200,
			contains: []string{`"id":"p1"`}, notContains: []string{`"id":"r1"`}},
		{name: "no demo banner", method: "GET", url: "/", status: 200, notContains: []string{"DEMO"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.run(t, public)
		})
	}
	rec := httptest.NewRecorder()
	public.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Header().Get("Truce-Demo") != "" {
		t.Error("a server without --demo sends the demo header")
	}
}

// TestPaging pins stable cursor paging: walking pages of 3 over 10 records
// visits each exactly once, in (observed_at, sequence) order.
func TestPaging(t *testing.T) {
	srv, _ := newServer(t, true)
	var nd strings.Builder
	for i := range 10 {
		// two reports share each timestamp, so order within a time falls
		// to the sequence
		nd.WriteString(`{"id":"k` + string(rune('a'+i)) + `","source":"s","observed_at":"2026-09-02T0` + string(rune('0'+i/2)) + `:00:00Z","kind":"shot"}` + "\n")
	}
	apiCase{method: "POST", url: "/api/v1/observations", ctype: "application/x-ndjson", body: nd.String(), status: 201}.run(t, srv)
	var got []string
	url := "/api/v1/observations?limit=3"
	for pages := 0; url != ""; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		body := apiCase{method: "GET", url: url, status: 200}.run(t, srv)
		var page struct {
			Records []struct {
				ID string `json:"id"`
			} `json:"records"`
			Next string `json:"next_cursor"`
		}
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			got = append(got, r.ID)
		}
		url = ""
		if page.Next != "" {
			url = "/api/v1/observations?limit=3&cursor=" + page.Next
		}
	}
	want := "ka kb kc kd ke kf kg kh ki kj"
	if strings.Join(got, " ") != want {
		t.Fatalf("pages gave %v, want %s", got, want)
	}
}

// TestBodyLimit: a body over 32 MiB is refused with 413 before it is read
// whole.
func TestBodyLimit(t *testing.T) {
	srv, _ := newServer(t, true)
	big := strings.Repeat(" ", server.MaxBodyBytes+1)
	apiCase{method: "POST", url: "/api/v1/observations", ctype: "application/json", body: big, status: 413,
		header: map[string]string{"Content-Type": problemJSON}}.run(t, srv)
}
