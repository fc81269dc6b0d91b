package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/truce-mechanism/truce/geo"
)

type sensorModel int

const (
	mPatrol sensorModel = iota
	mCamera
	mAcoustic
	mRadar
	mUAV
	mOSINT
)

var modelNames = [...]string{"patrol", "camera", "acoustic", "radar", "uav", "osint"}

// sensor is a source of reports with its error model and its schedule.
// truth is what truth.json says of it; the rest is what the models read.
type sensor struct {
	idx   int
	model sensorModel
	truth Sensor

	pos          geo.Point
	side         string
	sector       int // -1: none
	heading, fov float64
	detect       [7]float64 // metres, per category (cameras: at night)
	detectDay    [7]float64 // cameras by day
	pDetect      float64
	bearingSigma float64
	bearingBias  float64 // ErrorModel: added to every bearing it reports
	rangeSigma   float64
	rangeShare   float64
	countErr     float64
	countDetect  float64
	fireCorrect  float64
	classShare   float64
	misclass     float64
	locSigma     float64
	cepFrac      float64
	cepMin       float64
	impactFrac   float64
	wrongParty   float64
	claims       string
	claimBias    float64
	dup          float64
	falsePerDay  float64
	mgrs         bool
	osintFactor  float64
	ownSideOnly  bool // OSINT desk of a party: reports impacts on its side
	grading      string
	marking      string

	down   []span   // outages: nothing detected
	link   []span   // link down: reports held until it returns
	tracks []*track // patrol days or UAV sorties, in time order
	base   geo.Point
	seq    int // last report id used
}

type span struct{ from, to int64 }

func inSpans(spans []span, t int64) (span, bool) {
	i, _ := slices.BinarySearchFunc(spans, t, func(s span, t int64) int {
		switch {
		case s.to <= t:
			return -1
		case s.from > t:
			return 1
		}
		return 0
	})
	if i < len(spans) && spans[i].from <= t && t < spans[i].to {
		return spans[i], true
	}
	return span{}, false
}

// track is a patrol's day or a UAV sortie: timed points, straight legs.
type track struct {
	id   string
	t    []int64
	p    []geo.Point
	halt []bool // halt[i]: the leg from point i to i+1 is a halt
	// for UAV sorties: positions every uavStep, for closest approach
	samples []geo.Point
	night   bool
}

func (k *track) from() int64 { return k.t[0] }
func (k *track) to() int64   { return k.t[len(k.t)-1] }

// at interpolates the position at time t and says whether the sensor was
// halted (a patrol hears better standing than driving).
func (k *track) at(t int64) (geo.Point, bool, bool) {
	if len(k.t) == 0 || t < k.t[0] || t > k.t[len(k.t)-1] {
		return geo.Point{}, false, false
	}
	i, _ := slices.BinarySearch(k.t, t)
	if i < len(k.t) && k.t[i] == t {
		return k.p[i], i < len(k.halt) && k.halt[i], true
	}
	a, b := i-1, i
	f := float64(t-k.t[a]) / float64(k.t[b]-k.t[a])
	pa, pb := k.p[a], k.p[b]
	return geo.Point{Lat: pa.Lat + f*(pb.Lat-pa.Lat), Lon: pa.Lon + f*(pb.Lon-pa.Lon)}, k.halt[a], true
}

// truncate cuts the track at time t (keeping the position there).
func (k *track) truncate(t int64) {
	p, _, ok := k.at(t)
	if !ok {
		return
	}
	i, _ := slices.BinarySearch(k.t, t)
	k.t = append(k.t[:i], t)
	k.p = append(k.p[:i], p)
	k.halt = k.halt[:i]
	k.halt = append(k.halt, false)
}

func (s *sensor) trackAt(t int64) *track {
	i, _ := slices.BinarySearchFunc(s.tracks, t, func(k *track, t int64) int {
		switch {
		case k.to() < t:
			return -1
		case k.from() > t:
			return 1
		}
		return 0
	})
	if i < len(s.tracks) && s.tracks[i].from() <= t && t <= s.tracks[i].to() {
		return s.tracks[i]
	}
	return nil
}

// nextID gives the source's next report id.
func (s *sensor) nextID() string {
	s.seq++
	return fmt.Sprintf("%06d", s.seq)
}

