package canonical

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// The worked example of RFC 8785 section 3.2.2: literals, numbers that
// change form, and a string whose escapes all change.
func TestTransformRFCExample(t *testing.T) {
	in := `{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`
	want := `{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`
	got, err := Transform([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// RFC 8785 section 3.2.3: names sort by UTF-16 code units, so the emoji
// (a surrogate pair starting 0xD83D) sorts before U+FB33.
func TestTransformSortsByUTF16(t *testing.T) {
	in := `{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`
	got, err := Transform([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	v, _ := Unmarshal(got)
	for _, m := range v.Members {
		names = append(names, m.Name)
	}
	want := []string{"\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001F600", "\ufb33"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("order %q, want %q", names, want)
	}
}

func TestLess(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"a", "b", true},
		{"b", "a", false},
		{"a", "a", false},
		{"a", "ab", true},
		{"ab", "a", false},
		{"", "a", true},
		{"Z", "a", true},
		{"\U0001F600", "\ufb33", true}, // D83D < FB33
		{"\ufb33", "\U0001F600", false},
		{"\uffff", "\U00010000", false}, // FFFF > D800
		{"\U00010000", "\U0010FFFF", true},
		{"x\U0001F600", "x\ue000", true},
		{"\u00e9", "\u00ea", true},
		{"\u0800", "\u07ff", false},
	}
	for _, tt := range tests {
		t.Run(strconv.QuoteToASCII(tt.a)+"<"+strconv.QuoteToASCII(tt.b), func(t *testing.T) {
			if got := Less(tt.a, tt.b); got != tt.want {
				t.Errorf("Less = %v, want %v", got, tt.want)
			}
		})
	}
}

// Less must agree with a plain comparison of UTF-16 encodings.
func TestLessMatchesUTF16(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	alphabet := []rune{'a', 'b', 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfb33, 0xffff, 0x10000, 0x1f600, 0x10ffff}
	gen := func() string {
		n := r.IntN(4)
		var b strings.Builder
		for range n {
			b.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 20000 {
		a, b := gen(), gen()
		if got, want := Less(a, b), lessUTF16Reference(a, b); got != want {
			t.Fatalf("Less(%q, %q) = %v, want %v", a, b, got, want)
		}
	}
}

func lessUTF16Reference(a, b string) bool {
	ua, ub := toUTF16(a), toUTF16(b)
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return len(ua) < len(ub)
}

func toUTF16(s string) []uint16 {
	var out []uint16
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xD800+(r>>10)), uint16(0xDC00+(r&0x3FF)))
		} else {
			out = append(out, uint16(r))
		}
	}
	return out
}

// The number table of RFC 8785 appendix B, by IEEE 754 bit pattern: the
// ECMAScript form of each double.
func TestAppendFloatRFCTable(t *testing.T) {
	tests := []struct {
		bits uint64
		want string
	}{
		{0x0000000000000000, "0"},
		{0x8000000000000000, "0"},
		{0x0000000000000001, "5e-324"},
		{0x8000000000000001, "-5e-324"},
		{0x7fefffffffffffff, "1.7976931348623157e+308"},
		{0xffefffffffffffff, "-1.7976931348623157e+308"},
		{0x4340000000000000, "9007199254740992"},
		{0xc340000000000000, "-9007199254740992"},
		{0x4430000000000000, "295147905179352830000"},
		{0x44b52d02c7e14af5, "9.999999999999997e+22"},
		{0x44b52d02c7e14af6, "1e+23"},
		{0x44b52d02c7e14af7, "1.0000000000000001e+23"},
		{0x444b1ae4d6e2ef4e, "999999999999999700000"},
		{0x444b1ae4d6e2ef4f, "999999999999999900000"},
		{0x444b1ae4d6e2ef50, "1e+21"},
		{0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
		{0x3eb0c6f7a0b5ed8d, "0.000001"},
		{0x41b3de4355555553, "333333333.3333332"},
		{0x41b3de4355555554, "333333333.33333325"},
		{0x41b3de4355555555, "333333333.3333333"},
		{0x41b3de4355555556, "333333333.3333334"},
		{0x41b3de4355555557, "333333333.33333343"},
		{0xbecbf647612f3696, "-0.0000033333333333333333"},
		{0x43143ff3c1cb0959, "1424953923781206.2"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got, err := AppendFloat(nil, math.Float64frombits(tt.bits))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("%016x: got %s, want %s", tt.bits, got, tt.want)
			}
		})
	}
	for _, bits := range []uint64{0x7fffffffffffffff, 0x7ff0000000000000, 0xfff0000000000000} {
		if _, err := AppendFloat(nil, math.Float64frombits(bits)); !errors.Is(err, ErrNotFinite) {
			t.Errorf("%016x: err %v, want ErrNotFinite", bits, err)
		}
	}
}

