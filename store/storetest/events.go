package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/store"
)

// The event cases of the contract (Run lists them).

func putEvents(t *testing.T, s store.Store, versions ...store.EventRecord) {
	t.Helper()
	if err := s.PutEvents(context.Background(), versions); err != nil {
		t.Fatalf("PutEvents: %v", err)
	}
}

// checkEvent compares a version read back with the one put, at the
// store's precision (times to the microsecond).
func checkEvent(t *testing.T, got, want store.EventRecord) {
	t.Helper()
	if !store.SameEvent(got, want) {
		t.Errorf("event %s version %d read back as\n%+v\nwant\n%+v", want.ID, want.Version, got, want)
	}
	if got.Start.Location() != time.UTC || got.End.Location() != time.UTC {
		t.Errorf("event %s: times not in UTC", want.ID)
	}
}

func eventIDs(es []store.EventRecord) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID + "@" + fmt.Sprint(e.Version)
	}
	return out
}

func testEventVersions(t *testing.T, s store.Store) {
	ctx := context.Background()
	if n, err := s.LastEventSequence(ctx); err != nil || n != 0 {
		t.Fatalf("empty store: LastEventSequence = %d, %v; want 0", n, err)
	}
	if _, err := s.Event(ctx, "none"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Event of nothing: %v; want ErrNotFound", err)
	}
	if _, err := s.EventVersions(ctx, "none"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("EventVersions of nothing: %v; want ErrNotFound", err)
	}

	v1 := BuildEvent(EventSpec{ID: "ev-a", Version: 1, Start: Base.Add(time.Hour), Located: true, Lat: 48, Lon: 38, Sequence: 10})
	// A late report: the event starts earlier, moves, and becomes
	// MISSION-marked.
	v2 := BuildEvent(EventSpec{ID: "ev-a", Version: 2, Start: Base.Add(50 * time.Minute), Located: true, Lat: 48.01, Lon: 38.02,
		Marking: []string{"MISSION"}, Sequence: 14})
	v3 := BuildEvent(EventSpec{ID: "ev-a", Version: 3, Start: Base.Add(50 * time.Minute), Kind: "shot", Marking: []string{"MISSION", "REL TO USA"}, Sequence: 12})
	unlocated := BuildEvent(EventSpec{ID: "ev-b", Start: Base.Add(2*time.Hour + 123456789), Sequence: 11})
	putEvents(t, s, v1, unlocated)
	putEvents(t, s, v3) // versions need not arrive in order
	putEvents(t, s, v2)

	t.Run("latest is the highest version, whatever the order of arrival", func(t *testing.T) {
		got, err := s.Event(ctx, "ev-a")
		if err != nil {
			t.Fatal(err)
		}
		checkEvent(t, got, v3)
		if got.Lat != nil || got.Lon != nil {
			t.Errorf("version 3 is unlocated; read back at %v, %v", got.Lat, got.Lon)
		}
	})
	t.Run("every version, ascending", func(t *testing.T) {
		got, err := s.EventVersions(ctx, "ev-a")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("got %v; want versions 1, 2, 3", eventIDs(got))
		}
		for i, want := range []store.EventRecord{v1, v2, v3} {
			checkEvent(t, got[i], want)
		}
	})
	t.Run("times to the microsecond, in UTC", func(t *testing.T) {
		got, err := s.Event(ctx, "ev-b")
		if err != nil {
			t.Fatal(err)
		}
		checkEvent(t, got, unlocated)
		if want := unlocated.Start.Truncate(time.Microsecond); !got.Start.Equal(want) {
			t.Errorf("start %v; want %v", got.Start, want)
		}
	})
	t.Run("LastEventSequence is the highest, not the last put", func(t *testing.T) {
		if n, err := s.LastEventSequence(ctx); err != nil || n != 14 {
			t.Errorf("LastEventSequence = %d, %v; want 14", n, err)
		}
	})
	t.Run("lists show the latest version only", func(t *testing.T) {
		got, _, err := s.Events(ctx, store.EventQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"ev-a@3", "ev-b@1"}; !slices.Equal(eventIDs(got), want) {
			t.Fatalf("got %v; want %v", eventIDs(got), want)
		}
		checkEvent(t, got[0], v3)
		checkEvent(t, got[1], unlocated)
		// The box held version 1 and 2; version 3 has no place.
		inBox, _, err := s.Events(ctx, store.EventQuery{BBox: &store.BBox{West: 37.9, South: 47.9, East: 38.1, North: 48.1}})
		if err != nil || len(inBox) != 0 {
			t.Errorf("box query: %v, %v; want nothing (the latest version is unlocated)", eventIDs(inBox), err)
		}
		kind, _, err := s.Events(ctx, store.EventQuery{Kinds: []string{"explosion"}})
		if err != nil || !slices.Equal(eventIDs(kind), []string{"ev-b@1"}) {
			t.Errorf("explosions: %v, %v; want ev-b only (ev-a is a shot now)", eventIDs(kind), err)
		}
	})
}

