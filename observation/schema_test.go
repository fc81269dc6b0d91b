package observation

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/truce-mechanism/truce/canonical"
)

// The reference validator: santhosh-tekuri/jsonschema/v6 with the intake
// schema from the shared folder beside the repository, format assertion on.

var schemaPath = filepath.Join("..", "..", "shared", "spec", "observation.schema.json")

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

func referenceSchema() (*jsonschema.Schema, error) {
	schemaOnce.Do(func() {
		f, err := os.Open(schemaPath)
		if err != nil {
			schemaErr = err
			return
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			schemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		url := "file:///spec/observation.schema.json"
		if err := c.AddResource(url, doc); err != nil {
			schemaErr = err
			return
		}
		schema, schemaErr = c.Compile(url)
	})
	return schema, schemaErr
}

func needSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	s, err := referenceSchema()
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			t.Skipf("the intake schema is not at %s (the shared folder beside the repository): skipping the comparison with the reference validator", schemaPath)
		}
		t.Fatalf("compiling the intake schema: %v", err)
	}
	return s
}

// verdict is what the reference validator says about one instance: valid,
// and otherwise the pointers it blames, with a missing or unknown member
// named by its own pointer. ok is false when the validator could not
// decide (it panics on literals whose exponent big.Rat refuses).
type verdict struct {
	valid    bool
	pointers []string
}

func referenceVerdict(s *jsonschema.Schema, inst any) (v verdict, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	err := s.Validate(inst)
	if err == nil {
		return verdict{valid: true}, true
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		panic(err)
	}
	set := map[string]bool{}
	collectBlame(ve, set)
	for p := range set {
		v.pointers = append(v.pointers, p)
	}
	slices.Sort(v.pointers)
	return v, true
}

func collectBlame(e *jsonschema.ValidationError, set map[string]bool) {
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			collectBlame(c, set)
		}
		return
	}
	at := ""
	for _, tok := range e.InstanceLocation {
		at += "/" + canonical.Pointer(tok)
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			set[collapse(at+"/"+canonical.Pointer(m))] = true
		}
	case *kind.DependentRequired:
		for _, m := range k.Missing {
			set[collapse(at+"/"+canonical.Pointer(m))] = true
		}
	case *kind.AdditionalProperties:
		for _, m := range k.Properties {
			set[collapse(at+"/"+canonical.Pointer(m))] = true
		}
	default:
		set[collapse(at)] = true
	}
}

// collapse names a fault inside a point by the point: the reference
// validator reports a failed oneOf with the errors of both branches, of
// which Parse names only those of the branch the members choose.
func collapse(p string) string {
	for _, f := range []string{"/observer", "/location", "/origin"} {
		if p == f || strings.HasPrefix(p, f+"/") {
			return f
		}
	}
	return p
}

