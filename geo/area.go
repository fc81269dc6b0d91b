package geo

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/golang/geo/s2"
)

// Area is a region made of polygons with holes — a party's controlled area,
// a demilitarised zone — indexed for containment and distance queries.
// Safe for concurrent use.
//
// Points exactly on a boundary shared by two areas belong to exactly one
// of them (S2's semi-open model), so a place on the line of contact has one
// controlling party, never two and never none.
type Area struct {
	polys    []areaPolygon
	index    *s2.ShapeIndex
	boundary *edgeIndex
	contains sync.Pool // *s2.ContainsPointQuery
	bound    Rect
}

type areaPolygon struct {
	s2    *s2.Polygon
	rings [][]Point // as given, closing position dropped; ring 0 is the outer ring
}

// AreaError says which polygon and ring of the input made NewArea fail.
// Ring is -1 when the problem is between polygons or rings rather than in
// one ring.
type AreaError struct {
	Polygon, Ring int
	// Other is the other polygon or ring involved, -1 if none.
	Other    int
	Problems []RingProblem // for a bad ring
	Msg      string
	At       Point
}

func (e *AreaError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "polygon %d", e.Polygon)
	if e.Ring >= 0 {
		fmt.Fprintf(&b, ", ring %d", e.Ring)
	}
	b.WriteString(": ")
	if e.Msg != "" {
		b.WriteString(e.Msg)
	}
	for i, p := range e.Problems {
		if i > 0 || e.Msg != "" {
			b.WriteString("; ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

// NewArea builds an area from polygons in GeoJSON order: each polygon is a
// list of rings, ring 0 the outer boundary and the others holes; each ring
// closed (first position repeated last). Either winding is accepted: every
// ring is taken to enclose the smaller of the two regions it separates
// (so no area may exceed a hemisphere). Polygons of one area must not
// overlap each other; they may share edges. Errors are *AreaError.
func NewArea(polygons [][][]Point) (*Area, error) {
	if len(polygons) == 0 {
		return nil, errors.New("an area needs at least one polygon")
	}
	a := &Area{index: s2.NewShapeIndex()}
	bounder := s2.NewRectBounder()
	for i, rings := range polygons {
		if len(rings) == 0 {
			return nil, &AreaError{Polygon: i, Ring: -1, Other: -1, Msg: "a polygon needs an outer ring"}
		}
		ap := areaPolygon{}
		loops := make([]*s2.Loop, 0, len(rings))
		for r, ring := range rings {
			if probs := RingProblems(ring); len(probs) > 0 {
				return nil, &AreaError{Polygon: i, Ring: r, Other: -1, Problems: probs, At: probs[0].At}
			}
			open := openRing(ring)
			loop := s2.LoopFromPoints(s2Points(open))
			loop.Normalize()
			loops = append(loops, loop)
			ap.rings = append(ap.rings, open)
			if r == 0 {
				for _, v := range loop.Vertices() {
					bounder.AddPoint(v)
				}
			}
		}
		// Holes inside their outer ring and apart from each other: S2 would
		// otherwise read a hole outside the shell, or a hole in a hole, as a
		// different region without complaint.
		for r := 1; r < len(loops); r++ {
			if !loops[0].Contains(loops[r]) {
				return nil, &AreaError{Polygon: i, Ring: r, Other: 0, At: open0(ap.rings[r]),
					Msg: "this hole is not inside the polygon's outer ring (ring 0)"}
			}
			for k := 1; k < r; k++ {
				if loops[k].Intersects(loops[r]) {
					return nil, &AreaError{Polygon: i, Ring: r, Other: k, At: open0(ap.rings[r]),
						Msg: fmt.Sprintf("this hole overlaps hole %d of the same polygon", k)}
				}
			}
		}
		for r := 1; r < len(loops); r++ {
			loops[r].Invert() // interior on the left: holes run clockwise
		}
		poly := s2.PolygonFromOrientedLoops(loops)
		if err := poly.Validate(); err != nil {
			return nil, &AreaError{Polygon: i, Ring: -1, Other: -1, Msg: "invalid polygon: " + err.Error()}
		}
		ap.s2 = poly
		for k, prev := range a.polys {
			if prev.s2.Intersects(poly) {
				return nil, &AreaError{Polygon: i, Ring: -1, Other: k, At: open0(ap.rings[0]),
					Msg: fmt.Sprintf("this polygon overlaps polygon %d of the same area", k)}
			}
		}
		a.polys = append(a.polys, ap)
		a.index.Add(poly)
	}
	a.boundary = newEdgeIndex(a.index)
	a.contains.New = func() any { return s2.NewContainsPointQuery(a.index, s2.VertexModelSemiOpen) }
	a.bound = rectFromS2(bounder.RectBound())
	return a, nil
}

func open0(ring []Point) Point {
	if len(ring) == 0 {
		return Point{}
	}
	return ring[0]
}

// openRing drops the closing position and repeated consecutive positions.
func openRing(ring []Point) []Point {
	out := make([]Point, 0, len(ring))
	for _, p := range ring {
		if len(out) > 0 && out[len(out)-1] == p {
			continue
		}
		out = append(out, p)
	}
	for len(out) > 1 && out[len(out)-1] == out[0] {
		out = out[:len(out)-1]
	}
	return out
}

func s2Points(ps []Point) []s2.Point {
	out := make([]s2.Point, len(ps))
	for i, p := range ps {
		out[i] = toS2(p)
	}
	return out
}

// Contains reports whether p lies inside the area (not in a hole).
func (a *Area) Contains(p Point) bool {
	q := a.contains.Get().(*s2.ContainsPointQuery)
	defer a.contains.Put(q)
	return q.Contains(toS2(p))
}

// DistanceM is the distance in metres on the ellipsoid from p to the area:
// 0 inside it, the distance to its boundary outside.
func (a *Area) DistanceM(p Point) float64 {
	if a.Contains(p) {
		return 0
	}
	return a.BoundaryDistanceM(p)
}

// BoundaryDistanceM is the distance in metres from p to the nearest point
// of the area's boundary (outer rings and holes), inside or out.
func (a *Area) BoundaryDistanceM(p Point) float64 {
	_, d := a.boundary.closest(p)
	return d
}

// ClosestBoundary is the nearest point of the boundary to p and its distance.
func (a *Area) ClosestBoundary(p Point) (Point, float64) { return a.boundary.closest(p) }

// Bound is the area's latitude/longitude bounding box.
func (a *Area) Bound() Rect { return a.bound }

// NumEdges is the number of boundary segments indexed.
func (a *Area) NumEdges() int { return a.index.NumEdges() }

// AreaM2 is the area's surface on a sphere of the WGS 84 authalic radius
// (equal area with the ellipsoid), square metres.
func (a *Area) AreaM2() float64 {
	var s float64
	for _, p := range a.polys {
		s += p.s2.Area()
	}
	return s * authalicR * authalicR
}

// authalicR is the radius of the sphere with the WGS 84 ellipsoid's surface.
const authalicR = 6371007.180918

// AreaIndex finds which of several areas contain a point with one lookup,
// for the controlling-party question. Safe for concurrent use.
type AreaIndex struct {
	index *s2.ShapeIndex
	owner map[s2.Shape]int
	pool  sync.Pool // *s2.ContainsPointQuery
}

// NewAreaIndex indexes the areas; Containing answers with their positions
// in this list.
func NewAreaIndex(areas ...*Area) *AreaIndex {
	x := &AreaIndex{index: s2.NewShapeIndex(), owner: map[s2.Shape]int{}}
	for i, a := range areas {
		for _, p := range a.polys {
			x.index.Add(p.s2)
			x.owner[p.s2] = i
		}
	}
	x.index.Build()
	x.pool.New = func() any { return s2.NewContainsPointQuery(x.index, s2.VertexModelSemiOpen) }
	return x
}

// Containing returns, in ascending order, the positions of the areas that
// contain p: none, one, or several if areas overlap.
func (x *AreaIndex) Containing(p Point) []int {
	q := x.pool.Get().(*s2.ContainsPointQuery)
	shapes := q.ContainingShapes(toS2(p))
	x.pool.Put(q)
	if len(shapes) == 0 {
		return nil
	}
	out := make([]int, 0, len(shapes))
	for _, s := range shapes {
		i := x.owner[s]
		if !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return out
}

// First returns the lowest position of an area containing p, or -1.
func (x *AreaIndex) First(p Point) int {
	q := x.pool.Get().(*s2.ContainsPointQuery)
	shapes := q.ContainingShapes(toS2(p))
	x.pool.Put(q)
	best := -1
	for _, s := range shapes {
		if i := x.owner[s]; best < 0 || i < best {
			best = i
		}
	}
	return best
}

// DefaultOverlapToleranceM is how deep one area must reach into another
// before Overlap calls it an overlap. Two parties' areas drawn from
// different maps never share a boundary to the millimetre; a reach of a few
// metres is drawing noise, not a claim on the same ground.
const DefaultOverlapToleranceM = 10.0

// Overlap reports whether the interiors of a and b overlap by more than
// DefaultOverlapToleranceM, with a witness point inside both (as near as
// possible to where the overlap was found). Shared boundaries are not
// overlaps.
func Overlap(a, b *Area) (bool, Point) { return OverlapWithin(a, b, DefaultOverlapToleranceM) }

// OverlapWithin is Overlap with the tolerance given in metres.
//
// It first asks S2 whether the polygons intersect at all (exactly, shared
// edges excluded); only if they do does it look for a witness: a point
// lying inside both areas more than tolM from the other's boundary. The
// candidates are every vertex of each area, the midpoints between
// successive crossings of each edge with the other area's boundary, and
// points on three scan lines through each outer ring (which catch two
// areas drawn identically, where no boundary point lies inside the other).
// An overlap thinner than tolM everywhere is not reported; neither, in
// principle, is one that avoids every candidate, which needs an overlap
// deeper than tolM that contains no vertex, no stretch of boundary between
// crossings, and none of the scan lines' interior midpoints.
func OverlapWithin(a, b *Area, tolM float64) (bool, Point) {
	for _, pa := range a.polys {
		for _, pb := range b.polys {
			if !pa.s2.Intersects(pb.s2) {
				continue
			}
			if w, ok := boundaryInside(pa, b, tolM); ok {
				return true, intoBoth(w, a, b)
			}
			if w, ok := boundaryInside(pb, a, tolM); ok {
				return true, intoBoth(w, b, a)
			}
			for _, c := range append(scanPoints(pa.rings[0]), scanPoints(pb.rings[0])...) {
				if deepInside(a, c, tolM) && deepInside(b, c, tolM) {
					return true, c
				}
			}
		}
	}
	return false, Point{}
}

// intoBoth moves a witness w found on own's boundary, deep inside other,
// a little way into own, so that the point reported lies inside both
// areas rather than on the edge of one. If no nearby point qualifies
// (own is a sliver there) w itself is returned.
func intoBoth(w Point, own, other *Area) Point {
	r := math.Min(other.BoundaryDistanceM(w)/2, 1000)
	for ; r > 0.01; r /= 4 {
		for az := 0.0; az < 360; az += 30 {
			if c := Direct(w, az, r); own.Contains(c) && other.Contains(c) {
				return c
			}
		}
	}
	return w
}

// deepInside reports whether p is inside a by more than tolM.
func deepInside(a *Area, p Point, tolM float64) bool {
	return a.Contains(p) && a.BoundaryDistanceM(p) > tolM
}

// boundaryInside looks for a point of p's boundary lying deeper than tolM
// inside other.
func boundaryInside(p areaPolygon, other *Area, tolM float64) (Point, bool) {
	cross := s2.NewCrossingEdgeQuery(other.index)
	for _, ring := range p.rings {
		for i, v := range ring {
			if deepInside(other, v, tolM) {
				return v, true
			}
			w := ring[(i+1)%len(ring)]
			va, wa := toS2(v), toS2(w)
			// Split the edge where it crosses other's boundary; between
			// two crossings it is wholly inside or wholly outside.
			ts := []float64{0, 1}
			for shape, edges := range cross.CrossingsEdgeMap(va, wa, s2.CrossingTypeAll) {
				for _, e := range edges {
					ed := shape.Edge(e)
					x := s2.Intersection(va, wa, ed.V0, ed.V1)
					ts = append(ts, s2.DistanceFraction(x, va, wa))
				}
			}
			slices.Sort(ts) // the map's order is random; the candidates' is not
			for k := 0; k+1 < len(ts); k++ {
				if ts[k+1]-ts[k] < 1e-12 {
					continue
				}
				m := fromS2(s2.Interpolate((ts[k]+ts[k+1])/2, va, wa))
				if deepInside(other, m, tolM) {
					return m, true
				}
			}
		}
	}
	return Point{}, false
}

// scanPoints returns the midpoints of the widest inside stretch of three
// parallels (at ¼, ½ and ¾ of the ring's latitude span), read in plain
// longitude/latitude: candidates only, each checked exactly afterwards.
func scanPoints(ring []Point) []Point {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range ring {
		lo, hi = math.Min(lo, p.Lat), math.Max(hi, p.Lat)
	}
	var out []Point
	for _, f := range []float64{0.5, 0.25, 0.75} {
		lat := lo + f*(hi-lo)
		var xs []float64
		for i, p := range ring {
			q := ring[(i+1)%len(ring)]
			if (p.Lat > lat) == (q.Lat > lat) || math.Abs(q.Lon-p.Lon) > 180 {
				continue
			}
			xs = append(xs, p.Lon+(lat-p.Lat)/(q.Lat-p.Lat)*(q.Lon-p.Lon))
		}
		slices.Sort(xs)
		best, bestW := math.NaN(), 0.0
		for k := 0; k+1 < len(xs); k += 2 {
			if w := xs[k+1] - xs[k]; w > bestW {
				best, bestW = (xs[k]+xs[k+1])/2, w
			}
		}
		if !math.IsNaN(best) {
			out = append(out, Point{Lat: lat, Lon: best})
		}
	}
	return out
}

// RingProblemKind names what is wrong with a ring.
type RingProblemKind string

// The ring problems RingProblems finds.
const (
	RingTooFewPositions  RingProblemKind = "too-few-positions"
	RingUnclosed         RingProblemKind = "unclosed"
	RingBadPosition      RingProblemKind = "bad-position"
	RingSelfIntersection RingProblemKind = "self-intersection"
	RingZeroArea         RingProblemKind = "zero-area"
)

// RingProblem is one defect of a polygon ring, with the positions involved
// (indexes into the ring as given) and where on the ground it is.
type RingProblem struct {
	Kind      RingProblemKind
	Positions []int
	At        Point
	Message   string // for a person who does not read code
}

func (p RingProblem) String() string { return p.Message }

// maxCrossingReports caps the self-intersections listed for one ring: a
// ring drawn wrong tends to cross itself hundreds of times, and the first
// few are enough to find the mistake.
const maxCrossingReports = 10

// RingProblems checks a polygon ring as GeoJSON requires it: at least four
// positions, closed (the last position equal to the first), every position
// a valid longitude/latitude, not crossing or touching itself, enclosing
// some area. It returns every problem found, none for a good ring.
func RingProblems(ring []Point) []RingProblem {
	var out []RingProblem
	if len(ring) < 4 {
		out = append(out, RingProblem{Kind: RingTooFewPositions, At: open0(ring),
			Message: fmt.Sprintf("a ring needs at least 4 positions (3 corners, then the first one again to close it); this one has %d", len(ring))})
	}
	bad := false
	for i, p := range ring {
		if why := checkPosition(p); why != "" {
			bad = true
			out = append(out, RingProblem{Kind: RingBadPosition, Positions: []int{i},
				Message: fmt.Sprintf("position %d is not a valid longitude/latitude: %s", i, why)})
		}
	}
	if bad || len(ring) == 0 {
		return out
	}
	if len(ring) >= 2 && ring[len(ring)-1] != ring[0] {
		out = append(out, RingProblem{Kind: RingUnclosed, Positions: []int{0, len(ring) - 1}, At: ring[len(ring)-1],
			Message: fmt.Sprintf("the ring is not closed: its last position (%s) differs from its first (%s); repeat the first position at the end",
				FormatPoint(ring[len(ring)-1]), FormatPoint(ring[0]))})
	}
	// Work on the distinct corners, remembering where each came from.
	var pts []Point
	var orig []int
	for i, p := range ring {
		if len(pts) > 0 && pts[len(pts)-1] == p {
			continue
		}
		pts, orig = append(pts, p), append(orig, i)
	}
	for len(pts) > 1 && pts[len(pts)-1] == pts[0] {
		pts, orig = pts[:len(pts)-1], orig[:len(orig)-1]
	}
	if len(pts) < 3 {
		if len(ring) >= 4 {
			out = append(out, RingProblem{Kind: RingZeroArea, At: ring[0],
				Message: fmt.Sprintf("the ring encloses no area: it has only %d distinct corner(s)", len(pts))})
		}
		return out
	}
	out = append(out, selfIntersections(pts, orig)...)
	if !slices.ContainsFunc(out, func(p RingProblem) bool { return p.Kind == RingSelfIntersection }) {
		if areaM2 := math.Abs(signedAreaSr(pts)) * authalicR * authalicR; areaM2 < 1 {
			out = append(out, RingProblem{Kind: RingZeroArea, At: ring[0],
				Message: fmt.Sprintf("the ring encloses no area (%.2g m²): its corners lie on one line", areaM2)})
		}
	}
	return out
}

// signedAreaSr is the signed area of a simple ring in steradians, summed
// over a fan of spherical triangles.
func signedAreaSr(pts []Point) float64 {
	xs := s2Points(pts)
	var s float64
	for i := 1; i+1 < len(xs); i++ {
		s += s2.SignedArea(xs[0], xs[i], xs[i+1])
	}
	return s
}

// spikeAngle is the corner angle below which a ring is taken to run back
// along itself: zero but for rounding. (Three positions on one meridian
// make a spike; three on one parallel do not, since a parallel is no great
// circle and the ring then encloses a real, thin sliver.)
const spikeAngle = 1e-9

// selfIntersections finds segments of the (implicitly closed) ring that
// cross or touch segments other than their neighbours, and spikes where
// the ring turns straight back on itself, using an S2 index of the
// segments so that a ring of 50,000 positions takes milliseconds.
func selfIntersections(pts []Point, orig []int) []RingProblem {
	n := len(pts)
	xs := s2Points(pts)
	var out []RingProblem
	extra := 0
	report := func(p RingProblem) {
		if len(out) < maxCrossingReports {
			out = append(out, p)
		} else {
			extra++
		}
	}
	seg := func(i int) string { return fmt.Sprintf("%d–%d", orig[i], orig[(i+1)%n]) }
	// Spikes: a corner whose two segments run back along each other.
	for i := range n {
		a, b, c := xs[(i+n-1)%n], xs[i], xs[(i+1)%n]
		if a == c || s2.Angle(a, b, c) < spikeAngle {
			report(RingProblem{Kind: RingSelfIntersection, Positions: []int{orig[i]}, At: pts[i],
				Message: fmt.Sprintf("the ring turns straight back on itself at position %d (%s)", orig[i], FormatPoint(pts[i]))})
		}
	}
	touched := map[Point]bool{} // a corner used twice shows up as up to four segment pairs
	if n > 3 {
		index := s2.NewShapeIndex()
		shape := s2.LaxLoopFromPoints(xs)
		index.Add(shape)
		q := s2.NewCrossingEdgeQuery(index)
		for i := range n {
			a, b := xs[i], xs[(i+1)%n]
			others := q.Crossings(a, b, shape, s2.CrossingTypeAll)
			slices.Sort(others)
			for _, j := range others {
				if j <= i || j == (i+1)%n || (j+1)%n == i {
					continue // each pair once; neighbours share a corner by design
				}
				c, d := xs[j], xs[(j+1)%n]
				var at Point
				var msg string
				if s2.CrossingSign(a, b, c, d) == s2.Cross {
					at = fromS2(s2.Intersection(a, b, c, d))
					msg = fmt.Sprintf("the ring crosses itself: segment %s crosses segment %s near %s", seg(i), seg(j), FormatPoint(at))
				} else {
					// They share a corner: the ring touches itself there.
					at = pts[i]
					switch {
					case a == c || a == d:
						at = pts[i]
					case b == c || b == d:
						at = pts[(i+1)%n]
					}
					if touched[at] {
						continue
					}
					touched[at] = true
					msg = fmt.Sprintf("the ring touches itself: segments %s and %s meet at %s", seg(i), seg(j), FormatPoint(at))
				}
				report(RingProblem{Kind: RingSelfIntersection, Positions: []int{orig[i], orig[j]}, At: at, Message: msg})
			}
		}
	}
	if extra > 0 {
		out[len(out)-1].Message += fmt.Sprintf(" (and %d more crossings not listed)", extra)
	}
	return out
}
