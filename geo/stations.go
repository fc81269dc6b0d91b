package geo

import "math"

// Stations are points along polylines no farther apart than spacingM: the
// first position of each part, then wherever the path has run spacingM
// or more from the last station, that stretch divided evenly (each
// division a straight interpolation of latitude and longitude, which
// over tens of kilometres strays from the geodesic by metres). Tests and
// benchmarks use them to post sensors along a line of contact.
func Stations(parts [][]Point, spacingM float64) []Point {
	var out []Point
	for _, part := range parts {
		if len(part) == 0 {
			continue
		}
		last := part[0]
		out = append(out, last)
		for _, p := range part[1:] {
			d := DistanceM(last, p)
			if d < spacingM {
				continue
			}
			steps := math.Ceil(d / spacingM)
			for k := 1.0; k <= steps; k++ {
				out = append(out, Point{Lat: last.Lat + (p.Lat-last.Lat)*k/steps, Lon: last.Lon + (p.Lon-last.Lon)*k/steps})
			}
			last = p
		}
	}
	return out
}
