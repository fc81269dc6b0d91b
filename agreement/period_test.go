package agreement

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestPeriodJSON(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		json string
	}{
		{14 * 24 * time.Hour, `"14d"`},
		{72 * time.Hour, `"3d"`},
		{5 * time.Hour, `"5h"`},
		{3*time.Hour + 27*time.Minute + 5*time.Second, `"3h27m5s"`},
		{-2 * time.Hour, `"-2h0m0s"`},
		{0, `"0s"`},
	} {
		b, err := json.Marshal(Period(tc.d))
		if err != nil || string(b) != tc.json {
			t.Errorf("%v → %s, %v; want %s", tc.d, b, err, tc.json)
		}
		var p Period
		if err := json.Unmarshal(b, &p); err != nil || p.Duration() != tc.d {
			t.Errorf("%s → %v, %v; want %v", b, p.Duration(), err, tc.d)
		}
	}
	for in, want := range map[string]time.Duration{`"72h"`: 72 * time.Hour, `"90m"`: 90 * time.Minute, `259200000000000`: 72 * time.Hour} {
		var p Period
		if err := json.Unmarshal([]byte(in), &p); err != nil || p.Duration() != want {
			t.Errorf("%s → %v, %v; want %v", in, p.Duration(), err, want)
		}
	}
	for _, bad := range []string{`"soon"`, `true`, `{}`} {
		var p Period
		if err := json.Unmarshal([]byte(bad), &p); err == nil || !strings.Contains(err.Error(), "period") {
			t.Errorf("%s: %v; want an error naming a period", bad, err)
		}
	}
}

func FuzzPeriodJSON(f *testing.F) {
	for _, s := range []string{`"14d"`, `"72h"`, `"3h27m5s"`, `1`, `"x"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var p Period
		if json.Unmarshal([]byte(in), &p) != nil {
			return
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var q Period
		if err := json.Unmarshal(b, &q); err != nil || q != p {
			t.Fatalf("%s → %s → %v, %v", in, b, q.Duration(), err)
		}
	})
}
