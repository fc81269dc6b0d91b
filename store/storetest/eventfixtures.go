package storetest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/truce-mechanism/truce/store"
)

// EventSpec describes one fixture event version; zero fields take
// defaults (version 1, an explosion, a minute long, PUBLIC).
type EventSpec struct {
	ID       string
	Version  int
	Start    time.Time
	Duration time.Duration
	Kind     string
	// Lat and Lon locate the event when Located is set.
	Lat, Lon float64
	Located  bool
	// Marking is the conjunction (as access.Combine gives it).
	Marking  []string
	Sequence int64
	Notes    string // varies the content under the same version
	// Tentative makes the version a probable false alarm.
	Tentative bool
}

// BuildEvent returns the version Spec describes, with a JSON document that
// agrees with its fields (the server renders events much like this).
func BuildEvent(s EventSpec) store.EventRecord {
	if s.Version == 0 {
		s.Version = 1
	}
	if s.Kind == "" {
		s.Kind = "explosion"
	}
	if s.Duration == 0 {
		s.Duration = time.Minute
	}
	if s.Marking == nil {
		s.Marking = []string{"PUBLIC"}
	}
	e := store.EventRecord{
		ID: s.ID, Version: s.Version, Start: s.Start.UTC(), End: s.Start.Add(s.Duration).UTC(), Kind: s.Kind,
		Marking: store.JoinMarkings(s.Marking), Sequence: s.Sequence, Tentative: s.Tentative,
	}
	doc := map[string]any{
		"id": s.ID, "version": s.Version, "kind": s.Kind, "marking": s.Marking,
		"start": e.Start.Format(time.RFC3339Nano), "end": e.End.Format(time.RFC3339Nano),
	}
	if s.Located {
		lat, lon := s.Lat, s.Lon
		e.Lat, e.Lon = &lat, &lon
		doc["location"] = map[string]float64{"lat": lat, "lon": lon}
	}
	if s.Notes != "" {
		doc["notes"] = s.Notes
	}
	if s.Tentative {
		doc["tentative"] = true
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // strings, numbers and lists of them: cannot fail
	}
	e.Document = b
	return e
}

// EventStream makes event versions as fusion would persist them for
// benchmarks: events over Donbas in time order, each with one to four
// versions, the later ones arriving while newer events are being made
// (a late report moves the estimate a little and may start the event
// earlier). Deterministic for a seed.
type EventStream struct {
	Start time.Time
	Span  time.Duration
	n     int // events to make
	rng   *rand.Rand
	made  int   // events made so far
	seq   int64 // observation sequence fused so far
	// pending are later versions waiting for their turn, by the event
	// count at which they are due.
	pending []pendingVersion
}

type pendingVersion struct {
	due int
	e   store.EventRecord
}

// NewEventStream returns a stream of n events over [start, start+span).
func NewEventStream(seed uint64, start time.Time, span time.Duration, n int) *EventStream {
	return &EventStream{Start: start.UTC(), Span: span, n: max(n, 1), rng: rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))}
}

var streamKinds = []string{"explosion", "explosion", "explosion", "burst", "shot", "flare", "weapon_sighting", "restriction"}

var streamMarkings = [][]string{
	{"MISSION"}, {"MISSION"}, {"MISSION"}, {"PUBLIC"}, {"COMMISSION"}, {"REL TO UKR, USA"},
	{"MISSION", "REL TO USA"}, {"COMMISSION", "MISSION"},
}

// Made is how many distinct events the stream has started.
func (g *EventStream) Made() int { return g.made }

// Batch returns the next n versions: due later versions first, then new
// events.
func (g *EventStream) Batch(n int) []store.EventRecord {
	out := make([]store.EventRecord, 0, n)
	for len(out) < n {
		if len(g.pending) > 0 && g.pending[0].due <= g.made {
			// A later version fused the latest report so far.
			e := g.pending[0].e
			g.seq += 1 + int64(g.rng.IntN(3))
			e.Sequence = g.seq
			out = append(out, e)
			g.pending = g.pending[1:]
			continue
		}
		out = append(out, g.next())
	}
	return out
}

