package guarantee

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// poissonCDF is P(X ≤ k) for X ~ Poisson(mu), summed directly: an
// independent check of the gamma quantiles behind PoissonInterval.
func poissonCDF(k int, mu float64) float64 {
	term, sum := math.Exp(-mu), math.Exp(-mu)
	for i := 1; i <= k; i++ {
		term *= mu / float64(i)
		sum += term
	}
	return sum
}

func TestPoissonInterval(t *testing.T) {
	// Exact 95 % limits for a Poisson mean: k ≤ 10 as in the published
	// tables (Garwood 1936); all solved independently from the definition
	// below at 50 significant digits.
	tests := []struct {
		k         int
		low, high float64
	}{
		{0, 0, 3.688879},
		{1, 0.025318, 5.571643},
		{2, 0.242209, 7.224688},
		{5, 1.623486, 11.668332},
		{10, 4.795389, 18.390356},
		{20, 12.216520, 30.888378},
	}
	for _, tc := range tests {
		lo, hi := PoissonInterval(tc.k, 0.95)
		if math.Abs(lo-tc.low) > 1e-5 || math.Abs(hi-tc.high) > 1e-5 {
			t.Errorf("k=%d: [%.6f, %.6f], want [%.6f, %.6f]", tc.k, lo, hi, tc.low, tc.high)
		}
		// By definition: P(X ≤ k | high) = 2.5 %, P(X ≥ k | low) = 2.5 %.
		if p := poissonCDF(tc.k, hi); math.Abs(p-0.025) > 1e-9 {
			t.Errorf("k=%d: P(X ≤ k | %.6f) = %.10f, want 0.025", tc.k, hi, p)
		}
		if tc.k > 0 {
			if p := 1 - poissonCDF(tc.k-1, lo); math.Abs(p-0.025) > 1e-9 {
				t.Errorf("k=%d: P(X ≥ k | %.6f) = %.10f, want 0.025", tc.k, lo, p)
			}
		}
	}
	for k := 0; k < 300; k += 7 {
		lo, hi := PoissonInterval(k, 0.95)
		if !(lo <= float64(k) && float64(k) <= hi) || math.IsNaN(lo) || math.IsNaN(hi) {
			t.Errorf("k=%d: interval [%v, %v] does not contain k", k, lo, hi)
		}
	}
}

// quietAndLoud is a month of counts with known sums:
//
//	RUS: 10 verified in the last 7 days (24–30 Sep: 2,2,2,1,1,1,1), 10 more
//	     on 17–23 Sep, one of them by a heavy weapon on 20 Sep;
//	UKR: 5 in the last 7 days (one a day 26–30 Sep);
//	undetermined: 10 on 5 Sep;
//	coverage 0.8 every day but 0.5 on 25 Sep and none on 26 Sep;
//	on 28 Sep a RUS strike 60 km beyond the line; today (1 Oct, until
//	noon) 600 rounds of RUS fire.
func quietAndLoud() ([]DayCounts, []DayCoverage, time.Time) {
	var counts []DayCounts
	for i, n := range []int{2, 2, 2, 1, 1, 1, 1} {
		counts = append(counts, DayCounts{Day: date(9, 24+i, 10), Party: "RUS", Verified: n})
	}
	for i, n := range []int{1, 2, 1, 2, 1, 2, 1} {
		dc := DayCounts{Day: date(9, 17+i, 3), Party: "RUS", Verified: n}
		if 17+i == 20 {
			dc.HeavyWeapon = 1
		}
		counts = append(counts, dc)
	}
	for d := 26; d <= 30; d++ {
		counts = append(counts, DayCounts{Day: date(9, d, 12), Party: "UKR", Verified: 1})
	}
	counts = append(counts,
		DayCounts{Day: date(9, 5, 8), Party: "", Verified: 6},
		DayCounts{Day: date(9, 5, 20), Party: "", Verified: 4}, // the same day again: added
		DayCounts{Day: date(9, 28, 2), Party: "RUS", MaxStrikeDepthKM: 60},
		DayCounts{Day: date(10, 1, 9), Party: "RUS", Rounds: 600},
	)
	var cover []DayCoverage
	for d := 1; d <= 30; d++ {
		switch d {
		case 25:
			cover = append(cover, DayCoverage{Day: date(9, d, 0), Share: 0.5})
		case 26:
		default:
			cover = append(cover, DayCoverage{Day: date(9, d, 0), Share: 0.8})
		}
	}
	return counts, cover, date(10, 1, 12)
}

