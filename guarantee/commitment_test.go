package guarantee

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
)

const day24 = 24 * time.Hour

func commitments(t testing.TB) []Commitment {
	t.Helper()
	declaration := LegalBasis{Binding: PoliticallyBinding, Instrument: "Paris Declaration, 6 January 2026", Ratification: RatificationNotRequired}
	treaty := LegalBasis{Binding: LegallyBinding, Instrument: "Germany–Ukraine security guarantee treaty", Ratification: RatificationPending}
	in := []Commitment{
		{ID: "C-FRA-1", Guarantor: "FRA", Component: 5, Kind: Training, Description: "train two brigades", Trigger: TriggerInForce, ResponseTime: agreement.Period(30 * day24), Legal: declaration},
		{ID: "C-GBR-1", Guarantor: "GBR", Component: 3, Kind: ReassuranceMeasures, Description: "maritime task group, Black Sea", Trigger: TriggerCessationAndRequest, ResponseTime: agreement.Period(14 * day24), Legal: declaration},
		{ID: "C-USA-1", Guarantor: "USA", Component: 4, Kind: Intelligence, Description: "intelligence support", Trigger: TriggerArmedAttack, ResponseTime: agreement.Period(day24), Legal: declaration},
		{ID: "C-DEU-1", Guarantor: "DEU", Component: 2, Kind: DepotSupport, Description: "air-defence interceptors from depots", Trigger: TriggerArmedAttack, ResponseTime: agreement.Period(3 * day24), Legal: treaty},
	}
	var out []Commitment
	for _, c := range in {
		c.At, c.By, c.Marking = date(8, 20, 0), actor("officer-"+c.Guarantor, c.Guarantor, access.RoleCoordinator), "REL TO USA, UKR, "+c.Guarantor
		got, err := RecordCommitment(out, c)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got)
	}
	return out
}

func TestCommitmentRefusals(t *testing.T) {
	good := Commitment{ID: "C-X", Guarantor: "NLD", Component: 4, Kind: Sanctions, Description: "additional sanctions", Trigger: TriggerArmedAttack,
		ResponseTime: agreement.Period(7 * day24), Legal: LegalBasis{Binding: PoliticallyBinding, Ratification: RatificationNotRequired},
		At: date(8, 25, 0), By: actor("nl", "NLD", access.RoleViewer, access.RoleCoordinator), Marking: access.Mission}
	tests := []struct {
		name   string
		change func(c *Commitment)
		rule   *Refusal
		msg    string
	}{
		{"a kind outside its component", func(c *Commitment) { c.Component = 5 }, ErrInput, "component 5 covers training, joint_production, intelligence, not \"sanctions\""},
		{"a component the declaration does not have", func(c *Commitment) { c.Component = 1 }, ErrInput, "components 2 to 5 of the declaration, not 1"},
		{"reassurance on the wrong trigger", func(c *Commitment) { c.Component, c.Kind, c.Trigger = 3, ReassuranceMeasures, TriggerInForce }, ErrInput,
			"reassurance measures are implemented at Ukraine's request once a credible cessation has taken place; their trigger is \"credible_cessation_and_request\""},
		{"legally binding without an instrument", func(c *Commitment) { c.Legal.Binding = LegallyBinding }, ErrInput, "legally binding: name the instrument"},
		{"no response time", func(c *Commitment) { c.ResponseTime = 0 }, ErrInput, "needs a response time"},
		{"another nation's commitment", func(c *Commitment) { c.By = actor("bob", "BEL", access.RoleViewer) }, ErrAuthority,
			"a commitment of NLD is recorded by NLD or by the coordination cell; bob of BEL is neither"},
		{"superseding what is not there", func(c *Commitment) { c.Supersedes = "C-NONE" }, ErrInput, "supersedes \"C-NONE\", which is not recorded"},
		{"superseding another guarantor's", func(c *Commitment) { c.Supersedes = "C-FRA-1" }, ErrInput, "cannot supersede C-FRA-1, a commitment of FRA"},
	}
	prior := commitments(t)
	if _, err := RecordCommitment(prior, good); err != nil {
		t.Fatalf("the good commitment: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.change(&c)
			_, err := RecordCommitment(prior, c)
			if !errors.Is(err, tc.rule) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %v\nwant rule %s saying %q", err, tc.rule.Rule, tc.msg)
			}
		})
	}
}

