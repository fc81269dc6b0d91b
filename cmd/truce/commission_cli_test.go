package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/server"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/sqlite"
)

// testClock is the server's and the CLI's clock in a test: the server
// reads it from its handlers' goroutines, the test moves it.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// procedureServer starts a server with the demo agreement, the
// Commission's organisations and users, a token for each user, and two
// events (ev-1 for the mission's participants, ev-public for all). The
// CLI's clock is the server's.
func procedureServer(t *testing.T) (url string, tokens map[string]string, clock *testClock) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	demo, err := agreement.Demo()
	if err != nil {
		t.Fatal(err)
	}
	versions := &agreement.Versions{}
	if err := versions.Add(demo); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 9, 2, 12, 0, 0, 0, time.UTC)
	clock = &testClock{t: start}
	ts := httptest.NewServer(server.New(server.Config{Store: st, Agreements: versions, Now: clock.now, Version: "test"}))
	t.Cleanup(ts.Close)
	saved := clockNow
	clockNow = clock.now
	t.Cleanup(func() { clockNow = saved })

	for _, o := range []access.Organisation{
		{Code: "USA", Name: "United States", Kind: access.KindParticipant, Commission: true},
		{Code: "GBR", Name: "United Kingdom", Kind: access.KindParticipant, Commission: true},
		{Code: "FRA", Name: "France", Kind: access.KindParticipant, Commission: true},
		{Code: "DEU", Name: "Germany", Kind: access.KindParticipant, Commission: true},
		{Code: "ITA", Name: "Italy", Kind: access.KindParticipant, Commission: true},
		{Code: "POL", Name: "Poland", Kind: access.KindParticipant, Commission: true},
		{Code: "RUS", Name: "Russian Federation", Kind: access.KindParty},
		{Code: "UKR", Name: "Ukraine", Kind: access.KindParty},
	} {
		if err := st.PutOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	tokens = map[string]string{}
	for _, u := range []struct {
		name, org, role string
	}{
		{"us.chair", "USA", access.RoleCommissioner},
		{"gb.commissioner", "GBR", access.RoleCommissioner},
		{"fr.commissioner", "FRA", access.RoleCommissioner},
		{"de.commissioner", "DEU", access.RoleCommissioner},
		{"it.commissioner", "ITA", access.RoleCommissioner},
		{"pl.commissioner", "POL", access.RoleCommissioner},
		{"ru.liaison", "RUS", access.RoleLiaison},
		{"ua.official", "UKR", access.RoleLiaison},
		{"us.cell", "USA", access.RoleCoordinator},
		{"gb.viewer", "GBR", access.RoleViewer},
	} {
		if err := st.PutUser(ctx, access.User{Name: u.name, Org: u.org, Roles: []string{u.role}}); err != nil {
			t.Fatal(err)
		}
		tok, text, err := access.NewToken(u.name, []access.Action{access.Act}, start.Add(-time.Hour), 60*24*time.Hour, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.PutToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		tokens[u.name] = text
	}
	for i, m := range []string{"MISSION", "PUBLIC"} {
		id := []string{"ev-1", "ev-public"}[i]
		lat, lon := 48.0, 38.0
		doc := `{"id":"` + id + `","version":1,"kind":"explosion","start":"2026-09-02T01:00:00Z","end":"2026-09-02T01:01:00Z","location":{"lat":48,"lon":38},"count":1,"marking":["` + m + `"]}`
		ev := store.EventRecord{ID: id, Version: 1, Kind: "explosion", Start: start.Add(-11 * time.Hour), End: start.Add(-11*time.Hour + time.Minute),
			Lat: &lat, Lon: &lon, Marking: m, Document: []byte(doc), Sequence: int64(i + 1)}
		if err := st.PutEvents(ctx, []store.EventRecord{ev}); err != nil {
			t.Fatal(err)
		}
	}
	return ts.URL, tokens, clock
}

// TestCommissionCLI runs the Commission's procedure and the guarantees
// through the CLI as the users of each organisation would type it: a
// case opened, notified, answered by the accused party's liaison, voted
// on (a second vote by one member refused with the API's reason, exit
// status 1), found and remedied; the ceasefire's table before and after
// a determination; an obligation falling overdue and its guarantor's
// report. Each step names who runs it; {case}, {motion} and {det} are
// the IDs earlier steps printed.
func TestCommissionCLI(t *testing.T) {
	srv, tokens, clock := procedureServer(t)
	const summary = "152 mm fire on Avdiivka from the east, sensor position sensitive"
	ids := map[string]string{}
	steps := []struct {
		name    string
		who     string // "" runs without a token
		advance time.Duration
		args    []string
		code    int
		want    []string
		lacks   []string
		capture map[string]*regexp.Regexp // a placeholder and where its value is in the output
	}{
		{name: "a party may not open a case", who: "ru.liaison",
			args: []string{"case", "open", "--accused", "RUS", "--event", "ev-1", "--summary", summary},
			code: 1, want: []string{"Not yours to do (403)", "commissioner"}},
		{name: "an event the opener may not see is named by pointer", who: "us.chair",
			args: []string{"case", "open", "--accused", "RUS", "--event", "ev-nowhere", "--summary", summary},
			code: 1, want: []string{"Invalid case (422)", "/events/0: no event ev-nowhere that you may see"}},
		{name: "without a token the server asks for one", who: "",
			args: []string{"case", "open", "--accused", "RUS", "--event", "ev-1", "--summary", summary},
			code: 1, want: []string{"Authentication required (401)", "--token", "TRUCE_TOKEN"}},
		{name: "the chair opens a case", who: "us.chair",
			args:    []string{"case", "open", "--accused", "RUS", "--event", "ev-1", "--rule", "fire-after-ceasefire", "--severity", "high", "--summary", summary},
			want:    []string{"opened against RUS", "not yet notified", "truce case notify"},
			capture: map[string]*regexp.Regexp{"{case}": regexp.MustCompile(`case (case-[0-9a-f]+) opened`)}},
		{name: "the deadline is the agreement's, not the sender's", who: "us.chair",
			args: []string{"case", "notify", "{case}", "--allegation", "x", "--deadline", "2026-09-03"},
			code: 1, want: []string{"--deadline: the reply deadline is set by the agreement"}},
		{name: "evidence not releasable to the party is refused", who: "us.chair",
			args: []string{"case", "notify", "{case}", "--allegation", "fire after the ceasefire", "--evidence", "event/ev-1"},
			code: 1, want: []string{"Evidence not releasable (422)", `"event/ev-1" is not an event or release releasable to RUS`}},
		{name: "the chair notifies the accused party", who: "us.chair",
			args: []string{"case", "notify", "{case}", "--allegation", "fire after the ceasefire on 2 September", "--evidence", "event/ev-public"},
			want: []string{"notified recorded", "RUS must reply by 2026-09-", "(in "}},
		{name: "the liaison sees the notice, not the deliberation", who: "ru.liaison",
			args:  []string{"case", "show", "{case}"},
			want:  []string{"awaiting the accused party's reply", "You see 1 of its actions", "fire after the ceasefire on 2 September", "Reply due"},
			lacks: []string{summary}},
		{name: "the liaison replies", who: "ru.liaison",
			args: []string{"case", "reply", "{case}", "--text", "the fire came from the other side", "--evidence", "photo-7"},
			want: []string{"replied recorded", "ready for deliberation, the reply received"}},
		{name: "one reply per notice", who: "ru.liaison",
			args: []string{"case", "reply", "{case}", "--text", "again"},
			code: 1, want: []string{"Refused by the procedure (409)", "already replied"}},
		{name: "the chair puts a finding to the vote", who: "us.chair",
			args: []string{"case", "motion", "{case}", "--outcome", "attributed", "--party", "RUS", "--reasons", "the origin lies in RUS-controlled area at p 0.99",
				"--remedy", "withdrawal=withdraw the 2S19 battery beyond 50 km"},
			want:    []string{"attributed to RUS, withdrawal", "is open for votes until", "(in 3 days)", "members must vote for a quorum"},
			capture: map[string]*regexp.Regexp{"{motion}": regexp.MustCompile(`motion (\S+) \(attributed`)}},
		{name: "a vote needs its choice", who: "us.chair", args: []string{"case", "vote", "{case}", "--reasons", "x"},
			code: 1, want: []string{"say how you vote"}},
		{name: "a party does not vote", who: "ru.liaison", args: []string{"case", "vote", "{case}", "--motion", "{motion}", "--for"},
			code: 1, want: []string{"(403)"}},
		{name: "USA votes for", who: "us.chair", args: []string{"case", "vote", "{case}", "--for", "--reasons", "on the evidence"},
			want: []string{"USA voted for on motion {motion}"}},
		{name: "GBR votes for", who: "gb.commissioner", args: []string{"case", "vote", "{case}", "--motion", "{motion}", "--for", "--reasons", "on the evidence"},
			want: []string{"GBR voted for"}},
		{name: "a second vote by GBR is refused with the API's reason", who: "gb.commissioner",
			args: []string{"case", "vote", "{case}", "--against", "--reasons", "changed my mind"},
			code: 1, want: []string{"Refused by the procedure (409)", "already voted"}},
		{name: "FRA votes against", who: "fr.commissioner", args: []string{"case", "vote", "{case}", "--against", "--reasons", "the geometry is weak"},
			want: []string{"FRA voted against"}},
		{name: "DEU votes for", who: "de.commissioner", args: []string{"case", "vote", "{case}", "--for", "--reasons", "on the evidence"}},
		{name: "ITA votes for", who: "it.commissioner", args: []string{"case", "vote", "{case}", "--for", "--reasons", "on the evidence"}},
		{name: "POL abstains", who: "pl.commissioner", args: []string{"case", "vote", "{case}", "--abstain", "--reasons", "no view"},
			want: []string{"POL voted abstain"}},
		{name: "the chair records the finding, with the dissent", who: "us.chair",
			args: []string{"case", "finding", "{case}", "--reasons", "the origin lies in RUS-controlled area"},
			want: []string{"finding: attributed to RUS", "dissent of FRA: the geometry is weak", "decided"}},
		{name: "the remedy is ordered, with its due date", who: "us.chair", args: []string{"case", "remedy", "{case}"},
			want:    []string{"remedy", "withdrawal on RUS, due 2026-09-"},
			capture: map[string]*regexp.Regexp{"{remedy}": regexp.MustCompile(`remedy (\S+): withdrawal`)}},
		{name: "a commissioner lists the cases", who: "gb.commissioner", args: []string{"case", "list"},
			want: []string{"CASE", "ACCUSED", "STATUS", "{case}", "RUS", "remedy"}},
		{name: "a commissioner reads the whole case", who: "gb.commissioner", args: []string{"case", "show", "{case}"},
			want:  []string{"at the stage of remedies", "Summary", summary, "Motions", "{motion}", "Votes", "FRA", "the geometry is weak", "Remedies", "withdraw the 2S19 battery", "Actions"},
			lacks: []string{"You see"}},
		{name: "the liaison still sees only what was released to it", who: "ru.liaison", args: []string{"case", "show", "{case}"},
			want: []string{"You see 2 of its actions"}, lacks: []string{"Dissent", "the geometry is weak", summary}},
		{name: "the case cannot close with a remedy outstanding", who: "us.chair", args: []string{"case", "close", "{case}", "--reasons", "done"},
			code: 1, want: []string{"(409)", "outstanding"}},
		{name: "the accused party reports compliance", who: "ru.liaison",
			args: []string{"case", "compliance", "{case}", "--remedy", "{remedy}", "--text", "the battery withdrew", "--evidence", "photo-9"},
			want: []string{"compliance_reported recorded"}},
		{name: "a member finds it complied with", who: "gb.commissioner",
			args: []string{"case", "assess", "{case}", "--remedy", "{remedy}", "--complied", "--reasons", "monitors saw the position empty"},
			want: []string{"compliance_assessed recorded"}},
		{name: "the case closes", who: "us.chair", args: []string{"case", "close", "{case}", "--reasons", "the remedy was complied with"},
			want: []string{"closed recorded", "the case is closed"}},
		{name: "reopening needs new evidence", who: "us.chair", args: []string{"case", "reopen", "{case}", "--event", "ev-1", "--reasons", "again"},
			code: 1, want: []string{"does not already cite"}},
		{name: "the case reopens on a new event", who: "us.chair", args: []string{"case", "reopen", "{case}", "--event", "ev-public", "--reasons", "a new event"},
			want: []string{"reopened recorded", "the case is open"}},
		{name: "a vote in the new round needs a motion of it", who: "us.chair", args: []string{"case", "vote", "{case}", "--for"},
			code: 1, want: []string{"no motion in its current round", "--motion"}},

		{name: "the ceasefire as a table", who: "gb.viewer", args: []string{"ceasefire"},
			want: []string{"The ceasefire is in force, with no determination (in_force), as of 2026-09-0", "WINDOW", "PARTY", "INTERVAL", "7 days 2026-08-26..2026-09-01",
				"30 days 2026-08-03..2026-09-01", "RUS", "UKR", "unattributed", "Credible-cessation criteria", "not met", "no coverage was recorded", "--json lists them all",
				"Signs of an armed attack in the last 7 days: none"}},
		{name: "a measure without Ukraine's request says so", who: "us.cell",
			args: []string{"reassurance", "measure", "--name", "air policing", "--domain", "air", "--contributors", "GBR,FRA"},
			code: 1, want: []string{"(409)", "Ukraine has not requested"}},
		{name: "Ukraine requests reassurance", who: "ua.official",
			args: []string{"reassurance", "request", "--domains", "air,sea", "--text", "Ukraine requests reassurance measures in the air and at sea"},
			want: []string{"reassurance measures requested in air, sea"}},
		{name: "the Commission puts a determination to the vote", who: "us.chair",
			args:    []string{"determination", "motion", "--determination", "credible_cessation", "--text", "fourteen quiet days"},
			want:    []string{"puts the determination credible_cessation to the vote until"},
			capture: map[string]*regexp.Regexp{"{det}": regexp.MustCompile(`motion (motion-[0-9a-f]+) puts`)}},
		{name: "USA votes on it", who: "us.chair", args: []string{"determination", "vote", "{det}", "--for", "--reasons", "the criteria"}},
		{name: "GBR votes on it", who: "gb.commissioner", args: []string{"determination", "vote", "{det}", "--for", "--reasons", "the criteria"}},
		{name: "FRA votes on it", who: "fr.commissioner", args: []string{"determination", "vote", "{det}", "--for", "--reasons", "the criteria"}},
		{name: "DEU votes on it", who: "de.commissioner", args: []string{"determination", "vote", "{det}", "--for", "--reasons", "the criteria"},
			want: []string{"DEU voted for on motion {det}"}},
		{name: "DEU may not vote twice", who: "de.commissioner", args: []string{"determination", "vote", "{det}", "--against"},
			code: 1, want: []string{"Refused by the procedure (409)", "already voted"}},
		{name: "the tally", who: "gb.commissioner", args: []string{"determination", "show", "{det}"},
			want: []string{"determination credible_cessation", "Vote open until", "4 for, 0 against", "Not voted: ITA, POL"}},
		{name: "not while the vote is open", who: "us.chair", args: []string{"determination", "record", "{det}", "--reasons", "fourteen days"},
			code: 1, want: []string{"(409)", "is open until"}},
		{name: "once it carried, the determination is recorded", who: "us.chair", advance: 73 * time.Hour,
			args: []string{"determination", "record", "{det}", "--reasons", "fourteen days within the criteria"},
			want: []string{"recorded: the ceasefire is in force, with a credible cessation of hostilities determined", "criteria met at the time: no"}},
		{name: "the determinations", who: "gb.viewer", args: []string{"determination", "list"},
			want: []string{"STATUS", "credible_cessation", "{det}", "us.chair (USA)"}},
		{name: "the ceasefire after it", who: "gb.viewer", args: []string{"ceasefire"},
			want: []string{"(credible_cessation)", "Determined credible_cessation at", "on motion {det}"}},
		{name: "the cell starts the measure", who: "us.cell",
			args: []string{"reassurance", "measure", "--name", "air policing", "--domain", "air", "--contributors", "GBR,FRA"},
			want: []string{"(air policing, air) started", "GBR, FRA"}},
		{name: "the reassurance list", who: "us.cell", args: []string{"reassurance", "list"},
			want: []string{"Requests", "air, sea", "Measures", "air policing"}},
		{name: "the cell records GBR's commitment", who: "us.cell",
			args: []string{"commitment", "add", "--guarantor", "GBR", "--component", "3", "--kind", "reassurance_measures", "--description", "a squadron for air policing",
				"--trigger", "credible_cessation_and_request", "--response-time", "72h", "--instrument", "Paris Declaration"},
			want: []string{"of GBR recorded", "response time 3 days"}},
		{name: "the commitments", who: "gb.viewer", args: []string{"commitment", "list"},
			want: []string{"GBR", "reassurance_measures", "politically_binding", "a squadron for air policing"}},
		{name: "the obligation is due in 3 days", who: "gb.viewer", args: []string{"obligation", "list"},
			want: []string{"OBLIGATION", "GBR", "reassurance_measures", "(in 3 days)", "not acknowledged"}, lacks: []string{"OVERDUE"}},
		{name: "nothing overdue yet", who: "gb.viewer", args: []string{"obligation", "list", "--overdue"},
			want: []string{"no overdue obligations"}},
		{name: "overdue once its response time passed, and escalated", who: "gb.viewer", advance: 80 * time.Hour, args: []string{"obligation", "list", "--overdue"},
			want: []string{"(overdue by 8 h)", "OVERDUE, not acknowledged", "escalated to"}},
		{name: "only the guarantor reports", who: "us.cell", args: []string{"obligation", "report", "commitment-", "--kind", "acknowledged"},
			code: 1, want: []string{"Not yours to do (403)", "only GBR reports"}},
		{name: "a kind the CLI does not know", who: "gb.commissioner", args: []string{"obligation", "report", "commitment-", "--kind", "done"},
			code: 1, want: []string{"acknowledged", "progress", "fulfilled"}},
		{name: "GBR reports it fulfilled, late", who: "gb.commissioner",
			args: []string{"obligation", "report", "commitment-", "--kind", "fulfilled", "--text", "four Typhoons on station"},
			want: []string{"reported fulfilled", "by gb.commissioner (GBR)", "recorded as late"}},
		{name: "no longer overdue", who: "gb.viewer", args: []string{"obligation", "list"},
			want: []string{"fulfilled 2026-09-"}, lacks: []string{"OVERDUE"}},
	}
	for _, s := range steps {
		clock.advance(s.advance)
		args := append([]string(nil), s.args...)
		for i := range args {
			for k, v := range ids {
				args[i] = strings.ReplaceAll(args[i], k, v)
			}
		}
		args = append(args, "--server", srv)
		if s.who != "" {
			args = append(args, "--token", tokens[s.who])
		}
		out, errs, code := run(t, "", args...)
		t.Logf("%s: truce %s (as %s)\n%s%s", s.name, strings.Join(s.args, " "), orDash(s.who), out, errs)
		if code != s.code {
			t.Fatalf("%s: %s: exit %d, want %d\nout: %s\nerr: %s", s.name, s.who, code, s.code, out, errs)
		}
		both := out + errs
		if strings.Contains(both, "goroutine ") || strings.Contains(both, "panic") {
			t.Errorf("%s: a Go stack trace:\n%s", s.name, both)
		}
		for _, w := range s.want {
			for k, v := range ids {
				w = strings.ReplaceAll(w, k, v)
			}
			if !strings.Contains(both, w) {
				t.Errorf("%s: output lacks %q:\n%s%s", s.name, w, out, errs)
			}
		}
		for _, l := range s.lacks {
			if strings.Contains(both, l) {
				t.Errorf("%s: output shows %q:\n%s", s.name, l, both)
			}
		}
		for k, re := range s.capture {
			m := re.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("%s: no %s in:\n%s", s.name, k, out)
			}
			ids[k] = m[1]
		}
	}

	// --json prints the API's own answer; the server and token may come
	// from the environment.
	t.Setenv(envServer, srv)
	t.Setenv(envToken, tokens["gb.commissioner"])
	out, errs, code := run(t, "", "case", "show", ids["{case}"], "--json")
	var v map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v["id"] != ids["{case}"] || v["complete"] != true {
		t.Errorf("case show --json: exit %d, %q\n%s", code, out, errs)
	}
	out, _, code = run(t, "", "obligation", "list", "--json")
	if code != 0 || !strings.Contains(out, `"obligations"`) || !strings.Contains(out, `"overdue": false`) {
		t.Errorf("obligation list --json: exit %d\n%s", code, out)
	}
}

