package fusion

import (
	"testing"

	"github.com/truce-mechanism/truce/geo"
)

// TestHuberPull: a clean event is placed as Locate places it, bit for
// bit; one sight line of another firing among four drags the place far
// less than least squares lets it.
func TestHuberPull(t *testing.T) {
	truth := geo.Point{Lat: 48.30, Lon: 37.80}
	line := func(from geo.Point, offDeg float64) Bearing {
		_, az, _ := geo.Inverse(from, truth)
		return Bearing{Observer: from, AzimuthDeg: az + offDeg, SigmaDeg: 2}
	}
	clean := []Bearing{
		line(geo.Direct(truth, 10, 9000), 0.5),
		line(geo.Direct(truth, 100, 8000), -0.8),
		line(geo.Direct(truth, 190, 7000), 1.1),
		line(geo.Direct(truth, 280, 8000), -0.3),
	}
	for _, c := range []struct {
		name  string
		bs    []Bearing
		equal bool // the same place as Locate's
	}{
		{"clean: Locate's place", clean, true},
		{"one line 8σ off: held back", append(append([]Bearing{}, clean...), line(geo.Direct(truth, 45, 6000), 16)), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			plain, err := Locate(c.bs, nil)
			if err != nil {
				t.Fatal(err)
			}
			robust, err := locateHuber(c.bs, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.equal {
				if robust.Point != plain.Point || robust.Cov != plain.Cov {
					t.Fatalf("%v, Locate %v", robust, plain)
				}
				return
			}
			dp, dr := geo.DistanceM(plain.Point, truth), geo.DistanceM(robust.Point, truth)
			if !(dr < dp/2) {
				t.Fatalf("Huber's place %.0f m off, least squares' %.0f m: want under half", dr, dp)
			}
		})
	}
}
