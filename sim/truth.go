package sim

import (
	"encoding/json"
	"fmt"
	"io"
)

// TruthFormat names the layout of truth.json; TRUTH.md documents it.
const TruthFormat = "truce-sim-truth/1"

// Truth is what really happened in a run, and what each report was about.
// It is written as truth.json; TRUTH.md documents every field. Times are
// RFC 3339 UTC with milliseconds, positions WGS 84 degrees, distances
// metres.
type Truth struct {
	Format      string        `json:"format"`
	Scenario    string        `json:"scenario"`
	Description string        `json:"description"`
	Seed        uint64        `json:"seed"`
	Config      TruthConfig   `json:"config"`
	Agreement   AgreementRef  `json:"agreement"`
	Window      Window        `json:"window"`
	Physics     Physics       `json:"physics"`
	Parties     []string      `json:"parties"`
	Counts      Counts        `json:"counts"`
	Sectors     []Sector      `json:"sectors"`
	Episodes    []Episode     `json:"episodes"`
	Sensors     []Sensor      `json:"sensors"`
	Gaps        []Gap         `json:"gaps"`
	Tracks      []Track       `json:"tracks"`
	Spurious    []SpuriousObs `json:"spurious"`
	Events      []Event       `json:"events"`
}

// TruthConfig is the Config of the run, with its defaults applied.
type TruthConfig struct {
	Scenario    string  `json:"scenario"`
	Seed        uint64  `json:"seed"`
	Start       string  `json:"start"`
	Duration    string  `json:"duration"`
	Scale       float64 `json:"scale"`
	EventScale  float64 `json:"event_scale"`
	SensorScale float64 `json:"sensor_scale"`
	Line        string  `json:"line"`
	// LayoutSeed is set when the sensors were placed by another seed.
	LayoutSeed uint64 `json:"layout_seed,omitempty"`
	// Errors is set when the true errors depart from the stated ones.
	Errors *ErrorModel `json:"errors,omitempty"`
}

// AgreementRef names the agreement version played out.
type AgreementRef struct {
	ID            string `json:"id"`
	Version       int    `json:"version"`
	SHA256        string `json:"sha256"`
	File          string `json:"file"`
	EffectiveFrom string `json:"effective_from"`
}

// Window is the simulated stretch of time: events happen in [Start, End).
type Window struct {
	Start string `json:"start"`
	End   string `json:"end"`
	// LastArrival is when the last report arrives.
	LastArrival string `json:"last_arrival"`
}

// Physics holds the constants the sensor models used.
type Physics struct {
	SpeedOfSoundMps float64 `json:"speed_of_sound_mps"`
	HorizonHours    float64 `json:"horizon_hours"`
	SunReference    Point   `json:"sun_reference"`
}

// Counts summarise the run.
type Counts struct {
	Events            int `json:"events"`
	FireEvents        int `json:"fire_events"`
	WeaponEvents      int `json:"weapon_events"`
	RestrictionEvents int `json:"restriction_events"`
	ViolatingEvents   int `json:"violating_events"`
	ObservedEvents    int `json:"observed_events"`
	Observations      int `json:"observations"`
	Spurious          int `json:"spurious"`
	Rounds            int `json:"rounds"`
}

// Point is a WGS 84 position.
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Sector is a hot stretch of the line.
type Sector struct {
	ID          string  `json:"id"`
	FromKm      float64 `json:"from_km"`
	ToKm        float64 `json:"to_km"`
	Weight      float64 `json:"weight"`
	Centre      Point   `json:"centre"`
	Description string  `json:"description,omitempty"`
}

// Episode is a burst of fire: an exchange between the parties in one
// sector, or the surge of the escalation scenario.
type Episode struct {
	ID       string   `json:"id"`
	Kind     string   `json:"kind"` // exchange | surge
	Party    string   `json:"party"`
	Sectors  []string `json:"sectors"`
	Start    string   `json:"start"`
	End      string   `json:"end"`
	Firings  int      `json:"firings"`
	Response string   `json:"response,omitempty"` // surge: when the other party starts returning fire
}

