package witness

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	flog "github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"
	"golang.org/x/mod/sumdb/note"
)

// clock is the fixed time every test witness cosigns at.
var clock = time.Date(2026, 9, 2, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return clock }

// seeded is a deterministic source of key material.
func seeded(seed byte) *rand.ChaCha8 {
	var s [32]byte
	s[0] = seed
	return rand.NewChaCha8(s)
}

// testLog is a log as the witness sees it: a key and a Merkle tree whose
// prefixes it signs as checkpoints.
type testLog struct {
	t      testing.TB
	origin string
	signer note.Signer
	vkey   string
	tree   *testonly.Tree
}

// newTestLog makes a log whose first n entries are "prefix-<i>"; two logs
// built from one seed and name with different prefixes share a key but not
// a history, which is how a fork looks to a witness.
func newTestLog(t testing.TB, origin string, seed byte, prefix string, n int) *testLog {
	t.Helper()
	skey, vkey, err := note.GenerateKey(seeded(seed), origin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	l := &testLog{t: t, origin: origin, signer: s, vkey: vkey, tree: testonly.New(rfc6962.DefaultHasher)}
	l.grow(prefix, n)
	return l
}

func (l *testLog) grow(prefix string, n int) {
	for i := 0; i < n; i++ {
		l.tree.AppendData(fmt.Appendf(nil, "%s-%d", prefix, l.tree.Size()))
	}
}

// checkpoint signs the tree at size.
func (l *testLog) checkpoint(size uint64) []byte {
	l.t.Helper()
	text := flog.Checkpoint{Origin: l.origin, Size: size, Hash: l.tree.HashAt(size)}.Marshal()
	cp, err := note.Sign(&note.Note{Text: string(text)}, l.signer)
	if err != nil {
		l.t.Fatal(err)
	}
	return cp
}

// request is a well-formed add-checkpoint body from old to size.
func (l *testLog) request(old, size uint64) []byte {
	l.t.Helper()
	var p [][]byte
	if old > 0 && old < size {
		var err error
		if p, err = l.tree.ConsistencyProof(old, size); err != nil {
			l.t.Fatal(err)
		}
	}
	return AddCheckpoint{OldSize: old, Proof: p, Checkpoint: l.checkpoint(size)}.Encode()
}
