package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/store"
)

func TestJoinMarkings(t *testing.T) {
	cases := []struct {
		name   string
		in     []string
		joined string
		split  []string // what SplitMarkings gives back
	}{
		{"one", []string{"PUBLIC"}, "PUBLIC", []string{"PUBLIC"}},
		{"a conjunction", []string{"COMMISSION", "MISSION", "REL TO UKR, USA"}, "COMMISSION//MISSION//REL TO UKR, USA",
			[]string{"COMMISSION", "MISSION", "REL TO UKR, USA"}},
		{"REL TO nobody", []string{"MISSION", "REL TO "}, "MISSION//REL TO ", []string{"MISSION", "REL TO "}},
		// Never a valid marking; split, its parts might each pass.
		{"a marking holding the separator", []string{"PUBLIC//PUBLIC", "MISSION"}, "UNREADABLE MARKING//MISSION",
			[]string{"UNREADABLE MARKING", "MISSION"}},
		{"an empty marking", []string{"", "MISSION"}, "UNREADABLE MARKING//MISSION", []string{"UNREADABLE MARKING", "MISSION"}},
		{"none", nil, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := store.JoinMarkings(c.in)
			if got != c.joined {
				t.Fatalf("JoinMarkings(%q) = %q; want %q", c.in, got, c.joined)
			}
			if back := store.SplitMarkings(got); !slices.Equal(back, c.split) {
				t.Errorf("SplitMarkings(%q) = %q; want %q", got, back, c.split)
			}
		})
	}
}

// The store's filter on a joined conjunction, fed the reader's CanSee for
// single markings (as the server feeds observations' queries), decides
// exactly as the reader's CanSeeAll on the conjunction: for every kind of
// reader and every pair and triple of markings.
func TestConjunctionFilterIsCanSeeAll(t *testing.T) {
	nato := access.Organisation{Code: "NATO_X", Kind: access.KindLead}
	usa := access.Organisation{Code: "USA", Kind: access.KindParticipant, Commission: true}
	gbr := access.Organisation{Code: "GBR", Kind: access.KindParticipant}
	rus := access.Organisation{Code: "RUS", Kind: access.KindParty}
	obs := access.Organisation{Code: "OBS", Kind: access.KindObserver}
	readers := []access.Reader{
		access.Anonymous, access.DemoUser,
		access.ReaderFor(access.User{Name: "a", Roles: []string{access.RoleViewer}}, nato),
		access.ReaderFor(access.User{Name: "b", Roles: []string{access.RoleCommissioner}}, usa),
		access.ReaderFor(access.User{Name: "c", Roles: []string{access.RoleAnalyst}}, usa),
		access.ReaderFor(access.User{Name: "d", Roles: []string{access.RoleCommissioner}}, gbr),
		access.ReaderFor(access.User{Name: "e", Roles: []string{access.RoleLiaison}}, rus),
		access.ReaderFor(access.User{Name: "f", Roles: []string{access.RoleViewer}}, obs),
	}
	markings := []string{"PUBLIC", "MISSION", "COMMISSION", "REL TO USA", "REL TO GBR, USA", "REL TO RUS", "REL TO GBR, RUS", "secret"}
	for _, r := range readers {
		filter := store.ConjunctionFilter(r.CanSee)
		for _, a := range markings {
			for _, b := range markings {
				for _, c := range markings {
					conj := access.Combine(a, b, c)
					want := r.CanSeeAll(conj)
					if got := filter(store.JoinMarkings(conj)); got != want {
						t.Errorf("%s: %q: sees %v; want %v", r.Name, conj, got, want)
					}
				}
			}
		}
	}
}

func TestConjunctionFilterAsksOnce(t *testing.T) {
	asked := map[string]int{}
	f := store.ConjunctionFilter(func(m string) bool { asked[m]++; return m != "COMMISSION" })
	for _, joined := range []string{"MISSION", "MISSION//REL TO USA", "COMMISSION//MISSION", "REL TO USA", "COMMISSION"} {
		f(joined)
	}
	for m, n := range asked {
		if n != 1 {
			t.Errorf("asked %d times about %q", n, m)
		}
	}
	if f("") {
		t.Error("an unmarked conjunction passed")
	}
}

// TestSameEvent: every field but Recorded is content, compared at the
// store's precision.
func TestSameEvent(t *testing.T) {
	lat, lon, other := 48.0, 38.0, 38.5
	base := store.EventRecord{ID: "ev-1", Version: 2, Start: time.Unix(100, 0), End: time.Unix(160, 0), Kind: "explosion",
		Lat: &lat, Lon: &lon, Marking: "MISSION", Document: []byte(`{}`), Sequence: 7, Recorded: 3}
	cases := []struct {
		name   string
		change func(e *store.EventRecord)
		same   bool
	}{
		{"itself", func(e *store.EventRecord) {}, true},
		{"another place in the store's order", func(e *store.EventRecord) { e.Recorded = 9 }, true},
		{"start within the microsecond", func(e *store.EventRecord) { e.Start = e.Start.Add(999) }, true},
		{"tentative", func(e *store.EventRecord) { e.Tentative = true }, false},
		{"other version", func(e *store.EventRecord) { e.Version = 3 }, false},
		{"other start", func(e *store.EventRecord) { e.Start = e.Start.Add(time.Microsecond) }, false},
		{"other end", func(e *store.EventRecord) { e.End = e.End.Add(time.Second) }, false},
		{"other kind", func(e *store.EventRecord) { e.Kind = "shot" }, false},
		{"other place", func(e *store.EventRecord) { e.Lon = &other }, false},
		{"no place", func(e *store.EventRecord) { e.Lat, e.Lon = nil, nil }, false},
		{"other marking", func(e *store.EventRecord) { e.Marking = "PUBLIC" }, false},
		{"other document", func(e *store.EventRecord) { e.Document = []byte(`{ }`) }, false},
		{"other sequence", func(e *store.EventRecord) { e.Sequence = 8 }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := base
			c.change(&e)
			if got := store.SameEvent(base, e); got != c.same {
				t.Errorf("SameEvent = %v; want %v", got, c.same)
			}
			if got := store.SameEvent(e, base); got != c.same {
				t.Errorf("SameEvent, the other way round, = %v; want %v", got, c.same)
			}
		})
	}
}
