package access

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"time"
)

// SessionCookie is the name of the browser session cookie.
const SessionCookie = "truce_session"

// DefaultSessionLifetime bounds a browser session: a working day.
const DefaultSessionLifetime = 12 * time.Hour

// Session is a browser login. Like a token's secret, the cookie's value is
// never stored: only its SHA-256, so a copy of the database opens no
// session.
type Session struct {
	Hash    [32]byte
	User    string
	Created time.Time
	Expires time.Time
	Revoked time.Time
}

// NewSession opens a session for user and returns the cookie value.
func NewSession(user string, now time.Time, ttl time.Duration, rand io.Reader) (Session, string, error) {
	var secret [32]byte
	if _, err := io.ReadFull(rand, secret[:]); err != nil {
		return Session{}, "", err
	}
	return Session{Hash: sha256.Sum256(secret[:]), User: user, Created: now, Expires: now.Add(ttl)},
		base64.RawURLEncoding.EncodeToString(secret[:]), nil
}

// SessionHash is the stored key of a cookie value; false when the value
// cannot be a session's.
func SessionHash(cookie string) ([32]byte, bool) {
	secret, err := base64.RawURLEncoding.DecodeString(cookie)
	if err != nil || len(secret) != 32 {
		return [32]byte{}, false
	}
	return sha256.Sum256(secret), true
}

// Valid reports whether the session may still be used at now.
func (s Session) Valid(now time.Time) bool { return s.Revoked.IsZero() && now.Before(s.Expires) }
