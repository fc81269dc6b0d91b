package geo

import (
	"errors"
	"math"
	"testing"
)

// FuzzMGRSToLatLon: no input panics; every refusal is an *MGRSError that
// names the part at fault; every accepted reference round-trips (see
// mgrsCheckRoundTrip) and, spelt in capitals, matches the intake schema.
//
//	go test -run '^$' -fuzz FuzzMGRSToLatLon -fuzztime 60s ./geo
func FuzzMGRSToLatLon(f *testing.F) {
	for _, seed := range []string{
		"37UDQ1234567890", "37U DQ 12345 67890", "04QFJ12345678", "4qfj1234", "36UUA2394091604",
		"32VJM6564066593", "31XGV0663699233", "33XTV", "1XDP", "60NZF3397800000", "31MAV6602199999",
		"31NAA6602100000", "34HBH5958345888", "31CDM4186716915", "37UDQ ", "37UDQ12",
		// refused
		"", "0UDQ", "61UDQ", "137UDQ", "37ADQ", "37IDQ", "37UJQ", "37UDW", "37UDQ1", "37UDQ1 234",
		"37UDQ12 ", "32XNM", "37TDQ1234", "31VFH", "31NAV", "37UDQ123456789012", "\xff\xfe",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		p, err := MGRSToLatLon(ref)
		if err != nil {
			var me *MGRSError
			if !errors.As(err, &me) || me.Part == "" || me.Reason == "" || me.Ref != ref {
				t.Fatalf("%q: error %v is not an *MGRSError naming the part at fault", ref, err)
			}
			return
		}
		if math.IsNaN(p.Lat) || math.IsNaN(p.Lon) {
			t.Fatalf("%q: centre %v", ref, p)
		}
		mgrsCheckRoundTrip(t, ref)
	})
}

// FuzzLatLonToMGRS: no input panics; every reference made parses back to
// the square that contains the point.
//
//	go test -run '^$' -fuzz FuzzLatLonToMGRS -fuzztime 60s ./geo
func FuzzLatLonToMGRS(f *testing.F) {
	for _, seed := range []struct {
		lat, lon float64
		digits   int
	}{
		{50.45, 30.52, 5}, {84, 10, 0}, {-80, -180, 3}, {0, 180, 5}, {-1e-300, 0, 5},
		{63.999999999, 2.999999999, 4}, {72, 9, 2}, {84.0000001, 0, 5}, {math.NaN(), 0, 1}, {10, 10, 9},
	} {
		f.Add(seed.lat, seed.lon, seed.digits)
	}
	f.Fuzz(func(t *testing.T, lat, lon float64, digits int) {
		p := Point{Lat: lat, Lon: lon}
		ref, err := LatLonToMGRS(p, digits)
		if err != nil {
			return
		}
		m, err := ParseMGRS(ref)
		if err != nil {
			t.Fatalf("LatLonToMGRS(%v, %d) = %q, which does not parse: %v", p, digits, ref, err)
		}
		if m.Digits != digits || m.String() != ref {
			t.Fatalf("LatLonToMGRS(%v, %d) = %q, parsed back as %+v", p, digits, ref, m)
		}
		u, err := LatLonToUTMZone(p, m.Zone)
		if err != nil {
			t.Fatal(err)
		}
		mgrsSameFrame(&u, m.South())
		size := float64(m.Size())
		// Within a micrometre of the square: the last ulp of a float can
		// land a point on an edge either way.
		const slack = 1e-6
		if u.Easting < float64(m.Easting)-slack || u.Easting > float64(m.Easting)+size+slack ||
			u.Northing < float64(m.Northing)-slack || u.Northing > float64(m.Northing)+size+slack {
			t.Fatalf("%v is at %v, outside %s", p, u, ref)
		}
		mgrsCheckRoundTrip(t, ref)
	})
}
