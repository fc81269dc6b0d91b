package assess

import (
	"math"
	"slices"
	"sort"

	"github.com/truce-mechanism/truce/geo"
)

// boundaryMap is the map the probability is integrated over: the
// boundary edges of the controlled areas near a place, drawn in the
// tangent plane at it, and which areas contain the place itself. Walking
// out from the place, crossing an edge of area i takes one into or out
// of area i; the region one stands in is the party of the first area (in
// agreement order) one is inside, as agreement.ControllingParty decides,
// or no party.
type boundaryMap interface {
	// near returns the edges within (at least) radiusM of the tangent
	// plane's origin, in plane coordinates, and for each area whether it
	// contains the origin.
	near(tp *geo.Tangent, radiusM float64, buf []edge) (edges []edge, inside []bool)
	// partyOf is the party of area i.
	partyOf(i int) string
}

// edge is a boundary segment of area `area` in the tangent plane (east,
// north, metres): from a to b.
type edge struct {
	ae, an, be, bn float64
	area           int
}

// quadrature integrates a bivariate normal over the controlled areas by
// casting rays from the mean.
//
// In whitened coordinates (x = mean + ρ·(√λ₁ cos θ u₁ + √λ₂ sin θ u₂),
// λ, u the eigenvalues and eigenvectors of the covariance) the density is
// radial, and the mass of the stretch [ρa, ρb] of one ray is exactly
// (e^(−ρa²/2) − e^(−ρb²/2)) times the ray's weight. The boundary edges
// near the mean are fetched once and whitened, and each ray's crossings
// with them are solved exactly, so only the angle is discretised.
//
// Equally spaced rays (the trapezoidal rule of a periodic function)
// converge slowly here: the mass beyond an edge, as a function of θ, has a
// kink wherever a ray passes an edge's end, and is nearly a step where a
// line passes close to the mean. So the circle is cut at the angles of
// the edges' ends: between two cuts every ray crosses the same straight
// edges in the same order, the mass beyond each is a smooth function of θ
// (exp(−h²/2cos²(θ−φ)), Owen's T function's integrand), and a
// Gauss–Legendre rule on each piece converges fast. An edge that passes
// within a σ of the mean gets more cuts, where its mass falls off near
// φ ± 90°. TestQuadrature* and TestQuadratureDemoAgainstReference
// measure it.
type quadrature struct {
	rays   int     // equally spaced: the rays; Gauss–Legendre: the fewest pieces of the circle
	gauss  int     // Gauss–Legendre nodes per piece (1–5); 0 for equally spaced rays
	rhoMax float64 // edges are fetched out to ρmax standard deviations
}

// defaultQuadrature is what Assess uses; TestQuadrature* and
// TestQuadratureDemoAgainstReference measure it.
var defaultQuadrature = quadrature{rays: DefaultRays, gauss: 3, rhoMax: 6}

// mass is the probability of one region: a party, or "" for ground no
// party controls.
type mass struct {
	party string
	p     float64
}

// crossing is where a ray meets an edge of an area.
type crossing struct {
	t    float64
	area int
}

