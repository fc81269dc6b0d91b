// Package evaluate scores what the mechanism established against what
// really happened: the events that fusion and assessment publish on
// GET /api/v1/events, compared with a simulation's ground truth
// (sim.Truth, written by truce simulate).
//
// It is the measuring stick of issue 3's targets — detection F1,
// localisation against the Cramér–Rao bound of each event's sensor
// geometry, attribution accuracy and calibration, violations — and so it
// lives apart from fusion: it reads the API's JSON, not fusion's types,
// and could score any system that publishes events in that shape. Score
// is a pure function of the truth and the events (no clock, no map order
// in its output), so the same inputs always give the same report.
//
// Events are matched to true events by the reports they share, never by
// place or time: the truth says which report belongs to which event, so
// a fused event is judged by what fusion actually put together.
// MATCHING.md defines the matching rule and every metric.
package evaluate
