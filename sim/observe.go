package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/truce-mechanism/truce/geo"
)

// SpeedOfSound is what the acoustic models use, m/s (dry air, about 20 °C).
const SpeedOfSound = 343.0

// maxRangeM is the longest range_m the intake contract takes.
const maxRangeM = 100000.0

// What a report of an event is about (ObsRef.Sees).
const (
	seesLaunch      = "launch"      // the firing heard or seen at the weapon
	seesImpact      = "impact"      // the rounds landing
	seesTrack       = "track"       // a radar track: point of origin and predicted impact
	seesCrater      = "crater"      // crater analysis the next day: impact and direction of fire
	seesWeapon      = "weapon"      // a weapon seen in position
	seesRestriction = "restriction" // monitors stopped
)

// outObs is one encoded report and when it reaches the mechanism.
type outObs struct {
	arrival int64
	seq     int32
	src     int32
	line    []byte
}

// emit encodes a report of event e (nil: spurious), keeps it for the
// output in arrival order, and ties it to its event in the truth. tTrue is
// when the phenomenon happened: the arrival is kept after both it and the
// report's observed_at, and within the 72 h horizon.
func (w *world) emit(d *doc, e *event, sees string, arrival, tTrue int64, dupOf, note string) string {
	d.id = d.src.nextID()
	lo := max(d.observedAt, tTrue) + msPerSecond
	first := tTrue
	if e != nil && e.kind == evFire {
		first = min(first, e.t) // the horizon counts from the launch
	}
	hi := first + Horizon.Milliseconds() - msPerMinute
	arrival = min(max(arrival, lo), max(hi, lo))
	w.buf = appendDoc(w.buf[:0], d)
	w.out = append(w.out, outObs{arrival: arrival, seq: int32(len(w.out)), src: int32(d.src.idx), line: w.arena.keep(w.buf)})
	at := formatMs(arrival)
	if e != nil {
		e.obs = append(e.obs, ObsRef{Source: d.src.truth.Source, ID: d.id, Sees: sees, ArrivalAt: at, DuplicateOf: dupOf, Note: note})
	} else {
		w.spurious = append(w.spurious, SpuriousObs{Source: d.src.truth.Source, ID: d.id, Kind: d.kind, Reason: note, ArrivalAt: at})
	}
	return d.id
}

// arrival draws when a report sensed at t reaches the mechanism. Patrols
// file at the end of the day (urgent ones by radio within the hour);
// technical sensors within seconds, unless their link is down; UAV
// imagery after the sortie is analysed; OSINT when a desk finds the post.
// A few of every kind straggle in a day or more later.
func (w *world) arrival(s *sensor, t int64, k *track, spot bool) int64 {
	r := w.rep
	late := func(p, lo, hi float64) (int64, bool) {
		if r.Float64() < p {
			return t + int64(uniform(r, lo, hi)*float64(msPerHour)), true
		}
		return 0, false
	}
	switch s.model {
	case mPatrol:
		if a, ok := late(0.02, 24, 71); ok {
			return a
		}
		if spot || k == nil {
			return t + int64(uniform(r, 15, 60)*float64(msPerMinute))
		}
		return k.to() + int64(uniform(r, 30, 180)*float64(msPerMinute))
	case mUAV:
		if a, ok := late(0.03, 12, 71); ok {
			return a
		}
		end := t
		if k != nil {
			end = k.to()
		}
		return end + int64(uniform(r, 30, 240)*float64(msPerMinute))
	case mOSINT:
		if a, ok := late(0.03, 24, 71); ok {
			return a
		}
		return t + int64(clamp(45*math.Exp(1.2*r.NormFloat64()), 5, 48*60)*float64(msPerMinute))
	}
	if a, ok := late(0.005, 6, 71); ok {
		return a
	}
	a := t + int64(clamp(20*math.Exp(r.NormFloat64()), 1, 600)*float64(msPerSecond))
	if sp, down := inSpans(s.link, t); down {
		a = max(a, sp.to+int64(r.Float64()*float64(10*msPerMinute)))
	}
	return a
}

