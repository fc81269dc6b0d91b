package agreement

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/geo"
)

// TestConcurrentQueries: one parsed agreement serves many goroutines (the
// server's handlers, fusion workers) and answers each exactly as it would
// alone. Run with -race.
func TestConcurrentQueries(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "small.json"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Parse("small.json", data)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	pts := make([]geo.Point, 500)
	for i := range pts {
		pts[i] = geo.Point{Lat: 46.5 + rng.Float64()*3, Lon: 35.5 + rng.Float64()*5}
	}
	ev := Event{Kind: "weapon_sighting", WeaponClass: "artillery", CaliberMM: 152, Count: 1, Time: a.EffectiveFrom.Add(time.Hour)}
	answer := func(p geo.Point) string {
		v, err := a.Evaluate(a.FactsAt(p, ev))
		return fmt.Sprint(a.ControllingParty(p), a.ZonesAt(p), a.DistanceToLineM("contact", p), v, err)
	}
	want := make([]string, len(pts))
	for i, p := range pts {
		want[i] = answer(p)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for k := range pts {
				i := (k*7 + g*31) % len(pts)
				if got := answer(pts[i]); got != want[i] {
					t.Errorf("goroutine %d, %v: %s, alone %s", g, pts[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}
