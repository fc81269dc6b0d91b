package agreement

import (
	"slices"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/geo"
)

func TestDemo(t *testing.T) {
	a, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "demo-2026-08-22" || a.Line("contact") == nil || len(a.Sources) == 0 {
		t.Fatalf("demo agreement: id %q, lines %d, sources %d", a.ID, len(a.Lines), len(a.Sources))
	}
	for _, s := range a.Sources {
		if s.Licence == "" {
			t.Errorf("source %q names no licence", s.Name)
		}
	}
	places := []struct {
		name  string
		p     geo.Point
		party string
	}{
		{"Kyiv", geo.Point{Lat: 50.4501, Lon: 30.5234}, "UKR"},
		{"Lviv", geo.Point{Lat: 49.8397, Lon: 24.0297}, "UKR"},
		{"Odesa", geo.Point{Lat: 46.4825, Lon: 30.7233}, "UKR"},
		{"Donetsk", geo.Point{Lat: 48.0159, Lon: 37.8028}, "RUS"},
		{"Simferopol", geo.Point{Lat: 44.9521, Lon: 34.1024}, "RUS"}, // (Sevastopol's centre point lies 62 m out in the bay of the simplified coast)
		{"Mariupol", geo.Point{Lat: 47.0971, Lon: 37.5434}, "RUS"},
		{"Moscow", geo.Point{Lat: 55.7558, Lon: 37.6173}, "RUS"},
		{"Minsk (Belarus)", geo.Point{Lat: 53.9006, Lon: 27.5590}, ""},
		{"Chisinau (Moldova)", geo.Point{Lat: 47.0105, Lon: 28.8638}, ""},
	}
	for _, pl := range places {
		if got := a.ControllingParty(pl.p); got != pl.party {
			t.Errorf("%s: controlled by %q, want %q", pl.name, got, pl.party)
		}
	}
	// Kyiv is far from every zone, so a Smerch there breaks nothing; one
	// in Donetsk breaks the heavy-MLRS zone if Donetsk is within its 70 km.
	kyiv := a.FactsAt(places[0].p, Event{Kind: "weapon_sighting", WeaponClass: "mlrs", CaliberMM: 300, System: "BM-30 Smerch", Count: 1, Time: a.EffectiveFrom.Add(time.Hour)})
	if len(kyiv.Place.Zones) != 0 {
		t.Errorf("Kyiv in zones %v", kyiv.Place.Zones)
	}
	v, err := a.Evaluate(kyiv)
	if err != nil || len(v) != 0 {
		t.Errorf("Smerch in Kyiv: %v %v", v, err)
	}
	donetsk := a.FactsAt(places[3].p, Event{Kind: "weapon_sighting", WeaponClass: "mlrs", CaliberMM: 300, System: "BM-30 Smerch", Count: 1, Time: a.EffectiveFrom.Add(time.Hour)})
	km := donetsk.Place.DistanceM["contact"] / 1000
	want := km <= 70
	v, err = a.Evaluate(donetsk)
	if err != nil || slices.ContainsFunc(v, func(x Violation) bool { return x.Rule == "weapon-in-withdrawal-zone" }) != want {
		t.Errorf("Smerch in Donetsk, %.1f km from the line: violations %v (%v)", km, v, err)
	}
	t.Logf("Donetsk is %.1f km from the demo line of contact; zones %v", km, donetsk.Place.Zones)
	b, err := Demo()
	if err != nil || b != a {
		t.Error("Demo() does not return the same parsed agreement")
	}
}
