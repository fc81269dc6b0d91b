-- The first schema: observations and their indexes, the sequence counter,
-- the markings in use, sources and agreement versions. Built-in types only:
-- no PostGIS, no extension.

-- One row per accepted report. The document is kept exactly as the source
-- sent it (its canonical JSON, as bytes: not jsonb, which would reorder and
-- reformat it); the other columns are copies of its fields for selection and
-- ordering. Times are timestamptz, which keeps microseconds.
CREATE TABLE observations (
    sequence       bigint           PRIMARY KEY,  -- order of acceptance
    source         text             NOT NULL,
    id             text             NOT NULL,
    observed_at    timestamptz      NOT NULL,
    kind           text             NOT NULL,
    marking        text             NOT NULL,
    count          integer          NOT NULL,
    time_sigma_s   double precision NOT NULL,
    lat            double precision,               -- the resolved location; NULL
    lon            double precision,               --   when none or unresolved
    location_mgrs  text,                           -- the MGRS reference as sent
    location_cep_m double precision,
    received_at    timestamptz      NOT NULL,
    document       bytea            NOT NULL,
    -- Where and when, as B-tree keys: the UTC day of observed_at (days since
    -- 1970-01-01), and the S2 leaf cell of the resolved location (its 64-bit
    -- id with the top bit flipped, so signed order is S2 order). NULL
    -- without a location.
    day            bigint,
    cell           bigint,
    UNIQUE (source, id)
);

-- Time order: pages and cursors are in (observed_at, sequence) order.
CREATE INDEX observations_by_time ON observations (observed_at, sequence);

-- Place and time: a bounding box is covered by a few S2 cell ranges, and each
-- (day, cell range) of the query's window is one index range scan, with the
-- window's edges (observed_at) and the box's exact edges (lat, lon) checked
-- inside the index, so only matching rows are fetched. The same scheme as the
-- SQLite store; a GiST index on a point would serve the box but not the
-- window, leaving the planner to intersect two bitmaps.
CREATE INDEX observations_by_place ON observations (day, cell, observed_at, lat, lon) WHERE cell IS NOT NULL;

-- The last sequence given out. Appenders lock this row for the rest of their
-- transaction, so sequences become visible in the order they were given: a
-- reader following ObservationsAfter never steps past one that commits later.
CREATE TABLE observation_sequence (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last      bigint  NOT NULL
);
INSERT INTO observation_sequence (last) VALUES (0);

-- Every marking ever stored, so a reader's marking filter is asked about each
-- once per query instead of once per row.
CREATE TABLE markings (
    marking text PRIMARY KEY
);

CREATE TABLE sources (
    id      text        PRIMARY KEY,
    org     text        NOT NULL,
    kind    text        NOT NULL,
    grading text        NOT NULL,
    created timestamptz NOT NULL
);

CREATE TABLE agreement_versions (
    agreement      text        NOT NULL,
    version        integer     NOT NULL,
    effective_from timestamptz NOT NULL,
    document       bytea       NOT NULL,
    sha256         text        NOT NULL,
    loaded         timestamptz NOT NULL,
    PRIMARY KEY (agreement, version)
);

-- Nothing is edited in place (DESIGN.md, invariant 2; invariant 5 for
-- agreement versions): the database refuses it too, whoever asks.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER observations_append_only BEFORE UPDATE OR DELETE ON observations
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER observations_no_truncate BEFORE TRUNCATE ON observations
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER agreement_versions_immutable BEFORE UPDATE OR DELETE ON agreement_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
