// Package sim is the scenario simulator: it plays out a ceasefire on an
// agreement's real geometry — firing positions of both parties behind the
// line of contact, heavy weapons inside and outside their withdrawal
// zones, monitors turned back at checkpoints — and reports it through the
// mechanism's sensors, each with its own error model, late and out of
// order, exactly as the intake contract (spec/observation.schema.json)
// takes reports.
//
// It exists because fusion and assessment can only be measured against a
// truth nobody in the field ever has: every report here is tied to the
// event it describes (or listed as spurious), every event names the rules
// of the agreement it breaks, and every outage and restriction is recorded
// so that "no report" can be scored as "could not see", never as "nothing
// happened". TRUTH.md documents the files.
//
// A run is a pure function of its Config: one PCG stream per concern
// (layout, schedules, events, reports, the error model's departures)
// seeded from Config.Seed — the sensors' placement from Config.LayoutSeed
// when set — no wall clock, no map iteration in anything emitted, so the
// same Config gives byte-identical files and a different seed a different
// war. Config.Errors makes the true errors depart from the stated ones,
// to measure fusion in a world rougher than its reports claim.
package sim
