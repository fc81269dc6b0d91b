package ledger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
)

// Defaults of the Committer.
const (
	// DefaultBatchSize is how many records one log entry commits at most.
	// Larger batches mean fewer log entries and a slightly longer first
	// level of each proof (log2 of it: 12 hashes at 4,096).
	DefaultBatchSize = 4096
	// DefaultPoll is how often the Committer looks for new records.
	DefaultPoll = 100 * time.Millisecond
	// maxPerPass bounds the records one pass reads, so memory stays flat
	// however far behind the ledger is.
	maxPerPass = 16 * DefaultBatchSize
)

// Sequenced is one record's commitment at its place in its type's order.
type Sequenced struct {
	Sequence int64
	Commitment
}

// Feed is one record type in the order the store gave it: gap-free
// sequences 1, 2, 3, …, never reordered (the store's contract).
type Feed struct {
	Type string
	// After returns up to limit commitments with Sequence > seq, in order.
	After func(ctx context.Context, seq int64, limit int) ([]Sequenced, error)
}

// ObservationKey is the key an observation has in the ledger.
func ObservationKey(k observation.Key) string { return k.Source + "/" + k.ID }

// ObservationFeed commits observations: the stored canonical document,
// keyed source/id. Sources and ids cannot hold "/" (the schema's patterns).
func ObservationFeed(st store.Store) Feed {
	return Feed{Type: TypeObservation, After: func(ctx context.Context, seq int64, limit int) ([]Sequenced, error) {
		recs, err := st.ObservationsAfter(ctx, seq, limit)
		if err != nil {
			return nil, err
		}
		out := make([]Sequenced, len(recs))
		for i, r := range recs {
			out[i] = Sequenced{Sequence: r.Sequence, Commitment: CommitCanonical(TypeObservation, ObservationKey(r.Key()), r.Document)}
		}
		return out, nil
	}}
}

// Committer is the log's one writer. It follows each feed from the store
// and commits what is new in batches; the store's ledger table remembers
// which entry holds which records.
type Committer struct {
	Log       *Log
	Store     store.Store
	Feeds     []Feed
	BatchSize int           // 0: DefaultBatchSize
	Poll      time.Duration // 0: DefaultPoll
	Logger    *slog.Logger  // nil: slog.Default()

	// offered holds commitments intake handed over, by sequence, so the
	// committer need not read the records back from the store. It is a
	// cache: whatever it lacks is read from the store, which stays the
	// truth.
	mu      sync.Mutex
	offered map[int64]Commitment
}

// maxOffered bounds the cache of offered commitments; past it, the
// committer reads from the store until it catches up.
const maxOffered = 4 * maxPerPass

// OfferObservations hands the committer the observations intake just
// stored. Safe to call from any goroutine; never blocks on the log.
func (c *Committer) OfferObservations(stored []store.Stored) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.offered == nil {
		c.offered = map[int64]Commitment{}
	}
	for _, s := range stored {
		if s.Outcome != store.Created || len(c.offered) >= maxOffered {
			continue
		}
		r := s.Record
		c.offered[r.Sequence] = CommitCanonical(TypeObservation, ObservationKey(r.Key()), r.Document)
	}
}

// takeOffered returns the run of offered observations from sequence next
// on, up to limit, and forgets everything before next. Empty when next
// itself was not offered.
func (c *Committer) takeOffered(next int64, limit int) []Sequenced {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Sequenced
	for seq := next; len(out) < limit; seq++ {
		cm, ok := c.offered[seq]
		if !ok {
			break
		}
		out = append(out, Sequenced{Sequence: seq, Commitment: cm})
		delete(c.offered, seq)
	}
	if len(out) == 0 {
		for seq := range c.offered {
			if seq < next {
				delete(c.offered, seq)
			}
		}
	}
	return out
}

func (c *Committer) feed(typ string) (Feed, bool) {
	for _, f := range c.Feeds {
		if f.Type == typ {
			return f, true
		}
	}
	return Feed{}, false
}

// Recover makes the store's ledger table agree with the log after a
// crash: entries the log holds but the table does not (the process died
// between the two writes) are read back from the log, checked against the
// records they commit, and recorded. Entries are never added twice: what
// the log holds is never committed again.
func (c *Committer) Recover(ctx context.Context) (int, error) {
	size, err := c.Log.Size(ctx)
	if err != nil {
		return 0, err
	}
	from := uint64(0)
	last, err := c.Store.LastLedgerBatch(ctx, "")
	switch {
	case err == nil:
		from = last.LogIndex + 1
	case !errors.Is(err, store.ErrNotFound):
		return 0, err
	}
	if from > size {
		return 0, fmt.Errorf("ledger: the store records log entry %d but the log in its folder holds only %d entries: the ledger folder is not this store's", from-1, size)
	}
	var recovered []store.LedgerBatch
	for i := from; i < size; i++ {
		data, err := c.Log.Entry(ctx, i, size)
		if err != nil {
			return 0, err
		}
		b, err := ParseEntry(data)
		if err != nil {
			return 0, fmt.Errorf("ledger: entry %d: %w", i, err)
		}
		lb, err := c.rebuild(ctx, b, i)
		if err != nil {
			return 0, err
		}
		recovered = append(recovered, lb)
	}
	if err := c.Store.PutLedgerBatches(ctx, recovered); err != nil {
		return 0, fmt.Errorf("ledger: recording recovered entries: %w", err)
	}
	return len(recovered), nil
}

