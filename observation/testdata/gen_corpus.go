//go:build ignore

// gen_corpus writes the conformance corpus of the intake schema into
// testdata/corpus: one small JSON document per file, and expected.tsv with
// what each is meant to show (valid, invalid, or divergent from the
// reference validator) and the field it is about. Run it from the
// observation package with `go generate`; corpus_test.go checks every file
// against santhosh-tekuri/jsonschema/v6 and against Parse.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// kv is one member of a document; its value is raw JSON text (so number
// literals stay exactly as written), an obj, or an arr.
type kv struct {
	k string
	v any
}
type obj []kv
type arr []any

// raw marks JSON text to be written as is.
type raw string

func str(s string) raw {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return raw(strings.TrimSuffix(b.String(), "\n"))
}

func (o obj) clone() obj {
	out := make(obj, len(o))
	for i, m := range o {
		out[i] = kv{m.k, cloneVal(m.v)}
	}
	return out
}

func cloneVal(v any) any {
	switch x := v.(type) {
	case obj:
		return x.clone()
	case arr:
		out := make(arr, len(x))
		for i := range x {
			out[i] = cloneVal(x[i])
		}
		return out
	}
	return v
}

// set replaces or adds the member at a slash-separated path.
func (o obj) set(path string, v any) obj {
	o = o.clone()
	head, tail, nested := strings.Cut(path, "/")
	for i := range o {
		if o[i].k == head {
			if nested {
				inner, _ := o[i].v.(obj)
				o[i].v = inner.set(tail, v)
			} else {
				o[i].v = v
			}
			return o
		}
	}
	if nested {
		return append(o, kv{head, obj{}.set(tail, v)})
	}
	return append(o, kv{head, v})
}

func (o obj) del(path string) obj {
	o = o.clone()
	head, tail, nested := strings.Cut(path, "/")
	for i := range o {
		if o[i].k == head {
			if nested {
				inner, _ := o[i].v.(obj)
				o[i].v = inner.del(tail)
				return o
			}
			return append(o[:i], o[i+1:]...)
		}
	}
	return o
}

func render(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case raw:
		b.WriteString(string(x))
	case obj:
		b.WriteByte('{')
		for i, m := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(string(str(m.k)))
			b.WriteString(": ")
			render(b, m.v)
		}
		b.WriteByte('}')
	case arr:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			render(b, e)
		}
		b.WriteByte(']')
	default:
		panic(fmt.Sprintf("cannot render %T", v))
	}
}

type entry struct {
	name, verdict, pointers, note string
	doc                           []byte
}

var entries []entry
var names = map[string]bool{}

func add(verdict, name, pointers, note string, doc any) {
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 32
		}
		return '_'
	}, name)
	full := verdict + "-" + name
	for i := 2; names[full]; i++ {
		full = verdict + "-" + name + "-" + strconv.Itoa(i)
	}
	names[full] = true
	var b bytes.Buffer
	render(&b, doc)
	b.WriteByte('\n')
	entries = append(entries, entry{full, verdict, pointers, note, b.Bytes()})
}

func valid(name, note string, doc any) { add("valid", name, "", note, doc) }
func invalid(name, pointers, note string, doc any) {
	add("invalid", name, pointers, note, doc)
}

var (
	minimal = obj{
		{"id", str("obs-1")},
		{"source", str("smm-team-7")},
		{"observed_at", str("2026-08-23T14:05:00Z")},
		{"kind", str("explosion")},
	}
	full = obj{
		{"id", str("obs-2")},
		{"source", str("smm-team-7")},
		{"observed_at", str("2026-08-23T14:05:00.250+03:00")},
		{"time_sigma_s", raw("30")},
		{"kind", str("explosion")},
		{"count", raw("3")},
		{"fire", str("incoming")},
		{"weapon", obj{{"class", str("artillery")}, {"caliber_mm", raw("152")}, {"system", str("2S19 Msta-S")}}},
		{"observer", obj{{"lat", raw("48.0159")}, {"lon", raw("37.8028")}, {"cep_m", raw("10")}}},
		{"location", obj{{"mgrs", str("37U DP 12345 67890")}, {"cep_m", raw("250")}}},
		{"bearing_deg", raw("87.5")},
		{"bearing_sigma_deg", raw("4")},
		{"range_m", obj{{"min", raw("2000")}, {"max", raw("4000")}}},
		{"origin", obj{{"lat", raw("48.1")}, {"lon", raw("38.2")}}},
		{"origin_bearing_deg", raw("95")},
		{"origin_bearing_sigma_deg", raw("12")},
		{"reported_party", str("RUS")},
		{"grading", obj{{"reliability", str("B")}, {"credibility", raw("2")}}},
		{"evidence", arr{obj{{"sha256", str(strings.Repeat("ab", 32))}, {"media_type", str("image/jpeg")}, {"size", raw("123456")}, {"uri", str("https://example.org/e/1.jpg")}}}},
		{"marking", str("REL TO USA, UKR, GBR")},
		{"notes", str("three impacts east of the observation post")},
		{"signature", obj{{"key_id", str("smm-team-7/2026")}, {"sig", str(strings.Repeat("QUJD", 21) + "QQ==")}}},
	}
)

