package fusion

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/observation"
)

func TestIncidents(t *testing.T) {
	t0 := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	at := func(min float64) time.Time { return t0.Add(time.Duration(min * float64(time.Minute))) }
	// ev is an event at minutes [a, b] and a point offset north by km.
	ev := func(id string, a, b, km float64, marking ...string) Event {
		if marking == nil {
			marking = []string{"PUBLIC"}
		}
		return Event{ID: id, Kind: observation.Explosion, Start: at(a), End: at(b), Count: 2, Marking: marking,
			Location: &Estimate{Point: geo.Point{Lat: 48.0 + km/111.195, Lon: 37.8}}}
	}
	unlocated := Event{ID: "u", Kind: observation.Restriction, Start: at(1), End: at(1), Count: 1, Marking: []string{"PUBLIC"}}
	tests := []struct {
		name   string
		events []Event
		want   [][]string // the incidents' event ids
	}{
		{"one event", []Event{ev("a", 0, 1, 0)}, [][]string{{"a"}}},
		{"near in time and place", []Event{ev("a", 0, 1, 0), ev("b", 20, 21, 3)}, [][]string{{"a", "b"}}},
		{"quiet too long", []Event{ev("a", 0, 1, 0), ev("b", 32, 33, 0)}, [][]string{{"a"}, {"b"}}},
		{"gap counted from the end", []Event{ev("a", 0, 10, 0), ev("b", 39, 40, 0)}, [][]string{{"a", "b"}}},
		{"too far apart", []Event{ev("a", 0, 1, 0), ev("b", 2, 3, 6)}, [][]string{{"a"}, {"b"}}},
		{"a chain creeping along the front", []Event{ev("a", 0, 1, 0), ev("b", 10, 11, 4), ev("c", 20, 21, 8)}, [][]string{{"a", "b", "c"}}},
		{"a bridge joins two groups", []Event{ev("a", 0, 1, 0), ev("c", 2, 3, 8), ev("b", 4, 5, 4)}, [][]string{{"a", "c", "b"}}},
		{"no place: an incident of its own", []Event{ev("a", 0, 1, 0), unlocated}, [][]string{{"a"}, {"u"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Incidents(tc.events, IncidentConfig{})
			var ids [][]string
			for _, in := range got {
				ids = append(ids, in.Events)
			}
			if !slices.EqualFunc(ids, tc.want, slices.Equal) {
				t.Fatalf("incidents %v, want %v", ids, tc.want)
			}
		})
	}
}

func TestIncidentSummary(t *testing.T) {
	t0 := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	es := []Event{
		{ID: "a", Kind: observation.Explosion, Start: t0, End: t0.Add(time.Minute), Count: 3, Marking: []string{"REL TO UKR, USA"},
			Location: &Estimate{Point: geo.Point{Lat: 48, Lon: 37.80}}},
		{ID: "b", Kind: observation.Burst, Start: t0.Add(5 * time.Minute), End: t0.Add(6 * time.Minute), Count: 4, Marking: []string{"REL TO USA"},
			Location: &Estimate{Point: geo.Point{Lat: 48.01, Lon: 37.82}}},
	}
	in := Incidents(es, IncidentConfig{})
	if len(in) != 1 {
		t.Fatalf("%d incidents, want 1", len(in))
	}
	got := in[0]
	if got.Rounds != 7 || !got.Start.Equal(t0) || !got.End.Equal(t0.Add(6*time.Minute)) {
		t.Errorf("rounds %d start %v end %v", got.Rounds, got.Start, got.End)
	}
	if got.South != 48 || got.North != 48.01 || got.West != 37.80 || got.East != 37.82 || !got.Located {
		t.Errorf("bounds %v %v %v %v", got.South, got.West, got.North, got.East)
	}
	if !slices.Equal(got.Marking, []string{"REL TO USA"}) {
		t.Errorf("marking %v, want the conjunction [REL TO USA]", got.Marking)
	}
	if want := []KindCount{{"burst", 1}, {"explosion", 1}}; !slices.Equal(got.Kinds, want) {
		t.Errorf("kinds %v, want %v", got.Kinds, want)
	}
}

// The incidents are a function of the set of events: any order gives the
// same result, ids included.
func TestIncidentsIgnoreOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	var es []Event
	for i := range 400 {
		start := t0.Add(time.Duration(rng.IntN(24*60)) * time.Minute)
		es = append(es, Event{ID: "e" + string(rune('A'+i%26)) + string(rune('a'+i/26)), Kind: observation.Explosion,
			Start: start, End: start.Add(time.Minute), Count: 1, Marking: []string{"PUBLIC"},
			Location: &Estimate{Point: geo.Point{Lat: 47.5 + rng.Float64(), Lon: 37 + rng.Float64()}}})
	}
	want := Incidents(es, IncidentConfig{})
	for range 5 {
		rng.Shuffle(len(es), func(i, j int) { es[i], es[j] = es[j], es[i] })
		got := Incidents(es, IncidentConfig{})
		if !slices.EqualFunc(got, want, func(a, b Incident) bool { return a.ID == b.ID && slices.Equal(a.Events, b.Events) }) {
			t.Fatal("incidents depend on the order of the events")
		}
	}
	if len(want) < 10 || len(want) > 390 {
		t.Fatalf("%d incidents of 400 events: the test no longer exercises grouping", len(want))
	}
}
