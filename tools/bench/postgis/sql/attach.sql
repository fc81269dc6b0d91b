-- Attach every measurement not attached yet to the best cluster of pass
-- :pass it fits — the way a report joins an event in truce's fusion: same
-- group and space, within the time gate |dt| <= 3*hypot(sigma_m, sigma_c)
-- + slack (dt from the cluster's time span), and in space
--   a fix:        within 3*hypot(sigma_m, :eps_m) of the centroid;
--   a sight line: passing within :eps_m + distance * tan(3 sigma_bearing)
--                 of the centroid;
-- scored by the normalised distance, plus dt/600 (truce's tie-break), plus
-- 2/seeds (a well-supported cluster wins over a weak one the line also
-- passes), best first. A bearing that could not tell launch from impact
-- may join either. The LATERAL ... ORDER BY ... LIMIT 1 probe runs on cl's
-- GiST (span, geom) index.
--
-- PostgreSQL 15 runs such a probe on one core (it does not put a LATERAL
-- subquery with LIMIT under a parallel Gather), so run.sh starts :parts
-- sessions at once, session :part taking the reports with seq % :parts =
-- :part.
INSERT INTO assign (seq, m_space, cid, space, score)
SELECT m.seq, m.space, c.id, c.space, c.score
FROM m
CROSS JOIN LATERAL (
    SELECT c.id, c.space, q.d / q.allowed + q.dt / 600 + 2.0 / c.seeds AS score
    FROM cl c
    CROSS JOIN LATERAL (
        SELECT ST_Distance(c.geom, m.geom) AS d,
               CASE WHEN m.ray THEN :eps_m + ST_Distance(m.observer, c.geom) * tan(radians(3 * m.bsig))
                    ELSE 3 * sqrt(m.sigma_m ^ 2 + :eps_m ^ 2) END AS allowed,
               greatest(date_part('epoch', c.t0 - m.t), date_part('epoch', m.t - c.t1), 0) AS dt
    ) q
    WHERE c.span && m.span
      AND ST_DWithin(c.geom, m.geom,
                     CASE WHEN m.ray THEN :eps_m + :ray_m * tan(radians(least(3 * m.bsig, 60)))
                          ELSE 3 * sqrt(m.sigma_m ^ 2 + :eps_m ^ 2) END)
      AND c.pass = :pass
      AND c.grp = m.grp
      AND (c.space = m.space OR (m.space = 'either' AND c.space IN ('impact', 'origin')))
      AND (m.space <> 'place' OR m.wclass IS NULL OR c.wclass IS NULL OR m.wclass = c.wclass)
      AND q.d <= q.allowed
      AND q.dt <= 3 * sqrt(m.tsig ^ 2 + c.tsig ^ 2) + m.slack
    ORDER BY score, c.id
    LIMIT 1
) c
WHERE m.seq % :parts = :part
  AND NOT EXISTS (SELECT 1 FROM assign s WHERE s.seq = m.seq AND s.m_space = m.space);
