-- Tentative event versions: ones that rest on one source's report of a
-- class that source's reports are seldom corroborated in (thunder or
-- quarry blasting heard by an acoustic array), fusion's judgement that
-- they are probably false alarms. Stored like any version; lists show
-- them only when a reader asks, so the latest version's flag is copied
-- into events_latest, where queries select.
--
-- Every version stored before this migration was made before fusion could
-- judge one tentative: 0 is what each of them is, not a placeholder.
ALTER TABLE event_versions ADD COLUMN tentative INTEGER NOT NULL DEFAULT 0 CHECK (tentative IN (0, 1));
ALTER TABLE events_latest ADD COLUMN tentative INTEGER NOT NULL DEFAULT 0 CHECK (tentative IN (0, 1));

-- The query indexes hold every column a query filters on, so that a page
-- is chosen from an index alone (0008): the flag joins them, last, as
-- lists will ask about it by default.
DROP INDEX events_by_time;
DROP INDEX events_by_place;
CREATE INDEX events_by_time ON events_latest (start_at, id, version, kind, marking, tentative);
CREATE INDEX events_by_place ON events_latest (day, cell, start_at, id, lat, lon, version, kind, marking, tentative) WHERE cell IS NOT NULL;
