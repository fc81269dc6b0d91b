package observation

import (
	"errors"
	"fmt"
	"time"
)

// storedReceipt is the receipt time used to re-read a stored document: far
// enough ahead that the "not in the future" rule, which was applied at
// intake against the true receipt time, never fires again.
var storedReceipt = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// FromStored rebuilds the typed observation from a stored canonical
// document. The document passed validation when it was accepted, so an
// error here means the store holds something intake never wrote.
func FromStored(doc []byte, resolve Resolver) (Observation, error) {
	docs, err := Decode(MediaJSON, doc)
	if err != nil {
		return Observation{}, fmt.Errorf("stored observation does not decode: %w", err)
	}
	if len(docs) != 1 || !docs[0].Single {
		return Observation{}, errors.New("stored observation is not one JSON object")
	}
	o, errs := Parse(docs[0], storedReceipt, resolve)
	if len(errs) > 0 {
		return Observation{}, fmt.Errorf("stored observation is no longer valid: %s", errs[0].Error())
	}
	return o, nil
}
