package server_test

import (
	"testing"
)

// TestWithdrawals: a record taken back stays stored and provable; the
// withdrawal is shown beside it, or in its place when content is withheld.
func TestWithdrawals(t *testing.T) {
	srv, _ := newServer(t, true)
	anon, _ := newServer(t, false)
	const wjson = "application/json"
	cases := []apiCase{
		{name: "two reports", method: "POST", url: "/api/v1/observations", ctype: "application/x-ndjson", body: report + "\n" + publicReport + "\n", status: 201},
		{name: "every bad field is named", method: "POST", url: "/api/v1/withdrawals", ctype: wjson,
			body:   `{"record":{"type":"event","key":"smm-7"},"reason":" "}`,
			status: 422, contains: []string{`"/record/type"`, `"/record/key"`, `"/reason"`}, header: map[string]string{"Content-Type": problemJSON}},
		{name: "an unknown field", method: "POST", url: "/api/v1/withdrawals", ctype: wjson,
			body: `{"record":{"type":"observation","key":"smm-7/r1"},"reason":"x","delete":true}`, status: 400, contains: []string{"delete"}},
		{name: "an unknown record", method: "POST", url: "/api/v1/withdrawals", ctype: wjson,
			body: `{"record":{"type":"observation","key":"smm-7/nope"},"reason":"x"}`, status: 404},
		{name: "withdrawn, content still shown", method: "POST", url: "/api/v1/withdrawals", ctype: wjson,
			body:   `{"record":{"type":"observation","key":"smm-7/p1"},"reason":"a flare misread as a shot"}`,
			status: 201, contains: []string{`"sequence":1`, `"withhold":false`, `"by":"demo"`, `"at":"2026-09-02T12:00:00Z"`}},
		{name: "shown beside the report", method: "GET", url: "/api/v1/observations/smm-7/p1", status: 200,
			contains: []string{`"kind":"flare"`, `"withdrawn":[{`, `"reason":"a flare misread as a shot"`}},
		{name: "withdrawn and withheld", method: "POST", url: "/api/v1/withdrawals", ctype: wjson,
			body:   `{"record":{"type":"observation","key":"smm-7/r1"},"reason":"names a monitor","withhold":true}`,
			status: 201, contains: []string{`"sequence":2`, `"withhold":true`}},
		{name: "a withheld report is gone, saying why", method: "GET", url: "/api/v1/observations/smm-7/r1", status: 410,
			contains: []string{`"withdrawals":[{`, `"names a monitor"`, "ledger leaf remains"}, notContains: []string{`"count":3`},
			header: map[string]string{"Content-Type": problemJSON}},
		{name: "and out of the lists", method: "GET", url: "/api/v1/observations", status: 200,
			contains: []string{`"id":"p1"`}, notContains: []string{`"id":"r1"`}},
		{name: "withdrawals listed in order", method: "GET", url: "/api/v1/withdrawals", status: 200,
			contains: []string{`"sequence":1`, `"sequence":2`}},
		{name: "paged", method: "GET", url: "/api/v1/withdrawals?after=1&limit=1", status: 200,
			contains: []string{`"sequence":2`, `"next_after":2`}, notContains: []string{`"sequence":1`}},
		{name: "a bad page", method: "GET", url: "/api/v1/withdrawals?after=-1", status: 400},
		{name: "no ledger in this test server: proofs say so", method: "GET", url: "/api/v1/proof/withdrawal/1", status: 503},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, srv) })
	}
	(apiCase{name: "the public may not withdraw", method: "POST", url: "/api/v1/withdrawals", ctype: wjson,
		body: `{"record":{"type":"observation","key":"smm-7/p1"},"reason":"x"}`, status: 401}).run(t, anon)
}
