-- The crossings of the unattached sight lines (see 40-crossings.sql):
-- session :part of :parts takes the lines a with seq % :parts = :part and
-- pairs each with every later line b (b.seq > a.seq: each pair once) that
-- its GiST probe finds overlapping in time span and bounding box.
INSERT INTO crossing (a_seq, b_seq, grp, space, t, tsig, geom)
SELECT a.seq, b.seq, a.grp, a.space,
       a.t + (b.t - a.t) / 2, greatest(a.tsig, b.tsig),
       ST_Centroid(ST_Intersection(a.geom, b.geom))
FROM lone a
JOIN lone b
  ON b.span && a.span AND b.geom && a.geom
 AND b.seq > a.seq AND b.space = a.space AND b.grp = a.grp AND b.source <> a.source
 AND abs(date_part('epoch', b.t - a.t)) <= 3 * sqrt(a.tsig ^ 2 + b.tsig ^ 2) + a.slack
 AND ST_Intersects(a.geom, b.geom)
WHERE a.seq % :parts = :part;
