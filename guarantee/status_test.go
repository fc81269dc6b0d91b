package guarantee

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/commission"
)

func TestStatusOverTime(t *testing.T) {
	r := testRules()
	var dets []Determination
	if s, _ := StatusAt(r, dets, effective.Add(-time.Second)); s != NotInForce {
		t.Errorf("before the effective time: %s", s)
	}
	if s, _ := StatusAt(r, dets, effective); s != InForce {
		t.Errorf("at the effective time: %s", s)
	}
	cess := determine(t, r, dets, "D-1", CredibleCessation, "", date(9, 20, 12))
	dets = append(dets, cess)
	// With no counts and no coverage the criteria are not met; people
	// may still determine, and the record says what the software said.
	if cess.Criteria || !strings.Contains(cess.Indicators, "the credible-cessation criteria were not met") || cess.Supersedes != "" {
		t.Errorf("cessation determination: criteria %v, %q, supersedes %q", cess.Criteria, cess.Indicators, cess.Supersedes)
	}
	if !strings.Contains(cess.Tally, "carried: 6 for, 0 against") {
		t.Errorf("tally %q", cess.Tally)
	}
	br := determine(t, r, dets, "D-2", Breached, "RUS", date(10, 2, 12))
	dets = append(dets, br)
	att := determine(t, r, dets, "D-3", ArmedAttack, "RUS", date(10, 5, 12))
	dets = append(dets, att)
	for _, tc := range []struct {
		at   time.Time
		want Status
		det  string
	}{
		{date(9, 20, 11), InForce, ""},
		{date(9, 20, 12), CredibleCessation, "D-1"},
		{date(10, 2, 11), CredibleCessation, "D-1"},
		{date(10, 3, 0), Breached, "D-2"},
		{date(12, 1, 0), ArmedAttack, "D-3"},
	} {
		s, d := StatusAt(r, dets, tc.at)
		id := ""
		if d != nil {
			id = d.ID
		}
		if s != tc.want || id != tc.det {
			t.Errorf("at %s: %s (%s), want %s (%s)", stamp(tc.at), s, id, tc.want, tc.det)
		}
	}
	if br.Supersedes != "D-1" || att.Supersedes != "D-2" {
		t.Errorf("supersedes: %q %q", br.Supersedes, att.Supersedes)
	}
}

