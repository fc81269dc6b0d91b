-- Event versions get a store-wide order of their own: recorded is 1, 2, 3…
-- without gaps, given to each version in the transaction that stores it, in
-- the order it was stored. The ledger commits event versions in this order
-- (sequence, the highest observation fused in, is shared by versions made
-- from one report and cannot order them).
--
-- A column added to a table with rows needs a constant default; 0 stands
-- for "not yet numbered" only until the backfill below, and the trigger
-- after it refuses it for any version stored later.
ALTER TABLE event_versions ADD COLUMN recorded INTEGER NOT NULL DEFAULT 0;

-- The versions stored before this migration are numbered in the order
-- SQLite stored them: rowids of a table nothing is deleted from only grow.
-- Numbering is the one edit event versions ever get, so the append-only
-- trigger steps aside for it, inside this migration's transaction.
DROP TRIGGER event_versions_no_update;
UPDATE event_versions SET recorded = n.recorded
FROM (SELECT rowid AS row, row_number() OVER (ORDER BY rowid) AS recorded FROM event_versions) AS n
WHERE event_versions.rowid = n.row;
CREATE TRIGGER event_versions_no_update BEFORE UPDATE ON event_versions
BEGIN SELECT RAISE(ABORT, 'event versions are append-only: a change is a new version'); END;

CREATE TRIGGER event_versions_recorded BEFORE INSERT ON event_versions
    WHEN NEW.recorded < 1
BEGIN SELECT RAISE(ABORT, 'an event version needs its place in the store''s order (recorded >= 1)'); END;

-- The ledger's feed: versions after a place, in order.
CREATE UNIQUE INDEX event_versions_by_recorded ON event_versions (recorded);
