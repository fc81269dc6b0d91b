package evaluate

import (
	"encoding/json"
	"testing"
)

// FuzzDecodePage: whatever a server sends, the decoder answers with a page
// or an error and never panics; a page it accepts survives a round trip
// through JSON, and scoring it never panics either.
//
//	go test -run '^$' -fuzz FuzzDecodePage -fuzztime 60s ./evaluate
func FuzzDecodePage(f *testing.F) {
	for _, s := range []string{
		`{"records":[],"next_cursor":""}`,
		`{"records":[{"id":"ev-1","start":"2026-09-02T01:00:00Z","end":"2026-09-02T01:00:20.5Z","kind":"explosion",
			"location":{"lat":48,"lon":37},"error":{"semi_major_m":400,"semi_minor_m":200,"orientation_deg":12.5},
			"weapon":{"class":"artillery","caliber_mm":152,"system":"2S3"},"count":4,"observations":[{"source":"a1","id":"1"},{"source":"a2","id":"1"}],
			"corroboration":"corroborated","violations":[{"rule":"fire-after-ceasefire","agreement_version":1,"severity":"high"}],
			"attribution":{"party":"RUS","probability":0.995,"probabilities":{"RUS":0.995,"UKR":0.005}},
			"origin":{"lat":48.1,"lon":37.1,"error":{"semi_major_m":90,"semi_minor_m":50,"orientation_deg":0}},"marking":["MISSION"]}],
			"next_cursor":"lx2k.ev-1"}`,
		`{"records":[{"id":"x","marking":"PUBLIC","attribution":{"party":"undetermined","probability":0}}]}`,
		`{"records":[{"id":"x","violations":[{"rule":"r","agreement_version":"sha256:ab"}],"observations":[{"source":"u1","id":"1"}]}]}`,
		`{"records":[{"id":"b","count":"many"}]}`,
		`{"records":null}`,
		`[1,2]`,
	} {
		f.Add([]byte(s))
	}
	truth := handTruth()
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodePage(data)
		if err != nil {
			return
		}
		again, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("an accepted page does not encode: %v", err)
		}
		q, err := DecodePage(again)
		if err != nil {
			t.Fatalf("an accepted page does not decode again: %v\n%s", err, again)
		}
		if len(q.Records) != len(p.Records) || q.NextCursor != p.NextCursor {
			t.Fatalf("round trip changed the page: %d records → %d", len(p.Records), len(q.Records))
		}
		for i := range p.Records {
			if p.Records[i].ID != q.Records[i].ID || len(p.Records[i].Observations) != len(q.Records[i].Observations) {
				t.Fatalf("round trip changed record %d", i)
			}
		}
		Score(truth, p.Records, Options{})
	})
}
