package placekey

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/truce-mechanism/truce/store"
)

// The keys are stored: they must never change. Both stores index by them.
func TestPlaceKeys(t *testing.T) {
	cases := []struct {
		name     string
		us       int64
		day      int64
		lat, lon float64
		cell     int64
	}{
		{"Donetsk", 1_787_443_200_000_000, 20688, 48.0159, 37.8028, -4_548_476_834_846_479_019},
		{"the epoch", 0, 0, 0, 0, -8_070_450_532_247_928_831},
		{"a microsecond before the epoch", -1, -1, 0, 0, -8_070_450_532_247_928_831},
		{"a day before the epoch", -DayMicros, -1, 90, 180, -3_458_764_513_820_540_927},
		{"just after that", -DayMicros + 1, -1, -90, -180, 3_458_764_513_820_540_929},
		{"the last second of 9999, on the antimeridian", 253_402_300_799_000_000, 2_932_896, 65, -180, -2_929_637_736_599_920_007},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Day(c.us); got != c.day {
				t.Errorf("Day(%d) = %d; want %d", c.us, got, c.day)
			}
			if got := Cell(c.lat, c.lon); got != c.cell {
				t.Errorf("Cell(%v, %v) = %d; want %d", c.lat, c.lon, got, c.cell)
			}
		})
	}
}

// TestCovering: every point inside a box has its cell in a covering range,
// boxes across the antimeridian included; the covering stays small.
func TestCovering(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	boxes := []store.BBox{
		{West: 37.5, South: 47.8, East: 38.2, North: 48.5},
		{West: 37.53, South: 48.0, East: 37.54, North: 48.01},
		{West: 179, South: 60, East: -179, North: 70},
		{West: -180, South: -90, East: 180, North: 90},
		{West: 170, South: -10, East: -170, North: 10},
		{West: -10, South: 80, East: 10, North: 90},
		// golang/geo's Rect.IntersectsCell says no to face cell 1 here.
		{West: 56, South: 41.828148148148145, East: 117.45555555555552, North: 69.4},
	}
	for range 200 {
		w, s := -180+rng.Float64()*360, -90+rng.Float64()*170
		boxes = append(boxes, store.BBox{West: w, South: s, East: w + rng.Float64()*20, North: s + rng.Float64()*(90-s)})
	}
	for i, b := range boxes {
		if b.East > 180 {
			b.East -= 360 // crosses the antimeridian
		}
		ranges := Covering(b)
		if len(ranges) == 0 || len(ranges) > coveringCells {
			t.Fatalf("box %d %+v: %d ranges", i, b, len(ranges))
		}
		for j := 1; j < len(ranges); j++ {
			if ranges[j].Lo <= ranges[j-1].Hi {
				t.Fatalf("box %d: ranges out of order or overlapping: %v", i, ranges)
			}
		}
		// Points on the corners and edges, and inside.
		pts := [][2]float64{{b.South, b.West}, {b.North, b.East}, {b.South, b.East}, {b.North, b.West}}
		for range 50 {
			lat := b.South + rng.Float64()*(b.North-b.South)
			width := b.East - b.West
			if width < 0 {
				width += 360
			}
			lon := b.West + rng.Float64()*width
			if lon > 180 {
				lon -= 360
			}
			pts = append(pts, [2]float64{lat, lon})
		}
		for _, p := range pts {
			c := Cell(p[0], p[1])
			in := false
			for _, r := range ranges {
				if c >= r.Lo && c <= r.Hi {
					in = true
					break
				}
			}
			if !in {
				t.Errorf("box %d %+v: point %v not covered", i, b, p)
			}
		}
	}
}

// FuzzCovering: for any box and any point in it, the point's cell lies in
// one of the box's cell ranges.
func FuzzCovering(f *testing.F) {
	f.Add(37.5, 47.8, 38.2, 48.5, 0.3, 0.7)
	f.Add(179.0, 60.0, -179.0, 70.0, 0.5, 0.5)
	f.Add(-180.0, -90.0, 180.0, 90.0, 0.0, 1.0)
	f.Add(10.0, 10.0, 10.0, 10.0, 0.0, 0.0)
	f.Add(-10.0, 89.9, 10.0, 90.0, 1.0, 1.0)
	f.Fuzz(func(t *testing.T, west, south, east, north, fx, fy float64) {
		for _, v := range []float64{west, south, east, north, fx, fy} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return
			}
		}
		if west < -180 || west > 180 || east < -180 || east > 180 || south < -90 || north > 90 || south > north {
			return
		}
		fx, fy = math.Abs(math.Mod(fx, 1)), math.Abs(math.Mod(fy, 1))
		b := store.BBox{West: west, South: south, East: east, North: north}
		width := east - west
		if width < 0 {
			width += 360
		}
		lon := west + fx*width
		if lon > 180 {
			lon -= 360
		}
		lat := south + fy*(north-south)
		c := Cell(lat, lon)
		for _, r := range Covering(b) {
			if c >= r.Lo && c <= r.Hi {
				return
			}
		}
		t.Errorf("box %+v: point (%v, %v) not covered", b, lat, lon)
	})
}
