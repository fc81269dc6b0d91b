package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
)

// runWitness executes `truce witness …` from newWitnessCmd as a user would.
func runWitness(ctx context.Context, stderr io.Writer, args ...string) (string, error) {
	cmd := newWitnessCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(stderr)
	cmd.SetArgs(args)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.ExecuteContext(ctx)
	return out.String(), err
}

// witnessTestLog is a log key from a fixed seed and a signed checkpoint of
// its empty tree.
func witnessTestLog(t *testing.T, name string, seed byte) (vkey string, checkpoint []byte) {
	t.Helper()
	var s [32]byte
	s[0] = seed
	skey, vkey, err := note.GenerateKey(rand.NewChaCha8(s), name)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	empty := sha256.Sum256(nil)
	text := fmt.Sprintf("%s\n0\n%s\n", name, base64.StdEncoding.EncodeToString(empty[:]))
	cp, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		t.Fatal(err)
	}
	return vkey, cp
}

func TestWitnessKey(t *testing.T) {
	data := filepath.Join(t.TempDir(), "w")
	first, err := runWitness(context.Background(), io.Discard, "key", "--data", data, "--name", "witness.example/ukr")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first, "witness.example/ukr+") {
		t.Fatalf("key printed %q", first)
	}
	if _, err := fnote.NewVerifierForCosignatureV1(strings.TrimSpace(first)); err != nil {
		t.Errorf("printed key is no cosignature/v1 verifier key: %v", err)
	}
	again, err := runWitness(context.Background(), io.Discard, "key", "--data", data)
	if err != nil || again != first {
		t.Errorf("second run printed %q (%v), want the same key %q", again, err, first)
	}
	_, err = runWitness(context.Background(), io.Discard, "key", "--data", data, "--name", "witness.example/other")
	if err == nil || !strings.HasPrefix(err.Error(), "--name:") {
		t.Errorf("renaming the witness: %v", err)
	}
}

// syncBuffer is the server's stderr, written by its logger while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestWitnessServe starts `truce witness serve` with its logs in a file,
// finds it from the URL it logs, gets a checkpoint cosigned with the key it
// logged, and stops it as SIGINT would.
func TestWitnessServe(t *testing.T) {
	dir := t.TempDir()
	vkey, cp := witnessTestLog(t, "example.org/truce-ledger", 1)
	_, otherCP := witnessTestLog(t, "example.org/not-followed", 2)
	logFile := writeFile(t, dir, "logs.txt", "# the mechanism's ledger\n\n"+vkey+"  # added 2026-09-02\n")
	data := filepath.Join(dir, "witness")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		_, err := runWitness(ctx, &stderr, "serve", "--data", data, "--addr", "127.0.0.1:0", "--log-file", logFile, "--name", "witness.example/usa")
		done <- err
	}()

	urlRE := regexp.MustCompile(`url=(http://\S+)/add-checkpoint`)
	vkeyRE := regexp.MustCompile(`vkey=(\S+)`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == ""; {
		if m := urlRE.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v\n%s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never logged its URL:\n%s", stderr.String())
		}
	}
	logged := vkeyRE.FindStringSubmatch(stderr.String())[1]
	printed, err := runWitness(context.Background(), io.Discard, "key", "--data", data)
	if err != nil || strings.TrimSpace(printed) != logged {
		t.Fatalf("`witness key` printed %q (%v); serve logged %q", printed, err, logged)
	}
	cosigVerifier, err := fnote.NewVerifierForCosignatureV1(logged)
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, method, path string
		body               []byte
		status             int
	}{
		{"health", http.MethodGet, "/healthz", nil, 200},
		{"cosign", http.MethodPost, "/add-checkpoint", append([]byte("old 0\n\n"), cp...), 200},
		{"stale old size is fine at 0", http.MethodPost, "/add-checkpoint", append([]byte("old 0\n\n"), cp...), 200},
		{"log not followed", http.MethodPost, "/add-checkpoint", append([]byte("old 0\n\n"), otherCP...), 404},
		{"malformed", http.MethodPost, "/add-checkpoint", []byte("old x\n\n"), 400},
		{"wrong method", http.MethodGet, "/add-checkpoint", nil, 405},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, base+c.path, bytes.NewReader(c.body))
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, c.status, body)
			}
			if c.path == "/add-checkpoint" && c.status == 200 {
				n, err := note.Open(append(bytes.Clone(cp), body...), note.VerifierList(cosigVerifier))
				if err != nil || n.Sigs[0].Name != "witness.example/usa" {
					t.Errorf("cosignature %q: %v", body, err)
				}
			}
		})
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after SIGINT: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("no clean stop logged:\n%s", stderr.String())
	}
}

// TestWitnessFlagErrors: each bad flag is named in the error, before
// anything is made on disk.
func TestWitnessFlagErrors(t *testing.T) {
	dir := t.TempDir()
	vkey, _ := witnessTestLog(t, "example.org/truce-ledger", 1)
	badFile := writeFile(t, dir, "bad.txt", "# keys\n"+vkey+"\nexample.org/x+1234+notbase64\n")
	data := filepath.Join(dir, "witness")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no logs", []string{"serve", "--data", data}, "--log or --log-file"},
		{"bad --log", []string{"serve", "--data", data, "--log", "nonsense"}, "--log:"},
		{"bad --log-file line", []string{"serve", "--data", data, "--log-file", badFile}, "bad.txt line 3"},
		{"missing --log-file", []string{"serve", "--data", data, "--log-file", filepath.Join(dir, "none.txt")}, "--log-file:"},
		{"bad --addr", []string{"serve", "--data", data, "--log", vkey, "--addr", "localhost"}, `--addr "localhost"`},
		{"bad --addr port", []string{"serve", "--data", data, "--log", vkey, "--addr", "127.0.0.1:http"}, "port"},
		{"bad --log-level", []string{"serve", "--data", data, "--log", vkey, "--log-level", "loud"}, "--log-level"},
		{"bad --name", []string{"serve", "--data", data, "--log", vkey, "--name", "two words"}, "--name:"},
		{"bad key --name", []string{"key", "--data", data, "--name", "a+b"}, "--name:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := runWitness(context.Background(), io.Discard, c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one naming %q", err, c.want)
			}
			if _, err := os.Stat(data); err == nil {
				t.Errorf("%s was made for a command that failed", data)
			}
		})
	}
}
