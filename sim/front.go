package sim

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/geo"
)

// front is the line of contact as the simulator walks it: a chainage
// (metres along the line's parts laid end to end) that names a place on the
// line, and the two sides of it.
type front struct {
	a       *agreement.Agreement
	line    *geo.Line
	lineID  string
	parties [2]string
	segs    []segment
	total   float64
	// the longest part, where the hot sectors lie
	mainFrom, mainTo float64
	// a reference point for the sun: the middle of the line's bound
	mid geo.Point
}

type segment struct {
	a      geo.Point
	az     float64 // azimuth at a, degrees
	length float64 // metres
	s0     float64 // chainage at a
}

func newFront(a *agreement.Agreement, lineID string) *front {
	l := a.Line(lineID)
	f := &front{a: a, line: l.Geo, lineID: lineID, parties: [2]string{a.Parties[0].Code, a.Parties[1].Code}}
	best := -1.0
	for _, part := range l.Parts {
		from := f.total
		for i := 0; i+1 < len(part); i++ {
			d, az, _ := geo.Inverse(part[i], part[i+1])
			if d <= 0 {
				continue
			}
			f.segs = append(f.segs, segment{a: part[i], az: az, length: d, s0: f.total})
			f.total += d
		}
		if f.total-from > best {
			best, f.mainFrom, f.mainTo = f.total-from, from, f.total
		}
	}
	b := l.Geo.Bound()
	f.mid = geo.Point{Lat: (b.Min.Lat + b.Max.Lat) / 2, Lon: (b.Min.Lon + b.Max.Lon) / 2}
	return f
}

// at returns the point at chainage s and the line's azimuth there.
func (f *front) at(s float64) (geo.Point, float64) {
	i, _ := slices.BinarySearchFunc(f.segs, s, func(g segment, s float64) int {
		switch {
		case g.s0+g.length <= s:
			return -1
		case g.s0 > s:
			return 1
		}
		return 0
	})
	i = min(max(i, 0), len(f.segs)-1)
	g := f.segs[i]
	return geo.Direct(g.a, g.az, math.Max(0, math.Min(s-g.s0, g.length))), g.az
}

// other is the party across the line from p.
func (f *front) other(p string) string {
	if p == f.parties[0] {
		return f.parties[1]
	}
	return f.parties[0]
}

// behind places a point depth metres behind the line at chainage s, on
// party's side: it steps off the line at right angles and checks that the
// place is the party's and really that far from the line (a winding line
// can bring another stretch closer). It returns the point and its true
// distance to the line.
func (f *front) behind(s float64, party string, depth float64) (geo.Point, float64, bool) {
	p, az := f.at(s)
	probe := math.Min(depth, 1000)
	var normal float64
	switch {
	case f.a.ControllingParty(geo.Direct(p, az+90, probe)) == party:
		normal = az + 90
	case f.a.ControllingParty(geo.Direct(p, az-90, probe)) == party:
		normal = az - 90
	default:
		return geo.Point{}, 0, false
	}
	q := geo.Direct(p, normal, depth)
	if f.a.ControllingParty(q) != party {
		return geo.Point{}, 0, false
	}
	d := f.line.DistanceM(q)
	if d < 0.5*depth || d < 30 {
		return geo.Point{}, 0, false
	}
	return q, d, true
}

// place draws a point on party's side between depth[0] and depth[1] behind
// the line, at a chainage from [s0, s1); it retries along the stretch.
func (f *front) place(r *rand.Rand, s0, s1 float64, party string, depth [2]float64) (geo.Point, float64, bool) {
	for range 40 {
		s := s0 + r.Float64()*(s1-s0)
		d := depth[0] + r.Float64()*(depth[1]-depth[0])
		if p, dist, ok := f.behind(s, party, d); ok {
			return p, dist, true
		}
	}
	return geo.Point{}, 0, false
}

// aim picks an aim point for a weapon at origin belonging to party: across
// the line, depth beyond it, within the weapon's range, on the other
// party's ground. It returns the aim point and the range.
func (f *front) aim(r *rand.Rand, origin geo.Point, party string, sys *system, depth [2]float64) (geo.Point, float64, bool) {
	q, d := f.line.Closest(origin)
	_, az0, _ := geo.Inverse(origin, q)
	enemy := f.other(party)
	for range 10 {
		az := az0 + clamp(r.NormFloat64()*12, -40, 40)
		rng := d + depth[0] + r.Float64()*(depth[1]-depth[0])
		rng = math.Min(rng, sys.MaxRangeM)
		rng = math.Max(rng, sys.MinRangeM)
		if rng < d+20 {
			return geo.Point{}, 0, false // out of reach of the line
		}
		t := geo.Direct(origin, az, rng)
		if f.a.ControllingParty(t) == enemy {
			return t, rng, true
		}
	}
	return geo.Point{}, 0, false
}

// sideOf returns the controlling party of p, or "".
func (f *front) sideOf(p geo.Point) string { return f.a.ControllingParty(p) }

// sector is a hot stretch of the line where most fire happens and where
// the mission concentrates its sensors.
type sector struct {
	ID       string
	From, To float64 // chainage, m
	Weight   float64
	Centre   geo.Point
}

func (f *front) sectors(r *rand.Rand, n int) []sector {
	var out []sector
	span := f.mainTo - f.mainFrom
	for try := 0; len(out) < n && try < 1000; try++ {
		half := 15000 + r.Float64()*15000
		c := f.mainFrom + half + r.Float64()*(span-2*half)
		if slices.ContainsFunc(out, func(s sector) bool { return c-half < s.To+20000 && c+half > s.From-20000 }) {
			continue
		}
		p, _ := f.at(c)
		out = append(out, sector{From: c - half, To: c + half, Weight: 0.5 + 1.5*r.Float64(), Centre: p})
	}
	slices.SortFunc(out, func(a, b sector) int { return cmpFloat(a.From, b.From) })
	for i := range out {
		out[i].ID = "S" + itoa(i+1)
	}
	return out
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
