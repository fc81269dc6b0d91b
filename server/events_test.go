package server_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/coverage"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/server"
	"github.com/truce-mechanism/truce/store/sqlite"
)

// TestEvents: fused events are served with the filters of observations,
// and a reader sees an event only if it may see every report in it.
// demoWithFusion is a demo server over a fresh embedded store, with a
// fusion that the test catches up by hand.
func demoWithFusion(t *testing.T) (*sqlite.Store, *fusion.Live, *server.Server) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir()+"/truce.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	live := fusion.NewLive(st, intake.ResolveMGRS, fusion.Config{})
	return st, live, server.New(server.Config{Store: st, Now: func() time.Time { return clock }, Demo: true, Fusion: live})
}

func TestEvents(t *testing.T) {
	ctx := context.Background()
	st, live, demo := demoWithFusion(t)
	// Two monitors hear one explosion (one report USA-only), a radar sees
	// another far away (public), a third lone flare (GBR-only).
	reports := `{"id":"a1","source":"m1","observed_at":"2026-09-02T01:00:00Z","kind":"explosion","fire":"incoming","observer":{"lat":48.30,"lon":38.00},"bearing_deg":45,"bearing_sigma_deg":3,"marking":"PUBLIC"}
{"id":"a2","source":"m2","observed_at":"2026-09-02T01:00:20Z","kind":"explosion","fire":"incoming","observer":{"lat":48.40,"lon":38.00},"bearing_deg":135,"bearing_sigma_deg":3,"marking":"REL TO USA"}
{"id":"b1","source":"r1","observed_at":"2026-09-02T03:00:00Z","kind":"explosion","location":{"lat":47.5,"lon":37.5,"cep_m":100},"marking":"PUBLIC"}
{"id":"c1","source":"m3","observed_at":"2026-09-02T05:00:00Z","kind":"flare","location":{"lat":48.0,"lon":37.0,"cep_m":300},"marking":"REL TO GBR"}
`
	if rec := do(demo, "POST", "/api/v1/observations", reports, ""); rec.Code != 201 {
		t.Fatal(rec.Body)
	}
	if rec := do(demo, "GET", "/api/v1/fusion/status", "", ""); rec.Code != 200 || rec.Body.String() != "{\"fused\":0,\"observations\":4}\n" {
		t.Fatalf("status before fusion: %s", rec.Body)
	}
	if n, err := live.CatchUp(ctx); err != nil || n != 4 {
		t.Fatalf("fused %d, %v", n, err)
	}
	if rec := do(demo, "GET", "/api/v1/fusion/status", "", ""); rec.Body.String() != "{\"fused\":4,\"observations\":4}\n" {
		t.Fatalf("status after: %s", rec.Body)
	}
	tokens := viewerTokens(t, st)
	srv := server.New(server.Config{Store: st, Now: func() time.Time { return clock }, Fusion: live})
	type page struct {
		Records []struct {
			ID           string
			Kind         string
			Observations []struct{ Source, ID string }
			Location     *struct{ Lat, Lon float64 }
			Sources      int
		}
		Next string `json:"next_cursor"`
	}
	get := func(path, token string) page {
		rec := do(srv, "GET", path, "", token)
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		var p page
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name, path, token string
		want              []int // observations per event shown, in order
	}{
		{"the public sees the public event only", "/api/v1/events", "", []int{1}},
		{"USA sees both explosions, the first fused from two monitors", "/api/v1/events", tokens["USA"], []int{2, 1}},
		{"GBR sees the public event and its flare", "/api/v1/events", tokens["GBR"], []int{1, 1}},
		{"by kind", "/api/v1/events?kind=flare", tokens["GBR"], []int{1}},
		{"by box", "/api/v1/events?bbox=37,47,38,48", tokens["USA"], []int{1}},
		{"by time", "/api/v1/events?since=2026-09-02T02:00:00Z", tokens["USA"], []int{1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := get(c.path, c.token)
			var got []int
			for _, r := range p.Records {
				got = append(got, len(r.Observations))
			}
			if len(got) != len(c.want) {
				t.Fatalf("events %v; want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("events %v; want %v", got, c.want)
				}
			}
		})
	}
	// The two bearings cross near 48.35 N, 38.075 E: the event is located.
	p := get("/api/v1/events", tokens["USA"])
	if loc := p.Records[0].Location; loc == nil || loc.Lat < 48.3 || loc.Lat > 48.4 || loc.Lon < 38.0 || loc.Lon > 38.2 {
		t.Fatalf("the two-monitor event is at %+v", loc)
	}
	// Incidents are built from the events the reader may see.
	for _, c := range []struct {
		token string
		want  []int // events per incident
	}{{"", []int{1}}, {tokens["USA"], []int{1, 1}}, {tokens["GBR"], []int{1, 1}}} {
		rec := do(srv, "GET", "/api/v1/incidents", "", c.token)
		var got struct{ Records []struct{ Events []string } }
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 {
			t.Fatalf("incidents: %d %s", rec.Code, rec.Body)
		}
		var sizes []int
		for _, in := range got.Records {
			sizes = append(sizes, len(in.Events))
		}
		if !slices.Equal(sizes, c.want) {
			t.Errorf("incidents of %q: %v, want %v", c.token, sizes, c.want)
		}
	}
	// Daily figures count what the reader may see.
	for _, c := range []struct {
		token              string
		explosions, flares int
	}{{"", 1, 0}, {tokens["USA"], 2, 0}, {tokens["GBR"], 1, 1}} {
		rec := do(srv, "GET", "/api/v1/stats/daily?since=2026-09-02T00:00:00Z&until=2026-09-03T00:00:00Z", "", c.token)
		var got struct {
			Days []struct {
				Day   string
				Total struct{ Explosions, Flares int }
			}
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 || len(got.Days) != 1 {
			t.Fatalf("stats: %d %s", rec.Code, rec.Body)
		}
		if d := got.Days[0]; d.Day != "2026-09-02" || d.Total.Explosions != c.explosions || d.Total.Flares != c.flares {
			t.Errorf("stats of %q: %+v, want %d explosions, %d flares", c.token, d, c.explosions, c.flares)
		}
	}
	// GeoJSON: the same events as features, the public one only for the public.
	req := httptest.NewRequest("GET", "/api/v1/events", nil)
	req.Header.Set("Accept", "application/geo+json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	var fc struct {
		Features []struct {
			ID       string
			Geometry struct{ Coordinates []float64 }
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil || len(fc.Features) != 1 || len(fc.Features[0].Geometry.Coordinates) != 2 {
		t.Fatalf("GeoJSON events: %s", rec.Body)
	}
	// Paging.
	first := get("/api/v1/events?limit=1", tokens["USA"])
	second := get("/api/v1/events?limit=1&cursor="+first.Next, tokens["USA"])
	if len(first.Records) != 1 || first.Next == "" || len(second.Records) != 1 || second.Records[0].ID == first.Records[0].ID || second.Next != "" {
		t.Fatalf("pages %+v then %+v", first, second)
	}
}

// viewerTokens registers organisations USA and GBR with one viewer each
// and returns their tokens by organisation.
func viewerTokens(t *testing.T, st *sqlite.Store) map[string]string {
	t.Helper()
	ctx := context.Background()
	tokens := map[string]string{}
	for _, o := range []access.Organisation{{Code: "USA", Name: "US", Kind: access.KindParticipant}, {Code: "GBR", Name: "UK", Kind: access.KindParticipant}} {
		if err := st.PutOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
		name := map[string]string{"USA": "us.viewer", "GBR": "gb.viewer"}[o.Code]
		tokens[o.Code] = issueToken(t, st, access.User{Name: name, Org: o.Code, Roles: []string{access.RoleViewer}}, clock.Add(-time.Hour), 48*time.Hour)
	}
	return tokens
}

// TestCoverage: coverage is computed from the reports the reader may
// see, so a REL TO report's sensor shows only to its releasees; GeoJSON
// gives the cells as polygons; bad windows are named.
func TestCoverage(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir()+"/truce.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tokens := viewerTokens(t, st)
	tr := coverage.New(coverage.Config{})
	at := time.Date(2026, 9, 2, 10, 30, 0, 0, time.UTC)
	for _, o := range []observation.Observation{
		{Source: "m1", ID: "1", ObservedAt: at, Kind: observation.Explosion, Marking: "PUBLIC", Observer: &observation.Point{Lat: 48.3, Lon: 38.0, Resolved: true}},
		{Source: "r1", ID: "1", ObservedAt: at, Kind: observation.Explosion, Marking: "REL TO USA", Observer: &observation.Point{Lat: 47.5, Lon: 37.0, Resolved: true}},
	} {
		tr.Add(&o, coverage.SourceInfo{Kind: map[string]string{"m1": "monitor", "r1": "radar"}[o.Source]})
	}
	srv := server.New(server.Config{Store: st, Now: func() time.Time { return clock }, Coverage: tr})
	type cells struct {
		Cells []struct {
			Sources  []string
			Fraction float64
		}
	}
	sourcesSeen := func(token, query string) map[string]bool {
		rec := do(srv, "GET", "/api/v1/coverage"+query, "", token)
		if rec.Code != 200 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		var c cells
		if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, x := range c.Cells {
			for _, s := range x.Sources {
				seen[s] = x.Fraction > 0
			}
		}
		return seen
	}
	for _, tc := range []struct {
		name, token, query string
		want               map[string]bool
	}{
		{"the public sees the public monitor's coverage only", "", "", map[string]bool{"m1": true}},
		{"USA sees its radar too", tokens["USA"], "", map[string]bool{"m1": true, "r1": true}},
		{"GBR does not", tokens["GBR"], "", map[string]bool{"m1": true}},
		{"a box around the radar", tokens["USA"], "?bbox=36.5,47.2,37.5,47.8", map[string]bool{"r1": true}},
		{"another day", tokens["USA"], "?since=2026-09-03T00:00:00Z&until=2026-09-04T00:00:00Z", map[string]bool{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := sourcesSeen(tc.token, tc.query)
			if len(got) != len(tc.want) {
				t.Fatalf("sources %v, want %v", got, tc.want)
			}
			for k := range tc.want {
				if !got[k] {
					t.Fatalf("sources %v, want %v", got, tc.want)
				}
			}
		})
	}
	req := httptest.NewRequest("GET", "/api/v1/coverage", nil)
	req.Header.Set("Accept", "application/geo+json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	var fc struct {
		Type     string
		Features []struct{ Geometry struct{ Type string } }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil || rec.Header().Get("Content-Type") != "application/geo+json" ||
		fc.Type != "FeatureCollection" || len(fc.Features) == 0 || fc.Features[0].Geometry.Type != "Polygon" {
		t.Fatalf("GeoJSON: %s %v", rec.Body.String()[:min(200, rec.Body.Len())], err)
	}
	for _, q := range []string{"?since=yesterday", "?since=2026-08-01T00:00:00Z", "?colour=red", "?bbox=1,2,3"} {
		if rec := do(srv, "GET", "/api/v1/coverage"+q, "", ""); rec.Code != 400 {
			t.Errorf("%s: %d, want 400", q, rec.Code)
		}
	}
}

// TestEventOnOneSightLine: an explosion one acoustic array heard, with a
// bearing and no distance, is shown on that bearing at the distance the
// source's sight lines usually end, and says so (location_basis); its
// ellipse lies along the line. A box around that place selects it.
func TestEventOnOneSightLine(t *testing.T) {
	ctx := context.Background()
	_, live, srv := demoWithFusion(t)
	report := `{"id":"s1","source":"ac-1","observed_at":"2026-09-02T01:00:00Z","kind":"explosion","fire":"incoming","observer":{"lat":48.30,"lon":38.00},"bearing_deg":90,"bearing_sigma_deg":2,"marking":"PUBLIC"}`
	if rec := do(srv, "POST", "/api/v1/observations", report, ""); rec.Code != 201 {
		t.Fatal(rec.Body)
	}
	if _, err := live.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Records []struct {
			Location      *struct{ Lat, Lon float64 }
			LocationBasis string `json:"location_basis"`
			Error         *struct {
				SemiMajorM     float64 `json:"semi_major_m"`
				SemiMinorM     float64 `json:"semi_minor_m"`
				OrientationDeg float64 `json:"orientation_deg"`
			}
			Attribution struct{ Party string }
		}
	}
	for _, c := range []struct {
		path string
		want int
	}{{"/api/v1/events", 1}, {"/api/v1/events?bbox=38.05,48.25,38.1,48.35", 1}, {"/api/v1/events?bbox=37.9,48.25,37.99,48.35", 0}} {
		rec := do(srv, "GET", c.path, "", "")
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 || len(got.Records) != c.want {
			t.Fatalf("%s: %d %s, want %d events", c.path, rec.Code, rec.Body, c.want)
		}
	}
	got.Records = nil
	rec := do(srv, "GET", "/api/v1/events", "", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	e := got.Records[0]
	// 5 km east of the array (nothing learned yet): 48.30 N, 38.067 E.
	if e.Location == nil || e.LocationBasis != "sight_line" || math.Abs(e.Location.Lat-48.2999) > 0.001 || math.Abs(e.Location.Lon-38.0674) > 0.001 {
		t.Fatalf("event at %+v (%q), want 5 km east of the array on a sight line", e.Location, e.LocationBasis)
	}
	if el := e.Error; el == nil || math.Abs(el.OrientationDeg-90) > 0.5 || el.SemiMajorM < 8000 || el.SemiMinorM > 500 {
		t.Fatalf("ellipse %+v, want long east–west", el)
	}
	if e.Attribution.Party != "undetermined" {
		t.Errorf("attributed to %s from a sight line alone", e.Attribution.Party)
	}
}