// Where ECMAScript switches between plain and exponent notation.
func TestAppendFloatNotationBoundaries(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{1, "1"},
		{-1, "-1"},
		{1.5, "1.5"},
		{100, "100"},
		{1e20, "100000000000000000000"},
		{1e21, "1e+21"},
		{1.5e21, "1.5e+21"},
		{123456789012345680000, "123456789012345680000"},
		{1e-6, "0.000001"},
		{1.5e-6, "0.0000015"},
		{1e-7, "1e-7"},
		{1.25e-7, "1.25e-7"},
		{0.1, "0.1"},
		{0.30000000000000004, "0.30000000000000004"},
		{5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.Copysign(0, -1), "0"},
		{1e300, "1e+300"},
		{-1e-300, "-1e-300"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got, _ := AppendFloat(nil, tt.f)
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// shortNumber skips the double for literals it can prove need none; it
// must always agree with the route through the double.
func TestShortNumberAgreesWithDouble(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	digits := func(n int, lead bool) string {
		var b strings.Builder
		for i := range n {
			d := r.IntN(10)
			if i == 0 && lead && d == 0 {
				d = 1 + r.IntN(9)
			}
			b.WriteByte(byte('0' + d))
		}
		return b.String()
	}
	check := func(lit string) {
		t.Helper()
		v, err := NumberValue(lit)
		if err != nil {
			t.Fatalf("%s: %v", lit, err)
		}
		want, err := AppendFloat(nil, v.Num)
		if err != nil {
			t.Fatalf("%s: %v", lit, err)
		}
		if s, ok := shortNumber(lit); ok && s != string(want) {
			t.Fatalf("%s: short form %s, via double %s", lit, s, want)
		}
	}
	for _, lit := range []string{"0", "-0", "0.0", "-0.000", "1.50", "100", "0.000001", "0.0000001", "0.0000010",
		"123456789012345", "1234567890123456", "0.123456789012345", "9007199254740993", "-12.5000", "999999999999999.9"} {
		check(lit)
	}
	for range 200000 {
		var lit string
		if r.IntN(2) == 0 {
			lit = "-"
		}
		if r.IntN(3) == 0 {
			lit += "0"
		} else {
			lit += digits(1+r.IntN(17), true)
		}
		if r.IntN(3) > 0 {
			lit += "." + strings.Repeat("0", r.IntN(8)) + digits(1+r.IntN(16), false)
		}
		check(lit)
	}
}

func TestTransform(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"scalars", `[ 1.0 , -0 , "x" , true , false , null ]`, `[1,0,"x",true,false,null]`},
		{"nested sort", `{"b":{"z":1,"a":2},"a":[{"y":1,"x":2}]}`, `{"a":[{"x":2,"y":1}],"b":{"a":2,"z":1}}`},
		{"empty containers", `{"a":{},"b":[]}`, `{"a":{},"b":[]}`},
		{"escapes kept minimal", `"\u0041\u00e9\u2028\/\u001f\u007f"`, "\"A\u00e9\u2028/\\u001f\u007f\""},
		{"short escapes", `"\b\f\n\r\t"`, `"\b\f\n\r\t"`},
		{"control as hex", `"\u0000\u0001\u000b"`, `"\u0000\u0001\u000b"`},
		{"big integer rounds", `12345678901234567890`, `12345678901234567000`},
		{"exponent forms", `[1E2, 1e+2, 1e-2, 1.5e-7, 25e20, 0.0e10]`, `[100,100,0.01,1.5e-7,2.5e+21,0]`},
		{"underflow to zero", `1e-400`, `0`},
		{"bom-free whitespace", " \t\r\n{}\n", `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Transform([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestTransformRejects(t *testing.T) {
	tests := []struct {
		name, in, msg, pointer string
		line, col              int
	}{
		{"duplicate name", `{"a":1,"b":{"c":1,"c":2}}`, "given twice", "/b/c", 1, 19},
		{"duplicate in big object", bigObjectWithDuplicate(), "given twice", "/k3", 1, 0},
		{"lone high surrogate", `["\ud800"]`, "lone surrogate", "/0", 1, 3},
		{"lone low surrogate", `{"a":"x\udc00"}`, "lone surrogate", "/a", 1, 8},
		{"high then non-low", `"\ud800\u0041"`, "lone surrogate", "", 1, 2},
		{"invalid utf-8", "{\"a\":\"\xff\"}", "not valid UTF-8", "/a", 1, 7},
		{"overlong utf-8", "\"\xc0\xaf\"", "not valid UTF-8", "", 1, 2},
		{"overflow", `{"n":[1, 1e309]}`, "beyond the range", "/n/1", 1, 10},
		{"negative overflow", `-2e308`, "beyond the range", "", 1, 1},
		{"NaN", `NaN`, "expected a value", "", 1, 1},
		{"Infinity", `[Infinity]`, "expected a value", "/0", 1, 2},
		{"leading zero", `01`, "after the JSON value", "", 1, 2},
		{"plus sign", `+1`, "expected a value", "", 1, 1},
		{"bare dot", `1.`, "digit after '.'", "", 1, 3},
		{"bad exponent", `1e`, "exponent", "", 1, 3},
		{"trailing comma", `[1,]`, "expected a value", "/1", 1, 4},
		{"unquoted name", `{a:1}`, "member name", "", 1, 2},
		{"single quotes", `{'a':1}`, "member name", "", 1, 2},
		{"raw newline in string", "\"a\nb\"", "control character", "", 1, 3},
		{"bad escape", `"\x"`, "unknown escape", "", 1, 2},
		{"short unicode escape", `"\u12"`, "four hexadecimal", "", 1, 2},
		{"unterminated string", `"abc`, "end of input inside a string", "", 1, 5},
		{"unterminated object", `{"a":1`, "end of input", "/a", 1, 7},
		{"second line", "{\n  \"a\": tru\n}", "expected a value", "/a", 2, 8},
		{"two values", `{} {}`, "after the JSON value", "", 1, 4},
		{"empty", ``, "expected a value", "", 1, 1},
		{"too deep", strings.Repeat("[", 101) + strings.Repeat("]", 101), "nested deeper", strings.Repeat("/0", 100), 1, 101},
		{"comment", `{"a":1 /* x */}`, "expected ',' or '}'", "/a", 1, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Transform([]byte(tt.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *SyntaxError", err)
			}
			if !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("msg %q, want it to contain %q", se.Msg, tt.msg)
			}
			if se.Pointer != tt.pointer {
				t.Errorf("pointer %q, want %q", se.Pointer, tt.pointer)
			}
			if se.Line != tt.line || (tt.col > 0 && se.Column != tt.col) {
				t.Errorf("at %d:%d, want %d:%d (%v)", se.Line, se.Column, tt.line, tt.col, err)
			}
		})
	}
}