// biasBearings draws each bearing-taking sensor's constant bias, rounded
// to the hundredth of a degree truth.json records, so that the truth is
// exactly what is added.
func (w *world) biasBearings() {
	sd := w.cfg.Errors.BearingBiasDeg
	if sd == 0 {
		return
	}
	for _, s := range w.sensors {
		switch s.model {
		case mPatrol, mCamera, mAcoustic:
			s.bearingBias = roundTo(sd*w.errs.NormFloat64(), 2)
		}
	}
}

// spread is what one report's measurement errors are drawn with, as a
// multiple of the σ the report states: the error model's SigmaScale, or
// for a gross error (chance Outliers) 5 to 10 times that, with the note
// the truth gives the report.
func (w *world) spread() (float64, string) {
	m := w.cfg.Errors
	if m.Outliers == 0 || w.errs.Float64() >= m.Outliers {
		return m.SigmaScale, ""
	}
	k := m.SigmaScale * uniform(w.errs, outlierMin, outlierMax)
	return k, "gross error: measured with " + strconv.FormatFloat(k, 'f', 1, 64) + "× the stated σ"
}

// observe has every sensor report what it could perceive of every event,
// then adds each sensor's false reports.
func (w *world) observe() {
	w.index()
	for _, e := range w.events {
		switch e.kind {
		case evFire:
			w.observeFire(e)
		case evWeapon:
			w.observeDeployment(e)
		case evRestriction:
			w.observeRestriction(e)
		}
	}
	w.falseReports()
}

// index builds what the observation pass looks sensors up by: fixed
// sensors by grid cell, patrols by the hour they are out.
func (w *world) index() {
	w.grid = newGrid(w.sensors)
	for _, s := range w.sensors {
		switch s.model {
		case mCamera, mAcoustic, mRadar:
			for c := range categories {
				w.reach[c] = math.Max(w.reach[c], s.detect[c])
			}
		case mPatrol:
			for _, k := range s.tracks {
				for h := w.hour(k.from()); h <= w.hour(k.to()); h++ {
					if h >= 0 && h < len(w.patrolsByHour) {
						w.patrolsByHour[h] = append(w.patrolsByHour[h], s)
					}
				}
			}
		}
	}
}

func (w *world) hour(t int64) int { return int(floorDiv(t-w.hour0, msPerHour)) }

func (w *world) observeFire(e *event) {
	w.perceive(e, e.origin, e.t, seesLaunch)
	if !e.cat.ImpactSeen {
		return
	}
	w.perceive(e, e.target, e.tImpact, seesImpact)
	w.osint(e)
	w.crater(e)
}

// perceive runs the patrols and fixed sensors over one phenomenon of e: its
// launch at the origin or its impact at the target, at time t.
func (w *world) perceive(e *event, at geo.Point, t int64, sees string) {
	r := w.rep
	c := w.catIndex[e.cat]
	if h := w.hour(t); h >= 0 && h < len(w.patrolsByHour) {
		for _, s := range w.patrolsByHour[h] {
			k := s.trackAt(t)
			if k == nil {
				continue
			}
			pos, halted, _ := k.at(t)
			R := s.detect[c]
			d := approxM(pos, at)
			if d > R {
				continue
			}
			p := s.pDetect * (1 - (d/R)*(d/R))
			if !halted {
				p *= 0.5 // engine noise, eyes on the road
			}
			if r.Float64() < p {
				w.patrolReport(s, k, e, pos, at, t, sees)
			}
		}
	}
	w.near = w.grid.near(at, w.reach[c]*1.05, w.near[:0])
	day := w.sun.daylight(t)
	for _, i := range w.near {
		s := w.sensors[i]
		if _, down := inSpans(s.down, t); down {
			continue
		}
		R := s.detect[c]
		if s.model == mCamera && day {
			R = s.detectDay[c]
		}
		if R == 0 || approxM(s.pos, at) > R*1.01 {
			continue
		}
		if s.model == mRadar && sees != seesLaunch {
			continue
		}
		d, az, _ := geo.Inverse(s.pos, at)
		if d > R {
			continue
		}
		if s.fov > 0 && math.Abs(angleDiff(az, s.heading)) > s.fov/2 {
			continue
		}
		var p float64
		switch s.model {
		case mCamera:
			p = s.pDetect * (1 - (d/R)*(d/R))
		case mAcoustic:
			p = s.pDetect * (1 - math.Pow(d/R, 3))
		case mRadar:
			p = s.pDetect
		}
		if r.Float64() >= p {
			continue
		}
		switch s.model {
		case mCamera:
			w.cameraReport(s, e, d, az, t, sees)
		case mAcoustic:
			w.acousticReport(s, e, d, az, t, sees)
		case mRadar:
			w.radarReport(s, e, d)
		}
	}
}

