package agreement

import (
	"math"
	"slices"
	"testing"

	"github.com/truce-mechanism/truce/geo"
)

// reachAgreement is small.json with a table of weapon ranges, specific entries
// first.
func reachAgreement(t *testing.T) *Agreement {
	t.Helper()
	doc := smallDoc(t)
	doc["weapon_reach"] = []any{
		map[string]any{"class": "mlrs", "systems": []any{"Grad"}, "max_range_m": 20400},
		map[string]any{"class": "mlrs", "max_range_m": 120000},
		map[string]any{"class": "mortar", "max_caliber_mm": 82, "max_range_m": 6100},
		map[string]any{"class": "mortar", "max_range_m": 9700},
		map[string]any{"class": "artillery", "min_caliber_mm": 122, "max_caliber_mm": 122, "max_range_m": 15400},
		map[string]any{"class": "artillery", "max_caliber_mm": 155, "max_range_m": 30000},
	}
	a, err := Parse("reach.json", marshal(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestReachM: the first entry that matches answers; a calibre band needs
// a known calibre; a class the table leaves out has no reach.
func TestReachM(t *testing.T) {
	a := reachAgreement(t)
	for _, c := range []struct {
		class   string
		caliber float64
		system  string
		want    float64 // 0: none
	}{
		{"mlrs", 122, "BM-21 Grad", 20400},
		{"mlrs", 122, "", 120000},
		{"mlrs", 0, "Tornado-G", 120000},
		{"mortar", 82, "", 6100},
		{"mortar", 120, "", 9700},
		{"mortar", 0, "", 9700},
		{"artillery", 122, "", 15400},
		{"artillery", 152, "", 30000},
		{"artillery", 203, "", 0},
		{"artillery", 0, "", 0},
		{"tank", 125, "", 0},
	} {
		got, ok := a.ReachM(c.class, c.caliber, c.system)
		if ok != (c.want > 0) || got != c.want {
			t.Errorf("ReachM(%s, %v, %q) = %v, %v; want %v", c.class, c.caliber, c.system, got, ok, c.want)
		}
	}
}

// TestFactsAround: small.json's line of contact runs north along 38° E,
// UKR holding the west; its withdrawal bands are 15, 25, 35 and 70 km
// wide each side, and a demilitarised square of about 15 × 22 km sits
// astride the line at 48° N. Inner facts hold at every point of the
// disc, outer at some.
func TestFactsAround(t *testing.T) {
	a := reachAgreement(t)
	west := func(km float64) geo.Point { return geo.Direct(geo.Point{Lat: 48.5, Lon: 38}, 270, km*1000) }
	ev := Event{Kind: "weapon_sighting", WeaponClass: "mortar"}
	for _, c := range []struct {
		name               string
		at                 geo.Point
		radiusM            float64
		inner, outer       []string // zones
		innerW             []string // weapon zones (the mortar's)
		innerParty, outerP string
	}{
		{"5 km from the line, 7.3 km about: inside the 15 km band throughout", west(5), 7300,
			[]string{"heavy-artillery", "mlrs", "heavy-mlrs", "light"}, []string{"heavy-artillery", "mlrs", "heavy-mlrs", "light"}, []string{"light"}, "", ""},
		{"10 km from the line: the disc leaves the 15 km band", west(10), 7300,
			[]string{"heavy-artillery", "mlrs", "heavy-mlrs"}, []string{"heavy-artillery", "mlrs", "heavy-mlrs", "light"}, []string{}, "UKR", "UKR"},
		{"30 km: only the widest band holds it; the 25 km one touches it", west(30), 7300,
			[]string{"heavy-mlrs"}, []string{"heavy-artillery", "mlrs", "heavy-mlrs"}, []string{}, "UKR", "UKR"},
		{"the middle of the demilitarised square, 1 km about", geo.Point{Lat: 48, Lon: 38.0001}, 1000,
			[]string{"heavy-artillery", "mlrs", "heavy-mlrs", "light", "dmz-town"}, []string{"heavy-artillery", "mlrs", "heavy-mlrs", "light", "dmz-town"}, []string{"light", "dmz-town"}, "", ""},
		{"the square, 20 km about: it touches, it does not hold", geo.Point{Lat: 48, Lon: 38.0001}, 20000,
			[]string{"heavy-artillery", "mlrs", "heavy-mlrs"}, []string{"heavy-artillery", "mlrs", "heavy-mlrs", "light", "dmz-town"}, []string{}, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			in, out := a.FactsAround(c.at, c.radiusM, ev)
			if !slices.Equal(in.Place.Zones, c.inner) || !slices.Equal(out.Place.Zones, c.outer) {
				t.Errorf("zones inner %v outer %v; want %v and %v", in.Place.Zones, out.Place.Zones, c.inner, c.outer)
			}
			if !slices.Equal(in.Place.WeaponZones, c.innerW) {
				t.Errorf("the mortar's zones throughout %v; want %v", in.Place.WeaponZones, c.innerW)
			}
			if in.Place.Party != c.innerParty || out.Place.Party != c.outerP {
				t.Errorf("party %q / %q; want %q / %q", in.Place.Party, out.Place.Party, c.innerParty, c.outerP)
			}
			d := a.DistanceToLineM("contact", c.at)
			if got := in.Place.DistanceM["contact"]; math.Abs(got-(d+c.radiusM)) > 1e-6 {
				t.Errorf("inner distance %.1f, want %.1f", got, d+c.radiusM)
			}
			if got := out.Place.DistanceM["contact"]; math.Abs(got-max(d-c.radiusM, 0)) > 1e-6 {
				t.Errorf("outer distance %.1f, want %.1f", got, max(d-c.radiusM, 0))
			}
		})
	}
}
