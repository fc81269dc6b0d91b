package assess

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/observation"
)

// Assessment is what the mechanism establishes about one fused event
// under the agreement version in force at its start.
type Assessment struct {
	// AgreementVersion names the version applied (VersionName); "" when
	// none was in force at the event's start.
	AgreementVersion string
	// Corroboration is reported, corroborated or verified, or the
	// Commission's review when one is given.
	Corroboration string
	// Violations are the rules broken, in the agreement's order.
	Violations []Violation
	// Severity is the highest of the violations' severities; "" for none.
	Severity    string
	Attribution Attribution
}

// Attribution is who is responsible: the party whose controlled area
// holds the event's origin, with the probability of each.
type Attribution struct {
	// Party is the likeliest party when its probability reaches the
	// agreement's threshold, else Undetermined.
	Party string
	// Probability is that of the likeliest party (whether or not it
	// reached the threshold); 0 when nothing is known.
	Probability float64
	// Probabilities has one entry per party of the agreement, empty when
	// the event has no place to attribute from. They need not sum to 1:
	// the rest lies on ground no party controls (across a border, at sea)
	// and is nobody's.
	Probabilities map[string]float64
}

// Undetermined is the party of an attribution below the threshold.
const Undetermined = "undetermined"

// Defaults of Config.
const (
	// DefaultAttributionProbability applies when an agreement sets no
	// threshold.
	DefaultAttributionProbability = 0.9
	// DefaultRays is the fewest pieces the attribution's quadrature cuts
	// the circle of directions into, each with three Gauss–Legendre rays
	// (attribution.go; accuracy and cost in ATTRIBUTION.md).
	DefaultRays = 32
	// DefaultCovarianceScale and DefaultSigmaFloorM are the allowance for
	// model error added to fusion's covariance before integrating:
	// Σ' = scale·Σ + floor²·I. On simulated truth the core of fusion's
	// covariance for directly located places is about right (46 % of
	// them fall outside its 50 % ellipse, 11 % outside its 90 % one:
	// ATTRIBUTION.md), so it is not scaled; the floor is for what the
	// simulator cannot show, that the agreement's lines are digitised
	// maps, good to tens of metres, not to the few metres of a UAV's fix.
	DefaultCovarianceScale = 1
	DefaultSigmaFloorM     = 50
	// DefaultGrossErrorLocated and DefaultGrossErrorSightLines are the
	// shares of places that no Gaussian explains — a report of another
	// firing fused in, a launch taken for an impact — for a place some
	// report located directly (a counter-battery radar's point of origin,
	// a UAV's fix of a weapon, a patrol's own position at a checkpoint)
	// and for one that only crossing sight lines place (acoustic and
	// camera bearings, a crater's back-bearing): two sight lines always cross
	// somewhere, right or wrong, while a fix of the origin is evidence of
	// the origin itself. That share of the probability goes to the
	// parties evenly — when the place is wrong it says nothing of who —
	// so no attribution from a fix exceeds 1 − 0.025/2 = 0.9875, and none
	// from sight lines alone exceeds 0.85, below the usual 0.9 threshold.
	// Measured on simulated truth (ATTRIBUTION.md, TestPlaceErrorModel):
	// 2–3 % of directly located places lie beyond their 99.9 % ellipse;
	// 16 % of places found by sight lines alone stand on the wrong
	// party's ground. They belong to the fusion they were measured on.
	DefaultGrossErrorLocated    = 0.025
	DefaultGrossErrorSightLines = 0.3
)

// Config tunes an Assessor. Zero values take the defaults.
type Config struct {
	// Sources tells the kind, organisation and grading of a source, for
	// corroboration; nil knows nothing (every event then stays at most
	// corroborated).
	Sources SourceLookup
	// ErrorBoundM, when positive, verifies a corroborated event whose 95 %
	// location ellipse has a semi-major axis within it. The agreement
	// format has no error bound yet; when it gains one, it belongs there.
	ErrorBoundM float64
	// SigmaFloorM, CovarianceScale, GrossErrorLocated and
	// GrossErrorSightLines: the model-error allowance (see the defaults).
	// Negative values of the floor or the gross errors mean 0.
	SigmaFloorM          float64
	CovarianceScale      float64
	GrossErrorLocated    float64
	GrossErrorSightLines float64
	// Rays is the quadrature's number of angular nodes.
	Rays int
}

