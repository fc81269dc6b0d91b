-- Records of the Commission's and the guarantees' procedures: case actions,
-- motions, votes, determinations, Ukraine's requests, reassurance measures,
-- commitments, obligations, reports. Append-only (DESIGN.md, invariant 2),
-- keyed by (kind, key, seq); the domain packages fold them into state.
-- Sequences are gap-free, in commit order (a table lock): the ledger's feed.
CREATE TABLE procedure_records (
    sequence bigint      PRIMARY KEY,
    kind     text        NOT NULL,
    key      text        NOT NULL,
    seq      integer     NOT NULL,   -- 1-based position under (kind, key)
    marking  text        NOT NULL,
    document bytea       NOT NULL,   -- the record as the domain package gives it, JSON
    by_whom  text        NOT NULL,
    org      text        NOT NULL,
    at       timestamptz NOT NULL,
    UNIQUE (kind, key, seq)
);

-- Every marking a procedure record was made under, so a reader's filter is
-- asked once per query about each, not once per row.
CREATE TABLE procedure_markings (
    marking text PRIMARY KEY
);

CREATE TRIGGER procedure_records_append_only BEFORE UPDATE OR DELETE ON procedure_records
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER procedure_records_no_truncate BEFORE TRUNCATE ON procedure_records
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
