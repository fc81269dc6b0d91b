package witness

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// The example from c2sp.org/tlog-witness, byte for byte.
const specExample = "old 20852014\n" +
	"PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n" +
	"jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n" +
	"5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n" +
	"/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n" +
	"\n" +
	"example.com/behind-the-sofa\n" +
	"20852163\n" +
	"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n" +
	"\n" +
	"— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n" +
	"— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n"

func TestParseAddCheckpoint(t *testing.T) {
	r, err := ParseAddCheckpoint([]byte(specExample))
	if err != nil {
		t.Fatal(err)
	}
	if r.OldSize != 20852014 || len(r.Proof) != 4 || !bytes.HasPrefix(r.Checkpoint, []byte("example.com/behind-the-sofa\n20852163\n")) {
		t.Errorf("parsed %d, %d proof lines, checkpoint %q", r.OldSize, len(r.Proof), r.Checkpoint)
	}
	if got := r.Encode(); string(got) != specExample {
		t.Errorf("Encode does not give the body back:\n%s", got)
	}
	text, _, err := splitNote(r.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := parseCheckpoint(text)
	if err != nil || cp.Origin != "example.com/behind-the-sofa" || cp.Size != 20852163 {
		t.Errorf("checkpoint %+v, %v", cp, err)
	}

	bad := []struct {
		name, body, want string
	}{
		{"no newline", "old 0", "line 1"},
		{"not old", "new 0\n\n", "line 1"},
		{"two spaces", "old  1\n\n", "line 1"},
		{"plus sign", "old +1\n\n", "not a decimal"},
		{"overflow", "old 18446744073709551616\n\n", "64 bits"},
		{"CRLF", "old 1\r\n\r\n", "not a decimal"},
		{"proof with CR", "old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\r\n\nx", "line 2"},
		{"proof unpadded", "old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw\n\nx", "line 2"},
		{"proof URL base64", "old 1\n_lRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n\nx", "line 2"},
		{"proof line 3", "old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\nAAAA\n\nx", "line 3"},
		{"unterminated proof", "old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=", "line 2"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseAddCheckpoint([]byte(c.body))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one naming %q", err, c.want)
			}
		})
	}

	badCheckpoints := []struct {
		name, text, want string
	}{
		{"empty origin", "\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "line 1"},
		{"two lines", "o\n1\n", "want origin"},
		{"leading zero size", "o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "line 2"},
		{"short root", "o\n1\nCsUY\n", "line 3"},
		{"empty extension", "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\next\n\n", "line 5"},
		{"no final newline", "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", "want origin"},
	}
	for _, c := range badCheckpoints {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseCheckpoint([]byte(c.text))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one naming %q", err, c.want)
			}
		})
	}
	if cp, err := parseCheckpoint([]byte("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\next one\n")); err != nil || cp.Size != 1 {
		t.Errorf("extension line refused: %v", err)
	}
}

// FuzzParseAddCheckpoint: any body either parses into a request that
// encodes back to exactly the same bytes (the parser is strict, so there is
// one spelling of each request) or is refused; nothing panics.
func FuzzParseAddCheckpoint(f *testing.F) {
	f.Add([]byte(specExample))
	f.Add([]byte("old 0\n\nexample.org/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— example.org/log AAAAAAA=\n"))
	f.Add([]byte("old 1\n\n\n\n"))
	f.Add([]byte("old 18446744073709551615\nAAAA\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseAddCheckpoint(body)
		if err != nil {
			return
		}
		if got := r.Encode(); !bytes.Equal(got, body) {
			t.Fatalf("round trip: %q became %q", body, got)
		}
		if len(r.Proof) > MaxProofLines {
			t.Fatalf("%d proof lines accepted", len(r.Proof))
		}
		text, _, err := splitNote(r.Checkpoint)
		if err != nil {
			return
		}
		if cp, err := parseCheckpoint(text); err == nil && len(cp.Root) != 32 {
			t.Fatalf("root of %d bytes accepted", len(cp.Root))
		}
	})
}

// FuzzCosign feeds arbitrary bodies past the parser into the checks that
// follow (note parsing, signatures, proofs) of a witness following a real
// log: every answer is a cosignature or a Refusal, never a panic.
func FuzzCosign(f *testing.F) {
	lg := newTestLog(f, origin, 1, "entry", 16)
	w, err := New(Config{Dir: f.TempDir(), Logs: []string{lg.vkey}, Now: fixedNow, Rand: seeded(3)})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { w.Close() })
	for _, sizes := range [][2]uint64{{0, 0}, {0, 3}, {3, 8}, {8, 16}, {16, 16}} {
		f.Add(lg.request(sizes[0], sizes[1]))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseAddCheckpoint(body)
		if err != nil {
			return
		}
		line, err := w.Cosign(r)
		var ref *Refusal
		switch {
		case errors.As(err, &ref):
			if ref.Status() == 0 {
				t.Fatalf("refusal %v has no status", ref)
			}
		case err != nil:
			t.Fatalf("not a refusal: %v", err)
		case !bytes.HasPrefix(line, []byte("— ")) || !bytes.HasSuffix(line, []byte("\n")):
			t.Fatalf("cosignature line %q", line)
		}
	})
}