// testEventTentative: whether a version is tentative is kept with it,
// read back by every read, part of its content (a replay that differs in
// it is a conflict), and a list selects on the latest version's.
func testEventTentative(t *testing.T, s store.Store) {
	ctx := context.Background()
	ev := func(id string, version int, minute int, tentative bool) store.EventRecord {
		return BuildEvent(EventSpec{ID: id, Version: version, Start: Base.Add(time.Duration(minute) * time.Minute),
			Located: true, Lat: 48, Lon: 38, Sequence: int64(minute*10 + version), Tentative: tentative})
	}
	// confirmed: a false alarm until a second report; doubted: the other
	// way round; false-alarm: never more than one.
	confirmed1, confirmed2 := ev("t-confirmed", 1, 1, true), ev("t-confirmed", 2, 1, false)
	doubted1, doubted2 := ev("t-doubted", 1, 2, false), ev("t-doubted", 2, 2, true)
	alarm := ev("t-false-alarm", 1, 3, true)
	plain := ev("t-plain", 1, 4, false)
	// A tentative version written without the column, or the flag read
	// back from the wrong version, would show here.
	putEvents(t, s, doubted2, confirmed1, alarm)
	putEvents(t, s, plain, confirmed2, doubted1)
	all := []store.EventRecord{doubted2, confirmed1, alarm, plain, confirmed2, doubted1}

	t.Run("read back by every read", func(t *testing.T) {
		for _, want := range []store.EventRecord{confirmed2, doubted2, alarm, plain} {
			got, err := s.Event(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			checkEvent(t, got, want)
			if got.Tentative != want.Tentative {
				t.Errorf("Event(%s): tentative %v; want %v", want.ID, got.Tentative, want.Tentative)
			}
		}
		for _, want := range [][]store.EventRecord{{confirmed1, confirmed2}, {doubted1, doubted2}} {
			got, err := s.EventVersions(ctx, want[0].ID)
			if err != nil || len(got) != len(want) {
				t.Fatalf("EventVersions(%s): %v, %v", want[0].ID, eventIDs(got), err)
			}
			for i := range want {
				checkEvent(t, got[i], want[i])
			}
		}
		feed, err := s.EventVersionsAfter(ctx, 0, 0)
		if err != nil || len(feed) != len(all) {
			t.Fatalf("EventVersionsAfter: %v, %v", eventIDs(feed), err)
		}
		for i := range all {
			checkEvent(t, feed[i], all[i])
		}
	})

	yes, no := true, false
	selections := []struct {
		name      string
		tentative *bool
		want      []string
	}{
		{"every event", nil, []string{"t-confirmed@2", "t-doubted@2", "t-false-alarm@1", "t-plain@1"}},
		{"not tentative: the latest version is not", &no, []string{"t-confirmed@2", "t-plain@1"}},
		{"tentative: the latest version is", &yes, []string{"t-doubted@2", "t-false-alarm@1"}},
	}
	for _, c := range selections {
		t.Run(c.name, func(t *testing.T) {
			// Pages of one and two ask for more rows than they keep, past
			// those the filter drops.
			for _, limit := range []int{0, 1, 2} {
				got := readAllEvents(t, s, store.EventQuery{Tentative: c.tentative}, limit)
				if !slices.Equal(eventIDs(got), c.want) {
					t.Errorf("limit %d: got %v; want %v", limit, eventIDs(got), c.want)
				}
				for _, e := range got {
					if c.tentative != nil && e.Tentative != *c.tentative {
						t.Errorf("limit %d: %s@%d tentative %v", limit, e.ID, e.Version, e.Tentative)
					}
				}
			}
		})
	}

	flipped := func(e store.EventRecord) store.EventRecord {
		e.Tentative = !e.Tentative // the document unchanged: only the flag differs
		return e
	}
	fresh := ev("t-fresh", 1, 5, false)
	replays := []struct {
		name      string
		batch     []store.EventRecord
		conflicts []int // nil: a resubmission, accepted
	}{
		{"the same flags again", []store.EventRecord{confirmed1, confirmed2, doubted2, alarm}, nil},
		{"a tentative version replayed as not", []store.EventRecord{fresh, flipped(alarm)}, []int{1}},
		{"a version replayed as tentative", []store.EventRecord{flipped(plain), fresh}, []int{0}},
		{"an older version, flag flipped", []store.EventRecord{fresh, flipped(confirmed1)}, []int{1}},
		{"twice in one batch, flags differing", []store.EventRecord{fresh, flipped(fresh)}, []int{1}},
	}
	for _, c := range replays {
		t.Run(c.name, func(t *testing.T) {
			err := s.PutEvents(ctx, c.batch)
			if c.conflicts == nil {
				if err != nil {
					t.Fatalf("PutEvents: %v; want a resubmission", err)
				}
			} else {
				var ce *store.EventConflictError
				if !errors.As(err, &ce) || !errors.Is(err, store.ErrConflict) || !slices.Equal(ce.Indexes, c.conflicts) {
					t.Fatalf("PutEvents: %v; want a conflict at %v", err, c.conflicts)
				}
			}
			// Nothing was kept or changed: the same versions, flags and all.
			feed, err := s.EventVersionsAfter(ctx, 0, 0)
			if err != nil || len(feed) != len(all) {
				t.Fatalf("EventVersionsAfter: %v, %v; want the %d versions stored first", eventIDs(feed), err, len(all))
			}
			for i := range all {
				checkEvent(t, feed[i], all[i])
			}
		})
	}
}

func testEventReplay(t *testing.T, s store.Store) {
	ctx := context.Background()
	a1 := BuildEvent(EventSpec{ID: "r-a", Start: Base, Located: true, Lat: 48, Lon: 38, Sequence: 3})
	a2 := BuildEvent(EventSpec{ID: "r-a", Version: 2, Start: Base, Located: true, Lat: 48.1, Lon: 38, Sequence: 5})
	b1 := BuildEvent(EventSpec{ID: "r-b", Start: Base.Add(time.Minute), Sequence: 4})
	c1 := BuildEvent(EventSpec{ID: "r-c", Start: Base.Add(2 * time.Minute), Sequence: 6})
	putEvents(t, s, a1, b1)

	cases := []struct {
		name  string
		batch []store.EventRecord
	}{
		{"the same batch again", []store.EventRecord{a1, b1}},
		{"stored versions among new ones", []store.EventRecord{b1, a2, a1, c1}},
		{"a version twice in one batch", []store.EventRecord{c1, c1}},
		{"an older version after a newer one", []store.EventRecord{a1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := s.PutEvents(ctx, c.batch); err != nil {
				t.Fatalf("PutEvents: %v; want a no-op for what is stored", err)
			}
		})
	}
	t.Run("the same content to the microsecond", func(t *testing.T) {
		again := b1
		again.Start = again.Start.Add(999 * time.Nanosecond)
		if err := s.PutEvents(ctx, []store.EventRecord{again}); err != nil {
			t.Fatalf("PutEvents: %v", err)
		}
	})
	t.Run("nothing twice, the newest latest", func(t *testing.T) {
		vs, err := s.EventVersions(ctx, "r-a")
		if err != nil || !slices.Equal(eventIDs(vs), []string{"r-a@1", "r-a@2"}) {
			t.Fatalf("versions %v, %v", eventIDs(vs), err)
		}
		got, _, err := s.Events(ctx, store.EventQuery{})
		if err != nil || !slices.Equal(eventIDs(got), []string{"r-a@2", "r-b@1", "r-c@1"}) {
			t.Fatalf("events %v, %v", eventIDs(got), err)
		}
	})
	t.Run("an empty batch", func(t *testing.T) {
		if err := s.PutEvents(ctx, nil); err != nil {
			t.Fatal(err)
		}
	})
}

func testEventConflicts(t *testing.T, s store.Store) {
	ctx := context.Background()
	spec := EventSpec{ID: "c-a", Version: 2, Start: Base, Located: true, Lat: 48, Lon: 38, Marking: []string{"MISSION"}, Sequence: 7}
	stored := BuildEvent(spec)
	first := BuildEvent(EventSpec{ID: "c-a", Start: Base, Sequence: 5})
	putEvents(t, s, first, stored)
	// Every batch below fails; this fresh event rides along and must not
	// be kept, nor its marking, nor its sequence.
	fresh := BuildEvent(EventSpec{ID: "c-fresh", Start: Base.Add(time.Hour), Marking: []string{"COMMISSION"}, Sequence: 99})
	newer := BuildEvent(EventSpec{ID: "c-a", Version: 3, Start: Base.Add(time.Minute), Sequence: 98})

	changed := func(f func(*store.EventRecord)) store.EventRecord {
		e := BuildEvent(spec)
		f(&e)
		return e
	}
	other := 38.5
	cases := []struct {
		name    string
		batch   []store.EventRecord
		indexes []int // conflicting positions
	}{
		{"other document", []store.EventRecord{fresh, changed(func(e *store.EventRecord) { e.Document = append(e.Document, ' ') })}, []int{1}},
		{"other start", []store.EventRecord{changed(func(e *store.EventRecord) { e.Start = e.Start.Add(time.Microsecond) }), fresh}, []int{0}},
		{"other end", []store.EventRecord{fresh, changed(func(e *store.EventRecord) { e.End = e.End.Add(time.Second) })}, []int{1}},
		{"other kind", []store.EventRecord{fresh, changed(func(e *store.EventRecord) { e.Kind = "shot" })}, []int{1}},
		{"other place", []store.EventRecord{fresh, changed(func(e *store.EventRecord) { e.Lon = &other })}, []int{1}},
		{"no place", []store.EventRecord{fresh, changed(func(e *store.EventRecord) { e.Lat, e.Lon = nil, nil })}, []int{1}},
		{"other marking", []store.EventRecord{fresh, changed(func(e *store.EventRecord) { e.Marking = "PUBLIC" })}, []int{1}},
		{"other sequence", []store.EventRecord{fresh, changed(func(e *store.EventRecord) { e.Sequence++ })}, []int{1}},
		{"now tentative", []store.EventRecord{fresh, changed(func(e *store.EventRecord) { e.Tentative = true })}, []int{1}},
		{"with a newer version", []store.EventRecord{newer, fresh, changed(func(e *store.EventRecord) { e.Document = []byte("{}") })}, []int{2}},
		{"a version twice in the batch, differently", []store.EventRecord{fresh, newer,
			BuildEvent(EventSpec{ID: "c-a", Version: 3, Start: Base.Add(time.Minute), Sequence: 98, Notes: "other"})}, []int{2}},
		{"several", []store.EventRecord{
			changed(func(e *store.EventRecord) { e.Kind = "flare" }), fresh,
			BuildEvent(EventSpec{ID: "c-a", Start: Base, Sequence: 5, Notes: "rewritten"})}, []int{0, 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.PutEvents(ctx, c.batch)
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("error %v; want ErrConflict", err)
			}
			var ce *store.EventConflictError
			if !errors.As(err, &ce) || !slices.Equal(ce.Indexes, c.indexes) || len(ce.Versions) != len(c.indexes) {
				t.Fatalf("error %#v; want an EventConflictError at %v", err, c.indexes)
			}
			for k, i := range c.indexes {
				if ce.Versions[k] != (store.EventVersionKey{ID: c.batch[i].ID, Version: c.batch[i].Version}) {
					t.Errorf("conflict %d names %v; want %s version %d", k, ce.Versions[k], c.batch[i].ID, c.batch[i].Version)
				}
			}
			checkNothingKept(t, s, stored, fresh)
		})
	}
	t.Run("never an overwrite", func(t *testing.T) {
		vs, err := s.EventVersions(ctx, "c-a")
		if err != nil || len(vs) != 2 {
			t.Fatalf("versions %v, %v; want the two stored first", eventIDs(vs), err)
		}
		checkEvent(t, vs[0], first)
		checkEvent(t, vs[1], stored)
	})
}

