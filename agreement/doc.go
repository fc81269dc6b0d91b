// Package agreement is the ceasefire agreement as the mechanism applies
// it: its file format (FORMAT.md), validation that names every problem
// with its place, the versions in force over time, and the rules that
// turn an observed event into an alleged breach.
//
// An agreement file names the parties, the ground each controls, the
// lines (the line of contact and others), the zones drawn from them
// (withdrawal bands per weapon class, demilitarised polygons), its
// effective time, its thresholds and its rules, written in CEL. Parse
// validates it and builds, once, what the assessment asks of it for every
// event: S2 indexes of the areas and lines (ControllingParty,
// DistanceToLineM, ZonesAt), the weapon matching of the zones
// (ZonesForWeapon), and the compiled rules (FactsAt, Evaluate).
//
// A version is immutable and dated: a change is a new version with a new
// effective time, and Versions answers which one was in force when an
// event happened. Every Violation names the version that found it.
package agreement
