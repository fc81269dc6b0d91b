package agreement

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Commission is what the agreement says about the Special Commission that
// addresses breaches, attributes responsibility and determines remedies
// (Paris Declaration, component 1): who sits on it, who chairs it, how
// many must vote for a decision to count, what majority carries it, how
// long an accused party has to reply, which breaches open a case without
// a member asking, and the ladder of remedies it may impose.
type Commission struct {
	// Default is true when the file has no "commission" section and
	// DefaultCommission was applied. The default is code, not part of the
	// hashed file, so a record made under it should say so.
	Default bool
	// Members are the organisations that sit on the Commission, in the
	// order the file lists them.
	Members []CommissionMember
	// Chair is the member organisation that chairs (the United States,
	// which leads the mechanism under the declaration).
	Chair string
	// Quorum is how many voting members must vote (for, against or
	// abstaining) for a vote to count.
	Quorum Quorum
	// Majority is what share of the votes for and against carries a
	// motion.
	Majority Majority
	// PartiesVote says whether members that are parties to the ceasefire
	// vote. When false they sit and are heard but do not vote, and do not
	// count towards the quorum.
	PartiesVote bool
	// ReplyDeadline is how long an accused party has, from notification,
	// to reply.
	ReplyDeadline time.Duration
	// VotePeriod is how long a vote stays open once a motion is put.
	VotePeriod time.Duration
	// AutoOpenSeverity is the severity (one of Severities) at or above
	// which a breach opens a case without a member asking.
	AutoOpenSeverity string
	// Remedies is the ladder of remedies, mildest first.
	Remedies []RemedyRung
}

// CommissionMember is an organisation sitting on the Commission, by its
// participant code (ISO 3166-1 alpha-3 or a short organisation code).
type CommissionMember struct {
	Org  string
	Name string
	Note string
}

// Quorum is either a number of voting members (Count) or a fraction of
// them (Num/Den, rounded up): "4" or "2/3".
type Quorum struct {
	Count    int
	Num, Den int
}

// Required is how many votes the quorum asks for when the Commission has
// voting voting members. A fraction is rounded up: two thirds of 7 is 5.
func (q Quorum) Required(voting int) int {
	if q.Den > 0 {
		return (voting*q.Num + q.Den - 1) / q.Den
	}
	return q.Count
}

// String is the quorum as the file writes it.
func (q Quorum) String() string {
	if q.Den > 0 {
		return fmt.Sprintf("%d/%d of the voting members", q.Num, q.Den)
	}
	return strconv.Itoa(q.Count)
}

// Majority is the rule that decides whether a motion carries.
type Majority string

const (
	// MajoritySimple: more votes for than against (abstentions count
	// towards the quorum, not the majority).
	MajoritySimple Majority = "simple"
	// MajorityTwoThirds: at least two thirds of the votes for and against
	// are for.
	MajorityTwoThirds Majority = "two_thirds"
	// MajorityConsensus: at least one vote for and none against; an
	// abstention does not break consensus.
	MajorityConsensus Majority = "consensus"
)

// Majorities lists the accepted majority rules.
var Majorities = []Majority{MajoritySimple, MajorityTwoThirds, MajorityConsensus}

// Carried reports whether for votes in favour and against votes against
// carry a motion under the rule.
func (m Majority) Carried(votesFor, votesAgainst int) bool {
	switch m {
	case MajoritySimple:
		return votesFor > votesAgainst
	case MajorityTwoThirds:
		return votesFor > 0 && 3*votesFor >= 2*(votesFor+votesAgainst)
	case MajorityConsensus:
		return votesFor > 0 && votesAgainst == 0
	}
	return false
}

// Describe says the rule in words, for refusals and reports.
func (m Majority) Describe() string {
	switch m {
	case MajoritySimple:
		return "a simple majority (more votes for than against)"
	case MajorityTwoThirds:
		return "a two-thirds majority of the votes for and against"
	case MajorityConsensus:
		return "consensus (no vote against)"
	}
	return string(m)
}

// RemedyKind is a rung of the remedy ladder.
type RemedyKind string

// The remedies the format knows, mildest first.
const (
	RemedyWarning           RemedyKind = "warning"
	RemedyWithdrawal        RemedyKind = "withdrawal"         // a demand to withdraw by a date
	RemedyVerificationVisit RemedyKind = "verification_visit" // monitors admitted to verify
	RemedyCompensation      RemedyKind = "compensation"
	RemedyReferral          RemedyKind = "referral" // to the guarantors, with a recommendation such as sanctions
)

// RemedyKinds lists the accepted remedy kinds, mildest first.
var RemedyKinds = []RemedyKind{RemedyWarning, RemedyWithdrawal, RemedyVerificationVisit, RemedyCompensation, RemedyReferral}

