package notify

import (
	"encoding/json"
	"time"

	"github.com/truce-mechanism/truce/ledger"
	"github.com/truce-mechanism/truce/store"
)

// Notification is what is published of one procedure record.
type Notification struct {
	// Type is the record's kind ("case_action", "determination", …).
	Type string `json:"type"`
	// Key is the record's ledger key, kind/key/seq.
	Key     string `json:"key"`
	Marking string `json:"marking"`
	// Sequence is the record's procedure sequence: the stream's event ID
	// and the cursor a subscriber resumes from.
	Sequence int64     `json:"sequence"`
	At       time.Time `json:"at"`
	// Record is the record exactly as the ledger committed it
	// (ledger.ProcedureRecord), so a receiver can prove it is in the log.
	Record json.RawMessage `json:"record"`
}

// NotificationOf is the notification of a stored record.
func NotificationOf(r store.ProcedureRecord) (Notification, error) {
	b, err := ledger.ProcedureRecord(r)
	if err != nil {
		return Notification{}, err
	}
	return Notification{Type: r.Kind, Key: ledger.ProcedureKey(r), Marking: r.Marking, Sequence: r.Sequence, At: r.At.UTC(), Record: b}, nil
}
