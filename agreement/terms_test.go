package agreement

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// addTerms gives a document (small.json) a Commission and guarantees
// section, for the tests that then break one of their fields.
func addTerms(d map[string]any) {
	d["commission"] = map[string]any{
		"members": []any{
			map[string]any{"org": "USA", "name": "United States"},
			map[string]any{"org": "GBR"}, map[string]any{"org": "FRA"}, map[string]any{"org": "DEU"},
			map[string]any{"org": "UKR"}, map[string]any{"org": "RUS"},
		},
		"chair":              "USA",
		"quorum":             "2/3",
		"majority":           "two_thirds",
		"parties_vote":       false,
		"reply_deadline":     "72h",
		"vote_period":        "2d",
		"auto_open_severity": "critical",
		"remedies": []any{
			map[string]any{"kind": "warning", "compliance_deadline": "24h"},
			map[string]any{"kind": "withdrawal", "compliance_deadline": "72h"},
			map[string]any{"kind": "verification_visit", "compliance_deadline": "7d"},
			map[string]any{"kind": "compensation", "compliance_deadline": "30d"},
			map[string]any{"kind": "referral", "note": "to the guarantors, with a recommendation such as sanctions"},
		},
	}
	d["guarantees"] = map[string]any{
		"credible_cessation": map[string]any{"window_days": 14, "max_verified_per_day": 3, "max_heavy_weapon_per_day": 0, "min_coverage": 0.7},
		"armed_attack":       map[string]any{"line": "contact", "fire_volume_per_day": 300, "ground_forces_across_line": 1, "strike_depth_km": 40},
	}
}

