package fusion

import (
	"math"
	"testing"

	"github.com/truce-mechanism/truce/observation"
)

// TestFalseAlarm pins the probability a lone unclassified report is
// judged false with, from the class tallies: nothing before enough
// reports, nothing when unclassified reports are corroborated as often as
// classified ones, Bayes' figure otherwise, and a source's own shares
// drawn towards all sources'.
func TestFalseAlarm(t *testing.T) {
	const k = observation.Explosion
	bayes := func(r, q float64) float64 { phi := 1 - r/q; return phi / (phi + (1-phi)*(1-q)) }
	for _, c := range []struct {
		name string
		all  [2]classTally // pooled: unclassified, classified
		own  [2]classTally // the source's
		want float64
	}{
		{"too few unclassified reports yet", [2]classTally{{29, 0}, {100, 80}}, [2]classTally{{29, 0}, {100, 80}}, 0},
		{"too few classified reports yet", [2]classTally{{100, 0}, {29, 20}}, [2]classTally{{100, 0}, {29, 20}}, 0},
		{"unclassified corroborated as often", [2]classTally{{100, 80}, {100, 80}}, [2]classTally{{100, 80}, {100, 80}}, 0},
		{"unclassified corroborated more often", [2]classTally{{100, 90}, {100, 80}}, [2]classTally{{100, 90}, {100, 80}}, 0},
		// r = (10+10·0.1)/110 = 0.1, q = (80+10·0.8)/110 = 0.8.
		{"unclassified seldom corroborated", [2]classTally{{100, 10}, {100, 80}}, [2]classTally{{100, 10}, {100, 80}}, bayes(0.1, 0.8)},
		// A source of no reports of its own takes all sources' shares.
		{"a new source", [2]classTally{{100, 10}, {100, 80}}, [2]classTally{}, bayes(0.1, 0.8)},
		// Its own unclassified reports all corroborated: r = (40+1)/50.
		{"a source whose unclassified reports are confirmed", [2]classTally{{100, 10}, {100, 80}}, [2]classTally{{40, 40}, {40, 32}}, 0},
		// Half a chance: q = 0.5, r = 0.25 → φ = 0.5 → 0.5/(0.5+0.25) = 2/3.
		{"two thirds", [2]classTally{{100, 25}, {100, 50}}, [2]classTally{{100, 25}, {100, 50}}, 2.0 / 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := NewEngine(Config{})
			for i, cl := range []bool{false, true} {
				*g.tallyOf(classKey{"", k, cl}) = c.all[i]
				if c.own[i].n > 0 {
					*g.tallyOf(classKey{"array-1", k, cl}) = c.own[i]
				}
			}
			if got := g.falseAlarm("array-1", k); math.Abs(got-c.want) > 1e-12 {
				t.Errorf("falseAlarm = %.6f, want %.6f", got, c.want)
			}
			if got := g.falseAlarm("array-1", observation.Burst); got != 0 {
				t.Errorf("a kind with no tallies: falseAlarm = %v, want 0", got)
			}
		})
	}
}
