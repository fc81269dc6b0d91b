package ledger

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

func leavesN(n int) [][32]byte {
	out := make([][32]byte, n)
	for i := range out {
		out[i] = sha256.Sum256(fmt.Appendf(nil, "leaf %d", i))
	}
	return out
}

// The batch tree must be RFC 6962's, or no outside verifier could check
// it: roots are compared with transparency-dev/merkle's compact ranges and
// every proof is checked by its verifier.
func TestBatchTreeIsRFC6962(t *testing.T) {
	rf := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 9, 31, 63, 64, 65, 100, 128, 129, 257, 1000, 4096, 4097} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			leaves := leavesN(n)
			r := rf.NewEmptyRange(0)
			for _, l := range leaves {
				if err := r.Append(l[:], nil); err != nil {
					t.Fatal(err)
				}
			}
			want, err := r.GetRootHash(nil)
			if err != nil {
				t.Fatal(err)
			}
			root := Root(leaves)
			if string(root[:]) != string(want) {
				t.Fatalf("root %x; RFC 6962 says %x", root, want)
			}
			chunks := ChunkRoots(leaves)
			if Root(chunks) != root {
				t.Fatalf("the tree over chunk roots has root %x, not %x", Root(chunks), root)
			}
			for i := range n {
				p := InclusionProof(leaves, chunks, i)
				if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(i), uint64(n), leaves[i][:], p, root[:]); err != nil {
					t.Fatalf("leaf %d: %v", i, err)
				}
				if n > 1 {
					other := (i + 1) % n
					if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(other), uint64(n), leaves[i][:], p, root[:]); err == nil {
						t.Fatalf("leaf %d's proof also proves it at %d", i, other)
					}
				}
			}
		})
	}
	if r := Root(nil); string(r[:]) != string(rfc6962.DefaultHasher.EmptyRoot()) {
		t.Fatal("empty root")
	}
}

func BenchmarkBatchProof(b *testing.B) {
	leaves := leavesN(DefaultBatchSize)
	chunks := ChunkRoots(leaves)
	b.ResetTimer()
	for i := range b.N {
		_ = InclusionProof(leaves, chunks, i%len(leaves))
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/proof")
}
