package geo

import (
	"errors"
	"fmt"
	"math"
)

// UTM is a position on the Universal Transverse Mercator grid of WGS 84:
// a zone (1–60), a hemisphere, and easting and northing in metres with the
// usual false origins (500 000 m east of the central meridian; 10 000 000 m
// north of the south-hemisphere origin).
type UTM struct {
	Zone     int
	South    bool // northings are counted from 10 000 km south of the equator
	Easting  float64
	Northing float64
}

// String formats u the way survey sheets do: "37N 412345.678 5523456.789".
func (u UTM) String() string {
	h := 'N'
	if u.South {
		h = 'S'
	}
	return fmt.Sprintf("%d%c %.3f %.3f", u.Zone, h, u.Easting, u.Northing)
}

// ErrPolar reports a position or reference in the polar regions (south of
// 80°S, north of 84°N: bands A, B, Y, Z), which MGRS covers with the
// Universal Polar Stereographic grid. The intake schema does not accept
// those, so neither does this package.
var ErrPolar = errors.New("polar region (UPS grid, beyond 80°S/84°N) is not supported")

// WGS 84 and the UTM projection constants.
const (
	utmA          = 6378137.0         // semi-major axis, m
	utmF          = 1 / 298.257223563 // flattening
	utmK0         = 0.9996            // scale on the central meridian
	utmFalseEast  = 500000.0          // m
	utmFalseNorth = 10000000.0        // m, southern hemisphere only
	utmMinLat     = -80.0             // UTM part of MGRS ends here
	utmMaxLat     = 84.0              // and here
	utmDegToRad   = math.Pi / 180
	utmRadToDeg   = 180 / math.Pi
	utmZoneWidth  = 6.0               // degrees of longitude
	utmFirstZoneW = -180.0            // western edge of zone 1
	utmFlatN      = utmF / (2 - utmF) // third flattening n
	utmE2         = utmF * (2 - utmF) // first eccentricity squared
	utmE2m        = 1 - utmE2
	utmNewtonTol  = 1e-14     // on tan(latitude), ~0.06 nm
	utmNewtonMax  = 6         // iterations; 2–3 are needed
	utmMaxDLonDeg = 12.0      // refuse |λ−λ0| beyond this: no grid in use goes further
	utmMaxEastDev = 1800000.0 // refuse |E−E0| beyond this, m
)

// The Krüger series to sixth order in n, as given by Karney (2011),
// "Transverse Mercator with an accuracy of a few nanometers", J. Geodesy 85.
// Truncated here, they are accurate to about 5 nm within 3 900 km of the
// central meridian — far beyond anything MGRS needs, which is why the
// widened Norway and Svalbard zones (up to 6° from their meridians) cost
// nothing in accuracy, unlike the Snyder series many libraries use.
var (
	utmE      = math.Sqrt(utmE2) // first eccentricity
	utmRectA  float64            // rectifying radius A times k0
	utmAlpha  [7]float64         // forward, index 1..6
	utmBeta   [7]float64         // inverse, index 1..6
	utmBandNc [20]float64        // northing of each band's middle on the meridian
)

func init() {
	n := utmFlatN
	n2, n3 := n*n, n*n*n
	n4, n5, n6 := n2*n2, n2*n3, n3*n3
	utmRectA = utmK0 * utmA / (1 + n) * (1 + n2/4 + n4/64 + n6/256)

	utmAlpha[1] = n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180 - 127*n5/288 + 7891*n6/37800
	utmAlpha[2] = 13*n2/48 - 3*n3/5 + 557*n4/1440 + 281*n5/630 - 1983433*n6/1935360
	utmAlpha[3] = 61*n3/240 - 103*n4/140 + 15061*n5/26880 + 167603*n6/181440
	utmAlpha[4] = 49561*n4/161280 - 179*n5/168 + 6601661*n6/7257600
	utmAlpha[5] = 34729*n5/80640 - 3418889*n6/1995840
	utmAlpha[6] = 212378941 * n6 / 319334400

	utmBeta[1] = n/2 - 2*n2/3 + 37*n3/96 - n4/360 - 81*n5/512 + 96199*n6/604800
	utmBeta[2] = n2/48 + n3/15 - 437*n4/1440 + 46*n5/105 - 1118711*n6/3870720
	utmBeta[3] = 17*n3/480 - 37*n4/840 - 209*n5/4480 + 5569*n6/90720
	utmBeta[4] = 4397*n4/161280 - 11*n5/504 - 830251*n6/7257600
	utmBeta[5] = 4583*n5/161280 - 108847*n6/3991680
	utmBeta[6] = 20648693 * n6 / 638668800

	// Northing of each band's middle parallel on the central meridian: the
	// anchor that picks the right 2 000 km cycle of MGRS row letters.
	for i := range utmBandNc {
		lo, hi := mgrsBandLat(i)
		_, y := tmForward((lo+hi)/2*utmDegToRad, 0)
		if y < 0 {
			y += utmFalseNorth
		}
		utmBandNc[i] = y
	}
}

