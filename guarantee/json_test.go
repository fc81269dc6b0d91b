package guarantee

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

var snakeKey = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// checkKeys fails the test for any object member, at any depth, not
// named in snake_case.
func checkKeys(t *testing.T, path string, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if !snakeKey.MatchString(k) {
				t.Errorf("%s: member %q is not snake_case", path, k)
			}
			checkKeys(t, path+"/"+k, x)
		}
	case []any:
		for _, x := range v {
			checkKeys(t, path+"/*", x)
		}
	}
}

func marshalled(t *testing.T, x any) (string, any) {
	t.Helper()
	raw, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return string(raw), v
}

// TestJSONNames: the guarantees' records and the indicators are named in
// snake_case, an obligation's state shows the obligation's members
// beside its own, and the records decode to what was encoded.
func TestJSONNames(t *testing.T) {
	r := testRules()
	cs := commitments(t)
	var dets []Determination
	dets = append(dets, determine(t, r, dets, "D-1", CredibleCessation, "", date(9, 20, 0)))
	reqs := []Request{request(t, nil, "R-1", 22, Air, Sea)}
	now := date(10, 12, 0)
	acts := Activations(r, dets, reqs, now)
	var obs []Obligation
	for _, a := range acts {
		obs = append(obs, Activate(cs, a, now)...)
	}
	st := Track(obs[0], nil)
	counts := []DayCounts{{Day: date(10, 11, 0), Party: "RUS", Verified: 3, HeavyWeapon: 1, Rounds: 600, GroundCrossings: 1, MaxStrikeDepthKM: 60}}
	coverage := []DayCoverage{{Day: date(10, 11, 0), Share: 0.8}}

	for name, x := range map[string]any{
		"commitments": cs, "determinations": dets, "requests": reqs, "activations": acts, "obligations": obs,
		"state": st, "escalations": Escalations([]ObligationState{st}, now.Add(90*24*time.Hour)),
		"indicators": Compute(r, counts, coverage, now), "counts": counts, "coverage": coverage,
	} {
		_, v := marshalled(t, x)
		checkKeys(t, name, v)
	}

	raw, _ := marshalled(t, st)
	for _, want := range []string{`"id":"C-FRA-1/`, `"response_time":"30d"`, `"due":"2026-10-01T00:00:00Z"`, `"reports":[]`} {
		if !strings.Contains(raw, want) {
			t.Errorf("obligation state lacks %s: %s", want, raw)
		}
	}
	if strings.Contains(raw, `"fulfilled"`) || strings.Contains(raw, `"acknowledged"`) {
		t.Errorf("an obligation not yet acknowledged nor fulfilled shows those times: %s", raw)
	}

	for _, x := range []any{&cs, &dets, &reqs, &obs} {
		b, _ := json.Marshal(x)
		back := reflect.New(reflect.TypeOf(x).Elem())
		if err := json.Unmarshal(b, back.Interface()); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back.Elem().Interface(), reflect.ValueOf(x).Elem().Interface()) {
			t.Errorf("%T does not survive a JSON round trip:\n%s", x, b)
		}
	}
}
