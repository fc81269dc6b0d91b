package observation

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/truce-mechanism/truce/canonical"
)

// Each decoder must never panic, must either return documents or a
// *DecodeError, and every document's canonical form must be a fixed point
// of RFC 8785. Parse must not panic on anything a decoder returns.
func checkDecoded(t *testing.T, docs []Document, err error) {
	t.Helper()
	if err != nil {
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Fatalf("error of type %T: %v", err, err)
		}
		if docs != nil {
			t.Fatal("documents returned with an error")
		}
		_ = de.Error()
		return
	}
	for i := range docs {
		again, err := canonical.Transform(docs[i].Canonical)
		if err != nil {
			t.Fatalf("canonical form %q does not decode: %v", docs[i].Canonical, err)
		}
		if !bytes.Equal(again, docs[i].Canonical) {
			t.Fatalf("canonical form not a fixed point: %q → %q", docs[i].Canonical, again)
		}
		if docs[i].Index != i {
			t.Fatalf("document %d has index %d", i, docs[i].Index)
		}
		_, errs := Parse(docs[i], farFuture, fakeResolve)
		for _, fe := range errs {
			_ = fe.Error()
		}
	}
}

func seedCorpus(f *testing.F, n int) {
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.json"))
	for i, name := range files {
		if i%(len(files)/n+1) != 0 {
			continue
		}
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
}

func FuzzDecodeJSON(f *testing.F) {
	seedCorpus(f, 40)
	f.Add([]byte("[" + reportA + "," + reportB + "]"))
	f.Add([]byte(`[{"id":"a","id":"b"}]`))
	f.Add([]byte(`{"n":1e400}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := Decode(MediaJSON, data)
		checkDecoded(t, docs, err)
	})
}

func FuzzDecodeNDJSON(f *testing.F) {
	f.Add([]byte(reportA + "\n" + reportB + "\n"))
	f.Add([]byte("\r\n" + reportA + "\r\n\r\n"))
	f.Add([]byte("{\n}\n"))
	f.Add([]byte(`{"a":"\ud800"}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := Decode(MediaNDJSON, data)
		checkDecoded(t, docs, err)
		for _, d := range docs {
			if d.Line < 1 {
				t.Fatalf("NDJSON document without a line: %+v", d)
			}
		}
	})
}

func FuzzDecodeGeoJSON(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[37.5,48.5]},"properties":{"id":"a","source":"s","observed_at":"2026-08-23T14:05:00Z","kind":"shot"}}]}`))
	f.Add([]byte(`{"type":"Feature","id":"x","geometry":null,"properties":{"location":{"mgrs":"37UDP"}}}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2,3]},"properties":{"location":1}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[]},"properties":null}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := Decode(MediaGeoJSON, data)
		checkDecoded(t, docs, err)
	})
}

func FuzzDecodeCSV(f *testing.F) {
	f.Add([]byte("id,source,observed_at,kind,observer.lat,observer.lon,evidence\na,s,2026-08-23T14:05:00Z,shot,48.5,37.5," + strings.Repeat("a", 64) + "\n"))
	f.Add([]byte("\ufeffid,notes\n\"a\",\"multi\nline, \"\"quoted\"\"\"\n"))
	f.Add([]byte("id,colour\n"))
	f.Add([]byte("count,range_m.min,range_m.max\n1e3, 2 ,x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := Decode(MediaCSV, data)
		checkDecoded(t, docs, err)
		for i, d := range docs {
			if d.Row < 2 || (i > 0 && d.Row <= docs[i-1].Row) {
				t.Fatalf("CSV rows out of order: %+v", d)
			}
		}
	})
}

// FuzzParse holds Parse to the reference validator on whatever decodes:
// when Parse accepts, the schema accepts, and the reverse (save the
// documented divergences); the fields blamed agree.
func FuzzParse(f *testing.F) {
	seedCorpus(f, 200)
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := Decode(MediaJSON, data)
		if err != nil {
			return
		}
		s, serr := referenceSchema()
		for _, d := range docs {
			if serr != nil {
				Parse(d, farFuture, fakeResolve)
				continue
			}
			compareWithReference(t, s, d, fmt.Sprintf("document %d", d.Index))
		}
	})
}

