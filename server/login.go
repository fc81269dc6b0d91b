package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/store"
)

// Login throttling: after loginFailures failed logins for one user, or
// from one address, within loginWindow, further attempts are refused with
// 429 until the window has passed.
const (
	loginFailures = 5
	loginWindow   = 5 * time.Minute
)

// loginThrottle counts failed logins per user and per address.
type loginThrottle struct {
	mu       sync.Mutex
	failures map[string][]time.Time
}

// blocked reports whether key has failed too often lately, and until when.
func (t *loginThrottle) blocked(key string, now time.Time) (bool, time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	recent := t.recent(key, now)
	if len(recent) >= loginFailures {
		return true, recent[0].Add(loginWindow)
	}
	return false, time.Time{}
}

func (t *loginThrottle) fail(now time.Time, keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.failures == nil {
		t.failures = map[string][]time.Time{}
	}
	for _, k := range keys {
		t.failures[k] = append(t.recent(k, now), now)
	}
}

// recent drops failures older than the window (the caller holds mu).
func (t *loginThrottle) recent(key string, now time.Time) []time.Time {
	fs := t.failures[key]
	i := 0
	for i < len(fs) && !fs[i].After(now.Add(-loginWindow)) {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.failures, key)
	} else {
		t.failures[key] = fs
	}
	return fs
}

// dummyHash makes a login for an unknown user cost what a real check costs,
// so timing does not tell which users exist.
var dummyHash = sync.OnceValue(func() string {
	h, _ := access.HashPassword("not a password of anyone", rand.Reader)
	return h
})

// login answers POST /api/v1/login with {"user", "password"} (JSON or a
// form): a session cookie, or 401 saying only that it failed.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	user, password, err := loginForm(r)
	if err != nil {
		s.writeProblem(w, r, newProblem(codeMalformed, err.Error()))
		return
	}
	now := s.now()
	addr := "addr:" + clientAddr(r)
	for _, key := range []string{"user:" + user, addr} {
		if blocked, until := s.throttle.blocked(key, now); blocked {
			w.Header().Set("Retry-After", strconv.Itoa(int(until.Sub(now).Seconds())+1))
			s.writeProblem(w, r, newProblem(codeThrottled, "too many failed logins; wait and try again"))
			return
		}
	}
	u, ok, err := s.checkLogin(r.Context(), user, password)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if !ok {
		s.throttle.fail(now, "user:"+user, addr)
		s.audit.add(store.AuditEvent{At: now, Actor: user, Action: "login", Target: clientAddr(r), Detail: "refused"})
		s.writeProblem(w, r, newProblem(codeUnauthorized, "wrong user name or password"))
		return
	}
	se, cookie, err := access.NewSession(u.Name, now, access.DefaultSessionLifetime, rand.Reader)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if err := s.store.PutSession(r.Context(), se); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	s.audit.add(store.AuditEvent{At: now, Actor: u.Name, Org: u.Org, Action: "login", Target: clientAddr(r), Detail: "session opened"})
	http.SetCookie(w, &http.Cookie{Name: access.SessionCookie, Value: cookie, Path: "/", Expires: se.Expires,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
}

// checkLogin verifies a user's password; unknown users, disabled users and
// users without a password all fail the same way, after the same work.
func (s *Server) checkLogin(ctx context.Context, user, password string) (access.User, bool, error) {
	u, err := s.store.User(ctx, user)
	if errors.Is(err, store.ErrNotFound) {
		_, _ = access.CheckPassword(dummyHash(), password)
		return u, false, nil
	}
	if err != nil {
		return u, false, err
	}
	hash, err := s.store.PasswordHash(ctx, user)
	if err != nil {
		return u, false, err
	}
	none := hash == ""
	if none {
		hash = dummyHash()
	}
	ok, err := access.CheckPassword(hash, password)
	if err != nil {
		return u, false, err
	}
	return u, ok && !u.Disabled && !none, nil
}

func loginForm(r *http.Request) (user, password string, err error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var b struct {
			User     string `json:"user"`
			Password string `json:"password"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&b); err != nil {
			return "", "", errors.New(`the body must be {"user": …, "password": …}`)
		}
		return b.User, b.Password, nil
	}
	r.Body = http.MaxBytesReader(nil, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		return "", "", errors.New("the body must be a form with user and password")
	}
	return r.PostForm.Get("user"), r.PostForm.Get("password"), nil
}

// logout ends the caller's session, if any.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(access.SessionCookie); err == nil {
		if h, ok := access.SessionHash(c.Value); ok {
			if err := s.store.RevokeSession(r.Context(), h, s.now()); err != nil && !errors.Is(err, store.ErrNotFound) {
				s.writeProblem(w, r, err)
				return
			}
		}
	}
	http.SetCookie(w, &http.Cookie{Name: access.SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
}

// sessionReader is the reader of a session cookie; false when the cookie
// opens no valid session (the caller is then the public).
func (s *Server) sessionReader(ctx context.Context, value string) (access.Reader, bool, error) {
	h, ok := access.SessionHash(value)
	if !ok {
		return access.Reader{}, false, nil
	}
	se, err := s.store.Session(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return access.Reader{}, false, nil
	}
	if err != nil {
		return access.Reader{}, false, err
	}
	if !se.Valid(s.now()) {
		return access.Reader{}, false, nil
	}
	u, err := s.store.User(ctx, se.User)
	if err != nil || u.Disabled {
		return access.Reader{}, false, err
	}
	org, err := s.store.Organisation(ctx, u.Org)
	if err != nil {
		return access.Reader{}, false, err
	}
	return access.ReaderFor(u, org), true, nil
}

// clientAddr is the caller's IP address (without port).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
