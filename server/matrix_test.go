package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/server"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/sqlite"
)

// The access matrix: every route × every kind of reader × every marking.
// A record a reader may not see does not exist for it (404, never 403);
// writes need the role and the token's scope. A route added without a row
// in routeRules fails TestAccessMatrix.

// matrixReaders are the users of the matrix, by organisation and role.
var matrixReaders = []struct {
	name, org string
	roles     []string
	scopes    []access.Action
}{
	{"anonymous", "", nil, nil},
	{"lead viewer", "LEAD", []string{access.RoleViewer}, nil},
	{"USA monitor", "USA", []string{access.RoleMonitor}, []access.Action{access.Submit}},
	{"USA monitor, read-only token", "USA", []string{access.RoleMonitor}, nil},
	{"USA analyst", "USA", []string{access.RoleAnalyst}, []access.Action{access.Withdraw, access.Release}},
	{"USA commissioner", "USA", []string{access.RoleCommissioner}, []access.Action{access.Act}},
	{"USA commissioner, read-only token", "USA", []string{access.RoleCommissioner}, nil},
	{"GBR viewer", "GBR", []string{access.RoleViewer}, []access.Action{access.Act}},
	{"GBR monitor", "GBR", []string{access.RoleMonitor}, []access.Action{access.Submit}},
	{"RUS liaison", "RUS", []string{access.RoleLiaison}, []access.Action{access.Act}},
	{"lead admin", "LEAD", []string{access.RoleAdmin}, nil},
}

// cannotAct: the Commission's and the guarantees' acts need a named user
// of an organisation and, through a token, the scope act (401 otherwise,
// before the body is read).
func cannotAct(r access.Reader) bool { return r.Org == "" || !r.TokenAllows(access.Act) }

var matrixOrgs = []access.Organisation{
	{Code: "LEAD", Name: "Mission lead", Kind: access.KindLead},
	{Code: "USA", Name: "United States", Kind: access.KindParticipant, Commission: true},
	{Code: "GBR", Name: "United Kingdom", Kind: access.KindParticipant},
	{Code: "RUS", Name: "Russian Federation", Kind: access.KindParty},
}

var matrixMarkings = []string{"PUBLIC", "MISSION", "COMMISSION", "REL TO USA", "REL TO GBR, USA", "REL TO RUS"}

// matrixCase is one request a reader makes about the record of one
// marking (id), and what it must get.
type matrixCase struct {
	method, path, body string
	// want is the status; contains/lacks are checked on the body.
	want            int
	orWant          int // another acceptable status, or 0
	contains, lacks string
	// forbidden allows a 403: the Commission's and the guarantees' acts
	// refuse who may act (a liaison opening a case) on a record the
	// reader sees or creates, which reveals nothing.
	forbidden bool
}

