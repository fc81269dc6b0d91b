package fusion

import (
	"math"
	"slices"
)

// An event's place is a weighted least-squares fit of its reports'
// measurements, and least squares gives a wrong report all the pull its σ
// claims: one sight line of another firing in an event, or one misread
// by a few σ, drags the place towards it — and then the gates, measured
// against that place, refuse the reports that would have corrected it.
// In an escalation's dense fire four events in five hold a report of
// another firing, and they were placed at 2.5 to 4 times the Cramér–Rao
// bound. Huber's weights bound that pull: a measurement whose residual
// exceeds huberK σ counts as if its σ were |r|/huberK times larger, so
// its influence stops growing with its error, while measurements within
// huberK σ keep their full weight (a clean event's place is Locate's,
// bit for bit).

// huberK is where a residual, in σ, starts to lose weight: 2.5 keeps a
// clean event of a dozen reports at full weight nearly always (a normal
// residual passes 2.5σ one time in eighty), and over the simulated wars
// 2.0 to 3.5 differ by less than their spread.
const huberK = 2.5

// huberRounds bounds the refits: each takes the weights from the last
// place; two settle what one wrong report of five does.
const huberRounds = 2

// locateHuber is Locate with Huber's weights (see above). Fewer than three
// measurements leave nothing to outvote: Locate's fit as it is.
func locateHuber(bs []Bearing, fs []Fix) (Estimate, error) {
	est, err := Locate(bs, fs)
	if err != nil || len(bs)+len(fs) < 3 {
		return est, err
	}
	// The weighted copies are made only once a measurement lies beyond
	// huberK: most events have none, and this runs on every refit.
	var wb []Bearing
	var wf []Fix
	weighted := false
	weigh := func() {
		if !weighted {
			wb, wf, weighted = slices.Clone(bs), slices.Clone(fs), true
		}
	}
	for range huberRounds {
		down := false
		for i := range bs {
			if w := max(1, math.Abs(sightResidual(&bs[i], est.Point))/huberK); w > 1 || weighted {
				weigh()
				wb[i].SigmaDeg = bs[i].SigmaDeg * w
				down = down || w > 1
			}
		}
		for i := range fs {
			if w := max(1, fixResidual(&fs[i], est.Point)/huberK); w > 1 || weighted {
				weigh()
				wf[i].SigmaM = fs[i].SigmaM * w
				down = down || w > 1
			}
		}
		if !down {
			break
		}
		next, err := Locate(wb, wf)
		if err != nil {
			break
		}
		est = next
	}
	return est, nil
}