// rebuild recomputes a logged batch's leaves from the store and checks
// them against the root the log holds.
func (c *Committer) rebuild(ctx context.Context, b Batch, logIndex uint64) (store.LedgerBatch, error) {
	f, ok := c.feed(b.Type)
	if !ok {
		return store.LedgerBatch{}, fmt.Errorf("ledger: entry %d commits records of type %q, which this server does not keep", logIndex, b.Type)
	}
	recs, err := f.After(ctx, b.First-1, b.Count)
	if err != nil {
		return store.LedgerBatch{}, err
	}
	if len(recs) != b.Count || recs[0].Sequence != b.First {
		return store.LedgerBatch{}, fmt.Errorf("ledger: entry %d commits %s %d…%d, but the store holds %d of them: records the log committed are missing from the store",
			logIndex, b.Type, b.First, b.Last(), len(recs))
	}
	lb := batchOf(b.Type, recs)
	if lb.Root != b.Root {
		return store.LedgerBatch{}, fmt.Errorf("ledger: entry %d commits %s %d…%d with a root the stored records do not give: %w", logIndex, b.Type, b.First, b.Last(), ErrChanged)
	}
	lb.LogIndex = logIndex
	return lb, nil
}

// batchOf makes the batch of consecutive records.
func batchOf(typ string, recs []Sequenced) store.LedgerBatch {
	leaves := make([][32]byte, len(recs))
	for i, r := range recs {
		leaves[i] = r.LeafHash()
	}
	chunks := ChunkRoots(leaves)
	return store.LedgerBatch{Type: typ, First: recs[0].Sequence, Count: len(recs), Root: Root(chunks), Leaves: leaves, Chunks: chunks}
}

// CommitPending commits every record of every feed that is not in the log
// yet, as of now; it returns how many. Only one CommitPending may run at a
// time (the Committer is the log's one writer). It recovers first, so an
// earlier pass that logged entries but failed to record them never makes
// this one log them again.
func (c *Committer) CommitPending(ctx context.Context) (int, error) {
	if _, err := c.Recover(ctx); err != nil {
		return 0, err
	}
	size := c.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	total := 0
	for _, f := range c.Feeds {
		for {
			next := int64(1)
			last, err := c.Store.LastLedgerBatch(ctx, f.Type)
			switch {
			case err == nil:
				next = last.First + int64(last.Count)
			case !errors.Is(err, store.ErrNotFound):
				return total, err
			}
			var recs []Sequenced
			if f.Type == TypeObservation {
				recs = c.takeOffered(next, max(maxPerPass, size))
			}
			if len(recs) == 0 {
				if recs, err = f.After(ctx, next-1, max(maxPerPass, size)); err != nil {
					return total, err
				}
			}
			if len(recs) == 0 {
				break
			}
			if recs[0].Sequence != next {
				return total, fmt.Errorf("ledger: %s %d follows %d: the store's sequence has a gap", f.Type, recs[0].Sequence, next-1)
			}
			var batches []store.LedgerBatch
			var entries [][]byte
			for len(recs) > 0 {
				n := min(size, len(recs))
				for i := 1; i < n; i++ {
					if recs[i].Sequence != recs[i-1].Sequence+1 {
						return total, fmt.Errorf("ledger: %s %d follows %d: the store's sequence has a gap", f.Type, recs[i].Sequence, recs[i-1].Sequence)
					}
				}
				lb := batchOf(f.Type, recs[:n])
				batches = append(batches, lb)
				entries = append(entries, Batch{Type: lb.Type, First: lb.First, Count: lb.Count, Root: lb.Root}.MarshalEntry())
				recs = recs[n:]
			}
			idx, err := c.Log.Append(ctx, entries)
			if err != nil {
				return total, err
			}
			for i := range batches {
				batches[i].LogIndex = idx[i]
				total += batches[i].Count
			}
			// A crash here leaves entries in the log that the table lacks;
			// Recover finds them at the next start.
			if err := c.Store.PutLedgerBatches(ctx, batches); err != nil {
				return total, fmt.Errorf("ledger: recording committed entries: %w", err)
			}
		}
	}
	return total, nil
}

// Run recovers, then commits what is new every Poll until ctx ends. A
// failed pass is logged and retried: the store keeps what waits.
func (c *Committer) Run(ctx context.Context) error {
	log := c.Logger
	if log == nil {
		log = slog.Default()
	}
	n, err := c.Recover(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		log.Info("ledger recovered entries the store had not recorded", slog.Int("entries", n))
	}
	poll := c.Poll
	if poll <= 0 {
		poll = DefaultPoll
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := c.CommitPending(ctx); err != nil && ctx.Err() == nil {
			log.Error("ledger commit failed; retrying", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
