// Package fusion turns observations into events: one physical occurrence
// (an explosion, a weapon seen) estimated from every report of it, with a
// location, a time and their uncertainty.
//
// This file set holds the localisation: a weighted least-squares estimate
// of where an event happened from whatever the reports give — bearings
// from observers (monitors, acoustic arrays, cameras), distance estimates
// along a bearing, and located fixes (a radar's point, an OSINT
// geolocation) — with the covariance of the estimate and the Cramér–Rao
// bound of the sensor geometry, which the evaluation compares it with.
// Association of reports into events, incidents and the streaming engine
// build on it.
package fusion
