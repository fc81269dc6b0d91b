package geo

import "math"

// The WGS 84 ellipsoid. Distances the agreement speaks of ("25 km from the
// line") are measured on it, not on a sphere: a sphere of any radius is off
// by up to 0.3 % in one direction or the other at Donbas latitudes, which
// at the edge of a 25 km zone is 75 m — enough to move a weapon sighting
// in or out of a zone.
const (
	geodA   = 6378137.0                                     // semi-major axis, m
	geodF   = 1 / 298.257223563                             // flattening
	geodB   = geodA * (1 - geodF)                           // semi-minor axis, m
	geodE2  = geodF * (2 - geodF)                           // first eccentricity squared
	geodEp2 = geodE2 / (1 - geodE2)                         // second eccentricity squared
	geodRad = math.Pi / 180                                 //
	geodDeg = 180 / math.Pi                                 //
	geodTol = 1e-12                                         // on λ, rad: ~6 µm on the ground
	geodMax = 200                                           // Vincenty iterations before giving up
	geodBis = 200                                           // bisection steps of the fallback (each halves α1's interval)
	geodEps = 1e-15                                         // α1 interval small enough to stop bisecting, rad
	geodU2c = (geodA*geodA - geodB*geodB) / (geodB * geodB) // u² = cos²α · this
)

// DistanceM is the geodesic distance in metres between a and b on the
// WGS 84 ellipsoid.
//
// It uses Vincenty's inverse method (accurate to well under a millimetre),
// and where that fails to converge — points nearly antipodal, where its
// iteration on longitude oscillates — a bisection on the starting azimuth
// that always converges (see inverseBisect).
func DistanceM(a, b Point) float64 {
	s, _, _ := Inverse(a, b)
	return s
}

// Inverse solves the inverse geodesic problem on WGS 84: the distance in
// metres from a to b, the azimuth of the geodesic at a (degrees clockwise
// from true north, [0, 360)) and its azimuth on arrival at b. For
// coincident points both azimuths are 0; at a pole the azimuth is measured
// as if the point were at that pole's longitude.
func Inverse(a, b Point) (distanceM, azimuth1, azimuth2 float64) {
	s, az1, az2, ok := inverseVincenty(a, b)
	if !ok {
		s, az1, az2 = inverseBisect(a, b)
	}
	return s, normAzimuth(az1 * geodDeg), normAzimuth(az2 * geodDeg)
}

func normAzimuth(deg float64) float64 {
	deg = math.Mod(deg, 360)
	if deg < 0 {
		deg += 360
	}
	if deg >= 360 { // -tiny + 360 rounds to 360
		deg = 0
	}
	return deg
}

// reducedLatitude returns sin and cos of the parametric (reduced) latitude
// β, tan β = (1 − f) tan φ, written with atan2 so that the poles work.
func reducedLatitude(latDeg float64) (sinU, cosU float64) {
	phi := latDeg * geodRad
	u := math.Atan2((1-geodF)*math.Sin(phi), math.Cos(phi))
	return math.Sincos(u)
}

// lonDiff returns b−a in radians, wrapped to [−π, π].
func lonDiff(a, b float64) float64 {
	d := math.Mod(b-a, 360)
	switch {
	case d > 180:
		d -= 360
	case d < -180:
		d += 360
	}
	return d * geodRad
}

// vincentyLength is the distance for a geodesic with equatorial azimuth α
// (given as cos²α) spanning arc σ on the auxiliary sphere, whose midpoint is
// at 2σm from the node: Vincenty's series for s/b.
func vincentyLength(cos2Alpha, sinSigma, cosSigma, sigma, cos2SigmaM float64) float64 {
	u2 := cos2Alpha * geodU2c
	A := 1 + u2/16384*(4096+u2*(-768+u2*(320-175*u2)))
	B := u2 / 1024 * (256 + u2*(-128+u2*(74-47*u2)))
	c2m2 := cos2SigmaM * cos2SigmaM
	dSigma := B * sinSigma * (cos2SigmaM + B/4*(cosSigma*(-1+2*c2m2)-
		B/6*cos2SigmaM*(-3+4*sinSigma*sinSigma)*(-3+4*c2m2)))
	return geodB * A * (sigma - dSigma)
}

// lambdaCorrection is Vincenty's difference between the longitude on the
// auxiliary sphere and on the ellipsoid, (1−C)·f·sinα·[σ + C·sinσ·(…)].
func lambdaCorrection(sinAlpha, cos2Alpha, sinSigma, cosSigma, sigma, cos2SigmaM float64) float64 {
	C := geodF / 16 * cos2Alpha * (4 + geodF*(4-3*cos2Alpha))
	return (1 - C) * geodF * sinAlpha * (sigma + C*sinSigma*(cos2SigmaM+C*cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)))
}

