package main

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/server"
	"github.com/truce-mechanism/truce/store/sqlite"
)

// run executes the CLI in-process as a user would type it.
func run(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	root := newRoot()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	if err != nil {
		code = exitCode(err)
		var ee *exitError
		if !errors.As(err, &ee) {
			errb.WriteString(err.Error())
		}
	}
	return out.String(), errb.String(), code
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// A file of five reports: two good, one bad (line 3), one from an
// unregistered source (line 4), and one good again.
const reportsNDJSON = `{"id":"a1","source":"smm-7","observed_at":"2026-09-02T01:00:00Z","kind":"flare"}
{"id":"a2","source":"smm-7","observed_at":"2026-09-02T01:05:00Z","kind":"shot","count":12}
{"id":"a3","source":"smm-7","observed_at":"2026-09-02T01:05:00Z","kind":"shot","count":0}
{"id":"a4","source":"stranger","observed_at":"2026-09-02T01:05:00Z","kind":"shot"}
{"id":"a5","source":"smm-7","observed_at":"2026-09-02T01:06:00Z","kind":"burst"}
`

// TestIngestIntoDataFolder drives `truce source add` and `truce ingest
// --data` as a person would: good reports stored, each bad one named with
// its line, exit status 1; the same file again gives duplicates only.
func TestIngestIntoDataFolder(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	file := writeFile(t, dir, "reports.ndjson", reportsNDJSON)

	out, errs, code := run(t, "", "source", "add", "smm-7", "--org", "OSCE", "--kind", "monitor", "--grading", "B2", "--data", data)
	if code != 0 || !strings.Contains(out, "smm-7 registered") {
		t.Fatalf("source add: code %d, out %q, err %q", code, out, errs)
	}
	_, errs, code = run(t, "", "source", "add", "x y", "--org", "OSCE", "--kind", "monitor", "--data", data)
	if code == 0 || !strings.Contains(errs, "source id") {
		t.Errorf("a bad source id was taken: %q", errs)
	}

	cases := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{name: "first run stores the good, names the bad", args: []string{"ingest", "--data", data, file}, wantCode: 1,
			want: []string{"accepted 3 (3 new, 0 duplicates), rejected 2", "reports.ndjson:3: /count", "reports.ndjson:4: /source", `"stranger" is not registered`}},
		{name: "the same file again is only duplicates", args: []string{"ingest", "--data", data, file}, wantCode: 1,
			want: []string{"accepted 3 (0 new, 3 duplicates), rejected 2"}},
		{name: "standard input", args: []string{"ingest", "--data", data, "-"}, wantCode: 0,
			want: []string{"stdin: accepted 1 (1 new, 0 duplicates), rejected 0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdin := ""
			if c.args[len(c.args)-1] == "-" {
				stdin = `{"id":"s1","source":"smm-7","observed_at":"2026-09-02T02:00:00Z","kind":"explosion"}`
			}
			out, errs, code := run(t, stdin, c.args...)
			if code != c.wantCode {
				t.Errorf("exit %d, want %d; out %q; err %q", code, c.wantCode, out, errs)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestIngestToServer sends a CSV file to a running server: rows are named
// as a spreadsheet numbers them.
func TestIngestToServer(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 9, 2, 12, 0, 0, 0, time.UTC)
	ts := httptest.NewServer(server.New(server.Config{Store: st, Demo: true, Now: func() time.Time { return now }}))
	defer ts.Close()
	dir := t.TempDir()
	csv := writeFile(t, dir, "reports.csv", "id,source,observed_at,kind,location.lat,location.lon\n"+
		"c1,s,2026-09-02T02:00:00Z,explosion,48.1,37.9\n"+
		"c2,s,2026-09-02T02:00:00Z,explosion,48.1,200\n"+
		"c3,s,2026-09-02T02:01:00Z,explosion,48.2,37.9\n")
	out, errs, code := run(t, "", "ingest", "--server", ts.URL, "--batch", "2", csv)
	if code != 1 {
		t.Errorf("exit %d, want 1 (one row rejected); err %q", code, errs)
	}
	for _, w := range []string{"accepted 2 (2 new, 0 duplicates), rejected 1", "reports.csv: row 3: /location/lon: must be at most 180"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	// and the server refused nothing it should have kept
	out, _, code = run(t, "", "ingest", "--server", ts.URL, csv)
	if code != 1 || !strings.Contains(out, "accepted 2 (0 new, 2 duplicates)") {
		t.Errorf("second run: exit %d:\n%s", code, out)
	}
	_, errs, code = run(t, "", "ingest", "--server", "http://127.0.0.1:1", "--retries", "0", csv)
	if code == 0 || !strings.Contains(errs, "stopped after 0 of 3") {
		t.Errorf("an unreachable server: exit %d, %q", code, errs)
	}
}

// TestAgreementValidate: the shipped demo validates; a broken file is
// refused with every problem named by file and place.
func TestAgreementValidate(t *testing.T) {
	dir := t.TempDir()
	demo, _, code := run(t, "", "agreement", "demo")
	if code != 0 || !strings.Contains(demo, `"demo-2026-08-22"`) {
		t.Fatalf("agreement demo: exit %d", code)
	}
	good := writeFile(t, dir, "demo.json", demo)
	out, errs, code := run(t, "", "agreement", "validate", good)
	if code != 0 || !strings.Contains(out, "demo.json: valid") {
		t.Fatalf("demo does not validate: exit %d\n%s\n%s", code, out, errs)
	}
	broken := strings.Replace(demo, `"line": "contact"`, `"line": "front"`, 1)
	broken = strings.Replace(broken, `"party": "RUS"`, `"party": "XXX"`, 1)
	bad := writeFile(t, dir, "broken.json", broken)
	_, errs, code = run(t, "", "agreement", "validate", bad)
	if code != 1 {
		t.Errorf("a broken agreement validated (exit %d)", code)
	}
	for _, w := range []string{"broken.json", `"front"`, `"XXX"`, "/zones/0/line"} {
		if !strings.Contains(errs, w) {
			t.Errorf("problems lack %q:\n%s", w, errs)
		}
	}
	_, errs, code = run(t, "", "agreement", "validate", writeFile(t, dir, "syntax.json", "{\n  \"id\": ,\n}"))
	if code != 1 || !strings.Contains(errs, "syntax.json:2:") {
		t.Errorf("a syntax error is not placed by line: exit %d, %q", code, errs)
	}
}

func TestVersion(t *testing.T) {
	out, _, code := run(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "truce ") {
		t.Errorf("version: exit %d, %q", code, out)
	}
}