// CentralMeridian is the longitude, in degrees, of the meridian of UTM zone z.
func CentralMeridian(zone int) float64 {
	return utmFirstZoneW + utmZoneWidth*float64(zone-1) + utmZoneWidth/2
}

// UTMZone is the zone that MGRS and UTM assign to p: 6° zones from 180°W,
// 32V widened to 3°E–12°E over Norway, and 31X, 33X, 35X, 37X widened over
// Svalbard (32X, 34X, 36X do not exist). Longitude 180° belongs to zone 60;
// longitudes beyond ±180° are wrapped.
func UTMZone(p Point) int {
	lat, lon := p.Lat, utmNormLon(p.Lon)
	if lon == 180 {
		return 60
	}
	z := int(math.Floor((lon-utmFirstZoneW)/utmZoneWidth)) + 1
	switch {
	case lat >= 56 && lat < 64 && lon >= 3 && lon < 12:
		z = 32
	case lat >= 72 && lat <= 84 && lon >= 0 && lon < 42:
		// The Svalbard exception covers the whole X band, its 84°N edge
		// included (see the npm mgrs quirk noted in mgrs_test.go).
		switch {
		case lon < 9:
			z = 31
		case lon < 21:
			z = 33
		case lon < 33:
			z = 35
		default:
			z = 37
		}
	}
	return z
}

// LatLonToUTM projects p into the UTM zone MGRS assigns it (see UTMZone).
// Latitudes beyond 80°S and 84°N are refused with ErrPolar.
func LatLonToUTM(p Point) (UTM, error) {
	if err := utmCheckPoint(p); err != nil {
		return UTM{}, err
	}
	return LatLonToUTMZone(p, UTMZone(p))
}

// LatLonToUTMZone projects p into a chosen zone, which need not be p's own:
// useful for measuring across a zone boundary in one plane. It refuses
// points more than 12° of longitude from the zone's meridian, where a
// transverse Mercator grid is no longer one anybody uses.
func LatLonToUTMZone(p Point, zone int) (UTM, error) {
	if zone < 1 || zone > 60 {
		return UTM{}, fmt.Errorf("utm: zone %d does not exist (zones are 1–60)", zone)
	}
	if math.IsNaN(p.Lat) || math.IsNaN(p.Lon) || math.IsInf(p.Lat, 0) || math.IsInf(p.Lon, 0) {
		return UTM{}, fmt.Errorf("utm: position %v is not a number", p)
	}
	if p.Lat < -90 || p.Lat > 90 {
		return UTM{}, fmt.Errorf("utm: latitude %v is outside −90..90", p.Lat)
	}
	dlon := math.Remainder(p.Lon-CentralMeridian(zone), 360)
	if math.Abs(dlon) > utmMaxDLonDeg {
		return UTM{}, fmt.Errorf("utm: longitude %v is %.1f° from zone %d's meridian (%v°); at most %v° is supported",
			p.Lon, math.Abs(dlon), zone, CentralMeridian(zone), utmMaxDLonDeg)
	}
	x, y := tmForward(p.Lat*utmDegToRad, dlon*utmDegToRad)
	u := UTM{Zone: zone, Easting: utmFalseEast + x, Northing: y}
	if p.Lat < 0 {
		u.South = true
		u.Northing += utmFalseNorth
	}
	return u, nil
}

// LatLon inverts the projection. Longitudes come back in [−180°, 180°].
func (u UTM) LatLon() (Point, error) {
	if u.Zone < 1 || u.Zone > 60 {
		return Point{}, fmt.Errorf("utm: zone %d does not exist (zones are 1–60)", u.Zone)
	}
	x := u.Easting - utmFalseEast
	y := u.Northing
	if u.South {
		y -= utmFalseNorth
	}
	if math.IsNaN(x) || math.IsNaN(y) || math.Abs(x) > utmMaxEastDev || math.Abs(y) > utmFalseNorth {
		return Point{}, fmt.Errorf("utm: %v is outside the grid", u)
	}
	lat, dlon := tmInverse(x, y)
	return Point{Lat: lat * utmRadToDeg, Lon: utmNormLon(CentralMeridian(u.Zone) + dlon*utmRadToDeg)}, nil
}

