package commission

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
)

// TestWholeProcedure walks a case from the automatic opening to its
// closing, and through a reopening to a second finding that supersedes
// the first, checking the state at each step; then rebuilds the case
// from its records.
func TestWholeProcedure(t *testing.T) {
	s := newScript(t)
	r := s.r
	if got := s.c.Status(t0); got != StateOpen || s.c.Round != 1 || s.c.Digest != r.Digest || !s.c.Automatic {
		t.Fatalf("opened: %s round %d digest %q automatic %v", got, s.c.Round, s.c.Digest, s.c.Automatic)
	}
	n := s.do(notify(hours(1)))
	if want := hours(1 + 72); !n.Notice.Deadline.Equal(want) || n.Notice.Party != "RUS" {
		t.Fatalf("notice deadline %s party %s, want %s RUS", stamp(n.Notice.Deadline), n.Notice.Party, stamp(want))
	}
	if got := s.c.Status(hours(2)); got != StateNotified {
		t.Fatalf("after notice: %s", got)
	}
	s.do(reply(hours(4), rusLiason))
	if got := s.c.Status(hours(4)); got != StateReplyReceived || s.c.Reply.Late {
		t.Fatalf("after reply: %s late %v", got, s.c.Reply.Late)
	}
	// Once the reply is in, the Commission need not wait for the deadline.
	m := s.do(findingMotion(hours(5), usa, Attributed, "RUS", withdraw, refer)).Motion
	if m.Required != 4 || len(m.Eligible) != 5 || !m.Closes.Equal(hours(5+48)) || s.c.State != StateDeliberation {
		t.Fatalf("motion: required %d eligible %v closes %s state %s", m.Required, m.Eligible, stamp(m.Closes), s.c.State)
	}
	s.do(vote(hours(6), usa, m.ID, For))
	s.do(vote(hours(6), gbr, m.ID, For))
	s.do(vote(hours(7), fra, m.ID, Against))
	s.do(vote(hours(7), deu, m.ID, For))
	s.do(vote(hours(8), pol, m.ID, Abstain))
	res := Tally(r, *m, s.c.Votes, hours(8))
	if res.Open || !res.Carried || res.For != 3 || res.Against != 1 || res.Abstain != 1 || !res.DecidedAt.Equal(hours(8)) {
		t.Fatalf("tally: %+v", res)
	}
	f := s.do(finding(hours(9), usa, m.ID)).Finding
	if f.Outcome != Attributed || f.Party != "RUS" || len(f.Dissent) != 1 || f.Dissent[0].Org != "FRA" || f.Dissent[0].Reasons == "" || f.Supersedes != "" {
		t.Fatalf("finding: %+v", f)
	}
	if !strings.Contains(f.Tally, "3 for, 1 against, 1 abstaining") {
		t.Errorf("finding tally %q", f.Tally)
	}
	ord := s.do(Action{Kind: KindRemedy, At: hours(10), By: usa, Marking: access.Public, Order: &Order{Motion: m.ID}})
	if len(s.c.Remedies) != 2 || s.c.State != StateRemedy {
		t.Fatalf("remedies: %+v", s.c.Remedies)
	}
	wd, ref := s.c.Remedies[0], s.c.Remedies[1]
	if wd.ID != ord.ID+"/withdrawal" || !wd.Due.Equal(hours(10+72)) || wd.Party != "RUS" || !ref.Due.IsZero() || !ref.Discharged() {
		t.Fatalf("withdrawal %+v, referral %+v", wd, ref)
	}
	if !wd.Overdue(hours(83)) || wd.Overdue(hours(82)) {
		t.Error("the withdrawal is overdue after its deadline and not at it")
	}
	// The party reports compliance; a member finds it complied with.
	s.do(Action{Kind: KindComplianceReported, At: hours(30), By: rusLiason, Marking: "REL TO RUS, USA, GBR, FRA, DEU, POL",
		Compliance: &ComplianceReport{Remedy: wd.ID, Text: "battery withdrawn to Novoazovsk", Evidence: []string{"sat-img-4"}}})
	s.do(Action{Kind: KindComplianceAssessed, At: hours(40), By: gbr, Marking: access.Commission,
		Assessment: &ComplianceAssessment{Remedy: wd.ID, Complied: true, Reasons: "confirmed by UAV imagery"}})
	if got, _ := s.c.Remedy(wd.ID); got.Complied.IsZero() || got.Overdue(hours(100)) {
		t.Fatalf("complied remedy: %+v", got)
	}
	s.do(Action{Kind: KindClosed, At: hours(41), By: usa, Marking: access.Public, Closing: &Closing{Reasons: "remedies complied with"}})
	if s.c.State != StateClosed {
		t.Fatalf("state %s", s.c.State)
	}

	// New evidence: the case is reopened, the party notified again; it
	// lets the deadline pass, and the Commission finds again.
	s.do(Action{Kind: KindReopened, At: hours(100), By: fra, Marking: access.Commission,
		Reopening: &Reopening{Incidents: []string{"inc-9"}, Reasons: "new radar tracks"}})
	if s.c.State != StateOpen || s.c.Round != 2 || s.c.Notice != nil {
		t.Fatalf("reopened: %s round %d", s.c.State, s.c.Round)
	}
	s.do(notify(hours(101)))
	if got := s.c.Status(hours(101 + 72)); got != StateReplyOverdue {
		t.Fatalf("after the deadline: %s", got)
	}
	m2 := s.do(findingMotion(hours(101+72), gbr, Attributed, "RUS")).Motion
	for _, by := range []Actor{usa, gbr, fra, deu, pol} {
		s.do(vote(hours(180), by, m2.ID, For))
	}
	f2 := s.do(finding(hours(181), usa, m2.ID)).Finding
	if f2.Supersedes != s.c.Actions[slicesIndexKind(s.c.Actions, KindFinding)].ID || f2.Round != 2 || len(s.c.Findings) != 2 {
		t.Fatalf("second finding: %+v", f2)
	}

	// The records rebuild the same case, also after a JSON round trip.
	raw, err := json.Marshal(s.c.Actions)
	if err != nil {
		t.Fatal(err)
	}
	var stored []Action
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatal(err)
	}
	again, err := Fold(r, "C-1", stored)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, s.c) {
		t.Errorf("Fold does not rebuild the case\n got %+v\nwant %+v", again, s.c)
	}
}

