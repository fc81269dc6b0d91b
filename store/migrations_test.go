package store_test

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/truce-mechanism/truce/store"
)

func TestMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	cases := []struct {
		name    string
		files   fstest.MapFS
		want    []string // version_name in order
		wantErr string
	}{
		{"in order", fstest.MapFS{"0002_places.sql": file("B"), "0001_initial.sql": file("A"), "README": file("x")},
			[]string{"1_initial", "2_places"}, ""},
		{"none", fstest.MapFS{}, nil, ""},
		{"gap", fstest.MapFS{"0001_a.sql": file("A"), "0003_c.sql": file("C")}, nil, "found 3 at position 2"},
		{"duplicate number", fstest.MapFS{"0001_a.sql": file("A"), "0001_b.sql": file("B")}, nil, "found 1 at position 2"},
		{"no description", fstest.MapFS{"0001.sql": file("A")}, nil, "0001.sql: name must be"},
		{"not a number", fstest.MapFS{"first_a.sql": file("A")}, nil, "first_a.sql: name must be"},
		{"zero", fstest.MapFS{"0000_a.sql": file("A")}, nil, "0000_a.sql: name must be"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ms, err := store.Migrations(c.files)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v; want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range ms {
				got = append(got, fmt.Sprintf("%d_%s", m.Version, m.Name))
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Fatalf("got %v; want %v", got, c.want)
			}
			if len(ms) > 0 && ms[0].SQL != "A" {
				t.Fatalf("first migration's SQL is %q", ms[0].SQL)
			}
		})
	}
}