// TestProcedureCLIErrors: what a user gets wrong before any request is
// sent is said plainly, naming the flag.
func TestProcedureCLIErrors(t *testing.T) {
	t.Setenv(envServer, "")
	t.Setenv(envToken, "")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no server", []string{"ceasefire"}, "which server? give --server URL, or set TRUCE_SERVER"},
		{"not a URL", []string{"case", "list", "--server", "truce.example.org"}, "want an http or https URL"},
		{"unreachable", []string{"obligation", "list", "--server", "http://127.0.0.1:1"}, "cannot reach the server at http://127.0.0.1:1"},
		{"open without evidence", []string{"case", "open", "--accused", "RUS", "--server", "http://127.0.0.1:1"}, "--event ID or --incident ID"},
		{"two choices", []string{"determination", "vote", "m-1", "--for", "--against", "--server", "http://127.0.0.1:1"}, "one of --for, --against or --abstain"},
		{"a remedy without terms", []string{"case", "motion", "c-1", "--outcome", "attributed", "--remedy", "withdrawal", "--server", "http://127.0.0.1:1"}, "KIND=TERMS"},
		{"assess both ways", []string{"case", "assess", "c-1", "--remedy", "r", "--complied", "--not-complied", "--server", "http://127.0.0.1:1"}, "--complied or --not-complied"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, errs, code := run(t, "", c.args...)
			if code == 0 || !strings.Contains(errs, c.want) {
				t.Errorf("exit %d, %q; want %q", code, errs, c.want)
			}
		})
	}
}

// TestSpan: deadlines are read at a glance.
func TestSpan(t *testing.T) {
	now := time.Date(2026, 9, 2, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{now.Add(49 * time.Hour), "in 2 days 1 h"},
		{now.Add(72 * time.Hour), "in 3 days"},
		{now.Add(-3*time.Hour - 5*time.Minute), "overdue by 3 h"},
		{now.Add(90 * time.Second), "in 1 min"},
		{now.Add(24 * time.Hour), "in 1 day"},
	} {
		if got := dueIn(c.at, now); got != c.want {
			t.Errorf("dueIn(%s) = %q, want %q", c.at.Sub(now), got, c.want)
		}
	}
}
