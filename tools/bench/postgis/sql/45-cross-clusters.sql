-- Step "crossings", continued: the crossings (crossing.sql) clustered
-- into candidate events, pass 2 of the clusters (see 40-crossings.sql).
ANALYZE crossing;

INSERT INTO cl (id, grp, space, wclass, bucket, cid, t0, t1, tsig, geom, seeds, slack, pass, root, span)
SELECT x.id, grp, space, NULL, bucket, cid, t0, t1, tsig, geom, seeds, :slack_s, 2, x.id,
       tstzrange(t0 - make_interval(secs => 3 * tsig + :slack_s / 2.0),
                 t1 + make_interval(secs => 3 * tsig + :slack_s / 2.0), '[]')
FROM (
    SELECT (SELECT max(id) FROM cl) + row_number() OVER (ORDER BY grp, space, bucket, cid) AS id,
           grp, space, bucket, cid, min(t) AS t0, max(t) AS t1, max(tsig) AS tsig,
           ST_Centroid(ST_Collect(geom)) AS geom, count(*) AS seeds
    FROM (SELECT *, ST_ClusterDBSCAN(geom, eps := :eps_m, minpoints := :min_seeds)
                        OVER (PARTITION BY grp, space, bucket) AS cid
          FROM (SELECT *, floor(date_part('epoch', t) / :bucket_s)::bigint AS bucket
                FROM crossing WHERE NOT ST_IsEmpty(geom)) b) d
    WHERE cid IS NOT NULL
    GROUP BY grp, space, bucket, cid
) x;
ANALYZE cl;

-- Stitch across time buckets, as for the clusters of fixes.
UPDATE cl SET root = s.root
FROM (SELECT c.id, min(d.id) AS root
      FROM cl c JOIN cl d
        ON d.span && c.span AND ST_DWithin(d.geom, c.geom, :eps_m)
       AND d.id < c.id AND d.grp = c.grp AND d.space = c.space AND d.bucket = c.bucket - 1 AND d.pass = 2
      WHERE c.pass = 2
      GROUP BY c.id) s
WHERE cl.id = s.id;
UPDATE cl SET root = r.root FROM cl r WHERE cl.root = r.id AND r.root <> r.id AND cl.pass = 2;
