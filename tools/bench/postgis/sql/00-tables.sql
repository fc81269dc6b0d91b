-- The reports as a team would store them: one row per report, the
-- columns the intake's typed view has (tools/bench/postgis/load writes
-- them). Not timed; the load that follows is timed on its own.
CREATE TABLE obs (
    seq                      bigint NOT NULL,
    source                   text NOT NULL,
    id                       text NOT NULL,
    kind                     text NOT NULL,
    fire                     text NOT NULL,
    observed_at              timestamptz NOT NULL,
    time_sigma_s             float8 NOT NULL,
    count                    int NOT NULL,
    weapon_class             text,
    loc_lat                  float8,
    loc_lon                  float8,
    loc_cep_m                float8,
    origin_lat               float8,
    origin_lon               float8,
    origin_cep_m             float8,
    observer_lat             float8,
    observer_lon             float8,
    bearing_deg              float8,
    bearing_sigma_deg        float8,
    range_min_m              float8,
    range_max_m              float8,
    origin_bearing_deg       float8,
    origin_bearing_sigma_deg float8,
    true_event               text   -- scoring only; the pipeline never reads it
);

CREATE TABLE truth_event (
    id       text PRIMARY KEY,
    observed boolean NOT NULL,
    lat      float8 NOT NULL,
    lon      float8 NOT NULL
);