func TestIndicatorsWithKnownNumbers(t *testing.T) {
	counts, cover, now := quietAndLoud()
	ind := Compute(testRules(), counts, cover, now)
	if len(ind.Windows) != 3 {
		t.Fatalf("%d windows", len(ind.Windows))
	}
	type want struct {
		party        string
		count, heavy int
		perDay       float64
		lowK, highK  float64 // the interval of the count, before dividing by the days
	}
	tests := []struct {
		days  int
		from  time.Time
		rates []want
		all   int
		cover float64
		blind int
	}{
		{7, date(9, 24, 0), []want{{"UKR", 5, 0, 5.0 / 7, 1.623486, 11.668332}, {"RUS", 10, 0, 10.0 / 7, 4.795389, 18.390356}, {"", 0, 0, 0, 0, 3.688879}},
			15, (5*0.8 + 0.5) / 7, 1},
		{14, date(9, 17, 0), []want{{"UKR", 5, 0, 5.0 / 14, 1.623486, 11.668332}, {"RUS", 20, 1, 20.0 / 14, 12.216520, 30.888378}, {"", 0, 0, 0, 0, 3.688879}},
			25, (12*0.8 + 0.5) / 14, 1},
		{30, date(9, 1, 0), []want{{"UKR", 5, 0, 5.0 / 30, 1.623486, 11.668332}, {"RUS", 20, 1, 20.0 / 30, 12.216520, 30.888378}, {"", 10, 0, 10.0 / 30, 4.795389, 18.390356}},
			35, (28*0.8 + 0.5) / 30, 1},
	}
	for i, tc := range tests {
		w := ind.Windows[i]
		if w.Days != tc.days || !w.From.Equal(tc.from) || !w.To.Equal(date(10, 1, 0)) {
			t.Errorf("window %d: %d days %s–%s", i, w.Days, w.From, w.To)
		}
		if len(w.Parties) != len(tc.rates) {
			t.Fatalf("%d days: rates %+v", tc.days, w.Parties)
		}
		for j, wr := range tc.rates {
			got := w.Parties[j]
			d := float64(tc.days)
			if got.Party != wr.party || got.Count != wr.count || got.Heavy != wr.heavy || math.Abs(got.PerDay-wr.perDay) > 1e-12 ||
				math.Abs(got.Low-wr.lowK/d) > 1e-6 || math.Abs(got.High-wr.highK/d) > 1e-6 {
				t.Errorf("%d days, %q: %+v, want %+v (interval %.6f–%.6f a day)", tc.days, wr.party, got, wr, wr.lowK/d, wr.highK/d)
			}
		}
		if w.All.Count != tc.all || math.Abs(w.MeanCoverage-tc.cover) > 1e-12 || w.DaysWithoutCoverage != tc.blind {
			t.Errorf("%d days: all %d coverage %.4f blind %d, want %d %.4f %d", tc.days, w.All.Count, w.MeanCoverage, w.DaysWithoutCoverage, tc.all, tc.cover, tc.blind)
		}
	}

	// Credible cessation over 17–30 Sep, at most 2 a day, no heavy
	// weapons, coverage 60 %: every failing day, in day order. (24–30 Sep
	// have 2 a day but for 26 Sep, when UKR's 1 makes RUS's 2 three.)
	wantFailures := []string{
		"on 2026-09-20, 1 verified violations by heavy weapons (at most 0 a day)",
		"on 2026-09-25, coverage was 50 % (at least 60 %)",
		"on 2026-09-26, 3 verified violations (at most 2 a day)",
		"on 2026-09-26, no coverage was recorded: a day nobody could see is not a quiet day",
	}
	if ind.Cessation.Met || !reflect.DeepEqual(ind.Cessation.Failures, wantFailures) {
		t.Errorf("cessation: met %v\n got %q\nwant %q", ind.Cessation.Met, ind.Cessation.Failures, wantFailures)
	}

	// Signs of an armed attack over 25 Sep – 1 Oct (today so far).
	var signs []string
	for _, s := range ind.AttackSigns {
		signs = append(signs, s.Text)
	}
	wantSigns := []string{
		"on 2026-09-28, a verified strike by RUS 60 km beyond line \"contact\" (sign at 50 km)",
		"on 2026-10-01, 600 rounds in verified fire by RUS (sign at 500 a day)",
	}
	if !reflect.DeepEqual(signs, wantSigns) {
		t.Errorf("signs\n got %q\nwant %q", signs, wantSigns)
	}
	prompts := ind.Prompts(InForce)
	if len(prompts) != 1 || !strings.Contains(prompts[0], "the Commission may consider whether RUS has committed an armed attack") {
		t.Errorf("prompts %q", prompts)
	}
	if p := ind.Prompts(ArmedAttack); len(p) != 0 {
		t.Errorf("prompts once an armed attack is determined: %q", p)
	}
}