// checkNothingKept: after a failed batch the store is as it was, latest
// version, sequence and markings included.
func checkNothingKept(t *testing.T, s store.Store, latest store.EventRecord, fresh ...store.EventRecord) {
	t.Helper()
	ctx := context.Background()
	for _, f := range fresh {
		if _, err := s.EventVersions(ctx, f.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s of a failed batch was kept (%v)", f.ID, err)
		}
	}
	got, err := s.Event(ctx, latest.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkEvent(t, got, latest)
	if n, err := s.LastEventSequence(ctx); err != nil || n != latest.Sequence {
		t.Errorf("LastEventSequence = %d, %v; want %d", n, err, latest.Sequence)
	}
	asked := map[string]bool{}
	if _, _, err := s.Events(ctx, store.EventQuery{Markings: func(m string) bool { asked[m] = true; return true }}); err != nil {
		t.Fatal(err)
	}
	for _, f := range fresh {
		for _, m := range store.SplitMarkings(f.Marking) {
			if asked[m] && !slices.Contains(store.SplitMarkings(latest.Marking), m) && m != "PUBLIC" {
				t.Errorf("marking %q of a failed batch was recorded", m)
			}
		}
	}
}

func testEventRefused(t *testing.T, s store.Store) {
	ctx := context.Background()
	kept := BuildEvent(EventSpec{ID: "ok", Start: Base, Sequence: 1})
	putEvents(t, s, kept)
	good := BuildEvent(EventSpec{ID: "x-good", Start: Base, Located: true, Lat: 48, Lon: 38, Marking: []string{"COMMISSION"}, Sequence: 2})
	bad := func(f func(*store.EventRecord)) store.EventRecord {
		e := BuildEvent(EventSpec{ID: "x-bad", Start: Base, Located: true, Lat: 48, Lon: 38, Sequence: 3})
		f(&e)
		return e
	}
	nan, big := math.NaN(), 200.0
	cases := []struct {
		name string
		e    store.EventRecord
	}{
		{"no id", bad(func(e *store.EventRecord) { e.ID = "" })},
		{"version 0", bad(func(e *store.EventRecord) { e.Version = 0 })},
		{"no start", bad(func(e *store.EventRecord) { e.Start = time.Time{} })},
		{"ends before it starts", bad(func(e *store.EventRecord) { e.End = e.Start.Add(-time.Second) })},
		{"no kind", bad(func(e *store.EventRecord) { e.Kind = "" })},
		{"lat without lon", bad(func(e *store.EventRecord) { e.Lon = nil })},
		{"lon out of range", bad(func(e *store.EventRecord) { e.Lon = &big })},
		{"lat NaN", bad(func(e *store.EventRecord) { e.Lat = &nan })},
		{"no marking", bad(func(e *store.EventRecord) { e.Marking = "" })},
		{"a marking with an empty part", bad(func(e *store.EventRecord) { e.Marking = "MISSION//" })},
		{"no document", bad(func(e *store.EventRecord) { e.Document = nil })},
		{"negative sequence", bad(func(e *store.EventRecord) { e.Sequence = -1 })},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.PutEvents(ctx, []store.EventRecord{good, c.e})
			if err == nil {
				t.Fatal("accepted")
			}
			if errors.Is(err, store.ErrConflict) {
				t.Errorf("error %v is a conflict; it is a bad version", err)
			}
			checkNothingKept(t, s, kept, good)
		})
	}
}

