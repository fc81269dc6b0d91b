package geo

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// box returns a closed ring around the box, counter-clockwise (RFC 7946
// outer-ring winding) unless cw.
func box(s, w, n, e float64, cw bool) []Point {
	r := []Point{{s, w}, {s, e}, {n, e}, {n, w}, {s, w}}
	if cw {
		slices.Reverse(r)
	}
	return r
}

func mustArea(t testing.TB, polys [][][]Point) *Area {
	t.Helper()
	a, err := NewArea(polys)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAreaContains(t *testing.T) {
	outer := box(47, 37, 49, 39, false)
	hole := box(47.8, 37.8, 48.2, 38.2, true)
	for _, wind := range []struct {
		name  string
		rings [][]Point
	}{
		{"rfc7946 winding", [][]Point{outer, hole}},
		{"reversed winding", [][]Point{box(47, 37, 49, 39, true), box(47.8, 37.8, 48.2, 38.2, false)}},
	} {
		t.Run(wind.name, func(t *testing.T) {
			a := mustArea(t, [][][]Point{wind.rings})
			tests := []struct {
				name string
				p    Point
				in   bool
			}{
				{"inside", Point{47.5, 37.5}, true},
				{"in the hole", Point{48, 38}, false},
				{"outside", Point{46, 38}, false},
				{"far away", Point{-30, -120}, false},
				{"just inside the east edge", Point{48.5, 38.9999}, true},
				{"just outside the east edge", Point{48.5, 39.0001}, false},
			}
			for _, tc := range tests {
				if got := a.Contains(tc.p); got != tc.in {
					t.Errorf("%s: Contains(%v) = %v", tc.name, tc.p, got)
				}
				d := a.DistanceM(tc.p)
				if tc.in && d != 0 {
					t.Errorf("%s: DistanceM = %v inside, want 0", tc.name, d)
				}
				if !tc.in && !(d > 0) {
					t.Errorf("%s: DistanceM = %v outside, want > 0", tc.name, d)
				}
			}
			// In the hole's centre the boundary is the hole's east or west
			// side, 0.2° of longitude away.
			if d, want := a.BoundaryDistanceM(Point{48, 38}), DistanceM(Point{48, 38}, Point{48, 38.2}); math.Abs(d-want)/want > 0.001 {
				t.Errorf("distance to the hole's edge %.1f m, about %.1f m expected", d, want)
			}
			b := a.Bound()
			if math.Abs(b.Min.Lat-47) > 1e-9 || math.Abs(b.Max.Lon-39) > 0.01 {
				t.Errorf("Bound = %v", b)
			}
			if km2 := a.AreaM2() / 1e6; km2 < 30000 || km2 > 35000 {
				t.Errorf("AreaM2 = %.0f km², want ≈ 33,000 (2°×2° less a hole at 48° N)", km2)
			}
		})
	}
}

func TestNewAreaErrors(t *testing.T) {
	tests := []struct {
		name  string
		polys [][][]Point
		want  string
		ring  int
	}{
		{"no polygons", nil, "at least one polygon", 0},
		{"unclosed outer ring", [][][]Point{{box(47, 37, 49, 39, false)[:4]}}, "not closed", 0},
		{"hole outside", [][][]Point{{box(47, 37, 48, 38, false), box(47, 39, 48, 40, true)}}, "not inside the polygon's outer ring", 1},
		{"overlapping holes", [][][]Point{{box(47, 37, 49, 39, false), box(47.5, 37.5, 48, 38, true), box(47.7, 37.7, 48.2, 38.2, true)}}, "overlaps hole 1", 2},
		{"overlapping polygons", [][][]Point{{box(47, 37, 48, 38, false)}, {box(47.5, 37.5, 48.5, 38.5, false)}}, "overlaps polygon 0", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewArea(tc.polys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
			var ae *AreaError
			if errors.As(err, &ae) && ae.Ring != tc.ring {
				t.Errorf("ring = %d, want %d", ae.Ring, tc.ring)
			}
		})
	}
	t.Run("polygons sharing an edge are fine", func(t *testing.T) {
		mustArea(t, [][][]Point{{box(47, 37, 48, 38, false)}, {box(47, 38, 48, 39, false)}})
	})
}

func TestRingProblems(t *testing.T) {
	tests := []struct {
		name      string
		ring      []Point
		kinds     []RingProblemKind
		positions []int
		message   string
	}{
		{"good", box(47, 37, 48, 38, false), nil, nil, ""},
		{"too few", []Point{{47, 37}, {48, 38}, {47, 37}}, []RingProblemKind{RingTooFewPositions}, nil, "at least 4 positions"},
		{"unclosed", box(47, 37, 48, 38, false)[:4], []RingProblemKind{RingUnclosed}, []int{0, 3}, "not closed"},
		{"bad latitude", []Point{{47, 37}, {95, 37}, {48, 38}, {47, 37}}, []RingProblemKind{RingBadPosition}, []int{1}, "latitude 95 is outside"},
		{"nan", []Point{{47, 37}, {math.NaN(), 37}, {48, 38}, {47, 37}}, []RingProblemKind{RingBadPosition}, []int{1}, "not a number"},
		{"bow tie", []Point{{47, 37}, {48, 38}, {47, 38}, {48, 37}, {47, 37}}, []RingProblemKind{RingSelfIntersection}, []int{0, 2}, "segment 0–1 crosses segment 2–3"},
		{"touching corner", []Point{{47, 37}, {47, 39}, {48, 38}, {49, 39}, {49, 37}, {48, 38}, {47, 37}},
			[]RingProblemKind{RingSelfIntersection}, nil, "touches itself"},
		// Meridians are great circles; parallels are not, so three points on
		// a parallel make a thin triangle with real area, not a line.
		{"spike", []Point{{47, 37}, {47, 38}, {48.5, 38}, {48, 38}, {48, 37}, {47, 37}}, []RingProblemKind{RingSelfIntersection}, []int{2}, "turns straight back on itself at position 2"},
		{"collinear", []Point{{47, 38}, {48, 38}, {49, 38}, {47, 38}}, []RingProblemKind{RingSelfIntersection}, nil, "turns straight back"},
		{"on a parallel is a thin triangle", []Point{{47, 37}, {47, 38}, {47, 39}, {47, 37}}, nil, nil, ""},
		{"one point repeated", []Point{{47, 37}, {47, 37}, {47, 37}, {47, 37}}, []RingProblemKind{RingZeroArea}, nil, "no area"},
		{"hairline triangle", []Point{{48, 38}, {48.001, 38}, {48.0005, 38.00000013}, {48, 38}}, []RingProblemKind{RingZeroArea}, nil, "encloses no area"},
		{"needle triangle", []Point{{0, 0}, {0, 1}, {1e-12, 0.5}, {0, 0}}, []RingProblemKind{RingSelfIntersection}, nil, "turns straight back"},
		{"repeated consecutive positions are fine", []Point{{47, 37}, {47, 38}, {47, 38}, {48, 38}, {47, 37}}, nil, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := RingProblems(tc.ring)
			var kinds []RingProblemKind // distinct, in order of first appearance
			for _, p := range got {
				if !slices.Contains(kinds, p.Kind) {
					kinds = append(kinds, p.Kind)
				}
			}
			if !slices.Equal(kinds, tc.kinds) {
				t.Fatalf("kinds = %v, want %v (%v)", kinds, tc.kinds, got)
			}
			if len(got) == 0 {
				return
			}
			if tc.positions != nil && !slices.Equal(got[0].Positions, tc.positions) {
				t.Errorf("positions = %v, want %v", got[0].Positions, tc.positions)
			}
			if !strings.Contains(got[0].Message, tc.message) {
				t.Errorf("message %q does not mention %q", got[0].Message, tc.message)
			}
		})
	}
	t.Run("many crossings are capped", func(t *testing.T) {
		// A zigzag folded over itself crosses itself dozens of times.
		var ring []Point
		for i := range 30 {
			ring = append(ring, Point{47 + float64(i%2), 37 + float64(i)*0.1})
		}
		for i := range 30 {
			ring = append(ring, Point{47 + float64((i+1)%2), 39.9 - float64(i)*0.1})
		}
		ring = append(ring, ring[0])
		got := RingProblems(ring)
		if len(got) != maxCrossingReports || !strings.Contains(got[len(got)-1].Message, "more crossings not listed") {
			t.Errorf("%d problems, last %q", len(got), got[len(got)-1].Message)
		}
	})
}

