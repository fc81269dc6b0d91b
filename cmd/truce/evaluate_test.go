package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// evalTruth: two true events — an explosion by RUS heard by two acoustic
// arrays, a weapon of UKR seen by a UAV — and a third nobody perceived.
const evalTruth = `{
  "format": "truce-sim-truth/1", "scenario": "canned", "seed": 5, "parties": ["UKR","RUS"],
  "counts": {"events": 3, "observations": 4},
  "sensors": [
    {"source":"a1","kind":"sensor","model":"acoustic","position":{"lat":48.045,"lon":37.0},"bearing_sigma_deg":2,"delay":""},
    {"source":"a2","kind":"sensor","model":"acoustic","position":{"lat":48.0,"lon":37.067},"bearing_sigma_deg":2,"delay":""},
    {"source":"u1","kind":"uav","model":"uav","location_sigma_m":15,"delay":""}
  ],
  "gaps": [], "tracks": [],
  "spurious": [{"source":"a1","id":"9","kind":"explosion","reason":"thunder","arrival_at":"2026-09-02T05:00:00.000Z"}],
  "events": [
    {"id":"E000001","kind":"explosion","party":"RUS","time":"2026-09-02T01:00:00.000Z","end":"2026-09-02T01:00:30.000Z",
     "impact_time":"2026-09-02T01:00:20.000Z","location":{"lat":48.0,"lon":37.0},"target":{"lat":48.0,"lon":37.0},
     "origin":{"lat":48.05,"lon":37.1},"location_party":"UKR","location_line_m":500,"dispersion_m":100,"count":3,
     "weapon_zones":[],"violations":[{"rule":"fire-after-ceasefire","severity":"high","agreement":"demo","version":1,"at":"location"}],
     "observed":true,"observations":[{"source":"a1","id":"1","sees":"impact","arrival_at":"2026-09-02T01:00:40.000Z"},
       {"source":"a2","id":"1","sees":"impact","arrival_at":"2026-09-02T01:00:41.000Z"}]},
    {"id":"E000002","kind":"weapon_sighting","party":"UKR","time":"2026-09-02T00:00:00.000Z","end":"2026-09-02T06:00:00.000Z",
     "location":{"lat":48.1,"lon":37.2},"location_party":"UKR","location_line_m":3000,"count":2,"weapon_zones":["light-weapons"],
     "violations":[{"rule":"weapon-in-withdrawal-zone","severity":"high","agreement":"demo","version":1,"at":"location"}],
     "observed":true,"observations":[{"source":"u1","id":"1","sees":"weapon","arrival_at":"2026-09-02T03:00:00.000Z"}]},
    {"id":"E000003","kind":"explosion","party":"UKR","time":"2026-09-02T02:00:00.000Z","end":"2026-09-02T02:00:30.000Z",
     "location":{"lat":47.9,"lon":37.3},"location_party":"RUS","location_line_m":900,"count":1,"weapon_zones":[],
     "violations":[],"observed":false,"observations":[]}
  ]
}
`

// The events API's pages, as the server would serve them: the first
// event on page one, the second and a spurious one on page two.
var evalPages = map[string]string{
	"": `{"records":[{"id":"ev-1","start":"2026-09-02T01:00:20Z","end":"2026-09-02T01:00:21Z","kind":"explosion",
		"location":{"lat":48.0,"lon":37.0},"error":{"semi_major_m":500,"semi_minor_m":400,"orientation_deg":0},"count":3,
		"observations":[{"source":"a1","id":"1"},{"source":"a2","id":"1"}],"corroboration":"corroborated",
		"violations":[{"rule":"fire-after-ceasefire","agreement_version":1,"severity":"high"}],
		"attribution":{"party":"RUS","probability":0.98,"probabilities":{"RUS":0.98,"UKR":0.02}},"marking":["MISSION"]}],
		"next_cursor":"p2"}`,
	"p2": `{"records":[{"id":"ev-2","start":"2026-09-02T03:00:00Z","end":"2026-09-02T03:00:00Z","kind":"weapon_sighting",
		"location":{"lat":48.1,"lon":37.2},"count":2,"observations":[{"source":"u1","id":"1"}],"corroboration":"reported",
		"violations":[{"rule":"weapon-in-withdrawal-zone","agreement_version":1,"severity":"high"}],
		"attribution":{"party":"undetermined","probability":0,"probabilities":{"UKR":0.6,"RUS":0.4}},"marking":["MISSION"]},
		{"id":"ev-3","start":"2026-09-02T05:00:00Z","end":"2026-09-02T05:00:00Z","kind":"explosion","count":1,
		"observations":[{"source":"a1","id":"9"}],"corroboration":"reported","violations":[],
		"attribution":{"party":"undetermined","probability":0,"probabilities":{}},"marking":["MISSION"]}]}`,
}

