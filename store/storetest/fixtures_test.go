package storetest

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/store"
)

// The fixtures' documents are what a validator would have accepted: valid
// JSON whose fields agree with the typed view.
func TestFixtureDocuments(t *testing.T) {
	g := NewStream(1, Base, 24*time.Hour, 1000, Lateness)
	obs := append(g.Batch(200), NewGenerator(2, Base, time.Hour).Batch(50)...)
	obs = append(obs, Build(Spec{Source: "s", ID: "a", At: Base, HasLocation: true, Lat: 48.1, Lon: 37.9, Marking: "PUBLIC", Count: 3}),
		Build(Spec{Source: "s", ID: "b", At: Base, MGRS: "37UDQ12"}))
	for _, o := range obs {
		var d struct {
			ID, Source, Kind, Marking string
			ObservedAt                time.Time `json:"observed_at"`
			Count                     int
			Location                  *struct{ Lat, Lon float64 }
		}
		if err := json.Unmarshal(o.Document, &d); err != nil {
			t.Fatalf("%s: %v\n%s", o.ID, err, o.Document)
		}
		if d.ID != o.ID || d.Source != o.Source || d.Kind != string(o.Kind) || !d.ObservedAt.Equal(o.ObservedAt) {
			t.Errorf("%s: document %s disagrees with %+v", o.ID, o.Document, o)
		}
		if (d.Marking != "" && d.Marking != o.Marking) || (d.Count != 0 && d.Count != o.Count) {
			t.Errorf("%s: marking or count disagree", o.ID)
		}
		if p := o.Position(); p != nil && (d.Location == nil || d.Location.Lat != p.Lat || d.Location.Lon != p.Lon) {
			t.Errorf("%s: location disagrees", o.ID)
		}
	}
}

// A stream is in time order give or take its lateness.
func TestStreamOrder(t *testing.T) {
	g := NewStream(3, Base, 365*24*time.Hour, 10_000, Lateness)
	for i, o := range g.Batch(10_000) {
		clock := Base.Add(time.Duration(i+1) * (365 * 24 * time.Hour / 10_000))
		if o.ObservedAt.After(clock) || o.ObservedAt.Before(clock.Add(-Lateness)) {
			t.Fatalf("report %d at %v, stream clock %v", i, o.ObservedAt, clock)
		}
	}
}

// An event stream is what fusion would persist: each event's versions in
// order, none twice, sequences rising, documents that agree with the
// fields.
func TestEventStream(t *testing.T) {
	g := NewEventStream(4, Base, 30*24*time.Hour, 5000)
	last := map[string]int{}
	var seq int64
	for _, e := range g.Batch(8000) {
		if err := store.CheckEvent(e); err != nil {
			t.Fatal(err)
		}
		if e.Version != last[e.ID]+1 {
			t.Fatalf("%s version %d after version %d", e.ID, e.Version, last[e.ID])
		}
		last[e.ID] = e.Version
		if e.Sequence <= seq {
			t.Fatalf("%s version %d: sequence %d after %d", e.ID, e.Version, e.Sequence, seq)
		}
		seq = e.Sequence
		var d struct {
			ID, Kind string
			Version  int
			Start    time.Time
			Marking  []string
			Location *struct{ Lat, Lon float64 }
		}
		if err := json.Unmarshal(e.Document, &d); err != nil {
			t.Fatalf("%s: %v\n%s", e.ID, err, e.Document)
		}
		if d.ID != e.ID || d.Version != e.Version || d.Kind != e.Kind || !d.Start.Equal(e.Start) || store.JoinMarkings(d.Marking) != e.Marking {
			t.Errorf("%s: document %s disagrees with %+v", e.ID, e.Document, e)
		}
		if (d.Location == nil) != (e.Lat == nil) || d.Location != nil && (math.Abs(d.Location.Lat-*e.Lat) > 1e-6 || math.Abs(d.Location.Lon-*e.Lon) > 1e-6) {
			t.Errorf("%s: location disagrees", e.ID)
		}
	}
	if g.Made() < 4000 || len(last) != g.Made() {
		t.Errorf("%d events made, %d seen", g.Made(), len(last))
	}
}
