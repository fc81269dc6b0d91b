package geo

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
)

// Edges between consecutive positions of a Line or an Area are great-circle
// arcs between the positions taken as points on a sphere (S2's model).
// RFC 7946 reads GeoJSON edges as straight in longitude/latitude instead;
// the two differ by at most L²·tan φ / (8R) for an edge of length L, about
// 2 m for a 10 km edge at 48° N and 200 m for a 100 km one. Densify long
// edges before building a Line or an Area if that matters.

// Rect is a latitude/longitude bounding box. Min is the south-west corner,
// Max the north-east; Min.Lon > Max.Lon when the box crosses the
// antimeridian.
type Rect struct {
	Min, Max Point
}

// String formats the box as "S,W – N,E" in degrees.
func (r Rect) String() string {
	return fmt.Sprintf("%.5f,%.5f – %.5f,%.5f", r.Min.Lat, r.Min.Lon, r.Max.Lat, r.Max.Lon)
}

func rectFromS2(r s2.Rect) Rect {
	return Rect{
		Min: Point{Lat: r.Lat.Lo * geodDeg, Lon: r.Lng.Lo * geodDeg},
		Max: Point{Lat: r.Lat.Hi * geodDeg, Lon: r.Lng.Hi * geodDeg},
	}
}

func toS2(p Point) s2.Point { return s2.PointFromLatLng(s2.LatLngFromDegrees(p.Lat, p.Lon)) }

func fromS2(p s2.Point) Point {
	ll := s2.LatLngFromPoint(p)
	return Point{Lat: ll.Lat.Degrees(), Lon: ll.Lng.Degrees()}
}

// checkPosition explains why p is not a usable WGS 84 position, or
// returns "".
func checkPosition(p Point) string {
	switch {
	case math.IsNaN(p.Lat) || math.IsInf(p.Lat, 0):
		return "latitude is not a number"
	case math.IsNaN(p.Lon) || math.IsInf(p.Lon, 0):
		return "longitude is not a number"
	case p.Lat < -90 || p.Lat > 90:
		return fmt.Sprintf("latitude %g is outside −90..90", p.Lat)
	case p.Lon < -180 || p.Lon > 180:
		return fmt.Sprintf("longitude %g is outside −180..180", p.Lon)
	}
	return ""
}

// FormatPoint writes p the way the mechanism's messages do: latitude first,
// hemisphere letters, five decimals (about a metre).
func FormatPoint(p Point) string {
	ns, ew := 'N', 'E'
	lat, lon := p.Lat, p.Lon
	if lat < 0 {
		ns, lat = 'S', -lat
	}
	if lon < 0 {
		ew, lon = 'W', -lon
	}
	return fmt.Sprintf("%.5f %c, %.5f %c", lat, ns, lon, ew)
}

// edgeIndex answers "which edge is closest, and how far in metres on the
// ellipsoid" for a set of S2 shapes (polylines or polygon boundaries).
//
// S2's ClosestEdgeQuery does the spherical search. On the edge-dense lines
// a front is drawn with (a vertex every few hundred metres) one query costs
// 5–20 µs in the Go port, so the candidate edges are remembered per S2
// cell (level cacheLevel, about 2 km across): the first query in a cell
// asks S2 for every edge that could be nearest to any point of the cell,
// later queries there only scan those few. Both paths end in the same
// final step over the same edges (see finish), so the answer does not
// depend on what happens to be cached.
type edgeIndex struct {
	index *s2.ShapeIndex
	pool  sync.Pool // *edgeQueries: S2 queries keep state, so one per goroutine at a time
	cells sync.Map  // s2.CellID → *cellEdges
	size  atomic.Int64
	// direct turns the cache off, for the test that proves it changes nothing.
	direct bool
}

type edgeQueries struct {
	best    *s2.EdgeQuery
	nearOpt *s2.EdgeQueryOptions
	near    *s2.EdgeQuery
	cand    []candidate
}

// cellEdges lists every edge that can be nearest (or nearly so, on the
// ellipsoid) to some point of one cell; nil edges with full set means too
// many to be worth remembering.
type cellEdges struct {
	edges []s2.ShapeEdgeID
	full  bool
}

type candidate struct {
	id   s2.ShapeEdgeID
	edge s2.Edge
	dist s1.ChordAngle
}

const (
	// cacheLevel is the S2 level of the cells candidates are kept for:
	// level 12 cells are 1.5–2.5 km across.
	cacheLevel = 12
	// maxCachedCells bounds the memory of the cache, 8 bytes per candidate
	// edge per cell: 64 MB if every cell held the most candidates, a few MB
	// in practice; beyond it queries go to S2 directly.
	maxCachedCells = 1 << 15
	// maxCellEdges is the most candidates a cell keeps; a cell far from a
	// long curving line sees more, and is answered by S2 directly.
	maxCellEdges = 256
	// maxNearTies bounds the edges the direct path collects within the tie
	// window.
	maxNearTies = 256
)