// routeRules gives, for each route, the request and expected answer for
// a reader r and the record m (marking, id). sees is r.CanSee(marking).
var routeRules = map[string]func(r access.Reader, marking, id string, sees bool) matrixCase{
	"GET /healthz": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/healthz", want: 200}
	},
	"GET /readyz": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/readyz", want: 200}
	},
	"GET /metrics": func(r access.Reader, _, _ string, _ bool) matrixCase {
		// Counts over every record: for admins, unless the operator opens them.
		return matrixCase{method: "GET", path: "/metrics", want: ifElse(r.May(access.Audit), 200, 404), lacks: "REL TO"}
	},
	"GET /{$}": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/", want: 200}
	},
	"GET /static/": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/static/nothing", want: 404}
	},
	"GET /api/v1/sources": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/sources", want: 200}
	},
	"GET /api/v1/agreements": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/agreements", want: 200}
	},
	"GET /api/v1/agreements/{id}/{version}": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/agreements/none/1", want: 404}
	},
	"GET /api/v1/observations/{source}/{id}": func(r access.Reader, m, id string, sees bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/observations/usa-team/" + id, want: ifElse(sees, 200, 404), lacks: ifElse(sees, "", `"kind"`)}
	},
	"GET /api/v1/observations": func(r access.Reader, m, id string, sees bool) matrixCase {
		c := matrixCase{method: "GET", path: "/api/v1/observations?limit=1000", want: 200}
		if sees {
			c.contains = `"id":"` + id + `"`
		} else {
			c.lacks = `"id":"` + id + `"`
		}
		return c
	},
	"POST /api/v1/observations": func(r access.Reader, m, id string, sees bool) matrixCase {
		body := `{"id":"new-` + id + `","source":"usa-team","observed_at":"2026-09-02T01:00:00Z","kind":"flare","marking":"` + m + `"}`
		switch {
		case !r.May(access.Submit):
			return matrixCase{method: "POST", path: "/api/v1/observations", body: body, want: 401}
		case r.Org != "USA":
			return matrixCase{method: "POST", path: "/api/v1/observations", body: body, want: 422, contains: "belongs to organisation USA"}
		}
		return matrixCase{method: "POST", path: "/api/v1/observations", body: body, want: 201}
	},
	"POST /api/v1/withdrawals": func(r access.Reader, m, id string, sees bool) matrixCase {
		body := `{"record":{"type":"observation","key":"usa-team/` + id + `"},"reason":"matrix"}`
		switch {
		case !r.May(access.Withdraw):
			return matrixCase{method: "POST", path: "/api/v1/withdrawals", body: body, want: 401}
		case !sees:
			return matrixCase{method: "POST", path: "/api/v1/withdrawals", body: body, want: 404}
		}
		return matrixCase{method: "POST", path: "/api/v1/withdrawals", body: body, want: 201}
	},
	"GET /api/v1/withdrawals": func(r access.Reader, m, id string, sees bool) matrixCase {
		c := matrixCase{method: "GET", path: "/api/v1/withdrawals?limit=1000", want: 200}
		if !sees {
			c.lacks = "usa-team/" + id + `"`
		}
		return c
	},
	"GET /api/v1/proof/observation/{source}/{id}": func(r access.Reader, m, id string, sees bool) matrixCase {
		// No ledger runs in this server: a visible record gets 503, an
		// invisible one 404 — never anything that tells them apart
		// from a record that does not exist.
		return matrixCase{method: "GET", path: "/api/v1/proof/observation/usa-team/" + id, want: ifElse(sees, 503, 404)}
	},
	"GET /api/v1/proof/withdrawal/{sequence}": func(r access.Reader, m, id string, sees bool) matrixCase {
		// Withdrawal n is of the record of marking n (made in setup).
		return matrixCase{method: "GET", path: "/api/v1/proof/withdrawal/" + withdrawalOf[id], want: ifElse(sees, 503, 404)}
	},
	"GET /api/v1/audit": func(r access.Reader, m, id string, sees bool) matrixCase {
		// The trail exists only for admins; it names records, so to
		// anyone else it is 404 like a record they may not see.
		return matrixCase{method: "GET", path: "/api/v1/audit", want: ifElse(r.May(access.Audit), 200, 404)}
	},
	"POST /api/v1/login": func(access.Reader, string, string, bool) matrixCase {
		// The matrix fails this login dozens of times: throttling (429)
		// sets in after five, as it must.
		return matrixCase{method: "POST", path: "/api/v1/login", body: `{"user":"nobody","password":"wrong password!"}`, want: 401, orWant: 429}
	},
	"POST /api/v1/logout": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "POST", path: "/api/v1/logout", want: 204}
	},
	"GET /auth/oidc/{org}/login": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/auth/oidc/USA/login", want: 404} // no provider in this server
	},
	"GET /auth/oidc/{org}/callback": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/auth/oidc/USA/callback?code=x&state=y", want: 404}
	},
	"GET /api/v1/events": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/events", want: 503} // no fusion here; TestEvents checks who sees which
	},
	"GET /api/v1/fusion/status": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/fusion/status", want: 503}
	},
	"GET /api/v1/incidents": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/incidents", want: 503} // no fusion here; TestEvents checks who sees which
	},
	"GET /api/v1/stats/daily": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/stats/daily", want: 503} // no fusion here; TestEvents checks who sees which
	},
	"GET /api/v1/coverage": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/coverage", want: 503} // no tracker here; TestCoverage checks who sees which
	},
	"GET /api/v1/proof/consistency": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/proof/consistency?from=1", want: 503}
	},
	"GET /api/v1/ledger/entries/{index}": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/ledger/entries/0", want: 503}
	},
	"GET /ledger/key": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/ledger/key", want: 503}
	},
	"GET /ledger/checkpoint": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/ledger/checkpoint", want: 503}
	},
	"GET /ledger/tile/": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/ledger/tile/0/000", want: 503}
	},
	"POST /api/v1/releases": func(r access.Reader, m, id string, sees bool) matrixCase {
		body := `{"of":"event/ev-` + id + `","marking":"PUBLIC","reason":"matrix"}`
		switch {
		case !r.May(access.Release):
			return matrixCase{method: "POST", path: "/api/v1/releases", body: body, want: 401}
		case !sees:
			return matrixCase{method: "POST", path: "/api/v1/releases", body: body, want: 404}
		}
		return matrixCase{method: "POST", path: "/api/v1/releases", body: body, want: 201, lacks: `"observations"`}
	},
	"GET /api/v1/releases": func(r access.Reader, m, id string, sees bool) matrixCase {
		c := matrixCase{method: "GET", path: "/api/v1/releases?limit=1000", want: 200}
		if sees {
			c.contains = `"id":"` + releaseOf[id] + `"`
		} else {
			c.lacks = releaseOf[id]
		}
		return c
	},
	"GET /api/v1/releases/{id}": func(r access.Reader, m, id string, sees bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/releases/" + releaseOf[id], want: ifElse(sees, 200, 404), lacks: ifElse(sees, "", `"document"`)}
	},
	"GET /api/v1/proof/release/{id}": func(r access.Reader, m, id string, sees bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/proof/release/" + releaseOf[id], want: ifElse(sees, 503, 404)}
	},
	"GET /api/v1/proof/event/{id}/{version}": func(r access.Reader, m, id string, sees bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/proof/event/ev-" + id + "/1", want: ifElse(sees, 503, 404)}
	},
	"GET /api/v1/event-versions": func(r access.Reader, m, id string, sees bool) matrixCase {
		c := matrixCase{method: "GET", path: "/api/v1/event-versions?limit=1000", want: 200}
		if sees {
			c.contains = `"id":"ev-` + id + `"`
		} else {
			c.lacks = `"id":"ev-` + id + `"`
		}
		return c
	},
	"GET /api/v1/procedure-records": func(r access.Reader, m, id string, sees bool) matrixCase {
		c := matrixCase{method: "GET", path: "/api/v1/procedure-records?limit=1000", want: 200}
		if sees {
			c.contains = caseOf[id]
		} else {
			c.lacks = caseOf[id]
		}
		return c
	},
	"GET /api/v1/cases": func(r access.Reader, m, id string, sees bool) matrixCase {
		c := matrixCase{method: "GET", path: "/api/v1/cases", want: 200}
		if sees {
			c.contains = `"id":"` + caseOf[id] + `"`
		} else {
			c.lacks = caseOf[id]
		}
		return c
	},
	"GET /api/v1/cases/{id}": func(r access.Reader, m, id string, sees bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/cases/" + caseOf[id], want: ifElse(sees, 200, 404), lacks: ifElse(sees, "", `"actions"`)}
	},
	"POST /api/v1/cases/{id}/actions": func(r access.Reader, m, id string, sees bool) matrixCase {
		// An action the API does not know: what a reader learns is
		// whether the case exists for it.
		c := matrixCase{method: "POST", path: "/api/v1/cases/" + caseOf[id] + "/actions", body: `{"action":"none"}`}
		switch {
		case cannotAct(r):
			c.want = 401
		case !sees:
			c.want, c.lacks = 404, `"actions"`
		default:
			c.want, c.contains = 422, "the action is one of"
		}
		return c
	},
	"POST /api/v1/cases": func(r access.Reader, m, id string, sees bool) matrixCase {
		body := `{"accused":"RUS","events":["ev-rec-0"],"rule":"no-fire","severity":"low","summary":"matrix","marking":"` + m + `"}`
		c := matrixCase{method: "POST", path: "/api/v1/cases", body: body}
		switch {
		case cannotAct(r):
			c.want = 401
		case r.Org != "USA" || !slices.Contains(r.Roles, access.RoleCommissioner):
			c.want, c.forbidden = 403, true
		default:
			c.want = 201
		}
		return c
	},
	"POST /api/v1/determinations/motions": func(r access.Reader, _, _ string, _ bool) matrixCase {
		// The body is checked before the procedure.
		return matrixCase{method: "POST", path: "/api/v1/determinations/motions", body: `{"unknown":1}`, want: ifElse(cannotAct(r), 401, 400)}
	},
	"POST /api/v1/determinations": func(r access.Reader, _, _ string, _ bool) matrixCase {
		// The body is checked before the procedure.
		return matrixCase{method: "POST", path: "/api/v1/determinations", body: `{"unknown":1}`, want: ifElse(cannotAct(r), 401, 400)}
	},
	"POST /api/v1/reassurance/requests": func(r access.Reader, _, _ string, _ bool) matrixCase {
		// The body is checked before the procedure.
		return matrixCase{method: "POST", path: "/api/v1/reassurance/requests", body: `{"unknown":1}`, want: ifElse(cannotAct(r), 401, 400)}
	},
	"POST /api/v1/reassurance/measures": func(r access.Reader, _, _ string, _ bool) matrixCase {
		// The body is checked before the procedure.
		return matrixCase{method: "POST", path: "/api/v1/reassurance/measures", body: `{"unknown":1}`, want: ifElse(cannotAct(r), 401, 400)}
	},
	"POST /api/v1/commitments": func(r access.Reader, _, _ string, _ bool) matrixCase {
		// The body is checked before the procedure.
		return matrixCase{method: "POST", path: "/api/v1/commitments", body: `{"unknown":1}`, want: ifElse(cannotAct(r), 401, 400)}
	},
	"GET /api/v1/ceasefire": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/ceasefire", want: 200}
	},
	"GET /api/v1/determinations": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/determinations", want: 200}
	},
	"GET /api/v1/determinations/motions/{id}": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/determinations/motions/none", want: 404}
	},
	"POST /api/v1/determinations/motions/{id}/votes": func(r access.Reader, _, _ string, _ bool) matrixCase {
		return matrixCase{method: "POST", path: "/api/v1/determinations/motions/none/votes", body: `{"choice":"for"}`, want: ifElse(cannotAct(r), 401, 404)}
	},
	"GET /api/v1/reassurance": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/reassurance", want: 200}
	},
	"GET /api/v1/commitments": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/commitments", want: 200}
	},
	"GET /api/v1/obligations": func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/obligations", want: 200}
	},
	"POST /api/v1/obligations/{id}/reports": func(r access.Reader, _, _ string, _ bool) matrixCase {
		return matrixCase{method: "POST", path: "/api/v1/obligations/none/reports", body: `{"kind":"acknowledged"}`, want: ifElse(cannotAct(r), 401, 404)}
	},
}

