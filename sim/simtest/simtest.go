// Package simtest serves the tests and benchmarks of other packages: a
// simulated run's reports as the intake parses them, with its truth as a
// scorer reads it. It is imported by tests only.
package simtest

import (
	"bytes"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/sim"
)

// Received is when the reports are taken to arrive: after anything the
// simulator plays, so that the intake's "not in the future" rule never
// refuses one.
var Received = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// Run runs the simulator on cfg and returns its reports in arrival order,
// written out and parsed as the intake would, and its truth, written out
// and read back as truce evaluate reads it. A failure fails tb.
func Run(tb testing.TB, cfg sim.Config) ([]observation.Observation, *sim.Truth) {
	tb.Helper()
	res, err := sim.Run(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	var obsBuf, truthBuf bytes.Buffer
	if err := res.WriteObservations(&obsBuf); err != nil {
		tb.Fatal(err)
	}
	if err := res.WriteTruth(&truthBuf); err != nil {
		tb.Fatal(err)
	}
	truth, err := sim.ReadTruth(&truthBuf)
	if err != nil {
		tb.Fatal(err)
	}
	docs, err := observation.Decode(observation.MediaNDJSON, obsBuf.Bytes())
	if err != nil {
		tb.Fatal(err)
	}
	out := make([]observation.Observation, len(docs))
	for i, d := range docs {
		o, errs := observation.Parse(d, Received, intake.ResolveMGRS)
		if len(errs) > 0 {
			tb.Fatalf("report %d: %v", i, errs[0])
		}
		out[i] = o
	}
	return out, truth
}
