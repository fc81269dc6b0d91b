package observation

import (
	"errors"
	"os"
	"strings"
	"testing"
)

const (
	reportA = `{"id":"a","source":"s","observed_at":"2026-08-23T14:05:00Z","kind":"explosion","observer":{"lat":48.5,"lon":37.25}}`
	reportB = `{"id":"b","source":"s","observed_at":"2026-08-23T14:06:00Z","kind":"shot","count":2.0}`
)

func TestDecode(t *testing.T) {
	type want struct {
		canonical  string
		index      int
		line, row  int
		single     bool
		memberList string // member names of the decoded value, in order
	}
	tests := []struct {
		name, mediaType, body string
		want                  []want
	}{
		{"one object", MediaJSON, reportA, []want{{canonical: `{"id":"a","kind":"explosion","observed_at":"2026-08-23T14:05:00Z","observer":{"lat":48.5,"lon":37.25},"source":"s"}`, single: true}}},
		{"array", "application/json; charset=utf-8", "[" + reportA + ",\n" + reportB + "]", []want{
			{canonical: `{"id":"a","kind":"explosion","observed_at":"2026-08-23T14:05:00Z","observer":{"lat":48.5,"lon":37.25},"source":"s"}`},
			{canonical: `{"count":2,"id":"b","kind":"shot","observed_at":"2026-08-23T14:06:00Z","source":"s"}`, index: 1},
		}},
		{"empty array", MediaJSON, " [ ] ", nil},
		{"scalar is one document", MediaJSON, `42`, []want{{canonical: `42`, single: true}}},
		{"byte order mark", MediaJSON, "\ufeff" + reportB, []want{{canonical: `{"count":2,"id":"b","kind":"shot","observed_at":"2026-08-23T14:06:00Z","source":"s"}`, single: true}}},
		{"ndjson with blank lines and CRLF", MediaNDJSON, "\n" + reportA + "\r\n  \r\n\t\n" + reportB + "\n", []want{
			{canonical: `{"id":"a","kind":"explosion","observed_at":"2026-08-23T14:05:00Z","observer":{"lat":48.5,"lon":37.25},"source":"s"}`, line: 2},
			{canonical: `{"count":2,"id":"b","kind":"shot","observed_at":"2026-08-23T14:06:00Z","source":"s"}`, index: 1, line: 5},
		}},
		{"ndjson alias, no final newline", "application/jsonl", reportB, []want{{canonical: `{"count":2,"id":"b","kind":"shot","observed_at":"2026-08-23T14:06:00Z","source":"s"}`, line: 1}}},
		{"ndjson sniffed", "", reportA + "\n" + reportB, []want{{line: 1, memberList: "id,source,observed_at,kind,observer"}, {index: 1, line: 2}}},
		{"array sniffed", "", "[" + reportB + "]", []want{{memberList: "id,source,observed_at,kind,count"}}},
		{"pretty object sniffed", "text/plain", "{\n  \"id\": \"x\"\n}\n", []want{{canonical: `{"id":"x"}`, single: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := Decode(tt.mediaType, []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != len(tt.want) {
				t.Fatalf("%d documents, want %d", len(docs), len(tt.want))
			}
			for i, w := range tt.want {
				d := docs[i]
				if w.canonical != "" && string(d.Canonical) != w.canonical {
					t.Errorf("doc %d canonical\n got %s\nwant %s", i, d.Canonical, w.canonical)
				}
				if d.Index != w.index || d.Line != w.line || d.Row != w.row || d.Single != w.single {
					t.Errorf("doc %d placed at index %d line %d row %d single %v, want %d %d %d %v", i, d.Index, d.Line, d.Row, d.Single, w.index, w.line, w.row, w.single)
				}
				if w.memberList != "" {
					var names []string
					for _, m := range d.Value.Members {
						names = append(names, m.Name)
					}
					if got := strings.Join(names, ","); got != w.memberList {
						t.Errorf("doc %d members %s, want %s", i, got, w.memberList)
					}
				}
			}
		})
	}
}

// Number literals reach Parse exactly as sent, whatever the canonical
// form makes of them.
func TestDecodeKeepsNumberLiterals(t *testing.T) {
	docs, err := Decode(MediaJSON, []byte(`{"observer":{"lat":90.0000000000000001,"lon":1.0}}`))
	if err != nil {
		t.Fatal(err)
	}
	obs := docs[0].Value.Get("observer")
	if lat := obs.Get("lat"); lat.Text != "90.0000000000000001" || lat.Num != 90 {
		t.Errorf("lat literal %q (%v)", lat.Text, lat.Num)
	}
	if string(docs[0].Canonical) != `{"observer":{"lat":90,"lon":1}}` {
		t.Errorf("canonical %s", docs[0].Canonical)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, mediaType, body string
		want                  DecodeError
		contains              string
	}{
		{"json syntax", MediaJSON, "{\n  \"id\": \"x\",\n  \"kind\": explosion\n}", DecodeError{Encoding: "json", Line: 3, Column: 11, Pointer: "/kind"}, "expected a value"},
		{"json syntax in batch", MediaJSON, "[" + reportA + ",\n{\"id\": 1,}]", DecodeError{Encoding: "json", Index: 1, Line: 2, Column: 10, Pointer: "/id"}, "member name"},
		{"json duplicate member", MediaJSON, `[{"id":"a"},{"id":"a","id":"b"}]`, DecodeError{Encoding: "json", Index: 1, Line: 1, Column: 23, Pointer: "/id"}, "given twice"},
		{"json trailing data", MediaJSON, reportA + " x", DecodeError{Encoding: "json", Line: 1, Column: len(reportA) + 2}, "after the JSON value"},
		{"json number too large", MediaJSON, `{"range_m":{"min":1e400}}`, DecodeError{Encoding: "json", Line: 1, Column: 19, Pointer: "/range_m/min"}, "beyond the range"},
		{"json invalid utf-8", MediaJSON, "{\"notes\":\"\xff\"}", DecodeError{Encoding: "json", Line: 1, Column: 11, Pointer: "/notes"}, "UTF-8"},
		{"json lone surrogate", MediaJSON, `{"notes":"\ud800"}`, DecodeError{Encoding: "json", Line: 1, Column: 11, Pointer: "/notes"}, "surrogate"},
		{"json empty body", MediaJSON, "", DecodeError{Encoding: "json", Line: 1, Column: 1}, "expected a value"},
		{"ndjson bad line", MediaNDJSON, reportA + "\n\n{\"id\": \"x\" \"kind\": 1}\n" + reportB, DecodeError{Encoding: "ndjson", Index: 1, Line: 3, Column: 12, Pointer: "/id"}, "expected ',' or '}'"},
		{"ndjson value split over lines", MediaNDJSON, "{\n\"id\":\"x\"}", DecodeError{Encoding: "ndjson", Line: 1, Column: 2}, "end of input"},
		{"ndjson duplicate", MediaNDJSON, `{"weapon":{"class":"tank","class":"mortar"}}`, DecodeError{Encoding: "ndjson", Line: 1, Column: 27, Pointer: "/weapon/class"}, "given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := Decode(tt.mediaType, []byte(tt.body))
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("got %d documents and %v, want a *DecodeError", len(docs), err)
			}
			if docs != nil {
				t.Errorf("documents returned with an error")
			}
			got := *de
			got.Detail = ""
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if !strings.Contains(de.Detail, tt.contains) {
				t.Errorf("detail %q, want it to contain %q", de.Detail, tt.contains)
			}
			if de.Error() == "" {
				t.Error("empty message")
			}
		})
	}
}

