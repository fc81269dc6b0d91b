-- The verifiable log's entries as the store remembers them: one row per
-- batch of records committed as one log entry, with the leaf hashes of its
-- records (32 bytes each, concatenated) so a proof reads one row. The log
-- itself is the authority; on start the ledger reconciles this table with
-- it. Rows are never changed.
CREATE TABLE ledger_batches (
    log_index bigint  PRIMARY KEY,
    type      text    NOT NULL,
    first     bigint  NOT NULL,
    count     integer NOT NULL CHECK (count > 0),
    root      bytea   NOT NULL,
    leaves    bytea   NOT NULL,
    chunks    bytea   NOT NULL   -- nodes the ledger derives from leaves, kept for fast proofs
);
CREATE UNIQUE INDEX ledger_batches_by_record ON ledger_batches (type, first);

CREATE TRIGGER ledger_batches_append_only BEFORE UPDATE OR DELETE ON ledger_batches
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
