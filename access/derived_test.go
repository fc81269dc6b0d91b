package access

import (
	"slices"
	"testing"
)

func TestCombine(t *testing.T) {
	cases := []struct {
		name string
		in   []string
		want []string
	}{
		{"nothing", nil, []string{"PUBLIC"}},
		{"all public", []string{"PUBLIC", "PUBLIC"}, []string{"PUBLIC"}},
		{"public and mission", []string{"PUBLIC", "MISSION"}, []string{"MISSION"}},
		{"mission twice", []string{"MISSION", "MISSION"}, []string{"MISSION"}},
		{"mission and commission", []string{"COMMISSION", "MISSION"}, []string{"COMMISSION", "MISSION"}},
		{"REL TO lists intersect", []string{"REL TO USA, GBR, UKR", "REL TO UKR, USA"}, []string{"REL TO UKR, USA"}},
		{"REL TO with nothing in common", []string{"REL TO USA", "REL TO RUS"}, []string{"REL TO "}},
		{"REL TO and mission", []string{"REL TO USA", "MISSION", "PUBLIC"}, []string{"MISSION", "REL TO USA"}},
		{"an unreadable marking is kept", []string{"secret", "PUBLIC"}, []string{"secret"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Combine(c.in...); !slices.Equal(got, c.want) {
				t.Fatalf("Combine(%q) = %q; want %q", c.in, got, c.want)
			}
		})
	}
}

// A derived record is never visible to a reader who may not see one of
// its inputs, and always to one who may see them all: checked for every
// reader of the marking matrix and every pair of markings.
func TestCombineHidesWhatAnInputHides(t *testing.T) {
	readers := []Reader{
		Anonymous, DemoUser,
		ReaderFor(User{Name: "a", Roles: []string{RoleViewer}}, nato),
		ReaderFor(User{Name: "b", Roles: []string{RoleCommissioner}}, usa),
		ReaderFor(User{Name: "c", Roles: []string{RoleAnalyst}}, usa),
		ReaderFor(User{Name: "d", Roles: []string{RoleCommissioner}}, gbr),
		ReaderFor(User{Name: "e", Roles: []string{RoleLiaison}}, rus),
		ReaderFor(User{Name: "f", Roles: []string{RoleViewer}}, osceObs),
	}
	markings := []string{"PUBLIC", "MISSION", "COMMISSION", "REL TO USA", "REL TO GBR, USA", "REL TO RUS", "REL TO GBR, RUS"}
	for _, r := range readers {
		for _, a := range markings {
			for _, b := range markings {
				want := r.CanSee(a) && r.CanSee(b)
				if got := r.CanSeeAll(Combine(a, b)); got != want {
					t.Errorf("%s: %q + %q → %q: sees %v; want %v", r.Name, a, b, Combine(a, b), got, want)
				}
			}
		}
	}
}
