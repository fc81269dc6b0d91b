package geo

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// readCSV reads a committed vector file as rows of named columns.
func readCSV(t testing.TB, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for _, r := range recs[1:] {
		m := make(map[string]string, len(r))
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		rows = append(rows, m)
	}
	return rows
}

func num(t testing.TB, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// azimuthDiff is the smaller angle between two azimuths, degrees.
func azimuthDiff(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 360)
	return math.Min(d, 360-d)
}

// TestInverseAgainstGeographicLib compares with vectors made by
// GeographicLib (testdata/geodesic/gen.mjs): random pairs over the globe,
// short pairs in Ukraine, nearly antipodal pairs and the classic cases
// where Vincenty's method fails to converge.
func TestInverseAgainstGeographicLib(t *testing.T) {
	rows := readCSV(t, filepath.Join("testdata", "geodesic", "vectors.csv"))
	type stat struct {
		n            int
		maxErr       float64 // m
		maxAz        float64 // degrees
		fellBack     int
		worst, worsA string
	}
	stats := map[string]*stat{}
	for i, r := range rows {
		a := Point{num(t, r["lat1"]), num(t, r["lon1"])}
		b := Point{num(t, r["lat2"]), num(t, r["lon2"])}
		want := num(t, r["s12_m"])
		s, az1, az2 := Inverse(a, b)
		st := stats[r["kind"]]
		if st == nil {
			st = &stat{}
			stats[r["kind"]] = st
		}
		st.n++
		if _, _, _, ok := inverseVincenty(a, b); !ok {
			st.fellBack++
		}
		// Vincenty's series are good to ~0.1 mm; allow 1 mm.
		if e := math.Abs(s - want); e > 1e-3 {
			t.Errorf("row %d %v→%v: distance %.6f m, GeographicLib %.6f m (off by %.3g m)", i+2, a, b, s, want, e)
		} else if e > st.maxErr {
			st.maxErr = e
			st.worst = r["lat1"] + "," + r["lon1"] + " → " + r["lat2"] + "," + r["lon2"]
		}
		// Azimuths are undefined at the poles and for coincident or exactly
		// antipodal points, where many geodesics are shortest.
		if math.Abs(a.Lat) == 90 || math.Abs(b.Lat) == 90 || want == 0 || want > 20003931.45 {
			continue
		}
		if math.Abs(a.Lat+b.Lat) < 1e-9 && math.Abs(math.Abs(lonDiff(a.Lon, b.Lon))-math.Pi) < 1e-9 {
			continue
		}
		// Two points on the equator nearly opposite: the shortest path runs
		// over either pole, two mirror images with the same length.
		if a.Lat == 0 && b.Lat == 0 && math.Abs(lonDiff(a.Lon, b.Lon)) > (1-geodF)*math.Pi {
			continue
		}
		for _, c := range []struct{ got, want float64 }{{az1, num(t, r["azi1_deg"])}, {az2, num(t, r["azi2_deg"])}} {
			if d := azimuthDiff(c.got, c.want); d > 1e-6 {
				t.Errorf("row %d %v→%v: azimuth %.9f°, GeographicLib %.9f°", i+2, a, b, c.got, c.want)
			} else if d > st.maxAz {
				st.maxAz = d
			}
		}
	}
	for _, k := range []string{"global", "ukraine", "antipodal", "equator", "special"} {
		if st := stats[k]; st != nil {
			t.Logf("%-9s n=%4d  max |Δs| %.3g m (%s)  max |Δazimuth| %.2g°  Vincenty did not converge: %d",
				k, st.n, st.maxErr, st.worst, st.maxAz, st.fellBack)
		}
	}
	if stats["antipodal"].fellBack == 0 {
		t.Error("no antipodal vector exercised the fallback: the vectors no longer test it")
	}
}

// TestInverseBisectAlone holds the fallback to the same standard on every
// vector, not only the few where Vincenty fails.
func TestInverseBisectAlone(t *testing.T) {
	rows := readCSV(t, filepath.Join("testdata", "geodesic", "vectors.csv"))
	var worst float64
	for i, r := range rows {
		a := Point{num(t, r["lat1"]), num(t, r["lon1"])}
		b := Point{num(t, r["lat2"]), num(t, r["lon2"])}
		want := num(t, r["s12_m"])
		s, _, _ := inverseBisect(a, b)
		e := math.Abs(s - want)
		if e > 1e-3 {
			t.Errorf("row %d %v→%v: bisection %.6f m, GeographicLib %.6f m", i+2, a, b, s, want)
		}
		worst = math.Max(worst, e)
	}
	t.Logf("bisection alone: max |Δs| %.3g m over %d pairs", worst, len(rows))
}

func TestDirectAgainstGeographicLib(t *testing.T) {
	rows := readCSV(t, filepath.Join("testdata", "geodesic", "direct.csv"))
	var worst float64
	for i, r := range rows {
		p := Point{num(t, r["lat1"]), num(t, r["lon1"])}
		want := Point{num(t, r["lat2"]), num(t, r["lon2"])}
		got := Direct(p, num(t, r["azi1_deg"]), num(t, r["s12_m"]))
		// Compare on the ground: the position error in metres.
		e := DistanceM(got, want)
		if e > 1e-3 {
			t.Errorf("row %d: Direct(%v, %s°, %s m) = %v, GeographicLib %v (%.3g m apart)", i+2, p, r["azi1_deg"], r["s12_m"], got, want, e)
		}
		worst = math.Max(worst, e)
	}
	t.Logf("Direct: max position error %.3g m over %d cases", worst, len(rows))
}

func TestDistanceSymmetricAndZero(t *testing.T) {
	tests := []struct {
		name string
		a, b Point
	}{
		{"same point", Point{48, 37}, Point{48, 37}},
		{"north pole any longitude", Point{90, 0}, Point{90, 135}},
		{"across the antimeridian", Point{10, 179.9}, Point{10, -179.9}},
		{"antipodal on equator", Point{0, 10}, Point{0, -170}},
		{"donetsk kramatorsk", Point{48.0159, 37.8028}, Point{48.7389, 37.5848}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ab, ba := DistanceM(tc.a, tc.b), DistanceM(tc.b, tc.a)
			if math.Abs(ab-ba) > 1e-6 || math.IsNaN(ab) {
				t.Errorf("DistanceM(a,b)=%v DistanceM(b,a)=%v", ab, ba)
			}
		})
	}
	if d := DistanceM(Point{90, 0}, Point{90, 135}); d > 1e-6 {
		t.Errorf("pole to pole by another longitude: %v m, want 0", d)
	}
}

func BenchmarkDistanceM(b *testing.B) {
	cases := []struct {
		name string
		a, b Point
	}{
		{"25km", Point{48.0159, 37.8028}, Point{48.2, 37.6}},
		{"1000km", Point{48.0159, 37.8028}, Point{50.45, 30.52}},
		{"antipodal", Point{0, 0}, Point{0.5, 179.7}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var s float64
			for b.Loop() {
				s += DistanceM(c.a, c.b)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/distance")
			_ = s
		})
	}
}
