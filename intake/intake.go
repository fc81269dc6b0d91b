package intake

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
)

// MaxBatch is the most documents one submission may hold. Larger batches
// are refused before validation: the whole batch is one transaction, and
// one that large would hold the store's writer for too long.
const MaxBatch = 100_000

// Intake validates and stores batches of reports.
type Intake struct {
	Store store.Store
	// Now is the clock that decides "received at" and what lies in the future.
	Now func() time.Time
	// AnySource accepts reports from unregistered sources (demo mode only).
	AnySource bool
	// Stored, when set, is told of every batch once it is durable: the
	// ledger takes the new records from here rather than reading them back.
	Stored func([]store.Stored)
}

// FieldError is one bad field of one document, with the document's index
// in the batch and, where the encoding has them, its line or row.
type FieldError = observation.FieldError

// InvalidError: documents of the batch violate the intake contract.
// Nothing was stored.
type InvalidError struct {
	Errors    []FieldError
	Documents int // how many documents of the batch are bad
	Batch     int
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("%d of %d documents are invalid; nothing was stored", e.Documents, e.Batch)
}

// SourceError: reports refused for their source — unregistered, another
// organisation's, or not signed as the source requires. Nothing was
// stored.
type SourceError struct {
	Errors []FieldError
}

func (e *SourceError) Error() string {
	return fmt.Sprintf("%d reports were refused for their source; nothing was stored", len(e.Errors))
}

// TooLargeError: more documents than MaxBatch.
type TooLargeError struct{ Documents int }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the batch holds %d documents; at most %d are taken at once", e.Documents, MaxBatch)
}

// ErrEmpty: the batch holds no document.
var ErrEmpty = errors.New("the batch holds no observation")

// Accepted is one stored document and what the sender should know about it.
type Accepted struct {
	store.Stored
	Warnings []string
}

// Submit validates every document and, when all are good, stores the batch
// in one durable transaction. The error is an *InvalidError,
// *SourceError, *TooLargeError, *store.ConflictError, ErrEmpty, or a
// store failure.
func (in *Intake) Submit(ctx context.Context, docs []observation.Document) ([]Accepted, error) {
	return in.SubmitFor(ctx, "", docs)
}

// SubmitFor is Submit on behalf of a user of organisation org: every
// report must come from one of org's registered sources. "" trusts the
// caller (an operator writing into a data folder).
func (in *Intake) SubmitFor(ctx context.Context, org string, docs []observation.Document) ([]Accepted, error) {
	if len(docs) == 0 {
		return nil, ErrEmpty
	}
	if len(docs) > MaxBatch {
		return nil, &TooLargeError{Documents: len(docs)}
	}
	received := in.now().UTC()
	batch, bad, badDocs := parseAll(docs, received)
	if len(bad) > 0 {
		return nil, &InvalidError{Errors: bad, Documents: badDocs, Batch: len(docs)}
	}
	if err := in.checkSources(ctx, org, docs, batch); err != nil {
		return nil, err
	}
	stored, err := in.Store.AppendObservations(ctx, batch, received)
	if err != nil {
		return nil, err
	}
	if in.Stored != nil {
		in.Stored(stored)
	}
	out := make([]Accepted, len(stored))
	for i := range stored {
		out[i] = Accepted{Stored: stored[i], Warnings: batch[i].Warnings}
	}
	return out, nil
}

// parallelFrom is the batch size from which validation is spread over the
// cores: below it, starting goroutines costs more than it saves.
const parallelFrom = 256

// parseAll validates every document, in parallel for large batches (the
// store's single writer is the other half of an intake's time, so cores
// left idle here are throughput lost). Errors come back in document order.
func parseAll(docs []observation.Document, received time.Time) ([]observation.Observation, []FieldError, int) {
	batch := make([]observation.Observation, len(docs))
	errs := make([][]FieldError, len(docs))
	parse := func(from, to int) {
		for i := from; i < to; i++ {
			batch[i], errs[i] = observation.Parse(docs[i], received, ResolveMGRS)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), (len(docs)+parallelFrom-1)/parallelFrom)
	if workers <= 1 {
		parse(0, len(docs))
	} else {
		var wg sync.WaitGroup
		chunk := (len(docs) + workers - 1) / workers
		for from := 0; from < len(docs); from += chunk {
			wg.Add(1)
			go func(from, to int) {
				defer wg.Done()
				parse(from, to)
			}(from, min(from+chunk, len(docs)))
		}
		wg.Wait()
	}
	var bad []FieldError
	badDocs := 0
	for _, e := range errs {
		if len(e) > 0 {
			badDocs++
			bad = append(bad, e...)
		}
	}
	return batch, bad, badDocs
}

func (in *Intake) now() time.Time {
	if in.Now == nil {
		return time.Now()
	}
	return in.Now()
}

// checkSources refuses reports from sources nobody registered: every
// report must be attributable to a known team, sensor or desk.
func (in *Intake) checkSources(ctx context.Context, org string, docs []observation.Document, batch []observation.Observation) error {
	if in.AnySource {
		return nil
	}
	// why[source] is "" for a source this submitter may use.
	why := map[string]string{}
	sources := map[string]store.Source{}
	keys := map[string]map[string][]byte{} // source → key id → public key
	var bad []FieldError
	for i := range batch {
		id := batch[i].Source
		reason, seen := why[id]
		if !seen {
			src, err := in.Store.Source(ctx, id)
			switch {
			case errors.Is(err, store.ErrNotFound):
				reason = fmt.Sprintf("source %q is not registered; an administrator registers it with `truce source add`", id)
			case err != nil:
				return err
			case org != "" && src.Org != org:
				reason = fmt.Sprintf("source %q belongs to organisation %s; a user of %s cannot report for it", id, src.Org, org)
			}
			why[id], sources[id] = reason, src
		}
		at := func(pointer, detail string) FieldError {
			return FieldError{Pointer: pointer, Index: docs[i].Index, Line: docs[i].Line, Row: docs[i].Row, Detail: detail}
		}
		if reason != "" {
			bad = append(bad, at("/source", reason))
			continue
		}
		// A signature is checked whenever there is one, and required when
		// the source says so.
		sig := batch[i].Signature
		if sig == nil {
			if sources[id].RequireSignature {
				bad = append(bad, at("/signature", fmt.Sprintf("source %q requires every report to be signed with one of its registered keys", id)))
			}
			continue
		}
		if keys[id] == nil {
			ks, err := in.Store.SourceKeys(ctx, id)
			if err != nil {
				return err
			}
			keys[id] = map[string][]byte{}
			for _, k := range ks {
				keys[id][k.KeyID] = k.PublicKey
			}
		}
		pub, ok := keys[id][sig.KeyID]
		if !ok {
			bad = append(bad, at("/signature/key_id", fmt.Sprintf("key %q is not registered to source %q", sig.KeyID, id)))
			continue
		}
		if err := observation.VerifySignature(docs[i], *sig, pub); err != nil {
			bad = append(bad, at("/signature/sig", err.Error()))
		}
	}
	if len(bad) > 0 {
		return &SourceError{Errors: bad}
	}
	return nil
}

// ResolveMGRS adapts geo's MGRS conversion to the validator's resolver.
func ResolveMGRS(ref string) (float64, float64, error) {
	p, err := geo.MGRSToLatLon(ref)
	return p.Lat, p.Lon, err
}
