package server_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/server"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/sqlite"
)

// storedEvent is a final event as the store keeps it, REL TO USA, with
// everything a release must drop: the reports behind it, the number of
// sources, the error ellipse, the point of origin, the weapon's calibre
// and system, notes.
const storedEvent = `{"id":"ev-stored","version":2,"start":"2026-09-02T01:00:30.5Z","end":"2026-09-02T01:02:10Z","kind":"explosion",` +
	`"location":{"lat":48.123456,"lon":37.654321},"error":{"semi_major_m":180,"semi_minor_m":90,"orientation_deg":30},` +
	`"origin":{"lat":47.9,"lon":38.2,"error":{"semi_major_m":900,"semi_minor_m":400,"orientation_deg":10}},` +
	`"weapon":{"class":"artillery","caliber_mm":152,"system":"2S3"},"count":3,` +
	`"observations":[{"source":"usa-sensor","id":"secret-report-1"}],"sources":1,"corroboration":"reported",` +
	`"violations":[{"rule":"fire-after-ceasefire"}],"attribution":{"party":"RUS","probability":0.97,"probabilities":{"RUS":0.97,"UKR":0.03}},` +
	`"marking":["REL TO USA"],"notes":"the sensor's position is sensitive"}`

// releaseRoutes are the routes server/releases.go serves.
var releaseRoutes = []string{
	"POST /api/v1/releases", "GET /api/v1/releases", "GET /api/v1/releases/{id}",
	"GET /api/v1/event-versions", "GET /api/v1/proof/event/{id}/{version}", "GET /api/v1/proof/release/{id}",
}

