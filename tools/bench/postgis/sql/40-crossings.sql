-- Step "crossings": events no located report anchors. Two sight lines
-- that found no cluster, from different sources, pointing at the same
-- space (both at impacts, or both at firing positions), within the time
-- gate, that intersect: their intersection is a candidate position (a
-- triangulation). The sight lines still unattached are copied into a
-- table of their own with its own GiST (span, geom) index, so that the
-- self-join (crossing.sql, which run.sh runs after this file in parallel
-- sessions) probes only them; 45-cross-clusters.sql then clusters the
-- crossings with DBSCAN (:min_seeds: a lone crossing of two lines of
-- different events is a ghost) per :bucket_s bucket; the clusters (pass
-- 2) take the measurements still unattached, sight lines and imprecise
-- fixes alike (step "attach2": attach.sql with pass 2).
CREATE UNLOGGED TABLE lone AS
SELECT m.* FROM m
WHERE m.ray AND m.space IN ('impact', 'origin')
  AND NOT EXISTS (SELECT 1 FROM assign s WHERE s.seq = m.seq AND s.m_space = m.space);
CREATE INDEX lone_span_geom ON lone USING gist (span, geom);
ANALYZE lone;

CREATE UNLOGGED TABLE crossing (
    a_seq bigint NOT NULL,
    b_seq bigint NOT NULL,
    grp   text NOT NULL,
    space text NOT NULL,
    t     timestamptz NOT NULL,
    tsig  float8 NOT NULL,
    geom  geometry NOT NULL
);