// batch builds n realistic reports as NDJSON: mixed kinds, observers with
// bearings, MGRS and lat/lon, some with weapon, grading and evidence.
func batch(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	kinds := []string{"explosion", "explosion", "explosion", "burst", "shot", "flare", "weapon_sighting", "movement", "airspace", "restriction", "damage"}
	classes := []string{"artillery", "mortar", "mlrs", "tank", "small_arms", "drone"}
	letters := "ABCDEFGHJKLMNPQRSTUV"
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"id":"obs-%06d","source":"smm-team-%d","observed_at":"2026-08-%02dT%02d:%02d:%02dZ","kind":"%s"`,
			i, r.IntN(40), 1+r.IntN(22), r.IntN(24), r.IntN(60), r.IntN(60), kinds[r.IntN(len(kinds))])
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, `,"count":%d,"fire":"%s","time_sigma_s":%d`, 1+r.IntN(20), []string{"incoming", "outgoing", "unknown"}[r.IntN(3)], 30+r.IntN(300))
		}
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, `,"weapon":{"class":"%s","caliber_mm":%d}`, classes[r.IntN(len(classes))], []int{82, 120, 122, 152}[r.IntN(4)])
		}
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, `,"observer":{"lat":%.5f,"lon":%.5f,"cep_m":%d},"bearing_deg":%.1f,"bearing_sigma_deg":%d`,
				47+3*r.Float64(), 35+4*r.Float64(), 5+r.IntN(50), 360*r.Float64(), 2+r.IntN(10))
			if r.IntN(3) == 0 {
				fmt.Fprintf(&b, `,"range_m":{"min":%d,"max":%d}`, 500+r.IntN(1000), 2000+r.IntN(5000))
			}
		}
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, `,"location":{"mgrs":"37U %c%c %05d %05d","cep_m":%d}`, letters[r.IntN(20)], letters[r.IntN(20)], r.IntN(100000), r.IntN(100000), 10+r.IntN(500))
		} else {
			fmt.Fprintf(&b, `,"location":{"lat":%.6f,"lon":%.6f}`, 47+3*r.Float64(), 35+4*r.Float64())
		}
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, `,"grading":{"reliability":"%c","credibility":%d},"marking":"%s"`, "ABCDEF"[r.IntN(6)], 1+r.IntN(6), []string{"MISSION", "PUBLIC", "REL TO USA, UKR, GBR"}[r.IntN(3)])
		}
		if r.IntN(5) == 0 {
			fmt.Fprintf(&b, `,"evidence":[{"sha256":"%064x","media_type":"image/jpeg","size":%d}]`, r.Uint64(), r.IntN(1<<22))
		}
		if r.IntN(4) == 0 {
			b.WriteString(`,"notes":"impacts heard to the east of the observation post, close to the checkpoint"`)
		}
		b.WriteString("}\n")
	}
	return b.Bytes()
}

func TestBenchmarkBatchIsValid(t *testing.T) {
	docs, err := Decode(MediaNDJSON, batch(1000, 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if _, errs := Parse(d, farFuture, fakeResolve); len(errs) > 0 {
			t.Fatalf("%s\n%s", d.Canonical, Summary(errs, 0))
		}
	}
}

// BenchmarkDecodeParseNDJSON measures intake's CPU work on one core:
// decode a 1,000-report NDJSON batch, canonicalise every report, validate
// it and build its typed view.
func BenchmarkDecodeParseNDJSON(b *testing.B) {
	body := batch(1000, 1)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		docs, err := Decode(MediaNDJSON, body)
		if err != nil {
			b.Fatal(err)
		}
		for i := range docs {
			if _, errs := Parse(docs[i], farFuture, fakeResolve); errs != nil {
				b.Fatal(errs)
			}
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "docs/s")
}

func BenchmarkDecodeNDJSON(b *testing.B) {
	body := batch(1000, 1)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Decode(MediaNDJSON, body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "docs/s")
}

func BenchmarkParse(b *testing.B) {
	docs, err := Decode(MediaNDJSON, batch(1000, 1))
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		for i := range docs {
			Parse(docs[i], farFuture, fakeResolve)
		}
		n += len(docs)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "docs/s")
}