// radarParty is the side counter-battery radars stand on: guarantors lend
// them to the first party (Ukraine in the demo); they are not allowed on
// the other side.
func (w *world) radarParty() string {
	for _, p := range w.front.parties {
		if p == "UKR" {
			return p
		}
	}
	return w.front.parties[0]
}

// layoutSensors places the mission's sensors: most in the hot sectors,
// some along the rest of the line, so coverage has holes as a real
// deployment does.
func (w *world) layoutSensors(r *rand.Rand) {
	n := func(base float64) int { return max(1, int(math.Round(base*w.cfg.sensorScale))) }
	add := func(model sensorModel, prefix string, i, of int) *sensor {
		width := max(2, len(itoa(of)))
		id := fmt.Sprintf("%s-%0*d", prefix, width, i+1)
		s := &sensor{idx: len(w.sensors), model: model, sector: -1, marking: "MISSION"}
		s.truth = Sensor{Source: id, Model: modelNames[model], Marking: "MISSION"}
		w.sensors = append(w.sensors, s)
		return s
	}
	stretch := func(inSector float64) (float64, float64, int) {
		if r.Float64() < inSector && len(w.sectors) > 0 {
			k := w.pickSector(r)
			return w.sectors[k].From, w.sectors[k].To, k
		}
		return 0, w.front.total, -1
	}
	// fixedPlace places a fixed sensor depth metres behind the line.
	fixedPlace := func(s *sensor, inSector float64, side string, depth [2]float64) bool {
		for range 20 {
			s0, s1, k := stretch(inSector)
			if p, _, ok := w.front.place(r, s0, s1, side, depth); ok {
				s.pos, s.side, s.sector = p, side, k
				q, _ := w.front.line.Closest(p)
				_, az, _ := geo.Inverse(p, q)
				s.heading = normDeg(az + 10*r.NormFloat64())
				return true
			}
		}
		return false
	}
	party := func(i int) string { return w.front.parties[i%2] }

	np := n(24)
	for i := range np {
		s := add(mPatrol, "mvm-team", i, np)
		s.truth.Kind, s.truth.Org, s.grading = "monitor", "MVM", "B2"
		// Teams go round the sectors; each round works the other side.
		s.sector = i % len(w.sectors)
		s.side = party(i / len(w.sectors))
		s.bearingSigma = uniform(r, 5, 15)
		for c, cat := range categories {
			s.detect[c] = cat.HearM * uniform(r, 0.8, 1.2)
		}
		s.pDetect, s.rangeShare, s.rangeSigma, s.countErr = 0.8, 0.5, 0.35, 0.3
		s.fireCorrect, s.classShare, s.misclass, s.falsePerDay = 0.75, 0.6, 0.2, 0.1
		s.mgrs = i%2 == 1
		s0, s1 := 0.0, w.front.total
		if s.sector >= 0 {
			s0, s1 = w.sectors[s.sector].From, w.sectors[s.sector].To
		}
		if p, _, ok := w.front.place(r, s0, s1, s.side, [2]float64{12000, 25000}); ok {
			s.base = p
		} else if p, _, ok := w.front.place(r, 0, w.front.total, s.side, [2]float64{12000, 25000}); ok {
			s.base = p
		}
	}
	nc := n(24)
	for i := range nc {
		s := add(mCamera, "mvm-cam", i, nc)
		s.truth.Kind, s.truth.Org, s.grading = "sensor", "MVM", "A2"
		if !fixedPlace(s, 0.85, party(i), [2]float64{1000, 4000}) {
			w.dropLast()
			continue
		}
		s.fov = uniform(r, 60, 120)
		f := uniform(r, 0.8, 1.2)
		for c, cat := range categories {
			s.detect[c], s.detectDay[c] = cat.CamNightM*f, cat.CamDayM*f
		}
		s.pDetect, s.bearingSigma, s.rangeSigma, s.countDetect = 0.85, uniform(r, 0.5, 1.5), 0.1, 0.9
		s.fireCorrect, s.falsePerDay = 0.9, 0.2
	}
	na := n(40)
	for i := range na {
		s := add(mAcoustic, "mvm-acu", i, na)
		s.truth.Kind, s.truth.Org, s.grading = "sensor", "MVM", "A2"
		if !fixedPlace(s, 0.85, party(i), [2]float64{1500, 12000}) {
			w.dropLast()
			continue
		}
		f := uniform(r, 0.8, 1.2)
		for c, cat := range categories {
			s.detect[c] = cat.AcousticM * f
		}
		s.pDetect, s.bearingSigma, s.countDetect = 0.95, uniform(r, 1, 3), 0.9
		s.fireCorrect, s.classShare, s.misclass, s.falsePerDay = 0.85, 0.8, 0.15, 0.5
	}
	nr := n(6)
	orgs := []string{"USA", "GBR", "FRA"}
	for i := range nr {
		s := add(mRadar, "cbr", i, nr)
		s.truth.Kind, s.truth.Org, s.grading = "radar", orgs[i%len(orgs)], "A2"
		if !fixedPlace(s, 1, w.radarParty(), [2]float64{8000, 15000}) {
			w.dropLast()
			continue
		}
		s.fov = 90
		// AN/TPQ-36 and AN/TPQ-37 Firefinder: mortar, artillery, rockets.
		rng := [3]float64{18000, 14500, 24000}
		s.truth.Name = "AN/TPQ-36"
		if i%2 == 1 {
			rng, s.truth.Name = [3]float64{30000, 30000, 50000}, "AN/TPQ-37"
		}
		for c, cat := range categories {
			switch {
			case !cat.Radar:
			case cat.Class == "mortar":
				s.detect[c] = rng[0]
			case cat.Class == "artillery":
				s.detect[c] = rng[1]
			default:
				s.detect[c] = rng[2]
			}
		}
		s.pDetect, s.cepFrac, s.cepMin, s.impactFrac = 0.9, 0.004, 25, 0.008
		s.countDetect, s.classShare, s.misclass, s.falsePerDay = 0.9, 1, 0.05, 0.3
	}
	nu := n(6)
	uorgs := []string{"FRA", "GBR", "DEU"}
	for i := range nu {
		s := add(mUAV, "uav", i, nu)
		s.truth.Kind, s.truth.Org, s.grading = "uav", uorgs[i%len(uorgs)], "B2"
		s.pDetect, s.locSigma, s.countDetect, s.misclass = 0.75, 15, 0.85, 0.08
		s.truth.SwathM, s.truth.SpeedKmh = uavSwathM, uavSpeedKmh
	}
	no := n(3)
	for i := range no {
		s := add(mOSINT, "osint", i, no)
		s.truth.Kind, s.truth.Org, s.marking, s.truth.Marking = "osint", "MVM", "PUBLIC", "PUBLIC"
		switch i % 3 {
		case 0:
			s.grading, s.locSigma, s.wrongParty, s.dup, s.osintFactor = "C3", 500, 0.1, 0.1, 1
		case 1:
			s.grading, s.locSigma, s.wrongParty, s.dup, s.osintFactor = "C3", 1500, 0.15, 0.15, 0.7
		case 2:
			// A party's own OSINT desk: reports what lands on its side and
			// blames the other party whatever happened.
			own := w.front.parties[0]
			s.truth.Org, s.side = own, own
			s.grading, s.locSigma, s.dup, s.osintFactor = "D3", 2500, 0.2, 1.5
			s.claims, s.claimBias, s.ownSideOnly = w.front.other(own), 0.9, true
		}
		s.classShare, s.misclass = 0.6, 0.25
		s.falsePerDay = w.cfg.sc.fakesPerDesk
	}
	for _, s := range w.sensors {
		s.truth.Grading = s.grading
		s.truth.Side = s.side
		if s.sector >= 0 {
			s.truth.Sector = w.sectors[s.sector].ID
		}
	}
}

