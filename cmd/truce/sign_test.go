package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSignedIngest: a source that signs, from key generation to intake.
func TestSignedIngest(t *testing.T) {
	data := t.TempDir()
	keyFile := filepath.Join(t.TempDir(), "cam-4.key")
	for _, args := range [][]string{
		{"source", "add", "cam-4", "--org", "USA", "--kind", "sensor", "--require-signature"},
		{"source", "key", "add", "cam-4", "2026-a", "--generate", keyFile},
	} {
		if out, errOut, code := run(t, "", append(args, "--data", data)...); code != 0 {
			t.Fatalf("%v: %s%s", args, out, errOut)
		}
	}
	reports := `{"id":"r1","source":"cam-4","observed_at":"2026-09-02T01:00:00Z","kind":"explosion"}
{"id":"r2","source":"cam-4","observed_at":"2026-09-02T01:01:00Z","kind":"flare"}
`
	signed, errOut, code := run(t, reports, "sign", "--key", keyFile, "--key-id", "2026-a", "-")
	if code != 0 || strings.Count(signed, `"signature":{"key_id":"2026-a","sig":"`) != 2 {
		t.Fatalf("sign: exit %d\n%s%s", code, signed, errOut)
	}
	cases := []struct {
		name, input string
		code        int
		want        string
	}{
		{"signed reports are stored", signed, 0, "accepted 2 (2 new"},
		{"unsigned ones are refused, naming the line", `{"id":"r3","source":"cam-4","observed_at":"2026-09-02T01:02:00Z","kind":"shot"}` + "\n", 1, "requires every report to be signed"},
		{"a signed report changed in transit is refused", strings.Replace(strings.Split(signed, "\n")[0], `"r1"`, `"r9"`, 1) + "\n", 1, "does not verify"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := writeFile(t, t.TempDir(), "in.ndjson", c.input)
			out, errOut, code := run(t, "", "ingest", "--data", data, file)
			if code != c.code || !strings.Contains(out+errOut, c.want) {
				t.Fatalf("exit %d (want %d)\n%s%s\nwant %q", code, c.code, out, errOut, c.want)
			}
		})
	}
	if _, errOut, code := run(t, "", "source", "key", "add", "cam-4", "2026-b", "--generate", keyFile, "--data", data); code == 0 || !strings.Contains(errOut, "never overwritten") {
		t.Fatalf("an existing key file was overwritten? exit %d: %s", code, errOut)
	}
}

// TestPasswd: a password from standard input, kept as a hash.
func TestPasswd(t *testing.T) {
	data := t.TempDir()
	for _, args := range [][]string{{"org", "add", "UKR", "--name", "Ukraine"}, {"user", "add", "o.koval", "--org", "UKR", "--role", "viewer"}} {
		if out, errOut, code := run(t, "", append(args, "--data", data)...); code != 0 {
			t.Fatalf("%v: %s%s", args, out, errOut)
		}
	}
	cases := []struct {
		name, stdin string
		args        []string
		code        int
		want        string
	}{
		{"set", "correct horse battery\n", []string{"o.koval"}, 0, "password of o.koval set"},
		{"too short", "short\n", []string{"o.koval"}, 1, "at least 12 characters"},
		{"nothing given", "", []string{"o.koval"}, 1, "standard input"},
		{"an unknown user", "correct horse battery\n", []string{"nobody"}, 1, "not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := run(t, c.stdin, append([]string{"user", "passwd", "--data", data}, c.args...)...)
			if code != c.code || !strings.Contains(out+errOut, c.want) {
				t.Fatalf("exit %d (want %d): %s%s", code, c.code, out, errOut)
			}
		})
	}
}