func TestDecodeUnsupportedMediaType(t *testing.T) {
	for _, mt := range []string{"application/xml", "image/png", "application/json; charset"} {
		if _, err := Decode(mt, []byte(reportA)); !errors.Is(err, ErrUnsupportedMediaType) {
			t.Errorf("%s: err = %v", mt, err)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"object", reportA, MediaJSON},
		{"pretty object", "{\n  \"id\": \"a\"\n}\n\n", MediaJSON},
		{"array", "  [" + reportA + "]", MediaJSON},
		{"ndjson", reportA + "\n" + reportB + "\n", MediaNDJSON},
		{"ndjson with blank line", reportA + "\n\n" + reportB, MediaNDJSON},
		{"two values on one line", reportA + " " + reportB, MediaJSON},
		{"feature collection", `{"type":"FeatureCollection","features":[]}`, MediaGeoJSON},
		{"feature", `{"type":"Feature","geometry":null,"properties":{}}`, MediaGeoJSON},
		{"other type member", `{"type":"Point","coordinates":[1,2]}`, MediaJSON},
		{"csv", "id,source,observed_at,kind\na,s,2026-08-23T14:05:00Z,shot\n", MediaCSV},
		{"csv with bom", "\ufeffid,kind\n", MediaCSV},
		{"broken json", "{\"id\":", MediaJSON},
		{"empty", "  \n", MediaJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect([]byte(tt.body)); got != tt.want {
				t.Errorf("Detect = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDecodeGeoJSON(t *testing.T) {
	body := `{"type":"FeatureCollection","name":"export","features":[
 {"type":"Feature","geometry":{"type":"Point","coordinates":[37.80280000000000001,48.0159]},
  "properties":{"id":"g1","source":"osint-1","observed_at":"2026-08-23T14:05:00Z","kind":"damage"}},
 {"type":"Feature","id":"g2","geometry":null,"properties":{"source":"osint-1","observed_at":"2026-08-23T14:05:00Z","kind":"damage","location":{"mgrs":"37UDP1234"}}},
 {"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[37.5,48.5,120]},"properties":{"id":"g3"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":["east",48.5]},"properties":null}
]}`
	for _, mt := range []string{MediaGeoJSON, MediaJSON, ""} {
		t.Run("as "+mt, func(t *testing.T) {
			docs, err := Decode(mt, []byte(body))
			if err != nil {
				t.Fatal(err)
			}
			want := []string{
				`{"id":"g1","kind":"damage","location":{"lat":48.0159,"lon":37.8028},"observed_at":"2026-08-23T14:05:00Z","source":"osint-1"}`,
				`{"id":"g2","kind":"damage","location":{"mgrs":"37UDP1234"},"observed_at":"2026-08-23T14:05:00Z","source":"osint-1"}`,
				`{"id":"g3","location":{"lat":48.5,"lon":37.5}}`,
				`{"location":{"lat":48.5,"lon":"east"}}`,
			}
			if len(docs) != len(want) {
				t.Fatalf("%d documents, want %d", len(docs), len(want))
			}
			for i := range want {
				if string(docs[i].Canonical) != want[i] || docs[i].Index != i || docs[i].Single {
					t.Errorf("feature %d: %s (index %d, single %v)\nwant %s", i, docs[i].Canonical, docs[i].Index, docs[i].Single, want[i])
				}
			}
			lon := docs[0].Value.Get("location").Get("lon")
			if lon.Text != "37.80280000000000001" {
				t.Errorf("coordinate literal %q not kept", lon.Text)
			}
			// The coordinate that is not a number is named where it lands.
			_, errs := Parse(docs[3], farFuture, fakeResolve)
			if !hasPointer(errs, "/location/lon") {
				t.Errorf("errors %v do not name /location/lon", errs)
			}
		})
	}
	t.Run("single feature", func(t *testing.T) {
		docs, err := Decode("", []byte(`{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"id":"x"}}`))
		if err != nil || len(docs) != 1 || !docs[0].Single || string(docs[0].Canonical) != `{"id":"x","location":{"lat":2,"lon":1}}` {
			t.Fatalf("%v %+v", err, docs)
		}
	})
}

func hasPointer(errs []FieldError, p string) bool {
	for _, e := range errs {
		if e.Pointer == p {
			return true
		}
	}
	return false
}

func TestDecodeGeoJSONErrors(t *testing.T) {
	tests := []struct {
		name, mediaType, body string
		index                 int
		pointer, contains     string
	}{
		{"geometry and location", "", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{}},{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"location":{"mgrs":"37UDP"}}}]}`, 1, "/features/1", "both the geometry and properties.location"},
		{"line geometry", "", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]},"properties":{}}]}`, 0, "/features/0/geometry", "Point, not a LineString"},
		{"short coordinates", "", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1]},"properties":{}}]}`, 0, "/features/0/geometry", "[lon, lat]"},
		{"not a feature", "", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{}},{"id":"x"}]}`, 1, "/features/1", "not a GeoJSON Feature"},
		{"no features", "", `{"type":"FeatureCollection"}`, 0, "/features", "features"},
		{"properties not an object", "", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":[1]}]}`, 0, "/features/0/properties", "properties must be an object"},
		{"declared geojson, plain report", MediaGeoJSON, reportA, 0, "", "FeatureCollection"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.mediaType, []byte(tt.body))
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v", err)
			}
			if de.Encoding != "geojson" || de.Index != tt.index || de.Pointer != tt.pointer || !strings.Contains(de.Detail, tt.contains) {
				t.Errorf("got %+v", *de)
			}
		})
	}
}

