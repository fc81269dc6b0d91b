package ledger_test

import (
	"io"
	"os"

	"context"
	"errors"
	"fmt"
	"k8s.io/klog/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/ledger"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/sqlite"
	"github.com/truce-mechanism/truce/store/storetest"
)

// fixture is a data folder as truce serve keeps it: a store, a log and
// the key, with a committer.
type fixture struct {
	dir string
	st  store.Store
	log *ledger.Log
	key ledger.Key
	c   *ledger.Committer
}

func open(t testing.TB, dir string) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := ledger.LoadOrCreateKey(filepath.Join(dir, "ledger.key"), "test.invalid/ledger")
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.OpenLog(ctx, filepath.Join(dir, "ledger"), key, ledger.LogOptions{CheckpointInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{dir: dir, st: st, log: l, key: key,
		c: &ledger.Committer{Log: l, Store: st, Feeds: []ledger.Feed{ledger.ObservationFeed(st)}, BatchSize: 100}}
	t.Cleanup(f.close)
	return f
}

func (f *fixture) close() {
	if f.log != nil {
		_ = f.log.Close(context.Background())
		f.log = nil
	}
	if f.st != nil {
		_ = f.st.Close()
		f.st = nil
	}
}

func (f *fixture) append(t testing.TB, g *storetest.Generator, n int) []observation.Record {
	t.Helper()
	stored, err := f.st.AppendObservations(context.Background(), g.Batch(n), storetest.Base)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]observation.Record, len(stored))
	for i, s := range stored {
		out[i] = s.Record
	}
	return out
}