func bigObjectWithDuplicate() string {
	var b strings.Builder
	b.WriteString("{")
	for i := range 40 {
		b.WriteString(`"k` + strconv.Itoa(i) + `":0,`)
	}
	b.WriteString(`"k3":1}`)
	return b.String()
}

// Objects built in code may carry a name twice; the canonical form has no
// way to say which one counts.
func TestAppendRejectsBuiltDuplicates(t *testing.T) {
	v := ObjectValue(Member{"a", StringValue("x")}, Member{"a", StringValue("y")})
	if _, err := Marshal(&v); !errors.Is(err, ErrDuplicateName) {
		t.Errorf("err = %v, want ErrDuplicateName", err)
	}
	bad := Value{Kind: Number, Text: "1e999", Num: math.Inf(1)}
	if _, err := Marshal(&bad); !errors.Is(err, ErrNotFinite) {
		t.Errorf("err = %v, want ErrNotFinite", err)
	}
}

func TestNumberValue(t *testing.T) {
	for _, ok := range []string{"0", "-0", "1.5", "1e5", "1E-5", "-0.0e+0", "123456789012345678901234567890"} {
		if _, err := NumberValue(ok); err != nil {
			t.Errorf("NumberValue(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-", "01", "+1", ".5", "1.", "1e", "0x10", "NaN", "Infinity", "1e400", " 1"} {
		if _, err := NumberValue(bad); err == nil {
			t.Errorf("NumberValue(%q) succeeded", bad)
		}
	}
}

func TestPosition(t *testing.T) {
	src := "ab\ncé\nxyz"
	for _, tt := range []struct{ off, line, col int }{{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {6, 2, 3}, {7, 3, 1}, {100, 3, 4}} {
		if l, c := Position(src, tt.off); l != tt.line || c != tt.col {
			t.Errorf("Position(%d) = %d:%d, want %d:%d", tt.off, l, c, tt.line, tt.col)
		}
	}
}

// The decoder must read exactly what encoding/json reads, wherever both
// accept the text.
func TestParserAgreesWithEncodingJSON(t *testing.T) {
	docs := []string{
		`{"a":[1,2.5,-3e2,{"b":null}],"c":"\u00e9\n\"","d":true,"e":false}`,
		`[]`, `{}`, `"x"`, `0`, `-0.0`, `[[[[]]]]`, `{"":""}`, `"\ud83d\ude00"`,
	}
	for _, d := range docs {
		t.Run(d, func(t *testing.T) { agreeWithEncodingJSON(t, []byte(d)) })
	}
}

func agreeWithEncodingJSON(t *testing.T, data []byte) {
	t.Helper()
	v, err := Unmarshal(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var ref any
	refErr := dec.Decode(&ref)
	if refErr == nil && !json.Valid(data) {
		refErr = errors.New("trailing data")
	}
	if err != nil {
		if refErr == nil && !strings.Contains(err.Error(), "I-JSON") && !strings.Contains(err.Error(), "nested deeper") {
			t.Fatalf("encoding/json reads %q, this decoder says %v", data, err)
		}
		return
	}
	if refErr != nil {
		t.Fatalf("this decoder reads %q, encoding/json says %v", data, refErr)
	}
	if !sameValue(&v, ref) {
		t.Fatalf("decoded differently: %q", data)
	}
}

func sameValue(v *Value, ref any) bool {
	switch r := ref.(type) {
	case nil:
		return v.Kind == Null
	case bool:
		return (r && v.Kind == True) || (!r && v.Kind == False)
	case json.Number:
		return v.Kind == Number && v.Text == string(r)
	case string:
		return v.Kind == String && v.Text == r
	case []any:
		if v.Kind != Array || len(v.Items) != len(r) {
			return false
		}
		for i := range r {
			if !sameValue(&v.Items[i], r[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		if v.Kind != Object || len(v.Members) != len(r) {
			return false
		}
		for _, m := range v.Members {
			rv, ok := r[m.Name]
			if !ok || !sameValue(&m.Value, rv) {
				return false
			}
		}
		return true
	}
	return false
}

func TestParserReuse(t *testing.T) {
	var p Parser
	a, err := p.Parse(`{"x":[1,2,3],"y":{"z":"w"}}`)
	if err != nil {
		t.Fatal(err)
	}
	for range 2000 {
		if _, err := p.Parse(`{"q":[{"r":1},{"s":2}]}`); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := Marshal(&a)
	if string(got) != `{"x":[1,2,3],"y":{"z":"w"}}` {
		t.Errorf("an earlier value changed after reuse: %s", got)
	}
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{
		`{"b":1,"a":[1.0,2e3,-0,"\u00e9"]}`, `[1e21,1e-7,0.000001]`, `{"\ud83d\ude00":1,"\ufb33":2}`,
		`"\u0000\b"`, `{"a":{"a":{"a":[]}}}`, `{"a":1,"a":2}`, `123456789012345678901234567890`, `-0.0`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		agreeWithEncodingJSON(t, data)
		out, err := Transform(data)
		if err != nil {
			return
		}
		// The canonical form is a fixed point and reads back as JSON.
		again, err := Transform(out)
		if err != nil {
			t.Fatalf("canonical form %q does not decode: %v", out, err)
		}
		if !bytes.Equal(out, again) {
			t.Fatalf("not a fixed point:\n%q\n%q", out, again)
		}
		if !json.Valid(out) {
			t.Fatalf("canonical form is not JSON: %q", out)
		}
	})
}

func BenchmarkTransform(b *testing.B) {
	doc := []byte(`{"id":"obs-000123","source":"smm-team-7","observed_at":"2026-08-23T14:05:00Z","kind":"explosion","count":3,"fire":"incoming","weapon":{"class":"artillery","caliber_mm":152},"observer":{"lat":48.0159,"lon":37.8028,"cep_m":10},"bearing_deg":87.5,"bearing_sigma_deg":4,"grading":{"reliability":"B","credibility":2},"marking":"MISSION","notes":"heard from the OP, three impacts east"}`)
	b.SetBytes(int64(len(doc)))
	var p Parser
	var buf []byte
	for b.Loop() {
		v, err := p.Parse(string(doc))
		if err != nil {
			b.Fatal(err)
		}
		buf, _ = Append(buf[:0], &v)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}
