package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"

	"github.com/truce-mechanism/truce/store"
)

func ledgerBatch(logIndex uint64, typ string, first int64, count int) store.LedgerBatch {
	b := store.LedgerBatch{LogIndex: logIndex, Type: typ, First: first, Count: count}
	for i := range count {
		b.Leaves = append(b.Leaves, sha256.Sum256(fmt.Appendf(nil, "%s %d", typ, first+int64(i))))
	}
	b.Root = sha256.Sum256(store.PackLeaves(b.Leaves))
	b.Chunks = [][32]byte{b.Root, sha256.Sum256(b.Root[:])}
	return b
}

func testLedgerBatches(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.LastLedgerBatch(ctx, ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("empty store: LastLedgerBatch error %v; want ErrNotFound", err)
	}
	obs1 := ledgerBatch(0, "observation", 1, 3)
	obs2 := ledgerBatch(2, "observation", 4, 1)
	ev := ledgerBatch(1, "event", 1, 2)
	if err := s.PutLedgerBatches(ctx, []store.LedgerBatch{obs1, ev}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutLedgerBatches(ctx, []store.LedgerBatch{obs2}); err != nil {
		t.Fatal(err)
	}

	t.Run("same batch again is a no-op", func(t *testing.T) {
		if err := s.PutLedgerBatches(ctx, []store.LedgerBatch{obs1, obs2}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("other content at an index is a conflict, and nothing of the call is kept", func(t *testing.T) {
		changed := obs2
		changed.Leaves = append([][32]byte(nil), obs2.Leaves...)
		changed.Leaves[0][0] ^= 1
		fresh := ledgerBatch(3, "observation", 5, 2)
		err := s.PutLedgerBatches(ctx, []store.LedgerBatch{fresh, changed})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("error %v; want ErrConflict", err)
		}
		if _, err := s.LedgerBatchAt(ctx, 3); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("batch 3 of a refused call was kept (error %v)", err)
		}
		// The same records under another log index: also a conflict.
		moved := obs2
		moved.LogIndex = 9
		if err := s.PutLedgerBatches(ctx, []store.LedgerBatch{moved}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("records logged twice: error %v; want ErrConflict", err)
		}
	})
	t.Run("a batch whose leaves do not match its count is refused", func(t *testing.T) {
		bad := ledgerBatch(4, "observation", 5, 2)
		bad.Count = 3
		if err := s.PutLedgerBatches(ctx, []store.LedgerBatch{bad}); err == nil {
			t.Fatal("accepted")
		}
	})

	lookups := []struct {
		name    string
		typ     string
		seq     int64
		want    *store.LedgerBatch
		wantErr error
	}{
		{"first record", "observation", 1, &obs1, nil},
		{"last record of a batch", "observation", 3, &obs1, nil},
		{"next batch", "observation", 4, &obs2, nil},
		{"not committed yet", "observation", 5, nil, store.ErrNotFound},
		{"before the first", "observation", 0, nil, store.ErrNotFound},
		{"other type", "event", 2, &ev, nil},
		{"unknown type", "finding", 1, nil, store.ErrNotFound},
	}
	for _, c := range lookups {
		t.Run("LedgerBatchFor "+c.name, func(t *testing.T) {
			got, err := s.LedgerBatchFor(ctx, c.typ, c.seq)
			if c.want == nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("error %v; want %v", err, c.wantErr)
				}
				return
			}
			if err != nil || !store.SameLedgerBatch(got, *c.want) {
				t.Fatalf("got %+v, %v; want batch %d", got, err, c.want.LogIndex)
			}
		})
	}
	t.Run("LedgerBatchAt", func(t *testing.T) {
		got, err := s.LedgerBatchAt(ctx, 1)
		if err != nil || !store.SameLedgerBatch(got, ev) {
			t.Fatalf("got %+v, %v", got, err)
		}
		if _, err := s.LedgerBatchAt(ctx, 7); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("error %v; want ErrNotFound", err)
		}
	})
	t.Run("LastLedgerBatch", func(t *testing.T) {
		for typ, want := range map[string]store.LedgerBatch{"": obs2, "observation": obs2, "event": ev} {
			got, err := s.LastLedgerBatch(ctx, typ)
			if err != nil || !store.SameLedgerBatch(got, want) {
				t.Errorf("LastLedgerBatch(%q) = %d, %v; want %d", typ, got.LogIndex, err, want.LogIndex)
			}
		}
	})
}
