package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/store"
)

func testIdentities(t *testing.T, s store.Store) {
	ctx := context.Background()
	usa := access.Organisation{Code: "USA", Name: "United States", Kind: access.KindParticipant, Commission: true, Created: Base}
	ukr := access.Organisation{Code: "UKR", Name: "Ukraine", Kind: access.KindParticipant, Created: Base}
	for _, o := range []access.Organisation{usa, ukr} {
		if err := s.PutOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("organisations", func(t *testing.T) {
		if err := s.PutOrganisation(ctx, access.Organisation{Code: "usa", Name: "x", Kind: "ally"}); err == nil {
			t.Fatal("an invalid organisation was stored")
		}
		moved := usa
		moved.Name, moved.Created = "United States of America", Base.Add(time.Hour)
		if err := s.PutOrganisation(ctx, moved); err != nil {
			t.Fatal(err)
		}
		got, err := s.Organisation(ctx, "USA")
		if err != nil || got.Name != "United States of America" || !got.Created.Equal(Base) || !got.Commission || got.Kind != access.KindParticipant {
			t.Fatalf("got %+v, %v (an update keeps the first registration time)", got, err)
		}
		if _, err := s.Organisation(ctx, "GBR"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown organisation: %v", err)
		}
		all, err := s.Organisations(ctx)
		if err != nil || len(all) != 2 || all[0].Code != "UKR" || all[1].Code != "USA" {
			t.Fatalf("listed %+v, %v", all, err)
		}
	})

	smith := access.User{Name: "j.smith", Org: "USA", Roles: []string{access.RoleAnalyst, access.RoleViewer}, Created: Base}
	t.Run("users", func(t *testing.T) {
		if err := s.PutUser(ctx, smith); err != nil {
			t.Fatal(err)
		}
		if err := s.PutUser(ctx, access.User{Name: "x", Org: "GBR", Roles: []string{access.RoleViewer}}); err == nil {
			t.Fatal("a user of an unknown organisation was stored")
		}
		if err := s.PutUser(ctx, access.User{Name: "no-org", Org: "GBR", Roles: []string{access.RoleViewer}}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown organisation: %v", err)
		}
		disabled := smith
		disabled.Disabled = true
		disabled.Roles = []string{access.RoleViewer}
		if err := s.PutUser(ctx, disabled); err != nil {
			t.Fatal(err)
		}
		got, err := s.User(ctx, "j.smith")
		if err != nil || !got.Disabled || !slices.Equal(got.Roles, []string{access.RoleViewer}) || !got.Created.Equal(Base) {
			t.Fatalf("got %+v, %v", got, err)
		}
		if err := s.PutUser(ctx, smith); err != nil { // enabled again, both roles
			t.Fatal(err)
		}
		if _, err := s.User(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown user: %v", err)
		}
		if all, err := s.Users(ctx); err != nil || len(all) != 1 || !slices.Equal(all[0].Roles, smith.Roles) {
			t.Fatalf("listed %+v, %v", all, err)
		}
	})

	t.Run("tokens", func(t *testing.T) {
		tok := access.Token{ID: "0123456789abcdef", User: "j.smith", Scopes: []access.Action{access.Withdraw}, Created: Base, Expires: Base.Add(24 * time.Hour)}
		tok.Hash[0], tok.Hash[31] = 1, 2
		older := access.Token{ID: "00000000000000aa", User: "j.smith", Created: Base.Add(-time.Hour), Expires: Base.Add(time.Hour)}
		for _, x := range []access.Token{tok, older} {
			if err := s.PutToken(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.PutToken(ctx, tok); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("the same id again: %v", err)
		}
		if err := s.PutToken(ctx, access.Token{ID: "1111111111111111", User: "nobody", Expires: Base}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("token of an unknown user: %v", err)
		}
		got, err := s.Token(ctx, tok.ID)
		if err != nil || got.Hash != tok.Hash || got.User != "j.smith" || !slices.Equal(got.Scopes, tok.Scopes) ||
			!got.Expires.Equal(tok.Expires) || !got.Revoked.IsZero() {
			t.Fatalf("got %+v, %v", got, err)
		}
		if got, _ := s.Token(ctx, older.ID); len(got.Scopes) != 0 {
			t.Fatalf("a read-only token came back with scopes %v", got.Scopes)
		}
		list, err := s.Tokens(ctx, "j.smith")
		if err != nil || len(list) != 2 || list[0].ID != tok.ID {
			t.Fatalf("listed %+v, %v (newest first)", list, err)
		}
		at := Base.Add(2 * time.Hour)
		if err := s.RevokeToken(ctx, tok.ID, at); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeToken(ctx, tok.ID, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Token(ctx, tok.ID); !got.Revoked.Equal(at) {
			t.Fatalf("revoked at %v; want the first revocation, %v", got.Revoked, at)
		}
		if err := s.RevokeToken(ctx, "ffffffffffffffff", at); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoking an unknown token: %v", err)
		}
		if _, err := s.Token(ctx, "ffffffffffffffff"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}
	})
}

func testSourceKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.PutSource(ctx, store.Source{ID: "cam-4", Org: "USA", Kind: "sensor", RequireSignature: true}); err != nil {
		t.Fatal(err)
	}
	k1 := store.SourceKey{Source: "cam-4", KeyID: "2026-a", PublicKey: bytes32(1), Added: Base}
	k2 := store.SourceKey{Source: "cam-4", KeyID: "2026-b", PublicKey: bytes32(2), Added: Base}
	cases := []struct {
		name string
		k    store.SourceKey
		want error // nil: accepted; errAny: refused
	}{
		{"a key", k1, nil},
		{"a second key", k2, nil},
		{"the same key again", k1, nil},
		{"another key under a used id", store.SourceKey{Source: "cam-4", KeyID: "2026-a", PublicKey: bytes32(3)}, store.ErrConflict},
		{"an unknown source", store.SourceKey{Source: "nobody", KeyID: "x", PublicKey: bytes32(4)}, store.ErrNotFound},
		{"a short key", store.SourceKey{Source: "cam-4", KeyID: "short", PublicKey: []byte{1, 2}}, errAny},
		{"no key id", store.SourceKey{Source: "cam-4", PublicKey: bytes32(5)}, errAny},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.PutSourceKey(ctx, c.k)
			switch {
			case c.want == nil && err != nil:
				t.Fatal(err)
			case c.want == errAny && err == nil:
				t.Fatal("accepted")
			case c.want != nil && c.want != errAny && !errors.Is(err, c.want):
				t.Fatalf("error %v; want %v", err, c.want)
			}
		})
	}
	keys, err := s.SourceKeys(ctx, "cam-4")
	if err != nil || len(keys) != 2 || keys[0].KeyID != "2026-a" || !slices.Equal(keys[0].PublicKey, k1.PublicKey) || !keys[0].Added.Equal(Base) {
		t.Fatalf("keys %+v, %v", keys, err)
	}
	if keys, err := s.SourceKeys(ctx, "nobody"); err != nil || len(keys) != 0 {
		t.Fatalf("keys of an unknown source: %+v, %v", keys, err)
	}
}

var errAny = errors.New("any error")

func bytes32(b byte) []byte {
	out := make([]byte, 32)
	for i := range out {
		out[i] = b
	}
	return out
}
