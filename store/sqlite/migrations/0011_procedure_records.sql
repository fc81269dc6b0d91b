-- Records of the Commission's and the guarantees' procedures: case actions,
-- motions, votes, determinations, Ukraine's requests, reassurance measures,
-- commitments, obligations, reports. Append-only (DESIGN.md, invariant 2),
-- keyed by (kind, key, seq); the domain packages fold them into state.
-- Sequences are gap-free, in commit order: the ledger's feed.
CREATE TABLE procedure_records (
    sequence INTEGER PRIMARY KEY,
    kind     TEXT    NOT NULL,
    key      TEXT    NOT NULL,
    seq      INTEGER NOT NULL,   -- 1-based position under (kind, key)
    marking  TEXT    NOT NULL,
    document BLOB    NOT NULL,   -- the record as the domain package gives it, JSON
    by_whom  TEXT    NOT NULL,
    org      TEXT    NOT NULL,
    at       INTEGER NOT NULL,   -- µs since the epoch
    UNIQUE (kind, key, seq)
) STRICT;

-- Every marking a procedure record was made under, so a reader's filter is
-- asked once per query about each, not once per row.
CREATE TABLE procedure_markings (
    marking TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

CREATE TRIGGER procedure_records_no_update BEFORE UPDATE ON procedure_records
BEGIN SELECT RAISE(ABORT, 'procedure records are append-only: a correction is a new record'); END;
CREATE TRIGGER procedure_records_no_delete BEFORE DELETE ON procedure_records
BEGIN SELECT RAISE(ABORT, 'procedure records are append-only'); END;