func (c Config) withDefaults() Config {
	if c.SigmaFloorM == 0 {
		c.SigmaFloorM = DefaultSigmaFloorM
	}
	c.SigmaFloorM = max(c.SigmaFloorM, 0)
	if c.CovarianceScale <= 0 {
		c.CovarianceScale = DefaultCovarianceScale
	}
	if c.GrossErrorLocated == 0 {
		c.GrossErrorLocated = DefaultGrossErrorLocated
	}
	if c.GrossErrorSightLines == 0 {
		c.GrossErrorSightLines = DefaultGrossErrorSightLines
	}
	c.GrossErrorLocated = min(max(c.GrossErrorLocated, 0), 1)
	c.GrossErrorSightLines = min(max(c.GrossErrorSightLines, 0), 1)
	if c.Rays <= 0 {
		c.Rays = DefaultRays
	}
	return c
}

// Assessor assesses fused events against the agreement versions in force
// at their time. Safe for concurrent use; what it prepares per version
// (the areas' boundary index, which rules need a place) is built on first
// use and kept.
type Assessor struct {
	versions *agreement.Versions
	cfg      Config
	quad     quadrature
	prep     sync.Map // *agreement.Agreement → *prepared
	prepMu   sync.Mutex
}

// New returns an Assessor over the given versions.
func New(versions *agreement.Versions, cfg Config) *Assessor {
	cfg = cfg.withDefaults()
	q := defaultQuadrature
	q.rays = cfg.Rays
	return &Assessor{versions: versions, cfg: cfg, quad: q}
}

// Assess assesses one event. reports are the event's member reports (any
// order; reports not in the event are ignored, missing ones are read as
// saying nothing beyond their key): the assessment reads their direction
// of fire and their grading, which fusion.Event does not keep. review is
// the Commission's state, NoReview if none.
//
// The same event, reports, review and agreement versions (and the same
// source registry) always give the same Assessment (invariant 3): no
// clock, no randomness, no map order reaches it.
//
// The assessment is complete even when the error is not nil: an error
// names a rule that could not be evaluated (the others were), or a review
// that is not one of the three states.
func (a *Assessor) Assess(e fusion.Event, reports []*observation.Observation, review Review) (Assessment, error) {
	byKey := make(map[observation.Key]*observation.Observation, len(reports))
	for _, o := range reports {
		if o != nil {
			byKey[o.Key()] = o
		}
	}
	var out Assessment
	var errs []error
	corr, err := a.corroboration(&e, byKey, review)
	out.Corroboration = corr
	errs = append(errs, err)

	out.Violations = []Violation{}
	out.Attribution = Attribution{Party: Undetermined, Probabilities: map[string]float64{}}
	var ag *agreement.Agreement
	if a.versions != nil {
		ag = a.versions.InForce(e.Start)
	}
	if ag == nil {
		return out, errors.Join(errs...)
	}
	p, err := a.prepared(ag)
	if err != nil {
		return out, errors.Join(append(errs, err)...)
	}
	out.AgreementVersion = p.name
	vs, err := p.violations(&e, weaponOf(&e, byKey), fireOf(&e, byKey))
	if vs != nil {
		out.Violations = vs
	}
	if err != nil {
		errs = append(errs, fmt.Errorf("event %s under %s: %w", e.ID, p.name, err))
	}
	out.Severity = highest(out.Violations)
	out.Attribution = a.attribute(p, &e, byKey)
	return out, errors.Join(errs...)
}

func (a *Assessor) prepared(ag *agreement.Agreement) (*prepared, error) {
	if v, ok := a.prep.Load(ag); ok {
		return v.(*prepared), nil
	}
	a.prepMu.Lock()
	defer a.prepMu.Unlock()
	if v, ok := a.prep.Load(ag); ok {
		return v.(*prepared), nil
	}
	p, err := prepare(ag)
	if err != nil {
		return nil, fmt.Errorf("preparing %s: %w", VersionName(ag), err)
	}
	a.prep.Store(ag, p)
	return p, nil
}

