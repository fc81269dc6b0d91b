package ledger_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/ledger"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/storetest"
)

// feedAudit is an auditor that reads every record from the store through
// the ledger's own feeds: it sees every type the committer commits.
// tamper, when set, changes what one record looks like to it.
type feedAudit struct {
	localAudit
	feeds  []ledger.Feed
	tamper func(typ string, seq int64, c ledger.Commitment) ledger.Commitment
}

func (a feedAudit) Records(ctx context.Context, typ string, fn func(int64, ledger.Commitment) error) error {
	for _, f := range a.feeds {
		if f.Type != typ {
			continue
		}
		recs, err := f.After(ctx, 0, 0)
		if err != nil {
			return err
		}
		for _, r := range recs {
			c := r.Commitment
			if a.tamper != nil {
				c = a.tamper(typ, r.Sequence, c)
			}
			if err := fn(r.Sequence, c); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("no feed of type %q", typ)
}

// TestDerivedRecordsCommitted: every event version and every release
// stored gets a leaf, once, in the store's order; the audit checks them
// with the other types; each proves offline from what its holder has —
// the event as served, the release as the API shows it.
func TestDerivedRecordsCommitted(t *testing.T) {
	ctx := context.Background()
	f := open(t, t.TempDir())
	f.c.Feeds = ledger.Feeds(f.st)
	f.append(t, storetest.NewGenerator(11, storetest.Base, 24*time.Hour), 30)

	ev := func(id string, version int, seq int64, marking ...string) store.EventRecord {
		return storetest.BuildEvent(storetest.EventSpec{ID: id, Version: version, Start: storetest.Base.Add(time.Duration(seq) * time.Minute),
			Located: true, Lat: 48, Lon: 38, Marking: marking, Sequence: seq})
	}
	batches := [][]store.EventRecord{
		{ev("ev-1", 1, 3), ev("ev-2", 1, 5, "REL TO USA")},
		{ev("ev-1", 2, 9, "MISSION"), ev("ev-2", 1, 5, "REL TO USA")}, // a replay of ev-2 rides along
		{ev("ev-3", 1, 12)},
	}
	for _, b := range batches {
		if err := f.st.PutEvents(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	rel := store.Release{ID: "rl-1", Of: "event/ev-2", Marking: "PUBLIC", Document: []byte(`{"kind":"explosion","of":"event/ev-2"}`),
		By: "us.analyst", Org: "USA", At: storetest.Base.Add(48 * time.Hour), Reason: "daily report"}
	rel, err := f.st.AppendRelease(ctx, rel)
	if err != nil {
		t.Fatal(err)
	}

	procs, err := f.st.AppendProcedureRecords(ctx, []store.ProcedureRecord{
		{Kind: "case_action", Key: "case-1", Seq: 1, Marking: "COMMISSION", Document: []byte(`{"id":"case-1/1","kind":"opened"}`), By: "us.chair", Org: "USA", At: storetest.Base.Add(49 * time.Hour)},
		{Kind: "case_action", Key: "case-1", Seq: 2, Marking: "REL TO RUS, USA", Document: []byte(`{"id":"case-1/2","kind":"notified"}`), By: "us.chair", Org: "USA", At: storetest.Base.Add(50 * time.Hour)},
	})
	if err != nil {
		t.Fatal(err)
	}

	n, err := f.c.CommitPending(ctx)
	if err != nil || n != 30+4+1+2 {
		t.Fatalf("committed %d, %v; want 30 observations, 4 event versions, 1 release and 2 procedure records", n, err)
	}
	if n, _ := f.c.CommitPending(ctx); n != 0 {
		t.Fatalf("a second pass committed %d again", n)
	}
	// Stored after the pass: readable, not yet committed.
	if err := f.st.PutEvents(ctx, []store.EventRecord{ev("ev-3", 2, 14)}); err != nil {
		t.Fatal(err)
	}
	size, _ := f.log.Size(ctx)
	f.waitCheckpoint(t, size)

	versions, err := f.st.EventVersionsAfter(ctx, 0, 0)
	if err != nil || len(versions) != 5 {
		t.Fatalf("versions %d, %v", len(versions), err)
	}
	t.Run("an event version proves from the event as served", func(t *testing.T) {
		for _, v := range versions[:4] {
			p, err := ledger.Prove(ctx, f.log, f.st, ledger.CommitEvent(v), v.Recorded)
			if err != nil {
				t.Fatalf("%s@%d: %v", v.ID, v.Version, err)
			}
			if p.Record.Key != fmt.Sprintf("%s/%d", v.ID, v.Version) {
				t.Errorf("key %q", p.Record.Key)
			}
			if _, err := p.Verify(f.key.Verifier, v.Document); err != nil {
				t.Fatalf("%s@%d: %v", v.ID, v.Version, err)
			}
		}
		// Another version's document does not pass for this one.
		p, err := ledger.Prove(ctx, f.log, f.st, ledger.CommitEvent(versions[0]), versions[0].Recorded)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Verify(f.key.Verifier, versions[2].Document); err == nil {
			t.Fatal("version 2's document verified as version 1")
		}
		if _, err := ledger.Prove(ctx, f.log, f.st, ledger.CommitEvent(versions[4]), versions[4].Recorded); err != ledger.ErrNotYet {
			t.Fatalf("an uncommitted version: %v; want ErrNotYet", err)
		}
	})
	t.Run("a release proves from the record the API shows", func(t *testing.T) {
		c, err := ledger.CommitRelease(rel)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ledger.Prove(ctx, f.log, f.st, c, rel.Sequence)
		if err != nil {
			t.Fatal(err)
		}
		shown, _ := ledger.ReleaseRecord(rel)
		if _, err := p.Verify(f.key.Verifier, shown); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(shown), `"document":{"kind":"explosion","of":"event/ev-2"}`) {
			t.Errorf("the record does not hold the document: %s", shown)
		}
	})

	t.Run("a procedure record proves from the record the API shows", func(t *testing.T) {
		for _, r := range procs {
			c, err := ledger.CommitProcedure(r)
			if err != nil {
				t.Fatal(err)
			}
			p, err := ledger.Prove(ctx, f.log, f.st, c, r.Sequence)
			if err != nil {
				t.Fatal(err)
			}
			if p.Record.Key != ledger.ProcedureKey(r) {
				t.Errorf("key %q", p.Record.Key)
			}
			shown, _ := ledger.ProcedureRecord(r)
			if _, err := p.Verify(f.key.Verifier, shown); err != nil {
				t.Fatal(err)
			}
		}
	})

	audit := feedAudit{localAudit: localAudit{f: f}, feeds: ledger.Feeds(f.st)}
	t.Run("the audit checks every type", func(t *testing.T) {
		rep, err := ledger.Audit(ctx, f.key.Verifier, ledger.Types, audit)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) > 0 || rep.Records[ledger.TypeEvent] != 4 || rep.Records[ledger.TypeRelease] != 1 || rep.Records[ledger.TypeProcedure] != 2 ||
			rep.Records[ledger.TypeObservation] != 30 || rep.Uncommitted != 1 {
			t.Fatalf("clean audit: %+v", rep)
		}
	})
	tampered := []struct {
		name    string
		typ     string
		seq     int64
		problem string
	}{
		{"an event version changed", ledger.TypeEvent, 3, "event ev-1/2 (sequence 3) differs from what log entry"},
		{"a release changed", ledger.TypeRelease, 1, "release rl-1 (sequence 1) differs from what log entry"},
		{"a procedure record changed", ledger.TypeProcedure, 2, "(sequence 2) differs from what log entry"},
	}
	for _, tc := range tampered {
		t.Run(tc.name, func(t *testing.T) {
			a := audit
			a.tamper = func(typ string, seq int64, c ledger.Commitment) ledger.Commitment {
				if typ == tc.typ && seq == tc.seq {
					c.Digest[0] ^= 1
				}
				return c
			}
			rep, err := ledger.Audit(ctx, f.key.Verifier, ledger.Types, a)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], tc.problem) {
				t.Fatalf("problems %q; want one containing %q", rep.Problems, tc.problem)
			}
		})
	}

	t.Run("the next pass continues the order", func(t *testing.T) {
		if n, err := f.c.CommitPending(ctx); err != nil || n != 1 {
			t.Fatalf("committed %d, %v; want the one new version", n, err)
		}
		lb, err := f.st.LedgerBatchFor(ctx, ledger.TypeEvent, 5)
		if err != nil || lb.First != 5 || lb.Count != 1 {
			t.Fatalf("batch %+v, %v; want event 5 alone", lb, err)
		}
	})
}

