package fusion

import (
	"math"
	"testing"

	"github.com/truce-mechanism/truce/geo"
)

func TestGates(t *testing.T) {
	west, east := geo.Direct(target, 270, 8000), geo.Direct(target, 90, 6000)
	_, toTarget, _ := geo.Inverse(west, target)
	_, fromEast, _ := geo.Inverse(east, target)
	at := func(b geo.Point, az float64) Bearing { return Bearing{Observer: b, AzimuthDeg: az, SigmaDeg: 2} }
	est := &Estimate{Point: target, Cov: [2][2]float64{{100 * 100, 0}, {0, 100 * 100}}}
	cases := []struct {
		name string
		got  bool
		want bool
	}{
		{"sight lines that cross ahead meet", wedgesMeet(at(west, toTarget), at(east, fromEast), 60000), true},
		{"sight lines pointing apart do not", wedgesMeet(at(west, toTarget+180), at(east, fromEast+180), 60000), false},
		{"sight lines crossing beyond reach do not", wedgesMeet(at(west, toTarget), at(east, fromEast), 3000), false},
		{"a fix on the sight line is in its wedge", inWedge(at(west, toTarget), Fix{Point: target, SigmaM: 50}, 60000), true},
		{"a fix behind the observer is not", inWedge(at(west, toTarget+180), Fix{Point: target, SigmaM: 50}, 60000), false},
		{"a bearing at the estimate passes its gate", ok3(gateEstimate(est, []Bearing{at(west, toTarget)}, nil, 60000)), true},
		{"a bearing ten σ off does not", ok3(gateEstimate(est, []Bearing{at(west, toTarget+20)}, nil, 60000)), false},
		{"a fix within its error passes", ok3(gateEstimate(est, nil, []Fix{{Point: geo.Direct(target, 45, 150), SigmaM: 100}}, 60000)), true},
		{"a fix kilometres away does not", ok3(gateEstimate(est, nil, []Fix{{Point: geo.Direct(target, 45, 3000), SigmaM: 100}}, 60000)), false},
		{"an observer beyond reach fails", ok3(gateEstimate(est, []Bearing{at(geo.Direct(target, 270, 90000), 90)}, nil, 60000)), false},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %v", c.name, c.got)
		}
	}
	if d := segmentsDistance(at(west, toTarget), 60000, at(east, fromEast), 60000); d != 0 {
		t.Errorf("crossing sight lines are %.0f m apart, want 0", d)
	}
	if d := segmentsDistance(at(west, 270), 1000, at(east, 90), 1000); math.Abs(d-14000) > 200 {
		t.Errorf("sight lines pointing apart are %.0f m apart, want about 14 km", d)
	}
}

func ok3(_ float64, _ int, ok bool) bool { return ok }

// TestAgreement: reports timed when the sound arrived, from arrays at
// different distances, agree on when the explosion was once its place is
// known; a report of another explosion a minute later is left out; a
// camera timing the flash agrees too.
func TestAgreement(t *testing.T) {
	g := NewEngine(Config{})
	est := &Estimate{Point: target, Cov: [2][2]float64{{50 * 50, 0}, {0, 50 * 50}}}
	const t0 = 1.8e9
	heard := func(distM float64, late float64) *member {
		obs := geo.Direct(target, 200, distM)
		_, az, _ := geo.Inverse(obs, target)
		return &member{at: t0 + late + distM/343, sigmaT: 0.005, bearing: &Bearing{Observer: obs, AzimuthDeg: az, SigmaDeg: 2}}
	}
	seen := &member{at: t0 + 0.3, sigmaT: 1, bearing: &Bearing{Observer: geo.Direct(target, 20, 5000), AzimuthDeg: 200, SigmaDeg: 1}}
	cases := []struct {
		name  string
		ms    []*member
		agree int
	}{
		{"three arrays", []*member{heard(3000, 0), heard(9000, 0), heard(15000, 0)}, 3},
		{"three arrays and a later explosion", []*member{heard(3000, 0), heard(9000, 0), heard(15000, 0), heard(6000, 60)}, 3},
		{"arrays and a camera", []*member{heard(3000, 0), heard(15000, 0), seen}, 3},
	}
	for _, c := range cases {
		w, n := g.agreement(c.ms, est)
		if n != c.agree || !(w.lo <= t0 && t0 <= w.hi) || w.hi-w.lo > 10 {
			t.Errorf("%s: %d agree on [%.2f, %.2f] s; want %d on a window of seconds holding 0", c.name, n, w.lo-t0, w.hi-t0, c.agree)
		}
	}
}
