package sim

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/agreement"
)

// Config is everything a run depends on: the same Config gives the same
// bytes.
type Config struct {
	// Scenario names one of Scenarios(): quiet, violations, escalation.
	Scenario string
	// Seed seeds every random stream of the run.
	Seed uint64
	// Start is when the simulated window opens; zero means one day after
	// the agreement takes effect, so that fire breaks the ceasefire.
	Start time.Time
	// Duration of the window; zero means DefaultDuration. Events happen
	// inside it; their reports may arrive up to 72 h later.
	Duration time.Duration
	// Scale multiplies the volume of reports, roughly linearly: event
	// rates grow by Scale^(2/3) and the number of mission sensors of each
	// kind (patrols, cameras, acoustic arrays, radars, UAVs, OSINT desks)
	// by Scale^(1/3), so that each event is still heard by a plausible
	// handful of sensors while the whole grows. Zero means 1.
	Scale float64
	// EventScale and SensorScale, when non-zero, set the two factors
	// directly instead (reports then grow with their product).
	EventScale, SensorScale float64
	// Agreement is the agreement played out; nil means agreement.Demo().
	// It needs two parties with controlled areas and the line named Line.
	Agreement *agreement.Agreement
	// Line is the id of the line of contact in Agreement; "" means
	// "contact".
	Line string
	// LayoutSeed, when non-zero, draws where the sensors stand (and each
	// one's drawn characteristics: detection ranges, bearing σ, field of
	// view) instead of Seed, so that the same war can be watched by
	// another deployment. The sectors, the events and the errors still
	// come from Seed; the restrictions of patrols and the sensors'
	// schedules follow the patrols' new bases. Zero, or Seed itself,
	// means Seed's own layout.
	LayoutSeed uint64
	// Errors is how far the sensors' true errors depart from what their
	// reports state; the zero value is "exactly as stated".
	Errors ErrorModel
}

// ErrorModel makes the world rougher than the reports claim, so that
// fusion can be measured when the stated σ are wrong. Its zero value
// draws every error from a normal law with exactly the σ the report
// states, as the simulator did before the model existed, byte for byte.
// Its draws come from a stream of their own: changing it moves no event,
// detection or count, only the measurement errors (and an arrival they
// would put before the report's own observed_at).
type ErrorModel struct {
	// SigmaScale multiplies the σ of every measurement a report states an
	// accuracy for — bearings, ranges, locations, points of origin, the
	// observer's own fix — so that true errors are SigmaScale times the
	// stated σ: above 1 the sensors are over-confident. Zero means 1.
	SigmaScale float64 `json:"sigma_scale"`
	// TimeSigmaScale does the same for the error of observed_at
	// (time_sigma_s). Zero means 1.
	TimeSigmaScale float64 `json:"time_sigma_scale"`
	// Outliers is the share of reports of events with a gross error — a
	// bearing misread, a grid reference mistyped, a radar track on the
	// wrong round: all its measurement errors are drawn with 5 to 10
	// times the σ they would otherwise have. The truth notes each one.
	// Zero means none.
	Outliers float64 `json:"outliers"`
	// BearingBiasDeg is the σ of each bearing-taking sensor's constant
	// bias — a compass or a microphone array aligned wrongly once —
	// drawn once per sensor from N(0, BearingBiasDeg²) and added to every
	// bearing it reports. Zero means none.
	BearingBiasDeg float64 `json:"bearing_bias_deg"`
}

// Gross errors are drawn with outlierMin to outlierMax times the σ.
const outlierMin, outlierMax = 5.0, 10.0

// Defaults and limits of a Config.
const (
	DefaultDuration = 6 * time.Hour
	DefaultLine     = "contact"
	MaxDuration     = 31 * 24 * time.Hour
	MaxScale        = 1000.0
	// MaxSigmaScale bounds ErrorModel's SigmaScale and TimeSigmaScale.
	MaxSigmaScale = 100.0
	// MaxBearingBiasDeg bounds ErrorModel.BearingBiasDeg: beyond it a
	// bearing says nothing.
	MaxBearingBiasDeg = 45.0
	// Horizon is the latest a report arrives after what it reports: the
	// fusion's default tolerance for late reports.
	Horizon = 72 * time.Hour
)

