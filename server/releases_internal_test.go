package server

import (
	"encoding/json"
	"testing"
)

// TestReleaseKeepsMeasuredPlaces: a public release shows where an event
// was measured, coarsened, and leaves out a place a sight line alone
// gives (the source's usual distance, kilometres off).
func TestReleaseKeepsMeasuredPlaces(t *testing.T) {
	for _, c := range []struct {
		basis string
		want  bool
	}{{"", true}, {"measured", true}, {"sight_line", false}, {"launch", false}} {
		doc := `{"version":1,"kind":"explosion","start":"2026-09-02T01:00:00Z","end":"2026-09-02T01:00:00Z","location":{"lat":48.31234,"lon":38.0567},"location_basis":"` + c.basis + `","count":1}`
		out, err := sanitiseEvent([]byte(doc), "ev-1", 1000)
		if err != nil {
			t.Fatal(err)
		}
		var got struct{ Location *pointJSON }
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		if (got.Location != nil) != c.want {
			t.Errorf("basis %q: released location %v, want shown %v", c.basis, got.Location, c.want)
		}
	}
}
