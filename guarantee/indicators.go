package guarantee

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/agreement"
)

// DayCounts are one party's verified violations on one UTC day, as the
// assessment counts them: the input to the indicators. Counts for the
// same day and party are added together.
type DayCounts struct {
	Day   time.Time `json:"day"`   // any time in the day; the UTC day is taken
	Party string    `json:"party"` // the party they are attributed to; "" when attributed to none
	// Verified violations (corroboration "verified" or "confirmed").
	Verified int `json:"verified"`
	// HeavyWeapon: of them, by heavy weapons (artillery of 100 mm and
	// above, MLRS, tanks, missiles: the agreement's heavy withdrawal
	// zones' weapons).
	HeavyWeapon int `json:"heavy_weapon"`
	// Rounds: the fire volume — rounds, impacts and launches in the
	// verified fire events.
	Rounds int `json:"rounds"`
	// GroundCrossings: verified crossings of the agreement's line by the
	// party's ground forces.
	GroundCrossings int `json:"ground_crossings"`
	// MaxStrikeDepthKM: the deepest verified strike beyond the line, km.
	MaxStrikeDepthKM float64 `json:"max_strike_depth_km"`
}

// DayCoverage is the share (0..1) of the watched area and time the
// mechanism could see on one UTC day. A day without an entry had no
// coverage, and is never read as a quiet day.
type DayCoverage struct {
	Day   time.Time `json:"day"`
	Share float64   `json:"share"`
}

// Windows are the periods, in whole days, the rates are reported over.
var Windows = []int{7, 14, 30}

// AttackLookbackDays is how far back the signs of an armed attack are
// looked for, counting today so far: an attack does not wait for
// midnight.
const AttackLookbackDays = 7

// Undetermined is how rates and signs name violations attributed to no
// party.
const Undetermined = ""

// Rate is a count of verified violations over a window, per day, with its
// exact Poisson interval at Confidence.
type Rate struct {
	Party  string  `json:"party"` // a party; Undetermined; "all" for every party together
	Count  int     `json:"count"`
	Heavy  int     `json:"heavy"`
	PerDay float64 `json:"per_day"`
	Low    float64 `json:"low"`  // per day
	High   float64 `json:"high"` // per day
}

// Window is the rates over the last Days whole UTC days before AsOf's day.
type Window struct {
	Days    int       `json:"days"`
	From    time.Time `json:"from"`    // at midnight
	To      time.Time `json:"to"`      // the midnight after the last day
	Parties []Rate    `json:"parties"` // the agreement's parties in its order, then any other code met, then Undetermined
	All     Rate      `json:"all"`
	// MeanCoverage is the mean of the daily shares, a missing day counting
	// as 0; DaysWithoutCoverage counts the days the mechanism saw nothing
	// of, missing or with a share of 0.
	MeanCoverage        float64 `json:"mean_coverage"`
	DaysWithoutCoverage int     `json:"days_without_coverage"`
}

