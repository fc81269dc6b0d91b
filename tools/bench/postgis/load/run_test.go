package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRunScript runs the whole benchmark (run.sh: simulate, load, the SQL
// pipeline, truce's fusion, scores, ratio) on two simulated hours. It
// needs a PostgreSQL server with PostGIS available: set
// TRUCE_TEST_POSTGRES to its DSN; it is skipped otherwise, and when the
// server offers no postgis extension (run.sh would try to install it).
func TestRunScript(t *testing.T) {
	dsn := os.Getenv("TRUCE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("TRUCE_TEST_POSTGRES not set: the PostGIS pipeline is not run (set it to a DSN of a server with postgresql-15-postgis-3)")
	}
	for _, tool := range []string{"bash", "psql", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not on PATH", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "psql", dsn, "-X", "-Atc",
		"SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'").CombinedOutput()
	if err != nil {
		t.Skipf("PostgreSQL at TRUCE_TEST_POSTGRES not reachable: %v: %s", err, out)
	}
	if strings.TrimSpace(string(out)) != "1" {
		t.Skip("the server offers no postgis extension (apt-get install postgresql-15-postgis-3)")
	}

	dir := t.TempDir()
	schema := "truce_postgis_test_" + strconv.Itoa(os.Getpid())
	cmd := exec.CommandContext(ctx, "bash", filepath.Join("..", "run.sh"), dir)
	cmd.Env = append(os.Environ(),
		"TRUCE_BENCH_POSTGRES="+dsn, "TRUCE_BENCH_SCHEMA="+schema,
		"TRUCE_BENCH_DURATION=2h", "TRUCE_BENCH_SCALE=1", "TRUCE_BENCH_SEED=5")
	out, err = cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("run.sh: %v\n%s", err, out)
	}
	res, err := os.ReadFile(filepath.Join(dir, "postgis-result.txt"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(res), "\n")
	kv := map[string]string{}
	for _, f := range strings.Fields(first) {
		k, v, _ := strings.Cut(f, "=")
		kv[k] = v
	}
	n, _ := strconv.Atoi(kv["observations"])
	if n == 0 || kv["truce_observations"] != kv["observations"] {
		t.Errorf("observations %q, truce read %q", kv["observations"], kv["truce_observations"])
	}
	for _, k := range []string{"ratio", "truce_obs_per_s", "postgis_obs_per_s", "truce_f1", "postgis_f1"} {
		v, err := strconv.ParseFloat(kv[k], 64)
		if err != nil || !(v > 0) {
			t.Errorf("%s = %q, want a positive number", k, kv[k])
		}
	}
	// A pipeline that groups nothing, or everything, scores near zero.
	if f1, _ := strconv.ParseFloat(kv["postgis_f1"], 64); f1 < 0.3 {
		t.Errorf("postgis_f1 %v: the pipeline is broken", f1)
	}
	t.Logf("%s", res)
}
