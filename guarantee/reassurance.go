package guarantee

import (
	"slices"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/access"
)

// Domain is where a reassurance measure is carried out.
type Domain string

const (
	Air  Domain = "air"
	Sea  Domain = "sea"
	Land Domain = "land"
)

// Domains lists the domains of reassurance measures (declaration,
// component 3: "in the air, at sea and on land").
var Domains = []Domain{Air, Sea, Land}

// Request is Ukraine's request for reassurance measures: a record signed
// by a user of Ukraine (RequestingState). A later request replaces an
// earlier one; a request for no domain withdraws it.
type Request struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	By      Actor     `json:"by"`
	Marking string    `json:"marking"`
	// Domains are the domains Ukraine requests measures in; empty
	// withdraws the request.
	Domains []Domain `json:"domains"`
	Text    string   `json:"text"`
}

// RecordRequest checks a request of Ukraine and returns it as it must be
// recorded.
func RecordRequest(prior []Request, q Request) (Request, error) {
	if err := checkHeader(q.ID, q.At, q.By, q.Marking); err != nil {
		return Request{}, err
	}
	if q.By.Org != RequestingState {
		return Request{}, refuse(RuleAuthority, "reassurance measures are requested by Ukraine: the request is made by a user of %s, not by %s of %s", RequestingState, q.By.User, q.By.Org)
	}
	if q.By.Has(access.RoleViewer) && len(q.By.Roles) == 1 {
		return Request{}, refuse(RuleAuthority, "%s of %s only reads; a request of Ukraine is made by an official who acts for it", q.By.User, q.By.Org)
	}
	for _, d := range q.Domains {
		if !slices.Contains(Domains, d) {
			return Request{}, refuse(RuleInput, "reassurance measures are in the air, at sea or on land (%q, %q, %q), not %q", Air, Sea, Land, d)
		}
	}
	if strings.TrimSpace(q.Text) == "" {
		return Request{}, refuse(RuleInput, "a request of Ukraine carries its text")
	}
	for _, p := range prior {
		if p.ID == q.ID {
			return Request{}, refuse(RuleInput, "request %s is already recorded; a change is a new request", q.ID)
		}
		if p.At.After(q.At) {
			return Request{}, refuse(RuleInput, "request %s is dated before request %s; requests are recorded in order", q.ID, p.ID)
		}
	}
	return q, nil
}

// RequestAt is Ukraine's request standing at time at (the latest made by
// then), if any; a withdrawn request (no domains) is none.
func RequestAt(reqs []Request, at time.Time) (Request, bool) {
	var cur *Request
	for i := range reqs {
		q := &reqs[i]
		if q.At.After(at) {
			continue
		}
		if cur == nil || q.At.After(cur.At) || q.At.Equal(cur.At) && q.ID > cur.ID {
			cur = q
		}
	}
	if cur == nil || len(cur.Domains) == 0 {
		return Request{}, false
	}
	return *cur, true
}

// requestDuring is the request of Ukraine standing at the first moment
// in [from, to] when one stands, and that moment.
func requestDuring(reqs []Request, from, to time.Time) (Request, time.Time, bool) {
	if q, ok := RequestAt(reqs, from); ok {
		return q, from, true
	}
	var first *Request
	for i := range reqs {
		q := &reqs[i]
		if !q.At.After(from) || q.At.After(to) || len(q.Domains) == 0 {
			continue
		}
		if first == nil || q.At.Before(first.At) {
			first = q
		}
	}
	if first == nil {
		return Request{}, time.Time{}, false
	}
	if q, ok := RequestAt(reqs, first.At); ok {
		return q, first.At, true
	}
	return Request{}, time.Time{}, false
}

// Measure is a reassurance measure of the Multinational Force.
type Measure struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Domain       Domain    `json:"domain"`
	Contributors []string  `json:"contributors"` // contributing nations, participant codes
	Start        time.Time `json:"start"`
	By           Actor     `json:"by"`
	Marking      string    `json:"marking"`
	// Filled by StartMeasure: the request and the determination it rests
	// on.
	Request       string `json:"request"`
	Determination string `json:"determination"`
}

// StartMeasure checks that a reassurance measure may start: at Ukraine's
// request covering its domain, standing at its start, and with a credible
// cessation of hostilities determined and still the ceasefire's status at
// its start. Otherwise it refuses and says which is missing (both, when
// both are). It is recorded by the coordination cell.
func StartMeasure(r Rules, dets []Determination, reqs []Request, m Measure) (Measure, error) {
	if err := checkHeader(m.ID, m.Start, m.By, m.Marking); err != nil {
		return Measure{}, err
	}
	if !m.By.Has(access.RoleCoordinator) {
		return Measure{}, refuse(RuleAuthority, "reassurance measures are started by the coordination cell; %s of %s does not hold the coordinator role", m.By.User, m.By.Org)
	}
	if !slices.Contains(Domains, m.Domain) {
		return Measure{}, refuse(RuleInput, "a reassurance measure is in the air, at sea or on land (%q, %q, %q), not %q", Air, Sea, Land, m.Domain)
	}
	if len(m.Contributors) == 0 {
		return Measure{}, refuse(RuleInput, "reassurance measure %s names its contributing nations", m.ID)
	}
	for _, c := range m.Contributors {
		if !codePattern.MatchString(c) {
			return Measure{}, refuse(RuleInput, "contributing nation %q is not a participant code", c)
		}
	}
	if strings.TrimSpace(m.Name) == "" {
		return Measure{}, refuse(RuleInput, "reassurance measure %s needs a name", m.ID)
	}

	var missing []string
	var rules []Rule
	req, ok := RequestAt(reqs, m.Start)
	switch {
	case !ok:
		missing = append(missing, "Ukraine has not requested reassurance measures (a request signed by a user of "+RequestingState+")")
		rules = append(rules, RuleRequest)
	case !slices.Contains(req.Domains, m.Domain):
		missing = append(missing, "Ukraine's request "+req.ID+" of "+stamp(req.At)+" asks for measures "+domainList(req.Domains)+", not "+phrase(m.Domain))
		rules = append(rules, RuleRequest)
	}
	status, det := StatusAt(r, dets, m.Start)
	if status != CredibleCessation {
		why := "no credible cessation of hostilities has been determined: the ceasefire is " + status.Phrase()
		if det != nil {
			why += " since " + stamp(det.At) + " (determination " + det.ID + ")"
		}
		missing = append(missing, why)
		rules = append(rules, RuleCessation)
	}
	if len(missing) > 0 {
		return Measure{}, &Refusal{Rule: rules[0], Also: rules[1:],
			Reason: "reassurance measure " + m.ID + " cannot start: reassurance measures are implemented at Ukraine's request once a credible cessation of hostilities has taken place, and " +
				strings.Join(missing, "; and ")}
	}
	m.Request, m.Determination = req.ID, det.ID
	return m, nil
}

func phrase(d Domain) string {
	switch d {
	case Air:
		return "in the air"
	case Sea:
		return "at sea"
	case Land:
		return "on land"
	}
	return string(d)
}

func domainList(ds []Domain) string {
	var out []string
	for _, d := range ds {
		out = append(out, phrase(d))
	}
	return strings.Join(out, ", ")
}
