package observation

import (
	"testing"
	"time"
)

func TestFromStored(t *testing.T) {
	src := `{"id":"a","source":"s","observed_at":"2026-09-02T01:00:00Z","kind":"explosion","count":2,"observer":{"lat":48,"lon":37},"bearing_deg":90}`
	docs, err := Decode(MediaJSON, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want, errs := Parse(docs[0], time.Date(2026, 9, 2, 2, 0, 0, 0, time.UTC), nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got, err := FromStored(want.Document, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Count != 2 || *got.BearingDeg != 90 || !got.ObservedAt.Equal(want.ObservedAt) || string(got.Document) != string(want.Document) {
		t.Errorf("round trip changed the observation: %+v", got)
	}
	for _, bad := range []string{`[]`, `{"id":"a"}`, `not json`} {
		if _, err := FromStored([]byte(bad), nil); err == nil {
			t.Errorf("FromStored(%s) accepted it", bad)
		}
	}
}
