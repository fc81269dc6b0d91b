package coverage_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/coverage"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
)

// BenchmarkSummarizeMonth: the daily coverage of the 20 km band along the
// demo line of contact over 30 days, every hour of which sources 25 km
// apart along the whole line reported (as the server's ceasefire
// benchmark has it). "first" asks a tracker that has kept nothing yet,
// "again" one that was asked before.
//
//	go test -run '^$' -bench SummarizeMonth -benchtime 3x ./coverage
func BenchmarkSummarizeMonth(b *testing.B) {
	a, err := agreement.Demo()
	if err != nil {
		b.Fatal(err)
	}
	contact := a.Line("contact")
	sites := geo.Stations(contact.Parts, 25000)
	first := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	month := func() *coverage.Tracker {
		tr := coverage.New(coverage.Config{Footprints: map[string]coverage.Footprint{"wide": {RadiusM: 40000}}})
		for h := range 30 * 24 {
			at := first.Add(time.Duration(h)*time.Hour + 30*time.Minute)
			for i, p := range sites {
				o := &observation.Observation{Source: fmt.Sprintf("wide-%d", i), ID: fmt.Sprintf("%d-%d", h, i), Kind: observation.Other,
					ObservedAt: at, Observer: &observation.Point{Lat: p.Lat, Lon: p.Lon, Resolved: true}, Marking: access.Public}
				tr.Add(o, coverage.SourceInfo{Kind: "wide"})
			}
		}
		return tr
	}
	band := coverage.AreaNearLine(contact.Geo, 20000)
	summarize := func(tr *coverage.Tracker) []coverage.Summary {
		return tr.Summarize(first, first.AddDate(0, 0, 30), 24*time.Hour, band, access.Anonymous.CanSee)
	}
	report := func(b *testing.B, s []coverage.Summary) {
		if len(s) != 30 || s[29].Covered == 0 {
			b.Fatalf("%d days, the last %+v", len(s), s[len(s)-1])
		}
		b.ReportMetric(float64(band.Len()), "cells")
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/month")
	}
	b.Run("first", func(b *testing.B) {
		var s []coverage.Summary
		for b.Loop() {
			b.StopTimer()
			tr := month()
			b.StartTimer()
			s = summarize(tr)
		}
		report(b, s)
	})
	b.Run("again", func(b *testing.B) {
		tr := month()
		// What the tracker keeps of the first answer, a day's worth.
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := summarize(tr)
		runtime.GC()
		runtime.ReadMemStats(&after)
		for b.Loop() {
			s = summarize(tr)
		}
		report(b, s)
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/30, "B-kept/day")
	})
}
