package agreement

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// smallDoc returns testdata/small.json as a generic document to mutate.
func smallDoc(t testing.TB) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "small.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// at walks a JSON pointer to the parent of its last token.
func at(t testing.TB, doc any, ptr string) (parent any, last string) {
	t.Helper()
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	cur := doc
	for _, tok := range toks[:len(toks)-1] {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil {
				t.Fatalf("%s: %v", ptr, err)
			}
			cur = c[i]
		default:
			t.Fatalf("%s: cannot walk into %T", ptr, cur)
		}
	}
	return cur, toks[len(toks)-1]
}

// set replaces (or adds) the value at ptr; del removes it.
func set(t testing.TB, doc any, ptr string, v any) {
	t.Helper()
	parent, last := at(t, doc, ptr)
	switch p := parent.(type) {
	case map[string]any:
		p[last] = v
	case []any:
		i, _ := strconv.Atoi(last)
		p[i] = v
	}
}

func del(t testing.TB, doc any, ptr string) {
	t.Helper()
	parent, last := at(t, doc, ptr)
	delete(parent.(map[string]any), last)
}

func get(t testing.TB, doc any, ptr string) any {
	t.Helper()
	parent, last := at(t, doc, ptr)
	switch p := parent.(type) {
	case map[string]any:
		return p[last]
	case []any:
		i, _ := strconv.Atoi(last)
		return p[i]
	}
	return nil
}

func marshal(t testing.TB, doc any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func square(w, s, e, n float64) []any {
	return []any{[]any{w, s}, []any{e, s}, []any{e, n}, []any{w, n}, []any{w, s}}
}

func TestSmallIsValid(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "small.json"))
	if err != nil {
		t.Fatal(err)
	}
	if probs := Validate("small.json", data); len(probs) > 0 {
		t.Fatal(probs)
	}
}

