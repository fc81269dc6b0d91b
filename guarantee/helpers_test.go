package guarantee

import (
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/commission"
)

// effective is when the test ceasefire enters into force.
var effective = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

func date(month time.Month, d, h int) time.Time {
	return time.Date(2026, month, d, h, 0, 0, 0, time.UTC)
}

func testRules() Rules {
	parties := []agreement.Party{{Code: "UKR", Name: "Ukraine"}, {Code: "RUS", Name: "Russian Federation"}}
	cr := commission.Rules{Agreement: "test-ceasefire", Version: 1, Digest: "cccccccccccc", Parties: []string{"UKR", "RUS"},
		Terms: agreement.DefaultCommission(parties)}
	return Rules{
		Agreement: "test-ceasefire", Version: 1, Digest: "cccccccccccc", EffectiveFrom: effective,
		Parties: []string{"UKR", "RUS"},
		Terms: agreement.Guarantees{
			CredibleCessation: agreement.CessationCriteria{WindowDays: 14, MaxVerifiedPerDay: 2, MaxHeavyWeaponPerDay: 0, MinCoverage: 0.6},
			ArmedAttack:       agreement.AttackIndicators{Line: "contact", FireVolumePerDay: 500, GroundForcesAcrossLine: 1, StrikeDepthKM: 50},
		},
		Commission: cr,
	}
}

func actor(user, org string, roles ...string) Actor { return Actor{User: user, Org: org, Roles: roles} }

var (
	usa         = actor("alice", "USA", access.RoleCommissioner)
	coordinator = actor("camille", "FRA", access.RoleCoordinator)
	ukrOfficial = actor("oksana", "UKR", access.RoleCoordinator)
)

// vote puts a determination to the Commission one vote period before
// `at`, has the voting members in `yes` vote for it an hour later (the
// rest do not vote), and returns the tally at `at`, when the vote has
// closed.
func vote(t testing.TB, r Rules, id string, s Status, at time.Time, yes ...string) commission.Result {
	t.Helper()
	put := at.Add(-r.Commission.Terms.VotePeriod)
	m, err := commission.Propose(r.Commission, commission.Motion{ID: id, Question: commission.QuestionDetermination, Determination: string(s)}, usa, put)
	if err != nil {
		t.Fatal(err)
	}
	var votes []commission.Vote
	for _, org := range yes {
		v, err := commission.CastVote(r.Commission, m, votes, commission.Vote{Motion: id, Choice: commission.For, At: put.Add(time.Hour)},
			actor("member-"+org, org, access.RoleCommissioner))
		if err != nil {
			t.Fatal(err)
		}
		votes = append(votes, v)
	}
	return commission.Tally(r.Commission, m, votes, at)
}

var everyone = []string{"USA", "GBR", "FRA", "DEU", "ITA", "POL"}

// determine records a determination carried by every voting member.
func determine(t testing.TB, r Rules, prior []Determination, id string, s Status, party string, at time.Time) Determination {
	t.Helper()
	d, err := Determine(r, prior, Determination{ID: id, Status: s, Party: party, At: at, By: usa, Marking: access.Public, Motion: "M-" + id, Reasons: "as the Commission found"},
		vote(t, r, "M-"+id, s, at, everyone...), Compute(r, nil, nil, at))
	if err != nil {
		t.Fatal(err)
	}
	return d
}
