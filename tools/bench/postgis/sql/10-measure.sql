-- Step "measure": every report becomes the measurements it carries, as
-- projected geometries (metres, UTM zone :srid) with their uncertainty.
--
--   located fix (location, origin)     POINT      sigma_m = CEP / 1.1774
--   sight line (observer + bearing)    LINESTRING observer→:ray_m along the
--                                                 bearing, or min→max of
--                                                 range_m when given
--   crater back-bearing                LINESTRING crater→:ray_m towards the origin
--
-- space says what a measurement points at, as truce's fusion reads a report:
-- 'impact' (where the rounds landed: located fixes of fire, incoming
-- bearings), 'origin' (the firing position: radar origins, outgoing
-- bearings, crater back-bearings), 'either' (a fire bearing that could not
-- tell launch from impact), 'place' (weapons seen, restrictions: things
-- that stay put).
--
-- span is the widest time a measurement may be associated over: its own
-- 3 sigma plus half the group's slack (rounds fly, sound travels; 2 h for
-- things that stay put). Two measurements can only pass the time gate
-- |dt| <= 3*hypot(sigma_a, sigma_b) + slack if their spans overlap, so the
-- GiST index on (span, geom) answers "near in time and space" at once.
CREATE UNLOGGED TABLE m AS
WITH o AS (
    SELECT seq, source, observed_at AS t, time_sigma_s AS tsig, weapon_class AS wclass, fire,
           CASE WHEN kind IN ('explosion', 'burst', 'shot') THEN 'fire' ELSE kind END AS grp,
           loc_lat, loc_lon, loc_cep_m, origin_lat, origin_lon, origin_cep_m,
           observer_lat, observer_lon, bearing_deg, bearing_sigma_deg, range_min_m, range_max_m,
           origin_bearing_deg, origin_bearing_sigma_deg
    FROM obs
), u AS (
    SELECT seq, source, grp, CASE WHEN grp = 'fire' THEN 'impact' ELSE 'place' END AS space,
           t, tsig, wclass, false AS ray,
           ST_Transform(ST_SetSRID(ST_MakePoint(loc_lon, loc_lat), 4326), :srid) AS geom,
           NULL::geometry AS observer,
           coalesce(loc_cep_m / 1.1774, :default_sigma_m) AS sigma_m, NULL::float8 AS bsig
    FROM o WHERE loc_lat IS NOT NULL
    UNION ALL
    SELECT seq, source, grp, 'origin', t, tsig, wclass, false,
           ST_Transform(ST_SetSRID(ST_MakePoint(origin_lon, origin_lat), 4326), :srid),
           NULL, coalesce(origin_cep_m / 1.1774, :default_sigma_m), NULL
    FROM o WHERE origin_lat IS NOT NULL
    UNION ALL
    SELECT seq, source, grp,
           CASE WHEN grp <> 'fire' THEN 'place'
                WHEN fire = 'incoming' THEN 'impact'
                WHEN fire = 'outgoing' THEN 'origin'
                ELSE 'either' END,
           t, tsig, wclass, true,
           ST_Transform(ST_MakeLine(ST_Project(g, coalesce(range_min_m, 0), radians(bearing_deg))::geometry,
                                    ST_Project(g, coalesce(range_max_m, :ray_m), radians(bearing_deg))::geometry), :srid),
           ST_Transform(g::geometry, :srid), NULL, bearing_sigma_deg
    FROM (SELECT *, ST_SetSRID(ST_MakePoint(observer_lon, observer_lat), 4326)::geography AS g
          FROM o WHERE bearing_deg IS NOT NULL) r
    UNION ALL
    SELECT seq, source, grp, 'origin', t, tsig, wclass, true,
           ST_Transform(ST_MakeLine(g::geometry, ST_Project(g, :ray_m, radians(origin_bearing_deg))::geometry), :srid),
           ST_Transform(g::geometry, :srid), NULL, origin_bearing_sigma_deg
    FROM (SELECT *, ST_SetSRID(ST_MakePoint(loc_lon, loc_lat), 4326)::geography AS g
          FROM o WHERE origin_bearing_deg IS NOT NULL AND loc_lat IS NOT NULL) c
)
SELECT u.*,
       tstzrange(t - make_interval(secs => 3 * tsig + g.slack / 2),
                 t + make_interval(secs => 3 * tsig + g.slack / 2), '[]') AS span,
       g.slack
FROM u CROSS JOIN LATERAL (SELECT CASE WHEN u.space = 'place' THEN :place_gate_s ELSE :slack_s END::float8 AS slack) g;

CREATE INDEX m_span_geom ON m USING gist (span, geom);
ANALYZE m;