func TestOverlap(t *testing.T) {
	sq := func(s, w, n, e float64) *Area { return mustArea(t, [][][]Point{{box(s, w, n, e, false)}}) }
	// A boundary at 38° E drawn twice, once with a few metres of noise.
	noisyEdge := func(east bool) *Area {
		var r []Point
		for i := 0; i <= 20; i++ {
			lat := 47 + float64(i)*0.05
			jitter := 3e-5 * float64(i%3-1) // ±2 m of longitude at 47° N
			r = append(r, Point{lat, 38 + jitter})
		}
		if east {
			r = append(r, Point{48, 39}, Point{47, 39})
			slices.Reverse(r)
		} else {
			r = append(r, Point{48, 37}, Point{47, 37})
		}
		r = append(r, r[0])
		return mustArea(t, [][][]Point{{r}})
	}
	donut := mustArea(t, [][][]Point{{box(46, 36, 50, 40, false), box(47, 37, 49, 39, true)}})
	tests := []struct {
		name    string
		a, b    *Area
		overlap bool
	}{
		{"disjoint", sq(47, 37, 48, 38), sq(47, 39, 48, 40), false},
		{"shared edge", sq(47, 37, 48, 38), sq(47, 38, 48, 39), false},
		{"shared edge drawn by different hands", noisyEdge(false), noisyEdge(true), false},
		{"shared corner only", sq(47, 37, 48, 38), sq(48, 38, 49, 39), false},
		{"overlap by a tenth of a degree", sq(47, 37, 48, 38.1), sq(47, 38, 48, 39), true},
		{"identical", sq(47, 37, 48, 38), sq(47, 37, 48, 38), true},
		{"one inside the other", sq(46, 36, 49, 39), sq(47, 37, 48, 38), true},
		{"cross without a corner inside", sq(47.4, 36, 47.6, 40), sq(46, 37.9, 49, 38.1), true},
		{"island in a lake", donut, sq(47.5, 37.5, 48.5, 38.5), false},
		{"island touching the shore", donut, sq(47, 37, 49, 39), false},
		{"island over the shore", donut, sq(46.5, 37.5, 48, 38), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, order := range []struct {
				name string
				a, b *Area
			}{{"a,b", tc.a, tc.b}, {"b,a", tc.b, tc.a}} {
				got, w := Overlap(order.a, order.b)
				if got != tc.overlap {
					t.Fatalf("Overlap(%s) = %v (witness %v), want %v", order.name, got, w, tc.overlap)
				}
				if got && (!order.a.Contains(w) || !order.b.Contains(w)) {
					t.Errorf("Overlap(%s): witness %v is not in both areas", order.name, w)
				}
			}
		})
	}
	t.Run("tolerance", func(t *testing.T) {
		// 0.001° of longitude at 47.5° N is 75 m.
		a, b := sq(47, 37, 48, 38.001), sq(47, 38, 48, 39)
		if got, _ := OverlapWithin(a, b, 50); !got {
			t.Error("75 m overlap not found with 50 m tolerance")
		}
		if got, _ := OverlapWithin(a, b, 100); got {
			t.Error("75 m overlap reported with 100 m tolerance")
		}
	})
}

