package geo

import "testing"

func TestStations(t *testing.T) {
	a, b, c := Point{Lat: 48, Lon: 37}, Point{Lat: 48, Lon: 37.05}, Point{Lat: 48, Lon: 38}
	for _, tc := range []struct {
		name    string
		parts   [][]Point
		spacing float64
		want    int
	}{
		{"empty", nil, 25000, 0},
		{"a vertex closer than the spacing is skipped", [][]Point{{a, b}}, 25000, 1},
		{"a long stretch divided evenly", [][]Point{{a, c}}, 25000, 4}, // 74 km: 3 steps, plus the start
		{"each part starts a station", [][]Point{{a, b}, {b, c}}, 25000, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Stations(tc.parts, tc.spacing)
			if len(got) != tc.want {
				t.Fatalf("%d stations, want %d: %v", len(got), tc.want, got)
			}
			for i := 1; i < len(got); i++ {
				if d := DistanceM(got[i-1], got[i]); d > tc.spacing && got[i] != tc.parts[len(tc.parts)-1][0] {
					t.Errorf("stations %d and %d are %.0f m apart, more than %.0f", i-1, i, d, tc.spacing)
				}
			}
		})
	}
}
