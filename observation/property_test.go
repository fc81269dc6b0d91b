package observation

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/truce-mechanism/truce/canonical"
)

// TestMutationsAgreeWithReference mutates the valid documents of the
// corpus at random (seeded) and holds Parse to the reference validator on
// each mutant: the same decision and the same fields blamed.
// TRUCE_MUTATIONS sets the number of mutants (default 4000; 500 with -short).
func TestMutationsAgreeWithReference(t *testing.T) {
	s := needSchema(t)
	n := 4000
	if testing.Short() {
		n = 500
	}
	if env := os.Getenv("TRUCE_MUTATIONS"); env != "" {
		if v, err := strconv.Atoi(env); err == nil {
			n = v
		}
	}
	bases := validCorpus(t)
	r := rand.New(rand.NewPCG(2026, 8))
	accepted := 0
	for i := range n {
		base := bases[r.IntN(len(bases))]
		v := clone(&base)
		for range 1 + r.IntN(3) {
			mutate(r, &v)
		}
		c, err := canonical.Marshal(&v)
		if err != nil {
			continue // a mutation named a member twice
		}
		doc := Document{Value: v, Canonical: c, Index: i}
		if _, errs := Parse(doc, farFuture, fakeResolve); len(errs) == 0 {
			accepted++
		}
		compareWithReference(t, s, doc, "mutant "+strconv.Itoa(i))
	}
	t.Logf("%d mutants, %d of them valid", n, accepted)
}

func validCorpus(t testing.TB) []canonical.Value {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "valid-*.json"))
	if len(files) == 0 {
		t.Fatal("no valid documents in testdata/corpus")
	}
	var out []canonical.Value
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		v, err := canonical.Unmarshal(data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func clone(v *canonical.Value) canonical.Value {
	out := *v
	if v.Items != nil {
		out.Items = make([]canonical.Value, len(v.Items))
		for i := range v.Items {
			out.Items[i] = clone(&v.Items[i])
		}
	}
	if v.Members != nil {
		out.Members = make([]canonical.Member, len(v.Members))
		for i := range v.Members {
			out.Members[i] = canonical.Member{Name: v.Members[i].Name, Value: clone(&v.Members[i].Value)}
		}
	}
	return out
}

var (
	mutantNumbers = []string{"0", "-0", "1", "-1", "2", "2.0", "6", "7", "90", "90.0000000000000001", "-90", "-90.5", "180", "180.5",
		"359.99999999999999999", "360", "100000", "100001", "86400", "86400.5", "1e5", "1.5", "0.5e1", "1e-400", "-1e-400", "1e300",
		"1000", "1000.0001", "64", "128", "0.001"}
	mutantStrings = []string{"", "x", "obs 1", "explosion", "Explosion", "incoming", "artillery", "A", "G", "RUS", "rus",
		"REL TO USA", "REL TO USA,UKR", "REL TO", "PUBLIC", "37UDP1234", "37U DP 12 34", "0CAA", "37UDP123",
		"2026-08-23T14:05:00Z", "2026-08-23t14:05:00z", "2016-12-31T23:59:60Z", "2026-08-23T12:59:60Z", "2026-02-30T00:00:00Z",
		"2026-08-23T14:05:00", strings.Repeat("ab", 32), strings.Repeat("AB", 32), strings.Repeat("x", 65), strings.Repeat("é", 129),
		"😀", "a/b~c"}
	mutantNames = []string{"id", "source", "observed_at", "time_sigma_s", "kind", "count", "fire", "weapon", "observer",
		"location", "bearing_deg", "bearing_sigma_deg", "range_m", "origin", "origin_bearing_deg", "origin_bearing_sigma_deg",
		"reported_party", "grading", "evidence", "marking", "notes", "signature", "lat", "lon", "mgrs", "cep_m", "min", "max",
		"class", "caliber_mm", "system", "reliability", "credibility", "sha256", "size", "uri", "media_type", "key_id", "sig",
		"zz", "", "Kind"}
)

func randomValue(r *rand.Rand, depth int) canonical.Value {
	switch k := r.IntN(10); {
	case k < 3:
		v, _ := canonical.NumberValue(mutantNumbers[r.IntN(len(mutantNumbers))])
		return v
	case k < 6:
		return canonical.StringValue(mutantStrings[r.IntN(len(mutantStrings))])
	case k == 6:
		return []canonical.Value{{Kind: canonical.Null}, {Kind: canonical.True}, {Kind: canonical.False}}[r.IntN(3)]
	case k == 7 && depth < 2:
		var items []canonical.Value
		for range r.IntN(3) {
			items = append(items, randomValue(r, depth+1))
		}
		return canonical.ArrayValue(items...)
	case depth < 2:
		var ms []canonical.Member
		used := map[string]bool{}
		for range r.IntN(4) {
			name := mutantNames[r.IntN(len(mutantNames))]
			if !used[name] {
				used[name] = true
				ms = append(ms, canonical.Member{Name: name, Value: randomValue(r, depth+1)})
			}
		}
		return canonical.ObjectValue(ms...)
	}
	return canonical.StringValue("leaf")
}

// mutate changes one place of v: it walks down at random, then deletes,
// replaces or adds a member, or edits a string or number.
func mutate(r *rand.Rand, v *canonical.Value) {
	for {
		switch v.Kind {
		case canonical.Object:
			if len(v.Members) > 0 && r.IntN(3) > 0 {
				i := r.IntN(len(v.Members))
				switch r.IntN(4) {
				case 0:
					v.Members = append(v.Members[:i:i], v.Members[i+1:]...)
					return
				case 1:
					v = &v.Members[i].Value
					continue
				}
				v.Members[i].Value = randomValue(r, 0)
				return
			}
			v.Members = append(v.Members, canonical.Member{Name: mutantNames[r.IntN(len(mutantNames))], Value: randomValue(r, 0)})
			return
		case canonical.Array:
			if len(v.Items) > 0 && r.IntN(3) > 0 {
				v = &v.Items[r.IntN(len(v.Items))]
				continue
			}
			v.Items = append(v.Items, randomValue(r, 0))
			return
		case canonical.String:
			s := []rune(v.Text)
			switch {
			case len(s) > 0 && r.IntN(2) == 0:
				i := r.IntN(len(s))
				s = append(s[:i], s[i+1:]...)
			default:
				i := r.IntN(len(s) + 1)
				pool := []rune(" -_.:/ZzaT+0é😀\n")
				ins := pool[r.IntN(len(pool))]
				s = append(s[:i], append([]rune{ins}, s[i:]...)...)
			}
			v.Text = string(s)
			return
		}
		*v = randomValue(r, 0)
		return
	}
}