// ScenarioInfo names and describes a scenario.
type ScenarioInfo struct {
	Name        string
	Description string
}

// scenario holds what distinguishes one war from another. Rates are
// firings per hour along the whole line for each party, at scale 1.
type scenario struct {
	info ScenarioInfo
	// rate per category (order of categories), per party
	rate [7]float64
	// share of background fire in the hot sectors (rest anywhere on the line)
	inSector float64
	// exchanges of fire: per day, firings per exchange (mean)
	exchangesPerDay, exchangeSize float64
	// weapons kept inside their withdrawal zones without firing, and
	// legitimately beyond them, per sector and party (Poisson means)
	parkedIn, parkedOut float64
	// chance that a patrol is stopped at a checkpoint on a given day
	restrictPerPatrol float64
	// UAV sorties cut short by jamming
	jamPerSortie float64
	// fabricated OSINT reports per desk per day
	fakesPerDesk float64
	// firing positions in the hot sectors, relative to a ceasefire in
	// trouble: a holding ceasefire has few weapons up at the line
	positions float64
	// surge that looks like an armed attack (escalation only)
	surge bool
}

var scenarios = []scenario{
	{
		info: ScenarioInfo{"quiet", "ceasefire holding: rare incidents, mostly small arms, now and then a mortar"},
		rate: [7]float64{0.5, 0.1, 0.01, 0.03, 0.005, 0, 0.02}, inSector: 0.8,
		exchangesPerDay: 0.3, exchangeSize: 4, parkedIn: 0.2, parkedOut: 1,
		restrictPerPatrol: 0.03, jamPerSortie: 0.05, fakesPerDesk: 0.3, positions: 0.15,
	},
	{
		info: ScenarioInfo{"violations", "sporadic breaches by both sides: daily rhythm of small arms, mortars and artillery, exchanges of fire in the hot sectors, heavy weapons kept inside their zones"},
		rate: [7]float64{3, 1.5, 0.3, 1, 0.25, 0.04, 0.5}, inSector: 0.8,
		exchangesPerDay: 2, exchangeSize: 12, parkedIn: 1, parkedOut: 1,
		restrictPerPatrol: 0.12, jamPerSortie: 0.15, fakesPerDesk: 0.6, positions: 1,
	},
	{
		info: ScenarioInfo{"escalation", "a day of sporadic breaches, then one party masses heavy weapons on an axis and opens a surge of artillery and rocket fire that looks like an armed attack; the other side returns fire"},
		rate: [7]float64{3, 1.5, 0.3, 1, 0.25, 0.04, 0.5}, inSector: 0.8,
		exchangesPerDay: 2, exchangeSize: 12, parkedIn: 1, parkedOut: 1,
		restrictPerPatrol: 0.25, jamPerSortie: 0.35, fakesPerDesk: 2, positions: 1,
		surge: true,
	},
}

// surgeRate is the attacker's firings per hour per category during the
// surge at scale 1; the defender returns a quarter of it.
var surgeRate = [7]float64{30, 20, 5, 50, 25, 8, 15}

// Scenarios lists the scenarios Run knows, in a fixed order.
func Scenarios() []ScenarioInfo {
	out := make([]ScenarioInfo, len(scenarios))
	for i, s := range scenarios {
		out[i] = s.info
	}
	return out
}

func scenarioNames() string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.info.Name
	}
	return strings.Join(names, ", ")
}

func findScenario(name string) (scenario, bool) {
	for _, s := range scenarios {
		if s.info.Name == name {
			return s, true
		}
	}
	return scenario{}, false
}

// resolved is a Config with its defaults applied and checked.
type resolved struct {
	Config
	sc                      scenario
	eventScale, sensorScale float64
	start, end              int64 // Unix ms
}