func newEdgeIndex(index *s2.ShapeIndex) *edgeIndex {
	index.Build()
	e := &edgeIndex{index: index}
	e.pool.New = func() any {
		nearOpt := s2.NewClosestEdgeQueryOptions().MaxResults(maxNearTies).IncludeInteriors(false)
		return &edgeQueries{
			best:    s2.NewClosestEdgeQuery(index, s2.NewClosestEdgeQueryOptions().MaxResults(1).IncludeInteriors(false)),
			nearOpt: nearOpt,
			near:    s2.NewClosestEdgeQuery(index, nearOpt),
		}
	}
	return e
}

// tieFactor is how much farther than the closest edge on the sphere another
// edge may be and still be the closest on the ellipsoid, for a point at
// latitude lat (radians) and paths up to theta (radians) long. The sphere
// S2 works on stretches east–west distances against north–south ones by
// the ellipsoid's N/M = 1 + e′²cos²φ (1.0035 at 44° N, 1.0067 at the
// equator), taken at the lowest latitude the paths can reach; and the
// scale drifts with latitude along a path by at most 1.5·e²·Δφ ≈ 0.01·θ.
// Edges beyond the window cannot win; those inside it are measured on
// the ellipsoid.
func tieFactor(lat, theta float64) float64 {
	low := math.Max(0, math.Abs(lat)-theta)
	c := math.Cos(low)
	return 1 + geodEp2*c*c + 0.01*theta + 1e-4
}

func windowLimit(lat float64, d s1.ChordAngle) s1.ChordAngle {
	a := float64(d.Angle())
	return s1.ChordAngleFromAngle(s1.Angle(a*tieFactor(lat, a) + 1e-9)).Successor()
}

// closest returns the point of the indexed edges closest to p and its
// ellipsoidal distance in metres. The search is spherical (S2); the answer
// is measured on WGS 84 between p and the spherical foot point on each
// candidate edge. The foot point on the ellipsoid differs from the
// spherical one by second-order terms only (relative error in distance
// ≈ (e′²/2)² ≈ 1e-5, centimetres at 1 km).
func (e *edgeIndex) closest(p Point) (Point, float64) {
	x := toS2(p)
	q := e.pool.Get().(*edgeQueries)
	defer e.pool.Put(q)
	q.cand = q.cand[:0]

	if ce := e.cell(s2.CellIDFromLatLng(s2.LatLngFromPoint(x)).Parent(cacheLevel), q); ce != nil && !ce.full {
		best := s1.InfChordAngle()
		for _, id := range ce.edges {
			edge := e.index.Shape(id.ShapeID).Edge(int(id.EdgeID))
			d, _ := s2.UpdateMinDistance(x, edge.V0, edge.V1, s1.InfChordAngle())
			q.cand = append(q.cand, candidate{id, edge, d})
			best = min(best, d)
		}
		limit := windowLimit(p.Lat*geodRad, best)
		kept := q.cand[:0]
		for _, c := range q.cand {
			if c.dist < limit {
				kept = append(kept, c)
			}
		}
		return e.finish(p, x, kept)
	}

	target := s2.NewMinDistanceToPointTarget(x)
	res := q.best.FindEdges(target)
	if len(res) == 0 {
		return Point{math.NaN(), math.NaN()}, math.NaN()
	}
	q.nearOpt.DistanceLimit(windowLimit(p.Lat*geodRad, res[0].Distance()))
	for _, r := range q.near.FindEdges(target) {
		id := s2.ShapeEdgeID{ShapeID: r.ShapeID(), EdgeID: r.EdgeID()}
		q.cand = append(q.cand, candidate{id, e.index.Shape(id.ShapeID).Edge(int(id.EdgeID)), r.Distance()})
	}
	if len(q.cand) == 0 { // the window's rounding dropped the closest itself
		id := s2.ShapeEdgeID{ShapeID: res[0].ShapeID(), EdgeID: res[0].EdgeID()}
		q.cand = append(q.cand, candidate{id, e.index.Shape(id.ShapeID).Edge(int(id.EdgeID)), res[0].Distance()})
	}
	return e.finish(p, x, q.cand)
}

