package intake_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
)

// TestSignedReports: a source that requires signatures gets only reports
// signed by one of its keys over their canonical form; a signature on any
// report is checked.
func TestSignedReports(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	seed := make([]byte, ed25519.SeedSize)
	seed[0] = 42 // deterministic key
	priv := ed25519.NewKeyFromSeed(seed)
	other := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	for _, s := range []store.Source{
		{ID: "cam-4", Org: "USA", Kind: "sensor", RequireSignature: true},
		{ID: "smm-7", Org: "OSCE", Kind: "monitor"},
	} {
		if err := st.PutSource(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, src := range []string{"cam-4", "smm-7"} {
		if err := st.PutSourceKey(ctx, store.SourceKey{Source: src, KeyID: "k1", PublicKey: priv.Public().(ed25519.PublicKey)}); err != nil {
			t.Fatal(err)
		}
	}
	report := func(src, id string) string {
		return `{"id":"` + id + `","source":"` + src + `","observed_at":"2026-09-02T01:00:00Z","kind":"explosion","count":2}`
	}
	sign := func(r, keyID string, k ed25519.PrivateKey) string {
		b, err := observation.Sign([]byte(r), keyID, k)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// The signature covers the canonical form: the same report laid out
	// otherwise still verifies.
	relaid := strings.Replace(strings.Replace(sign(report("cam-4", "s2"), "k1", priv), `"count":2`, `"count": 2.0`, 1), `{"count"`, `{ "count"`, 1)
	cases := []struct {
		name    string
		doc     string
		pointer string // "" when accepted
		detail  string
	}{
		{"signed as required", sign(report("cam-4", "s1"), "k1", priv), "", ""},
		{"signed, laid out otherwise", relaid, "", ""},
		{"unsigned from a source that requires it", report("cam-4", "u1"), "/signature", "requires every report to be signed"},
		{"changed after signing", strings.Replace(sign(report("cam-4", "t1"), "k1", priv), `"count":2`, `"count":3`, 1), "/signature/sig", "does not verify"},
		{"signed with another key", sign(report("cam-4", "o1"), "k1", other), "/signature/sig", "does not verify"},
		{"an unknown key id", sign(report("cam-4", "x1"), "k9", priv), "/signature/key_id", `key "k9" is not registered`},
		{"unsigned from a source that does not require it", report("smm-7", "n1"), "", ""},
		{"a bad signature is refused even where none is required", sign(report("smm-7", "n2"), "k1", other), "/signature/sig", "does not verify"},
	}
	in := &intake.Intake{Store: st, Now: func() time.Time { return now }}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := in.Submit(ctx, decode(t, c.doc))
			if c.pointer == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var se *intake.SourceError
			if !errors.As(err, &se) || len(se.Errors) != 1 || se.Errors[0].Pointer != c.pointer || !strings.Contains(se.Errors[0].Detail, c.detail) {
				t.Fatalf("error %v (%+v); want %s: %q", err, se, c.pointer, c.detail)
			}
		})
	}
}
