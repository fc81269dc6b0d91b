package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/store"
)

// OIDCProvider lets the users of one organisation log in through that
// organisation's own identity provider (OpenID Connect, authorization
// code flow). The claim UsernameClaim of the ID token must name a truce
// user of that organisation: the provider proves who the person is,
// truce decides what they may do.
type OIDCProvider struct {
	Org           string `json:"org"`
	Issuer        string `json:"issuer"`
	ClientID      string `json:"client_id"`
	ClientSecret  string `json:"client_secret"`
	RedirectURL   string `json:"redirect_url"`
	UsernameClaim string `json:"username_claim"` // default preferred_username
}

// LoadOIDCConfig reads {"providers": [OIDCProvider, …]} from a file and
// names every problem.
func LoadOIDCConfig(path string) ([]OIDCProvider, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Providers []OIDCProvider `json:"providers"`
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var bad []string
	seen := map[string]bool{}
	for i, p := range cfg.Providers {
		where := fmt.Sprintf("%s: providers[%d]", path, i)
		switch {
		case !orgCodePattern.MatchString(p.Org):
			bad = append(bad, where+": org is not an organisation code")
		case seen[p.Org]:
			bad = append(bad, where+": a second provider for "+p.Org)
		case !strings.HasPrefix(p.Issuer, "https://") && !strings.HasPrefix(p.Issuer, "http://"):
			bad = append(bad, where+": issuer must be a URL")
		case p.ClientID == "" || p.RedirectURL == "":
			bad = append(bad, where+": client_id and redirect_url are required")
		}
		seen[p.Org] = true
	}
	if len(bad) > 0 {
		return nil, errors.New(strings.Join(bad, "\n"))
	}
	return cfg.Providers, nil
}

var orgCodePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,15}$`)

// oidcStateCookie carries the state and nonce of a login in flight.
const oidcStateCookie = "truce_oidc"

// oidcClient is one configured provider, discovered on first use so that
// a provider that is down does not stop truce from starting.
type oidcClient struct {
	cfg      OIDCProvider
	mu       sync.Mutex
	provider *oidc.Provider
}

func (c *oidcClient) discover(ctx context.Context, client *http.Client) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, client), c.cfg.Issuer)
	if err != nil {
		return nil, err
	}
	c.provider = p
	return p, nil
}

func (c *oidcClient) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, RedirectURL: c.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
}

func (s *Server) oidcFor(w http.ResponseWriter, r *http.Request) (*oidcClient, *oidc.Provider, bool) {
	c := s.oidc[r.PathValue("org")]
	if c == nil {
		s.writeProblem(w, r, newProblem(codeNotFound, "no identity provider is configured for "+r.PathValue("org")))
		return nil, nil, false
	}
	p, err := c.discover(r.Context(), s.httpClient)
	if err != nil {
		s.log.ErrorContext(r.Context(), "oidc discovery failed", "org", c.cfg.Org, "issuer", c.cfg.Issuer, "err", err)
		s.writeProblem(w, r, newProblem(codeUnavailable, "the identity provider of "+c.cfg.Org+" cannot be reached"))
		return nil, nil, false
	}
	return c, p, true
}

// oidcLogin answers GET /auth/oidc/{org}/login: off to the provider.
func (s *Server) oidcLogin(w http.ResponseWriter, r *http.Request) {
	c, p, ok := s.oidcFor(w, r)
	if !ok {
		return
	}
	state, nonce := randomText(), randomText()
	http.SetCookie(w, &http.Cookie{Name: oidcStateCookie, Value: state + "." + nonce, Path: "/auth/oidc/",
		MaxAge: 600, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, c.oauth(p).AuthCodeURL(state, oidc.Nonce(nonce)), http.StatusFound)
}

// oidcCallback answers GET /auth/oidc/{org}/callback: the provider sends
// the person back with a code; the ID token it is exchanged for must be
// signed by the provider, meant for truce, fresh, carry our nonce and name
// a user of the organisation.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	c, p, ok := s.oidcFor(w, r)
	if !ok {
		return
	}
	refuse := func(why string, err error) {
		s.log.InfoContext(r.Context(), "oidc login refused", "org", c.cfg.Org, "why", why, "err", err)
		s.audit.add(store.AuditEvent{At: s.now(), Actor: "unknown", Org: c.cfg.Org, Action: "login", Target: "oidc " + c.cfg.Org, Detail: "refused: " + why})
		s.writeProblem(w, r, newProblem(codeUnauthorized, "the login through "+c.cfg.Org+"'s identity provider failed: "+why))
	}
	cookie, err := r.Cookie(oidcStateCookie)
	state, nonce, _ := strings.Cut(func() string {
		if err != nil {
			return ""
		}
		return cookie.Value
	}(), ".")
	if state == "" || r.URL.Query().Get("state") != state {
		refuse("the login was not started here, or took too long", nil)
		return
	}
	if e := r.URL.Query().Get("error"); e != "" {
		refuse("the provider said "+e, nil)
		return
	}
	ctx := oidc.ClientContext(r.Context(), s.httpClient)
	tok, err := c.oauth(p).Exchange(ctx, r.URL.Query().Get("code"))
	if err != nil {
		refuse("the code could not be exchanged", err)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := p.Verifier(&oidc.Config{ClientID: c.cfg.ClientID, Now: s.now}).Verify(ctx, raw)
	if err != nil {
		refuse("the ID token is not valid", err)
		return
	}
	if idt.Nonce != nonce {
		refuse("the ID token was not issued for this login", nil)
		return
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		refuse("the ID token's claims cannot be read", err)
		return
	}
	claim := c.cfg.UsernameClaim
	if claim == "" {
		claim = "preferred_username"
	}
	name, _ := claims[claim].(string)
	u, err := s.store.User(r.Context(), name)
	if err != nil || u.Org != c.cfg.Org || u.Disabled {
		refuse(fmt.Sprintf("%q is not an active truce user of %s", name, c.cfg.Org), err)
		return
	}
	se, value, err := access.NewSession(u.Name, s.now(), access.DefaultSessionLifetime, rand.Reader)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if err := s.store.PutSession(r.Context(), se); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	s.audit.add(store.AuditEvent{At: s.now(), Actor: u.Name, Org: u.Org, Action: "login", Target: "oidc " + c.cfg.Org, Detail: "session opened for subject " + idt.Subject})
	http.SetCookie(w, &http.Cookie{Name: oidcStateCookie, Value: "", Path: "/auth/oidc/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: access.SessionCookie, Value: value, Path: "/", Expires: se.Expires,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/", http.StatusFound)
}

func randomText() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// oidcTimeout bounds calls to identity providers.
const oidcTimeout = 10 * time.Second