func TestAreaIndex(t *testing.T) {
	west := mustArea(t, [][][]Point{{box(47, 37, 48, 38, false)}})
	east := mustArea(t, [][][]Point{{box(47, 38, 48, 39, false)}})
	both := mustArea(t, [][][]Point{{box(47.4, 37.5, 47.6, 38.5, false)}})
	x := NewAreaIndex(west, east, both)
	tests := []struct {
		p     Point
		want  []int
		first int
	}{
		{Point{47.2, 37.5}, []int{0}, 0},
		{Point{47.2, 38.5}, []int{1}, 1},
		{Point{47.5, 37.7}, []int{0, 2}, 0},
		{Point{47.5, 38.3}, []int{1, 2}, 1},
		{Point{50, 38}, nil, -1},
	}
	for _, tc := range tests {
		if got := x.Containing(tc.p); !slices.Equal(got, tc.want) {
			t.Errorf("Containing(%v) = %v, want %v", tc.p, got, tc.want)
		}
		if got := x.First(tc.p); got != tc.first {
			t.Errorf("First(%v) = %v, want %v", tc.p, got, tc.first)
		}
	}
	// On the shared edge exactly one of west and east holds the point.
	for lat := 47.01; lat < 48; lat += 0.07 {
		got := NewAreaIndex(west, east).Containing(Point{lat, 38})
		if len(got) != 1 {
			t.Errorf("point %v on the shared edge is in areas %v, want exactly one", Point{lat, 38}, got)
		}
	}
}