func TestDecodeCSV(t *testing.T) {
	body := "\ufeffid,source,observed_at,kind,count,observer.lat,observer.lon,location.mgrs,bearing_deg,grading.credibility,evidence,notes\n" +
		"c1,team-1,2026-08-23T14:05:00Z,explosion,3,48.5,37.25,,87.5,2,,\"impacts, east\"\n" +
		"c2,team-1,2026-08-23T14:06:00Z,shot,, 1.0 ,x,37U DP 12 34,,,  " + strings.Repeat("a", 64) + " ; " + strings.Repeat("b", 64) + ";,\"two\nlines\"\n" +
		",,,,,,,,,,,\n"
	docs, err := Decode(MediaCSV, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		canonical string
		row, line int
	}{
		{`{"bearing_deg":87.5,"count":3,"grading":{"credibility":2},"id":"c1","kind":"explosion","notes":"impacts, east","observed_at":"2026-08-23T14:05:00Z","observer":{"lat":48.5,"lon":37.25},"source":"team-1"}`, 2, 2},
		{`{"evidence":[{"sha256":"` + strings.Repeat("a", 64) + `"},{"sha256":"` + strings.Repeat("b", 64) + `"}],"id":"c2","kind":"shot","location":{"mgrs":"37U DP 12 34"},"notes":"two\nlines","observed_at":"2026-08-23T14:06:00Z","observer":{"lat":1,"lon":"x"},"source":"team-1"}`, 3, 3},
		{`{}`, 4, 5},
	}
	if len(docs) != len(want) {
		t.Fatalf("%d documents, want %d", len(docs), len(want))
	}
	for i, w := range want {
		if string(docs[i].Canonical) != w.canonical || docs[i].Row != w.row || docs[i].Line != w.line || docs[i].Index != i {
			t.Errorf("row %d: %s (row %d line %d index %d)\nwant %s (row %d line %d)", i, docs[i].Canonical, docs[i].Row, docs[i].Line, docs[i].Index, w.canonical, w.row, w.line)
		}
	}
	// The longitude that is not a number is named, with its row.
	_, errs := Parse(docs[1], farFuture, fakeResolve)
	if len(errs) != 1 || errs[0].Pointer != "/observer/lon" || errs[0].Row != 3 {
		t.Errorf("errors: %v", errs)
	}
	if got := errs[0].Error(); !strings.HasPrefix(got, "row 3: /observer/lon: must be a number") {
		t.Errorf("message %q", got)
	}
}