// fireOf says whether the event is incoming or outgoing fire, as the
// agreement's event.fire: incoming when fusion located where rounds landed
// and a report saw them land (the event's place is then an impact),
// outgoing when reports saw only the launch, else unknown.
func fireOf(e *fusion.Event, reports map[observation.Key]*observation.Observation) string {
	in, out := false, false
	for _, k := range e.Observations {
		if o := reports[k]; o != nil {
			in = in || o.Fire == observation.Incoming
			out = out || o.Fire == observation.Outgoing
		}
	}
	switch {
	case in && e.Location != nil:
		return string(observation.Incoming)
	case out:
		return string(observation.Outgoing)
	}
	return string(observation.FireUnknown)
}

// attributionPlace is the estimate whose controlling party answers "who":
//
//   - fire: its point of origin. Where the rounds landed says nothing
//     reliable of who fired them (the simulator's aim points are always
//     across the line, but a party shelling ground it holds, or rounds
//     falling short, are real), and a reporter's reported_party is a claim,
//     never evidence of place;
//   - a weapon seen: where the weapons stand (a party's weapons stand on
//     ground it controls), which fusion gives as the location;
//   - a restriction: the checkpoint, held by the party that stops the
//     monitors;
//   - anything else: its point of origin when fusion has one, else
//     nothing (a casualty or damage is where the harm was, not who did
//     it).
func attributionPlace(e *fusion.Event) *fusion.Estimate {
	switch e.Kind {
	case observation.WeaponSighting, observation.Restriction:
		if e.Location != nil {
			return e.Location
		}
	}
	return e.Origin
}

// attribute integrates the place's distribution, widened by the model
// error allowance, over the controlled areas, and mixes in the chance
// that the place is wrong altogether.
func (a *Assessor) attribute(p *prepared, e *fusion.Event, reports map[observation.Key]*observation.Observation) Attribution {
	out := Attribution{Party: Undetermined, Probabilities: map[string]float64{}}
	est := attributionPlace(e)
	if est == nil || len(p.a.Areas) == 0 || len(p.parties) == 0 {
		return out
	}
	masses, _ := a.quad.integrate(p.areas, est.Point, a.widen(est.Cov))
	g := a.cfg.GrossErrorSightLines
	if locatedDirectly(e, est, reports) {
		g = a.cfg.GrossErrorLocated
	}
	n := float64(len(p.parties))
	best, bestP := "", -1.0
	for _, party := range p.parties {
		var m float64
		for _, x := range masses {
			if x.party == party {
				m = x.p
			}
		}
		pr := round6((1-g)*m + g/n)
		out.Probabilities[party] = pr
		if pr > bestP {
			best, bestP = party, pr
		}
	}
	threshold := p.a.Thresholds.AttributionProbability
	if threshold <= 0 {
		threshold = DefaultAttributionProbability
	}
	out.Probability = bestP
	if bestP >= threshold {
		out.Party = best
	}
	return out
}

// locatedDirectly: some member report gives the place itself as a
// position (a report's origin for the point of origin, its location for
// the location), rather than fusion crossing sight lines to find it.
// Without the reports, nothing is known to be located directly.
func locatedDirectly(e *fusion.Event, place *fusion.Estimate, reports map[observation.Key]*observation.Observation) bool {
	for _, k := range e.Observations {
		o := reports[k]
		if o == nil {
			continue
		}
		pt := o.Location
		if place == e.Origin {
			pt = o.Origin
		}
		if pt != nil && pt.Resolved {
			return true
		}
	}
	return false
}

// widen adds the model-error allowance: Σ' = scale·Σ + floor²·I.
func (a *Assessor) widen(cov [2][2]float64) [2][2]float64 {
	k, f2 := a.cfg.CovarianceScale, a.cfg.SigmaFloorM*a.cfg.SigmaFloorM
	return [2][2]float64{
		{k*cov[0][0] + f2, k * cov[0][1]},
		{k * cov[1][0], k*cov[1][1] + f2},
	}
}

// round6 rounds a probability to 6 decimals: what is published and
// compared with the threshold, so that the last bits of floating point
// (which differ between machines that fuse multiply–adds) do not reach
// the record.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