// eventMarkings are the conjunctions of the query fixtures, as
// access.Combine gives them ("REL TO " is a REL TO naming nobody: an
// intersection that came out empty).
var eventMarkings = [][]string{
	{"PUBLIC"}, {"MISSION"}, {"COMMISSION"}, {"REL TO UKR, USA"},
	{"MISSION", "REL TO USA"}, {"COMMISSION", "MISSION"}, {"COMMISSION", "MISSION", "REL TO UKR"}, {"REL TO "},
}

// eventFixtures stores a varied set of events, most with several versions
// put out of order across batches, and returns the latest version of each.
func eventFixtures(t *testing.T, s store.Store) []store.EventRecord {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	kinds := []string{"explosion", "shot", "burst", "restriction"}
	var all []store.EventRecord
	for i := range 240 {
		id := fmt.Sprintf("e-%03d", i)
		versions := 1 + rng.IntN(3)
		for v := 1; v <= versions; v++ {
			sp := EventSpec{
				ID: id, Version: v,
				Start:    Base.Add(time.Duration(rng.IntN(72*60)) * time.Minute),
				Kind:     kinds[rng.IntN(len(kinds))],
				Marking:  eventMarkings[rng.IntN(len(eventMarkings))],
				Sequence: int64(i*3 + v),
				// Not drawn from rng, which would change every fixture
				// after it: about one version in five, so that some
				// events' latest versions are tentative and some
				// earlier ones.
				Tentative: (i+v)%5 == 0,
			}
			switch rng.IntN(10) {
			case 0: // unlocated
			case 1, 2: // either side of the antimeridian
				sp.Located, sp.Lat, sp.Lon = true, 64+rng.Float64()*2, 178+rng.Float64()*2
				if rng.IntN(2) == 0 {
					sp.Lon = -180 + rng.Float64()*2
				}
			default: // Donbas
				sp.Located, sp.Lat, sp.Lon = true, 47.5+rng.Float64()*1.5, 37+rng.Float64()*2
			}
			all = append(all, BuildEvent(sp))
		}
	}
	at := func(h float64) time.Time { return Base.Add(time.Duration(h * float64(time.Hour))) }
	donbas := func(id string, v int, start time.Time, lat, lon float64) store.EventRecord {
		return BuildEvent(EventSpec{ID: id, Version: v, Start: start, Located: true, Lat: lat, Lon: lon, Sequence: 1000})
	}
	tentative := func(id string, v int, start time.Time, lat, lon float64) store.EventRecord {
		return BuildEvent(EventSpec{ID: id, Version: v, Start: start, Located: true, Lat: lat, Lon: lon, Sequence: 1000, Tentative: true})
	}
	all = append(all,
		// On a window's bounds and a box's edges.
		donbas("edge-since", 1, at(24), 48, 38),
		donbas("edge-until", 1, at(48), 48, 38),
		donbas("edge-west", 1, at(30), 48.2, 37.53),
		donbas("edge-north", 1, at(30), 48.47, 37.7),
		// The same start: ordered by id, bytewise ("C" order, not a
		// locale's, which would put "same-a" before "Same-2").
		donbas("same-a", 1, at(40), 48.3, 37.6),
		donbas("same-B", 1, at(40), 48.3, 37.6),
		donbas("Same-2", 1, at(40), 48.3, 37.6),
		donbas("same_1", 1, at(40), 48.3, 37.6),
		donbas("date-line", 1, at(40), 65, -180),
		// The latest version decides: moved out of the box, into it, out
		// of the window, and unlocated.
		donbas("moved-out", 1, at(30), 48, 38), donbas("moved-out", 2, at(30), 50.5, 30),
		donbas("moved-in", 1, at(30), 50.5, 30), donbas("moved-in", 2, at(30), 48.1, 38.1),
		donbas("left-window", 1, at(30), 48, 38), donbas("left-window", 2, at(20), 48, 38),
		donbas("lost-place", 1, at(30), 48, 38), BuildEvent(EventSpec{ID: "lost-place", Version: 2, Start: at(30), Sequence: 1001}),
		// Versions 1 and 3 only: latest is 3 even though 2 never came.
		donbas("gap", 1, at(31), 48, 38), donbas("gap", 3, at(31), 48.05, 38.05),
		// The latest version decides whether an event is tentative too: a
		// false alarm that a second report confirmed, an event whose
		// corroboration fell away, and one never more than a false alarm.
		tentative("confirmed", 1, at(35), 48.2, 37.8), donbas("confirmed", 2, at(35), 48.2, 37.8),
		donbas("doubted", 1, at(35), 48.2, 37.8), tentative("doubted", 2, at(35), 48.2, 37.8),
		tentative("false-alarm", 1, at(36), 48.2, 37.8),
	)
	// Several batches, shuffled, so versions arrive out of order.
	order := rng.Perm(len(all))
	shuffled := make([]store.EventRecord, len(all))
	for i, j := range order {
		shuffled[i] = all[j]
	}
	for len(shuffled) > 0 {
		n := min(len(shuffled), 1+rng.IntN(60))
		putEvents(t, s, shuffled[:n]...)
		shuffled = shuffled[n:]
	}
	latest := map[string]store.EventRecord{}
	for _, e := range all {
		if l, ok := latest[e.ID]; !ok || e.Version > l.Version {
			latest[e.ID] = e
		}
	}
	var out []store.EventRecord
	for _, e := range latest {
		out = append(out, e)
	}
	sortEvents(out)
	return out
}