func TestTermsFromTheFile(t *testing.T) {
	doc := smallDoc(t)
	addTerms(doc)
	a, err := Parse("terms.json", marshal(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	c := a.Commission
	if c.Default || c.Chair != "USA" || len(c.Members) != 6 || c.Majority != MajorityTwoThirds || c.PartiesVote ||
		c.ReplyDeadline != 72*time.Hour || c.VotePeriod != 48*time.Hour || c.AutoOpenSeverity != "critical" {
		t.Errorf("commission: %+v", c)
	}
	if got := a.VotingMembers(); !reflect.DeepEqual(got, []string{"USA", "GBR", "FRA", "DEU"}) {
		t.Errorf("voting members %v", got)
	}
	if c.Quorum != (Quorum{Num: 2, Den: 3}) || c.Quorum.Required(4) != 3 || c.Quorum.Required(7) != 5 || c.Quorum.Required(6) != 4 {
		t.Errorf("quorum %+v: of 4 %d, of 7 %d, of 6 %d", c.Quorum, c.Quorum.Required(4), c.Quorum.Required(7), c.Quorum.Required(6))
	}
	if len(c.Remedies) != 5 || c.Remedies[3].ComplianceDeadline != 30*24*time.Hour || c.Remedies[4].ComplianceDeadline != 0 {
		t.Errorf("remedies %+v", c.Remedies)
	}
	if next, ok := c.NextRung(RemedyWithdrawal); !ok || next.Kind != RemedyVerificationVisit {
		t.Errorf("next rung after withdrawal: %v %v", next, ok)
	}
	if _, ok := c.NextRung(RemedyReferral); ok {
		t.Error("the ladder has a rung above referral")
	}
	g := a.Guarantees
	want := Guarantees{
		CredibleCessation: CessationCriteria{WindowDays: 14, MaxVerifiedPerDay: 3, MaxHeavyWeaponPerDay: 0, MinCoverage: 0.7},
		ArmedAttack:       AttackIndicators{Line: "contact", FireVolumePerDay: 300, GroundForcesAcrossLine: 1, StrikeDepthKM: 40},
	}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("guarantees %+v, want %+v", g, want)
	}

	// Parties that vote count towards the quorum.
	set(t, doc, "/commission/parties_vote", true)
	a, err = Parse("terms.json", marshal(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	if got := a.VotingMembers(); len(got) != 6 {
		t.Errorf("with parties voting: %v", got)
	}
	// A heavy-weapon limit left out is no limit, not zero.
	del(t, doc, "/guarantees/credible_cessation/max_heavy_weapon_per_day")
	if a, err = Parse("terms.json", marshal(t, doc)); err != nil || a.Guarantees.CredibleCessation.MaxHeavyWeaponPerDay != NoLimit {
		t.Errorf("heavy-weapon limit left out: %v %v", a.Guarantees.CredibleCessation.MaxHeavyWeaponPerDay, err)
	}
}

// TestDefaultTerms: a file without the sections gets the documented
// defaults, marked as such. The demo agreement is such a file (its bytes,
// and so its version's digest, stay as derived).
func TestDefaultTerms(t *testing.T) {
	a, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	c, g := a.Commission, a.Guarantees
	if !c.Default || !g.Default {
		t.Fatal("the demo agreement has no commission or guarantees section, so the defaults apply and say so")
	}
	if c.Chair != "USA" || !c.IsMember("UKR") || !c.IsMember("RUS") || c.PartiesVote || c.ReplyDeadline != 72*time.Hour ||
		c.Majority != MajoritySimple || c.Quorum.Required(len(a.VotingMembers())) != 4 || c.AutoOpenSeverity != "high" {
		t.Errorf("default commission %+v", c)
	}
	if got := a.VotingMembers(); !reflect.DeepEqual(got, []string{"USA", "GBR", "FRA", "DEU", "ITA", "POL"}) {
		t.Errorf("default voting members %v", got)
	}
	if len(c.Remedies) != len(RemedyKinds) {
		t.Errorf("default ladder %+v", c.Remedies)
	}
	for i, r := range c.Remedies {
		if r.Kind != RemedyKinds[i] {
			t.Errorf("rung %d is %s, want %s", i, r.Kind, RemedyKinds[i])
		}
	}
	if g.CredibleCessation.WindowDays != 14 || g.CredibleCessation.MinCoverage != DefaultMinCoverage || g.ArmedAttack.Line != "contact" {
		t.Errorf("default guarantees %+v", g)
	}
}

func TestMajorities(t *testing.T) {
	tests := []struct {
		m                 Majority
		votesFor, against int
		want              bool
	}{
		{MajoritySimple, 3, 2, true}, {MajoritySimple, 2, 2, false}, {MajoritySimple, 1, 0, true}, {MajoritySimple, 0, 0, false},
		{MajorityTwoThirds, 2, 1, true}, {MajorityTwoThirds, 3, 2, false}, {MajorityTwoThirds, 4, 2, true}, {MajorityTwoThirds, 0, 0, false},
		{MajorityConsensus, 5, 0, true}, {MajorityConsensus, 5, 1, false}, {MajorityConsensus, 0, 0, false},
	}
	for _, tc := range tests {
		if got := tc.m.Carried(tc.votesFor, tc.against); got != tc.want {
			t.Errorf("%s %d–%d: %v, want %v", tc.m, tc.votesFor, tc.against, got, tc.want)
		}
	}
}

func TestPeriods(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{{"72h", 72 * time.Hour, true}, {"14d", 14 * 24 * time.Hour, true}, {"1.5h", 0, false}, {"72", 0, false}, {"3 days", 0, false}, {"90m", 0, false}} {
		got, ok := parsePeriod(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parsePeriod(%q) = %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	if FormatPeriod(72*time.Hour) != "3d" || FormatPeriod(30*time.Hour) != "30h" {
		t.Errorf("FormatPeriod: %s %s", FormatPeriod(72*time.Hour), FormatPeriod(30*time.Hour))
	}
}

// TestFormatDocExampleTerms: the example in FORMAT.md writes both
// sections, and they are read rather than defaulted.
func TestFormatDocExampleTerms(t *testing.T) {
	doc, err := os.ReadFile("FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	start := strings.Index(text, "```json\n") + len("```json\n")
	a, err := Parse("FORMAT.md example", []byte(text[start:start+strings.Index(text[start:], "```")]))
	if err != nil {
		t.Fatal(err)
	}
	if a.Commission.Default || a.Guarantees.Default || len(a.VotingMembers()) != 5 || a.Commission.Quorum.Required(5) != 4 {
		t.Errorf("example terms: commission %+v, guarantees %+v", a.Commission, a.Guarantees)
	}
}
