package ledger

import (
	"math/bits"

	"github.com/transparency-dev/merkle/rfc6962"
)

// The batch tree is RFC 6962's Merkle tree over the leaf hashes of one
// batch. Batches are small (thousands of leaves), so the whole tree is
// recomputed when a proof is asked for: simpler than keeping nodes, and
// well under a millisecond.

// Root is the RFC 6962 Merkle tree hash of leaves.
func Root(leaves [][32]byte) [32]byte {
	var out [32]byte
	if len(leaves) == 0 {
		copy(out[:], rfc6962.DefaultHasher.EmptyRoot())
		return out
	}
	copy(out[:], subtreeRoot(leaves))
	return out
}

func subtreeRoot(leaves [][32]byte) []byte {
	if len(leaves) == 1 {
		return leaves[0][:]
	}
	k := split(len(leaves))
	return rfc6962.DefaultHasher.HashChildren(subtreeRoot(leaves[:k]), subtreeRoot(leaves[k:]))
}

// split is the largest power of two smaller than n (n ≥ 2).
func split(n int) int { return 1 << (bits.Len(uint(n-1)) - 1) }

// InclusionProof is the RFC 6962 audit path of leaves[index], leaf to root.
func InclusionProof(leaves [][32]byte, index int) [][]byte {
	path := [][]byte{}
	for len(leaves) > 1 {
		k := split(len(leaves))
		if index < k {
			path = append(path, subtreeRoot(leaves[k:]))
			leaves = leaves[:k]
		} else {
			path = append(path, subtreeRoot(leaves[:k]))
			leaves, index = leaves[k:], index-k
		}
	}
	// Built root-down; RFC 6962 lists it leaf-up.
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path
}