func TestDeterminationRefusals(t *testing.T) {
	r := testRules()
	at := date(9, 20, 12)
	tests := []struct {
		name  string
		prior func(t *testing.T) []Determination
		d     Determination
		vote  func(t *testing.T) commission.Result
		asOf  time.Time
		rule  *Refusal
		msg   string
	}{
		{name: "before the ceasefire is in force",
			d: Determination{Status: CredibleCessation, At: date(8, 30, 0)},
			vote: func(t *testing.T) commission.Result {
				return vote(t, r, "M-1", CredibleCessation, date(8, 30, 0), everyone...)
			},
			asOf: date(8, 30, 0), rule: ErrStatus, msg: "the ceasefire is not in force until 2026-09-01 00:00 UTC"},
		{name: "a vote without quorum",
			d: Determination{Status: CredibleCessation},
			vote: func(t *testing.T) commission.Result {
				return vote(t, r, "M-1", CredibleCessation, at, "USA", "GBR", "FRA")
			},
			rule: ErrDecision, msg: "the determination cannot be recorded: motion M-1 did not reach the quorum: 3 of 6 voting members voted (USA, GBR, FRA), and the agreement requires 4"},
		{name: "a vote still open",
			d: Determination{Status: CredibleCessation},
			vote: func(t *testing.T) commission.Result {
				m, err := commission.Propose(r.Commission, commission.Motion{ID: "M-1", Question: commission.QuestionDetermination, Determination: string(CredibleCessation)}, usa, at.Add(-time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				return commission.Tally(r.Commission, m, nil, at)
			},
			rule: ErrDecision, msg: "the vote on motion M-1 is open until"},
		{name: "a vote on another question",
			d:    Determination{Status: CredibleCessation},
			vote: func(t *testing.T) commission.Result { return vote(t, r, "M-1", Breached, at, everyone...) },
			rule: ErrDecision, msg: "rests on a Commission vote on that very question"},
		{name: "a cessation after an armed attack",
			prior: func(t *testing.T) []Determination {
				return []Determination{determine(t, r, nil, "D-0", ArmedAttack, "RUS", date(9, 10, 0))}
			},
			d:    Determination{Status: CredibleCessation},
			vote: func(t *testing.T) commission.Result { return vote(t, r, "M-1", CredibleCessation, at, everyone...) },
			rule: ErrStatus, msg: "the ceasefire is broken by an armed attack, so determined; a determination of credible_cessation cannot follow that"},
		{name: "a cessation twice",
			prior: func(t *testing.T) []Determination {
				return []Determination{determine(t, r, nil, "D-0", CredibleCessation, "", date(9, 10, 0))}
			},
			d:    Determination{Status: CredibleCessation},
			vote: func(t *testing.T) commission.Result { return vote(t, r, "M-1", CredibleCessation, at, everyone...) },
			rule: ErrStatus, msg: "cannot follow that"},
		{name: "an armed attack naming no party",
			d:    Determination{Status: ArmedAttack},
			vote: func(t *testing.T) commission.Result { return vote(t, r, "M-1", ArmedAttack, at, everyone...) },
			rule: ErrInput, msg: "names the party responsible (UKR, RUS)"},
		{name: "recorded by a coordinator, not a commissioner",
			d:    Determination{Status: CredibleCessation, By: coordinator},
			vote: func(t *testing.T) commission.Result { return vote(t, r, "M-1", CredibleCessation, at, everyone...) },
			rule: ErrAuthority, msg: "camille of FRA does not hold the commissioner role"},
		{name: "recorded by the mechanism",
			d:    Determination{Status: CredibleCessation, By: commission.System},
			vote: func(t *testing.T) commission.Result { return vote(t, r, "M-1", CredibleCessation, at, everyone...) },
			rule: ErrInput, msg: "it is a human act"},
		{name: "indicators of another time",
			d:    Determination{Status: CredibleCessation},
			vote: func(t *testing.T) commission.Result { return vote(t, r, "M-1", CredibleCessation, at, everyone...) },
			asOf: at.Add(-time.Hour), rule: ErrInput, msg: "the indicators recorded beside a determination are those at its time"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.d
			d.ID, d.Motion, d.Marking, d.Reasons = "D-1", "M-1", access.Public, "because"
			if d.At.IsZero() {
				d.At = at
			}
			if d.By.User == "" {
				d.By = usa
			}
			var prior []Determination
			if tc.prior != nil {
				prior = tc.prior(t)
			}
			asOf := tc.asOf
			if asOf.IsZero() {
				asOf = d.At
			}
			_, err := Determine(r, prior, d, tc.vote(t), Compute(r, nil, nil, asOf))
			if !errors.Is(err, tc.rule) || err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %v\nwant rule %s saying %q", err, tc.rule.Rule, tc.msg)
			}
		})
	}
}

// TestArmedAttackDeterminationKeepsTheSigns: beside the determination the
// record keeps what the software indicated at its time.
func TestArmedAttackDeterminationKeepsTheSigns(t *testing.T) {
	r := testRules()
	counts, cover, now := quietAndLoud()
	ind := Compute(r, counts, cover, now)
	d, err := Determine(r, nil, Determination{ID: "D-9", Status: ArmedAttack, Party: "RUS", At: now, By: usa, Marking: access.Public, Motion: "M-9", Reasons: "massed fire and a deep strike"},
		vote(t, r, "M-9", ArmedAttack, now, "USA", "GBR", "FRA", "DEU"), ind)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Criteria || d.Indicators != `signs of an armed attack: on 2026-09-28, a verified strike by RUS 60 km beyond line "contact" (sign at 50 km); on 2026-10-01, 600 rounds in verified fire by RUS (sign at 500 a day)` {
		t.Errorf("criteria %v, indicators %q", d.Criteria, d.Indicators)
	}
	// Against UKR the software saw no sign; a person may still determine,
	// and the record says the software did not indicate it.
	_, why := ind.criteriaFor(ArmedAttack, "UKR")
	if why != "no sign of an armed attack by UKR was computed over the last 7 days" {
		t.Errorf("%q", why)
	}
}
