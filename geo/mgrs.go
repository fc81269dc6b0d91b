package geo

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MGRS is one square of the Military Grid Reference System (WGS 84, the
// "AA" lettering scheme that NGA and the npm mgrs package use): a grid zone
// (UTM zone and latitude band), and the south-west corner and side of a
// square on that zone's UTM grid.
//
// A reference names a square, not a point: "37UDQ1234567890" is the 1 m
// square whose south-west corner is 12345 m east and 67890 m north of the
// corner of 100 km square DQ. Positions are truncated into their square, as
// military practice (and npm mgrs) does, never rounded.
type MGRS struct {
	Zone   int  // UTM zone, 1–60
	Band   byte // latitude band, 'C'–'X' without 'I' and 'O'
	Digits int  // per axis, 0 (100 km) to 5 (1 m)
	// UTM coordinates of the square's south-west corner, in whole metres;
	// Northing includes the 10 000 km false northing in bands C–M.
	Easting, Northing int
}

// Bands C–M lie south of the equator; N–X north of it.
const mgrsBands = "CDEFGHJKLMNPQRSTUVWX"

// 100 km square letters: columns cycle through three sets by zone, rows
// through 20 letters, starting at A in odd zones and F in even ones.
var mgrsColumnSets = [3]string{"ABCDEFGH", "JKLMNPQR", "STUVWXYZ"}

const mgrsRows = "ABCDEFGHJKLMNPQRSTUV"

const (
	mgrsMaxDigits = 5
	mgrs100km     = 100000
	mgrsRowCycle  = 2000000 // m of northing before the row letters repeat
	// MGRSEdgeTolerance is how far, in metres, a square may lie outside the
	// grid zone its reference names and still be accepted. Squares on a
	// zone's or band's edge are legitimately partial; the tolerance absorbs
	// only the centimetres by which other software's projections differ, so
	// a wrong band or zone letter is still caught.
	MGRSEdgeTolerance = 100.0
)

// MGRSError says what is wrong with a reference, and in which part of it.
type MGRSError struct {
	Ref    string // the reference as given
	Part   string // "zone", "band", "square", "digits", "grid zone" or "format"
	Reason string
	err    error // a sentinel such as ErrPolar, for errors.Is
}

func (e *MGRSError) Error() string {
	return fmt.Sprintf("mgrs %q: %s: %s", e.Ref, e.Part, e.Reason)
}

func (e *MGRSError) Unwrap() error { return e.err }

// MGRSToLatLon resolves an MGRS reference (any precision, spaces allowed)
// to the centre of the square it names.
func MGRSToLatLon(ref string) (Point, error) {
	_, c, err := mgrsParse(ref)
	return c, err
}

// LatLonToMGRS formats p as an MGRS reference with digits digits per axis
// (0..5: 100 km .. 1 m).
func LatLonToMGRS(p Point, digits int) (string, error) {
	m, err := MGRSAt(p, digits)
	if err != nil {
		return "", err
	}
	return m.String(), nil
}

// ParseMGRS reads a reference of the form the intake schema accepts:
// zone (1–60, a leading zero allowed), band, 100 km square, and 0 to 5
// digits per axis, with at most one space after the band, after the square
// and between easting and northing ("37U DQ 12345 67890"). Lower-case
// letters are accepted too. It refuses, with an *MGRSError, a zone or band
// that does not exist, a square letter the zone does not use, an odd digit
// count, and a square that lies outside the grid zone named (by more than
// MGRSEdgeTolerance) — which is how a wrong band letter shows.
func ParseMGRS(ref string) (MGRS, error) {
	m, _, err := mgrsParse(ref)
	return m, err
}

func mgrsParse(ref string) (MGRS, Point, error) {
	fail := func(part, format string, args ...any) (MGRS, Point, error) {
		return MGRS{}, Point{}, &MGRSError{Ref: ref, Part: part, Reason: fmt.Sprintf(format, args...)}
	}
	s := ref
	if s == "" {
		return fail("format", "empty reference")
	}
	i := 0
	for i < len(s) && i < 3 && mgrsIsDigit(s[i]) {
		i++
	}
	switch i {
	case 0:
		return fail("zone", "a reference starts with the UTM zone number (1–60), not %s", mgrsQuoteAt(s, 0))
	case 3:
		return fail("zone", "zone number %s has more than two digits (zones are 1–60)", s[:3])
	}
	zone, _ := strconv.Atoi(s[:i])
	if zone < 1 || zone > 60 {
		return fail("zone", "zone %s does not exist (zones are 1–60)", s[:i])
	}

	if i == len(s) {
		return fail("band", "missing latitude band letter after zone %d", zone)
	}
	band := mgrsUpper(s[i])
	switch {
	case band == 'A' || band == 'B' || band == 'Y' || band == 'Z':
		return MGRS{}, Point{}, &MGRSError{Ref: ref, Part: "band",
			Reason: fmt.Sprintf("band %c is polar (UPS grid); only bands C–X (80°S–84°N) are supported", band), err: ErrPolar}
	case band == 'I' || band == 'O':
		return fail("band", "band %c does not exist (band letters skip I and O)", band)
	case band < 'A' || band > 'Z':
		return fail("band", "expected a latitude band letter C–X after zone %d, found %s", zone, mgrsQuoteAt(s, i))
	}
	i++
	if reason := mgrsNoGridZone(zone, band); reason != "" {
		return fail("grid zone", "%s", reason)
	}
	if i < len(s) && s[i] == ' ' {
		i++
	}

	if len(s)-i < 2 || !mgrsIsLetter(s[i]) || !mgrsIsLetter(s[i+1]) {
		if i == len(s) {
			return fail("square", "missing the two 100 km square letters after %s", s[:i])
		}
		return fail("square", "expected two 100 km square letters after %s, found %q", s[:i], s[i:min(len(s), i+2)])
	}
	col, row := mgrsUpper(s[i]), mgrsUpper(s[i+1])
	set := mgrsColumnSets[(zone-1)%3]
	colIdx := strings.IndexByte(set, col)
	if colIdx < 0 {
		return fail("square", "column letter %c is not used in zone %d, whose columns are %c–%c", col, zone, set[0], set[len(set)-1])
	}
	rowIdx := strings.IndexByte(mgrsRows, row)
	if rowIdx < 0 {
		return fail("square", "row letter %c does not exist (rows are A–V without I and O)", row)
	}
	i += 2
	if i < len(s) && s[i] == ' ' {
		i++
	}

	// Digits: 2k of them, optionally split k + k by one space.
	digits := s[i:]
	space := -1
	var buf [2 * mgrsMaxDigits]byte
	nd := 0
	for j := 0; j < len(digits); j++ {
		c := digits[j]
		switch {
		case mgrsIsDigit(c):
			if nd == len(buf) {
				return fail("digits", "more than %d digits per axis (finer than 1 m) is not MGRS", mgrsMaxDigits)
			}
			buf[nd] = c
			nd++
		case c == ' ' && space < 0 && nd > 0:
			space = nd
		default:
			return fail("format", "unexpected %s in the digits", mgrsQuoteAt(s, i+j))
		}
	}
	if space == nd {
		return fail("format", "trailing space after the digits")
	}
	if nd%2 != 0 {
		return fail("digits", "odd number of digits (%d): easting and northing take half each", nd)
	}
	k := nd / 2
	if space >= 0 && space != k {
		return fail("digits", "the space must split easting from northing (%d + %d digits), not fall after digit %d", k, k, space)
	}
	size := mgrsSize(k)
	e, n := 0, 0
	for j := 0; j < k; j++ {
		e = e*10 + int(buf[j]-'0')
		n = n*10 + int(buf[k+j]-'0')
	}
	if zone%2 == 0 {
		rowIdx = (rowIdx + 15) % 20 // even zones start their rows at F
	}
	m, c, reason := mgrsPlace(zone, band, k, (colIdx+1)*mgrs100km+e*size, rowIdx*mgrs100km+n*size, true)
	if reason != "" {
		return fail("grid zone", "%s", reason)
	}
	return m, c, nil
}

// mgrsPlace completes a reference whose northing is known only modulo the
// 2 000 km cycle of row letters (n0): the band picks the cycle, taking the
// one whose square lies nearest the band's middle. It returns why the
// result lies outside its grid zone, or "" when it does not; suggest asks
// for the band letter that would fit instead.
func mgrsPlace(zone int, band byte, digits, easting, n0 int, suggest bool) (MGRS, Point, string) {
	if reason := mgrsNoGridZone(zone, band); reason != "" {
		return MGRS{}, Point{}, reason
	}
	m := MGRS{Zone: zone, Band: band, Digits: digits, Easting: easting}
	bandIdx := strings.IndexByte(mgrsBands, band)
	size := mgrsSize(digits)
	cycles := math.Round((utmBandNc[bandIdx] - float64(n0) - float64(size)/2) / mgrsRowCycle)
	m.Northing = n0 + int(cycles)*mgrsRowCycle
	c, err := m.Centre()
	if err != nil {
		return MGRS{}, Point{}, err.Error()
	}
	if reason := m.checkGridZone(c, suggest); reason != "" {
		return MGRS{}, Point{}, reason
	}
	return m, c, ""
}

// MGRSAt is the square of the given precision (digits per axis, 0..5) that
// contains p, in the grid zone MGRS assigns to p (see UTMZone).
func MGRSAt(p Point, digits int) (MGRS, error) {
	if digits < 0 || digits > mgrsMaxDigits {
		return MGRS{}, fmt.Errorf("mgrs: %d digits per axis: MGRS has 0 (100 km) to 5 (1 m)", digits)
	}
	u, err := LatLonToUTM(p)
	if err != nil {
		return MGRS{}, fmt.Errorf("mgrs: %w", err)
	}
	// Within ~1e-14° south of the equator, rounding puts the latitude in
	// band N or the northing on the equator: keep band and hemisphere in
	// agreement, as every reference must be.
	band := mgrsBandLetter(p.Lat)
	switch south := band < 'N'; {
	case u.South && !south:
		u.South, u.Northing = false, math.Max(0, u.Northing-utmFalseNorth)
	case u.South && u.Northing >= utmFalseNorth:
		u.Northing = math.Nextafter(utmFalseNorth, 0)
	}
	size := mgrsSize(digits)
	m := MGRS{
		Zone:     u.Zone,
		Band:     band,
		Digits:   digits,
		Easting:  mgrsFloorTo(u.Easting, size),
		Northing: mgrsFloorTo(u.Northing, size),
	}
	if col := m.Easting / mgrs100km; col < 1 || col > 8 {
		return MGRS{}, fmt.Errorf("mgrs: %v lies at easting %.0f m in zone %d, off the MGRS columns", p, u.Easting, u.Zone)
	}
	return m, nil
}

// Size is the side of the square in metres: 100 000 for 0 digits, 1 for 5.
func (m MGRS) Size() int { return mgrsSize(m.Digits) }

// South reports whether the square's band lies south of the equator, which
// is what decides the false northing.
func (m MGRS) South() bool { return m.Band < 'N' }

// Square is the two-letter 100 km square identification, "DQ" in 37UDQ.
func (m MGRS) Square() string {
	col := mgrsColumnSets[mgrsFloorMod(m.Zone-1, 3)][mgrsFloorMod(mgrsFloorDiv(m.Easting, mgrs100km)-1, 8)]
	r := mgrsFloorDiv(m.Northing, mgrs100km)
	if m.Zone%2 == 0 {
		r += 5
	}
	row := mgrsRows[mgrsFloorMod(r, 20)]
	return string([]byte{col, row})
}

// String is the reference without spaces and without a leading zero in
// the zone, as npm mgrs writes it: "37UDQ1234567890", "4QFJ1234".
func (m MGRS) String() string {
	b := make([]byte, 0, 15)
	b = strconv.AppendInt(b, int64(m.Zone), 10)
	b = append(b, m.Band)
	b = append(b, m.Square()...)
	if d := max(0, min(m.Digits, mgrsMaxDigits)); d > 0 {
		size := m.Size()
		b = mgrsAppendDigits(b, mgrsFloorMod(m.Easting, mgrs100km)/size, d)
		b = mgrsAppendDigits(b, mgrsFloorMod(m.Northing, mgrs100km)/size, d)
	}
	return string(b)
}

// UTM is the square's south-west corner on the UTM grid.
func (m MGRS) UTM() UTM {
	return UTM{Zone: m.Zone, South: m.South(), Easting: float64(m.Easting), Northing: float64(m.Northing)}
}

// Centre is the point at the middle of the square on the UTM grid — where
// a reference is taken to be when nothing better is known. Its error is
// uniform over the square: a standard deviation of Size/√12 per axis.
func (m MGRS) Centre() (Point, error) {
	u := m.UTM()
	half := float64(m.Size()) / 2
	u.Easting += half
	u.Northing += half
	return u.LatLon()
}

// Corners are the square's corners, south-west, south-east, north-east,
// north-west: on the ground a grid square is not a latitude/longitude box.
// Longitudes are in [−180°, 180°], so a square across the antimeridian has
// corners on both sides of it.
func (m MGRS) Corners() ([4]Point, error) {
	var out [4]Point
	s := float64(m.Size())
	for i, d := range [4][2]float64{{0, 0}, {s, 0}, {s, s}, {0, s}} {
		u := m.UTM()
		u.Easting += d[0]
		u.Northing += d[1]
		p, err := u.LatLon()
		if err != nil {
			return out, err
		}
		out[i] = p
	}
	return out, nil
}

// checkGridZone returns why the square does not overlap its grid zone, or
// "" when it does. Most squares are far inside, which the test on the
// centre and a circle around the square settles without further work.
func (m MGRS) checkGridZone(c Point, suggest bool) string {
	bandIdx := strings.IndexByte(mgrsBands, m.Band)
	latS, latN := mgrsBandLat(bandIdx)
	lonW, lonE := mgrsZoneLon(m.Zone, m.Band)
	cm := CentralMeridian(m.Zone)
	dlon := math.Remainder(c.Lon-cm, 360)

	// The square fits in a circle of radius size/√2 grid metres; ground
	// metres differ from grid metres by at most ~1.5% this close to a
	// zone's meridian. A metre of latitude is at least 1/6 335 552 rad.
	r := float64(m.Size())*0.7072*1.02 + 1
	dLat := r / 6335552 * utmRadToDeg
	if maxLat := math.Abs(c.Lat) + dLat; maxLat < 89 {
		dLon := r / (utmA * math.Cos(maxLat*utmDegToRad)) * utmRadToDeg
		if c.Lat-dLat >= latS && c.Lat+dLat <= latN && dlon-dLon >= lonW-cm && dlon+dLon <= lonE-cm {
			return ""
		}
	}

	latMin, latMax, dlMin, dlMax := m.extent()
	tolLat := MGRSEdgeTolerance / 6335552 * utmRadToDeg
	cosLat := math.Cos(math.Min(math.Max(math.Abs(latMin), math.Abs(latMax)), 85) * utmDegToRad)
	tolLon := MGRSEdgeTolerance / (utmA * cosLat) * utmRadToDeg
	gz := strconv.Itoa(m.Zone) + string(m.Band)
	sq := gz + m.Square()
	if m.Digits > 0 {
		sq = m.String()
	}
	// Squares are aligned on the equator, so a square either side of it
	// is wholly in one hemisphere: no tolerance there.
	wrongSide := m.South() && m.Northing >= utmFalseNorth || !m.South() && m.Northing < 0
	if wrongSide || latMax < latS-tolLat || latMin > latN+tolLat {
		reason := fmt.Sprintf("band %c covers %s to %s, but square %s lies at %s to %s",
			m.Band, mgrsFmtLat(latS), mgrsFmtLat(latN), sq, mgrsFmtLat(latMin), mgrsFmtLat(latMax))
		if suggest {
			if alt := m.otherBand(c); alt != "" {
				reason += "; did you mean " + alt + "?"
			}
		}
		return reason
	}
	if dlMax < lonW-cm-tolLon || dlMin > lonE-cm+tolLon {
		return fmt.Sprintf("grid zone %s covers %s to %s, but square %s lies at %s to %s",
			gz, mgrsFmtLon(lonW), mgrsFmtLon(lonE), sq, mgrsFmtLon(cm+dlMin), mgrsFmtLon(cm+dlMax))
	}
	return ""
}

// extent bounds the square in latitude and in longitude from the zone's
// meridian. On a transverse Mercator grid, longitude is monotonic along
// every grid line, so its extremes are at corners; latitude along a grid
// east–west line peaks (in absolute value) on the meridian, so that point
// counts too when the square straddles it.
func (m MGRS) extent() (latMin, latMax, dlMin, dlMax float64) {
	s := float64(m.Size())
	x0 := float64(m.Easting) - utmFalseEast
	y0 := float64(m.Northing)
	if m.South() {
		y0 -= utmFalseNorth
	}
	latMin, dlMin = math.Inf(1), math.Inf(1)
	latMax, dlMax = math.Inf(-1), math.Inf(-1)
	add := func(x, y float64) {
		phi, dl := tmInverse(x, y)
		phi *= utmRadToDeg
		dl *= utmRadToDeg
		latMin, latMax = math.Min(latMin, phi), math.Max(latMax, phi)
		dlMin, dlMax = math.Min(dlMin, dl), math.Max(dlMax, dl)
	}
	for _, x := range [2]float64{x0, x0 + s} {
		add(x, y0)
		add(x, y0+s)
	}
	if x0 < 0 && x0+s > 0 {
		add(0, y0)
		add(0, y0+s)
	}
	return
}

// otherBand is the grid zone that the square, as located, falls in when
// the same letters and digits fit it too: the likely intended band.
func (m MGRS) otherBand(c Point) string {
	if c.Lat < utmMinLat || c.Lat > utmMaxLat {
		return ""
	}
	b := mgrsBandLetter(c.Lat)
	if b == m.Band {
		return ""
	}
	n0 := mgrsFloorMod(m.Northing, mgrsRowCycle)
	if _, _, reason := mgrsPlace(m.Zone, b, m.Digits, m.Easting, n0, false); reason != "" {
		return ""
	}
	return strconv.Itoa(m.Zone) + string(b)
}

// mgrsBandLat is the latitude range of band index i (0 = C … 19 = X);
// X is 12° tall.
func mgrsBandLat(i int) (lo, hi float64) {
	lo = utmMinLat + 8*float64(i)
	hi = lo + 8
	if i == len(mgrsBands)-1 {
		hi = utmMaxLat
	}
	return lo, hi
}

func mgrsBandLetter(lat float64) byte {
	if lat >= 72 {
		return 'X'
	}
	i := int(math.Floor((lat - utmMinLat) / 8))
	return mgrsBands[max(0, min(i, len(mgrsBands)-1))]
}

// mgrsNoGridZone says why a zone and band name no grid zone, or "".
func mgrsNoGridZone(zone int, band byte) string {
	if band == 'X' && (zone == 32 || zone == 34 || zone == 36) {
		return fmt.Sprintf("%dX does not exist: Svalbard's zones 31X, 33X, 35X and 37X cover it", zone)
	}
	return ""
}

// mgrsZoneLon is the longitude range of a grid zone, with the Norway and
// Svalbard exceptions. 32X, 34X and 36X are refused before this is asked.
func mgrsZoneLon(zone int, band byte) (w, e float64) {
	w = utmFirstZoneW + utmZoneWidth*float64(zone-1)
	e = w + utmZoneWidth
	switch {
	case band == 'V' && zone == 31:
		e = 3
	case band == 'V' && zone == 32:
		w = 3
	case band == 'X' && zone == 31:
		e = 9
	case band == 'X' && zone == 33:
		w, e = 9, 21
	case band == 'X' && zone == 35:
		w, e = 21, 33
	case band == 'X' && zone == 37:
		w = 33
	}
	return w, e
}

// mgrsSize is the side of a square given with digits per axis; digits
// outside 0..5 count as the nearest of those.
func mgrsSize(digits int) int {
	digits = max(0, min(digits, mgrsMaxDigits))
	s := 1
	for i := digits; i < mgrsMaxDigits; i++ {
		s *= 10
	}
	return s
}

func mgrsFloorTo(v float64, size int) int {
	return int(math.Floor(v/float64(size))) * size
}

func mgrsFloorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func mgrsFloorMod(a, b int) int { return a - mgrsFloorDiv(a, b)*b }

func mgrsAppendDigits(b []byte, v, width int) []byte {
	var tmp [mgrsMaxDigits]byte
	for i := width - 1; i >= 0; i-- {
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, tmp[:width]...)
}

func mgrsIsDigit(c byte) bool  { return c >= '0' && c <= '9' }
func mgrsIsLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func mgrsUpper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// mgrsQuoteAt names what was found at s[i], for error messages.
func mgrsQuoteAt(s string, i int) string {
	if i >= len(s) {
		return "the end of the reference"
	}
	r := []rune(s[i:])
	return fmt.Sprintf("%q at position %d", r[0], i+1)
}

func mgrsFmtLat(lat float64) string {
	if lat < 0 {
		return fmt.Sprintf("%.2f°S", -lat)
	}
	return fmt.Sprintf("%.2f°N", lat)
}

func mgrsFmtLon(lon float64) string {
	lon = utmNormLon(lon)
	if lon < 0 {
		return fmt.Sprintf("%.2f°W", -lon)
	}
	return fmt.Sprintf("%.2f°E", lon)
}
