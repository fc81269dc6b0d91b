package observation

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/canonical"
)

func mustDecode(t testing.TB, body string) Document {
	t.Helper()
	docs, err := Decode(MediaJSON, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return docs[0]
}

var received = time.Date(2026, 8, 23, 15, 0, 0, 0, time.UTC)

func TestParseTypedView(t *testing.T) {
	doc := mustDecode(t, `{"id":"o-1","source":"team-7","observed_at":"2026-08-23T17:05:00.25+03:00","kind":"explosion",
		"count":3.0,"fire":"incoming","weapon":{"class":"artillery","caliber_mm":152,"system":"2S19"},
		"observer":{"lat":48.0159,"lon":37.8028,"cep_m":10},"location":{"mgrs":"37U DP 12345 67890"},
		"origin":{"mgrs":"0CAA"},"bearing_deg":87.5,"range_m":{"min":2000,"max":4000},"origin_bearing_deg":95,
		"reported_party":"RUS","grading":{"reliability":"B","credibility":2.0},
		"evidence":[{"sha256":"`+strings.Repeat("ab", 32)+`","size":10,"media_type":"image/jpeg","uri":"u"},{"sha256":"`+strings.Repeat("cd", 32)+`","size":1e30}],
		"marking":"REL TO USA, UKR","notes":"n","signature":{"key_id":"k","sig":"s"}}`)
	o, errs := Parse(doc, received, fakeResolve)
	if len(errs) > 0 {
		t.Fatal(Summary(errs, 0))
	}
	if o.ID != "o-1" || o.Source != "team-7" || o.Kind != Explosion || o.Count != 3 || o.Fire != Incoming {
		t.Errorf("scalars: %+v", o)
	}
	if want := time.Date(2026, 8, 23, 14, 5, 0, 250_000_000, time.UTC); !o.ObservedAt.Equal(want) {
		t.Errorf("observed at %v, want %v", o.ObservedAt, want)
	}
	if o.TimeSigmaS != DefaultTimeSigmaS || o.BearingSigmaDeg != DefaultBearingSigmaDeg || o.OriginBearingSigmaDeg != DefaultOriginBearingSigmaDeg {
		t.Errorf("defaults not applied: %v %v %v", o.TimeSigmaS, o.BearingSigmaDeg, o.OriginBearingSigmaDeg)
	}
	if o.Weapon == nil || o.Weapon.Class != "artillery" || *o.Weapon.CaliberMM != 152 || o.Weapon.System != "2S19" {
		t.Errorf("weapon %+v", o.Weapon)
	}
	if p := o.Observer; p == nil || !p.Resolved || p.Lat != 48.0159 || p.Lon != 37.8028 || *p.CEPm != 10 || p.MGRS != "" {
		t.Errorf("observer %+v", o.Observer)
	}
	if p := o.Location; p == nil || !p.Resolved || p.MGRS != "37U DP 12345 67890" || p.Lat != 48.5 || p.CEPm != nil {
		t.Errorf("location %+v", o.Location)
	}
	if p := o.Origin; p == nil || p.Resolved || p.MGRS != "0CAA" {
		t.Errorf("origin %+v", o.Origin)
	}
	if o.Position() != o.Location {
		t.Error("Position is not the location")
	}
	if *o.BearingDeg != 87.5 || *o.OriginBearingDeg != 95 || o.Range == nil || o.Range.MinM != 2000 || o.Range.MaxM != 4000 {
		t.Errorf("bearings and range: %v %v %+v", o.BearingDeg, o.OriginBearingDeg, o.Range)
	}
	if o.ReportedParty != "RUS" || o.Grading == nil || o.Grading.Reliability != "B" || o.Grading.Credibility != 2 {
		t.Errorf("party and grading: %q %+v", o.ReportedParty, o.Grading)
	}
	if len(o.Evidence) != 2 || *o.Evidence[0].Size != 10 || o.Evidence[0].MediaType != "image/jpeg" || o.Evidence[1].Size != nil {
		t.Errorf("evidence %+v", o.Evidence)
	}
	if o.Marking != "REL TO USA, UKR" || o.Notes != "n" || o.Signature == nil || o.Signature.KeyID != "k" {
		t.Errorf("marking, notes, signature: %q %q %+v", o.Marking, o.Notes, o.Signature)
	}
	if string(o.Document) != string(doc.Canonical) {
		t.Error("Document is not the canonical form")
	}
	if len(o.Warnings) != 2 || !strings.Contains(o.Warnings[0], "/origin/mgrs") || !strings.Contains(o.Warnings[1], "/evidence/1/size") {
		t.Errorf("warnings %q", o.Warnings)
	}
}

func TestParseDefaults(t *testing.T) {
	o, errs := Parse(mustDecode(t, `{"id":"a","source":"s","observed_at":"2026-08-23T14:05:00Z","kind":"shot"}`), received, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if o.TimeSigmaS != 60 || o.Count != 1 || o.Fire != FireUnknown || o.Marking != "MISSION" || o.BearingSigmaDeg != 5 || o.OriginBearingSigmaDeg != 10 {
		t.Errorf("defaults: %+v", o)
	}
	if o.Weapon != nil || o.Observer != nil || o.Location != nil || o.Grading != nil || o.Evidence != nil || o.Warnings != nil {
		t.Errorf("absent parts present: %+v", o)
	}
}

func TestParseMGRSWithoutResolver(t *testing.T) {
	o, errs := Parse(mustDecode(t, `{"id":"a","source":"s","observed_at":"2026-08-23T14:05:00Z","kind":"shot","location":{"mgrs":"37UDP"}}`), received, nil)
	if len(errs) > 0 || o.Location == nil || o.Location.Resolved || o.Location.MGRS != "37UDP" || o.Position() != nil {
		t.Errorf("%v %+v", errs, o.Location)
	}
	failing := func(string) (float64, float64, error) { return 0, 0, errors.New("mgrs: conversion not built yet") }
	o, errs = Parse(mustDecode(t, `{"id":"a","source":"s","observed_at":"2026-08-23T14:05:00Z","kind":"shot","location":{"mgrs":"37UDP"}}`), received, failing)
	if len(errs) > 0 || o.Location.Resolved || len(o.Warnings) != 1 {
		t.Errorf("%v %+v %q", errs, o.Location, o.Warnings)
	}
}

func TestParseFuture(t *testing.T) {
	tests := []struct {
		at     string
		future bool
	}{
		{"2026-08-23T15:05:00Z", false},
		{"2026-08-23T15:05:00.000000001Z", true},
		{"2026-08-23T18:04:59+03:00", false},
		{"2026-08-23T18:05:01+03:00", true},
		{"2027-01-01T00:00:00Z", true},
		{"2026-08-23T14:00:00Z", false},
	}
	for _, tt := range tests {
		t.Run(tt.at, func(t *testing.T) {
			_, errs := Parse(mustDecode(t, `{"id":"a","source":"s","kind":"shot","observed_at":"`+tt.at+`"}`), received, nil)
			got := len(errs) == 1 && errs[0].Pointer == "/observed_at" && strings.Contains(errs[0].Detail, "lies in the future")
			if got != tt.future || (!tt.future && len(errs) > 0) {
				t.Errorf("errors %v, future %v", errs, tt.future)
			}
		})
	}
}

func TestParseLeapSecond(t *testing.T) {
	o, errs := Parse(mustDecode(t, `{"id":"a","source":"s","kind":"shot","observed_at":"2016-12-31T23:59:60.5Z"}`), received, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if want := time.Date(2017, 1, 1, 0, 0, 0, 500_000_000, time.UTC); !o.ObservedAt.Equal(want) {
		t.Errorf("leap second read as %v, want %v", o.ObservedAt, want)
	}
}

func TestFieldErrorMessages(t *testing.T) {
	docs, err := Decode(MediaNDJSON, []byte("\n\n"+`{"id":"a","source":"s","observed_at":"2026-08-23T14:05:00Z","kind":"shot","observer":{"lat":91.5,"lon":0}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, errs := Parse(docs[0], received, nil)
	if len(errs) != 1 {
		t.Fatal(errs)
	}
	if got, want := errs[0].Error(), "line 3: /observer/lat: must be at most 90 (got 91.5)"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	tests := []struct {
		fe   FieldError
		want string
	}{
		{FieldError{Pointer: "/count", Index: 4, Detail: "must be at least 1 (got 0)"}, "document 4: /count: must be at least 1 (got 0)"},
		{FieldError{Pointer: "/id", Row: 7, Line: 9, Detail: "is required"}, "row 7: /id: is required"},
		{FieldError{Pointer: "", Detail: "a report must be a JSON object, not an array"}, "document 0: (document): a report must be a JSON object, not an array"},
	}
	for _, tt := range tests {
		if got := tt.fe.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	sum := Summary([]FieldError{tests[0].fe, tests[1].fe, tests[2].fe}, 2)
	if !strings.Contains(sum, "document 4") || !strings.Contains(sum, "row 7") || !strings.Contains(sum, "… and 1 more") {
		t.Errorf("summary %q", sum)
	}
}

// Every bad field is named, each once, in the document's own terms.
func TestParseNamesEveryField(t *testing.T) {
	doc := mustDecode(t, `{"id":"","source":"s s","observed_at":"2026-02-30T00:00:00Z","kind":"bomb","count":0,
		"weapon":{"class":"laser","caliber_mm":0,"system":5},"observer":{"lat":91,"lon":181,"cep_m":-1},
		"location":{"lat":1,"lon":2,"mgrs":"37UDP"},"bearing_deg":360,"range_m":{"min":-1},
		"reported_party":"ru","grading":{"reliability":"Z","credibility":7,"x":1},"evidence":[{"sha256":"x"},3],
		"marking":"SECRET","notes":1,"signature":{},"extra":true}`)
	_, errs := Parse(doc, received, nil)
	want := []string{"/id", "/source", "/observed_at", "/kind", "/count", "/weapon/class", "/weapon/caliber_mm", "/weapon/system",
		"/observer/lat", "/observer/lon", "/observer/cep_m", "/location", "/bearing_deg", "/range_m/min", "/range_m/max",
		"/reported_party", "/grading/reliability", "/grading/credibility", "/grading/x", "/evidence/0/sha256", "/evidence/1",
		"/marking", "/notes", "/signature/key_id", "/signature/sig", "/extra"}
	for _, p := range want {
		if !hasPointer(errs, p) {
			t.Errorf("%s not named", p)
		}
	}
	if len(errs) < len(want) {
		t.Errorf("%d errors for %d bad fields:\n%s", len(errs), len(want), Summary(errs, 0))
	}
}

// The hand-written matchers must agree with the schema's expressions.
func TestPatternsMatchRegexps(t *testing.T) {
	matchers := []struct {
		pattern string
		match   func(string) bool
	}{
		{patternID, matchID},
		{patternParty, matchParty},
		{patternSHA256, matchSHA256},
		{patternMarking, matchMarking},
		{patternMGRS, matchMGRS},
	}
	r := rand.New(rand.NewPCG(11, 12))
	alphabet := []string{"A", "Z", "C", "I", "O", "X", "Y", "D", "P", "a", "f", "g", "0", "1", "9", " ", ",", ".", "_", ":", "-", "/", "é", "\n",
		"REL TO ", "PUBLIC", "MISSION", "COMMISSION", ", ", "USA", "37U", "DP", "12345"}
	for _, m := range matchers {
		t.Run(m.pattern, func(t *testing.T) {
			re := regexp.MustCompile(m.pattern)
			check := func(s string) {
				if got, want := m.match(s), re.MatchString(s); got != want {
					t.Fatalf("%q: matcher %v, regexp %v", s, got, want)
				}
			}
			for range 200000 {
				var b strings.Builder
				for range r.IntN(14) {
					b.WriteString(alphabet[r.IntN(len(alphabet))])
				}
				check(b.String())
			}
			for _, s := range []string{"", strings.Repeat("a", 64), strings.Repeat("0", 64), "AB", "A" + strings.Repeat("B", 15), "A" + strings.Repeat("B", 16),
				"37UDP 12345 67890", "4QFJ1 2", "37UDP ", "37UDP 1", "REL TO USA,UKR", "REL TO USA,"} {
				check(s)
			}
		})
	}
}

// The exact comparison of literals with bounds must agree with big.Rat.
func TestDecimalAgreesWithBigRat(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	bounds := []int64{0, 1, -1, 6, 90, -90, 180, -180, 360, 1000, 86400, 100000, 100001}
	gen := func() string {
		var b strings.Builder
		if r.IntN(3) == 0 {
			b.WriteByte('-')
		}
		if r.IntN(3) == 0 {
			b.WriteByte('0')
		} else {
			b.WriteByte(byte('1' + r.IntN(9)))
			for range r.IntN(7) {
				b.WriteByte(byte('0' + r.IntN(10)))
			}
		}
		if r.IntN(2) == 0 {
			b.WriteByte('.')
			for range 1 + r.IntN(25) {
				b.WriteByte("0009"[r.IntN(4)])
			}
		}
		if r.IntN(3) == 0 {
			b.WriteString([]string{"e", "E", "e+", "e-"}[r.IntN(4)])
			b.WriteString(fmt.Sprint(r.IntN(8)))
		}
		return b.String()
	}
	for range 100000 {
		lit := gen()
		if !canonical.IsNumberLiteral(lit) {
			t.Fatalf("generator made %q", lit)
		}
		rat, _ := new(big.Rat).SetString(lit)
		d := parseDecimal(lit)
		if got, want := d.isInteger(), rat.IsInt(); got != want {
			t.Fatalf("%s: isInteger %v, want %v", lit, got, want)
		}
		if n, ok := d.int64(); ok && (!rat.IsInt() || rat.Num().Int64() != n) {
			t.Fatalf("%s: int64 %d", lit, n)
		}
		for _, b := range bounds {
			if got, want := d.cmpInt(b), rat.Cmp(new(big.Rat).SetInt64(b)); got != want {
				t.Fatalf("%s vs %d: %d, want %d", lit, b, got, want)
			}
		}
	}
}

// parseDateTime must decide as the reference validator's "date-time"
// format does, except where that one takes a signed two-digit field.
func TestDateTimeAgreesWithReference(t *testing.T) {
	s := needSchema(t)
	r := rand.New(rand.NewPCG(9, 10))
	base := []byte("2016-12-31T23:59:60.123+01:00")
	pool := []byte("0123456789:-+.TtZz 5")
	for i := range 20000 {
		b := append([]byte(nil), base...)
		for range 1 + r.IntN(3) {
			switch k := r.IntN(3); {
			case k == 0 && len(b) > 0:
				b[r.IntN(len(b))] = pool[r.IntN(len(pool))]
			case k == 1 && len(b) > 0:
				j := r.IntN(len(b))
				b = append(b[:j], b[j+1:]...)
			default:
				j := r.IntN(len(b) + 1)
				b = append(b[:j], append([]byte{pool[r.IntN(len(pool))]}, b[j:]...)...)
			}
		}
		doc := Document{Value: canonical.ObjectValue(
			canonical.Member{Name: "id", Value: canonical.StringValue("a")},
			canonical.Member{Name: "source", Value: canonical.StringValue("s")},
			canonical.Member{Name: "kind", Value: canonical.StringValue("shot")},
			canonical.Member{Name: "observed_at", Value: canonical.StringValue(string(b))},
		), Index: i}
		compareWithReference(t, s, doc, fmt.Sprintf("observed_at %q", b))
	}
}
