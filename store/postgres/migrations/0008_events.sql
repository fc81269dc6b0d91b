-- Fused events. Each version of an event is a record of its own, never
-- edited nor removed (DESIGN.md, invariant 2); the latest version of an
-- event is the one lists show. Event ids are ordered bytewise (COLLATE
-- "C"), as Go and SQLite compare them: pages are in (start, id) order and
-- both stores must agree on it whatever the database's locale.
CREATE TABLE event_versions (
    id       text COLLATE "C" NOT NULL,
    version  integer          NOT NULL CHECK (version > 0),
    start_at timestamptz      NOT NULL,
    end_at   timestamptz      NOT NULL,
    kind     text             NOT NULL,
    lat      double precision,            -- the estimated location; both NULL
    lon      double precision,            --   when the event is not located
    marking  text             NOT NULL,   -- the conjunction, joined by '//'
    document bytea            NOT NULL,   -- the event as the server renders it
    sequence bigint           NOT NULL,   -- highest observation sequence fused in
    PRIMARY KEY (id, version),
    CHECK ((lat IS NULL) = (lon IS NULL))
);

-- Where a restarted fusion takes up the feed: max(sequence) from the end of
-- this index.
CREATE INDEX event_versions_by_sequence ON event_versions (sequence);

-- Which version of each event is the latest, with the columns queries
-- select and order on. It is an index, not a record: derived from
-- event_versions (the highest version of each id) in the transaction that
-- appends them, and rebuildable from them. Its row for an event moves only
-- forward, to a newer version (the trigger below), so a query reads one
-- entry per event however many versions it has had.
CREATE TABLE events_latest (
    id       text COLLATE "C" PRIMARY KEY,
    version  integer          NOT NULL,
    start_at timestamptz      NOT NULL,
    kind     text             NOT NULL,
    marking  text             NOT NULL,
    lat      double precision,
    lon      double precision,
    -- The same B-tree keys as observations (store/placekey): the UTC day of
    -- start_at, the S2 leaf cell of the location; NULL when unlocated.
    day      bigint,
    cell     bigint,
    FOREIGN KEY (id, version) REFERENCES event_versions (id, version)
);

-- Time order: pages and cursors are in (start_at, id) order.
CREATE INDEX events_by_time ON events_latest (start_at, id);
-- Place and time, as observations_by_place: per day of the window, one
-- range scan per S2 cell range of the box, with the window's and the box's
-- exact edges checked inside the index.
CREATE INDEX events_by_place ON events_latest (day, cell, start_at, id, lat, lon) WHERE cell IS NOT NULL;

-- Every conjunction of markings ever stored, so a reader's filter is asked
-- once per query about each of their markings, not once per row.
CREATE TABLE event_markings (
    marking text PRIMARY KEY
);

CREATE TRIGGER event_versions_append_only BEFORE UPDATE OR DELETE ON event_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER event_versions_no_truncate BEFORE TRUNCATE ON event_versions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE FUNCTION refuse_going_back() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% only moves to a newer version: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
-- The condition is the trigger's WHEN, so the function runs only to refuse.
CREATE TRIGGER events_latest_forward BEFORE UPDATE ON events_latest
    FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id OR NEW.version <= OLD.version)
    EXECUTE FUNCTION refuse_going_back();
CREATE TRIGGER events_latest_no_delete BEFORE DELETE ON events_latest
    FOR EACH ROW EXECUTE FUNCTION refuse_going_back();
