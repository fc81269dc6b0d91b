package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/truce-mechanism/truce/store"
)

const ledgerColumns = "log_index, type, first, count, root, leaves, chunks"

// PutLedgerBatches records committed log entries in one transaction.
func (s *Store) PutLedgerBatches(ctx context.Context, batches []store.LedgerBatch) error {
	if len(batches) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	defer tx.Rollback()
	for _, b := range batches {
		if len(b.Leaves) != b.Count {
			return fmt.Errorf("sqlite: ledger batch %d has %d leaves for %d records", b.LogIndex, len(b.Leaves), b.Count)
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO ledger_batches ("+ledgerColumns+") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
			int64(b.LogIndex), b.Type, b.First, b.Count, b.Root[:], store.PackLeaves(b.Leaves), store.PackLeaves(b.Chunks))
		if err != nil {
			return fmt.Errorf("sqlite: recording ledger batch %d: %w", b.LogIndex, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			continue
		}
		// Already there (or its records are claimed by another entry):
		// fine only if it is the very same batch.
		held, err := scanLedgerBatch(tx.QueryRowContext(ctx, "SELECT "+ledgerColumns+" FROM ledger_batches WHERE log_index = ?", int64(b.LogIndex)))
		if err != nil || !store.SameLedgerBatch(held, b) {
			return fmt.Errorf("ledger batch %d (%s %d+%d): %w", b.LogIndex, b.Type, b.First, b.Count, store.ErrConflict)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// LedgerBatchAt returns the batch logged at index.
func (s *Store) LedgerBatchAt(ctx context.Context, logIndex uint64) (store.LedgerBatch, error) {
	return scanLedgerBatch(s.read.QueryRowContext(ctx, "SELECT "+ledgerColumns+" FROM ledger_batches WHERE log_index = ?", int64(logIndex)))
}

// LedgerBatchFor returns the batch holding a record's sequence.
func (s *Store) LedgerBatchFor(ctx context.Context, typ string, seq int64) (store.LedgerBatch, error) {
	b, err := scanLedgerBatch(s.read.QueryRowContext(ctx, "SELECT "+ledgerColumns+
		" FROM ledger_batches WHERE type = ? AND first <= ? ORDER BY first DESC LIMIT 1", typ, seq))
	if err == nil && seq > b.First+int64(b.Count)-1 {
		err = fmt.Errorf("%s %d is not committed yet: %w", typ, seq, store.ErrNotFound)
	}
	return b, err
}

// LastLedgerBatch returns the batch with the highest log index.
func (s *Store) LastLedgerBatch(ctx context.Context, typ string) (store.LedgerBatch, error) {
	if typ == "" {
		return scanLedgerBatch(s.read.QueryRowContext(ctx, "SELECT "+ledgerColumns+" FROM ledger_batches ORDER BY log_index DESC LIMIT 1"))
	}
	return scanLedgerBatch(s.read.QueryRowContext(ctx, "SELECT "+ledgerColumns+" FROM ledger_batches WHERE type = ? ORDER BY first DESC LIMIT 1", typ))
}

func scanLedgerBatch(row *sql.Row) (store.LedgerBatch, error) {
	var (
		b                    store.LedgerBatch
		idx                  int64
		root, leaves, chunks []byte
	)
	err := row.Scan(&idx, &b.Type, &b.First, &b.Count, &root, &leaves, &chunks)
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("ledger batch: %w", store.ErrNotFound)
	}
	if err != nil {
		return b, fmt.Errorf("sqlite: %w", err)
	}
	b.LogIndex = uint64(idx)
	if len(root) != 32 {
		return b, fmt.Errorf("sqlite: ledger batch %d has a root of %d bytes", idx, len(root))
	}
	copy(b.Root[:], root)
	if b.Leaves, err = store.UnpackLeaves(leaves, b.Count); err != nil {
		return b, fmt.Errorf("sqlite: ledger batch %d: %w", idx, err)
	}
	if b.Chunks, err = store.UnpackLeaves(chunks, -1); err != nil {
		return b, fmt.Errorf("sqlite: ledger batch %d: %w", idx, err)
	}
	return b, nil
}
