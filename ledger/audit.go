package ledger

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/tessera/api/layout"
	"github.com/transparency-dev/tessera/client"
	"golang.org/x/mod/sumdb/note"
)

// AuditSource is what an audit reads: the log's public face and the
// records the auditor may see. truce verify --all reads it over HTTP.
type AuditSource interface {
	Checkpoint(ctx context.Context) ([]byte, error)
	// EntryBundle reads a tlog-tiles entry bundle (p > 0: partial).
	EntryBundle(ctx context.Context, index uint64, p uint8) ([]byte, error)
	// Leaves returns the leaf hashes of the batch logged at index.
	Leaves(ctx context.Context, logIndex uint64) ([][32]byte, error)
	// Records calls fn for every record of type typ the auditor can read,
	// in any order.
	Records(ctx context.Context, typ string, fn func(seq int64, c Commitment) error) error
}

// AuditReport is what an audit found. Problems empty means the log and
// every readable record agree.
type AuditReport struct {
	TreeSize uint64
	Entries  int
	// Records checked against their leaves, by type.
	Records map[string]int
	// Uncommitted records are readable but not yet in the checkpoint's
	// batches (normal for the last second of intake).
	Uncommitted int
	Problems    []string
}

// loggedBatch is a verified batch of one type: its first sequence, its log
// index and its leaf hashes.
type loggedBatch struct {
	first int64
	index uint64
	hash  [][32]byte
}

// maxProblems bounds the report: the first few name the damage.
const maxProblems = 100

func (r *AuditReport) problem(format string, args ...any) {
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// Audit rebuilds the whole tree from the entry bundles and checks it
// against the signed checkpoint, checks that every entry is a batch whose
// leaves give its root and that batches cover each type's sequences
// without gap or overlap, then checks every readable record against its
// leaf. An error is a failure to read; what is wrong with the log or the
// records is in the report.
func Audit(ctx context.Context, logKey string, types []string, src AuditSource) (*AuditReport, error) {
	v, err := note.NewVerifier(logKey)
	if err != nil {
		return nil, fmt.Errorf("the log key %q: %w", logKey, err)
	}
	raw, err := src.Checkpoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the checkpoint: %w", err)
	}
	rep := &AuditReport{Records: map[string]int{}}
	cp, _, _, err := log.ParseCheckpoint(raw, v.Name(), v)
	if err != nil {
		rep.problem("the checkpoint is not signed by %s: %v", v.Name(), err)
		return rep, nil
	}
	rep.TreeSize = cp.Size

	// Level two: the tree from its entries.
	rf := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	tree := rf.NewEmptyRange(0)
	type entryAt struct {
		Batch
		index uint64
	}
	var batches []entryAt
	for bundle := uint64(0); bundle*layout.EntryBundleWidth < cp.Size; bundle++ {
		eb, err := client.GetEntryBundle(ctx, src.EntryBundle, bundle, cp.Size)
		if err != nil {
			return nil, fmt.Errorf("reading entry bundle %d: %w", bundle, err)
		}
		for i, e := range eb.Entries {
			idx := bundle*layout.EntryBundleWidth + uint64(i)
			if idx >= cp.Size {
				break
			}
			if err := tree.Append(rfc6962.DefaultHasher.HashLeaf(e), nil); err != nil {
				return nil, err
			}
			b, err := ParseEntry(e)
			if err != nil {
				rep.problem("log entry %d: %v", idx, err)
				continue
			}
			batches = append(batches, entryAt{b, idx})
		}
	}
	root, err := tree.GetRootHash(nil)
	if err != nil {
		return nil, err
	}
	if tree.End() != cp.Size || !bytes.Equal(root, cp.Hash) {
		rep.problem("the tiles' %d entries give root %x; the signed checkpoint says %d entries with root %x", tree.End(), root, cp.Size, cp.Hash)
		return rep, nil
	}
	rep.Entries = len(batches)

	// Level one: each batch's leaves, and the coverage of each type.
	leaves := map[string][]loggedBatch{}
	for _, b := range batches {
		ls, err := src.Leaves(ctx, b.index)
		if err != nil {
			rep.problem("log entry %d: its leaf hashes cannot be read: %v", b.index, err)
			continue
		}
		if len(ls) != b.Count || Root(ls) != b.Root {
			rep.problem("log entry %d (%s %d…%d): the server's leaf hashes do not give the logged root", b.index, b.Type, b.First, b.Last())
			continue
		}
		leaves[b.Type] = append(leaves[b.Type], loggedBatch{b.First, b.index, ls})
	}
	for _, typ := range types {
		bs := leaves[typ]
		slices.SortFunc(bs, func(a, b loggedBatch) int { return cmp.Compare(a.first, b.first) })
		next := int64(1)
		for _, b := range bs {
			if b.first != next {
				rep.problem("%s: log entry %d starts at sequence %d, where %d was expected (a gap or an overlap)", typ, b.index, b.first, next)
			}
			next = b.first + int64(len(b.hash))
		}
		// The records.
		err := src.Records(ctx, typ, func(seq int64, c Commitment) error {
			i, found := slices.BinarySearchFunc(bs, seq, func(b loggedBatch, seq int64) int {
				switch {
				case seq < b.first:
					return 1
				case seq >= b.first+int64(len(b.hash)):
					return -1
				}
				return 0
			})
			if !found {
				rep.Uncommitted++
				return nil
			}
			b := bs[i]
			if b.hash[seq-b.first] != c.LeafHash() {
				rep.problem("%s %s (sequence %d) differs from what log entry %d committed: the stored record was changed", typ, c.Key, seq, b.index)
			}
			rep.Records[typ]++
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading %s records: %w", typ, err)
		}
	}
	return rep, nil
}