func (w *world) dropLast() { w.sensors = w.sensors[:len(w.sensors)-1] }

func (w *world) pickSector(r *rand.Rand) int {
	x := r.Float64() * w.sectorWeight
	for i, s := range w.sectors {
		x -= s.Weight
		if x < 0 {
			return i
		}
	}
	return len(w.sectors) - 1
}

const (
	uavSwathM   = 2000.0
	uavSpeedKmh = 100.0
	uavStepMs   = 30 * msPerSecond
	patrolKmh   = 40.0
)

// schedule draws every sensor's availability: outages and link failures
// of fixed sensors, the patrols' working days, the UAV sorties.
func (w *world) schedule(r *rand.Rand) {
	from, to := w.cfg.start-msPerDay, w.cfg.end+2*msPerDay
	reasons := map[sensorModel][]string{
		mCamera:   {"power failure", "fog", "maintenance", "vandalised"},
		mAcoustic: {"power failure", "maintenance", "wind noise"},
		mRadar:    {"maintenance", "emission control", "generator failure"},
	}
	for _, s := range w.sensors {
		switch s.model {
		case mCamera, mAcoustic, mRadar:
			s.down = w.outages(r, s, from, to, 0.35, 2, "outage", reasons[s.model])
			s.link = w.outages(r, s, from, to, 0.25, 1.5, "link", []string{"communications link down"})
		case mPatrol:
			w.patrolDays(r, s)
		case mUAV:
			w.sorties(r, s)
		}
	}
}

