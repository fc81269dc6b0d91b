package agreement

import (
	"errors"
	"testing"
	"time"
)

// version returns small.json as the given id, version and effective time.
func version(t testing.TB, id string, v int, from string, title string) *Agreement {
	t.Helper()
	doc := smallDoc(t)
	set(t, doc, "/id", id)
	set(t, doc, "/version", v)
	set(t, doc, "/effective_from", from)
	set(t, doc, "/title", title)
	a, err := Parse(id+".json", marshal(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestVersions(t *testing.T) {
	v1 := version(t, "demo", 1, "2026-09-01T00:00:00Z", "first")
	v2 := version(t, "demo", 2, "2026-10-01T00:00:00+03:00", "second")
	v1again := version(t, "demo", 1, "2026-09-01T00:00:00Z", "first")
	v1changed := version(t, "demo", 1, "2026-09-01T00:00:00Z", "first, quietly edited")
	v3early := version(t, "demo", 3, "2026-09-15T00:00:00Z", "third")
	other := version(t, "other", 1, "2026-09-01T00:00:00Z", "another agreement at the same instant")

	vs, err := NewVersions(v2, v1)
	if err != nil {
		t.Fatal(err)
	}
	inForce := []struct {
		at   string
		want *Agreement
	}{
		{"2026-08-31T23:59:59Z", nil},
		{"2026-09-01T00:00:00Z", v1},
		{"2026-09-30T20:59:59Z", v1},
		{"2026-09-30T21:00:00Z", v2}, // 00:00 at +03:00
		{"2030-01-01T00:00:00Z", v2},
	}
	for _, tc := range inForce {
		at, _ := time.Parse(time.RFC3339, tc.at)
		if got := vs.InForce(at); got != tc.want {
			t.Errorf("InForce(%s) = %v, want %v", tc.at, name(got), name(tc.want))
		}
	}
	adds := []struct {
		name string
		a    *Agreement
		want error
	}{
		{"same file again", v1again, nil},
		{"same version, different bytes", v1changed, ErrVersionConflict},
		{"later version taking effect earlier", v3early, ErrVersionOrder},
		{"two agreements at one instant", other, ErrVersionOrder},
	}
	for _, tc := range adds {
		t.Run(tc.name, func(t *testing.T) {
			err := vs.Add(tc.a)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Add: %v, want %v", err, tc.want)
			}
			if err != nil {
				t.Log(err)
			}
		})
	}
	if all := vs.All(); len(all) != 2 || all[0] != v1 || all[1] != v2 {
		t.Errorf("All() = %v", all)
	}
	if vs.Get("demo", 1).Title != "first" || vs.Get("demo", 9) != nil {
		t.Error("Get")
	}
	if v1.Digest() == v1changed.Digest() || len(v1.Digest()) != 64 {
		t.Error("digests")
	}
	b := v1.Bytes()
	b[0] = 'X'
	if v1.Bytes()[0] == 'X' {
		t.Error("Bytes exposes the agreement's own buffer")
	}
}

func name(a *Agreement) string {
	if a == nil {
		return "nil"
	}
	return a.Title
}
