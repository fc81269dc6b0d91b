package store

import (
	"fmt"
	"strings"

	"github.com/truce-mechanism/truce/access"
)

// JoinList and SplitList are how adapters keep short lists of names
// (roles, scopes) in one text column. Names never contain commas.
func JoinList(xs []string) string { return strings.Join(xs, ",") }

// SplitList reverses JoinList; "" is the empty list.
func SplitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// ScopesText and ParseScopes are JoinList and SplitList for token scopes.
func ScopesText(scopes []access.Action) string {
	xs := make([]string, len(scopes))
	for i, a := range scopes {
		xs[i] = string(a)
	}
	return JoinList(xs)
}

// ParseScopes reverses ScopesText.
func ParseScopes(s string) []access.Action {
	var out []access.Action
	for _, x := range SplitList(s) {
		out = append(out, access.Action(x))
	}
	return out
}

// CheckSourceKey refuses a key that could never verify a signature.
func CheckSourceKey(k SourceKey) error {
	switch {
	case k.Source == "":
		return fmt.Errorf("a source key needs its source")
	case k.KeyID == "" || len(k.KeyID) > 64:
		return fmt.Errorf("key id %q of source %s: 1 to 64 characters, as the schema's signature.key_id", k.KeyID, k.Source)
	case len(k.PublicKey) != 32:
		return fmt.Errorf("key %s of source %s is %d bytes; an Ed25519 public key is 32", k.KeyID, k.Source, len(k.PublicKey))
	}
	return nil
}
