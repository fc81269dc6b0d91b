package ledger

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"

	"github.com/truce-mechanism/truce/store"
)

// Proof is everything a third party needs to check, offline, that a
// record is in the log: the record's commitment, its place in its batch
// (level one), the batch entry's place in the log (level two), and the
// signed checkpoint both verify against. Its JSON is the API's answer to
// GET /api/v1/proof/{type}/{key}.
type Proof struct {
	Record RecordProof `json:"record"`
	Batch  BatchProof  `json:"batch"`
	Log    LogProof    `json:"log"`
}

// RecordProof names the record and its commitment.
type RecordProof struct {
	Type     string `json:"type"`
	Key      string `json:"key"`
	Sequence int64  `json:"sequence"`
	// Digest is "sha256:<hex>" of the record's RFC 8785 canonical form.
	Digest string `json:"digest"`
	// LeafHash is the RFC 6962 leaf hash of the commitment's LeafInput.
	LeafHash []byte `json:"leaf_hash"`
}

// BatchProof places the record in its batch.
type BatchProof struct {
	// Entry is the log entry exactly as logged (MarshalEntry).
	Entry string `json:"entry"`
	// Index is the record's position in the batch (sequence - first).
	Index int      `json:"index"`
	Path  [][]byte `json:"inclusion_proof"`
}

// LogProof places the batch entry in the log.
type LogProof struct {
	Index    uint64   `json:"index"`
	TreeSize uint64   `json:"tree_size"`
	Path     [][]byte `json:"inclusion_proof"`
	// Checkpoint is the signed checkpoint (a signed note, with any
	// witness cosignatures) of TreeSize.
	Checkpoint string `json:"checkpoint"`
}

// VerifyError says which step of a proof failed.
type VerifyError struct {
	Step string // "record", "batch", "log" or "checkpoint"
	Err  error
}

func (e *VerifyError) Error() string { return e.Step + ": " + e.Err.Error() }
func (e *VerifyError) Unwrap() error { return e.Err }

func verifyErr(step string, format string, args ...any) error {
	return &VerifyError{Step: step, Err: fmt.Errorf(format, args...)}
}

// Verify checks p against the log's verifier key (note format,
// name+hash+base64; its name is the log's origin). When record is not
// nil it is the record's JSON as the caller holds it, and its digest must
// match too; without it Verify proves only that the commitment is logged.
// It returns the verified checkpoint.
func (p *Proof) Verify(logKey string, record []byte) (*log.Checkpoint, error) {
	v, err := note.NewVerifier(logKey)
	if err != nil {
		return nil, verifyErr("checkpoint", "the log key %q: %v", logKey, err)
	}
	cp, _, _, err := log.ParseCheckpoint([]byte(p.Log.Checkpoint), v.Name(), v)
	if err != nil {
		return nil, verifyErr("checkpoint", "not signed by %s: %v", v.Name(), err)
	}

	digest, ok := strings.CutPrefix(p.Record.Digest, "sha256:")
	var c Commitment
	if n, err := hex.Decode(c.Digest[:], []byte(digest)); !ok || err != nil || n != 32 {
		return nil, verifyErr("record", "digest %q is not sha256:<64 hex digits>", p.Record.Digest)
	}
	c.Type, c.Key = p.Record.Type, p.Record.Key
	if record != nil {
		held, err := Commit(c.Type, c.Key, record)
		if err != nil {
			return nil, verifyErr("record", "%v", err)
		}
		if held.Digest != c.Digest {
			return nil, verifyErr("record", "the record's digest is sha256:%x, the proof's %s: the record differs from what was logged", held.Digest, p.Record.Digest)
		}
	}
	leaf := c.LeafHash()
	if !bytes.Equal(leaf[:], p.Record.LeafHash) {
		return nil, verifyErr("record", "leaf hash does not match type, key and digest")
	}

	b, err := ParseEntry([]byte(p.Batch.Entry))
	if err != nil {
		return nil, verifyErr("batch", "%v", err)
	}
	if !b.Contains(c.Type, p.Record.Sequence) {
		return nil, verifyErr("batch", "the entry holds %s %d…%d, not %s %d", b.Type, b.First, b.Last(), c.Type, p.Record.Sequence)
	}
	if int64(p.Batch.Index) != p.Record.Sequence-b.First {
		return nil, verifyErr("batch", "index %d is not sequence %d minus first %d", p.Batch.Index, p.Record.Sequence, b.First)
	}
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(p.Batch.Index), uint64(b.Count), leaf[:], p.Batch.Path, b.Root[:]); err != nil {
		return nil, verifyErr("batch", "the record is not under the batch root: %v", err)
	}

	if p.Log.TreeSize != cp.Size {
		return nil, verifyErr("log", "proof is for tree size %d, the checkpoint is %d", p.Log.TreeSize, cp.Size)
	}
	entryHash := rfc6962.DefaultHasher.HashLeaf([]byte(p.Batch.Entry))
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, p.Log.Index, cp.Size, entryHash, p.Log.Path, cp.Hash); err != nil {
		return nil, verifyErr("log", "the batch entry is not in the log at index %d: %v", p.Log.Index, err)
	}
	return cp, nil
}

