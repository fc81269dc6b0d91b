package observation

import (
	"errors"
	"fmt"
	"time"

	"github.com/truce-mechanism/truce/canonical"
)

// storedReceipt is the receipt time used to re-read a stored document: far
// enough ahead that the "not in the future" rule, which was applied at
// intake against the true receipt time, never fires again.
var storedReceipt = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// FromStored rebuilds the typed observation from a stored canonical
// document. The document passed validation when it was accepted, so an
// error here means the store holds something intake never wrote.
func FromStored(doc []byte, resolve Resolver) (Observation, error) {
	var d decoder
	return d.stored(doc, resolve)
}

// FromStoredBatch is FromStored for many documents: one parser reads them
// all, sharing its arenas (a parser per document would cost a batch's
// arena for each), as intake decodes a batch. A failure is a
// *StoredBatchError naming the document.
func FromStoredBatch(docs [][]byte, resolve Resolver) ([]Observation, error) {
	size := 0
	for _, doc := range docs {
		size += len(doc)
	}
	d := decoder{buf: make([]byte, 0, size+64)}
	out := make([]Observation, len(docs))
	for i, doc := range docs {
		o, err := d.stored(doc, resolve)
		if err != nil {
			return nil, &StoredBatchError{Index: i, Err: err}
		}
		out[i] = o
	}
	return out, nil
}

// StoredBatchError is FromStoredBatch's failure: the position of the
// document in the batch, and what FromStored says of it.
type StoredBatchError struct {
	Index int
	Err   error
}

func (e *StoredBatchError) Error() string {
	return fmt.Sprintf("document %d of the batch: %v", e.Index, e.Err)
}

func (e *StoredBatchError) Unwrap() error { return e.Err }

func (d *decoder) stored(doc []byte, resolve Resolver) (Observation, error) {
	v, err := d.p.Parse(string(doc))
	if err != nil {
		return Observation{}, fmt.Errorf("stored observation does not decode: %w", jsonDecodeError("json", string(doc), err))
	}
	if v.Kind != canonical.Object {
		return Observation{}, errors.New("stored observation is not one JSON object")
	}
	c, err := d.canon(&v)
	if err != nil {
		return Observation{}, fmt.Errorf("stored observation does not decode: %w", err)
	}
	o, errs := Parse(Document{Value: v, Canonical: c, Single: true}, storedReceipt, resolve)
	if len(errs) > 0 {
		return Observation{}, fmt.Errorf("stored observation is no longer valid: %s", errs[0].Error())
	}
	return o, nil
}