// inverseVincenty is Vincenty (1975). ok is false when the iteration on λ
// does not converge, which happens only for nearly antipodal points.
func inverseVincenty(p1, p2 Point) (s, az1, az2 float64, ok bool) {
	L := lonDiff(p1.Lon, p2.Lon)
	sinU1, cosU1 := reducedLatitude(p1.Lat)
	sinU2, cosU2 := reducedLatitude(p2.Lat)

	lambda := L
	var sinLambda, cosLambda, sinSigma, cosSigma, sigma, sinAlpha, cos2Alpha, cos2SigmaM float64
	for i := 0; ; i++ {
		if i == geodMax {
			return 0, 0, 0, false
		}
		sinLambda, cosLambda = math.Sincos(lambda)
		t1 := cosU2 * sinLambda
		t2 := cosU1*sinU2 - sinU1*cosU2*cosLambda
		sinSigma = math.Hypot(t1, t2)
		if sinSigma == 0 {
			// Coincident, or both at the same pole.
			if sinU1*sinU2 >= 0 {
				return 0, 0, 0, true
			}
			return 0, 0, 0, false // exactly antipodal through the poles
		}
		cosSigma = sinU1*sinU2 + cosU1*cosU2*cosLambda
		sigma = math.Atan2(sinSigma, cosSigma)
		sinAlpha = cosU1 * cosU2 * sinLambda / sinSigma
		cos2Alpha = 1 - sinAlpha*sinAlpha
		if cos2Alpha != 0 {
			cos2SigmaM = cosSigma - 2*sinU1*sinU2/cos2Alpha
		} else {
			cos2SigmaM = 0 // along the equator
		}
		next := L + lambdaCorrection(sinAlpha, cos2Alpha, sinSigma, cosSigma, sigma, cos2SigmaM)
		if math.Abs(next) > math.Pi {
			return 0, 0, 0, false // gone over the antipode: the fallback takes it
		}
		if math.Abs(next-lambda) <= geodTol {
			lambda = next
			break
		}
		lambda = next
	}
	// Azimuths from the converged λ.
	sinLambda, cosLambda = math.Sincos(lambda)
	az1 = math.Atan2(cosU2*sinLambda, cosU1*sinU2-sinU1*cosU2*cosLambda)
	az2 = math.Atan2(cosU1*sinLambda, -sinU1*cosU2+cosU1*sinU2*cosLambda)
	return vincentyLength(cos2Alpha, sinSigma, cosSigma, sigma, cos2SigmaM), az1, az2, true
}

// inverseBisect solves the inverse problem by searching for the azimuth α1
// at the first point whose geodesic reaches the second point's latitude at
// the second point's longitude. It is slower than Vincenty's iteration
// (≈60 evaluations) but converges for every pair, which is why it is only
// the fallback for the nearly antipodal pairs Vincenty cannot solve.
//
// The points are first put in a canonical order, as Karney (2013,
// "Algorithms for geodesics", J. Geodesy 87) does: |β1| ≥ |β2|, β1 ≤ 0 and
// 0 ≤ λ12 ≤ π. Then the geodesic leaving point 1 with azimuth α1 ∈ [0, π]
// always reaches latitude β2, and the longitude at which it first does so
// while heading north rises monotonically from 0 (α1 = 0, due north) to π
// (α1 = π, due south over the pole), so bisection finds the unique α1.
func inverseBisect(p1, p2 Point) (s, az1, az2 float64) {
	lat1, lat2 := p1.Lat, p2.Lat
	lam := lonDiff(p1.Lon, p2.Lon)
	// Swap so that |lat1| >= |lat2|.
	swapped := math.Abs(lat2) > math.Abs(lat1)
	if swapped {
		lat1, lat2 = lat2, lat1
		lam = -lam
	}
	// Mirror in the equator so that lat1 <= 0.
	latSign := 1.0
	if lat1 > 0 {
		latSign = -1
		lat1, lat2 = -lat1, -lat2
	}
	// Mirror in the meridian so that λ12 >= 0.
	lonSign := 1.0
	if lam < 0 {
		lonSign = -1
		lam = -lam
	}
	if lat1 == 0 && lat2 == 0 && lam <= (1-geodF)*math.Pi {
		// Both on the equator and not nearly antipodal: the geodesic is the
		// equator itself, the one case where the northbound-crossing search
		// below has no answer (every point of the path is a crossing).
		az := math.Pi / 2 * lonSign
		if swapped {
			az = -az
		}
		return geodA * lam, az, az
	}
	sinU1, cosU1 := reducedLatitude(lat1)
	sinU2, cosU2 := reducedLatitude(lat2)

	type track struct {
		lambda, sigma, sinSigma, cosSigma, cos2SigmaM, sinA0, cos2A0 float64
	}
	eval := func(alpha1 float64) track {
		sinA1, cosA1 := math.Sincos(alpha1)
		sinA0 := sinA1 * cosU1
		cos2A0 := 1 - sinA0*sinA0
		cosA0 := math.Sqrt(cos2A0)
		sigma1 := math.Atan2(sinU1, cosA1*cosU1)
		if sigma1 > 0 { // β1 = 0 heading south: the node lies ahead, σ1 = −π
			sigma1 -= 2 * math.Pi
		}
		// First northbound crossing of latitude β2: sin β = cos α0 · sin σ.
		var sigma2 float64
		if cosA0 > 0 {
			sigma2 = math.Asin(math.Max(-1, math.Min(1, sinU2/cosA0)))
		}
		omega1 := math.Atan2(sinA0*math.Sin(sigma1), math.Cos(sigma1))
		omega2 := math.Atan2(sinA0*math.Sin(sigma2), math.Cos(sigma2))
		sig := sigma2 - sigma1
		sinS, cosS := math.Sincos(sig)
		c2m := math.Cos(sigma1 + sigma2)
		lambda := omega2 - omega1 - lambdaCorrection(sinA0, cos2A0, sinS, cosS, sig, c2m)
		return track{lambda, sig, sinS, cosS, c2m, sinA0, cos2A0}
	}
	lo, hi := 0.0, math.Pi
	var tr track
	var alpha1 float64
	for i := 0; i < geodBis && hi-lo > geodEps; i++ {
		alpha1 = (lo + hi) / 2
		tr = eval(alpha1)
		if tr.lambda < lam {
			lo = alpha1
		} else {
			hi = alpha1
		}
	}
	alpha1 = (lo + hi) / 2
	tr = eval(alpha1)
	s = vincentyLength(tr.cos2A0, tr.sinSigma, tr.cosSigma, tr.sigma, tr.cos2SigmaM)

	// Azimuth at point 2 from Clairaut (sin α2 · cos β2 = sin α0), heading
	// north as the canonical form requires.
	alpha2 := math.Atan2(tr.sinA0, math.Sqrt(math.Max(0, cosU2*cosU2-tr.sinA0*tr.sinA0)))
	// Undo the canonical transformations on the azimuths.
	if lonSign < 0 {
		alpha1, alpha2 = -alpha1, -alpha2
	}
	if latSign < 0 {
		alpha1, alpha2 = math.Pi-alpha1, math.Pi-alpha2
	}
	if swapped {
		// The geodesic from 2 to 1 reversed: departure and arrival swap and turn.
		alpha1, alpha2 = alpha2+math.Pi, alpha1+math.Pi
	}
	return s, alpha1, alpha2
}