// fireSaid is what a report says of the direction of fire: right with
// pRight, wrong now and then, otherwise "unknown".
func fireSaid(r *rand.Rand, sees string, pRight float64) string {
	right, wrong := "outgoing", "incoming"
	if sees != seesLaunch {
		right, wrong = wrong, right
	}
	switch u := r.Float64(); {
	case u < pRight:
		return right
	case u < pRight+0.04:
		return wrong
	}
	return "unknown"
}

// miscount is a count off by a log-normal factor of σ.
func miscount(r *rand.Rand, n int, sigma float64) int {
	return int(clamp(math.Round(float64(n)*math.Exp(sigma*r.NormFloat64())), 1, 100000))
}

// classReport fills in the weapon as the observer assessed it: named with
// chance share, then wrong with chance misclass (and then with a system of
// the wrong class), else right with calibre and system named at the given
// rates. It returns a note when the class is wrong.
func classReport(r *rand.Rand, d *doc, e *event, share, misclass, calShare, sysShare float64) string {
	if r.Float64() >= share {
		return ""
	}
	if r.Float64() < misclass {
		d.wClass = misidentify(e.cat.Class, r.Float64())
		if r.Float64() < calShare {
			d.wSys, d.wCal = guessSystem(d.wClass, r.Float64())
		}
		if r.Float64() >= sysShare {
			d.wSys = ""
		}
		return "misidentified as " + d.wClass
	}
	d.wClass = e.cat.Class
	if r.Float64() < calShare {
		d.wCal = e.sys.CaliberMM
	}
	if r.Float64() < sysShare {
		d.wSys = e.sys.Name
	}
	return ""
}

func floorTo(t, unit int64) int64 { return floorDiv(t, unit) * unit }
func roundMs(t, unit int64) int64 { return floorDiv(t+unit/2, unit) * unit }