// Sensor is one source of reports and its error model. Fields that do
// not apply to the sensor's model are omitted.
type Sensor struct {
	Source  string `json:"source"`
	Org     string `json:"org"`
	Kind    string `json:"kind"`  // monitor | sensor | radar | uav | osint (truce source add --kind)
	Model   string `json:"model"` // patrol | camera | acoustic | radar | uav | osint
	Grading string `json:"grading"`
	Marking string `json:"marking"`
	Side    string `json:"side,omitempty"` // controlling party where it stands or works
	Sector  string `json:"sector,omitempty"`
	Name    string `json:"name,omitempty"` // equipment: AN/TPQ-36, …

	Position   *Point  `json:"position,omitempty"`
	HeadingDeg float64 `json:"heading_deg,omitempty"`
	FOVDeg     float64 `json:"fov_deg,omitempty"`

	// DetectRangeM is how far it notices a firing of each category; for
	// cameras, DetectRangeDayM applies by day and DetectRangeM by night.
	DetectRangeM      map[string]float64 `json:"detect_range_m,omitempty"`
	DetectRangeDayM   map[string]float64 `json:"detect_range_day_m,omitempty"`
	DetectProbability float64            `json:"detect_probability,omitempty"`

	BearingSigmaDeg float64 `json:"bearing_sigma_deg,omitempty"`
	// BearingBiasDeg is the constant error added to each of its bearings
	// (ErrorModel.BearingBiasDeg).
	BearingBiasDeg float64 `json:"bearing_bias_deg,omitempty"`
	// RangeErrorSigma is the σ of the log of the range estimate's error.
	RangeErrorSigma float64 `json:"range_error_sigma,omitempty"`
	RangeShare      float64 `json:"range_share,omitempty"` // share of reports with range_m
	TimeSigmaS      float64 `json:"time_sigma_s,omitempty"`
	// TimeReference: "event" (observed_at estimates when it happened) or
	// "arrival" (when the sound reached the sensor).
	TimeReference string `json:"time_reference,omitempty"`
	// TimeResolution: ms, s, min or 5min — how observed_at is rounded.
	TimeResolution string `json:"time_resolution,omitempty"`
	// CountError is the σ of the log of the ratio of counted to true rounds.
	CountError float64 `json:"count_error,omitempty"`
	// CountDetect is the chance each round is counted (technical sensors).
	CountDetect float64 `json:"count_detect,omitempty"`
	// FireCorrect is the chance the report says incoming/outgoing rightly
	// (otherwise mostly "unknown").
	FireCorrect float64 `json:"fire_correct,omitempty"`
	// ClassReported is the share of reports naming a weapon class;
	// Misclass the chance a named class is wrong.
	ClassReported float64 `json:"class_reported,omitempty"`
	Misclass      float64 `json:"misclass,omitempty"`
	// LocationSigmaM is the σ per axis of the reported location's error.
	LocationSigmaM float64 `json:"location_sigma_m,omitempty"`
	// OriginCEPFraction × range is the CEP of a radar's point of origin
	// (at least OriginCEPMinM); ImpactCEPFraction likewise for the
	// predicted impact.
	OriginCEPFraction float64 `json:"origin_cep_fraction,omitempty"`
	OriginCEPMinM     float64 `json:"origin_cep_min_m,omitempty"`
	ImpactCEPFraction float64 `json:"impact_cep_fraction,omitempty"`
	// WrongParty is the chance a reported_party claim names the party
	// that did not fire; ClaimsParty, when set, is the party the source
	// blames whatever happened, with ClaimBias its share of claims.
	WrongParty  float64 `json:"wrong_party,omitempty"`
	ClaimsParty string  `json:"claims_party,omitempty"`
	ClaimBias   float64 `json:"claim_bias,omitempty"`
	Duplicate   float64 `json:"duplicate,omitempty"` // chance a report is repeated under another id
	// FalseAlarmsPerDay is the rate of spurious reports.
	FalseAlarmsPerDay float64 `json:"false_alarms_per_day,omitempty"`
	// SwathM is a UAV's sensor footprint radius, SpeedKmh its speed.
	SwathM   float64 `json:"swath_m,omitempty"`
	SpeedKmh float64 `json:"speed_kmh,omitempty"`
	// MGRSShare is the share of positions the source writes as MGRS.
	MGRSShare float64 `json:"mgrs_share,omitempty"`
	// Delay describes when its reports arrive.
	Delay string `json:"delay"`
	Notes string `json:"notes,omitempty"`
}

// Gap is a stretch of time when a sensor could not see all it normally
// covers. Area, when present, is the part of its coverage lost (a circle);
// absent, the sensor saw nothing. Link gaps lose no coverage: reports are
// held and delivered when the link returns (CoverageLost false).
type Gap struct {
	Sensor       string  `json:"sensor"`
	Kind         string  `json:"kind"` // outage | link | restriction | jamming | suspended
	Reason       string  `json:"reason"`
	From         string  `json:"from"`
	To           string  `json:"to"`
	CoverageLost bool    `json:"coverage_lost"`
	Area         *Circle `json:"area,omitempty"`
	Event        string  `json:"event,omitempty"` // the restriction event that caused it
}