func sortEvents(es []store.EventRecord) {
	slices.SortFunc(es, func(a, b store.EventRecord) int {
		if c := cmp.Compare(a.Start.UnixMicro(), b.Start.UnixMicro()); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// eventMatches is the contract's meaning of an event query, written the
// plain way: the filter must allow every marking of the conjunction.
func eventMatches(q store.EventQuery, e store.EventRecord) bool {
	if !q.Since.IsZero() && e.Start.Before(q.Since) || !q.Until.IsZero() && !e.Start.Before(q.Until) {
		return false
	}
	if b := q.BBox; b != nil {
		if e.Lat == nil || *e.Lat < b.South || *e.Lat > b.North {
			return false
		}
		if b.West <= b.East && (*e.Lon < b.West || *e.Lon > b.East) || b.West > b.East && *e.Lon < b.West && *e.Lon > b.East {
			return false
		}
	}
	if q.Kinds != nil && !slices.Contains(q.Kinds, e.Kind) {
		return false
	}
	if q.Markings != nil {
		for _, m := range store.SplitMarkings(e.Marking) {
			if !q.Markings(m) {
				return false
			}
		}
	}
	if q.Tentative != nil && e.Tentative != *q.Tentative {
		return false
	}
	return true
}

func expectedEvents(q store.EventQuery, latest []store.EventRecord) []string {
	var out []string
	for _, e := range latest { // already in (start, id) order
		if eventMatches(q, e) {
			out = append(out, e.ID+"@"+fmt.Sprint(e.Version))
		}
	}
	return out
}

// readAllEvents pages through a query and returns the events in order,
// checking that each cursor is its page's last event, that only the last
// page has none, and that the order is strictly (start, id).
func readAllEvents(t *testing.T, s store.Store, q store.EventQuery, limit int) []store.EventRecord {
	t.Helper()
	q.Limit = limit
	var out []store.EventRecord
	for page := 0; ; page++ {
		if page > 10_000 {
			t.Fatal("paging does not end")
		}
		es, next, err := s.Events(context.Background(), q)
		if err != nil {
			t.Fatalf("Events: %v", err)
		}
		if limit > 0 && len(es) > limit {
			t.Fatalf("page of %d events; limit %d", len(es), limit)
		}
		for _, e := range es {
			if n := len(out); n > 0 {
				p := out[n-1]
				if c := cmp.Compare(p.Start.UnixMicro(), e.Start.UnixMicro()); c > 0 || c == 0 && p.ID >= e.ID {
					t.Fatalf("out of (start, id) order: %s at %v, then %s at %v", p.ID, p.Start, e.ID, e.Start)
				}
			}
			out = append(out, e)
		}
		if next == nil {
			return out
		}
		if len(es) == 0 {
			t.Fatal("an empty page with a next cursor")
		}
		last := es[len(es)-1]
		if next.ID != last.ID || !next.ObservedAt.Equal(last.Start) {
			t.Fatalf("cursor %+v is not the page's last event (%v, %s)", next, last.Start, last.ID)
		}
		q.After = next
	}
}

func testEventQuery(t *testing.T, s store.Store) {
	latest := eventFixtures(t, s)
	day1, day2 := Base.Add(24*time.Hour), Base.Add(48*time.Hour)
	donbas := &store.BBox{West: 37.53, South: 47.8, East: 38.2, North: 48.47}
	dateLine := &store.BBox{West: 179, South: 60, East: -179, North: 70}
	yes, no := true, false
	cases := []struct {
		name    string
		q       store.EventQuery
		atLeast int
		mustSee []string // ids that must be selected
		mustNot []string // and must not
	}{
		{name: "everything", q: store.EventQuery{}, atLeast: 250,
			mustSee: []string{"Same-2", "same-B", "same-a", "same_1", "gap@3", "confirmed@2", "doubted@2", "false-alarm"},
			mustNot: []string{"gap@1", "moved-out@1"}},
		{name: "time window", q: store.EventQuery{Since: day1, Until: day2}, atLeast: 40,
			mustSee: []string{"edge-since"}, mustNot: []string{"edge-until", "left-window"}},
		{name: "since only", q: store.EventQuery{Since: day2}, atLeast: 40, mustSee: []string{"edge-until"}},
		{name: "until only", q: store.EventQuery{Until: day1}, atLeast: 40, mustSee: []string{"left-window"}, mustNot: []string{"edge-since"}},
		{name: "bbox", q: store.EventQuery{BBox: donbas}, atLeast: 20,
			mustSee: []string{"edge-west", "edge-north", "same-a", "moved-in"}, mustNot: []string{"moved-out", "lost-place"}},
		{name: "bbox and time", q: store.EventQuery{BBox: donbas, Since: day1, Until: day2}, atLeast: 5,
			mustSee: []string{"edge-since", "edge-west", "Same-2", "same-B", "same-a", "same_1", "gap"},
			mustNot: []string{"edge-until", "moved-out", "left-window", "lost-place"}},
		{name: "bbox across the antimeridian", q: store.EventQuery{BBox: dateLine}, atLeast: 10, mustSee: []string{"date-line"}},
		{name: "bbox across the antimeridian and time", q: store.EventQuery{BBox: dateLine, Since: day1, Until: day2}, atLeast: 3},
		{name: "whole world", q: store.EventQuery{BBox: &store.BBox{West: -180, South: -90, East: 180, North: 90}}, atLeast: 200,
			mustNot: []string{"lost-place"}},
		{name: "empty box", q: store.EventQuery{BBox: &store.BBox{West: 10, South: 10, East: 11, North: 11}}},
		{name: "kind", q: store.EventQuery{Kinds: []string{"shot", "restriction"}}, atLeast: 60},
		{name: "no kind", q: store.EventQuery{Kinds: []string{}}},
		{name: "public", q: store.EventQuery{Markings: allow("PUBLIC")}, atLeast: 20},
		{name: "MISSION alone hides a conjunction with REL TO USA", q: store.EventQuery{Markings: allow("PUBLIC", "MISSION")}, atLeast: 40},
		{name: "conjunctions", q: store.EventQuery{Markings: allow("PUBLIC", "MISSION", "REL TO USA", "COMMISSION")}, atLeast: 80},
		{name: "REL TO nobody", q: store.EventQuery{Markings: allow("REL TO ")}, atLeast: 10},
		{name: "no marking visible", q: store.EventQuery{Markings: allow()}},
		{name: "every filter", q: store.EventQuery{Since: Base.Add(12 * time.Hour), Until: Base.Add(60 * time.Hour), BBox: donbas,
			Kinds: []string{"explosion", "shot"}, Markings: allow("PUBLIC", "MISSION", "REL TO USA", "REL TO UKR, USA")}, atLeast: 3},
		// Tentative selects on the latest version: confirmed was a false
		// alarm at first, doubted became one.
		{name: "not tentative", q: store.EventQuery{Tentative: &no}, atLeast: 150,
			mustSee: []string{"confirmed@2", "gap@3"}, mustNot: []string{"doubted", "false-alarm"}},
		{name: "tentative", q: store.EventQuery{Tentative: &yes}, atLeast: 30,
			mustSee: []string{"doubted@2", "false-alarm"}, mustNot: []string{"confirmed", "gap"}},
		{name: "not tentative, bbox and time", q: store.EventQuery{Tentative: &no, BBox: donbas, Since: day1, Until: day2}, atLeast: 5,
			mustSee: []string{"confirmed", "edge-since", "same-a"}, mustNot: []string{"doubted", "false-alarm"}},
		{name: "tentative, bbox and time", q: store.EventQuery{Tentative: &yes, BBox: donbas, Since: day1, Until: day2}, atLeast: 2,
			mustSee: []string{"doubted", "false-alarm"}, mustNot: []string{"confirmed", "edge-since"}},
		{name: "tentative across the antimeridian", q: store.EventQuery{Tentative: &yes, BBox: dateLine}, atLeast: 1},
		{name: "every filter, not tentative", q: store.EventQuery{Since: Base.Add(12 * time.Hour), Until: Base.Add(60 * time.Hour), BBox: donbas,
			Kinds: []string{"explosion", "shot"}, Markings: allow("PUBLIC", "MISSION", "REL TO USA", "REL TO UKR, USA"), Tentative: &no}, atLeast: 2},
		{name: "tentative, kinds and markings", q: store.EventQuery{Tentative: &yes, Kinds: []string{"explosion", "shot"},
			Markings: allow("PUBLIC", "MISSION", "REL TO USA", "REL TO UKR, USA")}, atLeast: 5, mustSee: []string{"doubted", "false-alarm"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := expectedEvents(tc.q, latest)
			if len(want) < tc.atLeast {
				t.Fatalf("fixture selects %d; the case needs at least %d", len(want), tc.atLeast)
			}
			has := func(id string) bool {
				return slices.ContainsFunc(want, func(k string) bool { return k == id || len(k) > len(id) && k[:len(id)+1] == id+"@" })
			}
			for _, id := range tc.mustSee {
				if !has(id) {
					t.Fatalf("fixture does not select %s", id)
				}
			}
			for _, id := range tc.mustNot {
				if has(id) {
					t.Fatalf("fixture selects %s", id)
				}
			}
			for _, limit := range []int{0, 1, 7, 100} {
				got := readAllEvents(t, s, tc.q, limit)
				if ids := eventIDs(got); !slices.Equal(ids, want) {
					t.Errorf("limit %d: got %d events, want %d; %s", limit, len(ids), len(want), firstDifferenceOf(ids, want))
				}
				for _, e := range got {
					i := slices.IndexFunc(latest, func(l store.EventRecord) bool { return l.ID == e.ID })
					checkEvent(t, e, latest[i])
				}
			}
		})
	}
	t.Run("marking filter asked once per marking", func(t *testing.T) {
		calls := map[string]int{}
		var mu sync.Mutex
		q := store.EventQuery{Markings: func(m string) bool {
			mu.Lock()
			defer mu.Unlock()
			calls[m]++
			return m != "COMMISSION"
		}}
		if _, _, err := s.Events(context.Background(), q); err != nil {
			t.Fatal(err)
		}
		for m, n := range calls {
			if n > 1 {
				t.Errorf("filter asked %d times about %q", n, m)
			}
			if store.SplitMarkings(m)[0] != m {
				t.Errorf("filter asked about the conjunction %q rather than its markings", m)
			}
		}
	})
}

func firstDifferenceOf(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("first difference at %d: got %s, want %s", i, got[i], want[i])
		}
	}
	if len(got) > len(want) {
		return "unexpected " + got[len(want)] + " after the last wanted"
	}
	if len(want) > len(got) {
		return "missing " + want[len(got)] + " after the last got"
	}
	return "same"
}

// testEventPagingAcrossInserts: events that exist when the first page is
// read are each read once, however many new events arrive between pages,
// before the cursor, at its instant or after it.
func testEventPagingAcrossInserts(t *testing.T, s store.Store) {
	latest := eventFixtures(t, s)
	yes, no := true, false
	cases := []struct {
		name string
		q    store.EventQuery
	}{
		{"time order", store.EventQuery{}},
		{"bbox", store.EventQuery{BBox: &store.BBox{West: 36, South: 47, East: 40, North: 50}}},
		{"window", store.EventQuery{Since: Base.Add(12 * time.Hour), Until: Base.Add(60 * time.Hour)}},
		{"not tentative", store.EventQuery{Tentative: &no}},
		{"tentative", store.EventQuery{Tentative: &yes}},
	}
	for ci, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			existing := expectedEvents(tc.q, latest)
			q := tc.q
			q.Limit = 9
			seen := map[string]int{}
			for page := 0; ; page++ {
				es, next, err := s.Events(context.Background(), q)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range es {
					seen[e.ID+"@"+fmt.Sprint(e.Version)]++
				}
				if next == nil {
					break
				}
				q.After = next
				var late []store.EventRecord
				for k, d := range []time.Duration{-time.Hour, 0, time.Minute} {
					late = append(late, BuildEvent(EventSpec{ID: fmt.Sprintf("late-%d-%d-%d", ci, page, k), Start: next.ObservedAt.Add(d),
						Located: true, Lat: 48, Lon: 38, Sequence: 5000, Tentative: k == 1}))
				}
				putEvents(t, s, late...)
			}
			for k, n := range seen {
				if n > 1 {
					t.Errorf("%s read %d times", k, n)
				}
			}
			for _, k := range existing {
				if seen[k] != 1 {
					t.Errorf("%s existed before the first page and was read %d times", k, seen[k])
				}
			}
		})
	}
}

