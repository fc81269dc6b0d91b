package witness

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
)

const origin = "example.org/truce-ledger"

func newWitness(t *testing.T, dir string, logs ...string) *Witness {
	t.Helper()
	w, err := New(Config{Dir: dir, Logs: logs, Name: "witness.test/w1", Now: fixedNow, Rand: seeded(99)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

type response struct {
	status      int
	contentType string
	body        string
}

func post(t *testing.T, h http.Handler, method, path string, body []byte) response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, bytes.NewReader(body)))
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header.Get("Content-Type"), string(b)}
}

// checkCosignature opens checkpoint+cosignature the way Tessera's client
// does and checks the timestamp is the injected clock's.
func checkCosignature(t *testing.T, w *Witness, cp []byte, line string) {
	t.Helper()
	v, err := fnote.NewVerifierForCosignatureV1(w.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(append(bytes.Clone(cp), line...), note.VerifierList(v))
	if err != nil {
		t.Fatalf("cosignature %q does not verify: %v", line, err)
	}
	if len(n.Sigs) != 1 || n.Sigs[0].Name != "witness.test/w1" {
		t.Fatalf("signatures %+v", n.Sigs)
	}
	ts, err := fnote.CoSigV1Timestamp(n.Sigs[0])
	if err != nil || !ts.Equal(clock) {
		t.Errorf("cosignature timestamp %v (%v), want %v", ts, err, clock)
	}
}

// TestAddCheckpoint walks every answer of tlog-witness add-checkpoint. Each
// case starts from a fresh witness that has cosigned the log at size held.
func TestAddCheckpoint(t *testing.T) {
	lg := newTestLog(t, origin, 1, "entry", 12)
	fork := newTestLog(t, origin, 1, "forged", 12) // same key, another history
	other := newTestLog(t, "example.org/other-log", 2, "entry", 12)
	impostor := newTestLog(t, origin, 3, "entry", 12) // same name, other key

	badProof := func() []byte {
		p, _ := lg.tree.ConsistencyProof(4, 8)
		p[0] = bytes.Clone(p[0])
		p[0][0] ^= 1
		return AddCheckpoint{OldSize: 4, Proof: p, Checkpoint: lg.checkpoint(8)}.Encode()
	}
	forkProof := func() []byte { // a proof the forged tree really has, from a root it does not share
		p, _ := fork.tree.ConsistencyProof(4, 8)
		return AddCheckpoint{OldSize: 4, Proof: p, Checkpoint: fork.checkpoint(8)}.Encode()
	}
	tamperedSig := func() []byte {
		cp := lg.checkpoint(8)
		text, sigs, _ := splitNote(cp)
		name, b64, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(string(sigs), "— "), "\n"), " ")
		raw, _ := base64.StdEncoding.DecodeString(b64)
		raw[10] ^= 1 // past the key ID: the signature itself
		cp = fmt.Appendf(bytes.Clone(text), "\n— %s %s\n", name, base64.StdEncoding.EncodeToString(raw))
		p, _ := lg.tree.ConsistencyProof(4, 8)
		return AddCheckpoint{OldSize: 4, Proof: p, Checkpoint: cp}.Encode()
	}
	withProof := func(old, size uint64, proofLines int) []byte {
		p := make([][]byte, proofLines)
		for i := range p {
			p[i] = make([]byte, 32)
		}
		return AddCheckpoint{OldSize: old, Proof: p, Checkpoint: lg.checkpoint(size)}.Encode()
	}

	cases := []struct {
		name     string
		held     uint64 // cosigned before the request; 0 = never
		method   string
		path     string
		body     []byte
		status   int
		ctype    string
		contains string
		wantHeld uint64
	}{
		{name: "first checkpoint, old 0", body: lg.request(0, 4), status: 200, wantHeld: 4},
		{name: "empty tree first", body: lg.request(0, 0), status: 200, wantHeld: 0},
		{name: "grows with a good proof", held: 4, body: lg.request(4, 8), status: 200, wantHeld: 8},
		{name: "same checkpoint again is cosigned again", held: 4, body: lg.request(4, 4), status: 200, wantHeld: 4},
		{name: "unknown origin", held: 4, body: other.request(0, 4), status: 404, contains: "does not follow"},
		{name: "signed by another key of the same name", held: 4, body: impostor.request(4, 8), status: 403, contains: "no signature"},
		{name: "signature tampered", held: 4, body: tamperedSig(), status: 403},
		{name: "old size above checkpoint size", held: 4, body: lg.request(9, 8), status: 400, contains: "larger than"},
		{name: "checkpoint smaller than held, old = its size", held: 8, body: lg.request(4, 4), status: 409, ctype: SizeContentType},
		{name: "checkpoint smaller than held, old = held", held: 8, body: lg.request(8, 4), status: 400},
		{name: "stale old size", held: 8, body: lg.request(4, 12), status: 409, ctype: SizeContentType},
		{name: "old 0 to a witness that holds 4", held: 4, body: lg.request(0, 8), status: 409, ctype: SizeContentType},
		{name: "same size, other root", held: 4, body: fork.request(4, 4), status: 409, ctype: "text/plain; charset=utf-8", contains: "root differs"},
		{name: "bad consistency proof", held: 4, body: badProof(), status: 422, contains: "does not verify"},
		{name: "fork with its own proof", held: 4, body: forkProof(), status: 422},
		{name: "proof lines with old 0", body: withProof(0, 4, 2), status: 422},
		{name: "no proof when one is needed", held: 4, body: withProof(4, 8, 0), status: 422},
		{name: "empty body", body: nil, status: 400, contains: "line 1"},
		{name: "old with leading zero", body: []byte("old 04\n\n"), status: 400, contains: "leading zeroes"},
		{name: "old negative", body: []byte("old -1\n\n"), status: 400},
		{name: "no empty line", body: []byte("old 0\n"), status: 400, contains: "empty line"},
		{name: "proof not base64", held: 4, body: []byte("old 4\n!!!\n\n" + string(lg.checkpoint(8))), status: 400, contains: "line 2"},
		{name: "proof hash too short", held: 4, body: []byte("old 4\nAAAA\n\n" + string(lg.checkpoint(8))), status: 400, contains: "SHA-256"},
		{name: "64 proof lines", held: 4, body: withProof(4, 8, 64), status: 400, contains: "more than 63"},
		{name: "no checkpoint", body: []byte("old 0\n\n"), status: 400, contains: "no checkpoint"},
		{name: "checkpoint without signatures", body: []byte("old 0\n\n" + origin + "\n4\n" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"), status: 400},
		{name: "checkpoint size not a number", body: []byte("old 0\n\n" + origin + "\nfour\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— x AAAAAAAA\n"), status: 400, contains: "checkpoint line 2"},
		{name: "GET", method: http.MethodGet, body: nil, status: 405},
		{name: "other path", path: "/checkpoint", body: lg.request(0, 4), status: 404},
		{name: "body too large", body: bytes.Repeat([]byte("x"), MaxRequestBytes+1), status: 413},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWitness(t, t.TempDir(), lg.vkey)
			if c.held > 0 {
				if r := post(t, w, http.MethodPost, "/add-checkpoint", lg.request(0, c.held)); r.status != 200 {
					t.Fatalf("setup: %+v", r)
				}
			}
			method, path := c.method, c.path
			if method == "" {
				method = http.MethodPost
			}
			if path == "" {
				path = "/add-checkpoint"
			}
			r := post(t, w, method, path, c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d; body %q", r.status, c.status, r.body)
			}
			if c.ctype != "" && r.contentType != c.ctype {
				t.Errorf("Content-Type %q, want %q", r.contentType, c.ctype)
			}
			if !strings.Contains(r.body, c.contains) {
				t.Errorf("body %q lacks %q", r.body, c.contains)
			}
			size, _, _ := w.Held(origin)
			switch {
			case r.status == 200:
				req, err := ParseAddCheckpoint(c.body)
				if err != nil {
					t.Fatal(err)
				}
				checkCosignature(t, w, req.Checkpoint, r.body)
				if size != c.wantHeld {
					t.Errorf("held %d after success, want %d", size, c.wantHeld)
				}
			case r.status == 409 && c.ctype == SizeContentType:
				if want := itoa(c.held) + "\n"; r.body != want {
					t.Errorf("409 body %q, want %q", r.body, want)
				}
				fallthrough
			default:
				if size != c.held {
					t.Errorf("a refusal moved the held size from %d to %d", c.held, size)
				}
			}
		})
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// TestForkKeptAsEvidence: a log-signed checkpoint that contradicts a
// cosigned one is saved, once however often it is retried.
func TestForkKeptAsEvidence(t *testing.T) {
	lg := newTestLog(t, origin, 1, "entry", 8)
	fork := newTestLog(t, origin, 1, "forged", 8)
	dir := t.TempDir()
	w := newWitness(t, dir, lg.vkey)
	post(t, w, http.MethodPost, "/add-checkpoint", lg.request(0, 4))
	body := fork.request(4, 4)
	for range 2 {
		if r := post(t, w, http.MethodPost, "/add-checkpoint", body); r.status != 409 {
			t.Fatalf("fork: %+v", r)
		}
	}
	ents, err := os.ReadDir(filepath.Join(dir, evidenceDir))
	if err != nil || len(ents) != 1 {
		t.Fatalf("evidence %v, %v; want one file", ents, err)
	}
	kept, _ := os.ReadFile(filepath.Join(dir, evidenceDir, ents[0].Name()))
	if !bytes.Equal(kept, body) {
		t.Errorf("evidence holds %q, want the request", kept)
	}
}

// TestRestartKeepsStateAndKey: a witness reopened on the same directory
// holds what it cosigned and signs with the same key, so a restart cannot
// be used to get a fork cosigned.
func TestRestartKeepsStateAndKey(t *testing.T) {
	lg := newTestLog(t, origin, 1, "entry", 12)
	fork := newTestLog(t, origin, 1, "forged", 12)
	dir := t.TempDir()

	w1, err := New(Config{Dir: dir, Logs: []string{lg.vkey}, Name: "witness.test/w1", Now: fixedNow, Rand: seeded(7)})
	if err != nil {
		t.Fatal(err)
	}
	if r := post(t, w1, http.MethodPost, "/add-checkpoint", lg.request(0, 6)); r.status != 200 {
		t.Fatal(r)
	}
	if _, err := New(Config{Dir: dir, Logs: []string{lg.vkey}}); err == nil || !strings.Contains(err.Error(), "another witness process") {
		t.Errorf("a second witness on one directory: %v", err)
	}
	vkey := w1.VerifierKey()
	_, root1, _ := w1.Held(origin)
	if err := w1.Close(); err != nil {
		t.Fatal(err)
	}
	if r := post(t, w1, http.MethodPost, "/add-checkpoint", lg.request(6, 8)); r.status != 503 {
		t.Errorf("closed witness answered %d", r.status)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	// A crash mid-write leaves a temporary file; it must not matter.
	os.WriteFile(filepath.Join(dir, logsDir, ".junk.tmp123"), []byte("half"), 0o600)

	// Another seed: were the key made again, it would differ.
	w2 := newWitnessSeed(t, dir, 8, lg.vkey)
	if w2.VerifierKey() != vkey {
		t.Fatalf("key changed across restart: %s → %s", vkey, w2.VerifierKey())
	}
	size, root2, _ := w2.Held(origin)
	if size != 6 || !bytes.Equal(root1, root2) {
		t.Fatalf("held %d %x after restart, want 6 %x", size, root2, root1)
	}
	steps := []struct {
		body   []byte
		status int
		resp   string
	}{
		{fork.request(0, 8), 409, "6\n"},           // forgotten state would have cosigned this
		{fork.request(6, 6), 409, ""},              // fork at the held size
		{lg.request(6, 10), 200, "— witness.test"}, // the true log goes on
	}
	for i, s := range steps {
		r := post(t, w2, http.MethodPost, "/add-checkpoint", s.body)
		if r.status != s.status || !strings.HasPrefix(r.body, s.resp) {
			t.Errorf("step %d: %d %q, want %d %q", i, r.status, r.body, s.status, s.resp)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, logsDir, ".junk.tmp123")); err == nil {
		t.Error("leftover temporary file not cleared")
	}
	w2.Close()

	// A name other than the key's is refused, not silently replaced.
	if _, err := New(Config{Dir: dir, Logs: []string{lg.vkey}, Name: "witness.test/other"}); err == nil || !strings.Contains(err.Error(), "named") {
		t.Errorf("renamed witness: %v", err)
	}
	// A damaged state file stops the witness instead of starting over at 0.
	state := filepath.Join(dir, logsDir, stateName(origin))
	if err := os.WriteFile(state, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Dir: dir, Logs: []string{lg.vkey}}); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged state: %v", err)
	}
}