func (c Config) resolve() (resolved, error) {
	r := resolved{Config: c}
	sc, ok := findScenario(c.Scenario)
	if !ok {
		return r, fmt.Errorf("scenario %q: want one of %s", c.Scenario, scenarioNames())
	}
	r.sc = sc
	if r.Agreement == nil {
		a, err := agreement.Demo()
		if err != nil {
			return r, fmt.Errorf("demo agreement: %w", err)
		}
		r.Agreement = a
	}
	if r.Line == "" {
		r.Line = DefaultLine
	}
	if r.Agreement.Line(r.Line) == nil {
		return r, fmt.Errorf("line %q: agreement %s has no such line", r.Line, r.Agreement.ID)
	}
	if len(r.Agreement.Parties) != 2 {
		return r, fmt.Errorf("agreement %s has %d parties: the simulator plays out a ceasefire between two", r.Agreement.ID, len(r.Agreement.Parties))
	}
	for _, p := range r.Agreement.Parties {
		found := false
		for _, a := range r.Agreement.Areas {
			found = found || a.Party == p.Code
		}
		if !found {
			return r, fmt.Errorf("agreement %s: party %s controls no area, so it has nowhere to fire from", r.Agreement.ID, p.Code)
		}
	}
	if r.Duration == 0 {
		r.Duration = DefaultDuration
	}
	if r.Duration < time.Minute || r.Duration > MaxDuration {
		return r, fmt.Errorf("duration %v: want 1m to %v", r.Duration, MaxDuration)
	}
	if r.Start.IsZero() {
		r.Start = r.Agreement.EffectiveFrom.Add(24 * time.Hour).UTC().Truncate(24 * time.Hour)
	}
	r.Start = r.Start.UTC().Truncate(time.Millisecond)
	if y := r.Start.Year(); y < 1970 || y > 9000 {
		return r, fmt.Errorf("start %s: want a year between 1970 and 9000", r.Start.Format(time.RFC3339))
	}
	if r.Scale == 0 {
		r.Scale = 1
	}
	for _, s := range []struct {
		name string
		v    *float64
	}{{"scale", &r.Scale}, {"event scale", &r.EventScale}, {"sensor scale", &r.SensorScale}} {
		if math.IsNaN(*s.v) || *s.v < 0 || *s.v > MaxScale || (s.v == &r.Scale && *s.v == 0) {
			return r, fmt.Errorf("%s %v: want more than 0 and at most %v", s.name, *s.v, MaxScale)
		}
	}
	r.eventScale, r.sensorScale = math.Cbrt(r.Scale*r.Scale), math.Cbrt(r.Scale)
	if r.EventScale > 0 {
		r.eventScale = r.EventScale
	}
	if r.SensorScale > 0 {
		r.sensorScale = r.SensorScale
	}
	if r.LayoutSeed == r.Seed {
		r.LayoutSeed = 0
	}
	if err := r.Errors.resolve(); err != nil {
		return r, err
	}
	r.start = r.Start.UnixMilli()
	r.end = r.start + r.Duration.Milliseconds()
	return r, nil
}

// resolve applies the defaults of m and checks it.
func (m *ErrorModel) resolve() error {
	for _, s := range []struct {
		name string
		v    *float64
	}{{"sigma scale", &m.SigmaScale}, {"time sigma scale", &m.TimeSigmaScale}} {
		if *s.v == 0 {
			*s.v = 1
		}
		if math.IsNaN(*s.v) || *s.v < 0 || *s.v > MaxSigmaScale {
			return fmt.Errorf("%s %v: want a factor from 0 (meaning 1: errors as stated) to %v", s.name, *s.v, MaxSigmaScale)
		}
	}
	if math.IsNaN(m.Outliers) || m.Outliers < 0 || m.Outliers > 1 {
		return fmt.Errorf("outliers %v: want a share of reports from 0 to 1", m.Outliers)
	}
	if math.IsNaN(m.BearingBiasDeg) || m.BearingBiasDeg < 0 || m.BearingBiasDeg > MaxBearingBiasDeg {
		return fmt.Errorf("bearing bias %v°: want a σ from 0 to %v degrees", m.BearingBiasDeg, MaxBearingBiasDeg)
	}
	return nil
}

// asStated is the resolved ErrorModel of a run whose errors are what the
// reports say.
var asStated = ErrorModel{SigmaScale: 1, TimeSigmaScale: 1}
