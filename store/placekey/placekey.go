// Package placekey makes the keys both stores index observations by: the
// UTC day of observed_at and the S2 leaf cell of the location, and the cell
// ranges that cover a bounding box. The keys are stored: they must never
// change, and both adapters must compute them identically, which is why
// they live here once.
package placekey

import (
	"math"

	"github.com/golang/geo/r1"
	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"

	"github.com/truce-mechanism/truce/store"
)

// DayMicros is the width of a day bucket in microseconds.
const DayMicros = 86_400_000_000

// Day is the UTC day number of a time in µs since the epoch (floor
// division: days before 1970 are negative, not rounded towards zero).
func Day(us int64) int64 {
	d := us / DayMicros
	if us%DayMicros < 0 {
		d--
	}
	return d
}

// Cell is the stored key of a position: its S2 leaf cell id with the top
// bit flipped, so that a database's signed integer order is S2's unsigned one.
func Cell(lat, lon float64) int64 {
	return int64(uint64(s2.CellIDFromLatLng(s2.LatLngFromDegrees(lat, lon))) ^ 1<<63)
}

// Range is a closed range of stored cell keys.
type Range struct{ Lo, Hi int64 }

// coveringCells bounds how many S2 cells approximate a box: each becomes a
// range scan per day, and more cells fit the box more tightly. Sixteen
// cover a 20 km box with about a third more area than the box itself.
const coveringCells = 16

// boxMargin widens the box before covering it (about 1 cm), so that a
// point on the box's edge is never lost to rounding between degrees and
// S2's cube coordinates; the exact test on lat and lon comes after.
const boxMargin = 1e-7

// Covering returns the cell ranges, in order and merged where adjacent,
// that together contain every point of the box. A box with West > East
// crosses the antimeridian.
func Covering(b store.BBox) []Range {
	west, east := b.West-boxMargin, b.East+boxMargin
	if west < -180 {
		west += 360
	}
	if east > 180 {
		east -= 360
	}
	const rad = math.Pi / 180
	rect := s2.Rect{
		Lat: r1.Interval{Lo: math.Max(-90, b.South-boxMargin) * rad, Hi: math.Min(90, b.North+boxMargin) * rad},
		Lng: s1.IntervalFromEndpoints(west*rad, east*rad),
	}
	if b.West <= b.East && b.East-b.West >= 360-2*boxMargin {
		rect.Lng = s1.FullInterval()
	}
	rc := &s2.RegionCoverer{MaxLevel: s2.MaxLevel, LevelMod: 1, MaxCells: coveringCells}
	var out []Range
	for _, c := range rc.Covering(conservativeRect{rect}) {
		r := Range{int64(uint64(c.RangeMin()) ^ 1<<63), int64(uint64(c.RangeMax()) ^ 1<<63)}
		if n := len(out); n > 0 && out[n-1].Hi+1 >= r.Lo {
			out[n-1].Hi = max(out[n-1].Hi, r.Hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

// conservativeRect is an s2.Rect whose cell intersection test errs on the
// side of yes: it compares the cell's bounding rectangle. golang/geo's exact
// Rect.IntersectsCell answers no for some cells a wide box does cross (found
// by FuzzCovering: face cell 1 against 56°E–117°E, 41.8°N–69.4°N), and the
// coverer then drops every point in them. A looser covering costs a few
// more index entries; a missed cell loses observations.
type conservativeRect struct{ s2.Rect }

func (r conservativeRect) IntersectsCell(c s2.Cell) bool { return r.Intersects(c.RectBound()) }
