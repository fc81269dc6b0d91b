package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/store"
)

func testSessions(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.PutOrganisation(ctx, access.Organisation{Code: "UKR", Name: "Ukraine", Kind: access.KindParticipant}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutUser(ctx, access.User{Name: "o.koval", Org: "UKR", Roles: []string{access.RoleViewer}}); err != nil {
		t.Fatal(err)
	}
	t.Run("passwords", func(t *testing.T) {
		if h, err := s.PasswordHash(ctx, "o.koval"); err != nil || h != "" {
			t.Fatalf("before any password: %q, %v", h, err)
		}
		if err := s.SetPassword(ctx, "o.koval", "$argon2id$v=19$m=1,t=1,p=1$AA$AA"); err != nil {
			t.Fatal(err)
		}
		if h, err := s.PasswordHash(ctx, "o.koval"); err != nil || h != "$argon2id$v=19$m=1,t=1,p=1$AA$AA" {
			t.Fatalf("read back %q, %v", h, err)
		}
		if err := s.SetPassword(ctx, "nobody", "x"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown user: %v", err)
		}
		if _, err := s.PasswordHash(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown user: %v", err)
		}
		// Updating the user keeps the password.
		if err := s.PutUser(ctx, access.User{Name: "o.koval", Org: "UKR", Roles: []string{access.RoleAnalyst}}); err != nil {
			t.Fatal(err)
		}
		if h, _ := s.PasswordHash(ctx, "o.koval"); h == "" {
			t.Fatal("an update of the user erased its password")
		}
	})
	t.Run("sessions", func(t *testing.T) {
		se := access.Session{User: "o.koval", Created: Base, Expires: Base.Add(12 * time.Hour)}
		se.Hash[0] = 9
		if err := s.PutSession(ctx, se); err != nil {
			t.Fatal(err)
		}
		if err := s.PutSession(ctx, access.Session{User: "nobody", Expires: Base}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("session of an unknown user: %v", err)
		}
		got, err := s.Session(ctx, se.Hash)
		if err != nil || got != se {
			t.Fatalf("got %+v, %v; want %+v", got, err, se)
		}
		at := Base.Add(time.Hour)
		if err := s.RevokeSession(ctx, se.Hash, at); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeSession(ctx, se.Hash, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Session(ctx, se.Hash); !got.Revoked.Equal(at) {
			t.Fatalf("revoked at %v; want %v", got.Revoked, at)
		}
		var other [32]byte
		if _, err := s.Session(ctx, other); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown session: %v", err)
		}
		if err := s.RevokeSession(ctx, other, at); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoking an unknown session: %v", err)
		}
	})
}