// releaseUsers registers USA and GBR and their users, and returns a token
// for each by name.
func releaseUsers(t *testing.T, st *sqlite.Store) map[string]string {
	t.Helper()
	ctx := context.Background()
	for _, o := range []access.Organisation{{Code: "USA", Name: "US", Kind: access.KindParticipant}, {Code: "GBR", Name: "UK", Kind: access.KindParticipant}} {
		if err := st.PutOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	users := []struct {
		name, org, role string
		scopes          []access.Action
	}{
		{"us.analyst", "USA", access.RoleAnalyst, []access.Action{access.Release}},
		{"us.analyst.withdraw-only", "USA", access.RoleAnalyst, []access.Action{access.Withdraw}},
		{"us.viewer", "USA", access.RoleViewer, nil},
		{"us.monitor", "USA", access.RoleMonitor, []access.Action{access.Submit}},
		{"gb.analyst", "GBR", access.RoleAnalyst, []access.Action{access.Release}},
		{"gb.viewer", "GBR", access.RoleViewer, nil},
	}
	tokens := map[string]string{}
	for _, u := range users {
		tokens[u.name] = issueToken(t, st, access.User{Name: u.name, Org: u.org, Roles: []string{u.role}}, clock.Add(-time.Hour), 48*time.Hour, u.scopes...)
	}
	return tokens
}

// releaseCase is one request of a reader and what its answer must and
// must not contain.
type releaseCase struct {
	name, method, path, body, as string // as: a user name, "" for the public
	status                       int
	contains, lacks              []string
}

// TestReleases: an analyst who may see an event releases a sanitised
// version under a wider marking; readers of that marking see the release
// and never the event nor the reports behind it; who may not release, or
// may not see the event, cannot; bad fields are named.
func TestReleases(t *testing.T) {
	ctx := context.Background()
	st, live, demo := demoWithFusion(t)
	// Two monitors hear one explosion, one report USA-only: the event
	// fusion makes of them is REL TO USA and not yet final.
	reports := `{"id":"a1","source":"m1","observed_at":"2026-09-02T01:00:00Z","kind":"explosion","fire":"incoming","observer":{"lat":48.30,"lon":38.00},"bearing_deg":45,"bearing_sigma_deg":3,"marking":"PUBLIC"}
{"id":"a2","source":"m2","observed_at":"2026-09-02T01:00:20Z","kind":"explosion","fire":"incoming","observer":{"lat":48.40,"lon":38.00},"bearing_deg":135,"bearing_sigma_deg":3,"marking":"REL TO USA"}
`
	if rec := call(demo, "POST", "/api/v1/observations", reports, ""); rec.Code != 201 {
		t.Fatal(rec.Body)
	}
	if _, err := live.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	var liveID string
	for _, e := range live.Events() {
		if len(e.Observations) == 2 {
			liveID = e.ID
		}
	}
	if liveID == "" {
		t.Fatal("fusion made no event of the two reports")
	}
	lat, lon := 48.123456, 37.654321
	if err := st.PutEvents(ctx, []store.EventRecord{{ID: "ev-stored", Version: 2, Kind: "explosion",
		Start: time.Date(2026, 9, 2, 1, 0, 30, 5e8, time.UTC), End: time.Date(2026, 9, 2, 1, 2, 10, 0, time.UTC),
		Lat: &lat, Lon: &lon, Marking: "REL TO USA", Document: []byte(storedEvent), Sequence: 2}}); err != nil {
		t.Fatal(err)
	}
	tokens := releaseUsers(t, st)
	srv := server.New(server.Config{Store: st, Now: func() time.Time { return clock }, Fusion: live})
	for _, route := range releaseRoutes {
		if !slices.Contains(srv.Routes(), route) {
			t.Fatalf("route %q of server/releases.go is not in the server's route table", route)
		}
	}

	release := func(of, marking string) string {
		return `{"of":"` + of + `","marking":"` + marking + `","precision_m":1000,"reason":"for the daily public report"}`
	}
	secrets := []string{`"observations"`, `"a2"`, `"m2"`, "secret-report-1", "usa-sensor", `"sources"`, `"error"`, "semi_major", `"origin"`,
		"caliber", "2S3", `"notes"`, "sensitive", "probabilities"}

	// Step one: the releases the rest of the test reads.
	var ids []string
	for _, c := range []releaseCase{
		{name: "a live event, as PUBLIC", method: "POST", path: "/api/v1/releases", body: release("event/"+liveID, "PUBLIC"), as: "us.analyst",
			status: 201, contains: []string{`"of":"event/` + liveID + `"`, `"marking":"PUBLIC"`, `"by":"us.analyst"`, `"org":"USA"`, `"precision_m":1000`}, lacks: secrets},
		{name: "a stored event, as REL TO USA", method: "POST", path: "/api/v1/releases", body: release("event/ev-stored", "REL TO USA"), as: "us.analyst",
			status: 201, contains: []string{`"of":"event/ev-stored"`, `"marking":"REL TO USA"`}, lacks: secrets},
	} {
		body := c.check(t, srv, tokens)
		var got struct{ ID string }
		if err := json.Unmarshal([]byte(body), &got); err != nil || !strings.HasPrefix(got.ID, "rl-") {
			t.Fatalf("%s: no release id in %s", c.name, body)
		}
		ids = append(ids, got.ID)
	}
	public, usaOnly := ids[0], ids[1]

	cases := []releaseCase{
		// Who sees what.
		{name: "the public sees the release", method: "GET", path: "/api/v1/releases/" + public, status: 200,
			contains: []string{`"id":"` + public + `"`, `"kind":"explosion"`}, lacks: secrets},
		{name: "and lists it", method: "GET", path: "/api/v1/releases", status: 200, contains: []string{public}, lacks: append([]string{usaOnly}, secrets...)},
		{name: "never the event it came from", method: "GET", path: "/api/v1/events", status: 200, lacks: []string{liveID, "ev-stored"}},
		{name: "nor the report USA may see alone", method: "GET", path: "/api/v1/observations", status: 200, lacks: []string{`"id":"a2"`}},
		{name: "GBR cannot see a release REL TO USA", method: "GET", path: "/api/v1/releases/" + usaOnly, as: "gb.viewer", status: 404, lacks: []string{"ev-stored"}},
		{name: "nor list it", method: "GET", path: "/api/v1/releases", as: "gb.viewer", status: 200, contains: []string{public}, lacks: []string{usaOnly}},
		{name: "USA can", method: "GET", path: "/api/v1/releases/" + usaOnly, as: "us.viewer", status: 200, contains: []string{`"of":"event/ev-stored"`}},
		{name: "releases of one record", method: "GET", path: "/api/v1/releases?of=event/ev-stored", as: "us.viewer", status: 200,
			contains: []string{usaOnly}, lacks: []string{public}},
		{name: "paged", method: "GET", path: "/api/v1/releases?limit=1", as: "us.viewer", status: 200,
			contains: []string{public, `"next_after":1`}, lacks: []string{usaOnly}},
		{name: "the next page", method: "GET", path: "/api/v1/releases?after=1&limit=1", as: "us.viewer", status: 200, contains: []string{usaOnly}},
		{name: "a bad page", method: "GET", path: "/api/v1/releases?limit=0", status: 400},
		{name: "no such release", method: "GET", path: "/api/v1/releases/rl-none", status: 404},

		// What the release keeps, coarsened: minutes, a 1 km grid, the
		// weapon's class.
		{name: "the stored event, sanitised", method: "GET", path: "/api/v1/releases/" + usaOnly, as: "us.viewer", status: 200,
			contains: []string{`"start":"2026-09-02T01:00:00Z"`, `"end":"2026-09-02T01:03:00Z"`, `"weapon":{"class":"artillery"}`,
				`"attribution":{"party":"RUS","probability":0.97}`, `"violations":[{"rule":"fire-after-ceasefire"}]`, `"count":3`,
				`"corroboration":"reported"`, `"version":2`, `"reason":"for the daily public report"`},
			lacks: append([]string{"48.123456", "37.654321"}, secrets...)},

		// Who may release.
		{name: "the public may not", method: "POST", path: "/api/v1/releases", body: release("event/"+liveID, "PUBLIC"), status: 401},
		{name: "nor a viewer", method: "POST", path: "/api/v1/releases", body: release("event/"+liveID, "PUBLIC"), as: "us.viewer", status: 401},
		{name: "nor a monitor", method: "POST", path: "/api/v1/releases", body: release("event/"+liveID, "PUBLIC"), as: "us.monitor", status: 401},
		{name: "nor an analyst whose token lacks the scope", method: "POST", path: "/api/v1/releases", body: release("event/"+liveID, "PUBLIC"),
			as: "us.analyst.withdraw-only", status: 401},
		{name: "an event the analyst may not see does not exist", method: "POST", path: "/api/v1/releases", body: release("event/"+liveID, "PUBLIC"),
			as: "gb.analyst", status: 404, lacks: []string{"REL TO"}},
		{name: "nor a stored one", method: "POST", path: "/api/v1/releases", body: release("event/ev-stored", "PUBLIC"), as: "gb.analyst", status: 404},
		{name: "an event that does not exist", method: "POST", path: "/api/v1/releases", body: release("event/ev-none", "PUBLIC"), as: "us.analyst", status: 404},

		// Bad requests name every bad field.
		{name: "a marking not in the grammar", method: "POST", path: "/api/v1/releases", body: release("event/"+liveID, "SECRET"), as: "us.analyst",
			status: 422, contains: []string{`"pointer":"/marking"`}},
		{name: "no marking", method: "POST", path: "/api/v1/releases", body: `{"of":"event/` + liveID + `","reason":"x"}`, as: "us.analyst",
			status: 422, contains: []string{`"pointer":"/marking"`, "explicitly"}},
		{name: "a grid too fine", method: "POST", path: "/api/v1/releases", body: `{"of":"event/` + liveID + `","marking":"PUBLIC","precision_m":50,"reason":"x"}`,
			as: "us.analyst", status: 422, contains: []string{`"pointer":"/precision_m"`}},
		{name: "a grid of part metres", method: "POST", path: "/api/v1/releases", body: `{"of":"event/` + liveID + `","marking":"PUBLIC","precision_m":150.5,"reason":"x"}`,
			as: "us.analyst", status: 422, contains: []string{`"pointer":"/precision_m"`}},
		{name: "everything wrong at once", method: "POST", path: "/api/v1/releases", body: `{"of":"observation/m1/a1","marking":"public","precision_m":1e9,"reason":" "}`,
			as: "us.analyst", status: 422, contains: []string{`"pointer":"/of"`, `"pointer":"/marking"`, `"pointer":"/precision_m"`, `"pointer":"/reason"`, "Invalid release"}},
		{name: "bad fields before visibility: nothing said of the event", method: "POST", path: "/api/v1/releases", body: release("event/"+liveID, "SECRET"),
			as: "gb.analyst", status: 422, lacks: []string{liveID + `"`}},
		{name: "an unknown field", method: "POST", path: "/api/v1/releases", body: `{"of":"event/` + liveID + `","marking":"PUBLIC","reason":"x","keep":"all"}`,
			as: "us.analyst", status: 400, contains: []string{"keep"}},
		{name: "not JSON", method: "POST", path: "/api/v1/releases", body: `of=event`, as: "us.analyst", status: 400},

		// The ledger's routes: none runs here, so a visible record is 503
		// and an invisible one 404, as everywhere.
		{name: "a release's proof", method: "GET", path: "/api/v1/proof/release/" + public, status: 503},
		{name: "a hidden release's proof", method: "GET", path: "/api/v1/proof/release/" + usaOnly, as: "gb.viewer", status: 404},
		{name: "a stored event version's proof", method: "GET", path: "/api/v1/proof/event/ev-stored/2", as: "us.viewer", status: 503},
		{name: "a hidden event version's proof", method: "GET", path: "/api/v1/proof/event/ev-stored/2", status: 404},
		{name: "a version not stored", method: "GET", path: "/api/v1/proof/event/ev-stored/1", as: "us.viewer", status: 404},
		{name: "a version that is no number", method: "GET", path: "/api/v1/proof/event/ev-stored/latest", as: "us.viewer", status: 400},
		{name: "stored event versions, for the auditor", method: "GET", path: "/api/v1/event-versions", as: "us.viewer", status: 200,
			contains: []string{`"recorded":1`, `"id":"ev-stored"`, `"version":2`, "secret-report-1"}},
		{name: "only those the reader may see", method: "GET", path: "/api/v1/event-versions", as: "gb.viewer", status: 200,
			contains: []string{`"records":[]`}, lacks: []string{"ev-stored"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.check(t, srv, tokens) })
	}

	t.Run("the location is a node of the grid, within it of the event", func(t *testing.T) {
		rec := call(srv, "GET", "/api/v1/releases/"+usaOnly, "", tokens["us.viewer"])
		var got struct {
			Document struct {
				Location struct{ Lat, Lon float64 }
			}
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		p := got.Document.Location
		latStep := 1000 / 111_320.0
		lonStep := latStep / math.Cos(p.Lat*math.Pi/180)
		if k := p.Lat / latStep; math.Abs(k-math.Round(k)) > 1e-3 {
			t.Errorf("latitude %v is not on the grid (%v steps)", p.Lat, k)
		}
		if k := p.Lon / lonStep; math.Abs(k-math.Round(k)) > 1e-3 {
			t.Errorf("longitude %v is not on the grid (%v steps)", p.Lon, k)
		}
		dy, dx := (p.Lat-lat)*111_320, (p.Lon-lon)*111_320*math.Cos(lat*math.Pi/180)
		if d := math.Hypot(dx, dy); d > 1000 || d == 0 {
			t.Errorf("released %.0f m from the event; want within the grid, not on the event", d)
		}
	})
	t.Run("a release is audited, naming what was released and how widely", func(t *testing.T) {
		if err := srv.FlushAudit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := demo.FlushAudit(ctx); err != nil {
			t.Fatal(err)
		}
		events, err := st.AuditAfter(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range events {
			if e.Action == "release" && e.Target == "release/"+public {
				found = e.Actor == "us.analyst" && e.Org == "USA" && strings.Contains(e.Detail, "event/"+liveID) && strings.Contains(e.Detail, "as PUBLIC")
			}
		}
		if !found {
			t.Errorf("no audit event of the release %s among %+v", public, events)
		}
	})
	t.Run("stored once, committed as shown", func(t *testing.T) {
		rels, err := st.ReleasesAfter(ctx, 0, 0)
		if err != nil || len(rels) != 2 || rels[0].ID != public || rels[1].ID != usaOnly {
			t.Fatalf("stored releases %+v, %v", rels, err)
		}
	})
}

func (c releaseCase) check(t *testing.T, h *server.Server, tokens map[string]string) string {
	t.Helper()
	token := ""
	if c.as != "" {
		token = tokens[c.as]
		if token == "" {
			t.Fatalf("no user %q", c.as)
		}
	}
	rec := call(h, c.method, c.path, c.body, token)
	body := rec.Body.String()
	if rec.Code != c.status {
		t.Fatalf("%s: %s %s as %q → %d, want %d: %s", c.name, c.method, c.path, c.as, rec.Code, c.status, body)
	}
	if rec.Code == 403 {
		t.Errorf("%s: 403 reveals that the record exists", c.name)
	}
	for _, s := range c.contains {
		if !strings.Contains(body, s) {
			t.Errorf("%s: body lacks %q: %s", c.name, s, body)
		}
	}
	for _, s := range c.lacks {
		if strings.Contains(body, s) {
			t.Errorf("%s: body shows %q: %s", c.name, s, body)
		}
	}
	return body
}

// call makes one JSON request as the bearer of token ("" for none).
func call(h *server.Server, method, path, body, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		if strings.HasPrefix(path, "/api/v1/observations") {
			req.Header.Set("Content-Type", "application/x-ndjson")
		}
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
