package ledger

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/truce-mechanism/truce/canonical"
	"github.com/truce-mechanism/truce/store"
)

// TypeWithdrawal is the record type of withdrawals: a record taken back
// keeps its leaf, and the withdrawal gets one of its own.
const TypeWithdrawal = "withdrawal"

// WithdrawalKey is a withdrawal's key in the ledger: its sequence.
func WithdrawalKey(w store.Withdrawal) string { return strconv.FormatInt(w.Sequence, 10) }

// WithdrawalRecord is the JSON a withdrawal is committed as, and what the
// API shows of it (RFC 8785 canonical form):
//
//	{"at":"…","by":"…","reason":"…","record":{"key":"…","type":"…"},"sequence":N,"withhold":B}
func WithdrawalRecord(w store.Withdrawal) []byte {
	type ref struct {
		Key  string `json:"key"`
		Type string `json:"type"`
	}
	b, err := json.Marshal(struct {
		At       string `json:"at"`
		By       string `json:"by"`
		Reason   string `json:"reason"`
		Record   ref    `json:"record"`
		Sequence int64  `json:"sequence"`
		Withhold bool   `json:"withhold"`
	}{w.At.UTC().Format(time.RFC3339Nano), w.By, w.Reason, ref{w.RecordKey, w.RecordType}, w.Sequence, w.Withhold})
	if err != nil {
		panic(err) // strings, ints and bools always marshal
	}
	c, err := canonical.Transform(b)
	if err != nil {
		panic(err) // json.Marshal's output is JSON
	}
	return c
}

// WithdrawalFeed commits withdrawals.
func WithdrawalFeed(st store.Store) Feed {
	return Feed{Type: TypeWithdrawal, After: func(ctx context.Context, seq int64, limit int) ([]Sequenced, error) {
		ws, err := st.WithdrawalsAfter(ctx, seq, limit)
		if err != nil {
			return nil, err
		}
		out := make([]Sequenced, len(ws))
		for i, w := range ws {
			out[i] = Sequenced{Sequence: w.Sequence, Commitment: CommitCanonical(TypeWithdrawal, WithdrawalKey(w), WithdrawalRecord(w))}
		}
		return out, nil
	}}
}

// TypeAudit is the record type of audit events.
const TypeAudit = "audit"

// AuditRecord is the JSON an audit event is committed as (RFC 8785):
//
//	{"action":…,"actor":…,"at":…,"detail":…,"org":…,"sequence":N,"target":…,"token":…}
func AuditRecord(e store.AuditEvent) []byte {
	b, err := json.Marshal(struct {
		Action   string `json:"action"`
		Actor    string `json:"actor"`
		At       string `json:"at"`
		Detail   string `json:"detail"`
		Org      string `json:"org"`
		Sequence int64  `json:"sequence"`
		Target   string `json:"target"`
		Token    string `json:"token"`
	}{e.Action, e.Actor, e.At.UTC().Format(time.RFC3339Nano), e.Detail, e.Org, e.Sequence, e.Target, e.Token})
	if err != nil {
		panic(err) // strings and ints always marshal
	}
	c, err := canonical.Transform(b)
	if err != nil {
		panic(err)
	}
	return c
}

// AuditFeed commits the audit trail.
func AuditFeed(st store.Store) Feed {
	return Feed{Type: TypeAudit, After: func(ctx context.Context, seq int64, limit int) ([]Sequenced, error) {
		es, err := st.AuditAfter(ctx, seq, limit)
		if err != nil {
			return nil, err
		}
		out := make([]Sequenced, len(es))
		for i, e := range es {
			out[i] = Sequenced{Sequence: e.Sequence, Commitment: CommitCanonical(TypeAudit, strconv.FormatInt(e.Sequence, 10), AuditRecord(e))}
		}
		return out, nil
	}}
}

// Feeds are every record type the ledger commits, from one store.
func Feeds(st store.Store) []Feed {
	return []Feed{ObservationFeed(st), WithdrawalFeed(st), AuditFeed(st), EventFeed(st), ReleaseFeed(st), ProcedureFeed(st)}
}

// Types are the record types of Feeds, for audits.
var Types = []string{TypeObservation, TypeWithdrawal, TypeAudit, TypeEvent, TypeRelease, TypeProcedure}