// testConcurrentPutEvents: batches that overlap, put at once, all succeed
// (each is a replay of what the others stored), and each version is
// stored once.
func testConcurrentPutEvents(t *testing.T, s store.Store) {
	g := NewEventStream(5, Base, 24*time.Hour, 2000)
	all := g.Batch(600)
	const writers = 6
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each writer puts the same versions in its own order, in
			// batches of its own size.
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			mine := slices.Clone(all)
			rng.Shuffle(len(mine), func(i, j int) { mine[i], mine[j] = mine[j], mine[i] })
			for len(mine) > 0 && errs[w] == nil {
				n := min(len(mine), 20+rng.IntN(100))
				errs[w] = s.PutEvents(context.Background(), mine[:n])
				mine = mine[n:]
			}
		}()
	}
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", w, err)
		}
	}
	latest := map[string]store.EventRecord{}
	var maxSeq int64
	for _, e := range all {
		if l, ok := latest[e.ID]; !ok || e.Version > l.Version {
			latest[e.ID] = e
		}
		maxSeq = max(maxSeq, e.Sequence)
	}
	got := readAllEvents(t, s, store.EventQuery{}, 250)
	if len(got) != len(latest) {
		t.Fatalf("%d events; want %d", len(got), len(latest))
	}
	for _, e := range got {
		checkEvent(t, e, latest[e.ID])
	}
	if n, err := s.LastEventSequence(context.Background()); err != nil || n != maxSeq {
		t.Errorf("LastEventSequence = %d, %v; want %d", n, err, maxSeq)
	}
	// Each version took one place in the store's order, without a gap,
	// however the writers raced.
	feed, err := s.EventVersionsAfter(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(feed) != len(all) {
		t.Fatalf("the feed holds %d versions; want %d", len(feed), len(all))
	}
	seen := map[store.EventVersionKey]bool{}
	for i, e := range feed {
		k := store.EventVersionKey{ID: e.ID, Version: e.Version}
		if e.Recorded != int64(i+1) || seen[k] {
			t.Fatalf("place %d: %s@%d recorded %d (seen before: %v)", i+1, e.ID, e.Version, e.Recorded, seen[k])
		}
		seen[k] = true
	}
}

