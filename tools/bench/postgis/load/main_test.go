package main

import (
	"strings"
	"testing"
)

func TestRow(t *testing.T) {
	tests := []struct {
		name, line string
		want       map[string]string // column → value; unnamed columns empty
	}{
		{
			name: "bearing with the schema's defaults",
			line: `{"id":"a1","source":"mvm-acu-1","observed_at":"2026-09-02T10:00:00.5+02:00","kind":"explosion","fire":"incoming","observer":{"lat":47.5,"lon":37.25},"bearing_deg":90,"range_m":{"min":1000,"max":2000}}`,
			want: map[string]string{"seq": "7", "source": "mvm-acu-1", "id": "a1", "kind": "explosion", "fire": "incoming",
				"observed_at": "2026-09-02T08:00:00.5Z", "time_sigma_s": "60", "count": "1",
				"observer_lat": "47.5", "observer_lon": "37.25", "bearing_deg": "90", "bearing_sigma_deg": "5",
				"range_min_m": "1000", "range_max_m": "2000", "true_event": "E000001"},
		},
		{
			name: "radar: location and origin with CEPs",
			line: `{"id":"r","source":"cbr-1","observed_at":"2026-09-02T10:00:00Z","time_sigma_s":1,"kind":"explosion","count":6,"fire":"outgoing","weapon":{"class":"mlrs"},"location":{"lat":46.8,"lon":33.2,"cep_m":300},"origin":{"lat":46.6,"lon":33.1,"cep_m":90}}`,
			want: map[string]string{"seq": "7", "source": "cbr-1", "id": "r", "kind": "explosion", "fire": "outgoing",
				"observed_at": "2026-09-02T10:00:00Z", "time_sigma_s": "1", "count": "6", "weapon_class": "mlrs",
				"loc_lat": "46.8", "loc_lon": "33.2", "loc_cep_m": "300", "origin_lat": "46.6", "origin_lon": "33.1", "origin_cep_m": "90",
				"true_event": "E000001"},
		},
		{
			name: "crater: MGRS resolved, back-bearing with default sigma",
			line: `{"id":"c","source":"mvm-team-1","observed_at":"2026-09-02T10:00:00Z","kind":"explosion","location":{"mgrs":"37U DQ 12345 67890"},"origin_bearing_deg":200}`,
			want: map[string]string{"seq": "7", "source": "mvm-team-1", "id": "c", "kind": "explosion", "fire": "unknown",
				"observed_at": "2026-09-02T10:00:00Z", "time_sigma_s": "60", "count": "1",
				"origin_bearing_deg": "200", "origin_bearing_sigma_deg": "10", "true_event": "E000001"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, ok, err := parseLine([]byte(tt.line))
			if err != nil || !ok {
				t.Fatalf("parseLine: ok %v, %v", ok, err)
			}
			got := row(&o, 7, "E000001")
			if len(got) != len(columns) {
				t.Fatalf("%d fields, want %d", len(got), len(columns))
			}
			for i, c := range columns {
				want := tt.want[c]
				if c == "loc_lat" || c == "loc_lon" {
					if tt.want["loc_lat"] == "" && o.Location != nil { // MGRS: resolved, value not pinned here
						if got[i] == "" {
							t.Errorf("%s: empty, want the square's centre", c)
						}
						continue
					}
				}
				if got[i] != want {
					t.Errorf("%s = %q, want %q", c, got[i], want)
				}
			}
		})
	}
}

func TestParseLineErrors(t *testing.T) {
	tests := []struct{ name, line, want string }{
		{"syntax", `{"id":`, "ndjson"},
		{"schema", `{"id":"a","source":"s","observed_at":"2026-09-02T10:00:00Z","kind":"boom"}`, "/kind"},
		{"two reports", `[{"id":"a"},{"id":"b"}]`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parseLine([]byte(tt.line))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name %q", err, tt.want)
			}
		})
	}
	if _, ok, err := parseLine([]byte("   ")); ok || err != nil {
		t.Errorf("blank line: ok %v, err %v", ok, err)
	}
}

// FuzzParseLine: no line of input makes the loader panic, and every
// accepted report gives a full row.
func FuzzParseLine(f *testing.F) {
	f.Add([]byte(`{"id":"a1","source":"s","observed_at":"2026-09-02T10:00:00Z","kind":"explosion","observer":{"lat":47.5,"lon":37.25},"bearing_deg":90}`))
	f.Add([]byte(`{"id":"c","source":"t","observed_at":"2026-09-02T10:00:00Z","kind":"explosion","location":{"mgrs":"37U DQ 12345 67890"},"origin_bearing_deg":200}`))
	f.Add([]byte(`{"id":"c","source":"t","observed_at":"2026-09-02T10:00:00Z","kind":"weapon_sighting","location":{"mgrs":"61X AA"}}`))
	f.Add([]byte("\n{}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, ok, err := parseLine(b)
		if err != nil || !ok {
			return
		}
		if r := row(&o, 1, ""); len(r) != len(columns) {
			t.Fatalf("%d fields", len(r))
		}
	})
}
