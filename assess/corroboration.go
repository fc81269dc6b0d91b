package assess

import (
	"fmt"

	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/observation"
)

// Corroboration levels, from DESIGN.md's domain words. The first three are
// computed here; the last three are states a Commission sets (Review) and
// are passed through, never inferred.
const (
	Reported     = "reported"     // one independent source
	Corroborated = "corroborated" // independent sources agree
	Verified     = "verified"     // corroborated, with a technical sensor or a mission monitor graded A or B, or located within the error bound
	Confirmed    = "confirmed"    // upheld by a Commission finding
	Disputed     = "disputed"     // set by the Commission
	Rejected     = "rejected"     // set by the Commission
)

// Review is a Commission's state for an event, set by people (invariant
// 6). Empty means none: the level is computed from the reports.
type Review string

// The states a Review may give.
const (
	NoReview       Review = ""
	ReviewConfirms Review = Confirmed
	ReviewDisputes Review = Disputed
	ReviewRejects  Review = Rejected
)

// SourceInfo is what the mechanism's registry says of a source (truce
// source add --kind --org --grading).
type SourceInfo struct {
	// Kind: monitor, sensor, radar, uav or osint; "" when unknown.
	Kind string
	// Org is the organisation running it; "" when unknown.
	Org string
	// Grading is the registered Admiralty grading, e.g. "B2" (its first
	// letter, the source's reliability, is what counts here); "" for none.
	Grading string
}

// SourceLookup answers what the registry knows of a source; ok false
// when it knows nothing.
type SourceLookup func(source string) (info SourceInfo, ok bool)

// Source kinds the registry uses.
const (
	KindMonitor = "monitor"
	KindSensor  = "sensor"
	KindRadar   = "radar"
	KindUAV     = "uav"
	KindOSINT   = "osint"
)

// corroboration grades the evidence behind an event.
//
// Independence: each source is one line of evidence — two patrols, or a
// patrol and an acoustic array, perceive the same explosion separately
// even when one organisation runs both — except that OSINT desks of one
// organisation count once together: they watch the same public feeds,
// and two of them relaying one post is one post. Reposts under one source
// (fusion keeps both) are one source anyway.
//
// Verified needs, besides corroboration, a report from a technical sensor
// (sensor, radar, UAV) or a mission monitor whose reliability is A or B:
// the lower of the source's registered grading and the report's own (a
// report may grade itself down, never above what the mechanism
// registered; with only one of the two, that one). Or, when an error
// bound is set, a location whose 95 % ellipse's semi-major axis is within
// it.
func (a *Assessor) corroboration(e *fusion.Event, reports map[observation.Key]*observation.Observation, review Review) (string, error) {
	switch review {
	case NoReview:
	case ReviewConfirms, ReviewDisputes, ReviewRejects:
		return string(review), nil
	default:
		return "", fmt.Errorf("review %q: want %q, %q, %q or none", review, Confirmed, Disputed, Rejected)
	}
	units := map[string]bool{}
	graded := false
	for _, k := range e.Observations {
		info, _ := a.source(k.Source)
		unit := "source/" + k.Source
		if info.Kind == KindOSINT && info.Org != "" {
			unit = "osint/" + info.Org
		}
		units[unit] = true
		if graded || !technicalOrMonitor(info.Kind) {
			continue
		}
		rel := reliability(info.Grading)
		if o := reports[k]; o != nil && o.Grading != nil && o.Grading.Reliability != "" {
			rel = worse(rel, o.Grading.Reliability)
		}
		graded = rel == "A" || rel == "B"
	}
	switch {
	case len(units) == 0:
		return "", nil
	case len(units) == 1:
		return Reported, nil
	case graded:
		return Verified, nil
	case a.cfg.ErrorBoundM > 0 && e.Location != nil &&
		fusion.ErrorEllipse(e.Location.Cov, fusion.Chi2_95).SemiMajorM <= a.cfg.ErrorBoundM:
		return Verified, nil
	}
	return Corroborated, nil
}

func (a *Assessor) source(id string) (SourceInfo, bool) {
	if a.cfg.Sources == nil {
		return SourceInfo{}, false
	}
	return a.cfg.Sources(id)
}

func technicalOrMonitor(kind string) bool {
	switch kind {
	case KindMonitor, KindSensor, KindRadar, KindUAV:
		return true
	}
	return false
}

// reliability is the letter of an Admiralty grading ("B2" → "B"), "" if
// none.
func reliability(grading string) string {
	if grading == "" {
		return ""
	}
	if c := grading[0]; c >= 'A' && c <= 'F' {
		return string(c)
	}
	return ""
}

// worse of two reliabilities (F is worst); an absent one defers to the
// other.
func worse(a, b string) string {
	b = reliability(b)
	switch {
	case a == "":
		return b
	case b == "":
		return a
	case b > a:
		return b
	}
	return a
}