// caseOf maps a record id to the case opened under its marking in setup.
var caseOf = map[string]string{}

// withdrawalOf maps a record id to the sequence of its setup withdrawal.
var withdrawalOf = map[string]string{}

// releaseOf maps a record id to the id of the setup release of its event.
var releaseOf = map[string]string{}

func ifElse[T any](c bool, a, b T) T {
	if c {
		return a
	}
	return b
}

func TestAccessMatrix(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir()+"/truce.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	versions := &agreement.Versions{}
	if a, err := agreement.Demo(); err != nil || versions.Add(a) != nil {
		t.Fatal("the demo agreement:", err)
	}
	srv := server.New(server.Config{Store: st, Agreements: versions, Now: func() time.Time { return clock }, Version: "test"})

	for _, route := range srv.Routes() {
		if routeRules[route] == nil {
			t.Errorf("route %q has no row in the access matrix: say who may use it", route)
		}
	}

	// Setup: organisations, a source, one record per marking, each
	// withdrawn once (content kept), users and tokens.
	for _, o := range matrixOrgs {
		if err := st.PutOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutSource(ctx, store.Source{ID: "usa-team", Org: "USA", Kind: "monitor"}); err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	ids := map[string]string{}
	for i, m := range matrixMarkings {
		ids[m] = fmt.Sprintf("rec-%d", i)
		fmt.Fprintf(&body, `{"id":%q,"source":"usa-team","observed_at":"2026-09-02T01:00:00Z","kind":"explosion","marking":%q}`+"\n", ids[m], m)
	}
	demo := server.New(server.Config{Store: st, Now: func() time.Time { return clock }, Demo: true})
	if rec := do(demo, "POST", "/api/v1/observations", body.String(), ""); rec.Code != 201 {
		t.Fatalf("setup: %d %s", rec.Code, rec.Body)
	}
	for i, m := range matrixMarkings {
		b := `{"record":{"type":"observation","key":"usa-team/` + ids[m] + `"},"reason":"setup"}`
		if rec := do(demo, "POST", "/api/v1/withdrawals", b, ""); rec.Code != 201 {
			t.Fatalf("setup withdrawal: %d %s", rec.Code, rec.Body)
		}
		withdrawalOf[ids[m]] = fmt.Sprint(i + 1)
	}
	// One stored event per marking, made of that marking's record, and
	// one release of it under the same marking.
	for i, m := range matrixMarkings {
		lat, lon := 48.0, 38.0
		doc := fmt.Sprintf(`{"id":"ev-%s","version":1,"kind":"explosion","start":"2026-09-02T01:00:00Z","end":"2026-09-02T01:01:00Z",`+
			`"location":{"lat":48,"lon":38},"count":1,"observations":[{"source":"usa-team","id":%q}],"marking":[%q]}`, ids[m], ids[m], m)
		ev := store.EventRecord{ID: "ev-" + ids[m], Version: 1, Kind: "explosion", Start: clock.Add(-11 * time.Hour), End: clock.Add(-11*time.Hour + time.Minute),
			Lat: &lat, Lon: &lon, Marking: m, Document: []byte(doc), Sequence: int64(i + 1)}
		if err := st.PutEvents(ctx, []store.EventRecord{ev}); err != nil {
			t.Fatal(err)
		}
		rec := do(demo, "POST", "/api/v1/releases", `{"of":"event/ev-`+ids[m]+`","marking":"`+m+`","reason":"setup"}`, "")
		var rel struct{ ID string }
		if err := json.Unmarshal(rec.Body.Bytes(), &rel); rec.Code != 201 || err != nil {
			t.Fatalf("setup release: %d %s", rec.Code, rec.Body)
		}
		releaseOf[ids[m]] = rel.ID
	}
	// One case per marking, opened by a commissioner of a voting member
	// citing the public event.
	chair := issueToken(t, st, access.User{Name: "setup-chair", Org: "USA", Roles: []string{access.RoleCommissioner}}, clock.Add(-time.Hour), 48*time.Hour, access.Act)
	for _, m := range matrixMarkings {
		b := `{"accused":"RUS","events":["ev-rec-0"],"rule":"no-fire","severity":"low","summary":"setup","marking":"` + m + `"}`
		rec := do(srv, "POST", "/api/v1/cases", b, chair)
		var c struct{ ID string }
		if err := json.Unmarshal(rec.Body.Bytes(), &c); rec.Code != 201 || err != nil || c.ID == "" {
			t.Fatalf("setup case: %d %s", rec.Code, rec.Body)
		}
		caseOf[ids[m]] = c.ID
	}

	for _, mr := range matrixReaders {
		token := ""
		reader := access.Anonymous
		if mr.org != "" {
			name := strings.ToLower(strings.NewReplacer(" ", "-", ",", "").Replace(mr.name))
			u := access.User{Name: name, Org: mr.org, Roles: mr.roles}
			if err := st.PutUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			tok, text, err := access.NewToken(name, mr.scopes, clock.Add(-time.Hour), 48*time.Hour, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.PutToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
			token = text
			var org access.Organisation
			for _, o := range matrixOrgs {
				if o.Code == mr.org {
					org = o
				}
			}
			reader = access.ReaderFor(u, org).Scoped(tok)
		}
		for _, route := range srv.Routes() {
			rule := routeRules[route]
			if rule == nil {
				continue
			}
			for _, m := range matrixMarkings {
				c := rule(reader, m, ids[m], reader.CanSee(m))
				name := fmt.Sprintf("%s/%s/%s", mr.name, route, m)
				rec := do(srv, c.method, c.path, c.body, token)
				if rec.Code != c.want && (c.orWant == 0 || rec.Code != c.orWant) {
					t.Errorf("%s: %s %s → %d, want %d: %s", name, c.method, c.path, rec.Code, c.want, rec.Body)
					continue
				}
				if rec.Code == http.StatusForbidden && !c.forbidden {
					t.Errorf("%s: 403 reveals that the record exists", name)
				}
				if c.contains != "" && !strings.Contains(rec.Body.String(), c.contains) {
					t.Errorf("%s: body lacks %q", name, c.contains)
				}
				if c.lacks != "" && strings.Contains(rec.Body.String(), c.lacks) {
					t.Errorf("%s: body shows %q", name, c.lacks)
				}
			}
		}
	}
}

func do(h http.Handler, method, path, body, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/x-ndjson")
		if strings.HasPrefix(path, "/api/v1/withdrawals") || path == "/api/v1/login" {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// FuzzAuthorization: no Authorization header, however malformed, makes
// the server fail (500) or let the caller through as anyone but the public.
func FuzzAuthorization(f *testing.F) {
	st, err := sqlite.Open(context.Background(), f.TempDir()+"/truce.db")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	srv := server.New(server.Config{Store: st, Now: func() time.Time { return clock }})
	f.Add("Bearer truce_0123456789abcdef_" + strings.Repeat("A", 43))
	f.Add("Bearer ")
	f.Add("Basic dXNlcjpwYXNz")
	f.Add("Bearer truce_\x00\xff")
	f.Fuzz(func(t *testing.T, header string) {
		req := httptest.NewRequest("GET", "/api/v1/observations", nil)
		req.Header["Authorization"] = []string{header}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		want := 401 // no such token exists
		if header == "" {
			want = 200 // no header: the public
		}
		if rec.Code != want {
			t.Fatalf("Authorization %q → %d; want %d", header, rec.Code, want)
		}
	})
}