// fakeEventsServer serves canned status answers, one per request (the
// last repeated), and the pages above; with token set it refuses
// requests without that bearer token as the real server does.
type fakeEventsServer struct {
	mu       sync.Mutex
	statuses []string
	pages    map[string]string
	token    string
	polls    int
	limits   []string
}

func (f *fakeEventsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.token != "" && r.Header.Get("Authorization") != "Bearer "+f.token {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"title":"Authentication required","status":401,"detail":"a bearer token is required"}`)
		return
	}
	switch r.URL.Path {
	case "/api/v1/fusion/status":
		s := f.statuses[min(f.polls, len(f.statuses)-1)]
		f.polls++
		if code, body, ok := strings.Cut(s, " "); ok && code == "503" {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, body)
			return
		}
		fmt.Fprint(w, s)
	case "/api/v1/events":
		f.limits = append(f.limits, r.URL.Query().Get("limit"))
		page, ok := f.pages[r.URL.Query().Get("cursor")]
		if !ok {
			http.Error(w, `{"title":"Bad query","status":400,"detail":"bad cursor"}`, http.StatusBadRequest)
			return
		}
		fmt.Fprint(w, page)
	default:
		http.NotFound(w, r)
	}
}

// runEvaluateCLI runs `truce evaluate` in-process as a user would type it,
// whether or not main.go has registered the command yet.
func runEvaluateCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	root := newRoot()
	found := false
	for _, c := range root.Commands() {
		found = found || c.Name() == "evaluate"
	}
	if !found {
		root.AddCommand(newEvaluateCmd())
	}
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(append([]string{"evaluate"}, args...))
	if err := root.ExecuteContext(context.Background()); err != nil {
		code = exitCode(err)
		var ee *exitError
		if !errors.As(err, &ee) {
			errb.WriteString(err.Error())
		}
	}
	return out.String(), errb.String(), code
}

func TestEvaluate(t *testing.T) {
	truth := writeFile(t, t.TempDir(), "truth.json", evalTruth)
	caughtUp := `{"observations":5,"fused":5}`
	cases := []struct {
		name      string
		srv       *fakeEventsServer
		args      []string
		wantCode  int
		wantOut   []string
		wantErr   []string
		wantPolls int
	}{
		{name: "waits for fusion, then scores as JSON",
			srv:  &fakeEventsServer{statuses: []string{`{"observations":5,"fused":1}`, `{"observations":5,"fused":3}`, caughtUp}},
			args: []string{"--json", "--poll", "1ms"},
			wantOut: []string{`"f1": 0.8`, `"precision": 0.6667`, `"recall": 1`, `"recall_all": 0.6667`, `"loc_median_m": 0`,
				`"loc_crlb_ratio": 0`, `"attribution_accuracy": 1`, `"attributed_fraction": 0.5`, `"wrong_confident": 0`,
				`"brier": 0.0802`, `"violation_accuracy": 1`, `"spurious": 1`, `"matched": 2`, `"scenario": "canned"`},
			wantErr: []string{"waiting for fusion: 1 of 5 observations fused (20%)", "3 of 5", "fusion has caught up: 5 of 5"}, wantPolls: 3},
		{name: "a table without --json", srv: &fakeEventsServer{statuses: []string{caughtUp}},
			wantOut: []string{"scenario canned, seed 5", "F1", "0.800", "2 matched of 3 fused events (1 spurious, 0 duplicates)",
				"median error / CRLB", "By kind", "weapon_sighting"}},
		{name: "the token is sent", srv: &fakeEventsServer{statuses: []string{caughtUp}, token: "s3cret"},
			args: []string{"--json", "--token", "s3cret"}, wantOut: []string{`"f1": 0.8`}},
		{name: "a server that wants a token", srv: &fakeEventsServer{statuses: []string{caughtUp}, token: "s3cret"},
			wantCode: 1, wantErr: []string{"--token", "401", "Authentication required", "a token that may read events"}},
		{name: "fewer observations than the truth's reports", srv: &fakeEventsServer{statuses: []string{`{"observations":2,"fused":2}`}},
			wantOut: []string{"F1"}, wantErr: []string{"note: the server holds 2 observations, the truth lists 4 reports: were they all ingested?"}},
		{name: "a wrong token", srv: &fakeEventsServer{statuses: []string{caughtUp}, token: "s3cret"}, args: []string{"--token", "nope"},
			wantCode: 1, wantErr: []string{"--token", "the token given may not read events"}},
		{name: "fusion never catches up", srv: &fakeEventsServer{statuses: []string{`{"observations":5,"fused":2}`}},
			args: []string{"--wait", "30ms", "--poll", "5ms"}, wantCode: 1,
			wantErr: []string{"--wait 30ms passed with fusion at 2 of 5 observations"}},
		{name: "--wait 0 scores what is there", srv: &fakeEventsServer{statuses: []string{`{"observations":5,"fused":2}`}},
			args: []string{"--wait", "0", "--json"}, wantOut: []string{`"f1": 0.8`},
			wantErr: []string{"fusion has fused 2 of 5 observations; scoring what is there now (--wait 0)"}, wantPolls: 1},
		{name: "a server failing, then answering", srv: &fakeEventsServer{statuses: []string{`503 {"title":"Service unavailable"}`, caughtUp}},
			args: []string{"--json", "--poll", "1ms"}, wantOut: []string{`"f1": 0.8`},
			wantErr: []string{"waiting for the server: --server", "answered 503: Service unavailable"}, wantPolls: 2},
		{name: "a server failing to the end", srv: &fakeEventsServer{statuses: []string{`503 {"title":"Service unavailable","detail":"this server does not run fusion"}`}},
			args: []string{"--wait", "20ms", "--poll", "5ms"}, wantCode: 1,
			wantErr: []string{"--wait 20ms passed: --server", "this server does not run fusion"}},
		{name: "a status of another shape", srv: &fakeEventsServer{statuses: []string{`{"stored":5}`}}, wantCode: 1,
			wantErr: []string{`want {"observations": N, "fused": M}`}},
		{name: "a page the scorer cannot read", srv: &fakeEventsServer{statuses: []string{caughtUp},
			pages: map[string]string{"": evalPages[""], "p2": `{"records":[{"id":"ev-2","count":"two"}]}`}}, wantCode: 1,
			wantErr: []string{"GET /api/v1/events, page 2", `record 0 (id "ev-2"): field count`}},
		{name: "a cursor that comes back", srv: &fakeEventsServer{statuses: []string{caughtUp},
			pages: map[string]string{"": evalPages[""], "p2": `{"records":[],"next_cursor":"p2"}`}}, wantCode: 1,
			wantErr: []string{`next_cursor "p2" was given before`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.srv.pages == nil {
				c.srv.pages = evalPages
			}
			ts := httptest.NewServer(c.srv)
			defer ts.Close()
			out, errs, code := runEvaluateCLI(t, append([]string{"--truth", truth, "--server", ts.URL}, c.args...)...)
			if code != c.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.wantCode, out, errs)
			}
			for _, w := range c.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range c.wantErr {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
			if c.wantPolls > 0 && c.srv.polls != c.wantPolls {
				t.Errorf("status asked %d times, want %d", c.srv.polls, c.wantPolls)
			}
			if c.wantCode == 0 {
				for _, l := range c.srv.limits {
					if l != "10000" {
						t.Errorf("asked for pages of %q events, want 10000", l)
					}
				}
				if c.srv.limits == nil {
					t.Error("no events page was read")
				}
			}
			if c.wantCode == 0 && strings.Contains(strings.Join(c.args, " "), "--json") {
				var m map[string]any
				if err := json.Unmarshal([]byte(out), &m); err != nil {
					t.Errorf("--json output is not one JSON object: %v", err)
				}
			}
		})
	}
}

// TestEvaluateFlags: each mistake is named by its flag, before any request.
func TestEvaluateFlags(t *testing.T) {
	dir := t.TempDir()
	truth := writeFile(t, dir, "truth.json", evalTruth)
	notTruth := writeFile(t, dir, "reports.ndjson", `{"id":"1","source":"a"}`)
	oldFormat := writeFile(t, dir, "old.json", `{"format":"truce-sim-truth/0"}`)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--server", "http://127.0.0.1:1"}, "--truth: name the truth.json"},
		{[]string{"--truth", truth}, "--server: name the truce server"},
		{[]string{"--truth", truth, "--server", "127.0.0.1:8080"}, `--server "127.0.0.1:8080": want an http or https URL`},
		{[]string{"--truth", truth, "--server", "ftp://host"}, "want an http or https URL"},
		{[]string{"--truth", dir + "/missing.json", "--server", "http://127.0.0.1:1"}, "--truth: open"},
		{[]string{"--truth", notTruth, "--server", "http://127.0.0.1:1"}, "--truth " + notTruth + ": truth: format"},
		{[]string{"--truth", oldFormat, "--server", "http://127.0.0.1:1"}, `format "truce-sim-truth/0"`},
		{[]string{"--truth", truth, "--server", "http://127.0.0.1:1", "--wait", "-1s"}, "--wait -1s: want 0 or more"},
		{[]string{"--truth", truth, "--server", "http://127.0.0.1:1", "--poll", "0s"}, "--poll 0s: want more than 0"},
		{[]string{"--truth", truth, "--server", "http://127.0.0.1:1", "--wait", "0"}, "--wait 0s passed: --server http://127.0.0.1:1"},
		{[]string{"--truth", truth, "--server", "http://127.0.0.1:1", "stray"}, "unknown command"},
	}
	for _, c := range cases {
		_, errs, code := runEvaluateCLI(t, c.args...)
		if code != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want an error naming %q", c.args, code, errs, c.want)
		}
	}
}
