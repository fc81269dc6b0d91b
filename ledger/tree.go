package ledger

import (
	"crypto/sha256"
	"math/bits"

	"github.com/transparency-dev/merkle/rfc6962"
)

// The batch tree is RFC 6962's Merkle tree over the leaf hashes of one
// batch. Besides the leaves, the store keeps the root of every run of
// ChunkLeaves leaves: RFC 6962 splits a tree of more than ChunkLeaves
// leaves only at multiples of ChunkLeaves, so the tree over the chunk
// roots is the top of the batch tree, and a proof needs at most 2 ×
// ChunkLeaves hashes instead of the whole batch's.

// ChunkLeaves is the width of a stored chunk of the batch tree.
const ChunkLeaves = 64

// Root is the RFC 6962 Merkle tree hash of leaves.
func Root(leaves [][32]byte) [32]byte {
	if len(leaves) == 0 {
		var out [32]byte
		copy(out[:], rfc6962.DefaultHasher.EmptyRoot())
		return out
	}
	return subtreeRoot(leaves)
}

func subtreeRoot(leaves [][32]byte) [32]byte {
	if len(leaves) == 1 {
		return leaves[0]
	}
	k := split(len(leaves))
	return hashChildren(subtreeRoot(leaves[:k]), subtreeRoot(leaves[k:]))
}

// hashChildren is RFC 6962's interior node hash, SHA-256(0x01 || l || r),
// without the allocations of the general hasher (proofs hash a lot).
func hashChildren(l, r [32]byte) [32]byte {
	var b [65]byte
	b[0] = rfc6962.RFC6962NodeHashPrefix
	copy(b[1:], l[:])
	copy(b[33:], r[:])
	return sha256.Sum256(b[:])
}

// split is the largest power of two smaller than n (n ≥ 2).
func split(n int) int { return 1 << (bits.Len(uint(n-1)) - 1) }

// ChunkRoots are the roots of leaves[0:64], leaves[64:128], … (the last
// chunk may be shorter): what the store keeps beside the leaves.
func ChunkRoots(leaves [][32]byte) [][32]byte {
	out := make([][32]byte, 0, (len(leaves)+ChunkLeaves-1)/ChunkLeaves)
	for lo := 0; lo < len(leaves); lo += ChunkLeaves {
		out = append(out, subtreeRoot(leaves[lo:min(lo+ChunkLeaves, len(leaves))]))
	}
	return out
}

// InclusionProof is the RFC 6962 audit path of leaves[index], leaf to
// root, from the leaves and their ChunkRoots.
func InclusionProof(leaves, chunkRoots [][32]byte, index int) [][]byte {
	c := index / ChunkLeaves
	lo := c * ChunkLeaves
	path := auditPath(leaves[lo:min(lo+ChunkLeaves, len(leaves))], index-lo)
	return append(path, auditPath(chunkRoots, c)...)
}

// auditPath is the audit path of nodes[index] in the tree over nodes.
func auditPath(nodes [][32]byte, index int) [][]byte {
	var rootDown [][32]byte
	for len(nodes) > 1 {
		k := split(len(nodes))
		if index < k {
			rootDown = append(rootDown, subtreeRoot(nodes[k:]))
			nodes = nodes[:k]
		} else {
			rootDown = append(rootDown, subtreeRoot(nodes[:k]))
			nodes, index = nodes[k:], index-k
		}
	}
	// RFC 6962 lists it leaf-up.
	path := make([][]byte, len(rootDown))
	for i, h := range rootDown {
		path[len(path)-1-i] = h[:]
	}
	return path
}