func slicesIndexKind(as []Action, k Kind) int {
	for i, a := range as {
		if a.Kind == k {
			return i
		}
	}
	return -1
}

// TestRefusals tries each rule of procedure and checks the refusal names
// it.
func TestRefusals(t *testing.T) {
	tests := []struct {
		name  string
		setup func(s *script) Action // takes the case somewhere, returns the action to try
		rule  *Refusal
		msg   string
	}{
		{"finding without quorum", func(s *script) Action {
			m := s.deliberating()
			s.do(vote(hours(6), usa, m, For))
			s.do(vote(hours(7), gbr, m, For))
			return finding(hours(5+48), usa, m)
		}, ErrQuorum, "the finding cannot be recorded: motion C-1/4 did not reach the quorum: 2 of 5 voting members voted (USA, GBR), and the agreement requires 4 (quorum 2/3 of the voting members)"},
		{"second vote by one member", func(s *script) Action {
			m := s.deliberating()
			s.do(vote(hours(6), usa, m, For))
			return vote(hours(7), commissioner("bob", "USA"), m, Against)
		}, ErrOneVote, "USA has already voted on motion C-1/4 (for, by alice at 2026-09-10 12:00 UTC); each member has one vote"},
		{"finding before the reply deadline without the reply", func(s *script) Action {
			s.do(notify(hours(1)))
			return finding(hours(30), usa, "C-1/3")
		}, ErrRightToReply, "a finding is refused: RUS has until 2026-09-13 07:00 UTC to reply to case C-1 and has not replied"},
		{"motion before the reply deadline without the reply", func(s *script) Action {
			s.do(notify(hours(1)))
			return findingMotion(hours(2), usa, Attributed, "RUS")
		}, ErrRightToReply, "has until 2026-09-13 07:00 UTC to reply"},
		{"finding before the accused is notified", func(s *script) Action {
			return finding(hours(2), usa, "C-1/3")
		}, ErrRightToReply, "has not yet been notified"},
		{"finding while the vote is open", func(s *script) Action {
			m := s.deliberating()
			s.do(vote(hours(6), usa, m, For))
			return finding(hours(7), usa, m)
		}, ErrVoteOpen, "is open until 2026-09-12 11:00 UTC: 1 of 5 voting members have voted"},
		{"finding on a lost motion", func(s *script) Action {
			m := s.deliberating()
			for _, by := range []Actor{usa, gbr} {
				s.do(vote(hours(6), by, m, For))
			}
			for _, by := range []Actor{fra, deu, pol} {
				s.do(vote(hours(6), by, m, Against))
			}
			return finding(hours(7), usa, m)
		}, ErrMajority, "was not carried: 2 for, 3 against, 0 abstaining, and the agreement requires a simple majority"},
		{"a party votes where parties do not", func(s *script) Action {
			m := s.deliberating()
			return vote(hours(6), ukrMember, m, For)
		}, ErrMembership, "UKR is a party to the ceasefire and under this agreement parties sit on the Commission without a vote"},
		{"a non-member votes", func(s *script) Action {
			m := s.deliberating()
			return vote(hours(6), commissioner("carl", "CAN"), m, For)
		}, ErrMembership, "CAN does not sit on it (members: USA, GBR, FRA, DEU, POL, UKR, RUS)"},
		{"a member's user without the commissioner role votes", func(s *script) Action {
			m := s.deliberating()
			return vote(hours(6), Actor{User: "vic", Org: "FRA", Roles: []string{access.RoleViewer}}, m, For)
		}, ErrMembership, "vic of FRA does not hold the commissioner role"},
		{"a vote after the deadline", func(s *script) Action {
			m := s.deliberating()
			return vote(hours(5+48), usa, m, For)
		}, ErrVoteClosed, "the vote on motion C-1/4 closed at 2026-09-12 11:00 UTC"},
		{"the other party replies", func(s *script) Action {
			s.do(notify(hours(1)))
			return reply(hours(2), ukrLiason)
		}, ErrAccusedParty, "only a liaison of the accused party (RUS) replies on case C-1; taras of UKR may not"},
		{"a commissioner replies for the accused", func(s *script) Action {
			s.do(notify(hours(1)))
			return reply(hours(2), commissioner("sergei", "RUS"))
		}, ErrAccusedParty, "only a liaison of the accused party (RUS)"},
		{"a second reply", func(s *script) Action {
			s.do(notify(hours(1)))
			s.do(reply(hours(2), rusLiason))
			return reply(hours(3), rusLiason)
		}, ErrProcedure, "RUS has already replied on case C-1"},
		{"a reply once deliberation began", func(s *script) Action {
			s.do(notify(hours(1)))
			s.do(findingMotion(hours(80), usa, Unfounded, ""))
			return reply(hours(81), rusLiason)
		}, ErrProcedure, "the time to reply is over once the Commission deliberates"},
		{"a notice the accused cannot read", func(s *script) Action {
			a := notify(hours(1))
			a.Marking = access.Commission
			return a
		}, ErrInput, "the notice is marked \"COMMISSION\", which RUS could not read"},
		{"a remedy not on the ladder", func(s *script) Action {
			s.do(notify(hours(1)))
			s.do(reply(hours(4), rusLiason))
			return findingMotion(hours(5), usa, Attributed, "RUS", RemedyOrder{Kind: "sanctions", Terms: "x"})
		}, ErrLadder, "remedy \"sanctions\" is not on the agreement's ladder (warning, withdrawal, verification_visit, compensation, referral)"},
		{"remedies with an unfounded finding", func(s *script) Action {
			s.do(notify(hours(1)))
			s.do(reply(hours(4), rusLiason))
			return findingMotion(hours(5), usa, Unfounded, "", withdraw)
		}, ErrLadder, "remedies are ordered against a party found responsible"},
		{"a referral without a recommendation", func(s *script) Action {
			s.do(notify(hours(1)))
			s.do(reply(hours(4), rusLiason))
			return findingMotion(hours(5), usa, Attributed, "RUS", RemedyOrder{Kind: agreement.RemedyReferral})
		}, ErrInput, "a referral to the guarantors carries a recommendation"},
		{"a second motion while one is open", func(s *script) Action {
			s.deliberating()
			return findingMotion(hours(6), gbr, Unfounded, "")
		}, ErrProcedure, "motion C-1/4 on case C-1 is still open until 2026-09-12 11:00 UTC"},
		{"remedies ordered without a carried motion", func(s *script) Action {
			m := s.carried()
			s.do(finding(hours(9), usa, m))
			return Action{Kind: KindRemedy, At: hours(10), By: usa, Marking: access.Public, Order: &Order{Motion: m}}
		}, ErrProcedure, "has no motion \"C-1/4\" proposing remedies"},
		{"closing with a remedy outstanding", func(s *script) Action {
			m := s.carried(withdraw)
			s.do(finding(hours(9), usa, m))
			s.do(Action{Kind: KindRemedy, At: hours(10), By: usa, Marking: access.Public, Order: &Order{Motion: m}})
			return Action{Kind: KindClosed, At: hours(90), By: usa, Marking: access.Public, Closing: &Closing{Reasons: "done"}}
		}, ErrProcedure, "cannot be closed while remedies are outstanding: C-1/11/withdrawal (withdrawal, due 2026-09-13 16:00 UTC, overdue)"},
		{"assessing compliance without a report", func(s *script) Action {
			m := s.carried(withdraw)
			s.do(finding(hours(9), usa, m))
			s.do(Action{Kind: KindRemedy, At: hours(10), By: usa, Marking: access.Public, Order: &Order{Motion: m}})
			return Action{Kind: KindComplianceAssessed, At: hours(11), By: usa, Marking: access.Commission,
				Assessment: &ComplianceAssessment{Remedy: "C-1/11/withdrawal", Complied: true, Reasons: "seen"}}
		}, ErrProcedure, "has no compliance report to assess"},
		{"reopening without new evidence", func(s *script) Action {
			m := s.carried()
			s.do(finding(hours(9), usa, m))
			return Action{Kind: KindReopened, At: hours(10), By: usa, Marking: access.Commission, Reopening: &Reopening{Events: []string{"ev-17"}, Reasons: "again"}}
		}, ErrInput, "a case is reopened by new evidence"},
		{"opening automatically below the threshold", func(s *script) Action {
			s.c = Case{ID: "C-2"}
			return Action{Kind: KindOpened, At: t0, By: System, Marking: access.Commission,
				Opening: &Opening{Accused: "RUS", Events: []string{"ev-1"}, Severity: "medium", Automatic: true}}
		}, ErrProcedure, "a breach of severity \"medium\" is below \"high\", the severity at which the agreement opens a case automatically"},
		{"a member opens a case citing nothing", func(s *script) Action {
			s.c = Case{ID: "C-2"}
			return Action{Kind: KindOpened, At: t0, By: fra, Marking: access.Commission, Opening: &Opening{Accused: "UKR"}}
		}, ErrInput, "a case cites the events or incidents it is about"},
		{"the mechanism records a finding", func(s *script) Action {
			m := s.carried()
			return Action{Kind: KindFinding, At: hours(9), By: System, Marking: access.Public, Finding: &Finding{Motion: m, Reasons: "x"}}
		}, ErrMembership, "the mechanism only opens cases and notifies parties"},
		{"a finding other than the one voted", func(s *script) Action {
			m := s.carried()
			a := finding(hours(9), usa, m)
			a.Finding.Outcome = Unfounded
			return a
		}, ErrProcedure, "the finding must be the one the Commission voted for (attributed to RUS), not unfounded"},
		{"an action under another agreement version", func(s *script) Action {
			s.r.Digest = "bbbbbbbbbbbbbbbbbbbbbbbb"
			return notify(hours(1))
		}, ErrAgreementVersion, "case C-1 is run under test-ceasefire version 1"},
		{"an action dated before the last", func(s *script) Action {
			s.do(notify(hours(1)))
			return reply(t0, rusLiason)
		}, ErrInput, "before the case's last action"},
		{"an action without a marking", func(s *script) Action {
			a := notify(hours(1))
			a.Marking = ""
			return a
		}, ErrInput, "every record needs a marking"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript(t)
			a := tc.setup(s)
			before := s.c
			err := s.try(a)
			if err == nil {
				t.Fatal("accepted")
			}
			var rf *Refusal
			if !errors.As(err, &rf) || !errors.Is(err, tc.rule) {
				t.Fatalf("refused under %v, want rule %q: %v", rf, tc.rule.Rule, err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("refusal %q\ndoes not say %q", err, tc.msg)
			}
			t.Log(err)
			if !reflect.DeepEqual(before, s.c) {
				t.Error("a refused action changed the case")
			}
		})
	}
}

