package observation

import (
	"time"
)

// Kind is what was observed, as the intake schema enumerates it.
type Kind string

// The kinds of the intake schema. Fire kinds are counted as the OSCE
// Special Monitoring Mission counted them.
const (
	Explosion      Kind = "explosion"
	Burst          Kind = "burst"
	Shot           Kind = "shot"
	Flare          Kind = "flare"
	WeaponSighting Kind = "weapon_sighting"
	Movement       Kind = "movement"
	Airspace       Kind = "airspace"
	Restriction    Kind = "restriction"
	Casualty       Kind = "casualty"
	Damage         Kind = "damage"
	Other          Kind = "other"
)

// Fire says whether a fire event was seen at its launch or its impact.
type Fire string

// Directions of fire relative to the observer or the impact.
const (
	Outgoing    Fire = "outgoing"
	Incoming    Fire = "incoming"
	FireUnknown Fire = "unknown"
)

// Defaults the schema declares; applied to the typed view, never to the
// stored document (the stored document is what the source sent).
const (
	DefaultTimeSigmaS            = 60
	DefaultCount                 = 1
	DefaultBearingSigmaDeg       = 5
	DefaultOriginBearingSigmaDeg = 10
	DefaultMarking               = "MISSION"
	// MaxClockSkew is how far in the future observed_at may lie, measured
	// from the time of receipt.
	MaxClockSkew = 5 * time.Minute
)

// Observation is one report from one source, as validated against
// spec/observation.schema.json, with the schema's defaults applied.
// Document holds the report exactly as the source sent it, in RFC 8785
// canonical form: it is what is stored, hashed and signed.
type Observation struct {
	ID         string
	Source     string
	ObservedAt time.Time
	TimeSigmaS float64
	Kind       Kind
	Count      int
	Fire       Fire
	Weapon     *Weapon

	Observer *Point
	Location *Point
	Origin   *Point

	BearingDeg            *float64
	BearingSigmaDeg       float64
	Range                 *Range
	OriginBearingDeg      *float64
	OriginBearingSigmaDeg float64

	ReportedParty string
	Grading       *Grading
	Evidence      []Evidence
	Marking       string
	Notes         string
	Signature     *Signature

	// Document is the RFC 8785 (JCS) canonical JSON of the report as sent.
	Document []byte
	// Warnings name things the schema accepts but the mechanism cannot use,
	// e.g. an MGRS reference in a zone that does not exist. The report is
	// stored; the warning travels back to the sender.
	Warnings []string
}

// Key is the idempotency key of an observation.
type Key struct {
	Source string `json:"source"`
	ID     string `json:"id"`
}

// Key returns the observation's (source, id).
func (o *Observation) Key() Key { return Key{Source: o.Source, ID: o.ID} }

// Weapon is the weapon system a report names.
type Weapon struct {
	Class     string   // "" when absent
	CaliberMM *float64 // nil when absent
	System    string
}

// Point is a WGS 84 position given either as lat/lon or as an MGRS
// reference. Lat and Lon are set when the position could be resolved
// (Resolved); an MGRS reference is resolved to the centre of its square.
type Point struct {
	Lat, Lon float64
	Resolved bool
	MGRS     string   // as sent, "" for lat/lon points
	CEPm     *float64 // circular error probable (50 %), metres
}

// Range is an observer's estimate of the distance to the phenomenon.
type Range struct {
	MinM, MaxM float64
}

// Grading is the NATO Admiralty code of a report.
type Grading struct {
	Reliability string // A..F, "" when absent
	Credibility int    // 1..6, 0 when absent
}

// Evidence names a file that supports the report by its content hash.
type Evidence struct {
	SHA256    string
	MediaType string
	Size      *int64
	URI       string
}

// Signature is an Ed25519 signature by a key registered to the source.
type Signature struct {
	KeyID string
	Sig   string
}

// Record is an observation as stored: the report plus what the server added.
type Record struct {
	Observation
	ReceivedAt time.Time
	// Sequence is the store's order of acceptance, strictly increasing.
	Sequence int64
}

// Position returns where the phenomenon itself is best placed by the report
// alone: its location if resolved, else nil. Fusion does better.
func (o *Observation) Position() *Point {
	if o.Location != nil && o.Location.Resolved {
		return o.Location
	}
	return nil
}