// RemedyRung is one rung of the ladder: a kind of remedy and how long the
// party held responsible has to comply.
type RemedyRung struct {
	Kind  RemedyKind
	Title string
	// ComplianceDeadline is how long after the remedy is ordered the party
	// has to comply; 0 when compliance is not tracked (a referral is
	// discharged when it is made).
	ComplianceDeadline time.Duration
	Note               string
}

// IsMember reports whether org sits on the Commission.
func (c Commission) IsMember(org string) bool {
	return slices.ContainsFunc(c.Members, func(m CommissionMember) bool { return m.Org == org })
}

// Rung returns the ladder's rung of the given kind.
func (c Commission) Rung(kind RemedyKind) (RemedyRung, bool) {
	i := slices.IndexFunc(c.Remedies, func(r RemedyRung) bool { return r.Kind == kind })
	if i < 0 {
		return RemedyRung{}, false
	}
	return c.Remedies[i], true
}

// NextRung is the rung above kind on the ladder, the escalation when a
// remedy of that kind is not complied with; false at the top.
func (c Commission) NextRung(kind RemedyKind) (RemedyRung, bool) {
	i := slices.IndexFunc(c.Remedies, func(r RemedyRung) bool { return r.Kind == kind })
	if i < 0 || i+1 >= len(c.Remedies) {
		return RemedyRung{}, false
	}
	return c.Remedies[i+1], true
}

// VotingMembers are the member organisations that vote, in the file's
// order: every member, less the parties to the ceasefire unless the
// agreement lets parties vote.
func (a *Agreement) VotingMembers() []string {
	return votingMembers(a.Commission, a.Parties)
}

func votingMembers(c Commission, parties []Party) []string {
	var out []string
	for _, m := range c.Members {
		isParty := slices.ContainsFunc(parties, func(p Party) bool { return p.Code == m.Org })
		if isParty && !c.PartiesVote {
			continue
		}
		out = append(out, m.Org)
	}
	return out
}

// The defaults applied when an agreement file has no "commission" section.
const (
	DefaultReplyDeadline    = 72 * time.Hour
	DefaultVotePeriod       = 72 * time.Hour
	DefaultAutoOpenSeverity = "high"
)

// DefaultCommission is the Commission assumed when an agreement file says
// nothing of it, read from the Paris Declaration: chaired by the United
// States (the mechanism is US-led), with the Coalition of the Willing
// represented (here the United Kingdom, France, Germany, Italy and
// Poland), and each party to the ceasefire seated without a vote; a quorum
// of two thirds of the voting members, simple majority, 72 hours to reply,
// 72 hours to vote, cases opened automatically from severity "high", and
// the five rungs of RemedyKinds (warning 24 h, withdrawal 72 h,
// verification visit 7 days, compensation 30 days, referral). The
// declaration sets none of these numbers: they are a reading for the
// demonstration, and an agreement that settles them says so in its file.
func DefaultCommission(parties []Party) Commission {
	c := Commission{
		Default: true,
		Members: []CommissionMember{
			{Org: "USA", Name: "United States"},
			{Org: "GBR", Name: "United Kingdom"},
			{Org: "FRA", Name: "France"},
			{Org: "DEU", Name: "Germany"},
			{Org: "ITA", Name: "Italy"},
			{Org: "POL", Name: "Poland"},
		},
		Chair:            "USA",
		Quorum:           Quorum{Num: 2, Den: 3},
		Majority:         MajoritySimple,
		ReplyDeadline:    DefaultReplyDeadline,
		VotePeriod:       DefaultVotePeriod,
		AutoOpenSeverity: DefaultAutoOpenSeverity,
		Remedies: []RemedyRung{
			{Kind: RemedyWarning, Title: "Warning", ComplianceDeadline: 24 * time.Hour},
			{Kind: RemedyWithdrawal, Title: "Demand to withdraw by a date", ComplianceDeadline: 72 * time.Hour},
			{Kind: RemedyVerificationVisit, Title: "Verification visit", ComplianceDeadline: 7 * 24 * time.Hour},
			{Kind: RemedyCompensation, Title: "Compensation", ComplianceDeadline: 30 * 24 * time.Hour},
			{Kind: RemedyReferral, Title: "Referral to the guarantors with a recommendation"},
		},
	}
	for _, p := range parties {
		if !c.IsMember(p.Code) {
			c.Members = append(c.Members, CommissionMember{Org: p.Code, Name: p.Name, Note: "party to the ceasefire: seated without a vote"})
		}
	}
	return c
}

// periodPattern is how the file writes a period: whole hours or days.
var periodPattern = regexp.MustCompile(`^([0-9]{1,5})(h|d)$`)

