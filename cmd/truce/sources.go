package main

import (
	"context"
	"errors"
	"sync"

	"github.com/truce-mechanism/truce/coverage"
	"github.com/truce-mechanism/truce/store"
)

// sourceBook answers "what kind of source is this, of which
// organisation" for the stream's consumers, from the store's registry. It
// remembers answers; a source registered later is read on first sight.
// The demo's unregistered sources are of no known kind: coverage counts
// nothing for them, which is what it would say of an unknown sensor.
type sourceBook struct {
	st store.Store
	mu sync.Mutex
	by map[string]store.Source
}

func newSourceBook(st store.Store) *sourceBook {
	return &sourceBook{st: st, by: map[string]store.Source{}}
}

func (b *sourceBook) get(ctx context.Context, id string) (store.Source, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.by[id]; ok {
		return s, s.ID != ""
	}
	s, err := b.st.Source(ctx, id)
	if err != nil {
		// Not registered (or not readable now): remember the miss only
		// when the store said so, so a passing error is retried.
		if errors.Is(err, store.ErrNotFound) {
			b.by[id] = store.Source{}
		}
		return store.Source{}, false
	}
	b.by[id] = s
	return s, true
}

// coverageInfo is what coverage needs to know of a source.
func (b *sourceBook) coverageInfo(ctx context.Context, id string) coverage.SourceInfo {
	s, _ := b.get(ctx, id)
	return coverage.SourceInfo{Kind: s.Kind, Org: s.Org}
}
