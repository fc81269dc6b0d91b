package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/truce-mechanism/truce/canonical"
	"github.com/truce-mechanism/truce/store"
)

// TypeProcedure is the record type of the Commission's and the
// guarantees' procedure records: case actions, motions and votes,
// determinations, Ukraine's requests, reassurance measures, commitments,
// obligations and reports on them.
const TypeProcedure = "procedure"

// ProcedureKey is a procedure record's key in the log: kind/key/seq,
// unique in the store.
func ProcedureKey(r store.ProcedureRecord) string {
	return r.Kind + "/" + r.Key + "/" + strconv.Itoa(r.Seq)
}

// ProcedureRecord is the JSON a procedure record is committed as, and
// exactly what the API shows of it (RFC 8785 canonical form), the domain
// document inside:
//
//	{"at":"…","by":"…","document":{…},"key":"…","kind":"…","marking":"…","org":"…","seq":N,"sequence":N}
//
// It fails only for a document that is not JSON, which the store refuses
// to keep.
func ProcedureRecord(r store.ProcedureRecord) ([]byte, error) {
	b, err := json.Marshal(struct {
		At       string          `json:"at"`
		By       string          `json:"by"`
		Document json.RawMessage `json:"document"`
		Key      string          `json:"key"`
		Kind     string          `json:"kind"`
		Marking  string          `json:"marking"`
		Org      string          `json:"org"`
		Seq      int             `json:"seq"`
		Sequence int64           `json:"sequence"`
	}{r.At.UTC().Format(time.RFC3339Nano), r.By, r.Document, r.Key, r.Kind, r.Marking, r.Org, r.Seq, r.Sequence})
	if err != nil {
		return nil, fmt.Errorf("procedure record %s: %w", ProcedureKey(r), err)
	}
	c, err := canonical.Transform(b)
	if err != nil {
		return nil, fmt.Errorf("procedure record %s: %w", ProcedureKey(r), err)
	}
	return c, nil
}

// CommitProcedure is a procedure record's commitment: its record under
// its key.
func CommitProcedure(r store.ProcedureRecord) (Commitment, error) {
	rec, err := ProcedureRecord(r)
	if err != nil {
		return Commitment{}, err
	}
	return CommitCanonical(TypeProcedure, ProcedureKey(r), rec), nil
}

// ProcedureFeed commits procedure records.
func ProcedureFeed(st store.Store) Feed {
	return Feed{Type: TypeProcedure, After: func(ctx context.Context, seq int64, limit int) ([]Sequenced, error) {
		rs, err := st.ProcedureRecordsAfter(ctx, seq, limit)
		if err != nil {
			return nil, err
		}
		out := make([]Sequenced, len(rs))
		for i, r := range rs {
			c, err := CommitProcedure(r)
			if err != nil {
				return nil, fmt.Errorf("ledger: %w", err)
			}
			out[i] = Sequenced{Sequence: r.Sequence, Commitment: c}
		}
		return out, nil
	}}
}
