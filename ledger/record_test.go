package ledger

import (
	"encoding/hex"
	"strings"
	"testing"
)

// The leaf form is published: verifiers elsewhere rebuild it from this
// documentation, so it must never change.
func TestLeafInputIsStable(t *testing.T) {
	c, err := Commit(TypeObservation, "smm-1/r-17", []byte(`{ "source":"smm-1", "id":"r-17", "observed_at":"2026-09-02T01:00:00Z", "kind":"explosion" }`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"digest":"sha256:` + hex.EncodeToString(c.Digest[:]) + `","key":"smm-1/r-17","type":"observation","v":1}`
	if got := string(c.LeafInput()); got != want {
		t.Fatalf("leaf input\n got %s\nwant %s", got, want)
	}
}

func TestCommitCanonicalises(t *testing.T) {
	forms := []string{
		`{"id":"r-17","source":"smm-1","count":2}`,
		"{ \"source\" : \"smm-1\",\n \"count\": 2.0, \"id\": \"r-17\" }",
		`{"count":2e0,"id":"r-\u0031\u0037","source":"smm-1"}`,
	}
	first, err := Commit(TypeObservation, "k", []byte(forms[0]))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range forms[1:] {
		c, err := Commit(TypeObservation, "k", []byte(f))
		if err != nil {
			t.Fatal(err)
		}
		if c.Digest != first.Digest {
			t.Errorf("%s commits differently from %s", f, forms[0])
		}
	}
	other, _ := Commit(TypeObservation, "k", []byte(`{"id":"r-17","source":"smm-1","count":3}`))
	if other.Digest == first.Digest {
		t.Error("a changed record commits the same")
	}
	if _, err := Commit(TypeObservation, "k", []byte(`{"id":`)); err == nil {
		t.Error("broken JSON committed")
	}
	// Type and key are part of the leaf: the same record under another
	// key is another leaf.
	moved := first
	moved.Key = "k2"
	if moved.LeafHash() == first.LeafHash() {
		t.Error("key is not bound into the leaf")
	}
}

func TestParseEntry(t *testing.T) {
	b := Batch{Type: TypeObservation, First: 4097, Count: 4096}
	b.Root[0], b.Root[31] = 0xAB, 0xCD
	good := string(b.MarshalEntry())
	got, err := ParseEntry([]byte(good))
	if err != nil || got != b {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	cases := []struct{ name, entry, want string }{
		{"not JSON", "hello", "not a truce batch"},
		{"unknown field", strings.Replace(good, `"v":1`, `"v":1,"x":2`, 1), "not a truce batch"},
		{"version 2", strings.Replace(good, `"v":1`, `"v":2`, 1), "version 2"},
		{"zero count", strings.Replace(good, `"count":4096`, `"count":0`, 1), "count ≥ 1"},
		{"first 0", strings.Replace(good, `"first":4097`, `"first":0`, 1), "first ≥ 1"},
		{"no type", strings.Replace(good, `"type":"observation"`, `"type":""`, 1), "needs a type"},
		{"short root", `{"count":1,"first":1,"root":"AAAA","type":"observation","v":1}`, "32 bytes"},
		{"spaces", strings.Replace(good, `,"first"`, `, "first"`, 1), "canonical form"},
		{"members reordered", `{"first":4097,"count":4096` + good[strings.Index(good, `,"root"`):], "canonical form"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseEntry([]byte(c.entry))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v; want one containing %q", err, c.want)
			}
		})
	}
}

func FuzzParseEntry(f *testing.F) {
	f.Add(Batch{Type: TypeObservation, First: 1, Count: 1}.MarshalEntry())
	f.Add([]byte(`{"count":1}`))
	f.Add([]byte{0xff, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseEntry(data)
		if err != nil {
			return
		}
		// Whatever parses is canonical: it marshals back to the same bytes.
		if string(b.MarshalEntry()) != string(data) {
			t.Fatalf("%q parsed but marshals as %q", data, b.MarshalEntry())
		}
	})
}