// Circle is a disc on the ground.
type Circle struct {
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	RadiusM float64 `json:"radius_m"`
}

// Track is where a mobile sensor (a patrol, a UAV sortie) was: straight
// legs between timed points; two points at one place are a halt.
type Track struct {
	Sensor string       `json:"sensor"`
	ID     string       `json:"id"`
	From   string       `json:"from"`
	To     string       `json:"to"`
	Points []TrackPoint `json:"points"`
}

// TrackPoint is a timed position of a track.
type TrackPoint struct {
	T   string  `json:"t"`
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// SpuriousObs is a report that belongs to no true event.
type SpuriousObs struct {
	Source    string `json:"source"`
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Reason    string `json:"reason"`
	ArrivalAt string `json:"arrival_at"`
}

// Event is one true occurrence: a firing (kind explosion, burst or shot),
// a weapon deployment (weapon_sighting) or a restriction of the monitors.
type Event struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Category string `json:"category,omitempty"`
	Party    string `json:"party"`
	// Time: first launch of a firing, arrival of a deployment, start of
	// a restriction. End: last impact, departure, end of the restriction.
	Time       string `json:"time"`
	End        string `json:"end"`
	ImpactTime string `json:"impact_time,omitempty"`
	// Location is where the event is scored: the aim point of explosive
	// fire, the firing position of small arms, the weapons' position, the
	// checkpoint.
	Location Point  `json:"location"`
	Origin   *Point `json:"origin,omitempty"`
	Target   *Point `json:"target,omitempty"`
	// LocationParty controls Location; TargetParty the aim point.
	LocationParty string  `json:"location_party"`
	TargetParty   string  `json:"target_party,omitempty"`
	RangeM        float64 `json:"range_m,omitempty"`
	DispersionM   float64 `json:"dispersion_m,omitempty"`
	// Distances to the line of contact, metres.
	OriginLineM   float64 `json:"origin_line_m,omitempty"`
	LocationLineM float64 `json:"location_line_m"`
	Weapon        *Weapon `json:"weapon,omitempty"`
	Count         int     `json:"count"`
	Sector        string  `json:"sector,omitempty"`
	Episode       string  `json:"episode,omitempty"`
	Deployment    string  `json:"deployment,omitempty"`
	// WeaponZones are the zones closed to the weapon that contain its
	// position (the firing position for fire, the location for a
	// deployment).
	WeaponZones []string    `json:"weapon_zones"`
	Violations  []Violation `json:"violations"`
	Restricted  string      `json:"restricted,omitempty"` // restriction: the patrol stopped
	Reason      string      `json:"reason,omitempty"`
	// Observed says whether any report describes the event: what no
	// sensor could perceive cannot be detected, only covered (or not).
	Observed bool `json:"observed"`
	// Observations are the reports of this event, in the order made.
	Observations []ObsRef `json:"observations"`
}

// Weapon is a weapon system as the truth knows it.
type Weapon struct {
	Class     string  `json:"class"`
	CaliberMM float64 `json:"caliber_mm,omitempty"`
	System    string  `json:"system,omitempty"`
}

// Violation is a rule of the agreement the event breaks, as
// agreement.Evaluate finds it. At says where the facts were taken:
// "location" (the event as reported: a firing at its location, a
// weapon seen) or "origin" (the firing weapon, evaluated as a
// weapon_sighting at its firing position).
type Violation struct {
	Rule      string   `json:"rule"`
	Severity  string   `json:"severity"`
	Agreement string   `json:"agreement"`
	Version   int      `json:"version"`
	At        string   `json:"at"`
	Zones     []string `json:"zones,omitempty"`
}

// ObsRef ties a report to its event. Sees is what it reports: launch,
// impact, crater, weapon or restriction.
type ObsRef struct {
	Source      string `json:"source"`
	ID          string `json:"id"`
	Sees        string `json:"sees"`
	ArrivalAt   string `json:"arrival_at"`
	DuplicateOf string `json:"duplicate_of,omitempty"`
	Note        string `json:"note,omitempty"`
}

// ReadTruth decodes a truth.json.
func ReadTruth(r io.Reader) (*Truth, error) {
	var t Truth
	// Unknown fields are allowed: later versions of the format only add.
	if err := json.NewDecoder(r).Decode(&t); err != nil {
		return nil, fmt.Errorf("truth: %w", err)
	}
	if t.Format != TruthFormat {
		return nil, fmt.Errorf("truth: format %q, this reader knows %q", t.Format, TruthFormat)
	}
	return &t, nil
}
