package guarantee

import (
	"errors"
	"strings"
	"testing"

	"github.com/truce-mechanism/truce/access"
)

func request(t testing.TB, prior []Request, id string, at int, domains ...Domain) Request {
	t.Helper()
	q, err := RecordRequest(prior, Request{ID: id, At: date(9, at, 0), By: ukrOfficial, Marking: access.Public, Domains: domains,
		Text: "Ukraine requests the reassurance measures of the Multinational Force"})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestReassuranceMeasures(t *testing.T) {
	r := testRules()
	cessation := func(t *testing.T) []Determination {
		return []Determination{determine(t, r, nil, "D-1", CredibleCessation, "", date(9, 20, 0))}
	}
	breachedAfter := func(t *testing.T) []Determination {
		d := cessation(t)
		return append(d, determine(t, r, d, "D-2", Breached, "RUS", date(9, 24, 0)))
	}
	asked := func(t *testing.T) []Request { return []Request{request(t, nil, "R-1", 15, Air, Sea)} }
	withdrawn := func(t *testing.T) []Request {
		q := asked(t)
		return append(q, request(t, q, "R-2", 21))
	}
	lateAsk := func(t *testing.T) []Request { return []Request{request(t, nil, "R-1", 25, Air)} }
	none := func(*testing.T) []Determination { return nil }
	noRequest := func(*testing.T) []Request { return nil }

	tests := []struct {
		name    string
		dets    func(*testing.T) []Determination
		reqs    func(*testing.T) []Request
		domain  Domain
		day     int
		refused []*Refusal // every rule the refusal must name
		msg     []string
	}{
		{"neither the request nor a credible cessation", none, noRequest, Air, 25, []*Refusal{ErrNoRequest, ErrNoCessation},
			[]string{"Ukraine has not requested reassurance measures", "no credible cessation of hostilities has been determined: the ceasefire is in force, with no determination"}},
		{"the request before a credible cessation", none, asked, Air, 18, []*Refusal{ErrNoCessation},
			[]string{"reassurance measure MF-1 cannot start: reassurance measures are implemented at Ukraine's request once a credible cessation of hostilities has taken place, and no credible cessation of hostilities has been determined: the ceasefire is in force, with no determination"}},
		{"a credible cessation without the request", cessation, noRequest, Air, 22, []*Refusal{ErrNoRequest},
			[]string{"Ukraine has not requested reassurance measures (a request signed by a user of UKR)"}},
		{"the request made after the start", cessation, lateAsk, Air, 22, []*Refusal{ErrNoRequest},
			[]string{"Ukraine has not requested"}},
		{"a domain Ukraine did not ask for", cessation, asked, Land, 22, []*Refusal{ErrNoRequest},
			[]string{"Ukraine's request R-1 of 2026-09-15 00:00 UTC asks for measures in the air, at sea, not on land"}},
		{"the request withdrawn", cessation, withdrawn, Air, 22, []*Refusal{ErrNoRequest},
			[]string{"Ukraine has not requested"}},
		{"the cessation since breached", breachedAfter, asked, Sea, 25, []*Refusal{ErrNoCessation},
			[]string{"the ceasefire is determined breached since 2026-09-24 00:00 UTC (determination D-2)"}},
		{"both, and the measure starts", cessation, asked, Sea, 22, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := StartMeasure(r, tc.dets(t), tc.reqs(t), Measure{ID: "MF-1", Name: "Black Sea maritime reassurance", Domain: tc.domain,
				Contributors: []string{"GBR", "FRA", "TUR"}, Start: date(9, tc.day, 0), By: coordinator, Marking: access.Mission})
			if tc.refused == nil {
				if err != nil || m.Request != "R-1" || m.Determination != "D-1" {
					t.Fatalf("measure %+v, %v", m, err)
				}
				return
			}
			if err == nil {
				t.Fatal("the measure was allowed to start")
			}
			for _, rule := range tc.refused {
				if !errors.Is(err, rule) {
					t.Errorf("the refusal does not name rule %s: %v", rule.Rule, err)
				}
			}
			for _, rule := range []*Refusal{ErrNoRequest, ErrNoCessation} {
				named := false
				for _, want := range tc.refused {
					named = named || want == rule
				}
				if !named && errors.Is(err, rule) {
					t.Errorf("the refusal names rule %s, which is met: %v", rule.Rule, err)
				}
			}
			for _, msg := range tc.msg {
				if !strings.Contains(err.Error(), msg) {
					t.Errorf("refusal %q\ndoes not say %q", err, msg)
				}
			}
		})
	}
}

func TestRequestsAndMeasuresNeedTheRightPeople(t *testing.T) {
	r := testRules()
	_, err := RecordRequest(nil, Request{ID: "R-1", At: date(9, 15, 0), By: coordinator, Marking: access.Public, Domains: []Domain{Air}, Text: "x"})
	if !errors.Is(err, ErrAuthority) || !strings.Contains(err.Error(), "the request is made by a user of UKR, not by camille of FRA") {
		t.Errorf("a request by France: %v", err)
	}
	_, err = RecordRequest(nil, Request{ID: "R-1", At: date(9, 15, 0), By: actor("v", "UKR", access.RoleViewer), Marking: access.Public, Domains: []Domain{Air}, Text: "x"})
	if !errors.Is(err, ErrAuthority) {
		t.Errorf("a request by a Ukrainian viewer: %v", err)
	}
	_, err = StartMeasure(r, nil, nil, Measure{ID: "MF-1", Name: "x", Domain: Air, Contributors: []string{"GBR"}, Start: date(9, 22, 0), By: usa, Marking: access.Mission})
	if !errors.Is(err, ErrAuthority) || !strings.Contains(err.Error(), "started by the coordination cell") {
		t.Errorf("a measure started by a commissioner: %v", err)
	}
}
