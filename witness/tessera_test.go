package witness

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"github.com/transparency-dev/tessera"
	"github.com/transparency-dev/tessera/storage/posix"
	"golang.org/x/mod/sumdb/note"
)

// TestTesseraLogCollectsCosignatures runs a real Tessera POSIX log that
// asks this witness to cosign every checkpoint it publishes, through
// Tessera's own witness client: what the client sends and expects is
// exactly what the witness speaks. Half-way the witness is restarted on its
// state directory, as after a crash; the log carries on without noticing.
func TestTesseraLogCollectsCosignatures(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a Tessera log")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	const logName = "example.org/truce-ledger-e2e"
	skey, vkey, err := note.GenerateKey(seeded(11), logName)
	if err != nil {
		t.Fatal(err)
	}
	logSigner, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	logVerifier, _ := note.NewVerifier(vkey)

	witnessDir := t.TempDir()
	var current atomic.Pointer[Witness]
	current.Store(newWitness(t, witnessDir, vkey))
	var requests, refused atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		sr := &statusRecorder{ResponseWriter: rw}
		current.Load().ServeHTTP(sr, r)
		if sr.status != http.StatusOK {
			refused.Add(1)
		}
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	wvkey := current.Load().VerifierKey()
	tw, err := tessera.NewWitness(wvkey, u)
	if err != nil {
		t.Fatalf("tessera.NewWitness refuses our verifier key %q: %v", wvkey, err)
	}
	cosigVerifier, err := fnote.NewVerifierForCosignatureV1(wvkey)
	if err != nil {
		t.Fatal(err)
	}

	driver, err := posix.New(ctx, posix.Config{Path: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	opts := tessera.NewAppendOptions().
		WithCheckpointSigner(logSigner).
		WithCheckpointInterval(100*time.Millisecond). // the POSIX driver's minimum
		WithBatching(16, 20*time.Millisecond).
		WithWitnesses(tessera.NewWitnessGroup(1, tw), &tessera.WitnessOptions{Timeout: 10 * time.Second})
	appender, shutdown, reader, err := tessera.NewAppender(ctx, driver, opts)
	if err != nil {
		t.Fatal(err)
	}
	awaiter := tessera.NewPublicationAwaiter(ctx, reader.ReadCheckpoint, 20*time.Millisecond)

	appendAndCheck := func(round, n int) {
		t.Helper()
		futures := make([]tessera.IndexFuture, n)
		for i := range futures {
			futures[i] = appender.Add(ctx, tessera.NewEntry(fmt.Appendf(nil, "round %d entry %d", round, i)))
		}
		var cp []byte
		for _, f := range futures {
			if _, cp, err = awaiter.Await(ctx, f); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		// The published checkpoint carries the log's signature and ours.
		n1, err := note.Open(cp, note.VerifierList(logVerifier))
		if err != nil {
			t.Fatalf("round %d: log signature: %v\n%s", round, err, cp)
		}
		n2, err := note.Open(cp, note.VerifierList(cosigVerifier))
		if err != nil {
			t.Fatalf("round %d: checkpoint lacks the witness's cosignature: %v\n%s", round, err, cp)
		}
		if n2.Sigs[0].Name != "witness.test/w1" {
			t.Errorf("cosigned by %q", n2.Sigs[0].Name)
		}
		ts, err := fnote.CoSigV1Timestamp(n2.Sigs[0])
		if err != nil || !ts.Equal(clock) {
			t.Errorf("cosignature timestamp %v, %v", ts, err)
		}
		text, _, _ := splitNote(cp)
		published, err := parseCheckpoint(text)
		if err != nil || n1.Text != string(text) {
			t.Fatal(err)
		}
		size, root, _ := current.Load().Held(logName)
		if size < published.Size {
			t.Errorf("round %d: published size %d but the witness holds %d", round, published.Size, size)
		}
		if size == published.Size && string(root) != string(published.Root) {
			t.Errorf("round %d: witness holds another root at size %d", round, size)
		}
	}

	appendAndCheck(1, 40)

	// Restart the witness on its directory, as after kill -9 (the lock
	// goes with the process; the state was on disk before each answer).
	before, _, _ := current.Load().Held(logName)
	current.Load().Close()
	restarted := newWitnessSeed(t, witnessDir, 200, vkey)
	if restarted.VerifierKey() != wvkey {
		t.Fatalf("restart changed the witness key")
	}
	if after, _, _ := restarted.Held(logName); after != before {
		t.Fatalf("restart: held %d, was %d", after, before)
	}
	current.Store(restarted)

	appendAndCheck(2, 25)

	// An honest log and a witness that kept its state never disagree.
	if requests.Load() < 3 || refused.Load() != 0 {
		t.Fatalf("the log sent %d add-checkpoint requests, %d refused", requests.Load(), refused.Load())
	}

	// A witness with the same key but no state (its directory restored
	// without the logs/ folder) answers the log's old size with 409 and
	// text/x.tlog.size "0"; Tessera's client must retry from 0 and get the
	// cosignature. This is the protocol's recovery path, end to end.
	freshDir := t.TempDir()
	keyBytes, err := os.ReadFile(filepath.Join(witnessDir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(freshDir, KeyFile), keyBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	current.Load().Close()
	current.Store(newWitnessSeed(t, freshDir, 201, vkey))
	appendAndCheck(3, 10)
	if refused.Load() != 1 {
		t.Errorf("%d refusals on the recovery path, want the one 409", refused.Load())
	}

	if err := shutdown(ctx); err != nil {
		t.Fatalf("tessera shutdown: %v", err)
	}
	cancel()
	t.Logf("%d add-checkpoint requests, %d refused", requests.Load(), refused.Load())
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// TestTesseraPolicyTakesOurKey: the witness policy file format the ledger
// reads (tessera.NewWitnessGroupFromPolicy) accepts the witness's vkey.
func TestTesseraPolicyTakesOurKey(t *testing.T) {
	lg := newTestLog(t, origin, 1, "entry", 1)
	w := newWitness(t, t.TempDir(), lg.vkey)
	policy := fmt.Sprintf("witness w1 %s https://witness.example/truce\nquorum w1\n", w.VerifierKey())
	if _, err := tessera.NewWitnessGroupFromPolicy([]byte(policy)); err != nil {
		t.Fatalf("policy with our key refused: %v", err)
	}
}
