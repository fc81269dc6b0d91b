package ledger

import (
	"context"
	"strconv"

	"github.com/truce-mechanism/truce/store"
)

// TypeEvent is the record type of event versions: each version of a fused
// event is a record of its own (DESIGN.md, invariant 2) and has its own
// leaf, in the order the store kept versions (EventRecord.Recorded).
const TypeEvent = "event"

// EventKey is an event version's key in the ledger: id/version. Event ids
// hold no "/" and the version is a number, so the key splits one way only.
func EventKey(id string, version int) string { return id + "/" + strconv.Itoa(version) }

// CommitEvent is an event version's commitment: its document — the event
// as the API serves it, which names its id, version and markings — in
// RFC 8785 form, under the key id/version, as an observation's is its
// document under source/id. Whoever holds the event as served can so
// prove it is in the log with nothing else (Proof.Verify), and the key
// binds the leaf to that id and version whatever the document says.
//
// A document that is not JSON (the server never stores one) is committed
// as its bytes, so one bad row cannot stall the ledger; no JSON document
// has the same canonical bytes, so the two cannot be confused.
func CommitEvent(e store.EventRecord) Commitment {
	key := EventKey(e.ID, e.Version)
	c, err := Commit(TypeEvent, key, e.Document)
	if err != nil {
		return CommitCanonical(TypeEvent, key, e.Document)
	}
	return c
}

// EventFeed commits event versions.
func EventFeed(st store.Store) Feed {
	return Feed{Type: TypeEvent, After: func(ctx context.Context, seq int64, limit int) ([]Sequenced, error) {
		es, err := st.EventVersionsAfter(ctx, seq, limit)
		if err != nil {
			return nil, err
		}
		out := make([]Sequenced, len(es))
		for i, e := range es {
			out[i] = Sequenced{Sequence: e.Recorded, Commitment: CommitEvent(e)}
		}
		return out, nil
	}}
}