// integrate returns the probability of each region for a normal with the
// given mean and covariance of (east, north) in m², in the order the
// regions were first met, and the number of edges within reach.
func (q quadrature) integrate(m boundaryMap, mean geo.Point, cov [2][2]float64) ([]mass, int) {
	l1, l2, u1, u2 := eigen(cov)
	s1 := math.Sqrt(l1)
	s2 := math.Max(math.Sqrt(l2), 1e-6*s1) // a degenerate ellipse is a very thin one
	tp := geo.NewTangent(mean)
	edges, inside0 := m.near(tp, q.rhoMax*s1, nil)
	h, _, _ := nearest(edges)
	if h < 0.01 {
		// The mean on a boundary: which side it is on is a matter of
		// rounding, and a ray along the boundary would start on the wrong
		// side of it. A centimetre off, the question has an answer.
		tp = geo.NewTangent(tp.FromENU(0.01, 0.005))
		edges, inside0 = m.near(tp, q.rhoMax*s1, edges)
		h, _, _ = nearest(edges)
	}
	// Regions by number: area i's party is region i, no party's ground
	// region len(areas); the region one stands in is the first area one
	// is inside.
	nArea := len(inside0)
	region := func(inside []bool) int {
		for i, in := range inside {
			if in {
				return i
			}
		}
		return nArea
	}
	r0 := region(inside0)
	if h >= q.rhoMax*s1 {
		// Nothing within reach.
		return []mass{{q.partyOfRegion(m, r0, nArea), 1}}, 0
	}

	// Whiten the edges, z = (x·u₁/√λ₁, x·u₂/√λ₂), keeping those within
	// ρmax: beyond it a ray's mass is below e^(−18).
	white := func(e, n float64) (float64, float64) {
		return (e*u1[0] + n*u1[1]) / s1, (e*u2[0] + n*u2[1]) / s2
	}
	wedges := make([]whiteEdge, 0, len(edges))
	breaks := make([]float64, 0, 2*len(edges)+8)
	for _, e := range edges {
		ax, ay := white(e.ae, e.an)
		bx, by := white(e.be, e.bn)
		d, fx, fy := footOnSegment(ax, ay, bx, by)
		if d > q.rhoMax {
			continue
		}
		if d < 1 {
			// An edge close to the mean: the mass beyond its line falls
			// from nearly all to nothing over the angles where
			// cos(θ − φ) runs from a few times d down to a fraction of it,
			// near φ ± 90°. Cut there too, so that no piece holds that
			// fall whole.
			phi := math.Atan2(fy, fx)
			for _, k := range [...]float64{4, 2, 1, 0.5, 0.25} {
				if k*d < 1 {
					psi := math.Acos(k * d)
					breaks = append(breaks, normAngle(phi+psi), normAngle(phi-psi))
				}
			}
		}
		ta, tb := math.Atan2(ay, ax), math.Atan2(by, bx)
		span := wrapPi(tb - ta)
		from := ta
		if span < 0 {
			from, span = tb, -span
		}
		wedges = append(wedges, whiteEdge{ax, ay, bx, by, e.area, normAngle(from), span})
		breaks = append(breaks, normAngle(ta), normAngle(tb))
	}
	th, wt := q.nodes(breaks)
	n := len(th)
	// Which edges each node may cross: the nodes within [from, from +
	// span] of each edge (angles are ascending from th[0], so an edge's
	// nodes are one run, going round past th[0] + 2π), by counting sort.
	base := th[0]
	runs := make([][2]int32, len(wedges))
	count := make([]int32, n+1)
	for k, e := range wedges {
		from := e.from
		for from < base {
			from += 2 * math.Pi
		}
		for from >= base+2*math.Pi {
			from -= 2 * math.Pi
		}
		i := sort.SearchFloat64s(th, from)
		c := 0
		for c < n {
			a := th[(i+c)%n]
			if i+c >= n {
				a += 2 * math.Pi
			}
			if a > from+e.span {
				break
			}
			count[(i+c)%n]++
			c++
		}
		runs[k] = [2]int32{int32(i), int32(c)}
	}
	start := make([]int32, n+1)
	for j := range n {
		start[j+1] = start[j] + count[j]
		count[j] = start[j]
	}
	list := make([]int32, start[n])
	for k, r := range runs {
		for c := range r[1] {
			j := (int(r[0]) + int(c)) % n
			list[count[j]] = int32(k)
			count[j]++
		}
	}

	acc := make([]float64, nArea+1)
	seen := make([]bool, nArea+1)
	order := []int{} // regions in the order first met
	meet := func(r int) {
		if !seen[r] {
			seen[r] = true
			order = append(order, r)
		}
	}
	meet(r0)
	inside := make([]bool, nArea)
	var cs []crossing
	for j := range n {
		c, s := math.Cos(th[j]), math.Sin(th[j])
		cs = cs[:0]
		for _, k := range list[start[j]:start[j+1]] {
			e := &wedges[k]
			if t, ok := rayHits(c, s, e.ax, e.ay, e.bx, e.by); ok {
				cs = append(cs, crossing{t, e.area})
			}
		}
		if len(cs) == 0 {
			acc[r0] += wt[j]
			continue
		}
		slices.SortFunc(cs, func(a, b crossing) int {
			if a.t != b.t {
				if a.t < b.t {
					return -1
				}
				return 1
			}
			return a.area - b.area
		})
		copy(inside, inside0)
		cur, eLo := r0, 1.0 // the region of the run, e^(−ρ²/2) where it began
		for _, x := range cs {
			inside[x.area] = !inside[x.area]
			next := region(inside)
			if next == cur {
				continue
			}
			e := math.Exp(-x.t * x.t / 2)
			acc[cur] += wt[j] * (eLo - e)
			meet(next)
			cur, eLo = next, e
		}
		acc[cur] += wt[j] * eLo
	}
	out := make([]mass, 0, len(order))
	for _, r := range order {
		out = append(out, mass{q.partyOfRegion(m, r, nArea), acc[r]})
	}
	return out, len(wedges)
}

func (quadrature) partyOfRegion(m boundaryMap, r, nArea int) string {
	if r == nArea {
		return ""
	}
	return m.partyOf(r)
}

// whiteEdge is an edge in whitened coordinates, with the angles it
// spans seen from the mean: [from, from + span], from in [0, 2π).
type whiteEdge struct {
	ax, ay, bx, by float64
	area           int
	from, span     float64
}

// gaussLegendre holds the nodes (on [−1, 1]) and weights of the rules
// of 1 to 5 points.
var gaussLegendre = [][2][]float64{
	{{0}, {2}},
	{{-0.5773502691896257, 0.5773502691896257}, {1, 1}},
	{{-0.7745966692414834, 0, 0.7745966692414834}, {0.5555555555555556, 0.8888888888888888, 0.5555555555555556}},
	{{-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526}, {0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538}},
	{{-0.906179845938664, -0.5384693101056831, 0, 0.5384693101056831, 0.906179845938664}, {0.2369268850561891, 0.4786286704993665, 0.5688888888888889, 0.4786286704993665, 0.2369268850561891}},
}

