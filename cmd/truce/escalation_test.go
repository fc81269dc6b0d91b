package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/commission"
	"github.com/truce-mechanism/truce/coverage"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/guarantee"
	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/server"
	"github.com/truce-mechanism/truce/sim"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/sqlite"
)

// escalationMembers are the Commission's voting members (the demo
// agreement's default Commission) and their commissioners.
var escalationMembers = []string{"USA", "GBR", "FRA", "DEU", "ITA", "POL"}

// TestEscalationEndToEnd drives the simulator's escalation scenario
// through the API, as the organisations of the mechanism would: the
// reports are posted by each source's organisation, fused, assessed and
// stored as final events by the serve pipeline, which opens cases for
// the breaches; the accused party is notified and replies; the members
// vote a finding and remedies; the ceasefire view shows the signs of an
// armed attack; a determination is voted and recorded; the guarantors'
// commitments become obligations, one fulfilled, one overdue. The clock
// and the scenario's seed are fixed: the run repeats exactly.
func TestEscalationEndToEnd(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC)
	res, err := sim.Run(sim.Config{Scenario: "escalation", Seed: 1, Start: start, Duration: 6 * time.Hour, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.Summary())

	// The store, the demo agreement, as truce serve loads them.
	data := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(data, "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	versions := storeDemoAgreement(t, st, log)

	// Organisations, sources, users and their tokens.
	var srcs bytes.Buffer
	if err := res.WriteSources(&srcs); err != nil {
		t.Fatal(err)
	}
	orgs := map[string]access.Organisation{}
	for _, code := range escalationMembers {
		orgs[code] = access.Organisation{Code: code, Name: code, Kind: access.KindParticipant, Commission: true}
	}
	for _, code := range []string{"RUS", "UKR"} {
		orgs[code] = access.Organisation{Code: code, Name: code, Kind: access.KindParty}
	}
	var sources []sim.SourceLine
	sc := bufio.NewScanner(&srcs)
	for sc.Scan() {
		var s sim.SourceLine
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		sources = append(sources, s)
		if _, ok := orgs[s.Org]; !ok {
			orgs[s.Org] = access.Organisation{Code: s.Org, Name: s.Org, Kind: access.KindLead}
		}
	}
	for _, o := range orgs {
		if err := st.PutOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range sources {
		if err := st.PutSource(ctx, store.Source{ID: s.ID, Org: s.Org, Kind: s.Kind, Grading: s.Grading, Created: start.Add(-24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	tokens := map[string]string{}
	addUser := func(name, org, role string) {
		t.Helper()
		name = strings.ToLower(name)
		if err := st.PutUser(ctx, access.User{Name: name, Org: org, Roles: []string{role}}); err != nil {
			t.Fatal(err)
		}
		scopes := []access.Action{access.Act}
		if role == access.RoleMonitor {
			scopes = []access.Action{access.Submit}
		}
		tok, text, err := access.NewToken(name, scopes, start.Add(-time.Hour), 90*24*time.Hour, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.PutToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		tokens[name] = text
	}
	for code := range orgs {
		addUser("monitor."+code, code, access.RoleMonitor)
	}
	for _, code := range escalationMembers {
		addUser("commissioner."+code, code, access.RoleCommissioner)
	}
	addUser("liaison.RUS", "RUS", access.RoleLiaison)
	addUser("liaison.UKR", "UKR", access.RoleLiaison)
	addUser("cell.USA", "USA", access.RoleCoordinator)

	// The serve assembly: fusion following the store, coverage following
	// fusion, the event pipeline assessing, storing and opening cases.
	// Fusion's horizon is an hour instead of 72, so that six simulated
	// hours leave final events.
	now := start.Add(80 * time.Hour) // every report has arrived
	clock := func() time.Time { return now }
	live := fusion.NewLive(st, intake.ResolveMGRS, fusion.Config{Horizon: time.Hour})
	live.Log = log
	tracker := coverage.New(coverage.Config{})
	book := newSourceBook(st)
	pipe := newEventPipeline(st, versions, book, log)
	live.Persist = pipe.persist
	live.Observe = func(_ int64, o *observation.Observation) { tracker.Add(o, book.coverageInfo(ctx, o.Source)) }
	srv := server.New(server.Config{Store: st, Agreements: versions, Log: log, Now: clock, Version: "test",
		Fusion: live, Coverage: tracker, Assess: pipe.assess})

	call := func(who, method, path string, body any, want int, out any) []byte {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			rd = bytes.NewReader(b)
		}
		req := httptest.NewRequest(method, path, rd)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if who != "" {
			req.Header.Set("Authorization", "Bearer "+tokens[strings.ToLower(who)])
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Fatalf("%s: %s %s → %d, want %d: %s", who, method, path, rec.Code, want, rec.Body)
		}
		if out != nil {
			if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
				t.Fatalf("%s %s: %v: %s", method, path, err, rec.Body)
			}
		}
		return rec.Body.Bytes()
	}

	// 1. Every report is posted by its source's organisation, in the
	// order the reports arrive.
	orgOf := map[string]string{}
	for _, s := range sources {
		orgOf[s.ID] = s.Org
	}
	var batch bytes.Buffer
	batchOrg, posted := "", 0
	flush := func() {
		t.Helper()
		if batch.Len() == 0 {
			return
		}
		req := httptest.NewRequest("POST", "/api/v1/observations", bytes.NewReader(batch.Bytes()))
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("Authorization", "Bearer "+tokens[strings.ToLower("monitor."+batchOrg)])
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			t.Fatalf("posting %s's reports → %d: %.500s", batchOrg, rec.Code, rec.Body)
		}
		batch.Reset()
	}
	for i := range res.Observations() {
		line, _ := res.Line(i)
		var head struct{ Source string }
		if err := json.Unmarshal(line, &head); err != nil {
			t.Fatal(err)
		}
		if org := orgOf[head.Source]; org != batchOrg {
			flush()
			batchOrg = org
		}
		batch.Write(line)
		batch.WriteByte('\n')
		posted++
	}
	flush()

	// 2. Fused, assessed and stored as final; the breaches at or above
	// the agreement's severity threshold, attributed, have cases.
	if _, err := live.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	final, _, err := st.Events(ctx, store.EventQuery{})
	if err != nil || len(final) == 0 {
		t.Fatalf("no final events (%v)", err)
	}
	wantCases := 0
	byParty := map[string]int{}
	for _, ev := range final {
		var doc struct {
			Severity    string
			Attribution struct{ Party string }
		}
		if err := json.Unmarshal(ev.Document, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Severity == "high" && (doc.Attribution.Party == "RUS" || doc.Attribution.Party == "UKR") {
			wantCases++
			byParty[doc.Attribution.Party]++
		}
	}
	t.Logf("%d reports posted; %d final events, %d attributed breaches %v", posted, len(final), wantCases, byParty)

	var cases struct{ Cases []server.CaseView }
	call("commissioner.USA", "GET", "/api/v1/cases", nil, 200, &cases)
	if len(cases.Cases) != wantCases || wantCases == 0 {
		t.Fatalf("%d cases for %d attributed breaches", len(cases.Cases), wantCases)
	}
	// Fusing again (a restart replays the record) opens nothing twice.
	if n, err := server.OpenCasesFor(ctx, st, versions, final, time.Now(), log); err != nil || n != 0 {
		t.Fatalf("replay opened %d cases (%v)", n, err)
	}

	// 3. The ceasefire view shows the surge's signs of an armed attack
	// beside the rates, and prompts the Commission.
	type ceasefireJSON struct {
		Status        guarantee.Status
		Determination *guarantee.Determination
		Indicators    guarantee.Indicators
		Prompts       []string
	}
	attacker := func(cf ceasefireJSON) bool {
		for _, a := range cf.Indicators.AttackSigns {
			if a.Party == "RUS" && a.Indicator == "fire_volume" && a.Value >= a.Threshold {
				return true
			}
		}
		return false
	}
	var cf ceasefireJSON
	call("commissioner.GBR", "GET", "/api/v1/ceasefire", nil, 200, &cf)
	rus := rateOf(t, cf.Indicators, 7, "RUS")
	if cf.Status != guarantee.InForce || !attacker(cf) || !strings.Contains(strings.Join(cf.Prompts, " "), "armed attack") ||
		rus.Count == 0 || rus.Low > rus.PerDay || rus.High < rus.PerDay || cf.Indicators.Cessation.Met {
		t.Fatalf("ceasefire after the surge: %+v", cf)
	}

	// 4. A case the mechanism opened against RUS, citing its event; RUS
	// sees nothing of it until notified.
	i := slices.IndexFunc(cases.Cases, func(c server.CaseView) bool { return c.Accused == "RUS" })
	if i < 0 {
		t.Fatalf("no case against RUS among %d", len(cases.Cases))
	}
	c := cases.Cases[i]
	if c.Case == nil || !c.Case.Automatic || !c.Case.OpenedBy.IsSystem() || len(c.Case.Events) != 1 || c.ID != server.AutoCaseID(c.Case.Events[0]) ||
		c.Case.Severity != "high" || c.Status != commission.StateOpen {
		t.Fatalf("automatic case: %+v", c)
	}
	path := "/api/v1/cases/" + url.PathEscape(c.ID)
	actions := path + "/actions"
	call("liaison.RUS", "GET", path, nil, 404, nil)

	// 5. Notified, RUS's liaison sees the allegation and its deadline,
	// and replies.
	call("commissioner.USA", "POST", actions, map[string]any{"action": "notify", "notify": map[string]any{"allegation": "heavy fire after the ceasefire on 2 September"}}, 201, nil)
	var seen server.CaseView
	call("liaison.RUS", "GET", path, nil, 200, &seen)
	if seen.Status != commission.StateNotified || seen.ReplyDeadline == nil || !seen.ReplyDeadline.Equal(now.Add(agreement.DefaultReplyDeadline)) || seen.Complete {
		t.Fatalf("RUS sees %+v", seen)
	}
	call("liaison.UKR", "POST", actions, map[string]any{"action": "reply", "reply": map[string]any{"text": "not ours"}}, 404, nil)
	call("liaison.RUS", "POST", actions, map[string]any{"action": "reply", "reply": map[string]any{"text": "return fire on positions that shelled us first"}}, 201, nil)
	call("liaison.RUS", "GET", path, nil, 200, &seen)
	if seen.Status != commission.StateReplyReceived {
		t.Fatalf("after the reply: %+v", seen)
	}

	// 6. A motion for a finding and a remedy; every member votes once.
	var put struct{ Action commission.Action }
	call("commissioner.USA", "POST", actions, map[string]any{"action": "motion", "motion": map[string]any{"question": "finding",
		"finding":  map[string]any{"outcome": "attributed", "party": "RUS", "reasons": "the radar's point of origin lies in RUS-controlled area"},
		"remedies": []map[string]any{{"kind": "withdrawal", "terms": "withdraw the artillery of the axis beyond 50 km"}}}}, 201, &put)
	motion := put.Action.ID
	vote := func(who, choice string, want int) {
		t.Helper()
		call(who, "POST", actions, map[string]any{"action": "vote", "vote": map[string]any{"motion": motion, "choice": choice, "reasons": "on the evidence"}}, want, nil)
	}
	vote("liaison.RUS", "against", 403)
	for _, org := range escalationMembers {
		vote("commissioner."+org, map[bool]string{true: "abstain", false: "for"}[org == "POL"], 201)
	}
	vote("commissioner.GBR", "against", 409)

	// 7. A determination of an armed attack by RUS is put to the vote
	// beside it; the guarantors' commitments are on record.
	var det commission.Motion
	call("commissioner.USA", "POST", "/api/v1/determinations/motions", map[string]any{"determination": "armed_attack", "text": "the surge of 2 September"}, 201, &det)
	for _, org := range escalationMembers[:4] { // a quorum of two thirds: four of six
		call("commissioner."+org, "POST", "/api/v1/determinations/motions/"+det.ID+"/votes", map[string]any{"choice": "for", "reasons": "the signs computed"}, 201, nil)
	}
	call("commissioner.USA", "POST", "/api/v1/determinations/motions/"+det.ID+"/votes", map[string]any{"choice": "against"}, 409, nil)
	commit := func(guarantor string, component int, kind guarantee.CommitmentKind, rt string) {
		t.Helper()
		call("cell.USA", "POST", "/api/v1/commitments", map[string]any{"guarantor": guarantor, "component": component, "kind": kind,
			"description": string(kind) + " of " + guarantor, "trigger": guarantee.TriggerArmedAttack, "response_time": rt,
			"legal": map[string]any{"binding": guarantee.PoliticallyBinding, "instrument": "Paris Declaration", "ratification": guarantee.RatificationNotRequired}}, 201, nil)
	}
	commit("GBR", 2, guarantee.DepotSupport, "72h")
	commit("FRA", 4, guarantee.MilitaryCapabilities, "24h")
	var obs struct{ Obligations []server.ObligationView }
	call("cell.USA", "GET", "/api/v1/obligations", nil, 200, &obs)
	if len(obs.Obligations) != 0 {
		t.Fatalf("obligations before any armed attack: %+v", obs)
	}

	// 8. The votes close: the finding and the remedy are recorded.
	now = now.Add(agreement.DefaultVotePeriod + time.Hour)
	call("commissioner.USA", "POST", actions, map[string]any{"action": "finding", "finding": map[string]any{"motion": motion, "reasons": "the origin lies in RUS-controlled area"}}, 201, nil)
	call("commissioner.USA", "POST", actions, map[string]any{"action": "remedy", "remedy": map[string]any{"motion": motion}}, 201, nil)
	call("commissioner.FRA", "GET", path, nil, 200, &seen)
	if f := seen.Case.Finding(); seen.Case == nil || f == nil || f.Outcome != commission.Attributed || f.Party != "RUS" ||
		len(seen.Case.Remedies) != 1 || seen.Case.Remedies[0].Party != "RUS" || seen.Case.Remedies[0].Due.IsZero() {
		t.Fatalf("after the finding: %+v", seen.Case)
	}

	// 9. The determination, beside the indicators that were met.
	call("commissioner.USA", "GET", "/api/v1/ceasefire", nil, 200, &cf)
	if !attacker(cf) {
		t.Fatalf("the signs are gone before the determination: %+v", cf.Indicators.AttackSigns)
	}
	var d guarantee.Determination
	call("commissioner.USA", "POST", "/api/v1/determinations", map[string]any{"status": "armed_attack", "party": "RUS", "motion": det.ID,
		"reasons": "a surge of artillery and rocket fire across the line of contact"}, 201, &d)
	if d.Status != guarantee.ArmedAttack || !d.Criteria || !strings.Contains(d.Indicators, "RUS") {
		t.Fatalf("determination: %+v", d)
	}
	call("", "GET", "/api/v1/ceasefire", nil, 200, &cf)
	if cf.Status != guarantee.ArmedAttack || cf.Determination == nil || cf.Determination.ID != d.ID {
		t.Fatalf("ceasefire after the determination: %+v", cf)
	}

	// 10. The commitments are obligations now; GBR acknowledges and
	// fulfils its own, FRA lets its deadline pass.
	call("cell.USA", "GET", "/api/v1/obligations", nil, 200, &obs)
	if len(obs.Obligations) != 2 {
		t.Fatalf("obligations after the determination: %+v", obs)
	}
	byGuarantor := func() map[string]server.ObligationView {
		out := map[string]server.ObligationView{}
		for _, o := range obs.Obligations {
			out[o.Guarantor] = o
		}
		return out
	}
	gbr, fra := byGuarantor()["GBR"], byGuarantor()["FRA"]
	if gbr.Overdue || fra.Overdue || !gbr.Due.Equal(now.Add(72*time.Hour)) || !fra.Due.Equal(now.Add(24*time.Hour)) {
		t.Fatalf("new obligations: %+v", obs)
	}
	reports := func(o server.ObligationView) string {
		return "/api/v1/obligations/" + url.PathEscape(o.ID) + "/reports"
	}
	call("cell.USA", "POST", reports(gbr), map[string]any{"kind": "acknowledged"}, 403, nil)
	now = now.Add(2 * time.Hour)
	call("commissioner.GBR", "POST", reports(gbr), map[string]any{"kind": "acknowledged", "text": "depot stocks released"}, 201, nil)
	now = now.Add(20 * time.Hour)
	call("commissioner.GBR", "POST", reports(gbr), map[string]any{"kind": "fulfilment", "text": "delivered", "complete": true}, 201, nil)
	now = now.Add(3 * time.Hour) // FRA's 24 hours have passed
	call("commissioner.DEU", "GET", "/api/v1/obligations", nil, 200, &obs)
	gbr, fra = byGuarantor()["GBR"], byGuarantor()["FRA"]
	if gbr.Overdue || gbr.Acknowledged.IsZero() || gbr.Fulfilled.IsZero() || len(gbr.Reports) != 2 {
		t.Fatalf("GBR's obligation: %+v", gbr)
	}
	if !fra.Overdue || fra.Escalation == "" || !fra.Fulfilled.IsZero() {
		t.Fatalf("FRA's obligation: %+v", fra)
	}
	call("liaison.RUS", "GET", "/api/v1/obligations", nil, 200, &obs)
	if len(obs.Obligations) != 0 {
		t.Fatalf("RUS reads the guarantors' obligations: %+v", obs)
	}

	// The sweep records FRA's overdue obligation as a deadline record (in
	// the ledger, on the streams), once, and nothing for GBR's.
	deadlines := func() []server.Deadline {
		t.Helper()
		rs, err := st.ProcedureRecords(ctx, store.ProcedureQuery{Kind: "deadline"})
		if err != nil {
			t.Fatal(err)
		}
		var out []server.Deadline
		for _, r := range rs {
			var d server.Deadline
			if err := json.Unmarshal(r.Document, &d); err != nil {
				t.Fatal(err)
			}
			if d.What == "obligation" {
				out = append(out, d)
			}
		}
		return out
	}
	if _, err := srv.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if ds := deadlines(); len(ds) != 1 || ds[0].ID != fra.ID || ds[0].Level != 1 || ds[0].Party != "FRA" {
		t.Fatalf("deadline records after FRA's obligation fell due: %+v", ds)
	}
	now = now.Add(24 * time.Hour) // overdue by its response time again: level 2
	if _, err := srv.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if ds := deadlines(); len(ds) != 2 || ds[1].Level != 2 || ds[1].To != guarantee.EscalateToGovernments {
		t.Fatalf("deadline records a day later: %+v", ds)
	}
}

func rateOf(t *testing.T, ind guarantee.Indicators, days int, party string) guarantee.Rate {
	t.Helper()
	for _, w := range ind.Windows {
		if w.Days != days {
			continue
		}
		for _, r := range w.Parties {
			if r.Party == party {
				return r
			}
		}
	}
	t.Fatalf("no %d-day rate for %q: %+v", days, party, ind.Windows)
	return guarantee.Rate{}
}
