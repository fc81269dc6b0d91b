package main

import (
	"context"
	"log/slog"
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
		Marking: store.JoinMarkings(e.Marking), Document: p.document(e), Sequence: e.LastSequence}
	if est, _ := e.Placed(); est != nil {
		lat, lon := est.Point.Lat, est.Point.Lon
		rec.Lat, rec.Lon = &lat, &lon
	}
	return rec
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
	if err := p.st.PutEvents(ctx, recs); err != nil {
		return err
	}
	n, err := server.OpenCasesFor(ctx, p.st, p.versions, recs, time.Now(), p.log)
	if n > 0 {
		p.log.Info("cases opened automatically", slog.Int("cases", n))
	}
	return err
}
