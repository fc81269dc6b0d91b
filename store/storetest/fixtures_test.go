package storetest

import (
	"encoding/json"
	"testing"
	"time"
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