func newWitnessSeed(t *testing.T, dir string, seed byte, logs ...string) *Witness {
	t.Helper()
	w, err := New(Config{Dir: dir, Logs: logs, Now: fixedNow, Rand: seeded(seed)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// TestConcurrentConflictingCheckpoints: two requests from the same held
// size to two histories race; exactly one is cosigned, the other learns the
// new size. Repeated, since a race shows itself only sometimes.
func TestConcurrentConflictingCheckpoints(t *testing.T) {
	lg := newTestLog(t, origin, 1, "entry", 4)
	a, b := newTestLog(t, origin, 1, "entry", 4), newTestLog(t, origin, 1, "entry", 4)
	a.grow("left", 4)
	b.grow("right", 4)
	for round := range 20 {
		w := newWitness(t, t.TempDir(), lg.vkey)
		srv := httptest.NewServer(w)
		if r := post(t, w, http.MethodPost, "/add-checkpoint", lg.request(0, 4)); r.status != 200 {
			t.Fatal(r)
		}
		bodies := [][]byte{a.request(4, 8), b.request(4, 8)}
		statuses := make([]int, 2)
		var start, done sync.WaitGroup
		start.Add(1)
		for i := range bodies {
			done.Add(1)
			go func() {
				defer done.Done()
				start.Wait()
				res, err := http.Post(srv.URL+"/add-checkpoint", "text/plain", bytes.NewReader(bodies[i]))
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				statuses[i] = res.StatusCode
			}()
		}
		start.Done()
		done.Wait()
		srv.Close()
		wins := 0
		for _, s := range statuses {
			switch s {
			case 200:
				wins++
			case 409:
			default:
				t.Fatalf("round %d: status %d", round, s)
			}
		}
		if wins != 1 {
			t.Fatalf("round %d: statuses %v, want one 200 and one 409", round, statuses)
		}
		size, root, _ := w.Held(origin)
		winner := a
		if statuses[1] == 200 {
			winner = b
		}
		if size != 8 || !bytes.Equal(root, winner.tree.HashAt(8)) {
			t.Fatalf("round %d: held %d %x, not the winner's root", round, size, root)
		}
	}
}

// TestConfigErrors: bad configuration is named, not discovered later.
func TestConfigErrors(t *testing.T) {
	lg := newTestLog(t, origin, 1, "entry", 1)
	w := newWitness(t, t.TempDir(), lg.vkey)
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no dir", Config{Logs: []string{lg.vkey}}, "no state directory"},
		{"no logs", Config{Dir: t.TempDir()}, "no logs"},
		{"garbage key", Config{Dir: t.TempDir(), Logs: []string{lg.vkey, "nonsense"}}, "log key 2"},
		{"witness key as log key", Config{Dir: t.TempDir(), Logs: []string{w.VerifierKey()}}, "witness cosignature key"},
		{"bad witness name", Config{Dir: t.TempDir(), Logs: []string{lg.vkey}, Name: "has space"}, "witness name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one naming %q", err, c.want)
			}
		})
	}
}

