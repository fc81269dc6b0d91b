package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/assess"
	"github.com/truce-mechanism/truce/commission"
	"github.com/truce-mechanism/truce/store"
)

// Cases the mechanism opens by itself: the agreement says that a breach
// at or above a severity (its Commission terms' AutoOpenSeverity) opens a
// case without waiting for a member (commission.ShouldOpen,
// OpenAutomatically). The event pipeline calls OpenCasesFor once it has
// stored final events, so the case cites a record that is in the store
// and, soon, in the ledger.
//
// A case is opened only against a party the assessment attributes the
// event to: its attribution's party, which the assessor sets only when
// the probability of the likeliest party reaches the agreement's
// attribution threshold (thresholds.attribution_probability, 0.9 by
// default) and leaves "undetermined" otherwise. A breach nobody can be
// held to is the mechanism's to investigate, not a case with an accused;
// a member may still open one by hand.
//
// Opening is idempotent, so that a restart that replays the record (the
// pipeline stores every final event again, as a no-op) opens nothing
// twice: the case's ID derives from the event's (AutoCaseID), its opening
// is at position 1, and a case already there — from an earlier run, or
// another node at the same moment — is left as it is.

// AutoCaseID is the ID of the case opened automatically for an event.
func AutoCaseID(eventID string) string { return "case-auto-" + eventID }

// breachFacts are what OpenCasesFor reads of a stored event's document.
type breachFacts struct {
	Severity         string         `json:"severity"`
	Violations       []violationOut `json:"violations"`
	AgreementVersion string         `json:"agreement_version"`
	Tentative        bool           `json:"tentative"` // probably a false alarm: no case rests on it
	Attribution      struct {
		Party       string  `json:"party"`
		Probability float64 `json:"probability"`
	} `json:"attribution"`
}

// OpenCasesFor opens a case, as the mechanism, for each event that is a
// breach at or above the severity threshold of the agreement version it
// was assessed under and that is attributed to a party, unless the case
// is open already. It returns how many it opened. The error is the
// store's (the caller tries again: opening is idempotent); an event whose
// case the procedure refuses is logged and passed over, so one bad record
// cannot hold up the rest. Each opening is also written to the audit
// trail, as the mechanism's act at now, beside the users' acts.
func OpenCasesFor(ctx context.Context, st store.Store, versions *agreement.Versions, events []store.EventRecord, now time.Time, log *slog.Logger) (int, error) {
	if log == nil {
		log = slog.Default()
	}
	var recs []store.ProcedureRecord
	seen := map[string]bool{}
	for _, ev := range events {
		id := AutoCaseID(ev.ID)
		if seen[id] {
			continue // two versions of one event in a batch: one case
		}
		rec, ok, err := autoOpening(versions, ev)
		if err != nil {
			log.Warn("automatic case not opened", slog.String("event", ev.ID), slog.Any("error", err))
			continue
		}
		if !ok {
			continue
		}
		seen[id] = true
		existing, err := st.ProcedureRecords(ctx, store.ProcedureQuery{Kind: kindCaseAction, Key: id, Limit: 1})
		if err != nil {
			return 0, err
		}
		if len(existing) == 0 {
			recs = append(recs, rec)
		}
	}
	if len(recs) == 0 {
		return 0, nil
	}
	if _, err := st.AppendProcedureRecords(ctx, recs); err == nil {
		auditOpenings(ctx, st, recs, now, log)
		return len(recs), nil
	} else if !errors.Is(err, store.ErrConflict) {
		return 0, err
	}
	// Someone opened one of them meanwhile: one by one, keeping theirs.
	var opened []store.ProcedureRecord
	for _, rec := range recs {
		_, err := st.AppendProcedureRecords(ctx, []store.ProcedureRecord{rec})
		switch {
		case err == nil:
			opened = append(opened, rec)
		case !errors.Is(err, store.ErrConflict):
			auditOpenings(ctx, st, opened, now, log)
			return len(opened), err
		}
	}
	auditOpenings(ctx, st, opened, now, log)
	return len(opened), nil
}

// auditOpenings writes the automatic openings to the audit trail. The
// cases are opened and in the ledger already, so a failure here is
// logged, not returned: retrying would find them open and write nothing.
func auditOpenings(ctx context.Context, st store.Store, opened []store.ProcedureRecord, now time.Time, log *slog.Logger) {
	if len(opened) == 0 {
		return
	}
	events := make([]store.AuditEvent, len(opened))
	for i, rec := range opened {
		events[i] = store.AuditEvent{At: now, Actor: rec.By, Action: "open case", Target: "case " + rec.Key,
			Detail: "opened automatically for a breach at or above the agreement's severity threshold"}
	}
	if _, err := st.AppendAudit(ctx, events); err != nil {
		log.Warn("automatic case openings not audited", slog.Int("cases", len(opened)), slog.Any("error", err))
	}
}

// autoOpening is the opening of the case for ev, and whether the
// agreement opens one.
func autoOpening(versions *agreement.Versions, ev store.EventRecord) (store.ProcedureRecord, bool, error) {
	var f breachFacts
	if err := json.Unmarshal(ev.Document, &f); err != nil {
		return store.ProcedureRecord{}, false, fmt.Errorf("reading the event's document: %w", err)
	}
	party := f.Attribution.Party
	if f.Severity == "" || f.Tentative || party == "" || party == assess.Undetermined || versions == nil {
		return store.ProcedureRecord{}, false, nil
	}
	a := versions.InForce(ev.Start)
	if a == nil || f.AgreementVersion != assess.VersionName(a) {
		return store.ProcedureRecord{}, false, nil // assessed under no version, or one this node has not loaded
	}
	rules := commission.RulesFrom(a)
	if !rules.IsParty(party) || !commission.ShouldOpen(rules, f.Severity) {
		return store.ProcedureRecord{}, false, nil
	}
	// The rule alleged is the first (in the agreement's order) of the
	// gravest severity the event reached.
	rule := ""
	if i := slices.IndexFunc(f.Violations, func(v violationOut) bool { return v.Severity == f.Severity }); i >= 0 {
		rule = f.Violations[i].Rule
	}
	// Dated by the event's end, not the wall clock: the same event opens
	// the same record on every run, and rebuild can reproduce it.
	c, err := commission.OpenAutomatically(rules, AutoCaseID(ev.ID), commission.Breach{Event: ev.ID, Accused: party, Rule: rule, Severity: f.Severity, At: ev.End.UTC()})
	if err != nil {
		return store.ProcedureRecord{}, false, err
	}
	op := c.Actions[0]
	rec, err := procedureRecord(kindCaseAction, op.Case, op.Seq, op.Marking, op.By, op)
	if err != nil {
		return store.ProcedureRecord{}, false, err
	}
	rec.At = op.At
	return rec, true, nil
}