// Direct solves the direct geodesic problem on WGS 84: the point reached
// by travelling distanceM metres from p along the geodesic that starts
// with the given azimuth (degrees clockwise from true north). Vincenty's
// direct method, accurate to well under a millimetre for any distance.
func Direct(p Point, azimuthDeg, distanceM float64) Point {
	alpha1 := azimuthDeg * geodRad
	sinA1, cosA1 := math.Sincos(alpha1)
	sinU1, cosU1 := reducedLatitude(p.Lat)
	sigma1 := math.Atan2(sinU1, cosU1*cosA1)
	sinAlpha := cosU1 * sinA1
	cos2Alpha := 1 - sinAlpha*sinAlpha
	u2 := cos2Alpha * geodU2c
	A := 1 + u2/16384*(4096+u2*(-768+u2*(320-175*u2)))
	B := u2 / 1024 * (256 + u2*(-128+u2*(74-47*u2)))

	sigma := distanceM / (geodB * A)
	var sinSigma, cosSigma, cos2SigmaM float64
	for range geodMax {
		cos2SigmaM = math.Cos(2*sigma1 + sigma)
		sinSigma, cosSigma = math.Sincos(sigma)
		c2m2 := cos2SigmaM * cos2SigmaM
		dSigma := B * sinSigma * (cos2SigmaM + B/4*(cosSigma*(-1+2*c2m2)-
			B/6*cos2SigmaM*(-3+4*sinSigma*sinSigma)*(-3+4*c2m2)))
		next := distanceM/(geodB*A) + dSigma
		if math.Abs(next-sigma) < 1e-14 {
			sigma = next
			break
		}
		sigma = next
	}
	cos2SigmaM = math.Cos(2*sigma1 + sigma)
	sinSigma, cosSigma = math.Sincos(sigma)
	t := sinU1*sinSigma - cosU1*cosSigma*cosA1
	lat := math.Atan2(sinU1*cosSigma+cosU1*sinSigma*cosA1, (1-geodF)*math.Hypot(sinAlpha, t))
	lambda := math.Atan2(sinSigma*sinA1, cosU1*cosSigma-sinU1*sinSigma*cosA1)
	L := lambda - lambdaCorrection(sinAlpha, cos2Alpha, sinSigma, cosSigma, sigma, cos2SigmaM)
	lon := math.Mod(p.Lon+L*geodDeg+540, 360) - 180
	return Point{Lat: lat * geodDeg, Lon: lon}
}