// TestKeyMatchesFormats pins the key ID and signer-key form against
// github.com/transparency-dev/formats/note, which Tessera uses: the stored
// key is one its NewSignerForCosignatureV1 reads, with the same key ID.
func TestKeyMatchesFormats(t *testing.T) {
	dir := t.TempDir()
	k, err := LoadOrCreateKey(dir, "witness.test/w1", seeded(5))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, KeyFile))
	s, err := fnote.NewSignerForCosignatureV1(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	v, err := fnote.NewVerifierForCosignatureV1(k.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	if s.KeyHash() != k.hash || v.KeyHash() != k.hash || s.Name() != k.Name {
		t.Errorf("key IDs: ours %08x, formats signer %08x, verifier %08x", k.hash, s.KeyHash(), v.KeyHash())
	}
	// formats' own signature (wall clock) verifies with our verifier key,
	// and ours with theirs.
	msg := []byte("example.org/log\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
	theirs, _ := s.Sign(msg)
	if !v.Verify(msg, theirs) {
		t.Error("formats' cosignature does not verify")
	}
	ours, _ := k.signer(fixedNow).Sign(msg)
	if !s.Verifier().Verify(msg, ours) {
		t.Error("our cosignature does not verify with formats' verifier")
	}
	again, err := LoadOrCreateKey(dir, "", seeded(6))
	if err != nil || again.VerifierKey != k.VerifierKey {
		t.Errorf("reloaded key %v, %v", again, err)
	}
	if err := os.Chmod(filepath.Join(dir, KeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(dir, "", nil); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable key: %v", err)
	}
}