func collapsedPointers(errs []FieldError) []string {
	set := map[string]bool{}
	for _, e := range errs {
		set[collapse(e.Pointer)] = true
	}
	var out []string
	for p := range set {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// toAny turns a decoded value into what encoding/json with UseNumber
// would give, number literals intact, for the reference validator.
func toAny(v *canonical.Value) any {
	switch v.Kind {
	case canonical.Null:
		return nil
	case canonical.True:
		return true
	case canonical.False:
		return false
	case canonical.Number:
		return json.Number(v.Text)
	case canonical.String:
		return v.Text
	case canonical.Array:
		out := make([]any, len(v.Items))
		for i := range v.Items {
			out[i] = toAny(&v.Items[i])
		}
		return out
	}
	out := make(map[string]any, len(v.Members))
	for i := range v.Members {
		out[v.Members[i].Name] = toAny(&v.Members[i].Value)
	}
	return out
}

// farFuture is a time of receipt that puts no observed_at in the future,
// so that only the schema decides.
var farFuture = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// fakeResolve stands in for geo.MGRSToLatLon: zones 1..60 resolve to a
// fixed place, anything else names no place.
func fakeResolve(ref string) (float64, float64, error) {
	zone := 0
	for i := 0; i < len(ref) && ref[i] >= '0' && ref[i] <= '9'; i++ {
		zone = zone*10 + int(ref[i]-'0')
	}
	if zone < 1 || zone > 60 {
		return 0, 0, fmt.Errorf("there is no UTM zone %d", zone)
	}
	return 48.5, 37.5, nil
}

// divergence explains why Parse may refuse what the reference validator
// accepts, or "" when it may not. See testdata/corpus/README.md.
func divergence(v *canonical.Value) string {
	if v.Kind != canonical.Object {
		return ""
	}
	if at := v.Get("observed_at"); at != nil && at.Kind == canonical.String {
		if _, reason := parseDateTime(at.Text); reason != "" && signedTimeField(at.Text) {
			return "a signed two-digit field in observed_at"
		}
	}
	return ""
}

// signedTimeField reports whether a date-time would be valid if its
// two-digit time fields could carry a sign, as strconv.Atoi allows.
func signedTimeField(s string) bool {
	if len(s) < 20 {
		return false
	}
	b := []byte(s)
	fixed := false
	for _, at := range []int{11, 14, 17} {
		if b[at] == '+' || b[at] == '-' {
			b[at] = '0'
			fixed = true
		}
	}
	if n := len(b); n >= 6 && b[n-3] == ':' && (b[n-6] == '+' || b[n-6] == '-') {
		for _, at := range []int{n - 5, n - 2} {
			if b[at] == '+' || b[at] == '-' {
				b[at] = '0'
				fixed = true
			}
		}
	}
	if !fixed {
		return false
	}
	_, reason := parseDateTime(string(b))
	return reason == ""
}

// hugeExponent reports whether v holds a number with an exponent the
// reference validator cannot afford: big.Rat refuses exponents beyond
// ±10^6 (the validator then panics or calls an integer a non-integer), and
// spends seconds on those near it. Parse compares such literals exactly.
func hugeExponent(v *canonical.Value) bool {
	switch v.Kind {
	case canonical.Number:
		d := parseDecimal(v.Text)
		return d.exp > 5000 || d.exp < -5000
	case canonical.Array:
		for i := range v.Items {
			if hugeExponent(&v.Items[i]) {
				return true
			}
		}
	case canonical.Object:
		for i := range v.Members {
			if hugeExponent(&v.Members[i].Value) {
				return true
			}
		}
	}
	return false
}

// compareWithReference checks Parse against the reference validator on
// one document: the same decision, and when both reject, the same fields
// blamed (a point's inner fault counted as the point's).
func compareWithReference(t testing.TB, s *jsonschema.Schema, doc Document, label string) {
	t.Helper()
	_, errs := Parse(doc, farFuture, fakeResolve)
	if hugeExponent(&doc.Value) {
		return
	}
	ref, ok := referenceVerdict(s, toAny(&doc.Value))
	if !ok {
		return
	}
	mine := len(errs) == 0
	if ref.valid && !mine {
		if divergence(&doc.Value) != "" {
			return
		}
		t.Fatalf("%s: the reference validator accepts %s; Parse says:\n%s", label, doc.Canonical, Summary(errs, 10))
	}
	if !ref.valid && mine {
		t.Fatalf("%s: Parse accepts %s; the reference validator blames %v", label, doc.Canonical, ref.pointers)
	}
	if !ref.valid {
		got := collapsedPointers(errs)
		if divergence(&doc.Value) != "" && !slices.Contains(ref.pointers, "/observed_at") {
			got = slices.DeleteFunc(got, func(p string) bool { return p == "/observed_at" })
		}
		if !slices.Equal(got, ref.pointers) {
			t.Fatalf("%s: %s\nParse names %v, the reference validator %v\n%s", label, doc.Canonical, got, ref.pointers, Summary(errs, 10))
		}
	}
}