func TestTally(t *testing.T) {
	five := []string{"USA", "GBR", "FRA", "DEU", "POL"}
	tests := []struct {
		name     string
		majority agreement.Majority
		quorum   agreement.Quorum
		choices  []Choice // in roll order; "" for no vote
		at       int      // hours after the motion
		open     bool
		quorumOK bool
		carried  bool
	}{
		{"simple, 3–2", agreement.MajoritySimple, agreement.Quorum{Num: 2, Den: 3}, []Choice{For, For, For, Against, Against}, 1, false, true, true},
		{"simple, tie fails", agreement.MajoritySimple, agreement.Quorum{Num: 2, Den: 3}, []Choice{For, For, Against, Against, ""}, 48, false, true, false},
		{"simple, abstentions count for the quorum only", agreement.MajoritySimple, agreement.Quorum{Count: 4}, []Choice{For, Abstain, Abstain, Abstain, ""}, 48, false, true, true},
		{"open before the deadline with votes missing", agreement.MajoritySimple, agreement.Quorum{Count: 1}, []Choice{For, For, For, "", ""}, 47, true, true, false},
		{"no quorum at the deadline", agreement.MajoritySimple, agreement.Quorum{Num: 2, Den: 3}, []Choice{For, For, For, "", ""}, 48, false, false, false},
		{"a half quorum of five is three", agreement.MajoritySimple, agreement.Quorum{Num: 1, Den: 2}, []Choice{For, For, For, "", ""}, 48, false, true, true},
		{"two thirds, 4–1 is enough", agreement.MajorityTwoThirds, agreement.Quorum{Count: 1}, []Choice{For, For, For, For, Against}, 1, false, true, true},
		{"two thirds, 3–2 is not", agreement.MajorityTwoThirds, agreement.Quorum{Count: 1}, []Choice{For, For, For, Against, Against}, 1, false, true, false},
		{"consensus, one objection fails", agreement.MajorityConsensus, agreement.Quorum{Count: 1}, []Choice{For, For, For, For, Against}, 1, false, true, false},
		{"consensus survives an abstention", agreement.MajorityConsensus, agreement.Quorum{Count: 1}, []Choice{For, For, For, For, Abstain}, 1, false, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := testRules()
			r.Terms.Majority, r.Terms.Quorum = tc.majority, tc.quorum
			m, err := Propose(r, Motion{ID: "M-1", Question: QuestionDetermination, Determination: "credible_cessation"}, usa, t0)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(m.Eligible, five) {
				t.Fatalf("roll %v", m.Eligible)
			}
			var votes []Vote
			for i, ch := range tc.choices {
				if ch == "" {
					continue
				}
				v, err := CastVote(r, m, votes, Vote{Motion: "M-1", Choice: ch, At: t0.Add(time.Minute)}, commissioner("u", five[i]))
				if err != nil {
					t.Fatal(err)
				}
				votes = append(votes, v)
			}
			res := Tally(r, m, votes, hours(tc.at))
			if res.Open != tc.open || res.QuorumMet != tc.quorumOK || res.Carried != tc.carried {
				t.Errorf("open %v quorum %v carried %v, want %v %v %v: %s", res.Open, res.QuorumMet, res.Carried, tc.open, tc.quorumOK, tc.carried, res.Explanation)
			}
			if (res.Refusal() == nil) != tc.carried {
				t.Errorf("Refusal() = %v with carried %v", res.Refusal(), res.Carried)
			}
		})
	}
}