func TestDecodeCSVErrors(t *testing.T) {
	tests := []struct {
		name, body string
		want       DecodeError
		contains   string
	}{
		{"unknown column", "id,colour\nx,red\n", DecodeError{Encoding: "csv", Row: 1, Line: 1}, `"colour"`},
		{"duplicate column", "id,kind,id\n", DecodeError{Encoding: "csv", Row: 1, Line: 1}, `"id" appears twice`},
		{"short row", "id,kind\na,shot\nb\n", DecodeError{Encoding: "csv", Index: 1, Row: 3, Line: 3, Column: 1}, "number of cells"},
		{"bad quote", "id,kind\na,\"sh\"ot\n", DecodeError{Encoding: "csv", Row: 2, Line: 2, Column: 6}, "quote"},
		{"empty", "", DecodeError{Encoding: "csv", Row: 1, Line: 1}, "empty CSV"},
		{"invalid utf-8", "id,notes\na,\xff\n", DecodeError{Encoding: "csv", Row: 2, Line: 2}, "UTF-8"},
		{"number too large", "id,range_m.min\na,1e999\n", DecodeError{Encoding: "csv", Row: 2, Line: 2}, "beyond the range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(MediaCSV, []byte(tt.body))
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v", err)
			}
			got := *de
			got.Detail = ""
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if !strings.Contains(de.Detail, tt.contains) {
				t.Errorf("detail %q, want %q", de.Detail, tt.contains)
			}
		})
	}
}

// Every column CSV.md documents is a column the decoder takes, and the
// reverse.
func TestCSVColumnsDocumented(t *testing.T) {
	doc := readFile(t, "CSV.md")
	for name := range csvColumns {
		if !strings.Contains(doc, "`"+name+"`") {
			t.Errorf("CSV.md does not document column %s", name)
		}
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
