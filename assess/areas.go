package assess

import (
	"math"
	"slices"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/geo"
)

// areaMap is an agreement's controlled areas as the attribution's
// quadrature reads them: every ring edge, cut into pieces of at most
// maxPieceM along its great circle (so that each piece is straight in a
// tangent plane to the centimetre), in latitude/longitude grids of
// cellDeg cells and of coarseDeg cells (for wide ellipses, whose boxes
// would cover thousands of small cells), fetched by the box around a
// place.
type areaMap struct {
	a            *agreement.Agreement
	segs         []segment
	fine, coarse grid
}

// grid is one of the two grids: the pieces in each cell, and the span of
// cells that hold any, so that a wide box (an event whose origin is
// known to hundreds of kilometres) visits the cells that exist rather
// than every cell of the box.
type grid struct {
	cells  map[[2]int32][]int32
	size   float64
	lo, hi [2]int32
}

func newGrid(size float64) grid {
	return grid{cells: map[[2]int32][]int32{}, size: size,
		lo: [2]int32{math.MaxInt32, math.MaxInt32}, hi: [2]int32{math.MinInt32, math.MinInt32}}
}

func (g *grid) add(k [2]int32, id int32) {
	g.cells[k] = append(g.cells[k], id)
	g.lo = [2]int32{min(g.lo[0], k[0]), min(g.lo[1], k[1])}
	g.hi = [2]int32{max(g.hi[0], k[0]), max(g.hi[1], k[1])}
}

type segment struct {
	a, b geo.Point
	area int
}

const (
	cellDeg   = 0.05 // about 5.5 km north–south, 3.7 km east–west at 48° N
	coarseDeg = 0.5
	maxPieceM = 5000
	// earthM is the radius the pieces are cut on: the spherical model
	// S2 draws the edges with.
	earthM = 6371008.8
)

func newAreaMap(a *agreement.Agreement) *areaMap {
	m := &areaMap{a: a, fine: newGrid(cellDeg), coarse: newGrid(coarseDeg)}
	for i, area := range a.Areas {
		for _, poly := range area.Polygons {
			for _, ring := range poly {
				r := closed(ring)
				for k := 0; k+1 < len(r); k++ {
					if r[k] == r[k+1] {
						continue
					}
					pts := pieces(r[k], r[k+1])
					for j := 0; j+1 < len(pts); j++ {
						m.insert(segment{pts[j], pts[j+1], i})
					}
				}
			}
		}
	}
	return m
}

func (m *areaMap) insert(s segment) {
	id := int32(len(m.segs))
	m.segs = append(m.segs, s)
	for _, g := range []*grid{&m.fine, &m.coarse} {
		i0, i1 := cellOf(min(s.a.Lat, s.b.Lat), g.size), cellOf(max(s.a.Lat, s.b.Lat), g.size)
		j0, j1 := cellOf(min(s.a.Lon, s.b.Lon), g.size), cellOf(max(s.a.Lon, s.b.Lon), g.size)
		for i := i0; i <= i1; i++ {
			for j := j0; j <= j1; j++ {
				g.add([2]int32{i, j}, id)
			}
		}
	}
}

// cellOf is the cell of a coordinate, clamped so that the box of a
// boundless ellipse (an infinite or enormous radius) converts safely.
func cellOf(deg, size float64) int32 {
	return int32(math.Max(-1e9, math.Min(1e9, math.Floor(deg/size))))
}

// pieces cuts the great-circle edge a–b into equal pieces of at most
// maxPieceM, returning their ends (a and b included).
func pieces(a, b geo.Point) []geo.Point {
	va, vb := unit(a), unit(b)
	dot := math.Max(-1, math.Min(1, va[0]*vb[0]+va[1]*vb[1]+va[2]*vb[2]))
	omega := math.Acos(dot)
	n := int(math.Ceil(omega * earthM / maxPieceM))
	if n <= 1 || math.Sin(omega) == 0 {
		return []geo.Point{a, b}
	}
	out := make([]geo.Point, 0, n+1)
	out = append(out, a)
	for k := 1; k < n; k++ {
		t := float64(k) / float64(n)
		fa, fb := math.Sin((1-t)*omega)/math.Sin(omega), math.Sin(t*omega)/math.Sin(omega)
		v := [3]float64{fa*va[0] + fb*vb[0], fa*va[1] + fb*vb[1], fa*va[2] + fb*vb[2]}
		out = append(out, geo.Point{Lat: math.Atan2(v[2], math.Hypot(v[0], v[1])) * 180 / math.Pi, Lon: math.Atan2(v[1], v[0]) * 180 / math.Pi})
	}
	return append(out, b)
}

func unit(p geo.Point) [3]float64 {
	sl, cl := math.Sincos(p.Lat * math.Pi / 180)
	so, co := math.Sincos(p.Lon * math.Pi / 180)
	return [3]float64{cl * co, cl * so, sl}
}

// near fetches the pieces in the cells around the plane's origin out to
// radiusM (generously: a degree of latitude is taken as 110 km, of
// longitude as 110 km × cos φ), in plane coordinates.
func (m *areaMap) near(tp *geo.Tangent, radiusM float64, buf []edge) ([]edge, []bool) {
	o := tp.Origin()
	inside := make([]bool, len(m.a.Areas))
	for i, area := range m.a.Areas {
		inside[i] = area.Area != nil && area.Area.Contains(o)
	}
	dLat := radiusM / 110000
	dLon := radiusM / (110000 * math.Max(0.01, math.Cos(math.Min(89, math.Abs(o.Lat)+dLat)*math.Pi/180)))
	g := &m.fine
	if (2*dLat/cellDeg+2)*(2*dLon/cellDeg+2) > 64 {
		g = &m.coarse
	}
	var ids []int32
	for i := max(cellOf(o.Lat-dLat, g.size), g.lo[0]); i <= min(cellOf(o.Lat+dLat, g.size), g.hi[0]); i++ {
		for j := max(cellOf(o.Lon-dLon, g.size), g.lo[1]); j <= min(cellOf(o.Lon+dLon, g.size), g.hi[1]); j++ {
			ids = append(ids, g.cells[[2]int32{i, j}]...)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := buf[:0]
	for _, id := range ids {
		s := m.segs[id]
		ae, an := tp.ToENU(s.a)
		be, bn := tp.ToENU(s.b)
		out = append(out, edge{ae, an, be, bn, s.area})
	}
	return out, inside
}

func (m *areaMap) partyOf(i int) string { return m.a.Areas[i].Party }