// TestFromTriggersToObligations: the ceasefire enters into force, a
// credible cessation is determined and Ukraine asks; later an armed
// attack is determined. Each trigger creates its obligations; guarantors
// acknowledge and report; what is overdue escalates.
func TestFromTriggersToObligations(t *testing.T) {
	r := testRules()
	cs := commitments(t)
	var dets []Determination
	dets = append(dets, determine(t, r, dets, "D-1", CredibleCessation, "", date(9, 20, 0)))
	reqs := []Request{request(t, nil, "R-1", 22, Air, Sea, Land)}
	dets = append(dets, determine(t, r, dets, "D-2", ArmedAttack, "RUS", date(10, 10, 0)))

	now := date(10, 12, 0)
	acts := Activations(r, dets, reqs, now)
	var got []string
	for _, a := range acts {
		got = append(got, a.ID+" "+strings.Join(a.Basis, "+"))
	}
	want := []string{
		"ceasefire_in_force@2026-09-01T00:00:00Z ",
		"credible_cessation_and_request@2026-09-22T00:00:00Z D-1+R-1",
		"armed_attack@2026-10-10T00:00:00Z D-2",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("activations\n got %q\nwant %q", got, want)
	}
	if early := Activations(r, dets, reqs, date(9, 21, 0)); len(early) != 1 {
		t.Errorf("before Ukraine's request only the entry into force has fired: %+v", early)
	}

	var obs []Obligation
	for _, a := range acts {
		obs = append(obs, Activate(cs, a, now)...)
	}
	var ids []string
	for _, o := range obs {
		ids = append(ids, o.ID+" due "+stamp(o.Due))
	}
	wantIDs := []string{
		"C-FRA-1/ceasefire_in_force@2026-09-01T00:00:00Z due 2026-10-01 00:00 UTC",
		"C-GBR-1/credible_cessation_and_request@2026-09-22T00:00:00Z due 2026-10-06 00:00 UTC",
		"C-USA-1/armed_attack@2026-10-10T00:00:00Z due 2026-10-11 00:00 UTC",
		"C-DEU-1/armed_attack@2026-10-10T00:00:00Z due 2026-10-13 00:00 UTC",
	}
	if !reflect.DeepEqual(ids, wantIDs) {
		t.Fatalf("obligations\n got %q\nwant %q", ids, wantIDs)
	}
	fra, gbr, usaOb, deu := obs[0], obs[1], obs[2], obs[3]

	// Reports: the guarantor acknowledges and reports; nobody else may.
	var reports []Report
	add := func(o Obligation, rep Report) error {
		rep.Obligation, rep.Marking = o.ID, access.Mission
		got, err := RecordReport(o, reports, rep)
		if err == nil {
			reports = append(reports, got)
		}
		return err
	}
	if err := add(gbr, Report{ID: "P-1", Kind: Acknowledged, At: date(9, 23, 0), By: actor("g", "GBR", access.RoleCoordinator)}); err != nil {
		t.Fatal(err)
	}
	if err := add(gbr, Report{ID: "P-2", Kind: Acknowledged, At: date(9, 24, 0), By: actor("g", "GBR", access.RoleCoordinator)}); !errors.Is(err, ErrStatus) {
		t.Errorf("a second acknowledgement: %v", err)
	}
	if err := add(gbr, Report{ID: "P-3", Kind: Fulfilment, At: date(9, 24, 0), By: actor("x", "FRA", access.RoleCoordinator), Text: "done"}); !errors.Is(err, ErrAuthority) ||
		!strings.Contains(err.Error(), "is owed by GBR, and only GBR reports on it; x of FRA may not") {
		t.Errorf("a report by another nation: %v", err)
	}
	if err := add(gbr, Report{ID: "P-4", Kind: Fulfilment, At: date(10, 1, 0), By: actor("g", "GBR", access.RoleCoordinator), Text: "task group on station", Complete: true}); err != nil {
		t.Fatal(err)
	}
	if err := add(gbr, Report{ID: "P-5", Kind: Fulfilment, At: date(10, 2, 0), By: actor("g", "GBR", access.RoleCoordinator), Text: "more"}); !errors.Is(err, ErrStatus) {
		t.Errorf("a report after fulfilment: %v", err)
	}
	// France fulfils late: accepted, and marked late.
	if err := add(fra, Report{ID: "P-6", Kind: Fulfilment, At: date(10, 3, 0), By: actor("f", "FRA", access.RoleCoordinator), Text: "two brigades trained", Complete: true}); err != nil {
		t.Fatal(err)
	}
	if !reports[len(reports)-1].Late {
		t.Error("France's fulfilment after its due time is not marked late")
	}
	// The United States acknowledges the intelligence obligation but does
	// not report fulfilment; Germany says nothing.
	if err := add(usaOb, Report{ID: "P-7", Kind: Acknowledged, At: date(10, 10, 6), By: actor("u", "USA", access.RoleCoordinator)}); err != nil {
		t.Fatal(err)
	}

	var states []ObligationState
	for _, o := range obs {
		states = append(states, Track(o, reports))
	}
	tests := []struct {
		at   time.Time
		want []string // obligation ID prefix, level
	}{
		{date(10, 10, 12), nil},
		{date(10, 11, 6), []string{"C-USA-1 1"}},
		{date(10, 12, 0), []string{"C-USA-1 2"}},
		{date(10, 13, 6), []string{"C-USA-1 2", "C-DEU-1 1"}},
		{date(10, 20, 0), []string{"C-USA-1 2", "C-DEU-1 2"}},
	}
	for _, tc := range tests {
		var got []string
		for _, e := range Escalations(states, tc.at) {
			got = append(got, strings.SplitN(e.Obligation.ID, "/", 2)[0]+" "+string(rune('0'+e.Level)))
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("at %s: escalations %v, want %v", stamp(tc.at), got, tc.want)
		}
	}
	// An obligation overdue is refused as settled, and says why.
	err := states[2].Check(date(10, 11, 6))
	if !errors.Is(err, ErrOverdue) || err.Error() != "obligation C-USA-1/armed_attack@2026-10-10T00:00:00Z of USA (intelligence) was due at 2026-10-11 00:00 UTC and is overdue by 6 h, acknowledged at 2026-10-10 06:00 UTC but not fulfilled; escalated to the US/Ukraine/Coalition coordination cell" {
		t.Errorf("overdue: %v", err)
	}
	err = states[3].Check(date(10, 20, 0))
	if !errors.Is(err, ErrOverdue) || !strings.Contains(err.Error(), "is overdue by 7 days, not acknowledged; escalated to the guarantors' governments") {
		t.Errorf("overdue: %v", err)
	}
	for _, s := range []ObligationState{states[0], states[1]} {
		if err := s.Check(date(12, 1, 0)); err != nil {
			t.Errorf("%s was fulfilled: %v", s.ID, err)
		}
	}

	// Germany ratifies: a new record supersedes the commitment, and the
	// obligation stays the same one.
	ratified := cs[3]
	ratified.ID, ratified.Supersedes, ratified.At = "C-DEU-2", "C-DEU-1", date(10, 11, 0)
	ratified.Legal.Ratification = Ratified
	r2, err := RecordCommitment(cs, ratified)
	if err != nil {
		t.Fatal(err)
	}
	cs = append(cs, r2)
	if r2.Root != "C-DEU-1" {
		t.Errorf("root %q", r2.Root)
	}
	cur := CurrentCommitments(cs, date(10, 12, 0))
	if len(cur) != 4 || cur[3].ID != "C-DEU-2" {
		t.Errorf("current commitments %+v", cur)
	}
	again := Activate(cs, acts[2], date(10, 12, 0))
	if len(again) != 2 || again[1].ID != deu.ID || again[1].Commitment != "C-DEU-2" {
		t.Errorf("after the change: %+v", again)
	}
	if _, err := RecordCommitment(cs, Commitment{ID: "C-DEU-3", Supersedes: "C-DEU-1", Guarantor: "DEU", Component: 2, Kind: DepotSupport, Description: "x",
		Trigger: TriggerArmedAttack, ResponseTime: agreement.Period(day24), Legal: LegalBasis{Binding: PoliticallyBinding, Ratification: RatificationNotRequired},
		At: date(10, 12, 0), By: actor("d", "DEU", access.RoleCoordinator), Marking: access.Mission}); !errors.Is(err, ErrInput) {
		t.Errorf("superseding a superseded commitment: %v", err)
	}
}

