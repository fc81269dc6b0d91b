package server

import (
	"testing"
	"time"

	"github.com/truce-mechanism/truce/store"
)

// Cursors must survive every observed_at the schema accepts, not only the
// years that fit in int64 nanoseconds (1678–2262).
func TestCursorRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   time.Time
		seq  int64
	}{
		{"ceasefire", time.Date(2026, 8, 22, 0, 0, 0, 123456000, time.UTC), 42},
		{"early archive", time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), 1},
		{"far future", time.Date(2400, 12, 31, 23, 59, 59, 999999000, time.UTC), 1 << 40},
		{"before epoch", time.Date(1960, 5, 1, 12, 0, 0, 1000, time.UTC), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := store.Cursor{ObservedAt: tc.at, Sequence: tc.seq}
			got, err := decodeCursor(encodeCursor(c))
			if err != nil {
				t.Fatal(err)
			}
			if !got.ObservedAt.Equal(tc.at) || got.Sequence != tc.seq {
				t.Fatalf("round trip gave %v/%d, want %v/%d", got.ObservedAt, got.Sequence, tc.at, tc.seq)
			}
		})
	}
	for _, bad := range []string{"", "abc", "1.-1", "zz.", ".5", "1.2.3"} {
		if _, err := decodeCursor(bad); err == nil {
			t.Errorf("decodeCursor(%q) accepted a bad cursor", bad)
		}
	}
}
