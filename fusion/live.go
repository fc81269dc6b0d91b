package fusion

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
)

// Live runs an Engine over a store: it follows the stored observations in
// sequence (ledger) order and keeps the events for readers.
type Live struct {
	Store   store.Store
	Resolve observation.Resolver
	Poll    time.Duration // 0: 200 ms
	Log     *slog.Logger
	// Observe, when set, is shown every observation as it is fused, in
	// ledger order (coverage follows the same stream).
	Observe func(seq int64, o *observation.Observation)

	mu     sync.RWMutex
	engine *Engine
}

// NewLive makes a Live over st with the given association settings.
func NewLive(st store.Store, resolve observation.Resolver, cfg Config) *Live {
	return &Live{Store: st, Resolve: resolve, engine: NewEngine(cfg)}
}

// CatchUp fuses every stored observation not fused yet; it returns how
// many it fused.
func (l *Live) CatchUp(ctx context.Context) (int, error) {
	total := 0
	for {
		l.mu.RLock()
		after := l.engine.Sequence()
		l.mu.RUnlock()
		recs, err := l.Store.ObservationsAfter(ctx, after, 5000)
		if err != nil {
			return total, err
		}
		if len(recs) == 0 {
			return total, nil
		}
		obs := make([]observation.Observation, len(recs))
		for i, r := range recs {
			o, err := observation.FromStored(r.Document, l.Resolve)
			if err != nil {
				return total, fmt.Errorf("fusion: observation %s/%s (sequence %d): %w", r.Source, r.ID, r.Sequence, err)
			}
			obs[i] = o
		}
		l.mu.Lock()
		for i := range obs {
			l.engine.Add(recs[i].Sequence, &obs[i])
			if l.Observe != nil {
				l.Observe(recs[i].Sequence, &obs[i])
			}
		}
		l.mu.Unlock()
		total += len(recs)
	}
}

// Run catches up every Poll until ctx ends.
func (l *Live) Run(ctx context.Context) {
	poll := l.Poll
	if poll <= 0 {
		poll = 200 * time.Millisecond
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := l.CatchUp(ctx); err != nil && ctx.Err() == nil {
			log := l.Log
			if log == nil {
				log = slog.Default()
			}
			log.Error("fusion: catching up failed; retrying", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Status is how far fusion has got: the highest observation sequence
// stored (as last seen) and the highest fused.
func (l *Live) Status(ctx context.Context) (stored, fused int64, err error) {
	// Ask the store for anything newer, so "caught up" is never claimed
	// while reports wait.
	l.mu.RLock()
	fused = l.engine.Sequence()
	l.mu.RUnlock()
	stored, err = l.Store.LastSequence(ctx)
	if err != nil {
		return 0, 0, err
	}
	return max(stored, fused), fused, nil
}

// Events returns a copy of every event, by start time then id.
func (l *Live) Events() []Event {
	l.mu.RLock()
	defer l.mu.RUnlock()
	es := l.engine.Events()
	out := make([]Event, len(es))
	for i, e := range es {
		out[i] = *e
		out[i].members = nil
		out[i].Observations = append([]observation.Key(nil), e.Observations...)
	}
	return out
}
