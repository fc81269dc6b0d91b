package sim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/truce-mechanism/truce/geo"
)

// world is one run while it is being built.
type world struct {
	cfg          resolved
	front        *front
	sun          *sunClock
	sectors      []sector
	sectorWeight float64
	namedParties bool

	sensors    []*sensor
	patrols    []*sensor
	uavs       []*sensor
	osintDesks []*sensor

	deps            []*event
	depsBy          map[depKey][]*event
	events          []*event
	episodes        []Episode
	gaps            []Gap
	restrictionGaps []restrictionGap
	surgeAt         int64
	surgeAxis       []int

	rep           *rand.Rand
	errs          *rand.Rand // ErrorModel's draws (nil: errors as stated)
	grid          *grid
	near          []int32
	reach         [7]float64
	hour0         int64
	patrolsByHour [][]*sensor
	catIndex      map[*category]int

	buf      []byte
	arena    arena
	out      []outObs
	spurious []SpuriousObs
}

// Result is a finished run: the reports in arrival order and the truth.
type Result struct {
	Truth *Truth
	out   []outObs
	srcs  []Sensor
}

// Run plays out a scenario. The same Config gives the same Result, byte
// for byte.
func Run(cfg Config) (*Result, error) {
	rc, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	w := &world{cfg: rc, catIndex: map[*category]int{}}
	for i, c := range categories {
		w.catIndex[c] = i
	}
	w.front = newFront(rc.Agreement, rc.Line)
	if w.front.total == 0 {
		return nil, fmt.Errorf("line %q of agreement %s has no length", rc.Line, rc.Agreement.ID)
	}
	w.namedParties = w.front.parties == [2]string{"UKR", "RUS"} || w.front.parties == [2]string{"RUS", "UKR"}
	w.sun = newSunClock(w.front.mid, rc.start, rc.end)
	w.hour0 = floorTo(rc.start, msPerDay) - msPerDay
	w.patrolsByHour = make([][]*sensor, int((rc.end+3*msPerDay-w.hour0)/msPerHour)+1)

	layout := newRand(rc.Seed, streamLayout)
	w.sectors = w.front.sectors(layout, 8)
	if len(w.sectors) == 0 {
		p, _ := w.front.at((w.front.mainFrom + w.front.mainTo) / 2)
		w.sectors = []sector{{ID: "S1", From: w.front.mainFrom, To: w.front.mainTo, Weight: 1, Centre: p}}
	}
	for _, s := range w.sectors {
		w.sectorWeight += s.Weight
	}
	placement := layout
	if rc.LayoutSeed != 0 {
		placement = newRand(rc.LayoutSeed, streamPlacement)
	}
	w.layoutSensors(placement)
	for _, s := range w.sensors {
		switch s.model {
		case mPatrol:
			w.patrols = append(w.patrols, s)
		case mUAV:
			w.uavs = append(w.uavs, s)
		case mOSINT:
			w.osintDesks = append(w.osintDesks, s)
		}
	}

	evr := newRand(rc.Seed, streamEvents)
	w.deployments(evr)
	w.fireAll(evr)
	w.schedule(newRand(rc.Seed, streamSchedules))
	w.restrictions(evr)

	slices.SortStableFunc(w.events, func(a, b *event) int {
		if c := cmpInt(a.t, b.t); c != 0 {
			return c
		}
		return a.gen - b.gen
	})
	for i, e := range w.events {
		e.id = fmt.Sprintf("E%06d", i+1)
	}
	for _, rg := range w.restrictionGaps {
		w.gaps[rg.gap].Event = rg.e.id
	}
	if err := w.assess(); err != nil {
		return nil, fmt.Errorf("applying agreement %s: %w", rc.Agreement.ID, err)
	}

	if rc.Errors != asStated {
		w.errs = newRand(rc.Seed, streamErrors)
		w.biasBearings()
	}
	w.rep = newRand(rc.Seed, streamReports)
	w.observe()
	slices.SortFunc(w.out, func(a, b outObs) int {
		if c := cmpInt(a.arrival, b.arrival); c != 0 {
			return c
		}
		return int(a.seq - b.seq)
	})
	return w.result(), nil
}