// parsePeriod reads "72h" or "14d". Treaty texts count in hours and days;
// minutes and fractions have no place in them.
func parsePeriod(s string) (time.Duration, bool) {
	m := periodPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	if m[2] == "d" {
		return time.Duration(n) * 24 * time.Hour, true
	}
	return time.Duration(n) * time.Hour, true
}

// FormatPeriod writes a period as the file does: days when whole, else
// hours.
func FormatPeriod(d time.Duration) string {
	if d%(24*time.Hour) == 0 && d > 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return fmt.Sprintf("%dh", d/time.Hour)
}

var fractionPattern = regexp.MustCompile(`^([0-9]{1,3})/([0-9]{1,3})$`)

// maxPeriod bounds every period in the Commission's section: a year is
// longer than any procedure should run, and a typo of "720d" for "72h"
// should be caught.
const maxPeriod = 365 * 24 * time.Hour

// period reads a period field.
func (d *decoder) period(obj *jnode, path, key, what string, required bool) (time.Duration, bool) {
	s := d.str(obj, path, key, what, required)
	if s == "" {
		return 0, false
	}
	t, ok := parsePeriod(s)
	if !ok {
		d.add(obj.member(key), pointer(path, key), nil, "%s: %s %q is not a period; write whole hours or days, such as \"72h\" or \"14d\"", what, key, s)
		return 0, false
	}
	if t <= 0 || t > maxPeriod {
		d.add(obj.member(key), pointer(path, key), nil, "%s: %s must be more than 0 and at most 365 days, not %q", what, key, s)
		return 0, false
	}
	return t, true
}

// boolean reads a true/false field.
func (d *decoder) boolean(obj *jnode, path, key, what string) bool {
	v := d.field(obj, path, key, what, false)
	if v == nil {
		return false
	}
	if v.kind != jBool {
		d.add(v, pointer(path, key), nil, "%q must be true or false (without quotes), not %s", key, v.kind)
		return false
	}
	return v.b
}

