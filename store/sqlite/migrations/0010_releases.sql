-- Sanitised releases of derived records: a new record with a marking of its
-- own, made by an analyst, never edited nor removed (DESIGN.md, invariants 2
-- and 6). Sequences are gap-free, in commit order: the ledger's feed.
CREATE TABLE releases (
    sequence  INTEGER PRIMARY KEY,
    id        TEXT    NOT NULL UNIQUE,
    of_record TEXT    NOT NULL,   -- type/key of the released record
    marking   TEXT    NOT NULL,   -- the release's own marking
    document  BLOB    NOT NULL,   -- the sanitised record, JSON
    by_whom   TEXT    NOT NULL,
    org       TEXT    NOT NULL,
    at        INTEGER NOT NULL,   -- µs since the epoch
    reason    TEXT    NOT NULL
) STRICT;
CREATE INDEX releases_by_of ON releases (of_record, sequence);

-- Every marking a release was made under, so a reader's filter is asked
-- once per query about each, not once per row.
CREATE TABLE release_markings (
    marking TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

CREATE TRIGGER releases_no_update BEFORE UPDATE ON releases
BEGIN SELECT RAISE(ABORT, 'releases are append-only: a correction is a new release'); END;
CREATE TRIGGER releases_no_delete BEFORE DELETE ON releases
BEGIN SELECT RAISE(ABORT, 'releases are append-only'); END;
