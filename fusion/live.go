package fusion

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
)

// Live runs an Engine over a store: it follows the stored observations in
// sequence (ledger) order, keeps the events fusion may still change for
// readers, and hands the final ones to Persist, so that memory follows
// the horizon, not the length of the record.
type Live struct {
	Store   store.Store
	Resolve observation.Resolver
	Poll    time.Duration // 0: 200 ms
	Log     *slog.Logger
	// Observe, when set, is shown every observation as it is fused, in
	// ledger order (coverage follows the same stream).
	Observe func(seq int64, o *observation.Observation)
	// Persist, when set, is given the events that have become final, in
	// (start, id) order. Once it returns nil they leave memory; on an
	// error they are kept, still served, and offered again after the
	// next batch. Without Persist, final events stay in memory.
	Persist func(ctx context.Context, final []Event) error

	mu      sync.RWMutex
	engine  *Engine
	pending []Event // final, not persisted yet
}

// NewLive makes a Live over st with the given association settings.
func NewLive(st store.Store, resolve observation.Resolver, cfg Config) *Live {
	return &Live{Store: st, Resolve: resolve, engine: NewEngine(cfg)}
}

// CatchUp fuses every stored observation not fused yet, and persists
// what became final; it returns how many observations it fused.
//
// It is a pipeline over the two cores: one goroutine reads the next
// batch from the store and decodes it while this one fuses the last, and
// another hands the events that became final to Persist (assessment and
// storage) while fusion goes on. Fusion itself stays one goroutine in
// ledger order (invariant 3); Persist still sees every final event once,
// in order, and CatchUp returns only once the last of them is persisted
// (or Persist has failed: the events not persisted stay pending, served
// and offered again next time).
func (l *Live) CatchUp(ctx context.Context) (int, error) {
	l.mu.RLock()
	after := l.engine.Sequence()
	l.mu.RUnlock()
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	batches := make(chan decodedBatch, 1)
	go l.read(readCtx, after, batches)

	kick := make(chan struct{}, 1)
	persisted := make(chan error, 1)
	var failed atomic.Bool
	go func() {
		var err error
		for range kick {
			if err == nil {
				if err = l.persist(ctx); err != nil {
					failed.Store(true)
				}
			}
		}
		if err == nil {
			err = l.persist(ctx)
		}
		persisted <- err
	}()

	total := 0
	var err error
	for b := range batches {
		if b.err != nil {
			err = b.err
			break
		}
		l.mu.Lock()
		for i := range b.obs {
			l.engine.Add(b.seq[i], &b.obs[i])
			if l.Observe != nil {
				l.Observe(b.seq[i], &b.obs[i])
			}
		}
		for _, e := range l.engine.TakeFinal() {
			l.pending = append(l.pending, e.Snapshot())
		}
		l.mu.Unlock()
		total += len(b.obs)
		select {
		case kick <- struct{}{}:
		default: // a pass is due already and will take these too
		}
		if failed.Load() {
			break // storing is failing: fuse no further ahead of it
		}
	}
	stopReading()
	for range batches { // let the reader finish
	}
	close(kick)
	return total, errors.Join(err, <-persisted)
}

// decodedBatch is a batch of stored observations, decoded, with their
// sequences; or the error that ended reading.
type decodedBatch struct {
	seq []int64
	obs []observation.Observation
	err error
}

// read sends the stored observations after seq, decoded, in batches, until
// there are no more, ctx ends or reading fails; then it closes out.
func (l *Live) read(ctx context.Context, after int64, out chan<- decodedBatch) {
	defer close(out)
	send := func(b decodedBatch) bool {
		select {
		case out <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		recs, err := l.Store.ObservationsAfter(ctx, after, 5000)
		if err != nil {
			if ctx.Err() == nil {
				send(decodedBatch{err: err})
			}
			return
		}
		if len(recs) == 0 {
			return
		}
		b := decodedBatch{seq: make([]int64, len(recs))}
		docs := make([][]byte, len(recs))
		for i, r := range recs {
			b.seq[i], docs[i] = r.Sequence, r.Document
		}
		if b.obs, err = observation.FromStoredBatch(docs, l.Resolve); err != nil {
			var bad *observation.StoredBatchError
			if errors.As(err, &bad) {
				r := recs[bad.Index]
				err = fmt.Errorf("fusion: observation %s/%s (sequence %d): %w", r.Source, r.ID, r.Sequence, bad.Err)
			}
			send(decodedBatch{err: err})
			return
		}
		if !send(b) {
			return
		}
		after = recs[len(recs)-1].Sequence
	}
}

// persist hands the pending final events to Persist and forgets those it
// took. Only the persisting goroutine of CatchUp calls it.
func (l *Live) persist(ctx context.Context) error {
	if l.Persist == nil {
		return nil
	}
	l.mu.RLock()
	batch := slices.Clone(l.pending)
	l.mu.RUnlock()
	if len(batch) == 0 {
		return nil
	}
	if err := l.Persist(ctx, batch); err != nil {
		return fmt.Errorf("fusion: storing %d final events: %w", len(batch), err)
	}
	l.mu.Lock()
	l.pending = l.pending[len(batch):] // fusion only appends behind them
	l.mu.Unlock()
	return nil
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

// Events returns the events fusion holds — those it may still change and
// final ones not persisted yet — by start time then id. Each is a
// Snapshot: the caller may keep it.
func (l *Live) Events() []Event {
	l.mu.RLock()
	defer l.mu.RUnlock()
	es := l.engine.Events()
	out := make([]Event, 0, len(es)+len(l.pending))
	for _, e := range es {
		out = append(out, e.Snapshot())
	}
	out = append(out, l.pending...)
	slices.SortFunc(out, func(a, b Event) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	return out
}
