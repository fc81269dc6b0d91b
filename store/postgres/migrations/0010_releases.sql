-- Sanitised releases of derived records: a new record with a marking of its
-- own, made by an analyst, never edited nor removed (DESIGN.md, invariants 2
-- and 6). Sequences are gap-free, in commit order (a table lock): the
-- ledger's feed.
CREATE TABLE releases (
    sequence  bigint      PRIMARY KEY,
    id        text        NOT NULL UNIQUE,
    of_record text        NOT NULL,   -- type/key of the released record
    marking   text        NOT NULL,   -- the release's own marking
    document  bytea       NOT NULL,   -- the sanitised record, JSON
    by_whom   text        NOT NULL,
    org       text        NOT NULL,
    at        timestamptz NOT NULL,
    reason    text        NOT NULL
);
CREATE INDEX releases_by_of ON releases (of_record, sequence);

-- Every marking a release was made under, so a reader's filter is asked
-- once per query about each, not once per row.
CREATE TABLE release_markings (
    marking text PRIMARY KEY
);

CREATE TRIGGER releases_append_only BEFORE UPDATE OR DELETE ON releases
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER releases_no_truncate BEFORE TRUNCATE ON releases
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
