package access

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	nato    = Organisation{Code: "NATO_X", Name: "Lead", Kind: KindLead}
	usa     = Organisation{Code: "USA", Name: "United States", Kind: KindParticipant, Commission: true}
	gbr     = Organisation{Code: "GBR", Name: "United Kingdom", Kind: KindParticipant}
	rus     = Organisation{Code: "RUS", Name: "Russian Federation", Kind: KindParty}
	osceObs = Organisation{Code: "OBS", Name: "Observer", Kind: KindObserver}
)

// TestCanSee is the marking matrix: every kind of reader against every
// kind of marking.
func TestCanSee(t *testing.T) {
	readers := map[string]Reader{
		"anonymous":        Anonymous,
		"demo":             DemoUser,
		"lead viewer":      ReaderFor(User{Name: "a", Org: nato.Code, Roles: []string{RoleViewer}}, nato),
		"USA commissioner": ReaderFor(User{Name: "b", Org: usa.Code, Roles: []string{RoleCommissioner}}, usa),
		"USA analyst":      ReaderFor(User{Name: "c", Org: usa.Code, Roles: []string{RoleAnalyst}}, usa),
		"GBR commissioner": ReaderFor(User{Name: "d", Org: gbr.Code, Roles: []string{RoleCommissioner}}, gbr), // GBR is not on the Commission
		"RUS liaison":      ReaderFor(User{Name: "e", Org: rus.Code, Roles: []string{RoleLiaison}}, rus),
		"observer":         ReaderFor(User{Name: "f", Org: osceObs.Code, Roles: []string{RoleViewer}}, osceObs),
	}
	markings := []string{"PUBLIC", "MISSION", "COMMISSION", "REL TO USA", "REL TO GBR, USA", "REL TO RUS", "REL TO USAX", "mission", "REL TO", ""}
	// want[reader] lists the markings it sees.
	want := map[string][]string{
		"anonymous":        {"PUBLIC"},
		"demo":             markings,
		"lead viewer":      {"PUBLIC", "MISSION"},
		"USA commissioner": {"PUBLIC", "MISSION", "COMMISSION", "REL TO USA", "REL TO GBR, USA"},
		"USA analyst":      {"PUBLIC", "MISSION", "REL TO USA", "REL TO GBR, USA"},
		"GBR commissioner": {"PUBLIC", "MISSION", "REL TO GBR, USA"},
		"RUS liaison":      {"PUBLIC", "REL TO RUS"},
		"observer":         {"PUBLIC"},
	}
	for name, r := range readers {
		for _, m := range markings {
			expect := false
			for _, w := range want[name] {
				expect = expect || w == m
			}
			if got := r.CanSee(m); got != expect {
				t.Errorf("%s sees %q: %v; want %v", name, m, got, expect)
			}
		}
	}
}

