package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/truce-mechanism/truce/canonical"
	"github.com/truce-mechanism/truce/store"
)

// TypeRelease is the record type of sanitised releases of derived
// records.
const TypeRelease = "release"

// ReleaseRecord is the JSON a release is committed as, and exactly what
// the API shows of it (RFC 8785 canonical form), the sanitised document
// inside:
//
//	{"at":"…","by":"…","document":{…},"id":"…","marking":"…","of":"…","org":"…","reason":"…","sequence":N}
//
// Whoever reads a release can so check it against its leaf with nothing
// else. It fails only for a document that is not JSON, which the store
// refuses to keep.
func ReleaseRecord(r store.Release) ([]byte, error) {
	b, err := json.Marshal(struct {
		At       string          `json:"at"`
		By       string          `json:"by"`
		Document json.RawMessage `json:"document"`
		ID       string          `json:"id"`
		Marking  string          `json:"marking"`
		Of       string          `json:"of"`
		Org      string          `json:"org"`
		Reason   string          `json:"reason"`
		Sequence int64           `json:"sequence"`
	}{r.At.UTC().Format(time.RFC3339Nano), r.By, r.Document, r.ID, r.Marking, r.Of, r.Org, r.Reason, r.Sequence})
	if err != nil {
		return nil, fmt.Errorf("release %s: %w", r.ID, err)
	}
	c, err := canonical.Transform(b)
	if err != nil {
		return nil, fmt.Errorf("release %s: %w", r.ID, err)
	}
	return c, nil
}

// CommitRelease is a release's commitment: its record under its ID.
func CommitRelease(r store.Release) (Commitment, error) {
	rec, err := ReleaseRecord(r)
	if err != nil {
		return Commitment{}, err
	}
	return CommitCanonical(TypeRelease, r.ID, rec), nil
}

// ReleaseFeed commits releases.
func ReleaseFeed(st store.Store) Feed {
	return Feed{Type: TypeRelease, After: func(ctx context.Context, seq int64, limit int) ([]Sequenced, error) {
		rs, err := st.ReleasesAfter(ctx, seq, limit)
		if err != nil {
			return nil, err
		}
		out := make([]Sequenced, len(rs))
		for i, r := range rs {
			c, err := CommitRelease(r)
			if err != nil {
				return nil, fmt.Errorf("ledger: %w", err)
			}
			out[i] = Sequenced{Sequence: r.Sequence, Commitment: c}
		}
		return out, nil
	}}
}
