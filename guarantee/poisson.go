package guarantee

import "math"

// Confidence is the level of the intervals reported beside every rate.
const Confidence = 0.95

// PoissonInterval is the exact (Garwood 1936) two-sided interval for the
// mean of a Poisson count k at the given confidence: the means for which
// observing k or fewer (for the upper bound), or k or more (for the lower
// bound), has probability (1−confidence)/2. In terms of the gamma
// distribution, lower = Q(α/2; k), upper = Q(1−α/2; k+1), with Q the
// quantile of Gamma(shape, 1), and lower = 0 for k = 0.
//
// Exact rather than normal-approximation intervals because the counts
// that matter — violations in a quiet fortnight — are small, where
// k ± 1.96√k is wrong and even goes below zero.
func PoissonInterval(k int, confidence float64) (lower, upper float64) {
	alpha := 1 - confidence
	if k > 0 {
		lower = gammaQuantile(alpha/2, float64(k))
	}
	upper = gammaQuantile(1-alpha/2, float64(k+1))
	return lower, upper
}

// gammaQuantile is the x with P(a, x) = p for the regularised lower
// incomplete gamma function P, found by bisection: slower than Newton's
// method and always converging, which matters more for a figure shown
// beside a decision.
func gammaQuantile(p, a float64) float64 {
	lo, hi := 0.0, math.Max(1, a)
	for gammaP(a, hi) < p {
		lo, hi = hi, 2*hi
	}
	for range 200 {
		mid := (lo + hi) / 2
		if gammaP(a, mid) < p {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo <= 1e-13*hi {
			break
		}
	}
	return (lo + hi) / 2
}

// gammaP is the regularised lower incomplete gamma function P(a, x): by
// its series below a+1, by the continued fraction of Q = 1 − P above
// (Numerical Recipes, 3rd ed., §6.2), each where it converges fast.
func gammaP(a, x float64) float64 {
	if x <= 0 {
		return 0
	}
	lg, _ := math.Lgamma(a)
	front := math.Exp(a*math.Log(x) - x - lg)
	if x < a+1 {
		sum, term := 1/a, 1/a
		for n := 1; n < 1000; n++ {
			term *= x / (a + float64(n))
			sum += term
			if math.Abs(term) < math.Abs(sum)*1e-16 {
				break
			}
		}
		return sum * front
	}
	const tiny = 1e-300
	b := x + 1 - a
	c := 1 / tiny
	d := 1 / b
	h := d
	for i := 1; i < 1000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return 1 - front*h
}
