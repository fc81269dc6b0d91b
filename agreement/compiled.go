package agreement

import (
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/truce-mechanism/truce/geo"
)

// ControllingParty is the party whose controlled area contains p, or ""
// if none does. Validation guarantees areas do not overlap (beyond the
// tolerance; within it the first listed area wins), and a point on a
// shared boundary belongs to exactly one of the two areas.
func (a *Agreement) ControllingParty(p geo.Point) string {
	if a.areaIdx == nil {
		return ""
	}
	if i := a.areaIdx.First(p); i >= 0 {
		return a.Areas[i].Party
	}
	return ""
}

// Line returns the line with the given id, or nil.
func (a *Agreement) Line(id string) *Line { return a.lineByID[id] }

// Zone returns the zone with the given id, or nil.
func (a *Agreement) Zone(id string) *Zone {
	for i := range a.Zones {
		if a.Zones[i].ID == id {
			return &a.Zones[i]
		}
	}
	return nil
}

// DistanceToLineM is the distance in metres on the WGS 84 ellipsoid from p
// to the line with the given id; NaN if the agreement has no such line.
func (a *Agreement) DistanceToLineM(lineID string, p geo.Point) float64 {
	l := a.lineByID[lineID]
	if l == nil {
		return math.NaN()
	}
	return l.Geo.DistanceM(p)
}

// ZonesAt returns the ids of the zones containing p, in agreement order.
//
// A withdrawal zone contains every place within its distance of its line
// on either side — Minsk II's security zones were bands "at least 50 km
// wide", each side withdrawing 25 km — unless the zone names a party, in
// which case only the part of the band that party controls. A
// demilitarised zone contains the places inside its polygons (again only
// the named party's part, if it names one).
func (a *Agreement) ZonesAt(p geo.Point) []string {
	var out []string
	party, dist := "", map[string]float64{}
	havParty := false
	for i := range a.Zones {
		z := &a.Zones[i]
		if z.Party != "" && !havParty {
			party, havParty = a.ControllingParty(p), true
		}
		if a.zoneContains(z, p, party, dist) {
			out = append(out, z.ID)
		}
	}
	return out
}

// zoneContains decides membership; dist caches line distances for p
// (filled as needed), party is p's controlling party (needed only when the
// zone names one).
func (a *Agreement) zoneContains(z *Zone, p geo.Point, party string, dist map[string]float64) bool {
	if z.Party != "" && party != z.Party {
		return false
	}
	switch z.Kind {
	case Withdrawal:
		d, ok := dist[z.Line]
		if !ok {
			d = a.DistanceToLineM(z.Line, p)
			dist[z.Line] = d
		}
		return d <= z.DistanceM
	case Demilitarised:
		return z.Area != nil && z.Area.Contains(p)
	}
	return false
}

// ZonesForWeapon returns the zones closed to a weapon, in agreement order:
// those listing a matching weapon, and those listing none (closed to all).
func (a *Agreement) ZonesForWeapon(class string, caliberMM float64, system string) []Zone {
	var out []Zone
	for _, z := range a.Zones {
		if z.Restricts(class, caliberMM, system) {
			out = append(out, z)
		}
	}
	return out
}

// Restricts reports whether the zone is closed to the weapon: it lists no
// weapons (closed to all), or one of its specs matches.
func (z *Zone) Restricts(class string, caliberMM float64, system string) bool {
	if len(z.Weapons) == 0 {
		return true
	}
	return slices.ContainsFunc(z.Weapons, func(w WeaponSpec) bool { return w.Matches(class, caliberMM, system) })
}

// Matches reports whether a weapon seen (class, calibre in mm or 0 when
// unknown, system name or "") falls under the spec. A spec with calibre
// bounds matches only a known calibre: an artillery piece of unknown
// calibre is not assumed heavy — the assessment can still flag it under a
// zone that names the class without bounds.
func (w WeaponSpec) Matches(class string, caliberMM float64, system string) bool {
	if w.Class != class {
		return false
	}
	if w.MinCaliberMM > 0 || w.MaxCaliberMM > 0 {
		if caliberMM <= 0 || caliberMM < w.MinCaliberMM || (w.MaxCaliberMM > 0 && caliberMM > w.MaxCaliberMM) {
			return false
		}
	}
	if len(w.Systems) == 0 {
		return true
	}
	seen := words(system)
	return slices.ContainsFunc(w.Systems, func(name string) bool { return containsRun(seen, words(name)) })
}

// words splits a system name into lowercase words of letters and digits:
// "BM-30 Smerch" → bm 30 smerch.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// containsRun reports whether needle occurs in hay as consecutive words.
func containsRun(hay, needle []string) bool {
	if len(needle) == 0 {
		return false
	}
	for i := 0; i+len(needle) <= len(hay); i++ {
		if slices.Equal(hay[i:i+len(needle)], needle) {
			return true
		}
	}
	return false
}

// ReachM is the farthest, in metres, that a weapon of this class, calibre
// (0 when unknown) and system ("" when unknown) fires under the
// agreement's table (weapon_reach): the range of the first entry that
// matches it, as a zone's weapon spec matches; ok is false when none
// does. The table lists specific entries (named systems, narrow calibre
// bands) before general ones, as a firewall lists its rules. A
// calibre-bounded entry matches only a known calibre, so for a weapon of
// unknown calibre only an entry for the whole class answers.
func (a *Agreement) ReachM(class string, caliberMM float64, system string) (float64, bool) {
	for _, r := range a.Reach {
		if r.Weapon.Matches(class, caliberMM, system) {
			return r.MaxRangeM, true
		}
	}
	return 0, false
}