// An event's commitment is its document's canonical form under id/version:
// formatting does not change it, any change of content, id or version
// does.
func TestCommitEvent(t *testing.T) {
	base := storetest.BuildEvent(storetest.EventSpec{ID: "ev-1", Version: 2, Start: storetest.Base, Sequence: 4})
	want := ledger.CommitEvent(base)
	cases := []struct {
		name string
		edit func(e *store.EventRecord)
		same bool
	}{
		{"the same", func(*store.EventRecord) {}, true},
		{"reformatted", func(e *store.EventRecord) {
			e.Document = []byte(" " + strings.ReplaceAll(string(e.Document), ",", ", ") + "\n")
		}, true},
		{"what the store keeps beside it", func(e *store.EventRecord) { e.Sequence, e.Recorded = 99, 7 }, true},
		{"other content", func(e *store.EventRecord) {
			e.Document = []byte(strings.Replace(string(e.Document), "explosion", "flare", 1))
		}, false},
		{"another version", func(e *store.EventRecord) { e.Version = 3 }, false},
		{"another event", func(e *store.EventRecord) { e.ID = "ev-2" }, false},
		{"not JSON", func(e *store.EventRecord) { e.Document = []byte("not json") }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := base
			c.edit(&e)
			got := ledger.CommitEvent(e)
			if (got == want) != c.same {
				t.Fatalf("commitment %+v; same as the original: %v, want %v", got, got == want, c.same)
			}
			if got.Type != ledger.TypeEvent {
				t.Errorf("type %q", got.Type)
			}
		})
	}
}

// A release's record is fixed: verifiers outside truce rebuild it.
func TestReleaseRecord(t *testing.T) {
	r := store.Release{Sequence: 7, ID: "rl-1", Of: "event/ev-2", Marking: "REL TO GBR, USA",
		Document: []byte(`{ "of": "event/ev-2", "kind": "explosion", "count": 3 }`),
		By:       "us.analyst", Org: "USA", At: time.Date(2026, 9, 2, 12, 0, 0, 5000, time.UTC), Reason: "for \"GBR\""}
	got, err := ledger.ReleaseRecord(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"at":"2026-09-02T12:00:00.000005Z","by":"us.analyst","document":{"count":3,"kind":"explosion","of":"event/ev-2"},` +
		`"id":"rl-1","marking":"REL TO GBR, USA","of":"event/ev-2","org":"USA","reason":"for \"GBR\"","sequence":7}`
	if string(got) != want {
		t.Fatalf("record\n%s\nwant\n%s", got, want)
	}
	r.Document = []byte("not json")
	if _, err := ledger.ReleaseRecord(r); err == nil {
		t.Fatal("a document that is not JSON made a record")
	}
}