// result assembles the truth.
func (w *world) result() *Result {
	c := w.cfg
	a := c.Agreement
	t := &Truth{
		Format:      TruthFormat,
		Scenario:    c.sc.info.Name,
		Description: c.sc.info.Description,
		Seed:        c.Seed,
		Config: TruthConfig{Scenario: c.sc.info.Name, Seed: c.Seed, Start: formatMs(c.start), Duration: c.Duration.String(),
			Scale: c.Scale, EventScale: c.eventScale, SensorScale: c.sensorScale, Line: c.Line, LayoutSeed: c.LayoutSeed},
		Agreement: AgreementRef{ID: a.ID, Version: a.Version, SHA256: a.Digest(), File: a.File, EffectiveFrom: formatMs(a.EffectiveFrom.UnixMilli())},
		Window:    Window{Start: formatMs(c.start), End: formatMs(c.end)},
		Physics:   Physics{SpeedOfSoundMps: SpeedOfSound, HorizonHours: Horizon.Hours(), SunReference: pt(w.front.mid)},
		Parties:   w.front.parties[:],
		Episodes:  w.episodes,
		Gaps:      w.gaps,
		Spurious:  w.spurious,
	}
	if c.Errors != asStated {
		em := c.Errors
		t.Config.Errors = &em
	}
	if len(w.out) > 0 {
		t.Window.LastArrival = formatMs(w.out[len(w.out)-1].arrival)
	}
	if t.Episodes == nil {
		t.Episodes = []Episode{}
	}
	if t.Gaps == nil {
		t.Gaps = []Gap{}
	}
	if t.Spurious == nil {
		t.Spurious = []SpuriousObs{}
	}
	for _, s := range w.sectors {
		t.Sectors = append(t.Sectors, Sector{ID: s.ID, FromKm: roundTo(s.From/1000, 3), ToKm: roundTo(s.To/1000, 3), Weight: roundTo(s.Weight, 3), Centre: pt(s.Centre)})
	}
	for _, s := range w.sensors {
		t.Sensors = append(t.Sensors, s.describe())
		for _, k := range s.tracks {
			if k.to() < c.start || k.from() >= c.end+2*msPerDay {
				continue
			}
			tr := Track{Sensor: s.truth.Source, ID: k.id, From: formatMs(k.from()), To: formatMs(k.to())}
			for i := range k.t {
				tr.Points = append(tr.Points, TrackPoint{T: formatMs(k.t[i]), Lat: roundTo(k.p[i].Lat, 6), Lon: roundTo(k.p[i].Lon, 6)})
			}
			t.Tracks = append(t.Tracks, tr)
		}
	}
	if t.Tracks == nil {
		t.Tracks = []Track{}
	}
	t.Events = make([]Event, 0, len(w.events))
	for _, e := range w.events {
		ev := w.truthEvent(e)
		t.Events = append(t.Events, ev)
		t.Counts.Events++
		switch e.kind {
		case evFire:
			t.Counts.FireEvents++
			t.Counts.Rounds += e.count
		case evWeapon:
			t.Counts.WeaponEvents++
		case evRestriction:
			t.Counts.RestrictionEvents++
		}
		if len(ev.Violations) > 0 {
			t.Counts.ViolatingEvents++
		}
		if len(ev.Observations) > 0 {
			t.Counts.ObservedEvents++
		}
	}
	t.Counts.Observations = len(w.out)
	t.Counts.Spurious = len(w.spurious)
	return &Result{Truth: t, out: w.out, srcs: t.Sensors}
}

func pt(p geo.Point) Point { return Point{Lat: roundTo(p.Lat, 6), Lon: roundTo(p.Lon, 6)} }

func ptr(p geo.Point) *Point { q := pt(p); return &q }

func (w *world) truthEvent(e *event) Event {
	ev := Event{
		ID: e.id, Kind: e.kindName(), Party: e.party, Time: formatMs(e.t), End: formatMs(e.tEnd),
		Location: pt(e.location), LocationParty: e.locParty, LocationLineM: roundTo(e.locLineM, 1),
		Count: e.count, Episode: e.episode, WeaponZones: e.zones, Violations: e.viols, Observations: e.obs,
	}
	if e.cat != nil {
		ev.Category = e.cat.ID
	}
	if e.sys != nil {
		ev.Weapon = &Weapon{Class: e.cat.Class, CaliberMM: e.sys.CaliberMM, System: e.sys.Name}
	}
	if e.sector >= 0 {
		ev.Sector = w.sectors[e.sector].ID
	}
	switch e.kind {
	case evFire:
		ev.ImpactTime = formatMs(e.tImpact)
		ev.Origin, ev.Target = ptr(e.origin), ptr(e.target)
		ev.TargetParty = e.targetParty
		ev.RangeM = roundTo(e.rangeM, 1)
		ev.DispersionM = e.cat.DispersionM
		ev.OriginLineM = roundTo(e.originLineM, 1)
		if e.dep != nil {
			ev.Deployment = e.dep.id
		}
	case evRestriction:
		ev.Restricted, ev.Reason = e.team.truth.Source, e.reason
	case evWeapon:
		if !e.fires {
			ev.Reason = "parked: not a firing position"
		} else {
			ev.Reason = "firing position"
		}
	}
	if ev.WeaponZones == nil {
		ev.WeaponZones = []string{}
	}
	if ev.Violations == nil {
		ev.Violations = []Violation{}
	}
	if ev.Observations == nil {
		ev.Observations = []ObsRef{}
	}
	ev.Observed = len(ev.Observations) > 0
	return ev
}

