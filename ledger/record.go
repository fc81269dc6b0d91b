package ledger

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/truce-mechanism/truce/canonical"
)

// Record types committed to the log. Every record type later rooms add
// gets its name here, so a verifier knows the full list.
const (
	TypeObservation = "observation"
)

// Commitment is what the log commits to for one record: its type, its key
// and the SHA-256 of its canonical form.
type Commitment struct {
	Type   string
	Key    string
	Digest [32]byte
}

// Commit computes the commitment of a record from its JSON. The JSON is
// canonicalised first (RFC 8785), so whoever holds the record in any
// formatting computes the same digest.
func Commit(typ, key string, record []byte) (Commitment, error) {
	c, err := canonical.Transform(record)
	if err != nil {
		return Commitment{}, fmt.Errorf("record %s %s is not JSON: %w", typ, key, err)
	}
	return Commitment{Type: typ, Key: key, Digest: sha256.Sum256(c)}, nil
}

// CommitCanonical is Commit for bytes already in canonical form, as the
// stores keep them: no parsing, one hash.
func CommitCanonical(typ, key string, canonicalRecord []byte) Commitment {
	return Commitment{Type: typ, Key: key, Digest: sha256.Sum256(canonicalRecord)}
}

// LeafInput is the documented bytes whose RFC 6962 leaf hash stands for the
// record in its batch:
//
//	{"digest":"sha256:<hex>","key":"<key>","type":"<type>","v":1}
//
// (RFC 8785 canonical JSON: members in this order, no spaces). Types and
// keys are plain ASCII names, so the form is unambiguous.
func (c Commitment) LeafInput() []byte {
	b := make([]byte, 0, 128)
	b = append(b, `{"digest":"sha256:`...)
	b = hex.AppendEncode(b, c.Digest[:])
	b = append(b, `","key":`...)
	b = canonical.AppendString(b, c.Key)
	b = append(b, `,"type":`...)
	b = canonical.AppendString(b, c.Type)
	b = append(b, `,"v":1}`...)
	return b
}

// LeafHash is the RFC 6962 leaf hash of LeafInput.
func (c Commitment) LeafHash() [32]byte {
	var h [32]byte
	copy(h[:], rfc6962.DefaultHasher.HashLeaf(c.LeafInput()))
	return h
}

// Batch is one log entry: the Merkle root of the records of one type with
// sequences First … First+Count-1, in sequence order.
type Batch struct {
	Type  string
	First int64
	Count int
	Root  [32]byte
}

// Last is the sequence of the batch's last record.
func (b Batch) Last() int64 { return b.First + int64(b.Count) - 1 }

// Contains reports whether the record of type typ and sequence seq is in b.
func (b Batch) Contains(typ string, seq int64) bool {
	return b.Type == typ && seq >= b.First && seq <= b.Last()
}

// batchJSON is the wire form of a log entry.
type batchJSON struct {
	Count int    `json:"count"`
	First int64  `json:"first"`
	Root  string `json:"root"`
	Type  string `json:"type"`
	V     int    `json:"v"`
}

// MarshalEntry is the log entry's bytes, canonical JSON:
//
//	{"count":N,"first":S,"root":"<base64>","type":"<type>","v":1}
func (b Batch) MarshalEntry() []byte {
	out, err := json.Marshal(batchJSON{Count: b.Count, First: b.First, Root: base64.StdEncoding.EncodeToString(b.Root[:]), Type: b.Type, V: 1})
	if err != nil {
		panic(err) // plain ints and strings always marshal
	}
	return out
}

// ParseEntry reads a log entry. It refuses anything but the exact canonical
// form MarshalEntry writes, so one batch has exactly one entry encoding and
// a verifier never has to guess.
func ParseEntry(data []byte) (Batch, error) {
	var j batchJSON
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return Batch{}, fmt.Errorf("log entry is not a truce batch: %w", err)
	}
	if j.V != 1 {
		return Batch{}, fmt.Errorf("log entry version %d: only 1 is known", j.V)
	}
	if j.Type == "" || j.Count < 1 || j.First < 1 {
		return Batch{}, errors.New("log entry needs a type, first ≥ 1 and count ≥ 1")
	}
	root, err := base64.StdEncoding.DecodeString(j.Root)
	if err != nil || len(root) != 32 {
		return Batch{}, errors.New("log entry root is not 32 bytes of base64")
	}
	b := Batch{Type: j.Type, First: j.First, Count: j.Count}
	copy(b.Root[:], root)
	if string(b.MarshalEntry()) != string(data) {
		return Batch{}, errors.New("log entry is not in canonical form")
	}
	return b, nil
}
