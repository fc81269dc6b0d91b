-- Tentative event versions: ones that rest on one source's report of a
-- class that source's reports are seldom corroborated in (thunder or
-- quarry blasting heard by an acoustic array), fusion's judgement that
-- they are probably false alarms. Stored like any version; lists show
-- them only when a reader asks, so the latest version's flag is copied
-- into events_latest, where queries select.
--
-- Every version stored before this migration was made before fusion could
-- judge one tentative: false is what each of them is, not a placeholder.
-- A constant default is written into the catalogue, not the rows, so
-- neither table is rewritten and the append-only trigger is not asked.
--
-- The query indexes are left as they are: like kind and marking, the flag
-- is checked on the rows of events_latest the (start_at, id) order reads,
-- and tentative events are the few.
ALTER TABLE event_versions ADD COLUMN tentative boolean NOT NULL DEFAULT false;
ALTER TABLE events_latest ADD COLUMN tentative boolean NOT NULL DEFAULT false;
