-- Not timed, and only with the simulator's truth: how good the grouping
-- is, by the majority matching of truce's own fusion test
-- (fusion/sim_test.go): an event's true event is the one most of its
-- reports belong to (ties: spurious first, then the smaller id); the first
-- event (by start, id) matched to a true event is a true positive, any
-- other event a false positive; recall is over observed true events.
-- Location error: great-circle metres from a true positive's location to
-- the true event's.
WITH votes AS (
    SELECT r.event, o.true_event, count(*) AS n
    FROM report_event r JOIN obs o USING (seq)
    GROUP BY r.event, o.true_event
), best AS (
    SELECT DISTINCT ON (event) event, true_event
    FROM votes ORDER BY event, n DESC, coalesce(true_event, '')
), ranked AS (
    SELECT b.event, b.true_event, e.geom,
           row_number() OVER (PARTITION BY b.true_event ORDER BY e.t0, e.id) AS k
    FROM best b JOIN ev e ON e.id = b.event
), tp AS (
    SELECT r.*, ST_Distance(ST_Transform(r.geom, 4326)::geography,
                            ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326)::geography) AS err_m
    FROM ranked r JOIN truth_event t ON t.id = r.true_event
    WHERE r.true_event IS NOT NULL AND r.k = 1
), f AS (
    SELECT (SELECT count(*) FROM tp)::float8 AS tp,
           (SELECT count(*) FROM ev)::float8 AS events,
           (SELECT count(*) FROM truth_event WHERE observed)::float8 AS observed,
           (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY err_m) FROM tp WHERE geom IS NOT NULL) AS median_m
)
SELECT format('precision=%s recall=%s f1=%s loc_median_m=%s true_observed_events=%s',
              round((tp / events)::numeric, 3), round((tp / observed)::numeric, 3),
              round((2 * tp / (events + observed))::numeric, 3), round(median_m::numeric), observed)
FROM f;