// CessationCheck is the agreement's credible-cessation criteria applied
// to the last WindowDays whole days.
type CessationCheck struct {
	Met  bool      `json:"met"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Failures say each day and criterion that failed, in day order.
	Failures []string `json:"failures"`
}

// AttackSign is a day on which a party reached an armed-attack indicator.
type AttackSign struct {
	Day       time.Time `json:"day"` // midnight UTC
	Party     string    `json:"party"`
	Indicator string    `json:"indicator"` // "fire_volume", "ground_forces_across_line", "strike_depth"
	Value     float64   `json:"value"`
	Threshold float64   `json:"threshold"`
	Text      string    `json:"text"`
}

// Indicators are what the software shows beside each determination.
type Indicators struct {
	AsOf        time.Time      `json:"as_of"`
	Windows     []Window       `json:"windows"` // one per entry of Windows
	Cessation   CessationCheck `json:"cessation"`
	AttackSigns []AttackSign   `json:"attack_signs"` // by day, party, indicator
}

func midnight(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

type dayParty struct {
	day   string
	party string
}

// Compute works out the indicators as of now from daily counts and
// coverage. Whole days are those before now's UTC day; the signs of an
// armed attack also look at today so far.
func Compute(r Rules, counts []DayCounts, coverage []DayCoverage, now time.Time) Indicators {
	today := midnight(now)
	sum := map[dayParty]DayCounts{}
	seen := map[string]bool{}
	var others []string
	for _, c := range counts {
		k := dayParty{day(c.Day), c.Party}
		s := sum[k]
		s.Verified += c.Verified
		s.HeavyWeapon += c.HeavyWeapon
		s.Rounds += c.Rounds
		s.GroundCrossings += c.GroundCrossings
		s.MaxStrikeDepthKM = math.Max(s.MaxStrikeDepthKM, c.MaxStrikeDepthKM)
		sum[k] = s
		if c.Party != Undetermined && !r.isParty(c.Party) && !seen[c.Party] {
			seen[c.Party] = true
			others = append(others, c.Party)
		}
	}
	slices.Sort(others)
	parties := append(append(slices.Clone(r.Parties), others...), Undetermined)
	cover := map[string]float64{}
	for _, c := range coverage {
		k := day(c.Day)
		if prev, ok := cover[k]; !ok || c.Share < prev {
			cover[k] = c.Share // a day given twice keeps the lower share: the cautious reading
		}
	}

	ind := Indicators{AsOf: now}
	for _, n := range Windows {
		w := Window{Days: n, From: today.AddDate(0, 0, -n), To: today}
		all := Rate{Party: "all"}
		for _, p := range parties {
			rt := Rate{Party: p}
			for d := w.From; d.Before(w.To); d = d.AddDate(0, 0, 1) {
				s := sum[dayParty{day(d), p}]
				rt.Count += s.Verified
				rt.Heavy += s.HeavyWeapon
			}
			all.Count += rt.Count
			all.Heavy += rt.Heavy
			w.Parties = append(w.Parties, rt.per(n))
		}
		w.All = all.per(n)
		var share float64
		for d := w.From; d.Before(w.To); d = d.AddDate(0, 0, 1) {
			s := cover[day(d)]
			if s == 0 {
				w.DaysWithoutCoverage++
			}
			share += s
		}
		w.MeanCoverage = share / float64(n)
		ind.Windows = append(ind.Windows, w)
	}
	ind.Cessation = cessation(r, today, parties, sum, cover)
	ind.AttackSigns = attackSigns(r.Terms.ArmedAttack, today, parties, sum)
	return ind
}

func (rt Rate) per(days int) Rate {
	lo, hi := PoissonInterval(rt.Count, Confidence)
	rt.PerDay = float64(rt.Count) / float64(days)
	rt.Low, rt.High = lo/float64(days), hi/float64(days)
	return rt
}

func cessation(r Rules, today time.Time, parties []string, sum map[dayParty]DayCounts, cover map[string]float64) CessationCheck {
	cc := r.Terms.CredibleCessation
	chk := CessationCheck{From: today.AddDate(0, 0, -cc.WindowDays), To: today}
	if cc.WindowDays <= 0 {
		chk.Failures = append(chk.Failures, "the agreement sets no credible-cessation criteria")
		return chk
	}
	if chk.From.Before(r.EffectiveFrom) {
		chk.Failures = append(chk.Failures, fmt.Sprintf("the ceasefire has been in force since %s: the criteria look at %d whole days of it, the first on %s at the earliest",
			stamp(r.EffectiveFrom), cc.WindowDays, day(midnight(r.EffectiveFrom.Add(24*time.Hour-time.Nanosecond)))))
	}
	for d := chk.From; d.Before(chk.To); d = d.AddDate(0, 0, 1) {
		var verified, heavy int
		for _, p := range parties {
			s := sum[dayParty{day(d), p}]
			verified += s.Verified
			heavy += s.HeavyWeapon
		}
		if verified > cc.MaxVerifiedPerDay {
			chk.Failures = append(chk.Failures, fmt.Sprintf("on %s, %d verified violations (at most %d a day)", day(d), verified, cc.MaxVerifiedPerDay))
		}
		if cc.MaxHeavyWeaponPerDay != agreement.NoLimit && heavy > cc.MaxHeavyWeaponPerDay {
			chk.Failures = append(chk.Failures, fmt.Sprintf("on %s, %d verified violations by heavy weapons (at most %d a day)", day(d), heavy, cc.MaxHeavyWeaponPerDay))
		}
		share, ok := cover[day(d)]
		switch {
		case !ok:
			chk.Failures = append(chk.Failures, fmt.Sprintf("on %s, no coverage was recorded: a day nobody could see is not a quiet day", day(d)))
		case share < cc.MinCoverage:
			chk.Failures = append(chk.Failures, fmt.Sprintf("on %s, coverage was %s (at least %s)", day(d), percent(share), percent(cc.MinCoverage)))
		}
	}
	chk.Met = len(chk.Failures) == 0
	return chk
}

func attackSigns(ai agreement.AttackIndicators, today time.Time, parties []string, sum map[dayParty]DayCounts) []AttackSign {
	var out []AttackSign
	for d := today.AddDate(0, 0, -(AttackLookbackDays - 1)); !d.After(today); d = d.AddDate(0, 0, 1) {
		for _, p := range parties {
			if p == Undetermined {
				continue // an armed attack is someone's: unattributed fire is a breach to investigate
			}
			s := sum[dayParty{day(d), p}]
			if ai.FireVolumePerDay > 0 && s.Rounds >= ai.FireVolumePerDay {
				out = append(out, AttackSign{Day: d, Party: p, Indicator: "fire_volume", Value: float64(s.Rounds), Threshold: float64(ai.FireVolumePerDay),
					Text: fmt.Sprintf("on %s, %d rounds in verified fire by %s (sign at %d a day)", day(d), s.Rounds, p, ai.FireVolumePerDay)})
			}
			if ai.GroundForcesAcrossLine > 0 && s.GroundCrossings >= ai.GroundForcesAcrossLine {
				out = append(out, AttackSign{Day: d, Party: p, Indicator: "ground_forces_across_line", Value: float64(s.GroundCrossings), Threshold: float64(ai.GroundForcesAcrossLine),
					Text: fmt.Sprintf("on %s, %d verified crossings of line %q by ground forces of %s (sign at %d)", day(d), s.GroundCrossings, ai.Line, p, ai.GroundForcesAcrossLine)})
			}
			if ai.StrikeDepthKM > 0 && s.MaxStrikeDepthKM >= ai.StrikeDepthKM {
				out = append(out, AttackSign{Day: d, Party: p, Indicator: "strike_depth", Value: s.MaxStrikeDepthKM, Threshold: ai.StrikeDepthKM,
					Text: fmt.Sprintf("on %s, a verified strike by %s %.0f km beyond line %q (sign at %.0f km)", day(d), p, s.MaxStrikeDepthKM, ai.Line, ai.StrikeDepthKM)})
			}
		}
	}
	return out
}

func percent(f float64) string { return fmt.Sprintf("%.0f %%", 100*f) }

// criteriaFor says whether what the software computed supports a
// determination of status (against party), and how, in a sentence kept
// with the determination.
func (ind Indicators) criteriaFor(s Status, party string) (bool, string) {
	switch s {
	case CredibleCessation:
		c := ind.Cessation
		if c.Met {
			return true, fmt.Sprintf("the credible-cessation criteria were met over %s to %s", day(c.From), day(c.To.Add(-time.Hour)))
		}
		return false, fmt.Sprintf("the credible-cessation criteria were not met (%d failures; first: %s)", len(c.Failures), c.Failures[0])
	case ArmedAttack:
		var signs []string
		for _, a := range ind.AttackSigns {
			if a.Party == party {
				signs = append(signs, a.Text)
			}
		}
		if len(signs) == 0 {
			return false, fmt.Sprintf("no sign of an armed attack by %s was computed over the last %d days", party, AttackLookbackDays)
		}
		return true, "signs of an armed attack: " + strings.Join(signs, "; ")
	case Breached:
		for _, w := range ind.Windows {
			if w.Days != Windows[0] {
				continue
			}
			for _, rt := range w.Parties {
				if rt.Party == party {
					return rt.Count > 0, fmt.Sprintf("%d verified violations attributed to %s over the last %d days (%.2f a day, %.0f%% interval %.2f–%.2f)",
						rt.Count, party, w.Days, rt.PerDay, 100*Confidence, rt.Low, rt.High)
				}
			}
		}
	}
	return false, ""
}

// Prompts are what the software tells the Commission given the status
// and the indicators: that criteria are met and a human determination is
// asked for. It never determines anything.
func (ind Indicators) Prompts(s Status) []string {
	var out []string
	if ind.Cessation.Met && (s == InForce || s == Breached) {
		_, why := ind.criteriaFor(CredibleCessation, "")
		out = append(out, why+"; the Commission may determine a credible cessation of hostilities")
	}
	if s != NotInForce && s != ArmedAttack {
		var named []string
		for _, a := range ind.AttackSigns {
			if !slices.Contains(named, a.Party) {
				named = append(named, a.Party)
			}
		}
		for _, p := range named {
			_, why := ind.criteriaFor(ArmedAttack, p)
			out = append(out, why+"; the Commission may consider whether "+p+" has committed an armed attack")
		}
	}
	return out
}