// VerifyConsistency checks that the log of checkpoint newer extends the log
// of checkpoint older: nothing in older was rewritten or removed. Both must
// be signed by logKey; path is the RFC 6962 consistency proof.
func VerifyConsistency(logKey string, older, newer []byte, path [][]byte) error {
	v, err := note.NewVerifier(logKey)
	if err != nil {
		return verifyErr("checkpoint", "the log key %q: %v", logKey, err)
	}
	a, _, _, err := log.ParseCheckpoint(older, v.Name(), v)
	if err != nil {
		return verifyErr("checkpoint", "the older checkpoint: %v", err)
	}
	b, _, _, err := log.ParseCheckpoint(newer, v.Name(), v)
	if err != nil {
		return verifyErr("checkpoint", "the newer checkpoint: %v", err)
	}
	if a.Size > b.Size {
		return verifyErr("log", "the older checkpoint (size %d) is larger than the newer (size %d)", a.Size, b.Size)
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, a.Size, b.Size, path, a.Hash, b.Hash); err != nil {
		return verifyErr("log", "size %d is not a prefix of size %d: %v", a.Size, b.Size, err)
	}
	return nil
}

// ErrNotYet: the record is stored but its proof cannot be given yet — it
// awaits its batch, or its batch awaits a published checkpoint.
var ErrNotYet = errors.New("not yet in a published checkpoint")

// ErrChanged: a stored record no longer matches the leaf the log committed
// for it. Someone changed the database behind truce's back.
var ErrChanged = errors.New("the stored record was changed after it was committed")

// Prove builds the proof of the record whose commitment is c and whose
// sequence in its type is seq, against the latest published checkpoint.
// ErrNotYet: the record awaits its batch or a checkpoint. A commitment
// that differs from the logged leaf means the stored record was changed
// after it was committed: that is an error, never a proof.
func Prove(ctx context.Context, l *Log, st store.Store, c Commitment, seq int64) (*Proof, error) {
	lb, err := st.LedgerBatchFor(ctx, c.Type, seq)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotYet
	}
	if err != nil {
		return nil, err
	}
	raw, cp, err := l.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	if cp.Size <= lb.LogIndex {
		return nil, ErrNotYet
	}
	idx := int(seq - lb.First)
	leaf := c.LeafHash()
	if lb.Leaves[idx] != leaf {
		return nil, fmt.Errorf("ledger: %s %s (sequence %d) differs from what log entry %d committed: %w", c.Type, c.Key, seq, lb.LogIndex, ErrChanged)
	}
	chunks := lb.Chunks
	if len(chunks) != (lb.Count+ChunkLeaves-1)/ChunkLeaves {
		chunks = ChunkRoots(lb.Leaves) // a row from before chunks were kept
	}
	logPath, err := l.InclusionProof(ctx, lb.LogIndex, cp.Size)
	if err != nil {
		return nil, fmt.Errorf("ledger: proving entry %d: %w", lb.LogIndex, err)
	}
	return &Proof{
		Record: RecordProof{Type: c.Type, Key: c.Key, Sequence: seq, Digest: fmt.Sprintf("sha256:%x", c.Digest), LeafHash: leaf[:]},
		Batch: BatchProof{
			Entry: string(Batch{Type: lb.Type, First: lb.First, Count: lb.Count, Root: lb.Root}.MarshalEntry()),
			Index: idx,
			Path:  InclusionProof(lb.Leaves, chunks, idx),
		},
		Log: LogProof{Index: lb.LogIndex, TreeSize: cp.Size, Path: logPath, Checkpoint: string(raw)},
	}, nil
}
