package commission

import (
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
)

// t0 is when the breach behind the test case was assessed.
var t0 = time.Date(2026, 9, 10, 6, 0, 0, 0, time.UTC)

func hours(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

// testRules: seven members, of whom the two parties sit without a vote,
// so five vote and a quorum of two thirds is four.
func testRules() Rules {
	return Rules{
		Agreement: "test-ceasefire", Version: 1, Digest: "aaaaaaaaaaaaaaaaaaaaaaaa",
		Parties: []string{"UKR", "RUS"},
		Terms: agreement.Commission{
			Members: []agreement.CommissionMember{
				{Org: "USA"}, {Org: "GBR"}, {Org: "FRA"}, {Org: "DEU"}, {Org: "POL"}, {Org: "UKR"}, {Org: "RUS"},
			},
			Chair:            "USA",
			Quorum:           agreement.Quorum{Num: 2, Den: 3},
			Majority:         agreement.MajoritySimple,
			ReplyDeadline:    72 * time.Hour,
			VotePeriod:       48 * time.Hour,
			AutoOpenSeverity: "high",
			Remedies: []agreement.RemedyRung{
				{Kind: agreement.RemedyWarning, ComplianceDeadline: 24 * time.Hour},
				{Kind: agreement.RemedyWithdrawal, ComplianceDeadline: 72 * time.Hour},
				{Kind: agreement.RemedyVerificationVisit, ComplianceDeadline: 7 * 24 * time.Hour},
				{Kind: agreement.RemedyCompensation, ComplianceDeadline: 30 * 24 * time.Hour},
				{Kind: agreement.RemedyReferral},
			},
		},
	}
}

func commissioner(user, org string) Actor {
	return Actor{User: user, Org: org, Roles: []string{access.RoleCommissioner}}
}

var (
	usa       = commissioner("alice", "USA")
	gbr       = commissioner("brian", "GBR")
	fra       = commissioner("claire", "FRA")
	deu       = commissioner("dieter", "DEU")
	pol       = commissioner("piotr", "POL")
	ukrMember = commissioner("olena", "UKR")
	rusLiason = Actor{User: "ivan", Org: "RUS", Roles: []string{access.RoleLiaison}}
	ukrLiason = Actor{User: "taras", Org: "UKR", Roles: []string{access.RoleLiaison}}
)

// script drives a case through the procedure, failing the test on any
// refusal, so that a table case can get to the state it tests.
type script struct {
	t testing.TB
	r Rules
	c Case
}

func newScript(t testing.TB) *script {
	t.Helper()
	s := &script{t: t, r: testRules()}
	c, err := OpenAutomatically(s.r, "C-1", Breach{Event: "ev-17", Accused: "RUS", Rule: "fire-after-ceasefire", Severity: "critical", At: t0})
	if err != nil {
		t.Fatal(err)
	}
	s.c = c
	return s
}

func (s *script) do(a Action) Action {
	s.t.Helper()
	c, got, err := Apply(s.r, s.c, a)
	if err != nil {
		s.t.Fatalf("%s at %s: %v", a.Kind, stamp(a.At), err)
	}
	s.c = c
	return got
}

func (s *script) try(a Action) error {
	c, _, err := Apply(s.r, s.c, a)
	if err == nil {
		s.c = c
	}
	return err
}

func notify(at time.Time) Action {
	return Action{Kind: KindNotified, At: at, By: System, Marking: "REL TO RUS, USA, GBR, FRA, DEU, POL",
		Notice: &Notice{Allegation: "artillery fire from RUS-held ground at 06:00 on 10 September", Evidence: []string{"ev-17"}}}
}

func reply(at time.Time, by Actor) Action {
	return Action{Kind: KindReplied, At: at, By: by, Marking: "REL TO RUS, USA, GBR, FRA, DEU, POL",
		Reply: &Reply{Text: "Our units returned fire at a drone.", Evidence: []string{"rus-photo-1"}}}
}

func findingMotion(at time.Time, by Actor, outcome Outcome, party string, remedies ...RemedyOrder) Action {
	return Action{Kind: KindMotion, At: at, By: by, Marking: access.Commission, Motion: &Motion{
		Question: QuestionFinding, Finding: &Proposal{Outcome: outcome, Party: party, Reasons: "crater analysis points to RUS-held ground"},
		Remedies: remedies}}
}

func vote(at time.Time, by Actor, motion string, c Choice) Action {
	return Action{Kind: KindVote, At: at, By: by, Marking: access.Commission, Vote: &Vote{Motion: motion, Choice: c, Reasons: "as " + by.Org + " sees it"}}
}

func finding(at time.Time, by Actor, motion string) Action {
	return Action{Kind: KindFinding, At: at, By: by, Marking: access.Public, Finding: &Finding{Motion: motion, Reasons: "three independent crater analyses"}}
}

var withdraw = RemedyOrder{Kind: agreement.RemedyWithdrawal, Terms: "withdraw the 2S19 battery beyond 25 km of the line of contact"}
var refer = RemedyOrder{Kind: agreement.RemedyReferral, Recommendation: "additional sanctions"}

// deliberating takes the case to a motion for a finding, put at hour 5
// after a reply at hour 4, and returns the motion's ID.
func (s *script) deliberating(remedies ...RemedyOrder) string {
	s.t.Helper()
	s.do(notify(hours(1)))
	s.do(reply(hours(4), rusLiason))
	return s.do(findingMotion(hours(5), usa, Attributed, "RUS", remedies...)).ID
}

// carried takes the case to a motion for a finding that every voting
// member voted on, four for and FRA against.
func (s *script) carried(remedies ...RemedyOrder) string {
	s.t.Helper()
	m := s.deliberating(remedies...)
	s.do(vote(hours(6), usa, m, For))
	s.do(vote(hours(6), gbr, m, For))
	s.do(vote(hours(7), fra, m, Against))
	s.do(vote(hours(7), deu, m, For))
	s.do(vote(hours(8), pol, m, For))
	return m
}