// waitCheckpoint waits until a published checkpoint covers size entries.
func (f *fixture) waitCheckpoint(t testing.TB, size uint64) []byte {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		raw, cp, err := f.log.Checkpoint(context.Background())
		if err == nil && cp.Size >= size {
			return raw
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of size %d after 10 s (last error %v)", size, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func proofOf(t *testing.T, f *fixture, r observation.Record) *ledger.Proof {
	t.Helper()
	c := ledger.CommitCanonical(ledger.TypeObservation, ledger.ObservationKey(r.Key()), r.Document)
	p, err := ledger.Prove(context.Background(), f.log, f.st, c, r.Sequence)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCommitAndProve(t *testing.T) {
	ctx := context.Background()
	f := open(t, t.TempDir())
	g := storetest.NewGenerator(7, storetest.Base, 24*time.Hour)
	recs := f.append(t, g, 250)

	// Before the committer ran there is nothing to prove yet.
	c0 := ledger.CommitCanonical(ledger.TypeObservation, ledger.ObservationKey(recs[0].Key()), recs[0].Document)
	if _, err := ledger.Prove(ctx, f.log, f.st, c0, recs[0].Sequence); !errors.Is(err, ledger.ErrNotYet) {
		t.Fatalf("proof before commit: %v; want ErrNotYet", err)
	}
	n, err := f.c.CommitPending(ctx)
	if err != nil || n != 250 {
		t.Fatalf("committed %d, %v; want 250", n, err)
	}
	if n, _ := f.c.CommitPending(ctx); n != 0 {
		t.Fatalf("a second pass committed %d again", n)
	}
	if size, _ := f.log.Size(ctx); size != 3 {
		t.Fatalf("log size %d; want 3 entries (batches of 100)", size)
	}
	older := f.waitCheckpoint(t, 3)

	for _, r := range []observation.Record{recs[0], recs[99], recs[100], recs[249]} {
		p := proofOf(t, f, r)
		if _, err := p.Verify(f.key.Verifier, r.Document); err != nil {
			t.Fatalf("%s: %v", r.Key(), err)
		}
	}

	// What a verifier must refuse.
	r := recs[42]
	good := proofOf(t, f, r)
	tests := []struct {
		name   string
		edit   func(p *ledger.Proof)
		record []byte
		key    string
		step   string
	}{
		{"an edited record", nil, []byte(strings.Replace(string(r.Document), `"id":"`, `"id":"x`, 1)), f.key.Verifier, "record"},
		{"another log's key", nil, r.Document, otherKey(t), "checkpoint"},
		{"a wrong sequence", func(p *ledger.Proof) { p.Record.Sequence++ }, r.Document, f.key.Verifier, "batch"},
		{"a wrong batch path", func(p *ledger.Proof) { p.Batch.Path[0][0] ^= 1 }, r.Document, f.key.Verifier, "batch"},
		{"a wrong log index", func(p *ledger.Proof) { p.Log.Index++ }, r.Document, f.key.Verifier, "log"},
		{"a forged entry", func(p *ledger.Proof) { p.Batch.Entry = strings.Replace(p.Batch.Entry, `"count":100`, `"count":101`, 1) }, r.Document, f.key.Verifier, "log"},
		{"a checkpoint edited", func(p *ledger.Proof) { p.Log.Checkpoint = strings.Replace(p.Log.Checkpoint, "\n3\n", "\n4\n", 1) }, r.Document, f.key.Verifier, "checkpoint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := proofOf(t, f, r)
			if tc.edit != nil {
				tc.edit(p)
			}
			_, err := p.Verify(tc.key, tc.record)
			var ve *ledger.VerifyError
			if !errors.As(err, &ve) || ve.Step != tc.step {
				t.Fatalf("error %v; want a failure at step %q", err, tc.step)
			}
		})
	}
	if _, err := good.Verify(f.key.Verifier, nil); err != nil {
		t.Fatalf("commitment-only verification: %v", err)
	}

	// The log grows; the old checkpoint is a prefix of the new one.
	f.append(t, g, 30)
	if _, err := f.c.CommitPending(ctx); err != nil {
		t.Fatal(err)
	}
	newer := f.waitCheckpoint(t, 4)
	path, err := f.log.ConsistencyProof(ctx, 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.VerifyConsistency(f.key.Verifier, older, newer, path); err != nil {
		t.Fatal(err)
	}
	if err := ledger.VerifyConsistency(f.key.Verifier, newer, older, path); err == nil {
		t.Fatal("a shrinking log passed")
	}
}

// A crash between logging entries and recording them in the store: the
// next start finds them in the log and commits nothing twice.
func TestRecoverAfterCrashBetweenLogAndStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f := open(t, dir)
	g := storetest.NewGenerator(8, storetest.Base, 24*time.Hour)
	recs := f.append(t, g, 150)
	if _, err := f.c.CommitPending(ctx); err != nil {
		t.Fatal(err)
	}
	more := f.append(t, g, 120)
	// Log the next batch by hand, as a committer would, and "crash"
	// before the store records it.
	var leaves [][32]byte
	for _, r := range more[:100] {
		leaves = append(leaves, ledger.CommitCanonical(ledger.TypeObservation, ledger.ObservationKey(r.Key()), r.Document).LeafHash())
	}
	entry := ledger.Batch{Type: ledger.TypeObservation, First: more[0].Sequence, Count: 100, Root: ledger.Root(leaves)}.MarshalEntry()
	if _, err := f.log.Append(ctx, [][]byte{entry}); err != nil {
		t.Fatal(err)
	}
	f.close()

	f = open(t, dir)
	n, err := f.c.Recover(ctx)
	if err != nil || n != 1 {
		t.Fatalf("recovered %d, %v; want 1 entry", n, err)
	}
	committed, err := f.c.CommitPending(ctx)
	if err != nil || committed != 20 {
		t.Fatalf("committed %d, %v; want the 20 never logged", committed, err)
	}
	size, _ := f.log.Size(ctx)
	if size != 4 { // 100+50 before, 100 by hand, 20 after
		t.Fatalf("log has %d entries; want 4", size)
	}
	f.waitCheckpoint(t, 4)
	for _, r := range []observation.Record{recs[0], more[0], more[99], more[119]} {
		if _, err := proofOf(t, f, r).Verify(f.key.Verifier, r.Document); err != nil {
			t.Fatalf("%s: %v", r.Key(), err)
		}
	}
}

// A logged root the stored records no longer give is named, not accepted.
func TestRecoverRefusesAChangedRecord(t *testing.T) {
	ctx := context.Background()
	f := open(t, t.TempDir())
	g := storetest.NewGenerator(9, storetest.Base, 24*time.Hour)
	more := f.append(t, g, 5)
	entry := ledger.Batch{Type: ledger.TypeObservation, First: more[0].Sequence, Count: 5}.MarshalEntry() // a root of zeros
	if _, err := f.log.Append(ctx, [][]byte{entry}); err != nil {
		t.Fatal(err)
	}
	_, err := f.c.Recover(ctx)
	if !errors.Is(err, ledger.ErrChanged) {
		t.Fatalf("error %v; want one naming a changed record", err)
	}
}

func TestKeyIsKept(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k")
	a, err := ledger.LoadOrCreateKey(path, "one.invalid/log")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ledger.LoadOrCreateKey(path, "another-name")
	if err != nil {
		t.Fatal(err)
	}
	if a.Verifier != b.Verifier || !strings.HasPrefix(a.Verifier, "one.invalid/log+") {
		t.Fatalf("key changed on reopen: %s then %s", a.Verifier, b.Verifier)
	}
}

func TestMain(m *testing.M) {
	// Tessera logs through klog; the tests' output is for failures.
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)
	os.Exit(m.Run())
}

// localAudit reads the log and store of a fixture directly; tamper, when
// set, changes what one record looks like to the auditor.
type localAudit struct {
	f      *fixture
	tamper func(seq int64, c ledger.Commitment) ledger.Commitment
}

func (a localAudit) Checkpoint(ctx context.Context) ([]byte, error) {
	raw, _, err := a.f.log.Checkpoint(ctx)
	return raw, err
}

func (a localAudit) EntryBundle(ctx context.Context, index uint64, p uint8) ([]byte, error) {
	return a.f.log.ReadEntryBundle(ctx, index, p)
}

func (a localAudit) Leaves(ctx context.Context, logIndex uint64) ([][32]byte, error) {
	b, err := a.f.st.LedgerBatchAt(ctx, logIndex)
	return b.Leaves, err
}

