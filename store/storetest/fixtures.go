package storetest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/truce-mechanism/truce/observation"
)

// Spec describes one fixture observation; zero fields take the schema's
// defaults.
type Spec struct {
	Source, ID string
	At         time.Time
	Kind       observation.Kind
	Marking    string
	Count      int
	// Lat and Lon place the phenomenon when HasLocation is set.
	Lat, Lon    float64
	HasLocation bool
	// MGRS gives the location as an unresolved MGRS reference instead.
	MGRS  string
	Notes string // varies the content under the same key
}

// Build returns the observation a validator would have produced from the
// document Spec describes, with Document set to that document's canonical
// JSON (encoding/json sorts object keys, which for these documents is the
// RFC 8785 form).
func Build(s Spec) observation.Observation {
	if s.Kind == "" {
		s.Kind = observation.Explosion
	}
	o := observation.Observation{
		ID:                    s.ID,
		Source:                s.Source,
		ObservedAt:            s.At.UTC(),
		TimeSigmaS:            observation.DefaultTimeSigmaS,
		Kind:                  s.Kind,
		Count:                 observation.DefaultCount,
		Fire:                  observation.FireUnknown,
		BearingSigmaDeg:       observation.DefaultBearingSigmaDeg,
		OriginBearingSigmaDeg: observation.DefaultOriginBearingSigmaDeg,
		Marking:               observation.DefaultMarking,
		Notes:                 s.Notes,
	}
	doc := map[string]any{
		"id":          s.ID,
		"source":      s.Source,
		"observed_at": s.At.UTC().Format(time.RFC3339Nano),
		"kind":        string(s.Kind),
	}
	if s.Count != 0 {
		o.Count = s.Count
		doc["count"] = s.Count
	}
	if s.Marking != "" {
		o.Marking = s.Marking
		doc["marking"] = s.Marking
	}
	switch {
	case s.HasLocation:
		o.Location = &observation.Point{Lat: s.Lat, Lon: s.Lon, Resolved: true}
		doc["location"] = map[string]any{"lat": s.Lat, "lon": s.Lon}
	case s.MGRS != "":
		o.Location = &observation.Point{MGRS: s.MGRS}
		doc["location"] = map[string]any{"mgrs": s.MGRS}
	}
	if s.Notes != "" {
		doc["notes"] = s.Notes
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // only maps of strings and numbers: cannot fail
	}
	o.Document = b
	return o
}

// Donbas is the area where generated observations fall: west, south,
// east, north in degrees, roughly the Donetsk and Luhansk oblasts.
var Donbas = [4]float64{36.5, 46.9, 40.3, 50.1}

// Generator makes realistic-looking observations for benchmarks and
// volume tests: fire reports spread over Donbas and over a span of time,
// from a few hundred sources, deterministic for a seed.
type Generator struct {
	Start time.Time
	Span  time.Duration
	rng   *rand.Rand
	n     int
	// For a stream: the time between reports and how late one may be.
	step, lateness time.Duration
}

