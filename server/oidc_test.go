package server_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/server"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/sqlite"
)

// fakeIdP is an OpenID Connect provider for tests: discovery, keys, and a
// token endpoint that answers each code with the claims the test set.
type fakeIdP struct {
	*httptest.Server
	key    *rsa.PrivateKey
	claims map[string]map[string]any // code → ID token claims
	signer *rsa.PrivateKey           // signs ID tokens (key, or a forger's)
}

func newFakeIdP(t *testing.T) *fakeIdP {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	idp := &fakeIdP{key: key, signer: key, claims: map[string]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": idp.URL, "authorization_endpoint": idp.URL + "/auth", "token_endpoint": idp.URL + "/token",
			"jwks_uri": idp.URL + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &idp.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		claims, ok := idp.claims[r.PostForm.Get("code")]
		if !ok {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: idp.signer}, (&jose.SignerOptions{}).WithHeader("kid", "k1").WithType("JWT"))
		if err != nil {
			t.Error(err)
			return
		}
		raw, err := jwt.Signed(sig).Claims(claims).Serialize()
		if err != nil {
			t.Error(err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": raw})
	})
	idp.Server = httptest.NewServer(mux)
	t.Cleanup(idp.Close)
	return idp
}

func TestOIDCLogin(t *testing.T) {
	ctx := context.Background()
	idp := newFakeIdP(t)
	st, err := sqlite.Open(ctx, t.TempDir()+"/truce.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, o := range []access.Organisation{{Code: "UKR", Name: "Ukraine", Kind: access.KindParticipant}, {Code: "GBR", Name: "UK", Kind: access.KindParticipant}} {
		if err := st.PutOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []access.User{
		{Name: "o.koval", Org: "UKR", Roles: []string{access.RoleViewer}},
		{Name: "j.smith", Org: "GBR", Roles: []string{access.RoleViewer}},
	} {
		if err := st.PutUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutSource(ctx, store.Source{ID: "ukr-1", Org: "UKR", Kind: "monitor"}); err != nil {
		t.Fatal(err)
	}
	demo := server.New(server.Config{Store: st, Now: func() time.Time { return clock }, Demo: true})
	if rec := do(demo, "POST", "/api/v1/observations", `{"id":"u1","source":"ukr-1","observed_at":"2026-09-02T01:00:00Z","kind":"shot","marking":"REL TO UKR"}`, ""); rec.Code != 201 {
		t.Fatal(rec.Body)
	}
	cfgFile := filepath.Join(t.TempDir(), "oidc.json")
	os.WriteFile(cfgFile, []byte(`{"providers":[{"org":"UKR","issuer":"`+idp.URL+`","client_id":"truce","client_secret":"s3cret","redirect_url":"https://truce.invalid/auth/oidc/UKR/callback"}]}`), 0o600)
	providers, err := server.LoadOIDCConfig(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{Store: st, Now: func() time.Time { return clock }, OIDC: providers, HTTPClient: idp.Client()})

	// start begins a login and returns the state cookie, state and nonce.
	start := func(t *testing.T) (*http.Cookie, string, string) {
		rec := do(srv, "GET", "/auth/oidc/UKR/login", "", "")
		if rec.Code != http.StatusFound {
			t.Fatalf("login start: %d %s", rec.Code, rec.Body)
		}
		loc, err := url.Parse(rec.Header().Get("Location"))
		if err != nil || !strings.HasPrefix(loc.String(), idp.URL+"/auth") || loc.Query().Get("client_id") != "truce" {
			t.Fatalf("redirect to %q", rec.Header().Get("Location"))
		}
		return rec.Result().Cookies()[0], loc.Query().Get("state"), loc.Query().Get("nonce")
	}
	claims := func(nonce string, edit func(map[string]any)) map[string]any {
		c := map[string]any{"iss": idp.URL, "aud": "truce", "sub": "ukr-0042", "nonce": nonce, "preferred_username": "o.koval",
			"iat": clock.Add(-time.Minute).Unix(), "exp": clock.Add(10 * time.Minute).Unix()}
		if edit != nil {
			edit(c)
		}
		return c
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	cases := []struct {
		name      string
		edit      func(map[string]any)
		badState  bool
		forged    bool
		wantCode  int
		wantError string
	}{
		{name: "a user of the organisation", wantCode: http.StatusFound},
		{name: "another organisation's user", edit: func(c map[string]any) { c["preferred_username"] = "j.smith" }, wantCode: 401, wantError: "not an active truce user of UKR"},
		{name: "someone truce does not know", edit: func(c map[string]any) { c["preferred_username"] = "stranger" }, wantCode: 401, wantError: "not an active truce user"},
		{name: "an expired token", edit: func(c map[string]any) { c["exp"] = clock.Add(-time.Minute).Unix() }, wantCode: 401, wantError: "ID token is not valid"},
		{name: "a token for another client", edit: func(c map[string]any) { c["aud"] = "someone-else" }, wantCode: 401, wantError: "ID token is not valid"},
		{name: "a token of another login", edit: func(c map[string]any) { c["nonce"] = "replayed" }, wantCode: 401, wantError: "not issued for this login"},
		{name: "a forged token", forged: true, wantCode: 401, wantError: "ID token is not valid"},
		{name: "a callback this browser did not start", badState: true, wantCode: 401, wantError: "not started here"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cookie, state, nonce := start(t)
			code := "code-" + string(rune('a'+i))
			idp.claims[code] = claims(nonce, c.edit)
			idp.signer = idp.key
			if c.forged {
				idp.signer = other
			}
			if c.badState {
				state = "guessed"
			}
			req := httptest.NewRequest("GET", "/auth/oidc/UKR/callback?code="+code+"&state="+state, nil)
			req.AddCookie(cookie)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != c.wantCode || !strings.Contains(rec.Body.String(), c.wantError) {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if c.wantCode != http.StatusFound {
				return
			}
			var session *http.Cookie
			for _, ck := range rec.Result().Cookies() {
				if ck.Name == access.SessionCookie {
					session = ck
				}
			}
			if session == nil || !session.HttpOnly || !session.Secure {
				t.Fatalf("no session cookie: %v", rec.Result().Cookies())
			}
			read := httptest.NewRequest("GET", "/api/v1/observations/ukr-1/u1", nil)
			read.AddCookie(session)
			got := httptest.NewRecorder()
			srv.ServeHTTP(got, read)
			if got.Code != 200 {
				t.Fatalf("reading UKR's record after the login: %d", got.Code)
			}
		})
	}
	if rec := do(srv, "GET", "/auth/oidc/GBR/login", "", ""); rec.Code != 404 {
		t.Fatalf("an organisation without a provider: %d", rec.Code)
	}
}

func TestLoadOIDCConfig(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ name, json, want string }{
		{"good", `{"providers":[{"org":"UKR","issuer":"https://id.gov.ua","client_id":"c","redirect_url":"https://x/cb"}]}`, ""},
		{"an unknown field", `{"providers":[{"org":"UKR","isuer":"https://id"}]}`, "unknown field"},
		{"a bad code", `{"providers":[{"org":"ukr","issuer":"https://id","client_id":"c","redirect_url":"r"}]}`, "providers[0]: org"},
		{"two for one organisation", `{"providers":[{"org":"UKR","issuer":"https://a","client_id":"c","redirect_url":"r"},{"org":"UKR","issuer":"https://b","client_id":"c","redirect_url":"r"}]}`, "providers[1]: a second provider"},
		{"no client", `{"providers":[{"org":"UKR","issuer":"https://a"}]}`, "client_id and redirect_url are required"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := filepath.Join(dir, string(rune('a'+i))+".json")
			os.WriteFile(f, []byte(c.json), 0o600)
			_, err := server.LoadOIDCConfig(f)
			if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("error %v; want %q", err, c.want)
			}
		})
	}
}