func TestMay(t *testing.T) {
	monitor := ReaderFor(User{Name: "m", Org: "USA", Roles: []string{RoleMonitor}}, usa)
	analyst := ReaderFor(User{Name: "a", Org: "USA", Roles: []string{RoleAnalyst, RoleViewer}}, usa)
	cases := []struct {
		name   string
		r      Reader
		action Action
		want   bool
	}{
		{"a monitor submits", monitor, Submit, true},
		{"a monitor does not withdraw", monitor, Withdraw, false},
		{"an analyst withdraws", analyst, Withdraw, true},
		{"an analyst does not submit", analyst, Submit, false},
		{"the public does nothing", Anonymous, Submit, false},
		{"the demo user does everything", DemoUser, Withdraw, true},
		{"a read-only token of a monitor", monitor.Scoped(Token{}), Submit, false},
		{"a submit token of a monitor", monitor.Scoped(Token{Scopes: []Action{Submit}}), Submit, true},
		{"a withdraw token of a monitor gives no more than the user has", monitor.Scoped(Token{Scopes: []Action{Withdraw}}), Withdraw, false},
		{"an analyst releases", analyst, Release, true},
		{"a monitor does not release", monitor, Release, false},
		{"a viewer does not release", ReaderFor(User{Name: "v", Org: "USA", Roles: []string{RoleViewer}}, usa), Release, false},
		{"the public does not release", Anonymous, Release, false},
		{"a release token of an analyst", analyst.Scoped(Token{Scopes: []Action{Release}}), Release, true},
		{"a withdraw token of an analyst does not release", analyst.Scoped(Token{Scopes: []Action{Withdraw}}), Release, false},
	}
	for _, c := range cases {
		if got := c.r.May(c.action); got != c.want {
			t.Errorf("%s: %v; want %v", c.name, got, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"good organisation", usa.Validate(), ""},
		{"lower-case code", Organisation{Code: "usa", Name: "x", Kind: KindParty}.Validate(), "code \"usa\""},
		{"unknown kind", Organisation{Code: "USA", Name: "x", Kind: "ally"}.Validate(), "kind \"ally\""},
		{"no name", Organisation{Code: "USA", Kind: KindParty}.Validate(), "name is empty"},
		{"good user", User{Name: "j.smith", Org: "USA", Roles: []string{RoleViewer}}.Validate(), ""},
		{"bad user name", User{Name: "J Smith", Org: "USA", Roles: []string{RoleViewer}}.Validate(), "name \"J Smith\""},
		{"no role", User{Name: "js", Org: "USA"}.Validate(), "at least one role"},
		{"unknown role", User{Name: "js", Org: "USA", Roles: []string{"general"}}.Validate(), "role \"general\""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.want == "" {
				if c.err != nil {
					t.Fatal(c.err)
				}
				return
			}
			if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
				t.Fatalf("error %v; want one containing %q", c.err, c.want)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	now := time.Date(2026, 9, 2, 12, 0, 0, 0, time.UTC)
	rnd := bytes.NewReader(bytes.Repeat([]byte{7, 1, 9}, 100)) // deterministic
	tok, text, err := NewToken("j.smith", []Action{Submit}, now, 24*time.Hour, rnd)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text, "truce_"+tok.ID+"_") || strings.Contains(text, "=") {
		t.Fatalf("token text %q", text)
	}
	id, secret, err := ParseToken(text)
	if err != nil || id != tok.ID {
		t.Fatalf("parse: %q %v", id, err)
	}
	revoked := tok
	revoked.Revoked = now
	cases := []struct {
		name   string
		tok    Token
		secret []byte
		at     time.Time
		want   error
	}{
		{"valid", tok, secret, now.Add(time.Hour), nil},
		{"wrong secret", tok, append([]byte{secret[0] ^ 1}, secret[1:]...), now, ErrTokenUnknown},
		{"expired", tok, secret, now.Add(24 * time.Hour), ErrTokenExpired},
		{"revoked", revoked, secret, now, ErrTokenRevoked},
	}
	for _, c := range cases {
		if err := c.tok.Check(c.secret, c.at); !errors.Is(err, c.want) {
			t.Errorf("%s: %v; want %v", c.name, err, c.want)
		}
	}
	for _, bad := range []string{"", "truce_", "Bearer x", "truce_0123456789abcdef_short", "truce_0123456789ABCDEF_" + strings.Repeat("A", 43), text + "x"} {
		if _, _, err := ParseToken(bad); !errors.Is(err, ErrTokenMalformed) {
			t.Errorf("ParseToken(%q): %v", bad, err)
		}
	}
	if _, _, err := NewToken("x", []Action{"admin"}, now, time.Hour, rnd); err == nil {
		t.Error("an unknown scope was accepted")
	}
	if _, _, err := NewToken("x", nil, now, 0, rnd); err == nil {
		t.Error("a token that never expires was made")
	}
}

func FuzzParseToken(f *testing.F) {
	f.Add("truce_0123456789abcdef_" + strings.Repeat("A", 43))
	f.Add("truce__")
	f.Add("Bearer truce_x")
	f.Fuzz(func(t *testing.T, s string) {
		id, secret, err := ParseToken(s)
		if err == nil && (len(id) != 16 || len(secret) != 32) {
			t.Fatalf("%q parsed into id %q and %d bytes", s, id, len(secret))
		}
	})
}
