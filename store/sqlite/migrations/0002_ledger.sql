-- The verifiable log's entries as the store remembers them: one row per
-- batch of records committed as one log entry, with the leaf hashes of its
-- records (32 bytes each, concatenated) so a proof reads one row. The log
-- itself is the authority; on start the ledger reconciles this table with
-- it. Rows are never changed.
CREATE TABLE ledger_batches (
    log_index INTEGER PRIMARY KEY,
    type      TEXT    NOT NULL,
    first     INTEGER NOT NULL,
    count     INTEGER NOT NULL CHECK (count > 0),
    root      BLOB    NOT NULL,
    leaves    BLOB    NOT NULL,
    chunks    BLOB    NOT NULL   -- nodes the ledger derives from leaves, kept for fast proofs
);
CREATE UNIQUE INDEX ledger_batches_by_record ON ledger_batches (type, first);

CREATE TRIGGER ledger_batches_no_update BEFORE UPDATE ON ledger_batches
BEGIN SELECT RAISE(ABORT, 'ledger batches are append-only'); END;
CREATE TRIGGER ledger_batches_no_delete BEFORE DELETE ON ledger_batches
BEGIN SELECT RAISE(ABORT, 'ledger batches are append-only'); END;
