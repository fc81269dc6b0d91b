package access

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// tokenPrefix marks truce API tokens, so a leaked one is recognisable (and
// secret scanners can be taught it).
const tokenPrefix = "truce_"

// Token is an API credential of a user. Only the SHA-256 of its secret is
// kept: the secret is shown once, when it is made. Secrets are 256 random
// bits, so a plain hash is enough; passwords, which people choose, get
// argon2id instead.
type Token struct {
	ID   string // public: names the token in lists and audit records
	User string
	Hash [32]byte
	// Scopes are the actions the token may take on the user's behalf;
	// empty: reading only. A token never has more rights than its user.
	Scopes  []Action
	Created time.Time
	Expires time.Time
	Revoked time.Time // zero while the token is valid
}

// Token errors: all are 401 to the caller, who learns nothing more.
var (
	ErrTokenMalformed = errors.New("not a truce token")
	ErrTokenUnknown   = errors.New("unknown token")
	ErrTokenExpired   = errors.New("the token has expired")
	ErrTokenRevoked   = errors.New("the token was revoked")
)

// NewToken makes a token for user valid for ttl from now, and returns it
// with the text to give the user (truce_<id>_<secret>), which is never
// stored.
func NewToken(user string, scopes []Action, now time.Time, ttl time.Duration, rand io.Reader) (Token, string, error) {
	if ttl <= 0 {
		return Token{}, "", errors.New("a token must expire: give a positive lifetime")
	}
	for _, s := range scopes {
		if !writes[s] {
			return Token{}, "", fmt.Errorf("scope %q is not an action (known: %s)", s, actionNames())
		}
	}
	var id [8]byte
	var secret [32]byte
	if _, err := io.ReadFull(rand, id[:]); err != nil {
		return Token{}, "", err
	}
	if _, err := io.ReadFull(rand, secret[:]); err != nil {
		return Token{}, "", err
	}
	t := Token{ID: hex.EncodeToString(id[:]), User: user, Hash: sha256.Sum256(secret[:]), Scopes: scopes, Created: now, Expires: now.Add(ttl)}
	return t, tokenPrefix + t.ID + "_" + base64.RawURLEncoding.EncodeToString(secret[:]), nil
}

// ParseToken splits a token's text into its id and secret.
func ParseToken(text string) (id string, secret []byte, err error) {
	rest, ok := strings.CutPrefix(text, tokenPrefix)
	if !ok {
		return "", nil, ErrTokenMalformed
	}
	id, enc, ok := strings.Cut(rest, "_")
	if !ok || len(id) != 16 || len(enc) != 43 {
		return "", nil, ErrTokenMalformed
	}
	if _, err := hex.DecodeString(id); err != nil || strings.ToLower(id) != id {
		return "", nil, ErrTokenMalformed
	}
	secret, err = base64.RawURLEncoding.DecodeString(enc)
	if err != nil || len(secret) != 32 {
		return "", nil, ErrTokenMalformed
	}
	return id, secret, nil
}

// Check accepts the secret when it is the token's and the token is
// neither revoked nor expired. The comparison takes constant time.
func (t Token) Check(secret []byte, now time.Time) error {
	h := sha256.Sum256(secret)
	if subtle.ConstantTimeCompare(h[:], t.Hash[:]) != 1 {
		return ErrTokenUnknown
	}
	if !t.Revoked.IsZero() {
		return ErrTokenRevoked
	}
	if !now.Before(t.Expires) {
		return ErrTokenExpired
	}
	return nil
}

// Scoped narrows a reader to what a token allows.
func (r Reader) Scoped(t Token) Reader {
	r.TokenID = t.ID
	r.scoped = true
	r.scopes = slices.Clone(t.Scopes)
	return r
}

func actionNames() string {
	var names []string
	for a := range writes {
		names = append(names, string(a))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
