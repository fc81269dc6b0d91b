package observation

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/truce-mechanism/truce/canonical"
)

type corpusEntry struct {
	file, verdict string
	pointers      []string
	note          string
}

func readCorpus(t *testing.T) []corpusEntry {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "corpus", "expected.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 4 {
			t.Fatalf("expected.tsv: bad line %q", line)
		}
		e := corpusEntry{file: cols[0], verdict: cols[1], note: cols[3]}
		if cols[2] != "" {
			e.pointers = strings.Split(cols[2], ",")
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCorpus holds Parse to the intake schema on every document of
// testdata/corpus: accepted exactly when the reference validator accepts
// (save the documented divergences), the fields it blames named, and the
// fields the corpus expects named.
func TestCorpus(t *testing.T) {
	entries := readCorpus(t)
	if len(entries) < 300 {
		t.Fatalf("the corpus holds %d documents; regenerate it with go generate", len(entries))
	}
	var ref *jsonschema.Schema
	if s, err := referenceSchema(); err == nil {
		ref = s
	} else {
		t.Logf("reference validator unavailable (%v): checking the corpus's own expectations only", err)
	}
	counts := map[string]int{}
	for _, e := range entries {
		t.Run(strings.TrimSuffix(e.file, ".json"), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "corpus", e.file))
			if err != nil {
				t.Fatal(err)
			}
			v, err := canonical.Unmarshal(data)
			if err != nil {
				t.Fatalf("the corpus file does not decode: %v", err)
			}
			canon, err := canonical.Marshal(&v)
			if err != nil {
				t.Fatal(err)
			}
			doc := Document{Value: v, Canonical: canon, Single: true}
			o, errs := Parse(doc, farFuture, fakeResolve)
			accepted := len(errs) == 0
			counts[e.verdict]++

			switch e.verdict {
			case "valid":
				if !accepted {
					t.Fatalf("%s: refused:\n%s", e.note, Summary(errs, 0))
				}
				if !bytes.Equal(o.Document, canon) {
					t.Errorf("Document is not the canonical form")
				}
			case "invalid", "divergent":
				if accepted {
					t.Fatalf("%s: accepted", e.note)
				}
				got := map[string]bool{}
				for _, fe := range errs {
					got[fe.Pointer] = true
					if fe.Detail == "" {
						t.Errorf("%s: no detail", fe.Pointer)
					}
				}
				for _, p := range e.pointers {
					if !got[p] {
						t.Errorf("%s: Parse does not name %s; it names:\n%s", e.note, p, Summary(errs, 0))
					}
				}
			default:
				t.Fatalf("unknown verdict %q", e.verdict)
			}

			if ref == nil {
				return
			}
			rv, ok := referenceVerdict(ref, toAny(&v))
			if !ok {
				t.Fatalf("the reference validator could not decide")
			}
			switch {
			case e.verdict == "divergent":
				if !rv.valid {
					t.Errorf("the reference validator now refuses this divergent case (%v): move it to invalid", rv.pointers)
				}
				if divergence(&v) == "" {
					t.Errorf("divergence() does not recognise this case")
				}
				return
			case rv.valid != accepted:
				t.Fatalf("Parse accepted=%v, the reference validator valid=%v (%v)\n%s", accepted, rv.valid, rv.pointers, Summary(errs, 0))
			case !rv.valid:
				if mine := collapsedPointers(errs); !slices.Equal(mine, rv.pointers) {
					t.Errorf("Parse blames %v, the reference validator %v\n%s", mine, rv.pointers, Summary(errs, 0))
				}
			}
		})
	}
	t.Logf("corpus: %v", counts)
}