// outages draws down-times as a Poisson process: rate per day, log-normal
// durations about medianH hours (20 min to 12 h).
func (w *world) outages(r *rand.Rand, s *sensor, from, to int64, perDay, medianH float64, kind string, reasons []string) []span {
	var out []span
	t := from
	for {
		t += int64(r.ExpFloat64() / perDay * float64(msPerDay))
		if t >= to {
			return out
		}
		d := int64(clamp(medianH*math.Exp(0.8*r.NormFloat64()), 1.0/3, 12) * float64(msPerHour))
		sp := span{t, t + d}
		out = append(out, sp)
		reason := reasons[r.IntN(len(reasons))]
		if sp.to > w.cfg.start && sp.from < w.cfg.end {
			w.gaps = append(w.gaps, Gap{Sensor: s.truth.Source, Kind: kind, Reason: reason, From: formatMs(sp.from), To: formatMs(sp.to), CoverageLost: kind == "outage"})
		}
		t = sp.to
	}
}

// patrolDays lays out each working day of a patrol: out from its base at
// sunrise, a round of observation points 1–6 km behind the line in its
// sector, back before sunset. Roads are not modelled: legs are straight,
// driven at 40 km/h.
func (w *world) patrolDays(r *rand.Rand, s *sensor) {
	if s.base == (geo.Point{}) {
		return
	}
	s0, s1 := 0.0, w.front.total
	if s.sector >= 0 {
		s0, s1 = w.sectors[s.sector].From, w.sectors[s.sector].To
	}
	for day := floorDiv(w.cfg.start, msPerDay) * msPerDay; day < w.cfg.end+2*msPerDay; day += msPerDay {
		rise, set := sunTimes(day, s.base)
		start := rise + int64(uniform(r, 30, 90)*float64(msPerMinute))
		stop := min(set-int64(uniform(r, 30, 60)*float64(msPerMinute)), start+10*msPerHour)
		k := &track{id: s.truth.Source + "/" + formatMs(day)[:10]}
		k.t, k.p = append(k.t, start), append(k.p, s.base)
		t, at := start, s.base
		for range 8 {
			p, _, ok := w.front.place(r, s0, s1, s.side, [2]float64{1000, 6000})
			if !ok {
				continue
			}
			drive := int64(geo.DistanceM(at, p) / (patrolKmh / 3.6) * 1000)
			dwell := int64(uniform(r, 60, 180) * float64(msPerMinute))
			back := int64(geo.DistanceM(p, s.base) / (patrolKmh / 3.6) * 1000)
			if t+drive+dwell+back > stop {
				break
			}
			k.halt = append(k.halt, false)
			t += drive
			k.t, k.p = append(k.t, t), append(k.p, p)
			k.halt = append(k.halt, true)
			t += dwell
			k.t, k.p = append(k.t, t), append(k.p, p)
			at = p
		}
		if len(k.t) < 3 {
			continue // no stop fitted: no patrol that day
		}
		k.halt = append(k.halt, false)
		t += int64(geo.DistanceM(at, s.base) / (patrolKmh / 3.6) * 1000)
		k.t, k.p = append(k.t, t), append(k.p, s.base)
		k.halt = append(k.halt, false) // after the last point: unused
		s.tracks = append(s.tracks, k)
	}
}

