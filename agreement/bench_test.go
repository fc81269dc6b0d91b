package agreement

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/geo"
)

// Benchmarks on two realistic agreements: the Minsk-era one built from
// ISW's map (Donbas and Crimea, 51,000 vertices of controlled area; a line
// of contact of 823 positions; four withdrawal zones; four rules) and the
// shipped demo (DeepState 2026 and Natural Earth, simplified), queried at
// the UCDP event locations (near the 2015 line, where the questions are
// asked) and at random places over eastern Ukraine.

func benchAgreements(b *testing.B) map[string]*Agreement {
	demo, err := Demo()
	if err != nil {
		b.Fatal(err)
	}
	return map[string]*Agreement{"minsk": minsk(b), "demo": demo}
}

func benchPlaces(b *testing.B) map[string][]geo.Point {
	ucdp := ucdpPoints(b)
	near := make([]geo.Point, len(ucdp))
	for i, e := range ucdp {
		near[i] = e.p
	}
	rng := rand.New(rand.NewPCG(1, 1))
	wide := make([]geo.Point, 4096)
	for i := range wide {
		wide[i] = geo.Point{Lat: 44 + rng.Float64()*7, Lon: 32 + rng.Float64()*9}
	}
	return map[string][]geo.Point{"ucdp-events": near, "eastern-ukraine": wide}
}

func BenchmarkControllingParty(b *testing.B) {
	places := benchPlaces(b)
	agreements := benchAgreements(b)
	for _, aname := range slices.Sorted(maps.Keys(agreements)) {
		a := agreements[aname]
		for _, name := range slices.Sorted(maps.Keys(places)) {
			pts := places[name]
			b.Run(aname+"/"+name, func(b *testing.B) {
				i := 0
				for b.Loop() {
					a.ControllingParty(pts[i%len(pts)])
					i++
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/query")
			})
		}
	}
}

func BenchmarkZonesAt(b *testing.B) {
	places := benchPlaces(b)
	agreements := benchAgreements(b)
	for _, aname := range slices.Sorted(maps.Keys(agreements)) {
		a := agreements[aname]
		for _, name := range slices.Sorted(maps.Keys(places)) {
			pts := places[name]
			b.Run(aname+"/"+name, func(b *testing.B) {
				i := 0
				for b.Loop() {
					a.ZonesAt(pts[i%len(pts)])
					i++
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/query")
			})
		}
	}
}

func BenchmarkEvaluate(b *testing.B) {
	a := minsk(b)
	pts := benchPlaces(b)["ucdp-events"]
	ev := Event{Kind: "weapon_sighting", WeaponClass: "mlrs", CaliberMM: 122, System: "BM-21 Grad", Count: 2,
		Fire: "unknown", Time: a.EffectiveFrom.Add(48 * time.Hour)}
	b.Run("rules-only", func(b *testing.B) {
		facts := make([]Facts, len(pts))
		for i, p := range pts {
			facts[i] = a.FactsAt(p, ev)
		}
		i := 0
		for b.Loop() {
			if _, err := a.Evaluate(facts[i%len(facts)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
		b.ReportMetric(float64(len(a.Rules)), "rules")
	})
	b.Run("facts-and-rules", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := a.Evaluate(a.FactsAt(pts[i%len(pts)], ev)); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
	})
}

func BenchmarkParse(b *testing.B) {
	data := minskAgreement(b)
	for b.Loop() {
		if _, err := Parse("minsk.json", data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data))/1e6, "MB")
}