// CheckTentativeMigration is what an adapter's test of migration 13 checks
// once a database made before versions could be tentative has opened,
// holding stored (version 1, written by the older schema): the version
// reads back as stored and not tentative, the list of events not
// tentative holds it, and a tentative version 2 is taken after.
func CheckTentativeMigration(t *testing.T, s store.Store, stored store.EventRecord) {
	t.Helper()
	ctx := context.Background()
	yes, no := true, false
	if got, err := s.Event(ctx, stored.ID); err != nil || got.Tentative || !store.SameEvent(got, stored) {
		t.Fatalf("after the migration, Event: %+v, %v; want the version stored, not tentative", got, err)
	}
	if got, _, err := s.Events(ctx, store.EventQuery{Tentative: &no}); err != nil || len(got) != 1 {
		t.Errorf("after the migration, not tentative: %d events, %v; want the one stored", len(got), err)
	}
	doubted := BuildEvent(EventSpec{ID: stored.ID, Version: 2, Start: stored.Start, Sequence: stored.Sequence + 1, Tentative: true})
	putEvents(t, s, doubted)
	if got, _, err := s.Events(ctx, store.EventQuery{Tentative: &yes}); err != nil || len(got) != 1 || got[0].Version != 2 {
		t.Errorf("a tentative version after the migration: %d events, %v; want version 2", len(got), err)
	}
}
