package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestRebuild: the same stored reports give the same digests on every
// rebuild, and a rebuild of another scenario gives another.
func TestRebuild(t *testing.T) {
	dir := t.TempDir()
	digest := func(scenario, seed string) (string, string) {
		sim := filepath.Join(dir, scenario+seed)
		if _, err := simulate(t, "--scenario", scenario, "--seed", seed, "--duration", "2h", "--out", sim); err != nil {
			t.Fatal(err)
		}
		data := filepath.Join(dir, "data-"+scenario+seed)
		if _, stderr, code := run(t, "", "ingest", "--data", data, "--any-source", filepath.Join(sim, "observations.ndjson")); code != 0 {
			t.Fatalf("ingest: %s", stderr)
		}
		var first string
		for i := range 2 {
			out, stderr, code := run(t, "", "rebuild", "--data", data, "--json")
			if code != 0 {
				t.Fatalf("rebuild: %d %s", code, stderr)
			}
			var res rebuildResult
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatal(err)
			}
			if res.Observations == 0 || res.Events == 0 || res.Incidents == 0 {
				t.Fatalf("rebuild found nothing: %+v", res)
			}
			d := res.EventsDigest + "/" + res.IncidentDigest
			if i == 1 && d != first {
				t.Fatalf("two rebuilds of one store: %s then %s", first, d)
			}
			first = d
		}
		return first, data
	}
	a, _ := digest("violations", "3")
	b, _ := digest("violations", "4")
	if a == b {
		t.Fatal("two different scenarios rebuild to one digest")
	}
	if _, stderr, code := run(t, "", "rebuild", "--data", filepath.Join(dir, "nothing")); code == 0 || !strings.Contains(stderr, "no store there") {
		t.Fatalf("rebuild of an empty folder: %d %s", code, stderr)
	}
}
