package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/server"
	"github.com/truce-mechanism/truce/store"
)

// TestSweepRecordsReplyDeadline: once the accused party's reply deadline
// passes without a reply, the sweep records it once, for the Commission
// only; before, and after a reply, it records nothing.
func TestSweepRecordsReplyDeadline(t *testing.T) {
	ctx := context.Background()
	_, st, tokens := notifyFixture(t)
	versions := &agreement.Versions{}
	if a, err := agreement.Demo(); err != nil || versions.Add(a) != nil {
		t.Fatal("the demo agreement:", err)
	}
	now := clock
	srv := server.New(server.Config{Store: st, Agreements: versions, Now: func() time.Time { return now }, Version: "test"})
	deadlines := func() []store.ProcedureRecord {
		rs, err := st.ProcedureRecords(ctx, store.ProcedureQuery{Kind: "deadline"})
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	sweep := func() int {
		n, err := srv.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	silent := openCase(t, srv, tokens["us.chair"], "COMMISSION")
	replied := openCase(t, srv, tokens["us.chair"], "COMMISSION")
	for _, id := range []string{silent, replied} {
		if rec := do(srv, "POST", "/api/v1/cases/"+id+"/actions", `{"action":"notify","notify":{"allegation":"fire after the ceasefire","evidence":["event/ev-1"]}}`, tokens["us.chair"]); rec.Code != 201 {
			t.Fatalf("notify: %d %s", rec.Code, rec.Body)
		}
	}
	if rec := do(srv, "POST", "/api/v1/cases/"+replied+"/actions", `{"action":"reply","reply":{"text":"not ours"}}`, tokens["ru.liaison"]); rec.Code != 201 {
		t.Fatalf("reply: %d %s", rec.Code, rec.Body)
	}
	if n := sweep(); n != 0 {
		t.Fatalf("before the deadline the sweep recorded %d", n)
	}
	now = now.Add(73 * time.Hour) // the demo agreement's reply period is 72 h
	if n := sweep(); n != 1 {
		t.Fatalf("after the deadline the sweep recorded %d; want 1 (the silent case)", n)
	}
	if n := sweep(); n != 0 {
		t.Fatalf("a second sweep recorded %d again", n)
	}
	rs := deadlines()
	var d server.Deadline
	if len(rs) != 1 || json.Unmarshal(rs[0].Document, &d) != nil || d.What != "reply" || d.Case != silent || d.Party != "RUS" || rs[0].Marking != "COMMISSION" {
		t.Fatalf("deadline records %+v (%+v)", rs, d)
	}
	// The liaison does not see the Commission's record (read at the
	// fixture's time: its token lasts 48 hours).
	now = clock
	if rec := do(srv, "GET", "/api/v1/procedure-records?limit=1000", "", tokens["ru.liaison"]); rec.Code != 200 || strings.Contains(rec.Body.String(), `"kind":"deadline"`) {
		t.Fatalf("the liaison reads: %d %s", rec.Code, rec.Body)
	}
}
