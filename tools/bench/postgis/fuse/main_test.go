package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/sim"
)

func key(id string) observation.Key { return observation.Key{Source: "s", ID: id} }

func trueEvent(id string, observed bool, lat float64, reports ...string) sim.Event {
	e := sim.Event{ID: id, Observed: observed}
	e.Location.Lat, e.Location.Lon = lat, 36
	for _, r := range reports {
		e.Observations = append(e.Observations, sim.ObsRef{Source: "s", ID: r})
	}
	return e
}

func TestScoreEvents(t *testing.T) {
	truth := &sim.Truth{Events: []sim.Event{
		trueEvent("E1", true, 47, "a", "b", "c"),
		trueEvent("E2", true, 48, "d"),
		trueEvent("E3", true, 49, "e"), // missed
		trueEvent("E4", false, 50),     // never observed: not in recall
	}}
	at := func(lat float64) *fusion.Estimate { return &fusion.Estimate{Point: geo.Point{Lat: lat, Lon: 36}} }
	events := []*fusion.Event{
		{ID: "1", Observations: []observation.Key{key("a"), key("b")}, Location: at(47.001)}, // TP E1
		{ID: "2", Observations: []observation.Key{key("c")}},                                 // E1 again: FP
		{ID: "3", Observations: []observation.Key{key("d"), key("x")}, Location: at(48.002)}, // tie E2/spurious → spurious: FP
		{ID: "4", Observations: []observation.Key{key("d"), key("e"), key("e")}},             // E3: TP, unlocated
	}
	s := scoreEvents(truth, events)
	if s.Events != 4 || s.Observed != 3 || s.TP != 2 {
		t.Fatalf("events %d observed %d tp %d, want 4 3 2", s.Events, s.Observed, s.TP)
	}
	if math.Abs(s.Precision-0.5) > 1e-12 || math.Abs(s.Recall-2.0/3) > 1e-12 || math.Abs(s.F1-4.0/7) > 1e-12 {
		t.Errorf("precision %v recall %v f1 %v", s.Precision, s.Recall, s.F1)
	}
	if want := geo.DistanceM(geo.Point{Lat: 47.001, Lon: 36}, geo.Point{Lat: 47, Lon: 36}); math.Abs(s.MedianM-want) > 1e-6 {
		t.Errorf("median %v, want %v", s.MedianM, want)
	}
	if got := s.String(); !strings.Contains(got, "f1=0.571") || !strings.Contains(got, "loc_median_m=111") {
		t.Errorf("String() = %q", got)
	}
	if s := scoreEvents(truth, nil); s.F1 != 0 || !math.IsNaN(s.MedianM) || !strings.Contains(s.String(), "loc_median_m=NaN") {
		t.Errorf("no events: %+v %s", s, s)
	}
}

func TestDecode(t *testing.T) {
	good := `{"id":"a1","source":"s","observed_at":"2026-09-02T10:00:00Z","kind":"explosion","observer":{"lat":47.5,"lon":37.25},"bearing_deg":90}`
	obs, err := decode([]byte(good + "\n\n" + strings.Replace(good, "a1", "a2", 1) + "\n"))
	if err != nil || len(obs) != 2 || obs[1].ID != "a2" || obs[0].BearingSigmaDeg != 5 {
		t.Fatalf("decode: %d reports, %v", len(obs), err)
	}
	for _, bad := range []string{good + "\n" + `{"id":`, `{"id":"a","source":"s","observed_at":"2026-09-02T10:00:00Z","kind":"boom"}`, "\n \n"} {
		if _, err := decode([]byte(bad)); err == nil {
			t.Errorf("decode(%q) accepted", bad)
		}
	}
}

// TestRun: the driver end to end on an hour of a simulated escalation.
func TestRun(t *testing.T) {
	res, err := sim.Run(sim.Config{Scenario: "escalation", Seed: 2, Duration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var obsBuf, truthBuf bytes.Buffer
	if err := res.WriteObservations(&obsBuf); err != nil {
		t.Fatal(err)
	}
	if err := res.WriteTruth(&truthBuf); err != nil {
		t.Fatal(err)
	}
	obsPath, truthPath := filepath.Join(dir, "observations.ndjson"), filepath.Join(dir, "truth.json")
	if err := os.WriteFile(obsPath, obsBuf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(truthPath, truthBuf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, log bytes.Buffer
	if err := run(obsPath, truthPath, 2, filepath.Join(dir, "cpu.pprof"), &out, &log); err != nil {
		t.Fatal(err)
	}
	line := out.String()
	for _, k := range []string{"truce_fuse_seconds=", "truce_obs_per_s=", "truce_decode_fuse_obs_per_s=", "truce_events=", "truce_f1=", "truce_precision=", "truce_loc_median_m="} {
		if !strings.Contains(line, " "+k) && !strings.HasPrefix(line, k) {
			t.Errorf("result line lacks %s: %s", k, line)
		}
	}
	if strings.Count(line, "\n") != 1 {
		t.Errorf("want one line, got %q", line)
	}
	t.Logf("%s%s", line, log.String())
}