func utmCheckPoint(p Point) error {
	switch {
	case math.IsNaN(p.Lat) || math.IsNaN(p.Lon) || math.IsInf(p.Lat, 0) || math.IsInf(p.Lon, 0):
		return fmt.Errorf("position %v is not a number", p)
	case p.Lon < -180 || p.Lon > 180:
		return fmt.Errorf("longitude %v is outside −180..180", p.Lon)
	case p.Lat < -90 || p.Lat > 90:
		return fmt.Errorf("latitude %v is outside −90..90", p.Lat)
	case p.Lat < utmMinLat || p.Lat > utmMaxLat:
		return fmt.Errorf("latitude %v: %w", p.Lat, ErrPolar)
	}
	return nil
}

func utmNormLon(lon float64) float64 {
	if lon > 180 || lon < -180 {
		lon = math.Remainder(lon, 360)
	}
	return lon
}

// tmForward is the transverse Mercator projection, scaled by k0, without
// false origins: (φ, λ−λ0) in radians → (x, y) in metres.
func tmForward(phi, dlam float64) (x, y float64) {
	sinPhi := math.Sin(phi)
	// Conformal latitude, as its tangent τ′.
	tau := math.Tan(phi)
	if math.Abs(phi) == math.Pi/2 {
		tau = math.Copysign(math.Inf(1), phi)
	}
	var taup float64
	if math.IsInf(tau, 0) {
		taup = tau
	} else {
		taup = math.Sinh(math.Atanh(sinPhi) - utmE*math.Atanh(utmE*sinPhi))
	}
	sinL, cosL := math.Sincos(dlam)
	xip := math.Atan2(taup, cosL)
	etap := math.Asinh(sinL / math.Hypot(taup, cosL))

	xi, eta := tmSeries(xip, etap, &utmAlpha, 1)
	return utmRectA * eta, utmRectA * xi
}

// tmInverse undoes tmForward: (x, y) in metres → (φ, λ−λ0) in radians.
func tmInverse(x, y float64) (phi, dlam float64) {
	xip, etap := tmSeries(y/utmRectA, x/utmRectA, &utmBeta, -1)
	sinXi, cosXi := math.Sincos(xip)
	sinhEta := math.Sinh(etap)
	taup := sinXi / math.Hypot(sinhEta, cosXi)
	dlam = math.Atan2(sinhEta, cosXi)
	return math.Atan(tmTauFromTauPrime(taup)), dlam
}

// tmSeries adds sign·Σ c[j]·sin(2j(ξ+iη)) to ξ+iη, with the multiple angles
// built by recurrence from one sincos and one exp rather than twelve of each.
func tmSeries(xi, eta float64, c *[7]float64, sign float64) (float64, float64) {
	s1, c1 := math.Sincos(2 * xi)
	e := math.Exp(2 * eta)
	sh1, ch1 := (e-1/e)/2, (e+1/e)/2
	sj, cj, shj, chj := s1, c1, sh1, ch1
	var dxi, deta float64
	for j := 1; j <= 6; j++ {
		dxi += c[j] * sj * chj
		deta += c[j] * cj * shj
		sj, cj = sj*c1+cj*s1, cj*c1-sj*s1
		shj, chj = shj*ch1+chj*sh1, chj*ch1+shj*sh1
	}
	return xi + sign*dxi, eta + sign*deta
}

// tmTauFromTauPrime solves τ′(τ) = τ′ for τ = tan φ by Newton's method
// (Karney 2011, eqs. 19–21); it converges in two or three steps.
func tmTauFromTauPrime(taup float64) float64 {
	if math.IsInf(taup, 0) {
		return taup
	}
	tau := taup / utmE2m
	for i := 0; i < utmNewtonMax; i++ {
		tau1 := math.Hypot(1, tau)
		sig := math.Sinh(utmE * math.Atanh(utmE*tau/tau1))
		taupi := math.Hypot(1, sig)*tau - sig*tau1
		d := (taup - taupi) / math.Hypot(1, taupi) * (1 + utmE2m*tau*tau) / (utmE2m * tau1)
		tau += d
		if math.Abs(d) < utmNewtonTol*math.Max(1, math.Abs(tau)) {
			break
		}
	}
	return tau
}