// finish measures on the ellipsoid the candidates that are local minima of
// spherical distance along their chain — a run of neighbouring edges
// within the window is one stretch of line whose ellipsoidal minimum sits
// next to its spherical one (second-order difference), while separate
// stretches (two arms of a salient) are each measured.
func (e *edgeIndex) finish(p Point, x s2.Point, cand []candidate) (Point, float64) {
	slices.SortFunc(cand, func(a, b candidate) int {
		if c := cmp.Compare(a.id.ShapeID, b.id.ShapeID); c != 0 {
			return c
		}
		return cmp.Compare(a.id.EdgeID, b.id.EdgeID)
	})
	bestPt, bestD := Point{math.NaN(), math.NaN()}, math.Inf(1)
	for i, c := range cand {
		if i > 0 && cand[i-1].id.ShapeID == c.id.ShapeID && cand[i-1].id.EdgeID == c.id.EdgeID-1 && cand[i-1].dist < c.dist {
			continue
		}
		if i+1 < len(cand) && cand[i+1].id.ShapeID == c.id.ShapeID && cand[i+1].id.EdgeID == c.id.EdgeID+1 && cand[i+1].dist < c.dist {
			continue
		}
		pt := fromS2(s2.Project(x, c.edge.V0, c.edge.V1))
		if d := DistanceM(p, pt); d < bestD {
			bestPt, bestD = pt, d
		}
	}
	return bestPt, bestD
}

// cell returns the candidate edges of cell id, asking S2 for them the
// first time; nil when the cache is full.
func (e *edgeIndex) cell(id s2.CellID, q *edgeQueries) *cellEdges {
	if v, ok := e.cells.Load(id); ok {
		return v.(*cellEdges)
	}
	if e.direct || e.size.Load() >= maxCachedCells {
		return nil
	}
	// Any point of the cell is within r of its centre c, so its distance
	// to the line is at most U = d(c) + r, and an edge within the tie
	// window of that, (U·w), of the point is within U·w + r of c.
	cell := s2.CellFromCellID(id)
	cp := cell.CapBound()
	c, r := cp.Center(), cp.Radius()
	target := s2.NewMinDistanceToPointTarget(c)
	res := q.best.FindEdges(target)
	ce := &cellEdges{}
	if len(res) > 0 {
		u := float64(res[0].Distance().Angle() + r)
		lat := math.Max(0, math.Abs(s2.LatLngFromPoint(c).Lat.Radians())-float64(r))
		q.nearOpt.DistanceLimit(s1.ChordAngleFromAngle(s1.Angle(u*tieFactor(lat, u) + float64(r) + 2e-9)).Successor())
		found := q.near.FindEdges(target)
		if len(found) >= maxNearTies || len(found) > maxCellEdges {
			ce.full = true
		} else {
			ce.edges = make([]s2.ShapeEdgeID, len(found))
			for i, f := range found {
				ce.edges[i] = s2.ShapeEdgeID{ShapeID: f.ShapeID(), EdgeID: f.EdgeID()}
			}
		}
	}
	if v, loaded := e.cells.LoadOrStore(id, ce); loaded {
		return v.(*cellEdges)
	}
	e.size.Add(1)
	return ce
}

// Line is one or more polylines — the line of contact, a withdrawal line,
// a border — indexed for distance queries. Safe for concurrent use.
type Line struct {
	edges    *edgeIndex
	bound    Rect
	numEdges int
}

// NewLine indexes the given polylines (each a sequence of at least two
// positions). Repeated consecutive positions are dropped.
func NewLine(parts [][]Point) (*Line, error) {
	if len(parts) == 0 {
		return nil, errors.New("a line needs at least one part")
	}
	index := s2.NewShapeIndex()
	bounder := s2.NewRectBounder()
	n := 0
	for i, part := range parts {
		pts := make([]s2.Point, 0, len(part))
		for j, p := range part {
			if why := checkPosition(p); why != "" {
				return nil, fmt.Errorf("part %d, position %d: %s", i, j, why)
			}
			x := toS2(p)
			if len(pts) > 0 && pts[len(pts)-1] == x {
				continue
			}
			pts = append(pts, x)
			bounder.AddPoint(x)
		}
		if len(pts) < 2 {
			return nil, fmt.Errorf("part %d: a line needs at least two distinct positions, this part has %d", i, len(pts))
		}
		index.Add(s2.LaxPolylineFromPoints(pts))
		n += len(pts) - 1
	}
	return &Line{edges: newEdgeIndex(index), bound: rectFromS2(bounder.RectBound()), numEdges: n}, nil
}

// DistanceM is the distance in metres on the WGS 84 ellipsoid from p to the
// nearest point of the line.
func (l *Line) DistanceM(p Point) float64 {
	_, d := l.edges.closest(p)
	return d
}

// Closest returns the point of the line nearest to p and its distance in
// metres on the ellipsoid.
func (l *Line) Closest(p Point) (Point, float64) { return l.edges.closest(p) }

// Bound is the line's latitude/longitude bounding box.
func (l *Line) Bound() Rect { return l.bound }

// NumEdges is the number of segments indexed.
func (l *Line) NumEdges() int { return l.numEdges }