// describe is the sensor as truth.json documents it.
func (s *sensor) describe() Sensor {
	t := s.truth
	cats := func(v [7]float64) map[string]float64 {
		m := map[string]float64{}
		for c, cat := range categories {
			if v[c] > 0 {
				m[cat.ID] = roundTo(v[c], 0)
			}
		}
		if len(m) == 0 {
			return nil
		}
		return m
	}
	if s.model == mCamera || s.model == mAcoustic || s.model == mRadar {
		t.Position = ptr(s.pos)
		t.HeadingDeg = roundTo(s.heading, 1)
		t.FOVDeg = roundTo(s.fov, 1)
	}
	t.DetectRangeM = cats(s.detect)
	t.DetectRangeDayM = cats(s.detectDay)
	t.DetectProbability = s.pDetect
	t.BearingSigmaDeg = roundTo(s.bearingSigma, 1)
	t.BearingBiasDeg = s.bearingBias
	t.RangeErrorSigma = s.rangeSigma
	t.CountDetect = s.countDetect
	t.CountError = s.countErr
	t.FireCorrect = s.fireCorrect
	t.ClassReported = s.classShare
	t.Misclass = s.misclass
	t.LocationSigmaM = s.locSigma
	t.OriginCEPFraction, t.OriginCEPMinM, t.ImpactCEPFraction = s.cepFrac, s.cepMin, s.impactFrac
	t.WrongParty, t.ClaimsParty, t.ClaimBias, t.Duplicate = s.wrongParty, s.claims, s.claimBias, s.dup
	t.FalseAlarmsPerDay = s.falsePerDay
	switch s.model {
	case mPatrol:
		t.RangeShare = s.rangeShare
		t.TimeSigmaS, t.TimeReference, t.TimeResolution = 60, "event", "min"
		if s.mgrs {
			t.MGRSShare = 1
		}
		t.Delay = "end-of-day report 30–180 min after the patrol returns; urgent firings by radio within 15–60 min; 2 % 24–71 h late"
		t.Notes = "hears within detect_range_m, at p = detect_probability·(1−(d/R)²), halved while driving; works only in daylight along its track; crater analysis of impacts on its side on a later patrol"
	case mCamera:
		t.TimeSigmaS, t.TimeReference, t.TimeResolution = 1, "event", "s"
		t.Delay = "seconds (log-normal, median 20 s); held while the link is down; 0.5 % 6–71 h late"
		t.Notes = "sees within fov_deg about heading_deg; range_m from flash-to-bang"
	case mAcoustic:
		t.TimeSigmaS, t.TimeReference, t.TimeResolution = 0.005, "arrival", "ms"
		t.Delay = "seconds (log-normal, median 20 s); held while the link is down; 0.5 % 6–71 h late"
		t.Notes = "observed_at is when the sound reached the array: event time + distance / speed_of_sound; p = detect_probability·(1−(d/R)³)"
	case mRadar:
		t.TimeSigmaS, t.TimeReference, t.TimeResolution = 1, "event", "s"
		t.Delay = "seconds (log-normal, median 20 s); held while the link is down; 0.5 % 6–71 h late"
		t.Notes = "tracks mortar, artillery and rockets whose firing position lies within fov_deg and detect_range_m; reports origin (CEP = max(origin_cep_min_m, origin_cep_fraction·range)) and predicted impact"
	case mUAV:
		t.TimeSigmaS, t.TimeReference, t.TimeResolution = 1, "event", "s"
		t.Delay = "30–240 min after the sortie ends (imagery analysis); 3 % 12–71 h late"
		t.Notes = "sees deployed weapons within swath_m of its track at p = detect_probability (×0.8 at night), once per sortie; 15 % of sorties report a decoy"
	case mOSINT:
		t.TimeSigmaS, t.TimeReference, t.TimeResolution = 900, "event", "5min"
		t.Delay = "log-normal, median 45 min (5 min–48 h); duplicates 10 min–6 h after the first; 3 % 24–71 h late"
		t.Notes = "picks up impacts; location error location_sigma_m × U(0.5, 1.5) per axis"
		if s.ownSideOnly {
			t.Notes += "; reports only impacts on its own side"
		}
	}
	return t
}