func (a localAudit) Records(ctx context.Context, typ string, fn func(int64, ledger.Commitment) error) error {
	recs, err := a.f.st.ObservationsAfter(ctx, 0, 0)
	if err != nil {
		return err
	}
	for _, r := range recs {
		c := ledger.CommitCanonical(typ, ledger.ObservationKey(r.Key()), r.Document)
		if a.tamper != nil {
			c = a.tamper(r.Sequence, c)
		}
		if err := fn(r.Sequence, c); err != nil {
			return err
		}
	}
	return nil
}

func TestAudit(t *testing.T) {
	ctx := context.Background()
	f := open(t, t.TempDir())
	g := storetest.NewGenerator(10, storetest.Base, 24*time.Hour)
	f.append(t, g, 1234)
	if _, err := f.c.CommitPending(ctx); err != nil {
		t.Fatal(err)
	}
	size, _ := f.log.Size(ctx)
	f.waitCheckpoint(t, size)
	f.append(t, g, 5) // stored, not yet committed

	types := []string{ledger.TypeObservation}
	rep, err := ledger.Audit(ctx, f.key.Verifier, types, localAudit{f: f})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 || rep.Records[ledger.TypeObservation] != 1234 || rep.Uncommitted != 5 || rep.TreeSize != 13 {
		t.Fatalf("clean audit: %+v", rep)
	}

	rep, err = ledger.Audit(ctx, f.key.Verifier, types, localAudit{f: f, tamper: func(seq int64, c ledger.Commitment) ledger.Commitment {
		if seq == 777 {
			c.Digest[0] ^= 1
		}
		return c
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "(sequence 777) differs from what log entry 7 committed") {
		t.Fatalf("tampered audit: %q", rep.Problems)
	}

	if rep, err := ledger.Audit(ctx, otherKey(t), types, localAudit{f: f}); err != nil || len(rep.Problems) != 1 {
		t.Fatalf("audit against another key: %+v, %v", rep, err)
	}
}

// otherKey is the verifier key of another log with the same name.
func otherKey(t *testing.T) string {
	k, err := ledger.LoadOrCreateKey(filepath.Join(t.TempDir(), "other.key"), "test.invalid/ledger")
	if err != nil {
		t.Fatal(err)
	}
	return k.Verifier
}

// Records handed over by intake commit exactly as records read back from
// the store, whatever order and however partially they were handed over:
// the same leaves in the same sequence order (batch boundaries may differ,
// they depend on timing).
func TestOfferedRecordsCommitAsStored(t *testing.T) {
	ctx := context.Background()
	entriesOf := func(f *fixture) []string {
		size, err := f.log.Size(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		next := int64(1)
		for i := range size {
			b, err := f.st.LedgerBatchAt(ctx, i)
			if err != nil {
				t.Fatal(err)
			}
			if b.First != next {
				t.Fatalf("entry %d starts at %d, not %d", i, b.First, next)
			}
			next += int64(b.Count)
			for _, l := range b.Leaves {
				out = append(out, fmt.Sprintf("%x", l))
			}
		}
		return out
	}
	run := func(offer func(c *ledger.Committer, batches [][]store.Stored)) []string {
		f := open(t, t.TempDir())
		g := storetest.NewGenerator(13, storetest.Base, 24*time.Hour)
		var batches [][]store.Stored
		for range 4 {
			stored, err := f.st.AppendObservations(ctx, g.Batch(70), storetest.Base)
			if err != nil {
				t.Fatal(err)
			}
			batches = append(batches, stored)
		}
		// A resubmission is Existing, never offered as new.
		again, err := f.st.AppendObservations(ctx, storetest.NewGenerator(13, storetest.Base, 24*time.Hour).Batch(70), storetest.Base)
		if err != nil {
			t.Fatal(err)
		}
		batches = append(batches, again)
		offer(f.c, batches)
		if n, err := f.c.CommitPending(ctx); err != nil || n != 280 {
			t.Fatalf("committed %d, %v; want 280", n, err)
		}
		return entriesOf(f)
	}
	want := run(func(*ledger.Committer, [][]store.Stored) {})
	cases := map[string]func(c *ledger.Committer, b [][]store.Stored){
		"all, in order": func(c *ledger.Committer, b [][]store.Stored) {
			for _, s := range b {
				c.OfferObservations(s)
			}
		},
		"out of order": func(c *ledger.Committer, b [][]store.Stored) {
			for i := len(b) - 1; i >= 0; i-- {
				c.OfferObservations(b[i])
			}
		},
		"the first batch missing": func(c *ledger.Committer, b [][]store.Stored) {
			for _, s := range b[1:] {
				c.OfferObservations(s)
			}
		},
		"a middle batch missing": func(c *ledger.Committer, b [][]store.Stored) {
			c.OfferObservations(b[0])
			c.OfferObservations(b[2])
			c.OfferObservations(b[3])
		},
	}
	for name, offer := range cases {
		t.Run(name, func(t *testing.T) {
			if got := run(offer); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