// NewGenerator returns a generator whose observations lie anywhere in
// [start, start+span), in no order.
func NewGenerator(seed uint64, start time.Time, span time.Duration) *Generator {
	return &Generator{Start: start.UTC(), Span: span, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// NewStream returns a generator of n observations that arrive as reports
// do: in time order over [start, start+span), most within five minutes of
// the stream's clock and one in ten up to lateness behind it.
func NewStream(seed uint64, start time.Time, span time.Duration, n int, lateness time.Duration) *Generator {
	g := NewGenerator(seed, start, span)
	g.step, g.lateness = span/time.Duration(max(n, 1)), lateness
	return g
}

func (g *Generator) observedAt() time.Time {
	if g.step == 0 {
		return g.Start.Add(time.Duration(g.rng.Int64N(int64(g.Span))).Truncate(time.Millisecond))
	}
	t := g.Start.Add(time.Duration(g.n) * g.step)
	late := min(5*time.Minute, g.lateness)
	if g.rng.IntN(10) == 0 {
		late = g.lateness
	}
	if late > 0 {
		t = t.Add(-time.Duration(g.rng.Int64N(int64(late))))
	}
	return t.Truncate(time.Millisecond)
}

var generatedKinds = []observation.Kind{
	observation.Explosion, observation.Explosion, observation.Explosion, observation.Burst,
	observation.Shot, observation.Flare, observation.WeaponSighting, observation.Movement,
	observation.Airspace, observation.Damage,
}

var generatedMarkings = []string{"MISSION", "MISSION", "MISSION", "PUBLIC", "COMMISSION", "REL TO USA, UKR"}

// Next returns the next observation. One in twenty has no location.
func (g *Generator) Next() observation.Observation {
	g.n++
	r := g.rng
	o := observation.Observation{
		ID:                    fmt.Sprintf("gen-%09d", g.n),
		Source:                fmt.Sprintf("team-%03d", r.IntN(300)),
		ObservedAt:            g.observedAt(),
		TimeSigmaS:            observation.DefaultTimeSigmaS,
		Kind:                  generatedKinds[r.IntN(len(generatedKinds))],
		Count:                 1 + r.IntN(20),
		Fire:                  observation.FireUnknown,
		BearingSigmaDeg:       observation.DefaultBearingSigmaDeg,
		OriginBearingSigmaDeg: observation.DefaultOriginBearingSigmaDeg,
		Marking:               generatedMarkings[r.IntN(len(generatedMarkings))],
	}
	var lat, lon float64
	if r.IntN(20) != 0 {
		lon = Donbas[0] + r.Float64()*(Donbas[2]-Donbas[0])
		lat = Donbas[1] + r.Float64()*(Donbas[3]-Donbas[1])
		o.Location = &observation.Point{Lat: lat, Lon: lon, Resolved: true}
	}
	bearing := float64(r.IntN(3600)) / 10
	// Real reports carry more than the indexed fields: the document has a
	// typical size (about 450 bytes) so throughput is not flattered. Keys
	// in sorted order, as RFC 8785 has them.
	b := make([]byte, 0, 512)
	b = append(b, `{"bearing_deg":`...)
	b = strconv.AppendFloat(b, bearing, 'f', -1, 64)
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, int64(o.Count), 10)
	b = append(b, `,"grading":{"credibility":2,"reliability":"B"},"id":"`...)
	b = append(b, o.ID...)
	b = append(b, `","kind":"`...)
	b = append(b, o.Kind...)
	b = append(b, '"')
	if o.Location != nil {
		b = append(b, `,"location":{"lat":`...)
		b = strconv.AppendFloat(b, lat, 'f', -1, 64)
		b = append(b, `,"lon":`...)
		b = strconv.AppendFloat(b, lon, 'f', -1, 64)
		b = append(b, '}')
	}
	b = append(b, `,"marking":"`...)
	b = append(b, o.Marking...)
	b = append(b, `","notes":"Heard and seen from the observation post; impacts south-east of the village.","observed_at":"`...)
	b = o.ObservedAt.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","observer":{"cep_m":10,"lat":`...)
	b = strconv.AppendFloat(b, lat+0.05, 'f', -1, 64)
	b = append(b, `,"lon":`...)
	b = strconv.AppendFloat(b, lon-0.04, 'f', -1, 64)
	b = append(b, `},"source":"`...)
	b = append(b, o.Source...)
	b = append(b, `","weapon":{"caliber_mm":152,"class":"artillery","system":"2S19 Msta-S"}}`...)
	o.Document = b
	return o
}

// Batch returns the next n observations.
func (g *Generator) Batch(n int) []observation.Observation {
	out := make([]observation.Observation, n)
	for i := range out {
		out[i] = g.Next()
	}
	return out
}
