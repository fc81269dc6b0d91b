package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/store"
)

type readerKey struct{}

// withReader decides who is asking, once per request: the bearer of a
// valid API token, else the anonymous public (or, in demo mode, the demo
// user). A token that is present but not valid is refused with 401 — a
// caller who meant to authenticate must not silently read as the public.
func (s *Server) withReader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reader := access.Anonymous
		if s.demo {
			reader = access.DemoUser
		}
		if h := r.Header.Get("Authorization"); h != "" {
			var err error
			if reader, err = s.tokenReader(r.Context(), h); err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="truce", error="invalid_token"`)
				s.writeProblem(w, r, err)
				return
			}
		} else if c, err := r.Cookie(access.SessionCookie); err == nil {
			// A session that has ended leaves the browser reading as the
			// public, and its cookie is dropped.
			rd, ok, err := s.sessionReader(r.Context(), c.Value)
			switch {
			case err != nil:
				s.writeProblem(w, r, err)
				return
			case ok:
				reader = rd
			default:
				http.SetCookie(w, &http.Cookie{Name: access.SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), readerKey{}, reader)))
	})
}

// tokenReader checks an Authorization header. Every failure says the same
// to the caller (what was wrong stays in the server's log): a guesser
// learns nothing about which tokens or users exist.
func (s *Server) tokenReader(ctx context.Context, header string) (access.Reader, error) {
	invalid := newProblem(codeUnauthorized, "the bearer token is not valid (malformed, unknown, expired or revoked)")
	text, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return access.Reader{}, invalid
	}
	id, secret, err := access.ParseToken(strings.TrimSpace(text))
	if err != nil {
		return access.Reader{}, invalid
	}
	tok, err := s.store.Token(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return access.Reader{}, invalid
	}
	if err != nil {
		return access.Reader{}, err
	}
	if err := tok.Check(secret, s.now()); err != nil {
		s.log.InfoContext(ctx, "token refused", "token", id, "reason", err.Error())
		return access.Reader{}, invalid
	}
	u, err := s.store.User(ctx, tok.User)
	if err != nil {
		return access.Reader{}, err
	}
	if u.Disabled {
		s.log.InfoContext(ctx, "token of a disabled user refused", "token", id, "user", u.Name)
		return access.Reader{}, invalid
	}
	org, err := s.store.Organisation(ctx, u.Org)
	if err != nil {
		return access.Reader{}, err
	}
	return access.ReaderFor(u, org).Scoped(tok), nil
}

// reader is who is asking (see withReader).
func (s *Server) reader(r *http.Request) access.Reader {
	if rd, ok := r.Context().Value(readerKey{}).(access.Reader); ok {
		return rd
	}
	return access.Anonymous
}
