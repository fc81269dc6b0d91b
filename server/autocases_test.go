package server_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/assess"
	"github.com/truce-mechanism/truce/commission"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/server"
	"github.com/truce-mechanism/truce/store"
)

// TestOpenCasesFor: a breach at or above the agreement's severity
// threshold, attributed to a party, opens one case as the mechanism,
// under COMMISSION, citing the event — once, however often the event is
// stored again. Below the threshold, unattributed, or not a breach: no
// case.
func TestOpenCasesFor(t *testing.T) {
	ctx := context.Background()
	events := []indEvent{
		{id: "ev-rus", day: 20, kind: observation.Explosion, corroboration: "reported", violating: true, party: "RUS", marking: "MISSION"},
		{id: "ev-undetermined", day: 20, kind: observation.Explosion, corroboration: "verified", violating: true, party: assess.Undetermined, marking: "PUBLIC"},
		{id: "ev-medium", day: 20, kind: observation.Explosion, corroboration: "verified", violating: true, severity: "medium", party: "UKR", marking: "PUBLIC"},
		{id: "ev-lawful", day: 20, kind: observation.Explosion, corroboration: "verified", party: "UKR", marking: "PUBLIC"},
		{id: "ev-taken", day: 21, kind: observation.Burst, corroboration: "verified", violating: true, party: "UKR", marking: "PUBLIC"},
	}
	f := newIndFixture(t, events)
	var recs []store.EventRecord
	for _, e := range events {
		recs = append(recs, e.record(t))
	}
	// Another node opened ev-taken's case a moment ago.
	taken := recs[4:]
	if n, err := server.OpenCasesFor(ctx, f.st, f.versions, taken, indNow, nil); err != nil || n != 1 {
		t.Fatalf("first opening: %d (%v)", n, err)
	}
	// The pipeline stores every final event again at a restart; a batch
	// may hold two versions of one event.
	for i, want := range []int{1, 0} {
		n, err := server.OpenCasesFor(ctx, f.st, f.versions, append(recs, recs[0]), indNow, nil)
		if err != nil || n != want {
			t.Fatalf("pass %d opened %d cases, want %d (%v)", i+1, n, want, err)
		}
	}
	got := caseRecords(t, f.st)
	if len(got) != 2 || got[0].Key != server.AutoCaseID("ev-taken") || got[1].Key != server.AutoCaseID("ev-rus") {
		t.Fatalf("case records: %+v", got)
	}
	for _, rec := range got {
		if rec.Seq != 1 || rec.Marking != access.Commission || rec.By != commission.SystemUser || rec.Org != "" {
			t.Errorf("opening record: %+v", rec)
		}
	}
	// Each opening is in the audit trail once, as the mechanism's act.
	audit, err := f.st.AuditAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var opened []string
	for _, a := range audit {
		if a.Action == "open case" {
			if a.Actor != commission.SystemUser || !a.At.Equal(indNow) {
				t.Errorf("audit of an opening: %+v", a)
			}
			opened = append(opened, a.Target)
		}
	}
	if want := []string{"case " + server.AutoCaseID("ev-taken"), "case " + server.AutoCaseID("ev-rus")}; !slices.Equal(opened, want) {
		t.Errorf("audited openings %q, want %q", opened, want)
	}

	// The case as a member reads it; the accused party does not see it.
	srv := f.server(nil)
	path := "/api/v1/cases/" + server.AutoCaseID("ev-rus")
	rec := do(srv, "GET", path, "", f.tokens["us.chair"])
	var v struct {
		Complete bool
		Case     *commission.Case
	}
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &v) != nil || !v.Complete || v.Case == nil {
		t.Fatalf("GET %s → %d: %s", path, rec.Code, rec.Body)
	}
	c := v.Case
	if !c.Automatic || !c.OpenedBy.IsSystem() || c.Accused != "RUS" || len(c.Events) != 1 || c.Events[0] != "ev-rus" ||
		c.Rule != "fire-after-ceasefire" || c.Severity != "high" || c.State != commission.StateOpen || !c.Opened.Equal(recs[0].End) {
		t.Errorf("automatic case: %+v", c)
	}
	if rec := do(srv, "GET", path, "", f.tokens["ru.liaison"]); rec.Code != 404 {
		t.Errorf("RUS reads the case before its notice: %d %s", rec.Code, rec.Body)
	}
}

func caseRecords(t *testing.T, st store.Store) []store.ProcedureRecord {
	t.Helper()
	recs, err := st.ProcedureRecords(context.Background(), store.ProcedureQuery{Kind: "case_action"})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
