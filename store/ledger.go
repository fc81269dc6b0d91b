package store

import (
	"bytes"
	"fmt"
)

// PackLeaves is how adapters keep a batch's leaf hashes: one column of
// 32-byte hashes back to back.
func PackLeaves(leaves [][32]byte) []byte {
	b := make([]byte, 0, 32*len(leaves))
	for _, l := range leaves {
		b = append(b, l[:]...)
	}
	return b
}

// UnpackLeaves reverses PackLeaves, refusing a column whose length does not
// match the count expected (a damaged row must not yield a wrong proof);
// count < 0 takes whatever whole number of hashes there is.
func UnpackLeaves(b []byte, count int) ([][32]byte, error) {
	if count < 0 && len(b)%32 == 0 {
		count = len(b) / 32
	}
	if len(b) != 32*count {
		return nil, fmt.Errorf("ledger batch has %d bytes of hashes where %d were expected", len(b), count)
	}
	out := make([][32]byte, count)
	for i := range out {
		copy(out[i][:], b[32*i:])
	}
	return out, nil
}

// SameLedgerBatch reports whether two batches record the same entry.
func SameLedgerBatch(a, b LedgerBatch) bool {
	return a.LogIndex == b.LogIndex && a.Type == b.Type && a.First == b.First && a.Count == b.Count &&
		a.Root == b.Root && bytes.Equal(PackLeaves(a.Leaves), PackLeaves(b.Leaves)) &&
		bytes.Equal(PackLeaves(a.Chunks), PackLeaves(b.Chunks))
}
