package server_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/store"
)

// issueToken stores user u and a token of it with the given scopes, valid
// from notBefore for ttl, and returns the token's text: the setup every
// test that calls the API as someone begins with.
func issueToken(t testing.TB, st store.Store, u access.User, notBefore time.Time, ttl time.Duration, scopes ...access.Action) string {
	t.Helper()
	ctx := context.Background()
	if err := st.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	tok, text, err := access.NewToken(u.Name, scopes, notBefore, ttl, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	return text
}
