package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/store"
)

// TestTentativeEvents: events fusion judges probably false alarms (one
// array's lone explosions it could not classify, which nobody else ever
// hears) are left out of the events list, the daily counts and the
// incidents unless a reader asks (?tentative=include or only), whether
// the engine holds them or the store does; an unknown value is a
// problem naming the parameter.
func TestTentativeEvents(t *testing.T) {
	ctx := context.Background()
	st, live, srv := demoWithFusion(t)
	a, b := geo.Point{Lat: 48.20, Lon: 37.60}, geo.Point{Lat: 48.20, Lon: 37.75}
	base := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	var nd strings.Builder
	report := func(source, id string, from, at geo.Point, fire string, t0 time.Time) {
		d, az, _ := geo.Inverse(from, at)
		fmt.Fprintf(&nd, `{"id":%q,"source":%q,"observed_at":%q,"time_sigma_s":1,"kind":"explosion","fire":%q,"observer":{"lat":%v,"lon":%v},"bearing_deg":%.4f,"bearing_sigma_deg":1,"marking":"PUBLIC"}`+"\n",
			id, source, t0.Add(time.Duration(d/340*float64(time.Second))).Format(time.RFC3339Nano), fire, from.Lat, from.Lon, az)
	}
	const rounds = 40
	for i := range rounds {
		t0 := base.Add(time.Duration(i) * 20 * time.Minute)
		p := geo.Point{Lat: 48.146, Lon: 37.64 + 0.002*float64(i)}
		report("array-a", fmt.Sprint("f", i), a, p, "incoming", t0)
		report("array-b", fmt.Sprint("f", i), b, p, "incoming", t0)
		report("array-a", fmt.Sprint("u", i), a, geo.Point{Lat: 48.15, Lon: 37.70 - 0.002*float64(i)}, "unknown", t0.Add(10*time.Minute))
	}
	if rec := do(srv, "POST", "/api/v1/observations", nd.String(), ""); rec.Code != 201 {
		t.Fatal(rec.Body)
	}
	if _, err := live.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	// Two final events in the store, a day earlier: one tentative.
	stored := func(id string, tentative bool) store.EventRecord {
		start := base.Add(-12 * time.Hour)
		doc, _ := json.Marshal(map[string]any{"id": id, "version": 1, "start": start, "end": start, "kind": "explosion", "count": 1,
			"observations": []map[string]string{{"source": "array-c", "id": id}}, "sources": 1, "corroboration": "reported",
			"tentative": tentative, "violations": []any{}, "attribution": map[string]any{"party": "undetermined", "probability": 0, "probabilities": map[string]any{}},
			"marking": []string{"PUBLIC"}})
		return store.EventRecord{ID: id, Version: 1, Start: start, End: start, Kind: "explosion", Marking: "PUBLIC", Document: doc, Sequence: 1, Tentative: tentative}
	}
	if err := st.PutEvents(ctx, []store.EventRecord{stored("stored-real", false), stored("stored-alarm", true)}); err != nil {
		t.Fatal(err)
	}

	type event struct {
		ID                    string
		Tentative             bool
		FalseAlarmProbability float64 `json:"false_alarm_probability"`
		Sources               int
	}
	list := func(t *testing.T, query string) []event {
		t.Helper()
		var all []event
		path := "/api/v1/events?limit=25" + query
		for path != "" {
			rec := do(srv, "GET", path, "", "")
			var page struct {
				Records []event
				Next    string `json:"next_cursor"`
			}
			if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &page) != nil {
				t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
			}
			all = append(all, page.Records...)
			path = ""
			if page.Next != "" {
				path = "/api/v1/events?limit=25" + query + "&cursor=" + page.Next
			}
		}
		return all
	}
	for _, c := range []struct {
		query                string
		confirmed, tentative int
	}{
		{"", rounds + 1, 0},
		{"&tentative=exclude", rounds + 1, 0},
		{"&tentative=include", rounds + 1, rounds + 1},
		{"&tentative=only", 0, rounds + 1},
	} {
		t.Run("events"+c.query, func(t *testing.T) {
			var confirmed, tentative int
			for _, e := range list(t, c.query) {
				if !e.Tentative {
					confirmed++
					continue
				}
				tentative++
				if e.ID != "stored-alarm" && (e.Sources != 1 || e.FalseAlarmProbability <= 0.5) {
					t.Errorf("%+v: tentative with %d sources, false alarm %.2f", e, e.Sources, e.FalseAlarmProbability)
				}
			}
			if confirmed != c.confirmed || tentative != c.tentative {
				t.Errorf("%d events and %d tentative, want %d and %d", confirmed, tentative, c.confirmed, c.tentative)
			}
		})
	}
	t.Run("incidents", func(t *testing.T) {
		tentative := map[string]bool{}
		for _, e := range list(t, "&tentative=only") {
			tentative[e.ID] = true
		}
		rec := do(srv, "GET", "/api/v1/incidents?since=2026-08-31T00:00:00Z&until=2026-09-02T00:00:00Z", "", "")
		var got struct{ Records []struct{ Events []string } }
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &got) != nil {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		n := 0
		for _, in := range got.Records {
			for _, id := range in.Events {
				n++
				if tentative[id] {
					t.Errorf("incident holds tentative event %s", id)
				}
			}
		}
		if n != rounds+1 {
			t.Errorf("incidents hold %d events, want %d", n, rounds+1)
		}
	})
	t.Run("bad value", func(t *testing.T) {
		rec := do(srv, "GET", "/api/v1/events?tentative=maybe", "", "")
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"?tentative"`) {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("daily counts", func(t *testing.T) {
		rec := do(srv, "GET", "/api/v1/stats/daily?since=2026-08-31T00:00:00Z&until=2026-09-02T00:00:00Z", "", "")
		var got struct {
			Days []struct {
				Day   string
				Total struct {
					Events, Explosions int
					Tentative          int `json:"tentative_events"`
				}
			}
		}
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &got) != nil {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		want := map[string]int{"2026-08-31": 1, "2026-09-01": rounds}
		if len(got.Days) != len(want) {
			t.Fatalf("%d days: %s", len(got.Days), rec.Body)
		}
		held := map[string]int{"2026-08-31": 1, "2026-09-01": rounds}
		for _, d := range got.Days {
			if d.Total.Events != want[d.Day] || d.Total.Tentative != held[d.Day] {
				t.Errorf("%s: %d events counted and %d held back as tentative, want %d and %d", d.Day, d.Total.Events, d.Total.Tentative, want[d.Day], held[d.Day])
			}
		}
	})
}