func (g *EventStream) next() store.EventRecord {
	r := g.rng
	g.made++
	step := g.Span / time.Duration(g.n)
	start := g.Start.Add(time.Duration(g.made) * step).Add(-time.Duration(r.Int64N(int64(5 * time.Minute)))).Truncate(time.Millisecond)
	lat := Donbas[1] + r.Float64()*(Donbas[3]-Donbas[1])
	lon := Donbas[0] + r.Float64()*(Donbas[2]-Donbas[0])
	located := r.IntN(20) != 0
	kind := streamKinds[r.IntN(len(streamKinds))]
	marking := streamMarkings[r.IntN(len(streamMarkings))]
	id := fmt.Sprintf("ev-%09d", g.made)
	g.seq += 1 + int64(r.IntN(3))
	first := g.version(id, 1, start, kind, marking, located, lat, lon)
	// Half the events have later versions, each due a few hundred events
	// after the one before.
	versions, due := 1, g.made
	for r.IntN(2) == 0 && versions < 4 {
		versions++
		start = start.Add(-time.Duration(r.Int64N(int64(time.Minute)))).Truncate(time.Millisecond)
		lat += (r.Float64() - 0.5) * 0.01
		lon += (r.Float64() - 0.5) * 0.01
		due += 1 + r.IntN(250)
		g.insertPending(pendingVersion{due: due, e: g.version(id, versions, start, kind, marking, located || versions == 2, lat, lon)})
	}
	return first
}

func (g *EventStream) insertPending(p pendingVersion) {
	i := len(g.pending)
	for i > 0 && g.pending[i-1].due > p.due {
		i--
	}
	g.pending = append(g.pending, pendingVersion{})
	copy(g.pending[i+1:], g.pending[i:])
	g.pending[i] = p
}

// version builds a version with a document of a typical size (about 600
// bytes, as the server renders an event with its error ellipse, origin,
// weapon and a few reports) so throughput is not flattered.
func (g *EventStream) version(id string, v int, start time.Time, kind string, marking []string, located bool, lat, lon float64) store.EventRecord {
	end := start.Add(time.Duration(1+g.rng.IntN(600)) * time.Second)
	e := store.EventRecord{ID: id, Version: v, Start: start, End: end, Kind: kind, Marking: store.JoinMarkings(marking), Sequence: g.seq}
	b := make([]byte, 0, 700)
	b = append(b, `{"attribution":{"party":"undetermined","probabilities":{},"probability":0},"corroboration":"corroborated","count":`...)
	b = strconv.AppendInt(b, int64(v*3), 10)
	b = append(b, `,"end":"`...)
	b = end.AppendFormat(b, time.RFC3339Nano)
	if located {
		la, lo := lat, lon
		e.Lat, e.Lon = &la, &lo
		b = append(b, `","error":{"orientation_deg":41.5,"semi_major_m":812,"semi_minor_m":240},"id":"`...)
	} else {
		b = append(b, `","id":"`...)
	}
	b = append(b, id...)
	b = append(b, `","kind":"`...)
	b = append(b, kind...)
	b = append(b, '"')
	if located {
		b = append(b, `,"location":{"lat":`...)
		b = strconv.AppendFloat(b, lat, 'f', 6, 64)
		b = append(b, `,"lon":`...)
		b = strconv.AppendFloat(b, lon, 'f', 6, 64)
		b = append(b, '}')
	}
	b = append(b, `,"marking":[`...)
	for i, m := range marking {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, m)
	}
	b = append(b, `],"observations":[`...)
	for i := range v + 1 {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"id":"gen-%09d","source":"team-%03d"}`, g.seq-int64(i), (g.made+i*7)%300)
	}
	b = append(b, `],"origin":{"error":{"orientation_deg":12.0,"semi_major_m":2400,"semi_minor_m":900},"lat":48.1,"lon":38.2},"sources":2,"start":"`...)
	b = start.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","version":`...)
	b = strconv.AppendInt(b, int64(v), 10)
	b = append(b, `,"violations":[],"weapon":{"caliber_mm":152,"class":"artillery","system":"2S19 Msta-S"}}`...)
	e.Document = b
	return e
}
