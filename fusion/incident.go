package fusion

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/geo"
)

// Incident is an episode: events close to each other in space and time,
// such as an exchange of fire in one sector over an afternoon. It is what
// an analyst reports and what a Commission case usually cites.
type Incident struct {
	ID    string
	Start time.Time
	End   time.Time
	// Events are the ids of the incident's events, by start then id.
	Events []string
	// Kinds counts the events of each kind, by kind.
	Kinds []KindCount
	// Rounds is the sum of the events' counts (rounds, bursts, weapons).
	Rounds int
	// South, West, North, East bound the events' places; zero when no
	// event of the incident is located.
	South, West, North, East float64
	Located                  bool
	// Marking is the conjunction of the events' markings.
	Marking []string
}

// KindCount is how many events of one kind an incident holds.
type KindCount struct {
	Kind  string
	Count int
}

// IncidentConfig says how close events must be to belong to one episode.
type IncidentConfig struct {
	// Gap is the longest quiet time between two events of one incident.
	Gap time.Duration
	// DistanceM is the farthest two linked events may be apart.
	DistanceM float64
}

// Defaults of IncidentConfig: an exchange of fire is rounds within
// minutes of each other across a few kilometres of front.
const (
	DefaultIncidentGap       = 30 * time.Minute
	DefaultIncidentDistanceM = 5000
)

func (c IncidentConfig) withDefaults() IncidentConfig {
	if c.Gap <= 0 {
		c.Gap = DefaultIncidentGap
	}
	if c.DistanceM <= 0 {
		c.DistanceM = DefaultIncidentDistanceM
	}
	return c
}

// place is where an event counts for grouping: where it happened, else
// where it came from.
func place(e *Event) (geo.Point, bool) {
	switch {
	case e.Location != nil:
		return e.Location.Point, true
	case e.Origin != nil:
		return e.Origin.Point, true
	}
	return geo.Point{}, false
}

// Incidents groups events into incidents: two events are linked when the
// quiet time between them is at most cfg.Gap and their places at most
// cfg.DistanceM apart, and an incident is a chain of links (single
// linkage: an exchange that creeps along the front stays one episode). An
// event without a place links to nothing and is an incident of its own.
// The result depends only on the set of events — not on their order —
// and is sorted by start, then id.
func Incidents(events []Event, cfg IncidentConfig) []Incident {
	cfg = cfg.withDefaults()
	es := make([]*Event, len(events))
	for i := range events {
		es[i] = &events[i]
	}
	sortEvents(es)
	parent := make([]int, len(es))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		ra, rb := find(a), find(b)
		if ra == rb {
			return
		}
		if ra > rb { // the earlier event's root wins: stable ids
			ra, rb = rb, ra
		}
		parent[rb] = ra
	}
	// Events are in start order; an earlier event can link to e only if
	// it ended no more than Gap before e started. open holds the events
	// that may still link to what comes next.
	var open []int
	for i, e := range es {
		p, ok := place(e)
		limit := e.Start.Add(-cfg.Gap)
		open = slices.DeleteFunc(open, func(j int) bool { return es[j].End.Before(limit) })
		if !ok {
			continue
		}
		for _, j := range open {
			q, _ := place(es[j])
			if roughDistanceM(p, q) <= cfg.DistanceM {
				union(i, j)
			}
		}
		open = append(open, i)
	}
	groups := map[int][]int{}
	var roots []int
	for i := range es {
		r := find(i)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], i)
	}
	out := make([]Incident, 0, len(roots))
	for _, r := range roots {
		out = append(out, incidentOf(es, groups[r]))
	}
	slices.SortFunc(out, func(a, b Incident) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

// incidentOf summarises the events at positions idx (ascending, so the
// first is the earliest by start then id).
func incidentOf(es []*Event, idx []int) Incident {
	first := es[idx[0]]
	h := sha256.Sum256([]byte(first.ID))
	in := Incident{ID: "in-" + hex.EncodeToString(h[:8]), Start: first.Start, End: first.End}
	kinds := map[string]int{}
	var markings []string
	for _, i := range idx {
		e := es[i]
		in.Events = append(in.Events, e.ID)
		if e.End.After(in.End) {
			in.End = e.End
		}
		kinds[string(e.Kind)]++
		in.Rounds += e.Count
		markings = append(markings, e.Marking...)
		if p, ok := place(e); ok {
			if !in.Located {
				in.South, in.North, in.West, in.East, in.Located = p.Lat, p.Lat, p.Lon, p.Lon, true
			}
			in.South, in.North = min(in.South, p.Lat), max(in.North, p.Lat)
			in.West, in.East = min(in.West, p.Lon), max(in.East, p.Lon)
		}
	}
	for k, n := range kinds {
		in.Kinds = append(in.Kinds, KindCount{k, n})
	}
	slices.SortFunc(in.Kinds, func(a, b KindCount) int { return cmp.Compare(a.Kind, b.Kind) })
	in.Marking = access.Combine(markings...)
	return in
}
