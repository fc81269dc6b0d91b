-- Withdrawals take a record back without deleting it: the record and its
-- ledger leaf stay; the withdrawal is a record of its own, in its own
-- gap-free sequence, committed to the ledger like any other.
CREATE TABLE withdrawals (
    sequence    INTEGER PRIMARY KEY,
    record_type TEXT    NOT NULL,
    record_key  TEXT    NOT NULL,   -- e.g. source/id
    reason      TEXT    NOT NULL,
    withhold    INTEGER NOT NULL,   -- 1: the record's content is no longer served
    by_whom     TEXT    NOT NULL,
    at          INTEGER NOT NULL    -- µs since the epoch
);
CREATE INDEX withdrawals_by_record ON withdrawals (record_type, record_key);

CREATE TRIGGER withdrawals_no_update BEFORE UPDATE ON withdrawals
BEGIN SELECT RAISE(ABORT, 'withdrawals are append-only'); END;
CREATE TRIGGER withdrawals_no_delete BEFORE DELETE ON withdrawals
BEGIN SELECT RAISE(ABORT, 'withdrawals are append-only'); END;
