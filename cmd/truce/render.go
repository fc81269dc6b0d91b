package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/assess"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/server"
	"github.com/truce-mechanism/truce/store"
)

// eventPipeline is the one way an event is assessed and becomes the
// document the API serves, the store keeps and rebuild compares: serve
// and rebuild both build it, so a rebuild checks exactly what was served.
type eventPipeline struct {
	st       store.Store
	versions *agreement.Versions
	assessor *assess.Assessor
	log      *slog.Logger
}

func newEventPipeline(st store.Store, versions *agreement.Versions, book *sourceBook, log *slog.Logger) *eventPipeline {
	lookup := func(source string) (assess.SourceInfo, bool) {
		s, ok := book.get(context.Background(), source)
		return assess.SourceInfo{Kind: s.Kind, Org: s.Org, Grading: s.Grading}, ok
	}
	return &eventPipeline{st: st, versions: versions, assessor: assess.New(versions, assess.Config{Sources: lookup}), log: log}
}

// reports reads an event's reports back from the store: assessment needs
// what fusion does not keep (gradings, fire directions, every report's
// weapon).
func (p *eventPipeline) reports(ctx context.Context, e fusion.Event) []*observation.Observation {
	if len(e.Reports) == len(e.Observations) {
		return e.Reports // a snapshot of the engine carries them
	}
	out := make([]*observation.Observation, 0, len(e.Observations))
	for _, k := range e.Observations {
		rec, err := p.st.Observation(ctx, k)
		if err != nil {
			p.log.Warn("assessment: a report of the event cannot be read; assessed without it",
				slog.String("event", e.ID), slog.String("report", k.Source+"/"+k.ID), slog.Any("error", err))
			continue
		}
		o, err := observation.FromStored(rec.Document, intake.ResolveMGRS)
		if err != nil {
			continue
		}
		out = append(out, &o)
	}
	return out
}

// assess assesses an event. A rule that fails to evaluate is logged: the
// rest of the assessment stands.
func (p *eventPipeline) assess(e fusion.Event) assess.Assessment {
	ctx := context.Background()
	a, err := p.assessor.Assess(e, p.reports(ctx, e), assess.NoReview)
	if err != nil {
		p.log.Warn("assessment incomplete", slog.String("event", e.ID), slog.Any("error", err))
	}
	return a
}

// document is the event's JSON as served and stored.
func (p *eventPipeline) document(e fusion.Event) []byte {
	return server.EventDocument(e, p.assess(e))
}

// record is the stored version of an event.
func (p *eventPipeline) record(e fusion.Event) store.EventRecord {
	rec := store.EventRecord{ID: e.ID, Version: e.Version, Start: e.Start, End: e.End, Kind: string(e.Kind),
		Marking: store.JoinMarkings(e.Marking), Document: p.document(e), Sequence: e.LastSequence, Tentative: e.Tentative}
	if est, _ := e.Placed(); est != nil {
		lat, lon := est.Point.Lat, est.Point.Lon
		rec.Lat, rec.Lon = &lat, &lon
	}
	return rec
}

// putEvents stores the versions and returns those stored (or stored
// already with the same bytes). A version the store holds with other
// bytes is one an earlier release of truce derived differently from the
// same reports (a replay after an upgrade, DECISIONS 30): the record
// keeps what it published — it is append-only and in the ledger — and
// the new derivation is left out and logged, for `truce rebuild` to
// list. Without this, one such version would refuse the whole batch at
// every retry and no event would be stored again.
func (p *eventPipeline) putEvents(ctx context.Context, recs []store.EventRecord) ([]store.EventRecord, error) {
	err := p.st.PutEvents(ctx, recs)
	var conflict *store.EventConflictError
	if !errors.As(err, &conflict) {
		return recs, err
	}
	kept := make([]store.EventRecord, 0, len(recs))
	for i, r := range recs {
		if !slices.Contains(conflict.Indexes, i) {
			kept = append(kept, r)
		}
	}
	p.log.Warn("event versions stored earlier differ from what fusion derives now: the stored ones stand (truce rebuild lists them)",
		slog.Int("versions", len(conflict.Versions)), slog.String("first", fmt.Sprintf("%s v%d", conflict.Versions[0].ID, conflict.Versions[0].Version)))
	return kept, p.st.PutEvents(ctx, kept)
}

// persist stores final events (fusion.Live.Persist). Storing a version
// already stored with the same bytes is a no-op: a restart that replays
// the record re-derives what it stored (DECISIONS 30). Then the breaches
// at or above the agreement's severity threshold get their cases, opened
// by the mechanism (server.OpenCasesFor), idempotently too: a failure
// returns the error, fusion offers the events again, and what was opened
// stays opened once.
func (p *eventPipeline) persist(ctx context.Context, final []fusion.Event) error {
	recs := make([]store.EventRecord, len(final))
	for i, e := range final {
		recs[i] = p.record(e)
	}
	recs, err := p.putEvents(ctx, recs)
	if err != nil {
		return err
	}
	n, err := server.OpenCasesFor(ctx, p.st, p.versions, recs, time.Now(), p.log)
	if n > 0 {
		p.log.Info("cases opened automatically", slog.Int("cases", n))
	}
	return err
}