func TestOverdueRemediesEscalate(t *testing.T) {
	s := newScript(t)
	m := s.carried(RemedyOrder{Kind: agreement.RemedyWarning, Terms: "cease fire from Horlivka"},
		RemedyOrder{Kind: agreement.RemedyWithdrawal, Terms: "withdraw by 20 September", Due: time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC)})
	s.do(finding(hours(9), usa, m))
	s.do(Action{Kind: KindRemedy, At: hours(10), By: usa, Marking: access.Public, Order: &Order{Motion: m}})
	tests := []struct {
		now  time.Time
		want []string // remedy kind → next rung
	}{
		{hours(10), nil},
		{hours(34), nil}, // the warning is due at hour 34, not yet overdue
		{hours(35), []string{"warning→withdrawal"}}, // one hour late
		{time.Date(2026, 9, 20, 1, 0, 0, 0, time.UTC), []string{"warning→withdrawal", "withdrawal→verification_visit"}},
	}
	for _, tc := range tests {
		var got []string
		for _, e := range s.c.Overdue(s.r, tc.now) {
			next := "top"
			if e.Next != nil {
				next = string(e.Next.Kind)
			}
			got = append(got, string(e.Remedy.Kind)+"→"+next)
			if e.OverdueBy <= 0 {
				t.Errorf("%s overdue by %v", e.Remedy.ID, e.OverdueBy)
			}
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("at %s: overdue %v, want %v", stamp(tc.now), got, tc.want)
		}
	}
	// Escalation: the next rung, put to the vote, ordered; repeating an
	// outstanding rung is refused.
	if err := s.try(Action{Kind: KindMotion, At: hours(36), By: usa, Marking: access.Commission,
		Motion: &Motion{Question: QuestionRemedy, Remedies: []RemedyOrder{{Kind: agreement.RemedyWarning, Terms: "again"}}}}); !errors.Is(err, ErrLadder) {
		t.Errorf("repeating an outstanding warning: %v", err)
	}
	esc := s.do(Action{Kind: KindMotion, At: hours(36), By: usa, Marking: access.Commission,
		Motion: &Motion{Question: QuestionRemedy, Remedies: []RemedyOrder{{Kind: agreement.RemedyVerificationVisit, Terms: "admit monitors to Horlivka"}}}})
	for _, by := range []Actor{usa, gbr, fra, deu} {
		s.do(vote(hours(37), by, esc.ID, For))
	}
	s.do(Action{Kind: KindRemedy, At: hours(36 + 48), By: usa, Marking: access.Public, Order: &Order{Motion: esc.ID}})
	if n := len(s.c.Remedies); n != 3 || s.c.Remedies[2].Kind != agreement.RemedyVerificationVisit || !s.c.Remedies[2].Due.Equal(hours(36+48+7*24)) {
		t.Errorf("escalated remedies: %+v", s.c.Remedies)
	}
}

