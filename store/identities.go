package store

import (
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