// TestValidateBadFiles: one problem kind per case, each asserting the
// JSON pointer and the message a person will read.
func TestValidateBadFiles(t *testing.T) {
	tests := []struct {
		name   string
		raw    string                                 // a whole file, or
		mutate func(t testing.TB, doc map[string]any) // a change to small.json
		want   string                                 // the full String() of the first problem, or
		path   string                                 // its path and
		msg    string                                 // a part of its message
	}{
		{name: "malformed JSON", raw: "{\n  \"id\": \"x\",\n  \"version\": 1,,\n}", want: "bad.json:3:16: the file is not valid JSON: invalid character ',' looking for beginning of object key string"},
		{name: "truncated", raw: "{\"id\": \"x\"", msg: "ends in the middle"},
		{name: "two objects", raw: "{}\n{}", msg: "more after the end"},
		{name: "not an object", raw: "[1, 2]", path: "/", msg: "the agreement must be an object"},
		{name: "missing effective_from", mutate: func(t testing.TB, d map[string]any) { del(t, d, "/effective_from") },
			want: "bad.json: /effective_from: effective_from is missing: an agreement version takes effect at a stated time, written in RFC 3339 such as \"2026-09-01T00:00:00Z\""},
		{name: "effective_from without offset", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/effective_from", "2026-09-01 00:00") },
			path: "/effective_from", msg: "not a time in RFC 3339 form"},
		{name: "version zero", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/version", 0) }, path: "/version", msg: "whole number from 1 up"},
		{name: "unknown party", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/controlled_areas/1/party", "RUX") },
			want: "bad.json: /controlled_areas/1/party: controlled area 1 names party \"RUX\", which is not among the agreement's parties (UKR, RUS)"},
		{name: "duplicate party", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/parties/1/code", "UKR") },
			path: "/parties/1/code", msg: "party \"UKR\" is defined twice (also at /parties/0)"},
		{name: "bad party code", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/parties/1/code", "ru") },
			path: "/parties/1/code", msg: "must be 2–16 capital letters"},
		{name: "no parties", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/parties", []any{}) }, path: "/parties", msg: "must not be empty"},
		{name: "unclosed ring", mutate: func(t testing.TB, d map[string]any) {
			set(t, d, "/controlled_areas/0/geometry/coordinates/0", square(36, 47, 38, 49)[:4])
		}, path: "/controlled_areas/0/geometry/coordinates/0", msg: "outer ring: the ring is not closed: its last position (49.00000 N, 36.00000 E) differs from its first (47.00000 N, 36.00000 E)"},
		{name: "self-intersecting ring", mutate: func(t testing.TB, d map[string]any) {
			set(t, d, "/controlled_areas/0/geometry/coordinates/0", []any{[]any{36.0, 47.0}, []any{38.0, 49.0}, []any{38.0, 47.0}, []any{36.0, 49.0}, []any{36.0, 47.0}})
		}, path: "/controlled_areas/0/geometry/coordinates/0", msg: "outer ring: the ring crosses itself: segment 0–1 crosses segment 2–3 near 48."},
		{name: "weapon reach without a range", mutate: func(t testing.TB, d map[string]any) {
			set(t, d, "/weapon_reach", []any{map[string]any{"class": "mortar", "max_range_m": 0}})
		}, want: "bad.json: /weapon_reach/0/max_range_m: weapon_reach entry 0: max_range_m must be more than 0 and at most 10,000,000 metres, not 0"},
		{name: "weapon reach of no class", mutate: func(t testing.TB, d map[string]any) {
			set(t, d, "/weapon_reach", []any{map[string]any{"class": "howitzer", "max_range_m": 20000}})
		}, path: "/weapon_reach/0/class", msg: "weapon_reach entry 0 lists weapon class \"howitzer\", which is not a weapon class of the intake schema"},
		{name: "weapon reach not an object", mutate: func(t testing.TB, d map[string]any) {
			set(t, d, "/weapon_reach", []any{"mortar 7 km"})
		}, path: "/weapon_reach/0", msg: "must be an object such as"},
		{name: "too few positions", mutate: func(t testing.TB, d map[string]any) {
			set(t, d, "/zones/4/geometry/coordinates/0", []any{[]any{37.9, 47.9}, []any{38.1, 47.9}, []any{37.9, 47.9}})
		}, path: "/zones/4/geometry/coordinates/0", msg: "a ring needs at least 4 positions"},
		{name: "latitude out of range", mutate: func(t testing.TB, d map[string]any) {
			set(t, d, "/controlled_areas/0/geometry/coordinates/0/2/1", 99.0)
		},
			path: "/controlled_areas/0/geometry/coordinates/0/2/1", msg: "latitude 99 is outside −90..90"},
		{name: "position not a pair", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/lines/0/geometry/coordinates/1", []any{38.0}) },
			path: "/lines/0/geometry/coordinates/1", msg: "a position must be [longitude, latitude]"},
		{name: "hole outside its polygon", mutate: func(t testing.TB, d map[string]any) {
			set(t, d, "/zones/4/geometry/coordinates", []any{square(37.9, 47.9, 38.1, 48.1), square(39.5, 47.5, 39.6, 47.6)})
		}, path: "/zones/4/geometry/coordinates/1", msg: "hole 1: this hole is not inside the polygon's outer ring"},
		{name: "bad ring in a MultiPolygon", mutate: func(t testing.TB, d map[string]any) {
			set(t, d, "/controlled_areas/0/geometry", map[string]any{"type": "MultiPolygon", "coordinates": []any{
				[]any{square(36, 47, 37, 49)}, []any{square(37, 47, 38, 49)[:4]}}})
		}, path: "/controlled_areas/0/geometry/coordinates/1/0", msg: "not closed"},
		{name: "wrong geometry type", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/lines/0/geometry/type", "Polygon") },
			path: "/lines/0/geometry/type", msg: "must be a LineString or a MultiLineString, not \"Polygon\""},
		{name: "overlapping control areas", mutate: func(t testing.TB, d map[string]any) {
			set(t, d, "/controlled_areas/1/geometry/coordinates/0", square(37.5, 47, 40, 49))
		}, path: "/controlled_areas/1/geometry", msg: "controlled areas 0 (UKR) and 1 (RUS) overlap: both contain"},
		{name: "zone on a missing line", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/zones/1/line", "front") },
			want: "bad.json: /zones/1/line: zone \"mlrs\" refers to line \"front\", which the agreement does not define"},
		{name: "unknown weapon class", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/zones/0/weapons/0/class", "artilery") },
			path: "/zones/0/weapons/0/class", msg: "zone \"heavy-artillery\" lists weapon class \"artilery\", which is not a weapon class of the intake schema — did you mean \"artillery\"?"},
		{name: "calibre range empty", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/zones/0/weapons/0/max_caliber_mm", 99) },
			path: "/zones/0/weapons/0/max_caliber_mm", msg: "max_caliber_mm (99) is less than min_caliber_mm (100)"},
		{name: "unknown zone kind", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/zones/0/kind", "buffer") },
			path: "/zones/0/kind", msg: "kind \"buffer\" is not a kind of zone"},
		{name: "withdrawal zone with a polygon", mutate: func(t testing.TB, d map[string]any) {
			set(t, d, "/zones/0/geometry", map[string]any{"type": "Polygon", "coordinates": []any{square(37, 47, 38, 48)}})
		}, path: "/zones/0/geometry", msg: "takes no geometry"},
		{name: "demilitarised zone with a line", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/zones/4/line", "contact") },
			path: "/zones/4/line", msg: "takes no \"line\""},
		{name: "negative distance", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/zones/2/distance_m", -70000) },
			path: "/zones/2/distance_m", msg: "more than 0"},
		{name: "zone for an unknown party", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/zones/2/party", "BLR") },
			path: "/zones/2/party", msg: "names party \"BLR\""},
		{name: "misspelt field", mutate: func(t testing.TB, d map[string]any) {
			z := get(t, d, "/zones/1").(map[string]any)
			z["distnce_m"] = z["distance_m"]
			delete(z, "distance_m")
		}, path: "/zones/1/distnce_m", msg: "zone \"mlrs\" has no field \"distnce_m\" — did you mean \"distance_m\"?"},
		{name: "duplicate line id", mutate: func(t testing.TB, d map[string]any) {
			set(t, d, "/lines", append(get(t, d, "/lines").([]any), get(t, d, "/lines/0")))
		}, path: "/lines/1/id", msg: "line \"contact\" is defined twice"},
		{name: "duplicate zone id", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/zones/1/id", "heavy-artillery") },
			path: "/zones/1/id", msg: "zone \"heavy-artillery\" is defined twice"},
		{name: "duplicate rule id", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/rules/1/id", "fire-after-ceasefire") },
			path: "/rules/1/id", msg: "rule \"fire-after-ceasefire\" is defined twice"},
		{name: "bad CEL", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/rules/0/condition", "event.kind == 'explosion' &&") },
			path: "/rules/0/condition", msg: "rule \"fire-after-ceasefire\": the condition is not valid CEL: ERROR: <input>:1:"},
		{name: "CEL misspelt field", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/rules/1/condition", "event.wepon_class == 'mlrs'") },
			path: "/rules/1/condition", msg: "undefined field 'wepon_class'"},
		{name: "CEL not true or false", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/rules/1/condition", "event.count + 1") },
			path: "/rules/1/condition", msg: "must come out true or false, but it gives int"},
		{name: "CEL on an undefined line", mutate: func(t testing.TB, d map[string]any) {
			set(t, d, "/rules/3/condition", "place.distance_m['front'] < 50000.0")
		}, path: "/rules/3/condition", msg: "measures from line \"front\", which the agreement does not define"},
		{name: "CEL too costly", mutate: func(t testing.TB, d map[string]any) {
			set(t, d, "/rules/1/condition", "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, a+b+c+d+e > 0)))))")
		}, path: "/rules/1/condition", msg: "could take too long to evaluate"},
		{name: "bad severity", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/rules/0/severity", "grave") },
			path: "/rules/0/severity", msg: "severity \"grave\" is not one of low, medium, high, critical"},
		{name: "threshold out of range", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/thresholds/attribution_probability", 1.5) },
			want: "bad.json: /thresholds/attribution_probability: attribution_probability must be between 0.5 and 1 (a probability; below 0.5 two parties could both be held responsible), not 1.5"},
		{name: "threshold missing", mutate: func(t testing.TB, d map[string]any) { del(t, d, "/thresholds") }, path: "/thresholds", msg: "missing \"thresholds\""},
		{name: "string where a number goes", mutate: func(t testing.TB, d map[string]any) { set(t, d, "/zones/0/distance_m", "25 km") },
			path: "/zones/0/distance_m", msg: "\"distance_m\" must be a number, not a string"},
		{name: "commission chair not a member", mutate: func(t testing.TB, d map[string]any) { addTerms(d); set(t, d, "/commission/chair", "CAN") },
			want: "bad.json: /commission/chair: the chair \"CAN\" is not among the Commission's members (USA, GBR, FRA, DEU, UKR, RUS); the chair must hold a seat"},
		{name: "commission member twice", mutate: func(t testing.TB, d map[string]any) { addTerms(d); set(t, d, "/commission/members/2/org", "GBR") },
			path: "/commission/members/2/org", msg: "GBR sits on the Commission twice (also at /commission/members/1)"},
		{name: "quorum beyond the voting members", mutate: func(t testing.TB, d map[string]any) { addTerms(d); set(t, d, "/commission/quorum", 5) },
			want: "bad.json: /commission/quorum: a quorum of 5 could never be reached: the Commission has 4 voting members"},
		{name: "quorum fraction above one", mutate: func(t testing.TB, d map[string]any) { addTerms(d); set(t, d, "/commission/quorum", "3/2") },
			path: "/commission/quorum", msg: "must be a fraction more than 0 and at most 1"},
		{name: "quorum as a decimal", mutate: func(t testing.TB, d map[string]any) { addTerms(d); set(t, d, "/commission/quorum", 0.5) },
			path: "/commission/quorum", msg: "a fraction of them written as a string such as \"2/3\""},
		{name: "unknown majority", mutate: func(t testing.TB, d map[string]any) { addTerms(d); set(t, d, "/commission/majority", "two_third") },
			path: "/commission/majority", msg: "did you mean \"two_thirds\"?"},
		{name: "reply deadline not a period", mutate: func(t testing.TB, d map[string]any) { addTerms(d); set(t, d, "/commission/reply_deadline", "3 days") },
			path: "/commission/reply_deadline", msg: "write whole hours or days, such as \"72h\" or \"14d\""},
		{name: "parties_vote in quotes", mutate: func(t testing.TB, d map[string]any) { addTerms(d); set(t, d, "/commission/parties_vote", "no") },
			path: "/commission/parties_vote", msg: "must be true or false"},
		{name: "nobody could vote", mutate: func(t testing.TB, d map[string]any) {
			addTerms(d)
			set(t, d, "/commission/members", []any{map[string]any{"org": "UKR"}, map[string]any{"org": "RUS"}})
			set(t, d, "/commission/chair", "UKR")
			set(t, d, "/commission/quorum", 1)
		}, path: "/commission/members", msg: "nobody could vote"},
		{name: "remedy not on the format's ladder", mutate: func(t testing.TB, d map[string]any) {
			addTerms(d)
			set(t, d, "/commission/remedies/1/kind", "withdrawl")
		},
			path: "/commission/remedies/1/kind", msg: "remedy kind \"withdrawl\" is not one the format knows — did you mean \"withdrawal\"?"},
		{name: "withdrawal without a date", mutate: func(t testing.TB, d map[string]any) {
			addTerms(d)
			del(t, d, "/commission/remedies/1/compliance_deadline")
		},
			path: "/commission/remedies/1", msg: "a demand to withdraw by a date: it needs a compliance_deadline"},
		{name: "auto-open severity unknown", mutate: func(t testing.TB, d map[string]any) {
			addTerms(d)
			set(t, d, "/commission/auto_open_severity", "grave")
		},
			path: "/commission/auto_open_severity", msg: "not one of low, medium, high, critical"},
		{name: "coverage as a percentage", mutate: func(t testing.TB, d map[string]any) {
			addTerms(d)
			set(t, d, "/guarantees/credible_cessation/min_coverage", 60)
		},
			path: "/guarantees/credible_cessation/min_coverage", msg: "from 0 to 1 (0.6 for 60 %)"},
		{name: "cessation window not whole days", mutate: func(t testing.TB, d map[string]any) {
			addTerms(d)
			set(t, d, "/guarantees/credible_cessation/window_days", 14.5)
		},
			path: "/guarantees/credible_cessation/window_days", msg: "window_days must be a whole number from 1 to 90"},
		{name: "armed attack on an undefined line", mutate: func(t testing.TB, d map[string]any) { addTerms(d); set(t, d, "/guarantees/armed_attack/line", "front") },
			path: "/guarantees/armed_attack/line", msg: "armed_attack measures from line \"front\", which the agreement does not define"},
		{name: "armed attack without an indicator", mutate: func(t testing.TB, d map[string]any) {
			addTerms(d)
			set(t, d, "/guarantees/armed_attack", map[string]any{"line": "contact"})
		}, path: "/guarantees/armed_attack", msg: "names no indicator"},
		{name: "misspelt commission field", mutate: func(t testing.TB, d map[string]any) {
			addTerms(d)
			c := get(t, d, "/commission").(map[string]any)
			c["reply_deadlin"] = c["reply_deadline"]
			delete(c, "reply_deadline")
		}, path: "/commission/reply_deadlin", msg: "the commission has no field \"reply_deadlin\" — did you mean \"reply_deadline\"?"},
		{name: "duplicate JSON key", raw: strings.Replace(string(marshal(t, smallDoc(t))), `"version": 1,`, `"version": 1, "version": 2,`, 1),
			path: "/version", msg: "the field \"version\" appears twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.raw)
			if tc.mutate != nil {
				doc := smallDoc(t)
				tc.mutate(t, doc)
				data = marshal(t, doc)
			}
			probs := Validate("bad.json", data)
			if len(probs) == 0 {
				t.Fatal("no problem found")
			}
			p := probs[0]
			if tc.want != "" && p.String() != tc.want {
				t.Errorf("got  %s\nwant %s", p, tc.want)
			}
			if tc.path != "" && p.Path != tc.path {
				t.Errorf("path %q, want %q (%s)", p.Path, tc.path, p)
			}
			if !strings.Contains(p.Message, tc.msg) {
				t.Errorf("message %q does not contain %q", p.Message, tc.msg)
			}
			if p.File != "bad.json" || (p.Path != "" && p.Line == 0) {
				t.Errorf("problem not placed in the file: %+v", p)
			}
			if len(probs) > 1 {
				t.Logf("also: %v", probs[1:])
			}
			if _, err := Parse("bad.json", data); err == nil {
				t.Error("Parse accepted what Validate rejects")
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	doc := smallDoc(t)
	set(t, doc, "/zones/1/line", "front")
	set(t, doc, "/zones/0/weapons/0/class", "howitzer")
	set(t, doc, "/rules/0/condition", "event.kind ==")
	del(t, doc, "/effective_from")
	set(t, doc, "/controlled_areas/1/party", "RUX")
	probs := Validate("demo.json", marshal(t, doc))
	want := []string{"/effective_from", "/controlled_areas/1/party", "/zones/0/weapons/0/class", "/zones/1/line", "/rules/0/condition"}
	var got []string
	for _, p := range probs {
		got = append(got, p.Path)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("paths %v, want %v\n%v", got, want, probs)
	}
	for _, p := range probs {
		if p.Feature < 0 && strings.Count(p.Path, "/") > 1 {
			t.Errorf("%s: no feature index", p)
		}
	}
	if probs[3].Feature != 1 || probs[3].At != nil {
		t.Errorf("zone problem: feature %d", probs[3].Feature)
	}
}

func TestProblemPlacesOverlapOnTheGround(t *testing.T) {
	doc := smallDoc(t)
	set(t, doc, "/controlled_areas/1/geometry/coordinates/0", square(37.5, 47, 40, 49))
	probs := Validate("x.json", marshal(t, doc))
	if len(probs) != 1 || probs[0].At == nil {
		t.Fatalf("want one overlap with a witness, got %v", probs)
	}
	w := *probs[0].At
	if !(w.Lon >= 37.5 && w.Lon <= 38 && w.Lat >= 47 && w.Lat <= 49) {
		t.Errorf("witness %v is not in the overlap (37.5–38 E, 47–49 N)", w)
	}
}

func TestLineAndColumn(t *testing.T) {
	data := []byte("{\n  \"id\": \"x\",\n  \"version\": \"one\"\n}")
	probs := Validate("x.json", data)
	for _, p := range probs {
		if p.Path == "/version" {
			if p.Line != 3 || p.Column != 14 {
				t.Errorf("/version at %d:%d, want 3:14", p.Line, p.Column)
			}
			return
		}
	}
	t.Errorf("no problem at /version: %v", probs)
}

func FuzzParse(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "small.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"id":"a","version":1,"effective_from":"2026-01-01T00:00:00Z","parties":[{"code":"AA","name":"A"}],"thresholds":{"attribution_probability":0.9},"rules":[{"id":"r","title":"t","severity":"low","condition":"event.count > 1"}]}`))
	f.Add([]byte(`{"controlled_areas":[{"party":"X","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}}]}`))
	f.Add([]byte(`{"lines":[{"id":"l","geometry":{"type":"LineString","coordinates":[[0,0],[0,0]]}}]}`))
	f.Add([]byte("{\"id\": \"\u00e9\", \"id\": 1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse("fuzz.json", data)
		if (a == nil) == (err == nil) {
			t.Fatalf("Parse returned agreement %v and error %v", a != nil, err)
		}
		if err != nil {
			for _, p := range err.(Problems) {
				_ = p.String()
			}
		}
	})
}

// TestFormatDocExample keeps FORMAT.md honest: its example file parses and
// every example condition compiles against it.
func TestFormatDocExample(t *testing.T) {
	doc, err := os.ReadFile("FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	start := strings.Index(text, "```json\n")
	end := strings.Index(text[start+8:], "```")
	a, err := Parse("FORMAT.md example", []byte(text[start+8:start+8+end]))
	if err != nil {
		t.Fatal(err)
	}
	ex := text[strings.Index(text, "Examples:\n\n```\n")+len("Examples:\n\n```\n"):]
	ex = ex[:strings.Index(ex, "```")]
	env, err := celEnv()
	if err != nil {
		t.Fatal(err)
	}
	for _, cond := range strings.Split(strings.TrimSpace(ex), "\n") {
		if _, msg := compileRule(env, cond, a); msg != "" {
			t.Errorf("%s: %s", cond, msg)
		}
	}
}