func TestCessationCriteriaMet(t *testing.T) {
	r := testRules()
	var counts []DayCounts
	var cover []DayCoverage
	for d := 1; d <= 30; d++ {
		counts = append(counts, DayCounts{Day: date(9, d, 12), Party: "RUS", Verified: 1}, DayCounts{Day: date(9, d, 13), Party: "UKR", Verified: 1})
		cover = append(cover, DayCoverage{Day: date(9, d, 0), Share: 0.6})
	}
	ind := Compute(r, counts, cover, date(10, 1, 0))
	if !ind.Cessation.Met || len(ind.Cessation.Failures) != 0 {
		t.Fatalf("criteria: %+v", ind.Cessation)
	}
	if p := ind.Prompts(InForce); len(p) != 1 || !strings.Contains(p[0], "the credible-cessation criteria were met over 2026-09-17 to 2026-09-30; the Commission may determine a credible cessation of hostilities") {
		t.Errorf("prompts %q", p)
	}
	if p := ind.Prompts(CredibleCessation); len(p) != 0 {
		t.Errorf("prompts once determined: %q", p)
	}
	// Too early: the window reaches back before the ceasefire.
	early := Compute(r, counts, cover, date(9, 10, 0))
	if early.Cessation.Met || !strings.Contains(early.Cessation.Failures[0], "the ceasefire has been in force since 2026-09-01 00:00 UTC: the criteria look at 14 whole days of it, the first on 2026-09-01") {
		t.Errorf("early: %q", early.Cessation.Failures)
	}
}

// TestDaysWithoutCoverage: a day the mechanism saw nothing of is blind
// whether it is missing or given with a share of 0 (a tracker that
// exists but received no report for it).
func TestDaysWithoutCoverage(t *testing.T) {
	now := date(10, 1, 12)
	for _, tc := range []struct {
		name  string
		cover []DayCoverage
		blind int
	}{
		{"nothing given", nil, 7},
		{"every day at 0", zeroDays(date(9, 24, 0), 7), 7},
		{"one day seen", append(zeroDays(date(9, 24, 0), 6), DayCoverage{Day: date(9, 30, 0), Share: 0.4}), 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := Compute(testRules(), nil, tc.cover, now).Windows[0]
			if w.Days != 7 || w.DaysWithoutCoverage != tc.blind {
				t.Fatalf("%d-day window: %d days without coverage, want %d", w.Days, w.DaysWithoutCoverage, tc.blind)
			}
		})
	}
}

func zeroDays(from time.Time, n int) []DayCoverage {
	var out []DayCoverage
	for i := range n {
		out = append(out, DayCoverage{Day: from.AddDate(0, 0, i)})
	}
	return out
}
