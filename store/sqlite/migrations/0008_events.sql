-- Fused events. Each version of an event is a record of its own, never
-- edited nor removed (DESIGN.md, invariant 2); the latest version of an
-- event is the one lists show. Times are µs since the epoch, like
-- observations'.
CREATE TABLE event_versions (
    id       TEXT    NOT NULL,
    version  INTEGER NOT NULL CHECK (version > 0),
    start_at INTEGER NOT NULL,
    end_at   INTEGER NOT NULL,
    kind     TEXT    NOT NULL,
    lat      REAL,                -- the estimated location; both NULL
    lon      REAL,                --   when the event is not located
    marking  TEXT    NOT NULL,    -- the conjunction, joined by '//'
    document BLOB    NOT NULL,    -- the event as the server renders it
    sequence INTEGER NOT NULL,    -- highest observation sequence fused in
    PRIMARY KEY (id, version),
    CHECK ((lat IS NULL) = (lon IS NULL))
) STRICT;

-- Where a restarted fusion takes up the feed: max(sequence) from the end of
-- this index.
CREATE INDEX event_versions_by_sequence ON event_versions (sequence);

-- Which version of each event is the latest, with the columns queries
-- select and order on. It is an index, not a record: derived from
-- event_versions (the highest version of each id) in the transaction that
-- appends them, and rebuildable from them. Its row for an event moves only
-- forward, to a newer version (the trigger below), so a query reads one
-- entry per event however many versions it has had: a bbox over millions
-- of events costs what it would with one version each.
CREATE TABLE events_latest (
    id       TEXT    PRIMARY KEY,
    version  INTEGER NOT NULL,
    start_at INTEGER NOT NULL,
    kind     TEXT    NOT NULL,
    marking  TEXT    NOT NULL,
    lat      REAL,
    lon      REAL,
    -- The same B-tree keys as observations (store/placekey): the UTC day
    -- of start_at, the S2 leaf cell of the location; NULL when unlocated.
    day      INTEGER,
    cell     INTEGER,
    FOREIGN KEY (id, version) REFERENCES event_versions (id, version)
) STRICT, WITHOUT ROWID;

-- Both indexes hold every column a query filters on or selects (version,
-- kind and marking too), so a page is chosen from the index alone and only
-- its own rows of event_versions are read. Order within both is
-- (start_at, id): pages and cursors.
CREATE INDEX events_by_time ON events_latest (start_at, id, version, kind, marking);
CREATE INDEX events_by_place ON events_latest (day, cell, start_at, id, lat, lon, version, kind, marking) WHERE cell IS NOT NULL;

-- Every conjunction of markings ever stored, so a reader's filter is asked
-- once per query about each of their markings, not once per row.
CREATE TABLE event_markings (
    marking TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

CREATE TRIGGER event_versions_no_update BEFORE UPDATE ON event_versions
BEGIN SELECT RAISE(ABORT, 'event versions are append-only: a change is a new version'); END;
CREATE TRIGGER event_versions_no_delete BEFORE DELETE ON event_versions
BEGIN SELECT RAISE(ABORT, 'event versions are append-only'); END;
CREATE TRIGGER events_latest_forward BEFORE UPDATE ON events_latest
    WHEN NEW.id IS NOT OLD.id OR NEW.version <= OLD.version
BEGIN SELECT RAISE(ABORT, 'events_latest only moves to a newer version'); END;
CREATE TRIGGER events_latest_no_delete BEFORE DELETE ON events_latest
BEGIN SELECT RAISE(ABORT, 'events_latest only moves to a newer version'); END;
