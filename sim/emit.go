package sim

import (
	"math"
	"strconv"

	"github.com/truce-mechanism/truce/geo"
)

// doc is one report about to be written: the fields of the intake schema a
// sensor fills in. Zero values are left out. It is encoded by hand, not by
// encoding/json, because a million-report scenario must generate in
// seconds.
type doc struct {
	id         string
	src        *sensor
	observedAt int64 // Unix ms
	frac       int   // 3: milliseconds in observed_at, 0: whole seconds
	timeSigma  float64
	kind       string
	count      int
	fire       string
	wClass     string
	wCal       float64
	wSys       string
	observer   point
	location   point
	origin     point
	bearing    float64
	hasBearing bool
	bearingSig float64
	rangeMin   float64
	rangeMax   float64
	hasRange   bool
	oBearing   float64
	hasOBear   bool
	oBearSig   float64
	party      string
	notes      string
}

// point is a position as a report gives it: decimal degrees to dec places,
// or an MGRS reference of mgrs digits per axis; cep 0 is left out.
type point struct {
	set  bool
	p    geo.Point
	dec  int
	mgrs int
	cep  float64
}

func latlon(p geo.Point, dec int, cep float64) point {
	return point{set: true, p: p, dec: dec, cep: cep}
}

// appendDoc writes d as one line of JSON (without the newline).
func appendDoc(b []byte, d *doc) []byte {
	b = append(b, `{"id":`...)
	b = appendStr(b, d.id)
	b = append(b, `,"source":`...)
	b = appendStr(b, d.src.truth.Source)
	b = append(b, `,"observed_at":"`...)
	b = appendTime(b, d.observedAt, d.frac)
	b = append(b, '"')
	b = appendNum(b, "time_sigma_s", d.timeSigma, 3)
	b = append(b, `,"kind":"`...)
	b = append(b, d.kind...)
	b = append(b, '"')
	if d.count > 0 {
		b = append(b, `,"count":`...)
		b = strconv.AppendInt(b, int64(d.count), 10)
	}
	if d.fire != "" {
		b = append(b, `,"fire":"`...)
		b = append(b, d.fire...)
		b = append(b, '"')
	}
	if d.wClass != "" {
		b = append(b, `,"weapon":{"class":"`...)
		b = append(b, d.wClass...)
		b = append(b, '"')
		if d.wCal > 0 {
			b = appendNum(b, "caliber_mm", d.wCal, 2)
		}
		if d.wSys != "" {
			b = append(b, `,"system":`...)
			b = appendStr(b, d.wSys)
		}
		b = append(b, '}')
	}
	b = appendPoint(b, "observer", d.observer)
	b = appendPoint(b, "location", d.location)
	b = appendPoint(b, "origin", d.origin)
	if d.hasBearing {
		b = appendNum(b, "bearing_deg", bearing(d.bearing), 1)
		b = appendNum(b, "bearing_sigma_deg", d.bearingSig, 1)
	}
	if d.hasRange {
		b = append(b, `,"range_m":{"min":`...)
		b = strconv.AppendFloat(b, d.rangeMin, 'f', -1, 64)
		b = append(b, `,"max":`...)
		b = strconv.AppendFloat(b, d.rangeMax, 'f', -1, 64)
		b = append(b, '}')
	}
	if d.hasOBear {
		b = appendNum(b, "origin_bearing_deg", bearing(d.oBearing), 1)
		b = appendNum(b, "origin_bearing_sigma_deg", d.oBearSig, 1)
	}
	if d.party != "" {
		b = append(b, `,"reported_party":"`...)
		b = append(b, d.party...)
		b = append(b, '"')
	}
	if g := d.src.grading; g != "" {
		b = append(b, `,"grading":{"reliability":"`...)
		b = append(b, g[0])
		b = append(b, `","credibility":`...)
		b = append(b, g[1])
		b = append(b, '}')
	}
	b = append(b, `,"marking":"`...)
	b = append(b, d.src.marking...)
	b = append(b, '"')
	if d.notes != "" {
		b = append(b, `,"notes":`...)
		b = appendStr(b, d.notes)
	}
	return append(b, '}')
}

// bearing rounds to a tenth of a degree within [0, 360): 359.96 must not
// become 360.0, which the schema refuses.
func bearing(v float64) float64 {
	v = roundTo(normDeg(v), 1)
	if v >= 360 {
		v = 0
	}
	return v
}

func appendNum(b []byte, key string, v float64, dec int) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return strconv.AppendFloat(b, roundTo(v, dec), 'f', -1, 64)
}

func appendPoint(b []byte, key string, p point) []byte {
	if !p.set {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, `":{`...)
	ref := ""
	if p.mgrs > 0 {
		ref, _ = geo.LatLonToMGRS(p.p, p.mgrs)
	}
	if ref != "" {
		b = append(b, `"mgrs":"`...)
		b = append(b, ref...)
		b = append(b, '"')
	} else {
		b = append(b, `"lat":`...)
		b = strconv.AppendFloat(b, roundTo(clamp(p.p.Lat, -90, 90), p.dec), 'f', -1, 64)
		b = append(b, `,"lon":`...)
		b = strconv.AppendFloat(b, roundTo(clamp(p.p.Lon, -180, 180), p.dec), 'f', -1, 64)
	}
	if p.cep > 0 {
		b = append(b, `,"cep_m":`...)
		b = strconv.AppendFloat(b, math.Min(100000, math.Round(p.cep)), 'f', -1, 64)
	}
	return append(b, '}')
}

// appendStr writes a JSON string. The simulator's strings are ASCII, but
// escape what JSON requires anyway.
func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// arena keeps the encoded reports in large blocks, so a million of them
// cost a few hundred allocations, not a million.
type arena struct {
	cur []byte
}

const arenaBlock = 4 << 20

func (a *arena) keep(line []byte) []byte {
	if len(a.cur)+len(line) > cap(a.cur) {
		a.cur = make([]byte, 0, max(arenaBlock, len(line)))
	}
	start := len(a.cur)
	a.cur = append(a.cur, line...)
	return a.cur[start:len(a.cur):len(a.cur)]
}