// TestCessationTriggerNeedsAStandingRequest: a request withdrawn before
// the cessation does not count; the trigger fires when Ukraine asks
// again, and not at all if the cessation has ended by then.
func TestCessationTriggerNeedsAStandingRequest(t *testing.T) {
	r := testRules()
	var reqs []Request
	reqs = append(reqs, request(t, reqs, "R-1", 10, Air))
	reqs = append(reqs, request(t, reqs, "R-2", 12)) // withdrawn
	var dets []Determination
	dets = append(dets, determine(t, r, dets, "D-1", CredibleCessation, "", date(9, 20, 0)))
	cessationTriggers := func(reqs []Request, dets []Determination) []string {
		var out []string
		for _, a := range Activations(r, dets, reqs, date(12, 1, 0)) {
			if a.Trigger == TriggerCessationAndRequest {
				out = append(out, a.ID+" "+strings.Join(a.Basis, "+"))
			}
		}
		return out
	}
	if got := cessationTriggers(reqs, dets); len(got) != 0 {
		t.Errorf("with the request withdrawn: %q", got)
	}
	again := append(slices.Clone(reqs), request(t, reqs, "R-3", 25, Land))
	if got := cessationTriggers(again, dets); !reflect.DeepEqual(got, []string{"credible_cessation_and_request@2026-09-25T00:00:00Z D-1+R-3"}) {
		t.Errorf("asked again: %q", got)
	}
	breached := append(slices.Clone(dets), determine(t, r, dets, "D-2", Breached, "RUS", date(9, 23, 0)))
	if got := cessationTriggers(again, breached); len(got) != 0 {
		t.Errorf("asked again after the cessation ended: %q", got)
	}
}