func (d *decoder) commission(a *Agreement, root *jnode) {
	n := root.member("commission")
	if n == nil || n.kind == jNull {
		a.Commission = DefaultCommission(a.Parties)
		return
	}
	const p, what = "/commission", "the commission"
	if !d.object(n, p, what, "members", "chair", "quorum", "majority", "parties_vote",
		"reply_deadline", "vote_period", "auto_open_severity", "remedies", "note") {
		return
	}
	c := &a.Commission
	d.str(n, p, "note", what, false)
	seen := map[string]int{}
	for i, m := range d.list(n, p, "members", what, true) {
		mp := pointer(p, "members", i)
		if !d.object(m, mp, "a member", "org", "name", "note") {
			continue
		}
		mem := CommissionMember{
			Org:  d.str(m, mp, "org", "a member", true),
			Name: d.str(m, mp, "name", "a member", false),
			Note: d.str(m, mp, "note", "a member", false),
		}
		if mem.Org == "" {
			continue
		}
		if !partyCodePattern.MatchString(mem.Org) {
			d.add(m.member("org"), mp+"/org", nil, "member organisation %q must be a participant code: 2–16 capital letters, digits or '_', starting with a letter (ISO 3166-1 alpha-3 such as USA, or a short code)", mem.Org)
			continue
		}
		if j, dup := seen[mem.Org]; dup {
			d.add(m.member("org"), mp+"/org", nil, "%s sits on the Commission twice (also at %s/members/%d); each member organisation has one seat and one vote", mem.Org, p, j)
			continue
		}
		seen[mem.Org] = i
		c.Members = append(c.Members, mem)
	}
	c.PartiesVote = d.boolean(n, p, "parties_vote", what)
	voting := votingMembers(*c, a.Parties)
	if len(c.Members) > 0 && len(voting) == 0 {
		d.add(n.member("members"), p+"/members", nil, "every member of the Commission is a party to the ceasefire and parties_vote is false: nobody could vote")
	}
	if c.Chair = d.str(n, p, "chair", what, true); c.Chair != "" && !c.IsMember(c.Chair) && len(c.Members) > 0 {
		d.add(n.member("chair"), p+"/chair", nil, "the chair %q is not among the Commission's members (%s); the chair must hold a seat", c.Chair, strings.Join(memberCodes(c.Members), ", "))
	}
	d.quorum(c, n, p, len(voting))
	if m := d.str(n, p, "majority", what, true); m != "" {
		if !slices.Contains(Majorities, Majority(m)) {
			msg := fmt.Sprintf("majority %q is not a majority rule; use \"simple\", \"two_thirds\" or \"consensus\"", m)
			if s := suggest(m, []string{"simple", "two_thirds", "consensus"}); s != "" {
				msg += fmt.Sprintf(" — did you mean %q?", s)
			}
			d.add(n.member("majority"), p+"/majority", nil, "%s", msg)
		} else {
			c.Majority = Majority(m)
		}
	}
	if t, ok := d.period(n, p, "reply_deadline", what, true); ok {
		c.ReplyDeadline = t
	}
	c.VotePeriod = DefaultVotePeriod
	if t, ok := d.period(n, p, "vote_period", what, false); ok {
		c.VotePeriod = t
	}
	c.AutoOpenSeverity = DefaultAutoOpenSeverity
	if s := d.str(n, p, "auto_open_severity", what, false); s != "" {
		if !slices.Contains(Severities, s) {
			d.add(n.member("auto_open_severity"), p+"/auto_open_severity", nil, "auto_open_severity %q is not one of %s", s, strings.Join(Severities, ", "))
		} else {
			c.AutoOpenSeverity = s
		}
	}
	kinds := make([]string, len(RemedyKinds))
	for i, k := range RemedyKinds {
		kinds[i] = string(k)
	}
	seenKind := map[RemedyKind]int{}
	for i, r := range d.list(n, p, "remedies", what, true) {
		rp := pointer(p, "remedies", i)
		if !d.object(r, rp, "a remedy", "kind", "title", "compliance_deadline", "note") {
			continue
		}
		rung := RemedyRung{
			Kind:  RemedyKind(d.str(r, rp, "kind", "a remedy", true)),
			Title: d.str(r, rp, "title", "a remedy", false),
			Note:  d.str(r, rp, "note", "a remedy", false),
		}
		if t, ok := d.period(r, rp, "compliance_deadline", "remedy "+strconv.Quote(string(rung.Kind)), false); ok {
			rung.ComplianceDeadline = t
		}
		if rung.Kind == "" {
			continue
		}
		if !slices.Contains(RemedyKinds, rung.Kind) {
			msg := fmt.Sprintf("remedy kind %q is not one the format knows (%s)", rung.Kind, strings.Join(kinds, ", "))
			if s := suggest(string(rung.Kind), kinds); s != "" {
				msg = fmt.Sprintf("remedy kind %q is not one the format knows — did you mean %q?", rung.Kind, s)
			}
			d.add(r.member("kind"), rp+"/kind", nil, "%s", msg)
			continue
		}
		if j, dup := seenKind[rung.Kind]; dup {
			d.add(r.member("kind"), rp+"/kind", nil, "remedy %q is on the ladder twice (also at %s/remedies/%d)", rung.Kind, p, j)
			continue
		}
		seenKind[rung.Kind] = i
		if rung.Kind == RemedyWithdrawal && rung.ComplianceDeadline == 0 {
			d.add(r, rp, nil, "remedy \"withdrawal\" is a demand to withdraw by a date: it needs a compliance_deadline, such as \"72h\"")
		}
		c.Remedies = append(c.Remedies, rung)
	}
}

func (d *decoder) quorum(c *Commission, n *jnode, p string, voting int) {
	v := d.field(n, p, "quorum", "the commission", true)
	if v == nil {
		return
	}
	qp := p + "/quorum"
	switch v.kind {
	case jNumber:
		f, err := strconv.ParseFloat(v.text, 64)
		if err != nil || f != math.Trunc(f) || f < 1 {
			d.add(v, qp, nil, "quorum must be a whole number of voting members from 1, or a fraction of them written as a string such as \"2/3\"; not %s", v.text)
			return
		}
		if int(f) > voting && voting > 0 {
			d.add(v, qp, nil, "a quorum of %d could never be reached: the Commission has %d voting members", int(f), voting)
			return
		}
		c.Quorum = Quorum{Count: int(f)}
	case jString:
		m := fractionPattern.FindStringSubmatch(v.text)
		if m == nil {
			d.add(v, qp, nil, "quorum %q is not a fraction; write it as \"2/3\" (of the voting members), or give a whole number of members", v.text)
			return
		}
		num, _ := strconv.Atoi(m[1])
		den, _ := strconv.Atoi(m[2])
		if num < 1 || den < 1 || num > den {
			d.add(v, qp, nil, "quorum %q must be a fraction more than 0 and at most 1, such as \"1/2\" or \"2/3\"", v.text)
			return
		}
		c.Quorum = Quorum{Num: num, Den: den}
	default:
		d.add(v, qp, nil, "quorum must be a whole number of voting members, or a fraction of them written as a string such as \"2/3\"; not %s", v.kind)
	}
}

func memberCodes(ms []CommissionMember) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Org
	}
	return out
}