func TestApplyLeavesTheCaseAlone(t *testing.T) {
	s := newScript(t)
	m := s.deliberating()
	before := s.c
	snapshot, _ := json.Marshal(before)
	if _, _, err := Apply(s.r, before, vote(hours(6), usa, m, For)); err != nil {
		t.Fatal(err)
	}
	after, _ := json.Marshal(before)
	if string(snapshot) != string(after) {
		t.Error("Apply changed the case it was given")
	}
}

func TestShouldOpen(t *testing.T) {
	r := testRules()
	for _, tc := range []struct {
		severity string
		want     bool
	}{{"low", false}, {"medium", false}, {"high", true}, {"critical", true}, {"grave", false}, {"", false}} {
		if got := ShouldOpen(r, tc.severity); got != tc.want {
			t.Errorf("ShouldOpen(%q) = %v, want %v", tc.severity, got, tc.want)
		}
	}
}

func TestLateReplyIsMarked(t *testing.T) {
	s := newScript(t)
	s.do(notify(hours(1)))
	s.do(reply(hours(100), rusLiason))
	if !s.c.Reply.Late || s.c.Status(hours(100)) != StateReplyReceived {
		t.Errorf("late reply: late %v state %s", s.c.Reply.Late, s.c.Status(hours(100)))
	}
}

func TestRulesFromTheDemoAgreement(t *testing.T) {
	a, err := agreement.Demo()
	if err != nil {
		t.Fatal(err)
	}
	r := RulesFrom(a)
	if r.Digest != a.Digest() || r.Terms.Chair != "USA" || len(r.Voting()) == 0 {
		t.Fatalf("rules from the demo: %+v", r)
	}
	for _, v := range r.Voting() {
		if r.IsParty(v) {
			t.Errorf("party %s votes under the default terms", v)
		}
	}
}
