package sim

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/truce-mechanism/truce/geo"
)

// Streams of the run: each concern draws from its own PCG stream, so that
// changing how one sensor reports does not move every event of the war.
const (
	streamLayout uint64 = 0x6c61796f7574 + iota
	streamEvents
	streamSchedules
	streamReports
	// streamErrors draws the departures of ErrorModel (gross errors,
	// bearing biases); streamPlacement the sensors of Config.LayoutSeed.
	// Both were added after the others, so that runs without them draw
	// exactly as before.
	streamErrors
	streamPlacement
)

func newRand(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

const (
	msPerSecond = int64(1000)
	msPerMinute = 60 * msPerSecond
	msPerHour   = 60 * msPerMinute
	msPerDay    = 24 * msPerHour
)

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }

// poisson draws a Poisson count; large means use the normal approximation.
func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 50 {
		return max(0, int(math.Round(mean+math.Sqrt(mean)*r.NormFloat64())))
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// binomial draws successes out of n trials of probability p.
func binomial(r *rand.Rand, n int, p float64) int {
	if n > 200 {
		m := float64(n) * p
		return int(clamp(math.Round(m+math.Sqrt(m*(1-p))*r.NormFloat64()), 0, float64(n)))
	}
	k := 0
	for range n {
		if r.Float64() < p {
			k++
		}
	}
	return k
}

// rounds draws the number of rounds of a firing: log-normal about the
// category's mean, at least 1, at most its maximum (times mult).
func rounds(r *rand.Rand, c *category, mult float64) int {
	n := c.RoundsMean * mult * math.Exp(0.7*r.NormFloat64()-0.245)
	return int(clamp(math.Round(n), 1, float64(c.RoundsMax)*mult))
}

// jitter moves p by a random offset of at most radius metres.
func jitter(r *rand.Rand, p geo.Point, radius float64) geo.Point {
	return geo.Direct(p, r.Float64()*360, radius*math.Sqrt(r.Float64()))
}

// gauss2 moves p by an isotropic normal error of sigma metres per axis.
func gauss2(r *rand.Rand, p geo.Point, sigma float64) geo.Point {
	e, n := sigma*r.NormFloat64(), sigma*r.NormFloat64()
	return geo.Direct(p, math.Atan2(e, n)*180/math.Pi, math.Hypot(e, n))
}

// cepFromSigma is the circular error probable of an isotropic normal error
// of sigma metres per axis: σ·√(2 ln 2).
const cepFromSigma = 1.1774100225154747

// approxM is a fast flat-earth distance, good to a fraction of a percent
// over tens of kilometres: used to discard far sensors before the geodesic.
func approxM(a, b geo.Point) float64 {
	const mPerDeg = 111195.0
	dy := (a.Lat - b.Lat) * mPerDeg
	dx := (a.Lon - b.Lon) * mPerDeg * math.Cos((a.Lat+b.Lat)/2*math.Pi/180)
	return math.Hypot(dx, dy)
}

// normDeg brings an angle into [0, 360).
func normDeg(d float64) float64 {
	d = math.Mod(d, 360)
	if d < 0 {
		d += 360
	}
	if d >= 360 {
		d = 0
	}
	return d
}

// angleDiff is the signed difference a−b in (−180, 180].
func angleDiff(a, b float64) float64 {
	d := math.Mod(a-b, 360)
	if d > 180 {
		d -= 360
	} else if d <= -180 {
		d += 360
	}
	return d
}

func roundTo(v float64, decimals int) float64 {
	p := math.Pow10(decimals)
	v = math.Round(v*p) / p
	if v == 0 {
		return 0 // no "-0"
	}
	return v
}

func itoa(i int) string { return strconv.Itoa(i) }

func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// formatMs formats Unix milliseconds as RFC 3339 UTC with milliseconds, the
// form every time in truth.json takes.
func formatMs(ms int64) string {
	return string(appendTime(nil, ms, 3))
}

// appendTime appends Unix ms as RFC 3339 UTC with 0 (whole seconds) or 3
// (milliseconds) fractional digits.
func appendTime(b []byte, ms int64, frac int) []byte {
	t := time.UnixMilli(ms).UTC()
	if frac == 3 {
		return t.AppendFormat(b, "2006-01-02T15:04:05.000Z")
	}
	return t.AppendFormat(b, "2006-01-02T15:04:05Z")
}

// sunTimes returns sunrise and sunset (Unix ms, UTC) on the UTC day that
// starts at dayMs, at p: the NOAA approximation, good to a couple of
// minutes, which is all a patrol's working day and the daily rhythm of
// fire need.
func sunTimes(dayMs int64, p geo.Point) (rise, set int64) {
	t := time.UnixMilli(dayMs).UTC()
	g := 2 * math.Pi / 365 * float64(t.YearDay()-1)
	eqt := 229.18 * (0.000075 + 0.001868*math.Cos(g) - 0.032077*math.Sin(g) - 0.014615*math.Cos(2*g) - 0.040849*math.Sin(2*g))
	decl := 0.006918 - 0.399912*math.Cos(g) + 0.070257*math.Sin(g) - 0.006758*math.Cos(2*g) +
		0.000907*math.Sin(2*g) - 0.002697*math.Cos(3*g) + 0.00148*math.Sin(3*g)
	lat := p.Lat * math.Pi / 180
	x := math.Cos(90.833*math.Pi/180)/(math.Cos(lat)*math.Cos(decl)) - math.Tan(lat)*math.Tan(decl)
	ha := math.Acos(clamp(x, -1, 1)) * 180 / math.Pi
	rise = dayMs + int64((720-4*(p.Lon+ha)-eqt)*float64(msPerMinute))
	set = dayMs + int64((720-4*(p.Lon-ha)-eqt)*float64(msPerMinute))
	return rise, set
}

// sunClock answers, for any instant of the run, where the sun stands at the
// reference point: the basis of the daily rhythm of fire, of the patrols'
// working day and of cameras' night vision.
type sunClock struct {
	at   geo.Point
	day0 int64 // UTC midnight of the first day held
	rise []int64
	set  []int64
}

func newSunClock(at geo.Point, from, to int64) *sunClock {
	s := &sunClock{at: at, day0: floorDiv(from, msPerDay)*msPerDay - msPerDay}
	for d := s.day0; d <= to+2*msPerDay; d += msPerDay {
		r, st := sunTimes(d, at)
		s.rise = append(s.rise, r)
		s.set = append(s.set, st)
	}
	return s
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func (s *sunClock) day(t int64) int {
	return int(clampInt(floorDiv(t-s.day0, msPerDay), 0, int64(len(s.rise)-1)))
}

func clampInt(v, lo, hi int64) int64 { return max(lo, min(hi, v)) }

// phase names the part of the day at t: "dawn" and "dusk" are the 90
// minutes either side of sunrise and sunset.
func (s *sunClock) phase(t int64) string {
	i := s.day(t)
	const w = 90 * msPerMinute
	switch {
	case abs64(t-s.rise[i]) <= w:
		return "dawn"
	case abs64(t-s.set[i]) <= w:
		return "dusk"
	case t > s.rise[i] && t < s.set[i]:
		return "day"
	}
	return "night"
}

func (s *sunClock) daylight(t int64) bool {
	i := s.day(t)
	return t > s.rise[i] && t < s.set[i]
}

// rhythm is the daily rhythm of fire: ceasefire violations clustered at
// dawn, dusk and night, as the OSCE mission's daily reports showed. The
// mean over a September day is close to 1.
var rhythm = map[string]float64{"dawn": 1.8, "dusk": 1.8, "night": 1.3, "day": 0.55}

const rhythmMax = 1.8

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