// patrolReport: a monitor heard it. Times to the minute, bearing by
// compass, distance by ear, rounds counted roughly.
func (w *world) patrolReport(s *sensor, k *track, e *event, pos, at geo.Point, t int64, sees string) {
	r := w.rep
	d, az, _ := geo.Inverse(pos, at)
	heard := t + int64(d/SpeedOfSound*1000)
	spread, gross := w.spread()
	x := doc{src: s, kind: e.kindName(), timeSigma: 60}
	x.observedAt = roundMs(heard+int64(r.NormFloat64()*40000*w.cfg.Errors.TimeSigmaScale), msPerMinute)
	x.count = miscount(r, e.count, s.countErr)
	pr := s.fireCorrect
	if d > 5000 || e.cat.ID == "small_arms" {
		pr = 0.3
	}
	x.fire = fireSaid(r, sees, pr)
	note := classReport(r, &x, e, s.classShare, s.misclass, 0.5, 0)
	x.observer = latlon(gauss2(r, pos, 5*spread), 5, 10)
	if s.mgrs {
		x.observer.mgrs = 4
	}
	x.hasBearing, x.bearing, x.bearingSig = true, az+s.bearingBias+s.bearingSigma*spread*r.NormFloat64(), roundTo(s.bearingSigma, 1)
	if r.Float64() < s.rangeShare {
		est := d * math.Exp(s.rangeSigma*spread*r.NormFloat64())
		x.hasRange = true
		// The intake takes ranges up to 100 km: a gross overestimate says
		// "100 km", never a minimum beyond its maximum.
		x.rangeMin = math.Min(maxRangeM, math.Floor(0.7*est/100)*100)
		x.rangeMax = math.Min(maxRangeM, math.Max(x.rangeMin+100, math.Ceil(1.3*est/100)*100))
	}
	spot := (e.cat.ID != "small_arms" && e.cat.ID != "mortar" || e.count >= 10) && r.Float64() < 0.5
	w.emit(&x, e, sees, w.arrival(s, heard, k, spot), t, "", joinNote(note, gross))
}

// cameraReport: a flash or a burst on a fixed camera, bearing from the
// image, distance from the flash-to-bang delay, time to the second.
func (w *world) cameraReport(s *sensor, e *event, d, az float64, t int64, sees string) {
	r := w.rep
	spread, gross := w.spread()
	x := doc{src: s, kind: e.kindName(), timeSigma: 1}
	x.observedAt = roundMs(t+int64(300*w.cfg.Errors.TimeSigmaScale*r.NormFloat64()), msPerSecond)
	x.count = max(1, binomial(r, e.count, s.countDetect))
	x.fire = fireSaid(r, sees, s.fireCorrect)
	x.observer = latlon(s.pos, 6, 3)
	x.hasBearing, x.bearing, x.bearingSig = true, az+s.bearingBias+s.bearingSigma*spread*r.NormFloat64(), roundTo(s.bearingSigma, 1)
	est := d * math.Exp(s.rangeSigma*spread*r.NormFloat64())
	x.hasRange = true
	x.rangeMin = math.Min(maxRangeM, math.Round(0.85*est/10)*10)
	x.rangeMax = math.Min(maxRangeM, math.Max(x.rangeMin+10, math.Round(1.15*est/10)*10))
	w.emit(&x, e, sees, w.arrival(s, t, nil, false), t, "", gross)
}

// acousticReport: a microphone array's detection. observed_at is when the
// sound reached the array (it cannot know the distance), to the
// millisecond; the bearing is good to a few degrees.
func (w *world) acousticReport(s *sensor, e *event, d, az float64, t int64, sees string) {
	r := w.rep
	heard := t + int64(d/SpeedOfSound*1000)
	spread, gross := w.spread()
	x := doc{src: s, kind: e.kindName(), timeSigma: 0.005, frac: 3}
	x.observedAt = heard + int64(math.Round(5*w.cfg.Errors.TimeSigmaScale*r.NormFloat64()))
	x.count = max(1, binomial(r, e.count, s.countDetect))
	x.fire = fireSaid(r, sees, s.fireCorrect)
	note := classReport(r, &x, e, s.classShare, s.misclass, 0, 0)
	x.observer = latlon(s.pos, 6, 2)
	x.hasBearing, x.bearing, x.bearingSig = true, az+s.bearingBias+s.bearingSigma*spread*r.NormFloat64(), roundTo(s.bearingSigma, 1)
	w.emit(&x, e, sees, w.arrival(s, heard, nil, false), t, "", joinNote(note, gross))
}

