-- Event versions get a store-wide order of their own: recorded is 1, 2, 3…
-- without gaps, given to each version in the transaction that stores it
-- (under a table lock, so in commit order). The ledger commits event
-- versions in this order (sequence, the highest observation fused in, is
-- shared by versions made from one report and cannot order them).
ALTER TABLE event_versions ADD COLUMN recorded bigint;

-- The versions stored before this migration are numbered in the order
-- fusion made them: by the observations fused in, then id and version
-- (PostgreSQL keeps no insertion order to follow). Numbering is the one
-- edit event versions ever get, so the append-only trigger steps aside for
-- it, inside this migration's transaction.
ALTER TABLE event_versions DISABLE TRIGGER event_versions_append_only;
UPDATE event_versions AS v SET recorded = n.recorded
FROM (SELECT id, version, row_number() OVER (ORDER BY sequence, id, version) AS recorded FROM event_versions) AS n
WHERE v.id = n.id AND v.version = n.version;
ALTER TABLE event_versions ENABLE TRIGGER event_versions_append_only;

ALTER TABLE event_versions ALTER COLUMN recorded SET NOT NULL,
    ADD CONSTRAINT event_versions_recorded_positive CHECK (recorded > 0);

-- The ledger's feed: versions after a place, in order.
CREATE UNIQUE INDEX event_versions_by_recorded ON event_versions (recorded);