// sorties lays out a UAV's flights: one or two a day, each a zigzag over
// one party's ground along a sector, between 1 and 45 km behind the line,
// deep enough to see the 25, 35 and 70 km bands.
func (w *world) sorties(r *rand.Rand, s *sensor) {
	for day := floorDiv(w.cfg.start, msPerDay) * msPerDay; day < w.cfg.end; day += msPerDay {
		// Two or three sorties a day at any hour: thermal cameras see at
		// night too, less well.
		var starts []int64
		for range 2 + r.IntN(2) {
			starts = append(starts, day+int64(r.Float64()*float64(msPerDay)))
		}
		slices.Sort(starts)
		for n, st := range starts {
			dur := int64(uniform(r, 3, 6) * float64(msPerHour))
			k := &track{id: fmt.Sprintf("%s/%s-%d", s.truth.Source, formatMs(day)[:10], n+1), night: !w.sun.daylight(st + dur/2)}
			sec := w.sectors[w.pickSector(r)]
			side := w.front.parties[r.IntN(2)]
			ch := sec.From - 10000 + r.Float64()*5000
			t, deep := st, false
			for t < st+dur && len(k.t) < 200 {
				d := [2]float64{1000, 10000}
				if deep {
					d = [2]float64{15000, 45000}
				}
				deep = !deep
				ch += 4000 + r.Float64()*6000
				if ch > sec.To+10000 {
					ch = sec.From - 10000
				}
				p, _, ok := w.front.behind(ch, side, uniform(r, d[0], d[1]))
				if !ok {
					continue
				}
				if len(k.t) > 0 {
					t += int64(geo.DistanceM(k.p[len(k.p)-1], p) / (uavSpeedKmh / 3.6) * 1000)
				}
				k.t, k.p, k.halt = append(k.t, t), append(k.p, p), append(k.halt, false)
			}
			if len(k.t) < 2 {
				continue
			}
			if k.to() > st+dur {
				k.truncate(st + dur)
			}
			planned := k.to()
			if r.Float64() < w.cfg.sc.jamPerSortie {
				cut := k.from() + int64(uniform(r, 0.2, 0.9)*float64(k.to()-k.from()))
				c := trackCircle(k, cut)
				k.truncate(cut)
				if cut < w.cfg.end {
					w.gaps = append(w.gaps, Gap{Sensor: s.truth.Source, Kind: "jamming", Reason: "GPS and datalink jamming; sortie " + k.id + " broken off",
						From: formatMs(cut), To: formatMs(planned), CoverageLost: true, Area: &c})
				}
			}
			for t := k.from(); t <= k.to(); t += uavStepMs {
				p, _, _ := k.at(t)
				k.samples = append(k.samples, p)
			}
			s.tracks = append(s.tracks, k)
		}
	}
	slices.SortStableFunc(s.tracks, func(a, b *track) int { return cmpInt(a.from(), b.from()) })
	// Two sorties of one UAV never overlap: a later one waits.
	kept := s.tracks[:0]
	for _, k := range s.tracks {
		if len(kept) > 0 && k.from() <= kept[len(kept)-1].to() {
			continue
		}
		kept = append(kept, k)
	}
	s.tracks = kept
}

// trackCircle is a circle around what remains of a track after time t.
func trackCircle(k *track, t int64) Circle {
	var pts []geo.Point
	if p, _, ok := k.at(t); ok {
		pts = append(pts, p)
	}
	for i, ti := range k.t {
		if ti > t {
			pts = append(pts, k.p[i])
		}
	}
	return circleAround(pts, uavSwathM)
}

func circleAround(pts []geo.Point, margin float64) Circle {
	var c geo.Point
	for _, p := range pts {
		c.Lat += p.Lat / float64(len(pts))
		c.Lon += p.Lon / float64(len(pts))
	}
	rad := 0.0
	for _, p := range pts {
		rad = math.Max(rad, geo.DistanceM(c, p))
	}
	return Circle{Lat: roundTo(c.Lat, 6), Lon: roundTo(c.Lon, 6), RadiusM: math.Round(rad + margin)}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
