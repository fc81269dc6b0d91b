-- Step "events": reports grouped into events, and per event its place,
-- time span and count.
--
-- A report belongs to the event of its impact cluster; failing that, of
-- its origin cluster, carried over to the impact cluster that most
-- reports share with it (a radar track or a crater ties a firing position
-- to its impacts); failing that, of its place cluster; failing all, it is
-- an event on its own (as truce keeps a lone bearing as a one-report
-- event). Clusters stitched across time buckets count as one (root).
CREATE UNLOGGED TABLE report_event AS
WITH a AS (
    SELECT s.seq, s.space, c.root AS cid
    FROM assign s JOIN cl c ON c.id = s.cid
), link AS (
    SELECT DISTINCT ON (o.cid) o.cid AS origin, i.cid AS impact
    FROM a o JOIN a i ON i.seq = o.seq AND i.space = 'impact'
    WHERE o.space = 'origin'
    GROUP BY o.cid, i.cid
    ORDER BY o.cid, count(*) DESC, i.cid
)
SELECT o.seq, o.observed_at AS t,
       coalesce(min(a.cid) FILTER (WHERE a.space = 'impact'),
                min(coalesce(l.impact, a.cid)) FILTER (WHERE a.space = 'origin'),
                min(a.cid) FILTER (WHERE a.space = 'place'),
                -o.seq) AS event
FROM obs o
LEFT JOIN a ON a.seq = o.seq
LEFT JOIN link l ON l.origin = a.cid AND a.space = 'origin'
GROUP BY o.seq, o.observed_at;

-- One row per event: its reports, time span, and location: the centroid
-- of its seed clusters (impact clusters for fire; the origin's when no
-- impact cluster); a lone report keeps its own fix, if it has one.
CREATE UNLOGGED TABLE ev AS
SELECT e.event AS id, e.reports, e.t0, e.t1, coalesce(c.geom, f.geom) AS geom
FROM (SELECT event, count(*) AS reports, min(t) AS t0, max(t) AS t1
      FROM report_event GROUP BY event) e
LEFT JOIN (SELECT root, ST_Centroid(ST_Collect(geom)) AS geom FROM cl GROUP BY root) c
       ON c.root = e.event
LEFT JOIN (SELECT DISTINCT ON (seq) seq, geom FROM m WHERE NOT ray ORDER BY seq, space = 'origin') f
       ON f.seq = -e.event;
ANALYZE ev;