// Observations is the number of reports.
func (r *Result) Observations() int { return len(r.out) }

// Line returns report i in arrival order (without the newline) and its
// arrival time (Unix ms).
func (r *Result) Line(i int) ([]byte, int64) { return r.out[i].line, r.out[i].arrival }

// WriteObservations writes observations.ndjson: one report per line, in
// the order they reach the mechanism.
func (r *Result) WriteObservations(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	for _, o := range r.out {
		bw.Write(o.line)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WriteTruth writes truth.json: the header fields indented, then one
// sensor, gap, track, spurious report or event per line, so the file can
// be read by eye and by grep.
func (r *Result) WriteTruth(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	t := r.Truth
	head := []struct {
		key string
		v   any
	}{
		{"format", t.Format}, {"scenario", t.Scenario}, {"description", t.Description}, {"seed", t.Seed},
		{"config", t.Config}, {"agreement", t.Agreement}, {"window", t.Window}, {"physics", t.Physics},
		{"parties", t.Parties}, {"counts", t.Counts}, {"sectors", t.Sectors}, {"episodes", t.Episodes},
	}
	bw.WriteString("{\n")
	for _, h := range head {
		b, err := json.Marshal(h.v)
		if err != nil {
			return err
		}
		fmt.Fprintf(bw, "  %q: %s,\n", h.key, b)
	}
	lists := []struct {
		key string
		n   int
		at  func(int) any
	}{
		{"sensors", len(t.Sensors), func(i int) any { return t.Sensors[i] }},
		{"gaps", len(t.Gaps), func(i int) any { return t.Gaps[i] }},
		{"tracks", len(t.Tracks), func(i int) any { return t.Tracks[i] }},
		{"spurious", len(t.Spurious), func(i int) any { return t.Spurious[i] }},
		{"events", len(t.Events), func(i int) any { return &t.Events[i] }},
	}
	for li, l := range lists {
		fmt.Fprintf(bw, "  %q: [", l.key)
		for i := range l.n {
			b, err := json.Marshal(l.at(i))
			if err != nil {
				return err
			}
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString("\n    ")
			bw.Write(b)
		}
		if l.n > 0 {
			bw.WriteString("\n  ")
		}
		bw.WriteString("]")
		if li < len(lists)-1 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// SourceLine is one line of sources.ndjson: what `truce source add` needs.
type SourceLine struct {
	ID      string `json:"id"`
	Org     string `json:"org"`
	Kind    string `json:"kind"`
	Grading string `json:"grading"`
	Model   string `json:"model"`
}

// WriteSources writes sources.ndjson, one source per line.
func (r *Result) WriteSources(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, s := range r.srcs {
		b, err := json.Marshal(SourceLine{ID: s.Source, Org: s.Org, Kind: s.Kind, Grading: s.Grading, Model: s.Model})
		if err != nil {
			return err
		}
		bw.Write(b)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// Files written by WriteDir.
const (
	ObservationsFile = "observations.ndjson"
	TruthFile        = "truth.json"
	SourcesFile      = "sources.ndjson"
)

// WriteDir writes the three files into dir, creating it if needed. Each
// file is written under a temporary name and renamed, so a reader never
// sees half a file.
func (r *Result) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{{ObservationsFile, r.WriteObservations}, {TruthFile, r.WriteTruth}, {SourcesFile, r.WriteSources}} {
		path := filepath.Join(dir, f.name)
		tmp, err := os.CreateTemp(dir, "."+f.name+".*")
		if err != nil {
			return err
		}
		err = f.write(tmp)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), path)
		}
		if err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	return nil
}

// Summary is a one-line account of the run.
func (r *Result) Summary() string {
	t := r.Truth
	var b strings.Builder
	fmt.Fprintf(&b, "%s seed %d, %s from %s: %d events (%d firings, %d weapon deployments, %d restrictions), %d violating; %d observations (%d spurious), last arriving %s",
		t.Scenario, t.Seed, t.Config.Duration, t.Window.Start, t.Counts.Events, t.Counts.FireEvents, t.Counts.WeaponEvents,
		t.Counts.RestrictionEvents, t.Counts.ViolatingEvents, t.Counts.Observations, t.Counts.Spurious, t.Window.LastArrival)
	return b.String()
}
