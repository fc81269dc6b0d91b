package server

import (
	"net/http"
	"testing"

	"github.com/truce-mechanism/truce/commission"
	"github.com/truce-mechanism/truce/guarantee"
)

// TestRefusalStatuses: each rule of the procedure answers with the status
// its kind calls for — who may act 403, the state of the procedure 409,
// the rest 422 — and the refusal's reason is the detail.
func TestRefusalStatuses(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{&commission.Refusal{Rule: commission.RuleMembership, Reason: "r"}, http.StatusForbidden},
		{&commission.Refusal{Rule: commission.RuleAccusedParty, Reason: "r"}, http.StatusForbidden},
		{&commission.Refusal{Rule: commission.RuleProcedure, Reason: "r"}, http.StatusConflict},
		{&commission.Refusal{Rule: commission.RuleOneVote, Reason: "r"}, http.StatusConflict},
		{&commission.Refusal{Rule: commission.RuleVoteOpen, Reason: "r"}, http.StatusConflict},
		{&commission.Refusal{Rule: commission.RuleVoteClosed, Reason: "r"}, http.StatusConflict},
		{&commission.Refusal{Rule: commission.RuleQuorum, Reason: "r"}, http.StatusConflict},
		{&commission.Refusal{Rule: commission.RuleMajority, Reason: "r"}, http.StatusConflict},
		{&commission.Refusal{Rule: commission.RuleRightToReply, Reason: "r"}, http.StatusConflict},
		{&commission.Refusal{Rule: commission.RuleAgreementVersion, Reason: "r"}, http.StatusConflict},
		{&commission.Refusal{Rule: commission.RuleInput, Reason: "r"}, http.StatusUnprocessableEntity},
		{&commission.Refusal{Rule: commission.RuleLadder, Reason: "r"}, http.StatusUnprocessableEntity},
		{&guarantee.Refusal{Rule: guarantee.RuleAuthority, Reason: "r"}, http.StatusForbidden},
		{&guarantee.Refusal{Rule: guarantee.RuleStatus, Reason: "r"}, http.StatusConflict},
		{&guarantee.Refusal{Rule: guarantee.RuleDecision, Reason: "r"}, http.StatusConflict},
		{&guarantee.Refusal{Rule: guarantee.RuleRequest, Reason: "r"}, http.StatusConflict},
		{&guarantee.Refusal{Rule: guarantee.RuleCessation, Reason: "r"}, http.StatusConflict},
		{&guarantee.Refusal{Rule: guarantee.RuleOverdue, Reason: "r"}, http.StatusConflict},
		{&guarantee.Refusal{Rule: guarantee.RuleInput, Reason: "r"}, http.StatusUnprocessableEntity},
	} {
		p, ok := refusalProblem(tc.err).(*Problem)
		if !ok || p.Status != tc.want || p.Detail != "r" {
			t.Errorf("%v → %+v; want status %d, detail %q", tc.err, p, tc.want, "r")
		}
	}
}