// radarReport: a counter-battery radar tracked the rounds and computed
// their point of origin (CEP growing with range) and predicted impact.
func (w *world) radarReport(s *sensor, e *event, d float64) {
	r := w.rep
	spread, gross := w.spread()
	x := doc{src: s, kind: "explosion", fire: "outgoing", timeSigma: 1}
	x.observedAt = roundMs(e.t+int64(500*w.cfg.Errors.TimeSigmaScale*r.NormFloat64()), msPerSecond)
	x.count = max(1, binomial(r, e.count, s.countDetect))
	note := classReport(r, &x, e, s.classShare, s.misclass, 0, 0)
	x.observer = latlon(s.pos, 6, 5)
	cep := math.Max(s.cepMin, s.cepFrac*d)
	x.origin = latlon(gauss2(r, e.origin, cep/cepFromSigma*spread), 6, cep)
	di := geo.DistanceM(s.pos, e.target)
	cepI := math.Max(50, s.impactFrac*di) + e.cat.DispersionM
	x.location = latlon(gauss2(r, e.target, cepI/cepFromSigma*spread), 6, cepI)
	w.emit(&x, e, seesTrack, w.arrival(s, e.t, nil, false), e.t, "", joinNote(note, gross))
}

// osint: desks pick up posts about impacts — big salvos more often —
// placed roughly, timed roughly, blamed on someone, sometimes twice.
func (w *world) osint(e *event) {
	r := w.rep
	target := w.front.sideOf(e.target)
	for _, s := range w.osintDesks {
		if s.ownSideOnly && target != s.side {
			continue
		}
		p := e.cat.OSINT * s.osintFactor
		if e.count >= 10 {
			p *= 1.5
		}
		if e.episode == surgeID {
			p *= 1.5
		}
		if r.Float64() >= math.Min(p, 0.95) {
			continue
		}
		first := ""
		var arr int64
		for copyN := 0; copyN < 2; copyN++ {
			spread, gross := w.spread()
			x := doc{src: s, kind: e.kindName(), fire: "incoming", timeSigma: 900}
			x.observedAt = roundMs(e.tImpact+int64(r.NormFloat64()*10*float64(msPerMinute)*w.cfg.Errors.TimeSigmaScale), 5*msPerMinute)
			n := miscount(r, e.count, 0.5)
			if n > 10 {
				n = max(10, int(math.Round(float64(n)/5))*5)
			}
			x.count = n
			sigma := s.locSigma * uniform(r, 0.5, 1.5)
			x.location = latlon(gauss2(r, e.target, sigma*spread), 4, math.Round(sigma*cepFromSigma/100)*100)
			note := classReport(r, &x, e, s.classShare, s.misclass, 0.5, 0.5)
			claim := e.party
			switch {
			case s.claims != "" && r.Float64() < s.claimBias:
				claim = s.claims
			case r.Float64() < s.wrongParty:
				claim = w.front.other(e.party)
			}
			x.party = claim
			if claim != e.party {
				note = joinNote(note, "wrong party claimed")
			}
			note = joinNote(note, gross)
			if copyN == 0 {
				arr = w.arrival(s, e.tImpact, nil, false)
				first = w.emit(&x, e, seesImpact, arr, e.tImpact, "", note)
				if r.Float64() >= s.dup {
					break
				}
				continue
			}
			arr += int64(uniform(r, 10, 360) * float64(msPerMinute))
			w.emit(&x, e, seesImpact, arr, e.tImpact, first, joinNote(note, "duplicate"))
		}
	}
}

