package agreement

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/truce-mechanism/truce/geo"
)

// Agreement is one version of a ceasefire agreement as the mechanism
// applies it: who the parties are, what each controls, the lines and the
// zones drawn from them, the thresholds, and the rules that turn observed
// events into alleged breaches. It is built by Parse from a file and is
// immutable: nothing in this package changes an Agreement after Parse,
// and callers must not either (a change is a new version, see Versions).
// Safe for concurrent use.
type Agreement struct {
	ID            string
	Version       int
	Title         string
	Note          string
	EffectiveFrom time.Time
	Sources       []Source
	Parties       []Party
	Areas         []ControlledArea
	Lines         []Line
	Zones         []Zone
	// Reach is the agreement's table of how far weapons fire (weapon_reach):
	// what lets a firing whose origin nobody located still show that its
	// weapon stood inside a zone (ReachM, FactsAround).
	Reach      []Reach
	Thresholds Thresholds
	Rules      []Rule
	// Commission and Guarantees are the terms of the Special Commission
	// and of the guarantees (commission.go, guarantees.go); the defaults
	// when the file has no such section, with Default set.
	Commission Commission
	Guarantees Guarantees

	// File is the name the agreement was parsed under; SHA256 the hash
	// of its bytes, which is what names this version in the ledger.
	File   string
	SHA256 [32]byte

	raw      []byte
	areaIdx  *geo.AreaIndex // positions as in Areas
	lineByID map[string]*Line
	celEnv   *cel.Env
}

// Digest is the SHA-256 of the file as lowercase hex.
func (a *Agreement) Digest() string { return hex.EncodeToString(a.SHA256[:]) }

// Bytes returns a copy of the file the agreement was parsed from.
func (a *Agreement) Bytes() []byte { return append([]byte(nil), a.raw...) }

func digest(b []byte) [32]byte { return sha256.Sum256(b) }

// Source is where the agreement's geometry or text came from, and its
// licence: shipped geometry must say both.
type Source struct {
	Name    string
	Licence string
	URL     string
	Note    string
}

// Party is a side of the ceasefire, by ISO 3166-1 alpha-3 or a short code
// the agreement defines.
type Party struct {
	Code string
	Name string
}

// ControlledArea is ground a party holds when the agreement takes effect.
type ControlledArea struct {
	Party    string
	Name     string
	Note     string
	Polygons [][][]geo.Point // GeoJSON order: ring 0 outer, then holes
	Area     *geo.Area
}

// Line is a line the agreement measures from: the line of contact, a
// withdrawal line, a border.
type Line struct {
	ID    string
	Name  string
	Note  string
	Parts [][]geo.Point
	Geo   *geo.Line
}

// ZoneKind is how a zone is drawn.
type ZoneKind string

const (
	// Withdrawal zones are bands within DistanceM of a line, from which
	// the listed weapons must be withdrawn.
	Withdrawal ZoneKind = "withdrawal"
	// Demilitarised zones are polygons.
	Demilitarised ZoneKind = "demilitarised"
)

// Zone is a security zone: a band either side of a line or a polygon,
// closed to the weapons it lists (to every weapon if it lists none).
type Zone struct {
	ID        string
	Name      string
	Note      string
	Kind      ZoneKind
	Line      string  // withdrawal: the line's ID
	DistanceM float64 // withdrawal: metres from the line, each side
	// Party, when set, limits the zone to ground that party controls:
	// Minsk II measured Ukraine's withdrawal from the line of contact and
	// the other side's from the line of the September 2014 memorandum,
	// which is two zones on two lines, one per party.
	Party    string
	Weapons  []WeaponSpec
	Polygons [][][]geo.Point // demilitarised
	Area     *geo.Area       // demilitarised
}

// WeaponSpec selects weapons by class, calibre range and system name.
// Reach is one entry of the agreement's table of weapon ranges: the
// farthest the weapons of Weapon fire, in metres.
type Reach struct {
	Weapon    WeaponSpec
	MaxRangeM float64
	Note      string
}

type WeaponSpec struct {
	Class string
	// MinCaliberMM and MaxCaliberMM bound the calibre, both inclusive; 0
	// means no bound. Treaty texts say "up to 120 mm" and "under 100 mm"
	// alike; inclusive bounds never let a weapon at the boundary calibre
	// escape every band (a 100 mm gun falls in both Minsk bands, which
	// costs nothing: the 25 km band contains the 15 km one).
	MinCaliberMM float64
	MaxCaliberMM float64
	// Systems, when given, are the only systems meant, matched as words
	// in the reported system name ignoring case and punctuation:
	// "Smerch" matches "BM-30 Smerch" and "9K58 SMERCH".
	Systems []string
}

// Thresholds are the numbers the assessment needs from the agreement.
type Thresholds struct {
	// AttributionProbability is the probability at or above which a
	// breach is attributed to a party; below it, "undetermined".
	AttributionProbability float64
	// OverlapToleranceM is how far two controlled areas may reach into
	// each other before validation calls it an overlap: maps drawn by
	// different hands never agree to the metre. Default 10 m.
	OverlapToleranceM float64
}

// Rule is a condition in CEL over the facts of an event; when it holds,
// the event is an alleged breach of this rule.
type Rule struct {
	ID        string
	Title     string
	Severity  string
	Condition string
	Note      string
	prg       cel.Program
}

// WeaponClasses are the weapon classes of the intake schema
// (spec/observation.schema.json).
var WeaponClasses = []string{
	"artillery", "mortar", "mlrs", "tank", "anti_tank", "small_arms", "heavy_machine_gun",
	"grenade_launcher", "drone", "missile", "aircraft", "air_defence", "unknown",
}

// Severities, lowest first.
var Severities = []string{"low", "medium", "high", "critical"}