// nodes are the angles of the rays, ascending from the first (in [0,
// 2π)) to below it plus 2π, and their weights (summing to 1). With gauss
// 0, or no breaks, rays equally spaced. Otherwise the circle is cut at
// the breaks (the angles of the edges' ends, where the crossings a ray
// meets change), each stretch into pieces no wider than 2π/rays, and
// each piece gets gauss Gauss–Legendre nodes: between two breaks every
// ray crosses the same straight edges, so the mass beyond each, as a
// function of θ, is smooth there and the rule converges fast.
func (q quadrature) nodes(breaks []float64) (th, wt []float64) {
	if len(breaks) == 0 || q.gauss == 0 {
		n := q.rays
		if q.gauss > 0 {
			n *= q.gauss
		}
		th, wt = make([]float64, n), make([]float64, n)
		for j := range n {
			th[j], wt[j] = 2*math.Pi*(float64(j)+0.5)/float64(n), 1/float64(n)
		}
		return th, wt
	}
	slices.Sort(breaks)
	breaks = slices.Compact(breaks)
	gl := gaussLegendre[q.gauss-1]
	maxWidth := 2 * math.Pi / float64(q.rays)
	th = make([]float64, 0, q.gauss*(len(breaks)+q.rays))
	wt = make([]float64, 0, cap(th))
	for i, a := range breaks {
		b := breaks[0] + 2*math.Pi
		if i+1 < len(breaks) {
			b = breaks[i+1]
		}
		k := max(1, int(math.Ceil((b-a)/maxWidth)))
		width := (b - a) / float64(k)
		for p := range k {
			mid := a + (float64(p)+0.5)*width
			for g, x := range gl[0] {
				th = append(th, mid+x*width/2)
				wt = append(wt, gl[1][g]*width/2/(2*math.Pi))
			}
		}
	}
	return th, wt
}

func normAngle(a float64) float64 {
	a = math.Mod(a, 2*math.Pi)
	if a < 0 {
		a += 2 * math.Pi
	}
	return a
}

// nearest is the distance from the plane's origin to the nearest edge,
// and the nearest point.
func nearest(edges []edge) (h, fe, fn float64) {
	h = math.Inf(1)
	for _, e := range edges {
		if d, x, y := footOnSegment(e.ae, e.an, e.be, e.bn); d < h {
			h, fe, fn = d, x, y
		}
	}
	return h, fe, fn
}

// rayHits solves t·(c, s) = A + u·(B − A) for t > 0, u in [0, 1): the
// half-open segment counts a vertex shared by two edges once.
func rayHits(c, s, ax, ay, bx, by float64) (float64, bool) {
	dx, dy := bx-ax, by-ay
	den := dx*s - dy*c
	if den == 0 {
		return 0, false // parallel
	}
	u := (ay*c - ax*s) / den
	if u < 0 || u >= 1 {
		return 0, false
	}
	t := (ax+u*dx)*c + (ay+u*dy)*s
	return t, t > 0
}

// footOnSegment is the distance from the origin to the segment a–b and
// the nearest point of it.
func footOnSegment(ae, an, be, bn float64) (d, e, n float64) {
	de, dn := be-ae, bn-an
	l2 := de*de + dn*dn
	u := 0.0
	if l2 > 0 {
		u = math.Max(0, math.Min(1, -(ae*de+an*dn)/l2))
	}
	e, n = ae+u*de, an+u*dn
	return math.Hypot(e, n), e, n
}

func wrapPi(a float64) float64 {
	a = math.Mod(a+math.Pi, 2*math.Pi)
	if a < 0 {
		a += 2 * math.Pi
	}
	return a - math.Pi
}

// eigen decomposes a 2×2 covariance: eigenvalues l1 ≥ l2 ≥ 0 and their
// unit eigenvectors (east, north).
func eigen(cov [2][2]float64) (l1, l2 float64, u1, u2 [2]float64) {
	a, b, c := cov[0][0], (cov[0][1]+cov[1][0])/2, cov[1][1]
	mean, diff := (a+c)/2, math.Hypot((a-c)/2, b)
	l1, l2 = mean+diff, max(mean-diff, 0)
	e, n := l1-c, b
	if math.Abs(b) <= 1e-12*(math.Abs(a)+math.Abs(c)) {
		// Already diagonal: the axes are east and north.
		if a >= c {
			e, n = 1, 0
		} else {
			e, n = 0, 1
		}
	}
	h := math.Hypot(e, n)
	u1 = [2]float64{e / h, n / h}
	u2 = [2]float64{-u1[1], u1[0]}
	return l1, l2, u1, u2
}
