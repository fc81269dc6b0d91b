package commission

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// snakeKey is how every member of a record is named in JSON, as in the
// rest of the API.
var snakeKey = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// checkKeys fails the test for any object member, at any depth, not
// named in snake_case, except under the members skip names (agreement
// terms, whose names are the agreement package's).
func checkKeys(t *testing.T, path string, v any, skip ...string) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if !snakeKey.MatchString(k) {
				t.Errorf("%s: member %q is not snake_case", path, k)
			}
			if !slices.Contains(skip, k) {
				checkKeys(t, path+"/"+k, x, skip...)
			}
		}
	case []any:
		for _, x := range v {
			checkKeys(t, path+"/*", x, skip...)
		}
	}
}

func decodeAny(t *testing.T, x any) any {
	t.Helper()
	raw, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestJSONNames: a case, its actions and a tally are named in
// snake_case, and an action shows only its own payload.
func TestJSONNames(t *testing.T) {
	s := newScript(t)
	m := s.carried(withdraw)
	s.do(finding(hours(9), usa, m))
	checkKeys(t, "case", decodeAny(t, s.c))
	checkKeys(t, "tally", decodeAny(t, Tally(s.r, s.c.Motions[0], s.c.Votes, hours(9))))
	checkKeys(t, "overdue", decodeAny(t, s.c.Overdue(s.r, hours(1000))), "next")

	payloads := []string{"opening", "notice", "reply", "motion", "vote", "finding", "order", "compliance", "assessment", "closing", "reopening"}
	for _, a := range s.c.Actions {
		obj := decodeAny(t, a).(map[string]any)
		var got []string
		for _, p := range payloads {
			if _, ok := obj[p]; ok {
				got = append(got, p)
			}
		}
		if len(got) != 1 {
			t.Errorf("action %s (%s) shows payloads %v; want exactly its own", a.ID, a.Kind, got)
		}
		for _, k := range []string{"id", "case", "seq", "kind", "at", "by", "marking"} {
			if _, ok := obj[k]; !ok {
				t.Errorf("action %s lacks %q", a.ID, k)
			}
		}
	}
	raw, _ := json.Marshal(s.c.Actions[1])
	if !strings.Contains(string(raw), `"deadline":"2026-09-13T07:00:00Z"`) {
		t.Errorf("notice: %s", raw)
	}
}
