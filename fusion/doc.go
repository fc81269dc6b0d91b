// Package fusion turns observations into events: one physical occurrence
// (an explosion, a weapon seen) estimated from every report of it, with a
// location, a time and their uncertainty.
//
// # Localisation
//
// locate.go: a weighted least-squares estimate of where an event happened
// from whatever the reports give — bearings from observers (monitors,
// acoustic arrays, cameras), distance estimates along a bearing, and
// located fixes (a radar's point, an OSINT geolocation) — with the
// covariance of the estimate and the Cramér–Rao bound of the sensor
// geometry, which the evaluation compares it with.
//
// # Association
//
// The Engine takes reports one at a time in ledger order. A firing has two
// ends, each with a place and a time: the launch (the point of origin) and
// the impact (the Location). A report is about one of them: its direction
// of fire says which (outgoing, incoming), or it could not tell and the
// fit decides; a radar track or a crater places both.
//
//   - Time (timing.go). A report's time is when it saw the phenomenon, or
//     when its sound arrived: reports do not say which, so once the place
//     is estimated each report keeps both hypotheses, and the event's time
//     is where most of its reports agree. Until then a report allows any
//     time back to the longest sound travel. The impact follows the launch
//     within the longest flight the distance allows.
//   - Place (associate.go, gate.go). A report joins the event whose
//     estimate of its end it fits best within χ² gates at 99.9 % (the
//     estimate's covariance projected on the measurement, the report's own
//     error), or else whose sight lines it crosses within their tolerance;
//     failing both, the event that knows only the other end and is nearest
//     in time, within a round's range and flight. Otherwise it starts an
//     event. A sight line that fits only the other end's estimate is taken
//     as misreporting the direction of fire, and so is a second sight line
//     of one end from an observer that already reported that end.
//   - Audit (fit.go). After each change, a report that no longer agrees
//     with its event — outside the time most others agree on, or outside
//     the studentised gate of its end's estimate — has its direction of
//     fire reversed if it fits the other end, or is taken out and placed
//     again (once).
//   - Merge (merge.go). Two events whose estimates of one end agree, whose
//     other places do not disagree and whose reports agree in time (all
//     but one, which the audit then removes) are one: the older keeps its
//     id and lists the other in Replaces.
//
// Things that stay put (weapons seen, restrictions) join by place within
// their errors and a position's spread, over a long time gate.
//
// # Calibration
//
// calibrate.go: each report that joins an estimate tells how well its
// source's stated σ describe its errors; a source shown to overstate its
// accuracy has the σ of its later reports widened, so that gates built
// on them do not split what it reports.
//
// # Events one sight line reports
//
// sightline.go: an event only a bearing without a distance reports is not
// located (Location nil). It is shown on that line at the distance its
// source's sight lines usually end — learned from the events others
// placed — as ApproximateLocation (or ApproximateOrigin), an ellipse as
// long as that distance's spread. Association and assessment never read
// it: it is the source's habit, not a measurement.
//
// # Probable false alarms
//
// tentative.go: per source and kind, how often the reports that say which
// way the fire went, and those that do not, sit in events another source
// reported too. A lone event of unclassified reports whose class is so
// seldom corroborated that it is more likely a false alarm than not is
// Tentative, with the probability as FalseAlarm; readers list such events
// only when asked. An event whose sight lines are all undecided takes by
// time alone only reports that meet them (associate.go, undecidedAgree).
//
// Nothing depends on a clock, map order or randomness: the same reports
// in the same order give the same events, byte for byte. Events become
// final when their last report is older than the newest by the Horizon
// (a weapon in position: by the weapon gate, a week unless set, since
// sorties pass again days later); TakeFinal hands them over so that
// memory follows the window.
package fusion
