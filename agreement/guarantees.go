package agreement

import (
	"math"
)

// Guarantees is what the agreement says the guarantees turn on: the
// criteria beside which the Commission determines a credible cessation of
// hostilities (after which, at Ukraine's request, the Multinational Force's
// reassurance measures may start), and the indicators beside which it
// determines an armed attack (which activates the binding commitments).
// The software computes both and says when they are met; people decide.
type Guarantees struct {
	// Default is true when the file has no "guarantees" section and
	// DefaultGuarantees was applied.
	Default           bool
	CredibleCessation CessationCriteria
	ArmedAttack       AttackIndicators
}

// NoLimit marks a criterion the agreement does not set.
const NoLimit = -1

// CessationCriteria define a credible cessation of hostilities: over the
// last WindowDays whole days, on every day, no more than MaxVerifiedPerDay
// verified violations (all parties together, unattributed ones included),
// no more than MaxHeavyWeaponPerDay of them by heavy weapons, and the
// mechanism able to see at least MinCoverage of what it watches. Every day
// must meet them: a quiet fortnight is not one with a bad day averaged
// away, and a day without coverage is a day nobody could see, never a
// quiet one.
type CessationCriteria struct {
	WindowDays           int
	MaxVerifiedPerDay    int
	MaxHeavyWeaponPerDay int     // NoLimit when the agreement sets none
	MinCoverage          float64 // share 0..1 of the watched area and time covered
}

// AttackIndicators are the signs of an armed attack the agreement names.
// Each is checked per day and per party; a zero threshold is not used.
type AttackIndicators struct {
	// Line is the line crossings and depths are measured from.
	Line string
	// FireVolumePerDay: rounds (impacts, launches) in verified fire events
	// by one party in one day, at or above which the day is a sign.
	FireVolumePerDay int
	// GroundForcesAcrossLine: verified crossings of the line by ground
	// forces of one party in one day, at or above which the day is a sign.
	GroundForcesAcrossLine int
	// StrikeDepthKM: a verified strike this far or further beyond the line
	// is a sign.
	StrikeDepthKM float64
}

// The defaults applied when an agreement file has no "guarantees" section.
const (
	DefaultCessationWindowDays    = 14
	DefaultMaxVerifiedPerDay      = 5
	DefaultMaxHeavyWeaponPerDay   = 0
	DefaultMinCoverage            = 0.6
	DefaultFireVolumePerDay       = 500
	DefaultGroundForcesAcrossLine = 1
	DefaultStrikeDepthKM          = 50
)

// DefaultGuarantees are the terms assumed when an agreement file says
// nothing of them: a credible cessation is 14 whole days each with at
// most 5 verified violations, none by heavy weapons, and at least 60 %
// coverage; the signs of an armed attack are 500 rounds a day by one
// party, any ground force across the line, or a strike 50 km or more
// beyond it, measured from the agreement's first line. They are a reading
// for the demonstration, not a negotiated text.
func DefaultGuarantees(lines []Line) Guarantees {
	g := Guarantees{
		Default: true,
		CredibleCessation: CessationCriteria{
			WindowDays:           DefaultCessationWindowDays,
			MaxVerifiedPerDay:    DefaultMaxVerifiedPerDay,
			MaxHeavyWeaponPerDay: DefaultMaxHeavyWeaponPerDay,
			MinCoverage:          DefaultMinCoverage,
		},
		ArmedAttack: AttackIndicators{
			FireVolumePerDay:       DefaultFireVolumePerDay,
			GroundForcesAcrossLine: DefaultGroundForcesAcrossLine,
			StrikeDepthKM:          DefaultStrikeDepthKM,
		},
	}
	if len(lines) > 0 {
		g.ArmedAttack.Line = lines[0].ID
	}
	return g
}

// wholeNumber reads a field that must be a whole number in [lo, hi].
func (d *decoder) wholeNumber(obj *jnode, path, key, what string, required bool, lo, hi int) (int, bool) {
	v, ok := d.num(obj, path, key, what, required)
	if !ok {
		return 0, false
	}
	if v != math.Trunc(v) || v < float64(lo) || v > float64(hi) {
		d.add(obj.member(key), pointer(path, key), nil, "%s: %s must be a whole number from %d to %d, not %v", what, key, lo, hi, v)
		return 0, false
	}
	return int(v), true
}

func (d *decoder) guarantees(a *Agreement, root *jnode) {
	n := root.member("guarantees")
	if n == nil || n.kind == jNull {
		a.Guarantees = DefaultGuarantees(a.Lines)
		return
	}
	const p = "/guarantees"
	if !d.object(n, p, "the guarantees", "credible_cessation", "armed_attack", "note") {
		return
	}
	d.str(n, p, "note", "the guarantees", false)
	g := &a.Guarantees
	if c := d.field(n, p, "credible_cessation", "the guarantees", true); c != nil {
		cp, what := p+"/credible_cessation", "credible_cessation"
		if d.object(c, cp, what, "window_days", "max_verified_per_day", "max_heavy_weapon_per_day", "min_coverage", "note") {
			d.str(c, cp, "note", what, false)
			cc := &g.CredibleCessation
			cc.WindowDays, _ = d.wholeNumber(c, cp, "window_days", what, true, 1, 90)
			cc.MaxVerifiedPerDay, _ = d.wholeNumber(c, cp, "max_verified_per_day", what, true, 0, 1_000_000)
			cc.MaxHeavyWeaponPerDay = NoLimit
			if v, ok := d.wholeNumber(c, cp, "max_heavy_weapon_per_day", what, false, 0, 1_000_000); ok {
				cc.MaxHeavyWeaponPerDay = v
			}
			if v, ok := d.num(c, cp, "min_coverage", what, true); ok {
				if v < 0 || v > 1 {
					d.add(c.member("min_coverage"), cp+"/min_coverage", nil, "min_coverage is a share of the watched area and time from 0 to 1 (0.6 for 60 %%), not %v", v)
				} else {
					cc.MinCoverage = v
				}
			}
		}
	}
	if c := d.field(n, p, "armed_attack", "the guarantees", true); c != nil {
		cp, what := p+"/armed_attack", "armed_attack"
		if d.object(c, cp, what, "line", "fire_volume_per_day", "ground_forces_across_line", "strike_depth_km", "note") {
			d.str(c, cp, "note", what, false)
			ai := &g.ArmedAttack
			ai.Line = d.str(c, cp, "line", what, true)
			if ai.Line != "" {
				if _, ok := a.lineByID[ai.Line]; !ok {
					d.add(c.member("line"), cp+"/line", nil, "armed_attack measures from line %q, which the agreement does not define", ai.Line)
				}
			}
			ai.FireVolumePerDay, _ = d.wholeNumber(c, cp, "fire_volume_per_day", what, false, 0, 1_000_000_000)
			ai.GroundForcesAcrossLine, _ = d.wholeNumber(c, cp, "ground_forces_across_line", what, false, 0, 1_000_000)
			if v, ok := d.num(c, cp, "strike_depth_km", what, false); ok {
				if v < 0 || v > 5000 {
					d.add(c.member("strike_depth_km"), cp+"/strike_depth_km", nil, "strike_depth_km must be between 0 and 5,000 km, not %v", v)
				} else {
					ai.StrikeDepthKM = v
				}
			}
			if ai.FireVolumePerDay == 0 && ai.GroundForcesAcrossLine == 0 && ai.StrikeDepthKM == 0 {
				d.add(c, cp, nil, "armed_attack names no indicator: give at least one of fire_volume_per_day, ground_forces_across_line, strike_depth_km")
			}
		}
	}
}
