package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/ledger"
	"github.com/truce-mechanism/truce/server"
	"github.com/truce-mechanism/truce/store/sqlite"
)

// TestTwoOrganisations is the check, without --demo: users of two
// organisations, set up with the CLI, try to read each other's REL TO
// records; anonymous callers try to write and to read.
func TestTwoOrganisations(t *testing.T) {
	data := t.TempDir()
	setup := [][]string{
		{"org", "add", "USA", "--name", "United States", "--commission"},
		{"org", "add", "GBR", "--name", "United Kingdom"},
		{"user", "add", "us.monitor", "--org", "USA", "--role", "monitor"},
		{"user", "add", "us.analyst", "--org", "USA", "--role", "analyst,viewer"},
		{"user", "add", "gb.monitor", "--org", "GBR", "--role", "monitor"},
		{"user", "add", "us.admin", "--org", "USA", "--role", "admin"},
		{"source", "add", "us-team-1", "--org", "USA", "--kind", "monitor"},
		{"source", "add", "gb-team-1", "--org", "GBR", "--kind", "monitor"},
	}
	for _, args := range setup {
		if out, errOut, code := run(t, "", append(args, "--data", data)...); code != 0 {
			t.Fatalf("%v: %s%s", args, out, errOut)
		}
	}
	token := func(user string, scopes ...string) string {
		args := []string{"token", "create", "--user", user, "--data", data}
		for _, s := range scopes {
			args = append(args, "--scope", s)
		}
		out, errOut, code := run(t, "", args...)
		if code != 0 {
			t.Fatalf("token for %s: %s%s", user, out, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		return lines[len(lines)-1]
	}
	usMonitor, usAnalyst, gbMonitor := token("us.monitor", "submit"), token("us.analyst", "withdraw"), token("gb.monitor", "submit")
	usReadOnly := token("us.monitor")
	revoked := token("gb.monitor")
	out, _, _ := run(t, "", "token", "list", "--user", "gb.monitor", "--data", data)
	revokedID := strings.Fields(strings.Split(strings.TrimSpace(out), "\n")[1])[0] // newest first
	if _, errOut, code := run(t, "", "token", "revoke", revokedID, "--data", data); code != 0 {
		t.Fatal(errOut)
	}

	st, err := sqlite.Open(context.Background(), filepath.Join(data, "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 9, 2, 12, 0, 0, 0, time.UTC)
	key, err := ledger.LoadOrCreateKey(filepath.Join(data, ledgerKeyFile), "test.invalid/ledger")
	if err != nil {
		t.Fatal(err)
	}
	lg, err := ledger.OpenLog(context.Background(), filepath.Join(data, ledgerDir), key, ledger.LogOptions{CheckpointInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer lg.Close(context.Background())
	h := server.New(server.Config{Store: st, Now: func() time.Time { return now }, Ledger: lg, LedgerKey: key.Verifier})
	srv := httptest.NewServer(h)
	defer srv.Close()
	usAdmin := token("us.admin")

	report := func(src, id, marking string) string {
		return `{"id":"` + id + `","source":"` + src + `","observed_at":"2026-09-02T01:00:00Z","kind":"explosion","marking":"` + marking + `","location":{"lat":48.1,"lon":37.9}}`
	}
	cases := []struct {
		name, method, path, token, body string
		status                          int
		contains, notContains           []string
	}{
		{"USA reports for its team, releasable to USA", "POST", "/api/v1/observations", usMonitor, report("us-team-1", "u1", "REL TO USA"), 201, nil, nil},
		{"GBR reports for its team, releasable to GBR", "POST", "/api/v1/observations", gbMonitor, report("gb-team-1", "g1", "REL TO GBR"), 201, nil, nil},
		{"a public report", "POST", "/api/v1/observations", usMonitor, report("us-team-1", "p1", "PUBLIC"), 201, nil, nil},
		{"GBR may not report for a USA team", "POST", "/api/v1/observations", gbMonitor, report("us-team-1", "x1", "PUBLIC"), 422, []string{"belongs to organisation USA"}, nil},
		{"a read-only token may not submit", "POST", "/api/v1/observations", usReadOnly, report("us-team-1", "x2", "PUBLIC"), 401, nil, nil},
		{"anonymous may not submit", "POST", "/api/v1/observations", "", report("us-team-1", "x3", "PUBLIC"), 401, nil, nil},
		{"a revoked token is refused", "GET", "/api/v1/observations", revoked, "", 401, []string{"not valid"}, nil},
		{"a malformed token is refused", "GET", "/api/v1/observations", "truce_nonsense", "", 401, nil, nil},
		{"USA reads its record", "GET", "/api/v1/observations/us-team-1/u1", usAnalyst, "", 200, []string{`"id":"u1"`}, nil},
		{"GBR cannot read USA's record", "GET", "/api/v1/observations/us-team-1/u1", gbMonitor, "", 404, nil, []string{"REL TO USA"}},
		{"USA cannot read GBR's record", "GET", "/api/v1/observations/gb-team-1/g1", usAnalyst, "", 404, nil, nil},
		{"GBR's list holds its own and the public one", "GET", "/api/v1/observations", gbMonitor, "", 200, []string{`"id":"g1"`, `"id":"p1"`}, []string{`"id":"u1"`}},
		{"USA's list holds its own and the public one", "GET", "/api/v1/observations", usAnalyst, "", 200, []string{`"id":"u1"`, `"id":"p1"`}, []string{`"id":"g1"`}},
		{"the public sees the public one only", "GET", "/api/v1/observations", "", "", 200, []string{`"id":"p1"`}, []string{`"id":"u1"`, `"id":"g1"`}},
		{"GBR asks for a proof of USA's record: it does not exist", "GET", "/api/v1/proof/observation/us-team-1/u1", gbMonitor, "", 404, nil, nil},
		{"USA asks for it: not yet in the ledger", "GET", "/api/v1/proof/observation/us-team-1/u1", usAnalyst, "", 503, []string{"not yet"}, nil},
		{"anyone reads the ledger's checkpoint", "GET", "/ledger/checkpoint", "", "", 200, []string{"test.invalid/ledger"}, nil},
		{"GBR cannot withdraw (no role, no scope)", "POST", "/api/v1/withdrawals", gbMonitor, `{"record":{"type":"observation","key":"gb-team-1/g1"},"reason":"x"}`, 401, nil, nil},
		{"USA's analyst cannot withdraw what it cannot see", "POST", "/api/v1/withdrawals", usAnalyst, `{"record":{"type":"observation","key":"gb-team-1/g1"},"reason":"x"}`, 404, nil, nil},
		{"USA's analyst withdraws USA's record", "POST", "/api/v1/withdrawals", usAnalyst, `{"record":{"type":"observation","key":"us-team-1/u1"},"reason":"duplicate"}`, 201, []string{`"by":"us.analyst"`}, nil},
		{"GBR does not see that withdrawal", "GET", "/api/v1/withdrawals", gbMonitor, "", 200, nil, []string{"us-team-1/u1"}},
		{"the audit trail does not exist for an analyst", "GET", "/api/v1/audit", usAnalyst, "", 404, nil, []string{"us-team-1"}},
		{"an admin reads who read USA's record", "GET", "/api/v1/audit?actor=us.analyst", usAdmin, "", 200,
			[]string{`"action":"read"`, "observation/us-team-1/u1 (REL TO USA)", `"org":"USA"`}, []string{`"actor":"gb.monitor"`}},
		{"and what the CLI changed, and who was refused", "GET", "/api/v1/audit?limit=1000", usAdmin, "", 200,
			[]string{`"action":"org"`, `"target":"GBR"`, `"action":"token"`, `"detail":"revoked"`, `"actor":"gb.monitor"`, `"detail":"422"`}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
			if c.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body)
			}
			for _, s := range c.contains {
				if !strings.Contains(string(body), s) {
					t.Errorf("body lacks %q: %s", s, body)
				}
			}
			for _, s := range c.notContains {
				if strings.Contains(string(body), s) {
					t.Errorf("body has %q: %s", s, body)
				}
			}
		})
	}
}
