package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/sim"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/sqlite"
)

// simulate runs `truce simulate` in-process.
func simulate(t *testing.T, args ...string) (stdout string, err error) {
	t.Helper()
	cmd := newSimulateCmd()
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err = cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestSimulateWritesTheFiles(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	args := []string{"--scenario", "escalation", "--seed", "4", "--duration", "3h", "--start", "2026-09-03T00:00:00Z"}
	out, err := simulate(t, append(args, "--out", a)...)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(out, "\n") != 1 {
		t.Errorf("want one line of summary, got %q", out)
	}
	for _, want := range []string{"escalation seed 4", "events", "firings", "violating", "observations", a} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q: %s", want, out)
		}
	}
	if _, err := simulate(t, append(args, "--out", b)...); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{sim.ObservationsFile, sim.TruthFile, sim.SourcesFile} {
		x, err := os.ReadFile(filepath.Join(a, name))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s: empty or different between two runs of the same flags", name)
		}
	}
	f, err := os.Open(filepath.Join(a, sim.TruthFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := sim.ReadTruth(f)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Scenario != "escalation" || tr.Seed != 4 || tr.Window.Start != "2026-09-03T00:00:00.000Z" || tr.Config.Duration != "3h0m0s" {
		t.Errorf("truth of another run: %+v", tr.Config)
	}
	if !strings.Contains(out, "observations") || tr.Counts.Observations == 0 {
		t.Errorf("no observations: %+v", tr.Counts)
	}
}

// TestSimulateErrorModel: the error-model flags change the reports' errors
// and nothing else, and truth.json says so.
func TestSimulateErrorModel(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--scenario", "violations", "--seed", "3", "--duration", "6h"}
	read := func(out string) (obs []byte, tr *sim.Truth) {
		t.Helper()
		obs, err := os.ReadFile(filepath.Join(out, sim.ObservationsFile))
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(filepath.Join(out, sim.TruthFile))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if tr, err = sim.ReadTruth(f); err != nil {
			t.Fatal(err)
		}
		return obs, tr
	}
	plain, rough := filepath.Join(dir, "plain"), filepath.Join(dir, "rough")
	if _, err := simulate(t, append(args, "--out", plain)...); err != nil {
		t.Fatal(err)
	}
	if _, err := simulate(t, append(args, "--sigma-scale", "3", "--out", rough)...); err != nil {
		t.Fatal(err)
	}
	po, pt := read(plain)
	ro, rt := read(rough)
	if pt.Config.Errors != nil {
		t.Errorf("default run records an error model: %+v", *pt.Config.Errors)
	}
	if want := (sim.ErrorModel{SigmaScale: 3, TimeSigmaScale: 1}); rt.Config.Errors == nil || *rt.Config.Errors != want {
		t.Errorf("truth records error model %+v, want %+v", rt.Config.Errors, want)
	}
	if bytes.Equal(po, ro) {
		t.Error("--sigma-scale 3 left the reports as they were")
	}
	if pt.Counts != rt.Counts {
		t.Errorf("--sigma-scale changed what was seen: %+v, then %+v", pt.Counts, rt.Counts)
	}
}

func TestSimulateFlagErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown scenario", []string{"--scenario", "war", "--out", out}, `--scenario "war": want one of quiet, violations, escalation`},
		{"zero duration", []string{"--duration", "0s", "--out", out}, "--duration 0s"},
		{"negative duration", []string{"--duration", "-2h", "--out", out}, "--duration -2h0m0s"},
		{"too long", []string{"--duration", "1000h", "--out", out}, "--duration 1000h0m0s"},
		{"bad duration", []string{"--duration", "six hours", "--out", out}, `"--duration"`},
		{"bad start", []string{"--start", "yesterday", "--out", out}, `--start "yesterday": want an RFC 3339 time`},
		{"bad seed", []string{"--seed", "-1", "--out", out}, `"--seed"`},
		{"zero scale", []string{"--scale", "0", "--out", out}, "--scale 0"},
		{"negative scale", []string{"--scale", "-3", "--out", out}, "--scale -3"},
		{"no out", []string{}, "--out"},
		{"zero sigma scale", []string{"--sigma-scale", "0", "--out", out}, "--sigma-scale 0: want a factor more than 0"},
		{"negative time sigma scale", []string{"--time-sigma-scale", "-1", "--out", out}, "--time-sigma-scale -1"},
		{"outliers above one", []string{"--outliers", "1.5", "--out", out}, "--outliers 1.5: want a share of reports from 0 to 1"},
		{"NaN bearing bias", []string{"--bearing-bias-deg", "NaN", "--out", out}, "--bearing-bias-deg NaN"},
		{"bad layout seed", []string{"--layout-seed", "x", "--out", out}, `"--layout-seed"`},
		{"missing agreement", []string{"--agreement", filepath.Join(out, "none.json"), "--out", out}, "--agreement"},
		{"stray argument", []string{"--out", out, "extra"}, "unknown command"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := simulate(t, c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed run left %s behind", out)
	}
}

// TestSimulateThenIngest sends a simulated scenario through the intake as
// the scorer will: register sources.ndjson, ingest observations.ndjson;
// every report is accepted.
func TestSimulateThenIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests a whole scenario; skipped with -short")
	}
	dir := t.TempDir()
	simDir, data := filepath.Join(dir, "sim"), filepath.Join(dir, "data")
	if _, err := simulate(t, "--scenario", "violations", "--seed", "2", "--duration", "6h", "--start", "2026-09-02T06:00:00Z", "--out", simDir); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(data, "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(filepath.Join(simDir, sim.SourcesFile))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(src)
	n := 0
	for sc.Scan() {
		var s sim.SourceLine
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		if !sourceIDPattern.MatchString(s.ID) || !orgPattern.MatchString(s.Org) || !sourceKinds[s.Kind] || !gradingPattern.MatchString(s.Grading) {
			t.Fatalf("truce source add would refuse %+v", s)
		}
		if err := st.PutSource(ctx, store.Source{ID: s.ID, Org: s.Org, Kind: s.Kind, Grading: s.Grading, Created: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		n++
	}
	src.Close()
	st.Close()
	obs, err := os.ReadFile(filepath.Join(simDir, sim.ObservationsFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Count(obs, []byte("\n"))
	if lines < 10 {
		t.Fatalf("only %d reports to ingest", lines)
	}
	out, errs, code := run(t, "", "ingest", "--data", data, filepath.Join(simDir, sim.ObservationsFile))
	if code != 0 {
		t.Fatalf("ingest exit %d: %s %s", code, out, errs)
	}
	t.Log(strings.TrimSpace(out))
	if want := "rejected 0"; !strings.Contains(out, want) || !strings.Contains(out, "accepted "+strconv.Itoa(lines)) {
		t.Fatalf("%d sources, %d reports; ingest said %s %s", n, lines, out, errs)
	}
}
