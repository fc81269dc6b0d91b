package server_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/server"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/sqlite"
)

// TestBrowserLogin: passwords, the session cookie, logout, throttling of
// guessers and refusal of cross-site requests.
func TestBrowserLogin(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir()+"/truce.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := clock
	srv := server.New(server.Config{Store: st, Now: func() time.Time { return now }})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.PutOrganisation(ctx, access.Organisation{Code: "UKR", Name: "Ukraine", Kind: access.KindParticipant}))
	must(st.PutUser(ctx, access.User{Name: "o.koval", Org: "UKR", Roles: []string{access.RoleMonitor}}))
	must(st.PutUser(ctx, access.User{Name: "gone", Org: "UKR", Roles: []string{access.RoleViewer}, Disabled: true}))
	must(st.PutUser(ctx, access.User{Name: "no.password", Org: "UKR", Roles: []string{access.RoleViewer}}))
	for _, u := range []string{"o.koval", "gone"} {
		h, err := access.HashPassword("correct horse battery", rand.Reader)
		must(err)
		must(st.SetPassword(ctx, u, h))
	}
	must(st.PutSource(ctx, store.Source{ID: "ukr-1", Org: "UKR", Kind: "monitor"}))
	demo := server.New(server.Config{Store: st, Now: func() time.Time { return now }, Demo: true})
	if rec := do(demo, "POST", "/api/v1/observations", `{"id":"u1","source":"ukr-1","observed_at":"2026-09-02T01:00:00Z","kind":"shot","marking":"REL TO UKR"}`, ""); rec.Code != 201 {
		t.Fatal(rec.Body)
	}

	login := func(user, password string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/api/v1/login", strings.NewReader(`{"user":"`+user+`","password":"`+password+`"}`))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	withCookie := func(method, path, cookie string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, nil)
		req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: cookie})
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}

	for _, c := range []struct{ name, user, password string }{
		{"a wrong password", "o.koval", "wrong horse battery"},
		{"an unknown user", "nobody", "correct horse battery"},
		{"a disabled user", "gone", "correct horse battery"},
		{"a user without a password", "no.password", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := login(c.user, c.password)
			if rec.Code != 401 || rec.Header().Get("Set-Cookie") != "" || !strings.Contains(rec.Body.String(), "wrong user name or password") {
				t.Fatalf("%d %s %q", rec.Code, rec.Body, rec.Header().Get("Set-Cookie"))
			}
		})
	}

	rec := login("o.koval", "correct horse battery")
	if rec.Code != 204 {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	var cookie *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == access.SessionCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie %+v", cookie)
	}
	if rec := withCookie("GET", "/api/v1/observations/ukr-1/u1", cookie.Value); rec.Code != 200 {
		t.Fatalf("reading with the session: %d", rec.Code)
	}
	// Another site making the browser post with the cookie is refused.
	body := `{"id":"x1","source":"ukr-1","observed_at":"2026-09-02T01:00:00Z","kind":"shot"}`
	req := httptest.NewRequest("POST", "/api/v1/observations", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: cookie.Value})
	csrf := httptest.NewRecorder()
	srv.ServeHTTP(csrf, req)
	if csrf.Code != 403 || !strings.Contains(csrf.Body.String(), "cross-site request forgery") {
		t.Fatalf("cross-site post: %d %s", csrf.Code, csrf.Body)
	}
	// The same post from the same site goes through.
	req = httptest.NewRequest("POST", "/api/v1/observations", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: cookie.Value})
	same := httptest.NewRecorder()
	srv.ServeHTTP(same, req)
	if same.Code != 201 {
		t.Fatalf("same-site post: %d %s", same.Code, same.Body)
	}

	if rec := withCookie("POST", "/api/v1/logout", cookie.Value); rec.Code != 204 {
		t.Fatalf("logout: %d", rec.Code)
	}
	if rec := withCookie("GET", "/api/v1/observations/ukr-1/u1", cookie.Value); rec.Code != 404 || !strings.Contains(rec.Header().Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("after logout the cookie should open nothing and be dropped: %d %q", rec.Code, rec.Header().Get("Set-Cookie"))
	}
	if rec := withCookie("GET", "/api/v1/observations/ukr-1/u1", "not-a-cookie"); rec.Code != 404 {
		t.Fatalf("a forged cookie: %d", rec.Code)
	}

	// A session expires.
	rec = login("o.koval", "correct horse battery")
	fresh := rec.Result().Cookies()[0].Value
	now = now.Add(access.DefaultSessionLifetime)
	if rec := withCookie("GET", "/api/v1/observations/ukr-1/u1", fresh); rec.Code != 404 {
		t.Fatalf("an expired session still reads: %d", rec.Code)
	}

	// Guessing is throttled per user, even with the right password after.
	for range 5 {
		login("o.koval", "guess guess guess")
	}
	rec = login("o.koval", "correct horse battery")
	if rec.Code != 429 || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("after five failures: %d %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	now = now.Add(6 * time.Minute)
	if rec := login("o.koval", "correct horse battery"); rec.Code != 204 {
		t.Fatalf("after the window: %d %s", rec.Code, rec.Body)
	}
}
