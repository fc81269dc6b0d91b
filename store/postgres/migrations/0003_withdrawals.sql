-- Withdrawals take a record back without deleting it: the record and its
-- ledger leaf stay; the withdrawal is a record of its own, in its own
-- gap-free sequence, committed to the ledger like any other.
CREATE TABLE withdrawals (
    sequence    bigint      PRIMARY KEY,
    record_type text        NOT NULL,
    record_key  text        NOT NULL,   -- e.g. source/id
    reason      text        NOT NULL,
    withhold    boolean     NOT NULL,   -- the record's content is no longer served
    by_whom     text        NOT NULL,
    at          timestamptz NOT NULL
);
CREATE INDEX withdrawals_by_record ON withdrawals (record_type, record_key);

CREATE TRIGGER withdrawals_append_only BEFORE UPDATE OR DELETE ON withdrawals
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
