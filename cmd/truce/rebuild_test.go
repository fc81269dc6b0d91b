package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/store"
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

// TestRebuildComparesStoredEvents: the events the server stored as final
// are rebuilt byte for byte, and a stored version that differs from the
// rebuild is named and fails the command.
func TestRebuildComparesStoredEvents(t *testing.T) {
	ctx := context.Background()
	data, st := ingestedStore(t, "5", "100h")
	// Fuse, assess and store as truce serve does.
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	versions := storeDemoAgreement(t, st, log)
	pipe := newEventPipeline(st, versions, newSourceBook(st), log)
	live := fusion.NewLive(st, intake.ResolveMGRS, fusion.Config{})
	live.Persist = pipe.persist
	if _, err := live.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	stored, _, err := st.Events(ctx, store.EventQuery{})
	if err != nil || len(stored) == 0 {
		t.Fatalf("nothing stored as final (%v): the scenario is too short for the horizon", err)
	}
	rebuild := func() (rebuildResult, int) {
		out, stderr, code := run(t, "", "rebuild", "--data", data, "--json")
		var res rebuildResult
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v: %s %s", err, out, stderr)
		}
		return res, code
	}
	res, code := rebuild()
	if code != 0 || res.StoredSame != len(stored) || len(res.StoredDiffer)+len(res.StoredUnknown) != 0 {
		t.Fatalf("rebuild of an untouched store: exit %d, %+v", code, res)
	}
	// Somebody stores a newer version of an event that fusion never made.
	forged := stored[0]
	forged.Version++
	forged.Document = []byte(strings.Replace(string(forged.Document), `"corroboration":"`, `"corroboration":"x`, 1))
	if err := st.PutEvents(ctx, []store.EventRecord{forged}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	res, code = rebuild()
	if code != 1 || len(res.StoredDiffer) != 1 || !strings.HasPrefix(res.StoredDiffer[0], forged.ID) {
		t.Fatalf("rebuild after a forged version: exit %d, %+v", code, res)
	}
}

// ingestedStore simulates a thin violations scenario (scale 0.3) of the
// given seed and duration, ingests it into a data folder and opens its
// store.
func ingestedStore(t *testing.T, seed, duration string) (string, store.Store) {
	t.Helper()
	dir := t.TempDir()
	sim := filepath.Join(dir, "sim")
	if _, err := simulate(t, "--scenario", "violations", "--seed", seed, "--duration", duration, "--scale", "0.3", "--out", sim); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if _, stderr, code := run(t, "", "ingest", "--data", data, "--any-source", filepath.Join(sim, "observations.ndjson")); code != 0 {
		t.Fatalf("ingest: %s", stderr)
	}
	st, err := openStore(context.Background(), data, "")
	if err != nil {
		t.Fatal(err)
	}
	return data, st
}

// storeDemoAgreement stores the demo agreement in st and loads the
// versions from it, as truce serve does at a start.
func storeDemoAgreement(t testing.TB, st store.Store, log *slog.Logger) *agreement.Versions {
	t.Helper()
	ctx := context.Background()
	demo, err := agreement.Demo()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutAgreementVersion(ctx, storedVersion(demo)); err != nil {
		t.Fatal(err)
	}
	versions, err := loadAgreements(ctx, st, false, log)
	if err != nil {
		t.Fatal(err)
	}
	return versions
}

// TestPersistKeepsWhatWasStored: after an upgrade the replay may derive
// an event version differently from what an earlier release stored. The
// stored version stands (the record is append-only), the rest of the
// batch is stored, and fusion goes on instead of retrying forever.
func TestPersistKeepsWhatWasStored(t *testing.T) {
	ctx := context.Background()
	_, st := ingestedStore(t, "6", "30h")
	defer st.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pipe := newEventPipeline(st, storeDemoAgreement(t, st, log), newSourceBook(st), log)
	cfg := fusion.Config{Horizon: 2 * time.Hour}
	// What fusion derives now, not stored.
	dry := fusion.NewLive(st, intake.ResolveMGRS, cfg)
	var final []fusion.Event
	dry.Persist = func(_ context.Context, es []fusion.Event) error { final = append(final, es...); return nil }
	if _, err := dry.CatchUp(ctx); err != nil || len(final) < 2 {
		t.Fatalf("%d final events, %v", len(final), err)
	}
	// An earlier release stored the first of them otherwise.
	old := pipe.record(final[0])
	old.Document = []byte(strings.Replace(string(old.Document), `"corroboration":"`, `"corroboration":"earlier `, 1))
	if err := st.PutEvents(ctx, []store.EventRecord{old}); err != nil {
		t.Fatal(err)
	}
	live := fusion.NewLive(st, intake.ResolveMGRS, cfg)
	live.Persist = pipe.persist
	if _, err := live.CatchUp(ctx); err != nil {
		t.Fatalf("catching up over an earlier derivation: %v", err)
	}
	stored, _, err := st.Events(ctx, store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(final) {
		t.Fatalf("%d events stored, %d final", len(stored), len(final))
	}
	for _, e := range stored {
		if e.ID == old.ID && string(e.Document) != string(old.Document) {
			t.Fatalf("the stored version of %s was replaced", old.ID)
		}
	}
}
