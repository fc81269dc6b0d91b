package main

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	_ "modernc.org/sqlite"
)

// TestVerify runs the ledger's checks as a third party would: a record's
// proof offline, then an audit of the whole server, which must fail and
// name the record after someone edits it in the database behind truce.
func TestVerify(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real server; skipped with -short")
	}
	bin := truceBinary(t)
	data := t.TempDir()
	addr := freeAddr(t)
	srv := startServer(t, bin, data, addr)
	server := "http://" + addr
	_, body := crashBatch(0, 300)
	resp, err := http.Post(server+"/api/v1/observations", "application/x-ndjson", bytes.NewReader(body))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("posting: %v %v", resp, err)
	}
	resp.Body.Close()
	key := waitLedger(t, server)
	keyFile := writeFile(t, t.TempDir(), "log.key", key+"\n")

	// One record's proof, offline.
	proof, err := httpGet(context.Background(), server, "/api/v1/proof/observation/crash-src/c0000042")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	proofFile := writeFile(t, dir, "proof.json", string(proof))
	record := `{"id":"c0000042","source":"crash-src","observed_at":"2026-09-02T01:00:00Z","kind":"explosion","location":{"lat":48.1042,"lon":37.2042}}`
	edited := strings.Replace(record, `"explosion"`, `"flare"`, 1)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"the record as sent", []string{"verify", "proof", proofFile, "--record", writeFile(t, dir, "r.json", record), "--key", keyFile}, 0, "valid: observation crash-src/c0000042 (sequence 43)"},
		{"commitment only", []string{"verify", "proof", proofFile, "--key", key}, 0, "checked its commitment"},
		{"an edited record", []string{"verify", "proof", proofFile, "--record", writeFile(t, dir, "e.json", edited), "--key", keyFile}, 1, "INVALID: observation crash-src/c0000042: record: the record's digest"},
		{"no key", []string{"verify", "proof", proofFile}, 1, "--key is needed"},
		{"nothing to do", []string{"verify"}, 1, "say what to verify"},
		{"a clean audit", []string{"verify", "--server", server, "--all", "--key", key}, 0, "300 observations, 0 withdrawals, 1 audit events; 0 readable but not yet"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := run(t, "", c.args...)
			if code != c.code || !strings.Contains(out+errOut, c.want) {
				t.Fatalf("exit %d (want %d)\n%s%s\nwant %q", code, c.code, out, errOut, c.want)
			}
		})
	}

	// A report withdrawn with its content withheld: gone from reads, its
	// leaf and the withdrawal's own proof remain, the audit still passes.
	resp, err = http.Post(server+"/api/v1/withdrawals", "application/json",
		strings.NewReader(`{"record":{"type":"observation","key":"crash-src/c0000013"},"reason":"the video was staged","withhold":true}`))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("withdrawing: %v %v", resp, err)
	}
	resp.Body.Close()
	if resp, err = http.Get(server + "/api/v1/observations/crash-src/c0000013"); err != nil || resp.StatusCode != http.StatusGone {
		t.Fatalf("a withheld report: %v %v; want 410", resp, err)
	}
	resp.Body.Close()
	waitLedger(t, server)
	if out, errOut, code := run(t, "", "verify", "--server", server, "--all", "--key", key); code != 0 || !strings.Contains(out, "299 observations, 1 withdrawals, 2 audit events; 0 readable") {
		t.Fatalf("audit after a withdrawal: exit %d\n%s%s", code, out, errOut)
	}
	for _, path := range []string{"/api/v1/proof/withdrawal/1", "/api/v1/proof/observation/crash-src/c0000013"} {
		p, err := httpGet(context.Background(), server, path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if out, errOut, code := run(t, "", "verify", "proof", writeFile(t, t.TempDir(), "p.json", string(p)), "--key", key); code != 0 {
			t.Fatalf("%s does not verify: %s%s", path, out, errOut)
		}
	}

	// Someone with database access changes a stored report.
	_ = srv.Process.Signal(syscall.SIGTERM)
	_ = srv.Wait()
	db, err := sql.Open("sqlite", filepath.Join(data, "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"DROP TRIGGER observations_no_update",
		`UPDATE observations SET document = CAST(replace(CAST(document AS TEXT), '"explosion"', '"flare"') AS BLOB) WHERE id = 'c0000077'`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	srv = startServer(t, bin, data, addr)
	defer func() { _ = srv.Process.Signal(syscall.SIGTERM); _ = srv.Wait() }()

	out, errOut, code := run(t, "", "verify", "--server", server, "--all", "--key", key)
	if code != 1 || !strings.Contains(out, "FAIL: observation crash-src/c0000077 (sequence 78) differs from what log entry 0 committed") {
		t.Fatalf("audit of an edited database: exit %d\n%s%s", code, out, errOut)
	}
	resp, err = http.Get(server + "/api/v1/proof/observation/crash-src/c0000077")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Fatalf("proof of an edited record: status %d; want 500 (integrity)", resp.StatusCode)
	}
}
