-- Step "seeds": the candidate events from the located reports. Fixes that
-- are precise in space and time (radar points of origin and of impact, UAV
-- positions: sigma <= :seed_sigma_m and time sigma <= :seed_tsig_s; not
-- OSINT's kilometres and quarter hours, nor a crater found a day later)
-- are clustered with ST_ClusterDBSCAN (minpoints 1: a lone radar track is
-- an event), one partition per group, space and :bucket_s time bucket.
-- Weapons seen and restrictions cluster within :place_m, per weapon class
-- and :place_gate_s bucket.
CREATE UNLOGGED TABLE seed AS
SELECT grp, space, NULL::text AS wclass, t, tsig, geom, bucket,
       ST_ClusterDBSCAN(geom, eps := :eps_m, minpoints := 1)
           OVER (PARTITION BY grp, space, bucket) AS cid
FROM (SELECT *, floor(date_part('epoch', t) / :bucket_s)::bigint AS bucket
      FROM m
      WHERE NOT ray AND space IN ('impact', 'origin')
        AND sigma_m <= :seed_sigma_m AND tsig <= :seed_tsig_s) f
UNION ALL
SELECT grp, space, wclass, t, tsig, geom, bucket,
       ST_ClusterDBSCAN(geom, eps := :place_m, minpoints := 1)
           OVER (PARTITION BY grp, wclass, bucket)
FROM (SELECT *, floor(date_part('epoch', t) / :place_gate_s)::bigint AS bucket
      FROM m WHERE NOT ray AND space = 'place') p;

-- One row per cluster: centroid, time span, how many seeds; span widens
-- the time span as in "measure", so that the GiST (span, geom) index
-- finds the clusters a measurement may join. pass 1: clusters of fixes;
-- pass 2 (step "crossings"): clusters of crossing sight lines.
CREATE UNLOGGED TABLE cl AS
SELECT x.*, 1 AS pass, x.id AS root,
       tstzrange(t0 - make_interval(secs => 3 * tsig + slack / 2),
                 t1 + make_interval(secs => 3 * tsig + slack / 2), '[]') AS span
FROM (
    SELECT row_number() OVER (ORDER BY grp, space, wclass, bucket, cid) AS id,
           grp, space, wclass, bucket, cid, min(t) AS t0, max(t) AS t1, max(tsig) AS tsig,
           ST_Centroid(ST_Collect(geom)) AS geom, count(*) AS seeds,
           CASE WHEN space = 'place' THEN :place_gate_s ELSE :slack_s END::float8 AS slack
    FROM seed
    GROUP BY grp, space, wclass, bucket, cid
) x;
ALTER TABLE cl ADD PRIMARY KEY (id);
CREATE INDEX cl_span_geom ON cl USING gist (span, geom);
ANALYZE cl;

-- Stitch what the time buckets cut apart: a cluster joins an earlier one
-- of the neighbouring bucket that lies within :eps_m and overlaps it in
-- time (then one pointer jump, so short chains share one root).
UPDATE cl SET root = s.root
FROM (SELECT c.id, min(d.id) AS root
      FROM cl c JOIN cl d
        ON d.span && c.span AND ST_DWithin(d.geom, c.geom, :eps_m)
       AND d.id < c.id AND d.grp = c.grp AND d.space = c.space AND d.bucket = c.bucket - 1
      WHERE c.space <> 'place'
      GROUP BY c.id) s
WHERE cl.id = s.id;
UPDATE cl SET root = r.root FROM cl r WHERE cl.root = r.id AND r.root <> r.id;
