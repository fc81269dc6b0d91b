// Package observation is the intake model: one report from one source about
// something seen, heard or measured, exactly as spec/observation.schema.json
// defines it. It decodes every accepted encoding (JSON object or array,
// NDJSON, GeoJSON FeatureCollection, CSV), validates each document against
// the schema with an error per bad field (a JSON pointer, and the line or row
// it came from), and keeps the report's RFC 8785 canonical form, which is
// what is stored, hashed into the ledger and signed by sources.
//
// It knows nothing of HTTP or SQL.
package observation
