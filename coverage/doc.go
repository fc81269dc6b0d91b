// Package coverage says where and when the mechanism could see: per area
// and hour, the share of the ground within reach of a working sensor and
// which sources and kinds of source that was, so that "no report" is
// never read as "no violation" (DESIGN.md, flow step 3).
//
// Coverage is inferred from what arrives, not from a plan. The mechanism
// knows where a sensor stood only through its reports: a report with an
// observer position shows that its source worked there in that hour, and
// its footprint is a disc whose radius depends on the source's kind
// (Footprint, DefaultFootprints). A restriction report takes the
// restricted source's coverage away around the place it names for a
// while. A fixed sensor that falls silent covers nothing in the silent
// hour: the record cannot prove it was working, and it is listed as
// silent, with how likely that silence is for a working sensor at its
// usual rate, so the reader can tell a quiet hour from an outage.
//
// Silence can only mean an outage if a working sensor is never silent for
// an hour. Sensors that report only what they detect are silent for most
// quiet hours, and their coverage then cannot be shown (on simulated days
// without heartbeats, a fixed sensor reports in only a sixth to a third of
// the hours it works). Fixed sensors should therefore send a heartbeat: a
// report of kind "other" giving only its observer position, every few
// minutes while it works. Such a report counts here like any other; with
// one every ten minutes, an hour of silence is an outage, and PQuiet says
// so (see TestAgainstSimulatedGaps).
//
// It is its own package, beside assess rather than inside it, because it
// is computed from the stream of observations alone: it needs neither
// fused events nor the agreement, it is fed in ledger order like fusion
// and can run beside it, and the API's coverage endpoints and the daily
// statistics read it directly. (assess was being built at the same time;
// docs/DECISIONS.md records the wall.)
//
// Areas are S2 cells at GridLevel (about 4.6 km across at 48° N). State is
// kept per hour and per marking of the reports it comes from, and every
// read takes the reader's marking filter, so that coverage never tells a
// reader of a report it may not see (invariant 4). Everything it returns
// is sorted and computed from order-free aggregates: the same
// observations in any order give the same answer (invariant 3).
//
// Summaries are asked for again and again over the same month, so each
// hour's share of one is kept, per area and per set of markings its
// reader may see among the evidence within reach of the hour, and
// dropped when that evidence changes (a report arriving late, an hour
// forgotten): kept or worked out, the answer is the same.
//
// It knows nothing of HTTP or SQL.
package coverage