func joinNote(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// crater: a patrol working on the side that was hit visits the site on a
// later day and reports the craters: where, how many, the direction of
// fire from their shape, the weapon from the fragments.
func (w *world) crater(e *event) {
	r := w.rep
	target := w.front.sideOf(e.target)
	var teams []*sensor
	for _, s := range w.patrols {
		if s.side == target && s.sector >= 0 && approxM(w.sectors[s.sector].Centre, e.target) < 40000 {
			teams = append(teams, s)
		}
	}
	if len(teams) == 0 {
		return
	}
	pVisit := 0.2
	if e.cat.ID == "mlrs" || e.cat.ID == "mlrs_heavy" || e.cat.ID == "artillery_heavy" {
		pVisit = 0.35
	}
	s := teams[r.IntN(len(teams))]
	if r.Float64() >= pVisit {
		return
	}
	i, _ := slices.BinarySearchFunc(s.tracks, e.tImpact+2*msPerHour, func(k *track, t int64) int { return cmpInt(k.from(), t) })
	if i >= len(s.tracks) || s.tracks[i].from() > e.tImpact+2*msPerDay {
		return
	}
	k := s.tracks[i]
	visit := k.from() + int64(uniform(r, 0.2, 0.8)*float64(k.to()-k.from()))
	crater := gauss2(r, e.target, e.cat.DispersionM/2)
	spread, gross := w.spread()
	x := doc{src: s, kind: "explosion", fire: "incoming", timeSigma: 1800}
	x.observedAt = roundMs(e.tImpact+int64(r.NormFloat64()*20*float64(msPerMinute)*w.cfg.Errors.TimeSigmaScale), 15*msPerMinute)
	x.count = max(1, binomial(r, e.count, 0.6))
	x.location = latlon(gauss2(r, crater, 5*spread), 5, 10)
	if s.mgrs {
		x.location.mgrs = 4
	}
	_, back, _ := geo.Inverse(crater, e.origin)
	x.hasOBear, x.oBearing, x.oBearSig = true, back+s.bearingBias+10*spread*r.NormFloat64(), 10
	note := joinNote(classReport(r, &x, e, 1, 0.15, 0.8, 0), gross)
	x.notes = "crater analysis on site"
	w.emit(&x, e, seesCrater, visit+int64(uniform(r, 1, 4)*float64(msPerHour)), e.tImpact, "", note)
}

// observeDeployment: UAV sorties that pass within their swath of the
// weapons, while they are there, may see them (night sorties less
// often); each sortie reports a deployment at most once, at its closest
// pass.
func (w *world) observeDeployment(e *event) {
	r := w.rep
	for _, s := range w.uavs {
		for _, k := range s.tracks {
			if k.to() < e.t || k.from() >= e.tEnd {
				continue
			}
			best, bestI := math.Inf(1), -1
			for i, p := range k.samples {
				t := k.from() + int64(i)*uavStepMs
				if t < e.t || t >= e.tEnd {
					continue
				}
				if d := approxM(p, e.origin); d < best {
					best, bestI = d, i
				}
			}
			if bestI < 0 || best > uavSwathM {
				continue
			}
			p := s.pDetect
			if k.night {
				p *= 0.8
			}
			if r.Float64() >= p {
				continue
			}
			t := k.from() + int64(bestI)*uavStepMs
			x := doc{src: s, kind: "weapon_sighting", timeSigma: 1}
			x.observedAt = floorTo(t, msPerSecond)
			x.count = max(1, binomial(r, e.units, s.countDetect))
			spread, gross := w.spread()
			x.location = latlon(gauss2(r, e.origin, s.locSigma*spread), 6, s.locSigma*cepFromSigma)
			x.observer = latlon(k.samples[bestI], 5, 20)
			note := joinNote(classReport(r, &x, e, 1, s.misclass, 0.9, 0.7), gross)
			w.emit(&x, e, seesWeapon, w.arrival(s, t, k, false), t, "", note)
		}
	}
}

// observeRestriction: the team reports being stopped, by radio.
func (w *world) observeRestriction(e *event) {
	r := w.rep
	s := e.team
	x := doc{src: s, kind: "restriction", timeSigma: 60, count: 1, party: e.party, notes: e.reason}
	x.observedAt = roundMs(e.t+int64(r.NormFloat64()*30000*w.cfg.Errors.TimeSigmaScale), msPerMinute)
	x.location = latlon(e.location, 5, 10)
	if s.mgrs {
		x.location.mgrs = 4
	}
	w.emit(&x, e, seesRestriction, e.t+int64(uniform(r, 10, 45)*float64(msPerMinute)), e.t, "", "")
}

// falseReports adds what sensors report that never happened: an acoustic
// array's thunder or quarry blast, a camera's headlights, a radar's
// birds, a monitor's mistake, a UAV's inflatable decoy, an OSINT fake.
func (w *world) falseReports() {
	r := w.rep
	days := float64(w.cfg.end-w.cfg.start) / float64(msPerDay)
	for _, s := range w.sensors {
		n := 0
		switch s.model {
		case mUAV:
			for _, k := range s.tracks {
				if k.from() < w.cfg.end && r.Float64() < 0.15 {
					w.decoy(s, k)
				}
			}
			continue
		default:
			n = poisson(r, s.falsePerDay*days)
		}
		for range n {
			t := w.cfg.start + int64(r.Float64()*float64(w.cfg.end-w.cfg.start))
			if _, down := inSpans(s.down, t); down {
				continue
			}
			switch s.model {
			case mPatrol:
				k := s.trackAt(t)
				if k == nil {
					continue
				}
				pos, _, _ := k.at(t)
				x := doc{src: s, kind: "explosion", timeSigma: 60, fire: "unknown"}
				x.observedAt = roundMs(t, msPerMinute)
				x.count = 1 + r.IntN(3)
				x.observer = latlon(pos, 5, 10)
				x.hasBearing, x.bearing, x.bearingSig = true, r.Float64()*360, roundTo(s.bearingSigma, 1)
				w.emit(&x, nil, "", w.arrival(s, t, k, false), t, "", "misheard: a controlled demolition or a door slamming")
			case mCamera:
				x := doc{src: s, kind: "explosion", timeSigma: 1, fire: "unknown", count: 1}
				x.observedAt = floorTo(t, msPerSecond)
				x.observer = latlon(s.pos, 6, 3)
				x.hasBearing, x.bearing, x.bearingSig = true, s.heading+uniform(r, -s.fov/2, s.fov/2), roundTo(s.bearingSigma, 1)
				est := uniform(r, 1000, s.detect[3])
				x.hasRange, x.rangeMin, x.rangeMax = true, math.Round(0.85*est/10)*10, math.Round(1.15*est/10)*10
				w.emit(&x, nil, "", w.arrival(s, t, nil, false), t, "", "false alarm: vehicle lights or a fire")
			case mAcoustic:
				x := doc{src: s, kind: "explosion", timeSigma: 0.005, frac: 3, fire: "unknown", count: 1 + r.IntN(2)}
				x.observedAt = t
				x.observer = latlon(s.pos, 6, 2)
				x.hasBearing, x.bearing, x.bearingSig = true, r.Float64()*360, roundTo(s.bearingSigma, 1)
				w.emit(&x, nil, "", w.arrival(s, t, nil, false), t, "", "false alarm: thunder, quarry blasting or machinery")
			case mRadar:
				x := doc{src: s, kind: "explosion", timeSigma: 1, fire: "outgoing", count: 1, wClass: "mortar"}
				x.observedAt = floorTo(t, msPerSecond)
				x.observer = latlon(s.pos, 6, 5)
				d := uniform(r, 3000, s.detect[1])
				o := geo.Direct(s.pos, s.heading+uniform(r, -s.fov/2, s.fov/2), d)
				x.origin = latlon(o, 6, math.Max(s.cepMin, s.cepFrac*d))
				x.location = latlon(geo.Direct(o, r.Float64()*360, uniform(r, 1000, 4000)), 6, 100)
				w.emit(&x, nil, "", w.arrival(s, t, nil, false), t, "", "false track: birds or ground clutter")
			case mOSINT:
				party := w.front.parties[r.IntN(2)]
				p, _, ok := w.front.place(r, 0, w.front.total, party, [2]float64{500, 10000})
				if !ok {
					continue
				}
				claim := w.front.other(party)
				if s.claims != "" {
					claim = s.claims
				}
				x := doc{src: s, kind: "explosion", timeSigma: 900, fire: "incoming", count: 5 * (1 + r.IntN(8)), party: claim, wClass: "mlrs", wSys: "BM-21 Grad", wCal: 122}
				x.observedAt = roundMs(t, 5*msPerMinute)
				x.location = latlon(p, 4, 1000)
				w.emit(&x, nil, "", w.arrival(s, t, nil, false), t, "", "fabricated: no such shelling took place")
			}
		}
	}
}

// decoy: a UAV sortie reports an inflatable decoy as a weapon.
func (w *world) decoy(s *sensor, k *track) {
	r := w.rep
	i := r.IntN(len(k.samples))
	t := k.from() + int64(i)*uavStepMs
	if t >= w.cfg.end {
		return
	}
	loc := jitter(r, k.samples[i], uavSwathM)
	x := doc{src: s, kind: "weapon_sighting", timeSigma: 1, count: 1 + r.IntN(3)}
	x.observedAt = floorTo(t, msPerSecond)
	x.wClass = []string{"tank", "artillery", "mlrs"}[r.IntN(3)]
	x.wSys, x.wCal = guessSystem(x.wClass, r.Float64())
	x.location = latlon(loc, 6, s.locSigma*cepFromSigma)
	x.observer = latlon(k.samples[i], 5, 20)
	w.emit(&x, nil, "", w.arrival(s, t, k, false), t, "", "decoy: an inflatable dummy taken for a weapon")
}

// grid finds fixed sensors near a place: cells of 0.1° × 0.15°.
type grid struct {
	lat0, lon0 float64
	nLat, nLon int
	cells      [][]int32
}

const gridLat, gridLon = 0.1, 0.15

func newGrid(sensors []*sensor) *grid {
	g := &grid{lat0: math.Inf(1), lon0: math.Inf(1)}
	latMax, lonMax := math.Inf(-1), math.Inf(-1)
	any := false
	for _, s := range sensors {
		if s.model != mCamera && s.model != mAcoustic && s.model != mRadar {
			continue
		}
		any = true
		g.lat0, g.lon0 = math.Min(g.lat0, s.pos.Lat), math.Min(g.lon0, s.pos.Lon)
		latMax, lonMax = math.Max(latMax, s.pos.Lat), math.Max(lonMax, s.pos.Lon)
	}
	if !any {
		return g
	}
	g.nLat = int((latMax-g.lat0)/gridLat) + 1
	g.nLon = int((lonMax-g.lon0)/gridLon) + 1
	g.cells = make([][]int32, g.nLat*g.nLon)
	for _, s := range sensors {
		if s.model != mCamera && s.model != mAcoustic && s.model != mRadar {
			continue
		}
		i := int((s.pos.Lat-g.lat0)/gridLat)*g.nLon + int((s.pos.Lon-g.lon0)/gridLon)
		g.cells[i] = append(g.cells[i], int32(s.idx))
	}
	return g
}

// near appends the indexes of the sensors within about radius metres of p,
// in ascending order.
func (g *grid) near(p geo.Point, radius float64, out []int32) []int32 {
	if g.nLat == 0 {
		return out
	}
	dLat := radius / 111000
	dLon := radius / (111000 * math.Max(0.1, math.Cos(p.Lat*math.Pi/180)))
	i0 := max(0, int(math.Floor((p.Lat-dLat-g.lat0)/gridLat)))
	i1 := min(g.nLat-1, int(math.Floor((p.Lat+dLat-g.lat0)/gridLat)))
	j0 := max(0, int(math.Floor((p.Lon-dLon-g.lon0)/gridLon)))
	j1 := min(g.nLon-1, int(math.Floor((p.Lon+dLon-g.lon0)/gridLon)))
	for i := i0; i <= i1; i++ {
		for j := j0; j <= j1; j++ {
			out = append(out, g.cells[i*g.nLon+j]...)
		}
	}
	slices.Sort(out)
	return out
}