// wrongTypes are values of every JSON type but the one wanted.
func wrongTypes(want string) []raw {
	all := map[string]raw{"string": `"12"`, "number": `12`, "integer": `12`, "boolean": `true`, "null": `null`, "array": `[12]`, "object": `{"a":12}`}
	var out []raw
	for _, t := range []string{"string", "number", "boolean", "null", "array", "object"} {
		if t == want || (want == "integer" && t == "number") {
			continue
		}
		out = append(out, all[t])
	}
	if want == "integer" {
		out = append(out, raw("12.5"))
	}
	return out
}

func typeName(r raw) string {
	switch {
	case strings.HasPrefix(string(r), `"`):
		return "string"
	case r == "true":
		return "boolean"
	case r == "null":
		return "null"
	case strings.HasPrefix(string(r), "["):
		return "array"
	case strings.HasPrefix(string(r), "{"):
		return "object"
	case strings.Contains(string(r), "."):
		return "fraction"
	}
	return "number"
}

func main() {
	valid("minimal", "the four required fields", minimal)
	valid("full-report", "every field, lat/lon observer and MGRS location", full)

	// Required members.
	for _, f := range []string{"id", "source", "observed_at", "kind"} {
		invalid("missing-"+f, "/"+f, "required", minimal.del(f))
	}
	invalid("missing-everything", "/id,/source,/observed_at,/kind", "required, all four", obj{})
	for _, r := range []raw{`[]`, `"report"`, `42`, `null`, `true`} {
		invalid("root-is-"+typeName(r), "", "the document must be an object", r)
	}

	// Enums.
	for _, k := range []string{"explosion", "burst", "shot", "flare", "weapon_sighting", "movement", "airspace", "restriction", "casualty", "damage", "other"} {
		valid("kind-"+k, "enum kind", minimal.set("kind", str(k)))
	}
	for _, r := range []raw{`"Explosion"`, `"explosions"`, `""`, `" explosion"`, `1`, `null`, `["explosion"]`} {
		invalid("kind-"+string(r), "/kind", "enum kind", minimal.set("kind", r))
	}
	for _, f := range []string{"outgoing", "incoming", "unknown"} {
		valid("fire-"+f, "enum fire", minimal.set("fire", str(f)))
	}
	for _, r := range []raw{`"in"`, `"INCOMING"`, `true`, `0`} {
		invalid("fire-"+string(r), "/fire", "enum fire", minimal.set("fire", r))
	}
	for _, c := range []string{"artillery", "mortar", "mlrs", "tank", "anti_tank", "small_arms", "heavy_machine_gun", "grenade_launcher", "drone", "missile", "aircraft", "air_defence", "unknown"} {
		valid("weapon-class-"+c, "enum weapon.class", minimal.set("weapon/class", str(c)))
	}
	for _, r := range []raw{`"air_defense"`, `"MLRS"`, `null`, `3`} {
		invalid("weapon-class-"+string(r), "/weapon/class", "enum weapon.class", minimal.set("weapon/class", r))
	}
	for _, g := range []string{"A", "B", "C", "D", "E", "F"} {
		valid("grading-reliability-"+g, "enum reliability", minimal.set("grading/reliability", str(g)))
	}
	for _, r := range []raw{`"a"`, `"G"`, `"AB"`, `1`} {
		invalid("grading-reliability-"+string(r), "/grading/reliability", "enum reliability", minimal.set("grading/reliability", r))
	}
	for _, c := range []string{"1", "2", "3", "4", "5", "6", "2.0", "2e0", "20e-1", "0.3e1", "6.000000000000000000001e0"} {
		if c == "6.000000000000000000001e0" {
			invalid("grading-credibility-"+c, "/grading/credibility", "enum by exact value: 6 plus a hair is not 6", minimal.set("grading/credibility", raw(c)))
			continue
		}
		valid("grading-credibility-"+c, "enum of numbers matches by value", minimal.set("grading/credibility", raw(c)))
	}
	for _, r := range []raw{`0`, `7`, `1.5`, `"1"`, `-1`, `null`, `true`} {
		invalid("grading-credibility-"+string(r), "/grading/credibility", "enum credibility", minimal.set("grading/credibility", r))
	}

	// Numbers: types and bounds (at, just inside, just outside).
	type bound struct {
		path    string
		typ     string
		valid   []string
		invalid []string
	}
	bounds := []bound{
		{"time_sigma_s", "number", []string{"0", "-0", "0.0", "0.001", "86400", "86399.999999", "8.64e4", "1e-400"}, []string{"-0.001", "-1e-400", "86400.0000000000001", "86401", "1e5"}},
		{"count", "integer", []string{"1", "2", "100000", "1.0", "1e0", "1e5", "100000.000", "10E+3", "0.5e1"}, []string{"0", "-1", "100001", "1.5", "1.0000000000000001", "1e6", "0.5e0"}},
		{"weapon/caliber_mm", "number", []string{"1e-400", "0.001", "7.62", "1000", "1e3", "999.9999999999999999"}, []string{"0", "-0", "0.0", "-7.62", "1000.0000000000001", "1001"}},
		{"bearing_deg", "number", []string{"0", "-0", "359.9999", "359.99999999999999999", "180"}, []string{"-0.0000001", "360", "360.0", "3.6e2", "720"}},
		{"bearing_sigma_deg", "number", []string{"90", "0.1", "1e-300", "9e1"}, []string{"0", "-1", "90.0000000000000001", "91"}},
		{"origin_bearing_sigma_deg", "number", []string{"90", "0.5"}, []string{"0", "90.5"}},
		{"observer/lat", "number", []string{"90", "-90", "90.0", "-90.000", "89.99999999999999999", "0", "-0", "1e-400", "9e1"}, []string{"90.0000000000000001", "-90.0000000000000001", "91", "-91", "1e400"}},
		{"observer/lon", "number", []string{"180", "-180", "179.99999999999999999", "-1.8e2"}, []string{"180.0000000000000001", "-180.00001", "360"}},
		{"observer/cep_m", "number", []string{"0", "100000", "0.5"}, []string{"-0.5", "100000.0000001", "1e6"}},
		{"location/cep_m", "number", []string{"0", "100000"}, []string{"-1", "100001"}},
		{"origin/lat", "number", []string{"-90", "45.5"}, []string{"-90.1", "100"}},
	}
	for _, b := range bounds {
		base := minimal
		switch {
		case strings.HasPrefix(b.path, "observer/"), strings.HasPrefix(b.path, "bearing_"):
			base = base.set("observer", obj{{"lat", raw("48")}, {"lon", raw("37")}})
		case strings.HasPrefix(b.path, "location/"):
			base = base.set("location", obj{{"mgrs", str("37UDP1234")}})
		case strings.HasPrefix(b.path, "origin/"):
			base = base.set("origin", obj{{"lat", raw("48")}, {"lon", raw("37")}})
		}
		for _, v := range b.valid {
			valid(strings.ReplaceAll(b.path, "/", ".")+"-"+v, "bound", base.set(b.path, raw(v)))
		}
		for _, v := range b.invalid {
			if v == "1e400" {
				// Beyond a double: the decoder refuses it (I-JSON), so it is
				// not a case for Parse.
				continue
			}
			invalid(strings.ReplaceAll(b.path, "/", ".")+"-"+v, "/"+b.path, "bound", base.set(b.path, raw(v)))
		}
		for _, v := range wrongTypes(b.typ) {
			invalid(strings.ReplaceAll(b.path, "/", ".")+"-type-"+typeName(v), "/"+b.path, "type "+b.typ, base.set(b.path, v))
		}
	}
	withObserver := minimal.set("observer", obj{{"lat", raw("48")}, {"lon", raw("37")}})
	withLocation := minimal.set("location", obj{{"lat", raw("48")}, {"lon", raw("37")}})
	for _, v := range []string{"0", "-0", "359.9999", "1e-9"} {
		valid("origin_bearing_deg-"+v, "bound", withLocation.set("origin_bearing_deg", raw(v)))
	}
	for _, v := range []string{"-1e-9", "360", "360.0000"} {
		invalid("origin_bearing_deg-"+v, "/origin_bearing_deg", "bound", withLocation.set("origin_bearing_deg", raw(v)))
	}
	for _, v := range wrongTypes("number") {
		invalid("origin_bearing_deg-type-"+typeName(v), "/origin_bearing_deg", "type", withLocation.set("origin_bearing_deg", v))
	}
	for _, m := range [][2]string{{"0", "0.001"}, {"0", "100000"}, {"5", "1"}, {"1e-400", "1e-400"}, {"0.0", "1e5"}} {
		valid("range_m-"+m[0]+"-"+m[1], "range bounds; min above max is the schema's business only as far as bounds go", withObserver.set("range_m", obj{{"min", raw(m[0])}, {"max", raw(m[1])}}))
	}
	for _, m := range [][3]string{{"-1", "10", "/range_m/min"}, {"-1e-300", "10", "/range_m/min"}, {"0", "0", "/range_m/max"}, {"0", "-0.0", "/range_m/max"}, {"0", "100000.1", "/range_m/max"}, {`"0"`, "10", "/range_m/min"}, {"0", "null", "/range_m/max"}} {
		invalid("range_m-"+m[0]+"-"+m[1], m[2], "range bounds", withObserver.set("range_m", obj{{"min", raw(m[0])}, {"max", raw(m[1])}}))
	}
	invalid("range_m-missing-min", "/range_m/min", "required in range_m", withObserver.set("range_m", obj{{"max", raw("10")}}))
	invalid("range_m-missing-max", "/range_m/max", "required in range_m", withObserver.set("range_m", obj{{"min", raw("10")}}))
	invalid("range_m-empty", "/range_m/min,/range_m/max", "required in range_m", withObserver.set("range_m", obj{}))
	for _, v := range wrongTypes("object") {
		invalid("range_m-type-"+typeName(v), "/range_m", "type", withObserver.set("range_m", v))
	}

	// Big, small and long literals.
	valid("big-integer-literal-size", "an integer far beyond int64 is an integer", minimal.set("evidence", arr{obj{{"sha256", str(strings.Repeat("0", 64))}, {"size", raw("123456789012345678901234567890")}}}))
	valid("big-exponent-size", "1e300 is an integer", minimal.set("evidence", arr{obj{{"sha256", str(strings.Repeat("0", 64))}, {"size", raw("1e300")}}}))
	valid("size-1.0", "1.0 is an integer", minimal.set("evidence", arr{obj{{"sha256", str(strings.Repeat("0", 64))}, {"size", raw("1.0")}}}))
	valid("size-zero", "bound", minimal.set("evidence", arr{obj{{"sha256", str(strings.Repeat("0", 64))}, {"size", raw("0")}}}))
	for _, v := range []string{"-1", "0.5", "1e-1", "-0.0000001", `"1"`} {
		invalid("size-"+v, "/evidence/0/size", "integer ≥ 0", minimal.set("evidence", arr{obj{{"sha256", str(strings.Repeat("0", 64))}, {"size", raw(v)}}}))
	}
	valid("long-fraction-lat", "many digits", withObserver.set("observer/lat", raw("48."+strings.Repeat("1234567890", 30))))
	invalid("long-fraction-lat-over", "/observer/lat", "a hair above 90, 300 digits down", withObserver.set("observer/lat", raw("90."+strings.Repeat("0", 300)+"1")))
	valid("long-integer-count", "leading digits make 100000", minimal.set("count", raw("100000."+strings.Repeat("0", 200))))

	// Types of the string fields.
	for _, f := range []string{"id", "source", "observed_at", "reported_party", "marking", "notes"} {
		for _, v := range wrongTypes("string") {
			invalid(f+"-type-"+typeName(v), "/"+f, "type string", minimal.set(f, v))
		}
	}
	for _, f := range []string{"weapon/system", "signature/key_id", "signature/sig"} {
		base := minimal
		if strings.HasPrefix(f, "signature") {
			base = base.set("signature", obj{{"key_id", str("k")}, {"sig", str("s")}})
		}
		for _, v := range wrongTypes("string") {
			invalid(strings.ReplaceAll(f, "/", ".")+"-type-"+typeName(v), "/"+f, "type string", base.set(f, v))
		}
	}
	for _, f := range []string{"weapon", "observer", "location", "origin", "grading", "signature"} {
		for _, v := range wrongTypes("object") {
			invalid(f+"-type-"+typeName(v), "/"+f, "type object", minimal.set(f, v))
		}
	}
	for _, v := range wrongTypes("array") {
		invalid("evidence-type-"+typeName(v), "/evidence", "type array", minimal.set("evidence", v))
	}

	// Lengths, counted in characters (code points).
	type length struct {
		path string
		max  int
	}
	sigBase := minimal.set("signature", obj{{"key_id", str("k")}, {"sig", str("s")}})
	for _, l := range []length{{"id", 128}, {"source", 64}} {
		valid(l.path+"-length-max", "maxLength", minimal.set(l.path, str(strings.Repeat("a", l.max))))
		invalid(l.path+"-length-over", "/"+l.path, "maxLength", minimal.set(l.path, str(strings.Repeat("a", l.max+1))))
		valid(l.path+"-length-one", "minLength", minimal.set(l.path, str("Z")))
		invalid(l.path+"-empty", "/"+l.path, "minLength", minimal.set(l.path, str("")))
	}
	for _, l := range []length{{"notes", 8000}, {"weapon/system", 64}, {"signature/key_id", 64}, {"signature/sig", 128}} {
		base := minimal
		if strings.HasPrefix(l.path, "signature") {
			base = sigBase
		}
		name := strings.ReplaceAll(l.path, "/", ".")
		for _, ch := range []struct{ name, s string }{{"ascii", "x"}, {"latin", "é"}, {"cjk", "語"}, {"emoji", "😀"}} {
			valid(name+"-length-max-"+ch.name, "maxLength counts code points", base.set(l.path, str(strings.Repeat(ch.s, l.max))))
			invalid(name+"-length-over-"+ch.name, "/"+l.path, "maxLength counts code points", base.set(l.path, str(strings.Repeat(ch.s, l.max+1))))
		}
		valid(name+"-empty", "no minLength", base.set(l.path, str("")))
	}
	evBase := func(m obj) obj { return minimal.set("evidence", arr{m}) }
	sha := str(strings.Repeat("0123456789abcdef", 4))
	for _, l := range []length{{"media_type", 127}, {"uri", 2048}} {
		valid("evidence-"+l.path+"-length-max", "maxLength", evBase(obj{{"sha256", sha}, {l.path, str(strings.Repeat("é", l.max))}}))
		invalid("evidence-"+l.path+"-length-over", "/evidence/0/"+l.path, "maxLength", evBase(obj{{"sha256", sha}, {l.path, str(strings.Repeat("é", l.max+1))}}))
		for _, v := range wrongTypes("string") {
			invalid("evidence-"+l.path+"-type-"+typeName(v), "/evidence/0/"+l.path, "type", evBase(obj{{"sha256", sha}, {l.path, v}}))
		}
	}

	// Patterns.
	for _, f := range []string{"id", "source"} {
		for _, s := range []string{"A-Za-z0-9._:-", "obs:2026-08-23.001_x", "0", "..", "::"} {
			valid(f+"-pattern-"+s, "pattern", minimal.set(f, str(s)))
		}
		for _, s := range []string{"obs 1", "obs/1", "obs#1", "ob\u00e9", "obs\n", "\tobs", "obs+1", "obs@1", "ＯＢＳ"} {
			invalid(f+"-pattern-"+s, "/"+f, "pattern", minimal.set(f, str(s)))
		}
	}
	for _, s := range []string{"RUS", "UKR", "AB", "A1", "A_", "A" + strings.Repeat("Z", 15), "UN_OSCE"} {
		valid("reported_party-"+s, "pattern", minimal.set("reported_party", str(s)))
	}
	for _, s := range []string{"", "R", "rus", "Rus", "1RU", "_RU", "A" + strings.Repeat("Z", 16), "RU S", "RU-S", "RUS\n", "ÀB"} {
		invalid("reported_party-"+s, "/reported_party", "pattern", minimal.set("reported_party", str(s)))
	}
	for _, s := range []string{strings.Repeat("0", 64), strings.Repeat("f", 64), strings.Repeat("0123456789abcdef", 4)} {
		valid("sha256-"+s[:4], "pattern", evBase(obj{{"sha256", str(s)}}))
	}
	for _, s := range []string{strings.Repeat("A", 64), strings.Repeat("0", 63), strings.Repeat("0", 65), strings.Repeat("g", 64), "", strings.Repeat("0", 63) + "\n"} {
		invalid("sha256-bad-"+strconv.Itoa(len(s)), "/evidence/0/sha256", "pattern", evBase(obj{{"sha256", str(s)}}))
	}
	for _, v := range wrongTypes("string") {
		invalid("sha256-type-"+typeName(v), "/evidence/0/sha256", "type", evBase(obj{{"sha256", v}}))
	}
	for _, s := range []string{"PUBLIC", "MISSION", "COMMISSION", "REL TO USA", "REL TO USA, UKR, GBR", "REL TO USA,UKR", "REL TO USA, UKR,GBR", "REL TO NATO_EU", "REL TO " + "A" + strings.Repeat("9", 15)} {
		valid("marking-"+s, "pattern", minimal.set("marking", str(s)))
	}
	for _, s := range []string{"", "public", "Mission", "SECRET", "REL TO", "REL TO ", "REL TO usa", "REL TO USA;UKR", "REL TO USA,  UKR", "REL TO USA,", "REL TO USA, ", "REL  TO USA", "REL TO U", "PUBLIC ", " PUBLIC", "REL TO " + "A" + strings.Repeat("9", 16), "PUBLIC\n"} {
		invalid("marking-"+s, "/marking", "pattern", minimal.set("marking", str(s)))
	}
	// A marking of exactly 512 characters that fits the pattern, and one of 513.
	long := "REL TO AA"
	for len(long)+4 <= 512 {
		long += ", AA"
	}
	for len(long) < 512 {
		long += "A"
	}
	valid("marking-length-512", "maxLength at the bound, pattern still met", minimal.set("marking", str(long)))
	invalid("marking-length-513", "/marking", "maxLength over, pattern still met", minimal.set("marking", str(long+"A")))

	mgrsValid := []string{"37UDP", "37U DP", "37UDP ", "37U DP ", "4QFJ", "4QFJ12", "4QFJ1 2", "4QFJ1234", "4QFJ12 34", "4QFJ123456", "4QFJ123 456", "4QFJ12345678", "4QFJ1234 5678", "4QFJ1234567890", "4QFJ 12345 67890", "37U DP 12345 67890", "60XZZ", "1CAA", "0CAA", "00CAA", "99XZZ", "61NAA"}
	mgrsInvalid := []string{"", "37", "37U", "37U ", "37UD", "U", "37I", "37O", "37Y", "37A", "37B", "37UIA", "37UAO", "37udp", "37UDP1", "37UDP123", "37UDP12 345", "37UDP 1234 ", "37UDP  1234", "37U  DP", "37UDP1 234", "123UDP", "37UDP12345678901", "37UDP 12345 67890 1", " 37UDP", "37UDP\n", "37UDP 12 3 4", "37-UDP"}
	for _, s := range mgrsValid {
		valid("mgrs-"+s, "MGRS pattern (zone 0, 00, 61 and 99 fit it and name no place: accepted with a warning)", minimal.set("location", obj{{"mgrs", str(s)}}))
	}
	for _, s := range mgrsInvalid {
		invalid("mgrs-"+s, "/location/mgrs", "MGRS pattern", minimal.set("location", obj{{"mgrs", str(s)}}))
	}
	for _, v := range wrongTypes("string") {
		invalid("mgrs-type-"+typeName(v), "/location/mgrs", "type", minimal.set("location", obj{{"mgrs", v}}))
	}

	// oneOf of a point: lat/lon, or mgrs, never both nor neither.
	for _, f := range []string{"observer", "location", "origin"} {
		valid(f+"-latlon", "oneOf first branch", minimal.set(f, obj{{"lat", raw("48.5")}, {"lon", raw("37.5")}}))
		valid(f+"-latlon-cep", "oneOf first branch", minimal.set(f, obj{{"lon", raw("37.5")}, {"lat", raw("48.5")}, {"cep_m", raw("50")}}))
		valid(f+"-mgrs", "oneOf second branch", minimal.set(f, obj{{"mgrs", str("37UDP1234")}}))
		valid(f+"-mgrs-cep", "oneOf second branch", minimal.set(f, obj{{"cep_m", raw("0")}, {"mgrs", str("37UDP1234")}}))
		invalid(f+"-both", "/"+f, "oneOf: both branches fail", minimal.set(f, obj{{"lat", raw("48.5")}, {"lon", raw("37.5")}, {"mgrs", str("37UDP1234")}}))
		invalid(f+"-mgrs-and-lat", "/"+f, "oneOf: both fail", minimal.set(f, obj{{"lat", raw("48.5")}, {"mgrs", str("37UDP1234")}}))
		invalid(f+"-neither", "/"+f, "oneOf: neither", minimal.set(f, obj{}))
		invalid(f+"-cep-only", "/"+f, "oneOf: neither", minimal.set(f, obj{{"cep_m", raw("5")}}))
		invalid(f+"-lat-only", "/"+f+"/lon", "oneOf: first branch lacks lon", minimal.set(f, obj{{"lat", raw("48.5")}}))
		invalid(f+"-lon-only", "/"+f+"/lat", "oneOf: first branch lacks lat", minimal.set(f, obj{{"lon", raw("37.5")}}))
		invalid(f+"-extra-member", "/"+f+"/alt", "additionalProperties in the point", minimal.set(f, obj{{"lat", raw("48.5")}, {"lon", raw("37.5")}, {"alt", raw("100")}}))
		invalid(f+"-mgrs-extra-member", "/"+f+"/precision", "additionalProperties in the point", minimal.set(f, obj{{"mgrs", str("37UDP")}, {"precision", raw("1")}}))
		invalid(f+"-lat-null", "/"+f+"/lat", "type", minimal.set(f, obj{{"lat", raw("null")}, {"lon", raw("37.5")}}))
		invalid(f+"-mgrs-null", "/"+f+"/mgrs", "type", minimal.set(f, obj{{"mgrs", raw("null")}}))
		invalid(f+"-cep-negative", "/"+f+"/cep_m", "bound", minimal.set(f, obj{{"mgrs", str("37UDP")}, {"cep_m", raw("-1")}}))
	}

	// additionalProperties at every level.
	invalid("extra-top-level", "/colour", "additionalProperties", minimal.set("colour", str("red")))
	invalid("extra-top-level-type", "/type", "additionalProperties: a report is not a GeoJSON object", minimal.set("type", str("Feature")))
	invalid("extra-top-level-received_at", "/received_at", "additionalProperties: server fields are not the sender's", minimal.set("received_at", str("2026-08-23T14:05:00Z")))
	invalid("extra-top-level-empty-name", "/", "additionalProperties with an empty name", minimal.set("", raw("1")))
	invalid("extra-top-level-slash-name", "/a~1b~0c", "additionalProperties, pointer escaping", append(minimal.clone(), kv{"a/b~c", raw("1")}))
	invalid("extra-top-level-case", "/Kind", "names are case-sensitive", minimal.set("Kind", str("explosion")))
	invalid("extra-weapon", "/weapon/calibre_mm", "additionalProperties", minimal.set("weapon", obj{{"calibre_mm", raw("152")}}))
	invalid("extra-range", "/range_m/mid", "additionalProperties", withObserver.set("range_m", obj{{"min", raw("1")}, {"max", raw("2")}, {"mid", raw("1.5")}}))
	invalid("extra-grading", "/grading/source", "additionalProperties", minimal.set("grading", obj{{"reliability", str("A")}, {"source", str("x")}}))
	invalid("extra-evidence-item", "/evidence/0/md5", "additionalProperties", evBase(obj{{"sha256", sha}, {"md5", str("x")}}))
	invalid("extra-signature", "/signature/alg", "additionalProperties", minimal.set("signature", obj{{"key_id", str("k")}, {"sig", str("s")}, {"alg", str("ed25519")}}))
	invalid("extras-at-three-levels", "/x,/weapon/y,/grading/z", "every bad field is named", minimal.set("x", raw("1")).set("weapon/y", raw("1")).set("grading/z", raw("1")))
	valid("empty-weapon", "no required members in weapon", minimal.set("weapon", obj{}))
	valid("empty-grading", "no required members in grading", minimal.set("grading", obj{}))
	valid("empty-evidence", "no minItems", minimal.set("evidence", arr{}))

	// Required members of nested objects.
	invalid("signature-missing-sig", "/signature/sig", "required", minimal.set("signature", obj{{"key_id", str("k")}}))
	invalid("signature-missing-key_id", "/signature/key_id", "required", minimal.set("signature", obj{{"sig", str("s")}}))
	invalid("signature-empty", "/signature/key_id,/signature/sig", "required", minimal.set("signature", obj{}))
	valid("signature-empty-strings", "no minLength", minimal.set("signature", obj{{"key_id", str("")}, {"sig", str("")}}))
	valid("signature-not-base64", "contentEncoding is an annotation, not an assertion", minimal.set("signature", obj{{"key_id", str("k")}, {"sig", str("not base64!")}}))
	invalid("evidence-missing-sha256", "/evidence/0/sha256", "required", evBase(obj{{"size", raw("1")}}))
	invalid("evidence-item-not-object", "/evidence/1", "items type", minimal.set("evidence", arr{obj{{"sha256", sha}}, raw(`"abc"`)}))
	var ev64, ev65 arr
	for i := range 65 {
		item := obj{{"sha256", str(fmt.Sprintf("%064x", i))}}
		if i < 64 {
			ev64 = append(ev64, item)
		}
		ev65 = append(ev65, item)
	}
	valid("evidence-64-items", "maxItems at the bound", minimal.set("evidence", ev64))
	invalid("evidence-65-items", "/evidence", "maxItems", minimal.set("evidence", ev65))
	bad65 := append(arr{}, ev65...)
	bad65[3] = obj{{"sha256", str("x")}}
	invalid("evidence-65-items-one-bad", "/evidence,/evidence/3/sha256", "maxItems and an item: both named", minimal.set("evidence", bad65))

	// dependentRequired.
	valid("bearing-with-observer", "dependentRequired met", withObserver.set("bearing_deg", raw("10")))
	invalid("bearing-without-observer", "/observer", "dependentRequired", minimal.set("bearing_deg", raw("10")))
	invalid("bearing-null-without-observer", "/observer,/bearing_deg", "dependentRequired counts presence; null is also the wrong type", minimal.set("bearing_deg", raw("null")))
	valid("range-with-observer", "dependentRequired met", withObserver.set("range_m", obj{{"min", raw("1")}, {"max", raw("2")}}))
	invalid("range-without-observer", "/observer", "dependentRequired", minimal.set("range_m", obj{{"min", raw("1")}, {"max", raw("2")}}))
	invalid("range-and-bearing-without-observer", "/observer", "dependentRequired twice", minimal.set("range_m", obj{{"min", raw("1")}, {"max", raw("2")}}).set("bearing_deg", raw("1")))
	valid("origin-bearing-with-location", "dependentRequired met", withLocation.set("origin_bearing_deg", raw("200")))
	invalid("origin-bearing-without-location", "/location", "dependentRequired", minimal.set("origin_bearing_deg", raw("200")))
	invalid("origin-bearing-with-observer-only", "/location", "dependentRequired: observer is not location", withObserver.set("origin_bearing_deg", raw("200")))
	invalid("bearing-with-bad-observer", "/observer", "dependentRequired is met by presence; the observer itself is bad", minimal.set("observer", obj{}).set("bearing_deg", raw("10")))
	valid("observer-without-bearing", "observer alone is fine", withObserver)
	valid("bearing-sigma-without-bearing", "no dependency on bearing_sigma_deg", minimal.set("bearing_sigma_deg", raw("3")))
	valid("origin-without-origin-bearing", "origin needs nothing", minimal.set("origin", obj{{"mgrs", str("37UDP")}}))

	// date-time (RFC 3339, asserted).
	for _, s := range []string{
		"2026-08-23T14:05:00Z", "2026-08-23t14:05:00z", "2026-08-23T14:05:00+03:00", "2026-08-23T14:05:00-00:00",
		"2026-08-23T14:05:00.1Z", "2026-08-23T14:05:00.123456789Z", "2026-08-23T14:05:00.123456789123456Z",
		"2026-08-23T14:05:00+23:59", "2026-08-23T14:05:00-23:59", "2024-02-29T00:00:00Z", "2000-02-29T00:00:00Z",
		"0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2016-12-31T23:59:60Z", "2026-08-23T23:59:60Z",
		"2017-01-01T02:59:60+03:00", "2016-12-31T18:59:60-05:00", "2026-08-23T23:59:60.5Z", "2026-01-01T00:00:00.000Z",
	} {
		valid("observed_at-"+s, "RFC 3339 date-time", minimal.set("observed_at", str(s)))
	}
	for _, s := range []string{
		"2026-08-23", "2026-08-23T14:05:00", "2026-08-23 14:05:00Z", "2026-08-23T14:05Z", "2026-8-23T14:05:00Z",
		"2026-08-23T14:5:00Z", "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z",
		"2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-08-00T00:00:00Z", "2026-08-23T24:00:00Z", "2026-08-23T14:60:00Z",
		"2026-08-23T14:05:61Z", "2026-08-23T14:05:60Z", "2026-08-23T23:59:60+01:00", "2026-08-23T14:05:00+24:00",
		"2026-08-23T14:05:00+03:60", "2026-08-23T14:05:00+0300", "2026-08-23T14:05:00+03", "2026-08-23T14:05:00.Z",
		"2026-08-23T14:05:00,5Z", "2026-08-23T14:05:00ZZ", "2026-08-23T14:05:00+03:00:00", " 2026-08-23T14:05:00Z",
		"2026-08-23T14:05:00Z ", "2026-08-23T14:05:00UTC", "20260823T140500Z", "2026-08-23T14:05:00.123+", "+2026-08-23T14:05:00Z",
		"2026-08-23X14:05:00Z", "2026-08-23T14:05:00 Z", "２０２６-08-23T14:05:00Z", "2026-08-23T14:05:00\u00a0Z", "",
		"1e3", "2026-08-23T14:05:00-03:00 ",
	} {
		invalid("observed_at-"+s, "/observed_at", "RFC 3339 date-time", minimal.set("observed_at", str(s)))
	}
	// Where santhosh-tekuri/jsonschema/v6 reads a two-digit field with
	// strconv.Atoi, which takes a sign: RFC 3339 wants two digits.
	for _, s := range []string{"2026-08-23T+1:05:00Z", "2026-08-23T14:-0:00Z", "2026-08-23T14:05:+5Z", "2026-08-23T14:05:00+-0:00", "2026-08-23T14:05:00-03:+0"} {
		add("divergent", "observed_at-"+s, "/observed_at", "RFC 3339 wants two digits; the reference validator's strconv.Atoi takes a sign", minimal.set("observed_at", str(s)))
	}

	// Unicode: strings at their limits, and names that need escaping.
	valid("notes-unicode-mix", "any Unicode in notes", minimal.set("notes", str("Обстріл 🔥 \u2028 \u0000 \"quoted\" \\ tab\t")))
	valid("notes-escaped-surrogate-pair", "\\ud83d\\ude00 is one character", minimal.set("notes", raw(`"\ud83d\ude00"`)))
	valid("weapon-system-cyrillic-64", "64 Cyrillic letters", minimal.set("weapon/system", str(strings.Repeat("Ж", 64))))
	invalid("weapon-system-escaped-65", "/weapon/system", "65 characters written as escapes", minimal.set("weapon/system", raw(`"`+strings.Repeat(`\u0416`, 65)+`"`)))
	valid("weapon-system-escaped-64", "64 characters written as escapes", minimal.set("weapon/system", raw(`"`+strings.Repeat(`\u0416`, 64)+`"`)))

	// Many bad fields at once: every one is named.
	invalid("many-bad-fields", "/id,/kind,/count,/observer/lat,/grading/credibility,/marking,/extra,/observed_at",
		"every bad field, not only the first",
		minimal.set("id", str("bad id")).set("kind", str("bomb")).set("count", raw("0")).
			set("observer", obj{{"lat", raw("91")}, {"lon", raw("0")}}).set("grading", obj{{"credibility", raw("9")}}).
			set("marking", str("secret")).set("extra", raw("1")).del("observed_at"))
	invalid("full-report-one-bad", "/weapon/caliber_mm", "one bad field in a full report", full.set("weapon/caliber_mm", raw("0")))
	valid("full-report-reordered", "member order does not matter", reverse(full))

	dir := "testdata/corpus"
	old, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range old {
		os.Remove(f)
	}
	var tsv bytes.Buffer
	tsv.WriteString("# file\tverdict\tpointers Parse must name (comma-separated)\twhat it shows\n")
	for _, e := range entries {
		if err := os.WriteFile(filepath.Join(dir, e.name+".json"), e.doc, 0o644); err != nil {
			panic(err)
		}
		fmt.Fprintf(&tsv, "%s.json\t%s\t%s\t%s\n", e.name, e.verdict, e.pointers, e.note)
	}
	if err := os.WriteFile(filepath.Join(dir, "expected.tsv"), tsv.Bytes(), 0o644); err != nil {
		panic(err)
	}
	fmt.Printf("wrote %d documents to %s\n", len(entries), dir)
}

func reverse(o obj) obj {
	out := make(obj, len(o))
	for i := range o {
		out[len(o)-1-i] = o[i]
	}
	return out
}
