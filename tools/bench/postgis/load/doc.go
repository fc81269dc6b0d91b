// Command load turns the simulator's files into CSV for PostgreSQL's
// COPY, so that the PostGIS baseline (tools/bench/postgis/run.sh) reads
// exactly the reports truce's fusion reads, interpreted the same way.
//
// Each report goes through observation.Decode and observation.Parse, the
// intake's own decoder and validator: the schema's defaults (time_sigma_s
// 60, bearing_sigma_deg 5, …) are applied and MGRS references resolved to
// the centre of their square, as intake does. Whatever the SQL pipeline
// then does with the columns is the baseline's business; what the columns
// mean is truce's.
//
//	load -observations DIR/observations.ndjson [-truth DIR/truth.json] > obs.csv
//	load -events DIR/truth.json > truth_events.csv
//
// With -truth, each report's row ends with the id of the true event it
// belongs to (empty for spurious reports), so that the pipeline's
// clusters can be scored after the timed run. -events writes one row per
// true event: id, observed, lat, lon.
package main
