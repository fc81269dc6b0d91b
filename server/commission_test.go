package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/commission"
	"github.com/truce-mechanism/truce/ledger"
	"github.com/truce-mechanism/truce/server"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/sqlite"
)

// commissionUsers are the organisations of the Commission and the
// guarantees, and their users, by name: the chair (USA) and the other
// voting members, Russia's liaison, a user of Ukraine, the coordination
// cell, and a viewer who reads what is released to GBR.
var commissionUsers = []struct {
	name, org string
	roles     []string
}{
	{"us.chair", "USA", []string{access.RoleCommissioner}},
	{"gb.commissioner", "GBR", []string{access.RoleCommissioner}},
	{"fr.commissioner", "FRA", []string{access.RoleCommissioner}},
	{"de.commissioner", "DEU", []string{access.RoleCommissioner}},
	{"it.commissioner", "ITA", []string{access.RoleCommissioner}},
	{"pl.commissioner", "POL", []string{access.RoleCommissioner}},
	{"ru.liaison", "RUS", []string{access.RoleLiaison}},
	{"ua.official", "UKR", []string{access.RoleLiaison}},
	{"us.cell", "USA", []string{access.RoleCoordinator}},
	{"gb.viewer", "GBR", []string{access.RoleViewer}},
}

// TestCommissionAndGuarantees drives the Commission's procedure and the
// guarantees through the API as each organisation, and tries to break
// every rule issue 6 lists: a finding without quorum, a second vote by
// one member, a finding before the reply deadline without the reply,
// reassurance measures without Ukraine's request or before a credible
// cessation, a party reading what is not releasable to it.
func TestCommissionAndGuarantees(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir()+"/truce.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	demo, err := agreement.Demo()
	if err != nil {
		t.Fatal(err)
	}
	versions := &agreement.Versions{}
	if err := versions.Add(demo); err != nil {
		t.Fatal(err)
	}
	now := clock
	srv := server.New(server.Config{Store: st, Agreements: versions, Now: func() time.Time { return now }, Version: "test"})

	for _, o := range []access.Organisation{
		{Code: "USA", Name: "United States", Kind: access.KindParticipant, Commission: true},
		{Code: "GBR", Name: "United Kingdom", Kind: access.KindParticipant, Commission: true},
		{Code: "FRA", Name: "France", Kind: access.KindParticipant, Commission: true},
		{Code: "DEU", Name: "Germany", Kind: access.KindParticipant, Commission: true},
		{Code: "ITA", Name: "Italy", Kind: access.KindParticipant, Commission: true},
		{Code: "POL", Name: "Poland", Kind: access.KindParticipant, Commission: true},
		{Code: "RUS", Name: "Russian Federation", Kind: access.KindParty},
		{Code: "UKR", Name: "Ukraine", Kind: access.KindParty},
	} {
		if err := st.PutOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	tokens := map[string]string{}
	for _, u := range commissionUsers {
		tokens[u.name] = issueToken(t, st, access.User{Name: u.name, Org: u.org, Roles: u.roles}, clock.Add(-time.Hour), 60*24*time.Hour, access.Act)
	}

	// Two final events: one for the mission's participants (USA sees it,
	// the accused party does not), one public.
	for i, m := range []string{"MISSION", "PUBLIC"} {
		id := []string{"ev-1", "ev-public"}[i]
		lat, lon := 48.0, 38.0
		doc := `{"id":"` + id + `","version":1,"kind":"explosion","start":"2026-09-02T01:00:00Z","end":"2026-09-02T01:01:00Z","location":{"lat":48,"lon":38},"count":1,"marking":["` + m + `"]}`
		ev := store.EventRecord{ID: id, Version: 1, Kind: "explosion", Start: clock.Add(-11 * time.Hour), End: clock.Add(-11*time.Hour + time.Minute),
			Lat: &lat, Lon: &lon, Marking: m, Document: []byte(doc), Sequence: int64(i + 1)}
		if err := st.PutEvents(ctx, []store.EventRecord{ev}); err != nil {
			t.Fatal(err)
		}
	}

	// call makes a request as a user and checks its status, and what the
	// body must and must not contain; it returns the body.
	call := func(who, method, path, body string, want int, contains, lacks string) []byte {
		t.Helper()
		rec := do(srv, method, path, body, tokens[who])
		if rec.Code != want {
			t.Fatalf("%s: %s %s → %d, want %d: %s", who, method, path, rec.Code, want, rec.Body)
		}
		if contains != "" && !strings.Contains(rec.Body.String(), contains) {
			t.Fatalf("%s: %s %s: body lacks %q: %s", who, method, path, contains, rec.Body)
		}
		if lacks != "" && strings.Contains(rec.Body.String(), lacks) {
			t.Fatalf("%s: %s %s: body shows %q: %s", who, method, path, lacks, rec.Body)
		}
		return rec.Body.Bytes()
	}
	field := func(body []byte, path ...string) string {
		t.Helper()
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatal(err)
		}
		for _, p := range path {
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("no %v in %s", path, body)
			}
			v = m[p]
		}
		s, _ := v.(string)
		return s
	}

	// A case: a party may not open one; the chair does, citing an event.
	const summary = "152 mm fire on Avdiivka from the east, sensor position sensitive"
	opening := `{"accused":"RUS","events":["ev-1"],"rule":"fire-after-ceasefire","severity":"high","summary":"` + summary + `"}`
	call("ru.liaison", "POST", "/api/v1/cases", opening, 403, "commissioner", "")
	call("", "POST", "/api/v1/cases", opening, 401, "", "")
	call("us.chair", "POST", "/api/v1/cases", strings.Replace(opening, `"ev-1"`, `"ev-nowhere"`, 1), 422, "/events/0", "")
	id := field(call("us.chair", "POST", "/api/v1/cases", opening, 201, `"status":"open"`, ""), "id")
	cases := "/api/v1/cases/" + id
	actions := cases + "/actions"

	// Nothing of it is releasable to the accused party yet, nor to a viewer.
	call("ru.liaison", "GET", cases, "", 404, "", summary)
	call("gb.viewer", "GET", cases, "", 404, "", summary)
	call("ru.liaison", "GET", "/api/v1/cases", "", 200, "", id)
	call("gb.commissioner", "GET", cases, "", 200, summary, "")

	// Notified, RUS sees the allegation and its deadline, not the rest.
	call("ru.liaison", "POST", actions, `{"action":"notify","notify":{"allegation":"x"}}`, 404, "", "")
	call("us.chair", "POST", actions, `{"action":"notify","notify":{"allegation":"fire after the ceasefire","evidence":["event/ev-1"]}}`, 422, "not an event or release releasable to RUS", "")
	call("us.chair", "POST", actions, `{"action":"notify","notify":{"allegation":"fire after the ceasefire on 2 September","evidence":["event/ev-public"]}}`, 201, `"reply_deadline"`, "")
	call("ru.liaison", "GET", cases, "", 200, "fire after the ceasefire", summary)
	call("ua.official", "GET", cases, "", 404, "", "")

	// No finding, nor a motion for one, before the reply or the deadline.
	finding := `{"action":"motion","motion":{"question":"finding","finding":{"outcome":"attributed","party":"RUS","reasons":"the origin lies in RUS-controlled area at p 0.99"},` +
		`"remedies":[{"kind":"withdrawal","terms":"withdraw the 2S19 battery beyond 50 km"}]}}`
	call("us.chair", "POST", actions, finding, 409, "has until", "")
	call("ua.official", "POST", actions, `{"action":"reply","reply":{"text":"not ours"}}`, 404, "", "")
	call("gb.commissioner", "POST", actions, `{"action":"reply","reply":{"text":"not ours"}}`, 403, "only a liaison", "")
	call("ru.liaison", "POST", actions, `{"action":"reply","reply":{"text":"the fire came from the other side","evidence":["photo-7"]}}`, 201, "reply_received", "")
	call("ru.liaison", "POST", actions, `{"action":"reply","reply":{"text":"again"}}`, 409, "already replied", "")

	// The motion; one vote per member; no finding while the vote is open,
	// nor once it closed without a quorum.
	motion := field(call("us.chair", "POST", actions, finding, 201, "deliberation", ""), "action", "id")
	vote := func(who, choice string, want int, contains string) {
		t.Helper()
		call(who, "POST", actions, `{"action":"vote","vote":{"motion":"`+motion+`","choice":"`+choice+`","reasons":"on the evidence"}}`, want, contains, "")
	}
	vote("ru.liaison", "for", 403, "")
	vote("us.chair", "for", 201, "")
	vote("gb.commissioner", "for", 201, "")
	vote("gb.commissioner", "against", 409, "already voted")
	vote("fr.commissioner", "against", 201, "")
	record := `{"action":"finding","finding":{"motion":"` + motion + `","reasons":"the origin lies in RUS-controlled area"}}`
	call("us.chair", "POST", actions, record, 409, "is open until", "")
	now = now.Add(73 * time.Hour)
	call("us.chair", "POST", actions, record, 409, "did not reach the quorum", "")
	vote("de.commissioner", "for", 409, "closed")

	// A second motion carries; the finding records the dissent.
	motion = field(call("us.chair", "POST", actions, finding, 201, "", ""), "action", "id")
	vote("us.chair", "for", 201, "")
	vote("gb.commissioner", "for", 201, "")
	vote("fr.commissioner", "against", 201, "")
	vote("de.commissioner", "for", 201, "")
	vote("it.commissioner", "for", 201, "")
	vote("pl.commissioner", "abstain", 201, "")
	record = `{"action":"finding","finding":{"motion":"` + motion + `","reasons":"the origin lies in RUS-controlled area"}}`
	call("ru.liaison", "POST", actions, record, 403, "", "")
	call("us.chair", "POST", actions, record, 201, `"dissent":[{`, "")
	call("us.chair", "POST", actions, `{"action":"remedy","remedy":{"motion":"`+motion+`"}}`, 201, "withdrawal", "")
	call("us.chair", "POST", actions, `{"action":"close","close":{"reasons":"done"}}`, 409, "outstanding", "")
	call("us.chair", "POST", actions, `{"action":"dance"}`, 422, "", "")
	// The party still sees only what was released to it.
	call("ru.liaison", "GET", cases, "", 200, `"complete":false`, `"dissent"`)

	// The ceasefire is in force; reassurance measures need Ukraine's
	// request and a credible cessation, and truce says which is missing.
	call("gb.viewer", "GET", "/api/v1/ceasefire", "", 200, `"status":"in_force"`, "")
	measure := `{"name":"air policing","domain":"air","contributors":["GBR","FRA"]}`
	call("ua.official", "POST", "/api/v1/reassurance/measures", measure, 403, "coordinator", "")
	call("us.cell", "POST", "/api/v1/reassurance/measures", measure, 409, "Ukraine has not requested", "")
	call("ru.liaison", "POST", "/api/v1/reassurance/requests", `{"domains":["air"],"text":"please"}`, 403, "requested by Ukraine", "")
	request := field(call("ua.official", "POST", "/api/v1/reassurance/requests", `{"domains":["air","sea"],"text":"Ukraine requests reassurance measures in the air and at sea"}`, 201, "", ""), "id")
	call("us.cell", "POST", "/api/v1/reassurance/measures", measure, 409, "no credible cessation", "Ukraine has not requested")
	call("ru.liaison", "GET", "/api/v1/reassurance", "", 200, "", request)

	// A determination rests on a Commission vote that carried.
	det := field(call("us.chair", "POST", "/api/v1/determinations/motions", `{"determination":"credible_cessation","text":"fourteen quiet days"}`, 201, "", ""), "id")
	call("ru.liaison", "GET", "/api/v1/determinations/motions/"+det, "", 404, "", "")
	for _, who := range []string{"us.chair", "gb.commissioner", "fr.commissioner", "de.commissioner"} {
		call(who, "POST", "/api/v1/determinations/motions/"+det+"/votes", `{"choice":"for","reasons":"the criteria"}`, 201, "", "")
	}
	call("de.commissioner", "POST", "/api/v1/determinations/motions/"+det+"/votes", `{"choice":"against"}`, 409, "already voted", "")
	determine := `{"status":"credible_cessation","motion":"` + det + `","reasons":"fourteen days within the criteria"}`
	call("us.chair", "POST", "/api/v1/determinations", determine, 409, "is open until", "")
	now = now.Add(73 * time.Hour)
	call("us.cell", "POST", "/api/v1/determinations", determine, 404, "", "") // the Commission's motion is not the cell's to see
	call("us.chair", "POST", "/api/v1/determinations", determine, 201, `"criteria":false`, "")
	call("gb.viewer", "GET", "/api/v1/ceasefire", "", 200, `"status":"credible_cessation"`, "")
	call("us.cell", "POST", "/api/v1/reassurance/measures", measure, 201, request, "")

	// A commitment whose trigger has fired owes an obligation; it is
	// overdue once its response time passes, and only its guarantor
	// reports on it.
	commitment := `{"guarantor":"GBR","component":3,"kind":"reassurance_measures","description":"a squadron for air policing","trigger":"credible_cessation_and_request",` +
		`"response_time":"72h","legal":{"binding":"politically_binding","instrument":"Paris Declaration","ratification":"not_required"}}`
	call("fr.commissioner", "POST", "/api/v1/commitments", commitment, 403, "", "")
	call("us.cell", "POST", "/api/v1/commitments", commitment, 201, "", "")
	body := call("gb.viewer", "GET", "/api/v1/obligations", "", 200, `"overdue":false`, "")
	var obs struct{ Obligations []struct{ ID string } }
	if err := json.Unmarshal(body, &obs); err != nil || len(obs.Obligations) != 1 {
		t.Fatalf("obligations: %s (%v)", body, err)
	}
	now = now.Add(80 * time.Hour)
	call("gb.viewer", "GET", "/api/v1/obligations", "", 200, `"overdue":true`, "")
	call("ru.liaison", "GET", "/api/v1/obligations", "", 200, `"obligations":[]`, "")
	reports := "/api/v1/obligations/" + url.PathEscape(obs.Obligations[0].ID) + "/reports"
	call("us.cell", "POST", reports, `{"kind":"acknowledged"}`, 403, "only GBR reports", "")
	call("gb.commissioner", "POST", reports, `{"kind":"fulfilment","text":"four Typhoons on station","complete":true}`, 201, `"late":true`, "")
	call("gb.viewer", "GET", "/api/v1/obligations", "", 200, `"overdue":false`, "")

	// Every record is in the ledger's feed, and its document decodes to
	// the domain's record and back to the same bytes.
	recs, err := st.ProcedureRecordsAfter(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := ledger.ProcedureFeed(st).After(ctx, 0, 0)
	if err != nil || len(feed) != len(recs) || len(recs) < 25 {
		t.Fatalf("feed: %d commitments of %d records (%v)", len(feed), len(recs), err)
	}
	for _, rec := range recs {
		if rec.Kind != "case_action" {
			continue
		}
		var a commission.Action
		if err := json.Unmarshal(rec.Document, &a); err != nil {
			t.Fatal(err)
		}
		again, err := json.Marshal(a)
		if err != nil || !bytes.Equal(again, rec.Document) {
			t.Fatalf("action %s does not round-trip:\n%s\n%s", a.ID, rec.Document, again)
		}
	}
	// What the API lists is what the ledger committed, filtered by marking.
	body = call("ru.liaison", "GET", "/api/v1/procedure-records?limit=1000", "", 200, "", summary)
	var page struct{ Records []json.RawMessage }
	if err := json.Unmarshal(body, &page); err != nil || len(page.Records) == 0 || len(page.Records) >= len(recs) {
		t.Fatalf("RUS reads %d of %d records (%v)", len(page.Records), len(recs), err)
	}
}
