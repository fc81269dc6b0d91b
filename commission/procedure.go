package commission

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
)

// The steps of the procedure, one function per kind of action. Each
// checks who acts, the case's state and the agreement's terms, and then
// changes the case (a copy: see Apply) and fills in what the record must
// say (deadlines, the tally behind a finding).

func (c *Case) apply(r Rules, a *Action) error {
	switch a.Kind {
	case KindOpened:
		return c.open(r, a)
	case KindNotified:
		return c.notify(r, a)
	case KindReplied:
		return c.reply(r, a)
	case KindMotion:
		return c.motion(r, a)
	case KindVote:
		return c.vote(r, a)
	case KindFinding:
		return c.finding(r, a)
	case KindRemedy:
		return c.order(r, a)
	case KindComplianceReported:
		return c.report(r, a)
	case KindComplianceAssessed:
		return c.assess(r, a)
	case KindClosed:
		return c.close(r, a)
	case KindReopened:
		return c.reopen(r, a)
	}
	return refuse(RuleInput, "unknown action %q", a.Kind)
}

func (c *Case) open(r Rules, a *Action) error {
	if len(c.Actions) > 0 {
		return refuse(RuleProcedure, "case %s is already open; new evidence reopens a case once it has a finding", c.ID)
	}
	op := a.Opening
	if !r.IsParty(op.Accused) {
		return refuse(RuleInput, "a case accuses a party to the ceasefire (%s), not %q", strings.Join(r.Parties, ", "), op.Accused)
	}
	if op.Severity != "" && !slices.Contains(agreement.Severities, op.Severity) {
		return refuse(RuleInput, "severity %q is not one of %s", op.Severity, strings.Join(agreement.Severities, ", "))
	}
	if len(op.Events)+len(op.Incidents) == 0 {
		return refuse(RuleInput, "a case cites the events or incidents it is about")
	}
	if op.Automatic {
		if !a.By.IsSystem() {
			return refuse(RuleInput, "only the mechanism opens a case automatically; a member opens one by citing the evidence")
		}
		if !ShouldOpen(r, op.Severity) {
			return refuse(RuleProcedure, "a breach of severity %q is below %q, the severity at which the agreement opens a case automatically; a member of the Commission may open one", op.Severity, r.Terms.AutoOpenSeverity)
		}
	} else if err := r.voter(a.By, "opening a case"); err != nil {
		if a.By.IsSystem() {
			return refuse(RuleMembership, "the mechanism opens a case only automatically, for a breach at or above the agreement's severity threshold")
		}
		return err
	}
	op.Agreement, op.Version, op.Digest = r.Agreement, r.Version, r.Digest
	c.Agreement, c.Version, c.Digest = r.Agreement, r.Version, r.Digest
	c.Accused = op.Accused
	c.Events, c.Incidents = slices.Clone(op.Events), slices.Clone(op.Incidents)
	c.Rule, c.Severity, c.Automatic = op.Rule, op.Severity, op.Automatic
	c.Opened, c.OpenedBy = a.At, a.By
	c.State, c.Round = StateOpen, 1
	return nil
}

func (c *Case) notify(r Rules, a *Action) error {
	if c.State != StateOpen {
		return refuse(RuleProcedure, "case %s is %s: the accused party is notified once, when the case is opened or reopened", c.ID, c.Status(a.At).Phrase())
	}
	if !a.By.IsSystem() {
		if err := r.commissioner(a.By, "notifying the accused party"); err != nil {
			return err
		}
	}
	if !readableBy(a.Marking, c.Accused) {
		return refuse(RuleInput, "the notice is marked %q, which %s could not read; mark it PUBLIC or REL TO a list that includes %s", a.Marking, c.Accused, c.Accused)
	}
	n := a.Notice
	if strings.TrimSpace(n.Allegation) == "" {
		return refuse(RuleInput, "the notice says what %s is accused of", c.Accused)
	}
	n.Party = c.Accused
	n.Deadline = a.At.Add(r.Terms.ReplyDeadline)
	n.Round = c.Round
	nc := *n
	c.Notice = &nc
	c.State = StateNotified
	return nil
}

func (c *Case) reply(_ Rules, a *Action) error {
	if a.By.Org != c.Accused || !a.By.Has(access.RoleLiaison) {
		return refuse(RuleAccusedParty, "only a liaison of the accused party (%s) replies on case %s; %s of %s may not", c.Accused, c.ID, a.By.User, a.By.Org)
	}
	switch c.State {
	case StateNotified:
	case StateReplyReceived:
		return refuse(RuleProcedure, "%s has already replied on case %s (at %s); one reply per notice — new material is new evidence for the Commission", c.Accused, c.ID, stamp(c.RepliedAt))
	case StateOpen:
		return refuse(RuleProcedure, "%s has not yet been notified on case %s", c.Accused, c.ID)
	default:
		return refuse(RuleProcedure, "case %s is %s: the time to reply is over once the Commission deliberates", c.ID, c.State.Phrase())
	}
	rp := a.Reply
	if strings.TrimSpace(rp.Text) == "" {
		return refuse(RuleInput, "a reply has text")
	}
	rp.Late = !a.At.Before(c.Notice.Deadline)
	rp.Round = c.Round
	rc := *rp
	c.Reply, c.RepliedAt = &rc, a.At
	c.State = StateReplyReceived
	return nil
}

// heard checks the accused party's right to be heard at time at: it has
// replied, or its deadline has passed.
func (c *Case) heard(at time.Time, doing string) error {
	switch c.Status(at) {
	case StateOpen:
		return refuse(RuleRightToReply, "%s is refused: %s has not yet been notified of case %s, and must be heard first", doing, c.Accused, c.ID)
	case StateNotified:
		return refuse(RuleRightToReply, "%s is refused: %s has until %s to reply to case %s and has not replied; the Commission hears the accused party before it finds",
			doing, c.Accused, stamp(c.Notice.Deadline), c.ID)
	}
	return nil
}

func (c *Case) motion(r Rules, a *Action) error {
	m := *a.Motion
	m.ID, m.Case, m.Round = a.ID, c.ID, c.Round
	switch m.Question {
	case QuestionFinding:
		if err := c.heard(a.At, "a motion for a finding"); err != nil {
			return err
		}
		switch c.Status(a.At) {
		case StateReplyReceived, StateReplyOverdue, StateDeliberation:
		default:
			return refuse(RuleProcedure, "case %s is %s: a finding is proposed during deliberation, not now", c.ID, c.Status(a.At).Phrase())
		}
		if f := c.Finding(); f != nil && f.Round == c.Round {
			return refuse(RuleProcedure, "case %s already has a finding in this round; new evidence reopens the case", c.ID)
		}
	case QuestionRemedy:
		f := c.Finding()
		if (c.State != StateFinding && c.State != StateRemedy) || f == nil {
			return refuse(RuleProcedure, "case %s is %s: remedies follow a finding", c.ID, c.Status(a.At).Phrase())
		}
		if f.Outcome != Attributed {
			return refuse(RuleLadder, "the finding on case %s is %q: remedies are ordered only against a party found responsible", c.ID, f.Outcome)
		}
	default:
		return refuse(RuleInput, "a motion on a case asks for a finding or for remedies, not %q", m.Question)
	}
	if open, ok := c.OpenMotion(r, a.At); ok {
		return refuse(RuleProcedure, "motion %s on case %s is still open until %s; one motion is voted on at a time", open.ID, c.ID, stamp(open.Closes))
	}
	pm, err := Propose(r, m, a.By, a.At)
	if err != nil {
		return err
	}
	if m.Question == QuestionRemedy {
		for _, o := range pm.Remedies {
			party := c.Finding().Party
			for _, rem := range c.Remedies {
				if rem.Kind == o.Kind && rem.Party == party && !rem.Discharged() {
					return refuse(RuleLadder, "remedy %s (%s) on %s is still outstanding; escalate to the next rung rather than repeat it", rem.ID, rem.Kind, party)
				}
			}
		}
	}
	*a.Motion = pm
	c.Motions = append(c.Motions, pm)
	if pm.Question == QuestionFinding {
		c.State = StateDeliberation
	}
	return nil
}

func (c *Case) vote(r Rules, a *Action) error {
	m, ok := c.Motion(a.Vote.Motion)
	if !ok || m.Round != c.Round {
		return refuse(RuleInput, "case %s has no open motion %q in this round", c.ID, a.Vote.Motion)
	}
	v := *a.Vote
	v.At = a.At
	got, err := CastVote(r, m, c.Votes, v, a.By)
	if err != nil {
		return err
	}
	*a.Vote = got
	c.Votes = append(c.Votes, got)
	return nil
}

func (c *Case) finding(r Rules, a *Action) error {
	if err := r.voter(a.By, "recording a finding"); err != nil {
		return err
	}
	if err := c.heard(a.At, "a finding"); err != nil {
		return err
	}
	f := a.Finding
	m, ok := c.Motion(f.Motion)
	if !ok || m.Question != QuestionFinding || m.Round != c.Round {
		return refuse(RuleProcedure, "a finding is recorded on a motion for a finding that carried in this round of case %s; there is no such motion %q", c.ID, f.Motion)
	}
	if c.State != StateDeliberation {
		return refuse(RuleProcedure, "case %s is %s: a finding is recorded at the end of deliberation", c.ID, c.Status(a.At).Phrase())
	}
	res := Tally(r, m, c.Votes, a.At)
	if err := res.Refusal(); err != nil {
		rf := err.(*Refusal)
		rf.Reason = "the finding cannot be recorded: " + rf.Reason
		return rf
	}
	if f.Outcome != "" && f.Outcome != m.Finding.Outcome || f.Party != "" && f.Party != m.Finding.Party {
		return refuse(RuleProcedure, "the finding must be the one the Commission voted for (%s%s), not %s%s", m.Finding.Outcome, partySuffix(m.Finding.Party), f.Outcome, partySuffix(f.Party))
	}
	if strings.TrimSpace(f.Reasons) == "" {
		return refuse(RuleInput, "a finding gives its reasons")
	}
	f.Outcome, f.Party = m.Finding.Outcome, m.Finding.Party
	f.Tally = res.Explanation
	f.Dissent = res.Dissent
	f.Round = c.Round
	f.Supersedes = ""
	if prev := c.Finding(); prev != nil {
		f.Supersedes = c.findingID(len(c.Findings) - 1)
	}
	c.Findings = append(c.Findings, *f)
	c.State = StateFinding
	return nil
}

// findingID is the ID of the action that recorded the i-th finding.
func (c *Case) findingID(i int) string {
	n := -1
	for _, a := range c.Actions {
		if a.Kind == KindFinding {
			n++
			if n == i {
				return a.ID
			}
		}
	}
	return ""
}

func partySuffix(p string) string {
	if p == "" {
		return ""
	}
	return " to " + p
}

func (c *Case) order(r Rules, a *Action) error {
	if err := r.voter(a.By, "ordering a remedy"); err != nil {
		return err
	}
	f := c.Finding()
	if f == nil || (c.State != StateFinding && c.State != StateRemedy) {
		return refuse(RuleProcedure, "case %s is %s: remedies are ordered after a finding", c.ID, c.Status(a.At).Phrase())
	}
	if f.Outcome != Attributed {
		return refuse(RuleLadder, "the finding on case %s is %q: remedies are ordered only against a party found responsible", c.ID, f.Outcome)
	}
	m, ok := c.Motion(a.Order.Motion)
	if !ok || len(m.Remedies) == 0 || m.Round != c.Round {
		return refuse(RuleProcedure, "remedies are ordered as a carried motion proposed them; case %s has no motion %q proposing remedies in this round", c.ID, a.Order.Motion)
	}
	if m.Question == QuestionFinding && m.ID != c.findingMotion() {
		return refuse(RuleProcedure, "motion %s is not the motion the finding was made on", m.ID)
	}
	res := Tally(r, m, c.Votes, a.At)
	if err := res.Refusal(); err != nil {
		rf := err.(*Refusal)
		rf.Reason = "the remedies cannot be ordered: " + rf.Reason
		return rf
	}
	for _, rem := range c.Remedies {
		if rem.Motion == m.ID {
			return refuse(RuleProcedure, "the remedies of motion %s were ordered already (%s)", m.ID, rem.ID)
		}
	}
	for _, o := range m.Remedies {
		rung, ok := r.Terms.Rung(o.Kind)
		if !ok {
			return refuse(RuleLadder, "remedy %q is not on the agreement's ladder", o.Kind)
		}
		rem := Remedy{ID: a.ID + "/" + string(o.Kind), Motion: m.ID, Kind: o.Kind, Party: f.Party, Terms: o.Terms,
			Recommendation: o.Recommendation, Ordered: a.At}
		if rung.ComplianceDeadline > 0 {
			rem.Due = a.At.Add(rung.ComplianceDeadline)
			if !o.Due.IsZero() {
				rem.Due = o.Due
			}
		}
		c.Remedies = append(c.Remedies, rem)
	}
	c.State = StateRemedy
	return nil
}

func (c *Case) findingMotion() string {
	if f := c.Finding(); f != nil {
		return f.Motion
	}
	return ""
}

func (c *Case) remedyIndex(id string) (int, error) {
	i := slices.IndexFunc(c.Remedies, func(r Remedy) bool { return r.ID == id })
	if i < 0 {
		return -1, refuse(RuleInput, "case %s has no remedy %q", c.ID, id)
	}
	return i, nil
}

func (c *Case) report(r Rules, a *Action) error {
	i, err := c.remedyIndex(a.Compliance.Remedy)
	if err != nil {
		return err
	}
	rem := &c.Remedies[i]
	isLiaison := a.By.Org == rem.Party && a.By.Has(access.RoleLiaison)
	if !isLiaison {
		if err := r.commissioner(a.By, "reporting compliance"); err != nil {
			return refuse(RuleMembership, "compliance with remedy %s is reported by a liaison of %s or by a commissioner; %s of %s is neither", rem.ID, rem.Party, a.By.User, a.By.Org)
		}
	}
	if c.State == StateClosed {
		return refuse(RuleProcedure, "case %s is closed", c.ID)
	}
	if rem.Due.IsZero() {
		return refuse(RuleProcedure, "the ladder tracks no compliance for remedy %s (%s)", rem.ID, rem.Kind)
	}
	if !rem.Complied.IsZero() {
		return refuse(RuleProcedure, "remedy %s was found complied with at %s", rem.ID, stamp(rem.Complied))
	}
	if strings.TrimSpace(a.Compliance.Text) == "" && len(a.Compliance.Evidence) == 0 {
		return refuse(RuleInput, "a compliance report says what was done, or cites evidence of it")
	}
	rem.Reports = append(rem.Reports, a.ID)
	return nil
}

func (c *Case) assess(r Rules, a *Action) error {
	if err := r.voter(a.By, "assessing compliance"); err != nil {
		return err
	}
	i, err := c.remedyIndex(a.Assessment.Remedy)
	if err != nil {
		return err
	}
	rem := &c.Remedies[i]
	if c.State == StateClosed {
		return refuse(RuleProcedure, "case %s is closed", c.ID)
	}
	if !rem.Complied.IsZero() {
		return refuse(RuleProcedure, "remedy %s was found complied with at %s", rem.ID, stamp(rem.Complied))
	}
	if len(rem.Reports) == 0 {
		return refuse(RuleProcedure, "remedy %s has no compliance report to assess; evidence of compliance comes first", rem.ID)
	}
	if strings.TrimSpace(a.Assessment.Reasons) == "" {
		return refuse(RuleInput, "an assessment of compliance gives its reasons")
	}
	if a.Assessment.Complied {
		rem.Complied = a.At
	} else {
		rem.Rejected++
	}
	return nil
}

func (c *Case) close(r Rules, a *Action) error {
	if err := r.voter(a.By, "closing a case"); err != nil {
		return err
	}
	if c.State != StateFinding && c.State != StateRemedy {
		return refuse(RuleProcedure, "case %s is %s: a case is closed after its finding", c.ID, c.Status(a.At).Phrase())
	}
	if m, ok := c.OpenMotion(r, a.At); ok {
		return refuse(RuleProcedure, "motion %s on case %s is still open until %s", m.ID, c.ID, stamp(m.Closes))
	}
	var owed []string
	for _, rem := range c.Remedies {
		if !rem.Discharged() {
			s := fmt.Sprintf("%s (%s, due %s", rem.ID, rem.Kind, stamp(rem.Due))
			if rem.Overdue(a.At) {
				s += ", overdue"
			}
			owed = append(owed, s+")")
		}
	}
	if len(owed) > 0 {
		return refuse(RuleProcedure, "case %s cannot be closed while remedies are outstanding: %s", c.ID, strings.Join(owed, "; "))
	}
	if strings.TrimSpace(a.Closing.Reasons) == "" {
		return refuse(RuleInput, "closing a case gives its reasons")
	}
	c.State, c.Closed = StateClosed, a.At
	return nil
}

func (c *Case) reopen(r Rules, a *Action) error {
	if err := r.voter(a.By, "reopening a case"); err != nil {
		return err
	}
	if c.State != StateFinding && c.State != StateRemedy && c.State != StateClosed {
		return refuse(RuleProcedure, "case %s is %s and has no finding yet: new evidence is cited in the case as it runs, not by reopening it", c.ID, c.Status(a.At).Phrase())
	}
	if m, ok := c.OpenMotion(r, a.At); ok {
		return refuse(RuleProcedure, "motion %s on case %s is still open until %s", m.ID, c.ID, stamp(m.Closes))
	}
	ro := a.Reopening
	var fresh int
	for _, e := range ro.Events {
		if !slices.Contains(c.Events, e) {
			fresh++
		}
	}
	for _, e := range ro.Incidents {
		if !slices.Contains(c.Incidents, e) {
			fresh++
		}
	}
	for _, e := range ro.Evidence {
		if !slices.Contains(c.Evidence, e) {
			fresh++
		}
	}
	if fresh == 0 {
		return refuse(RuleInput, "a case is reopened by new evidence: cite at least one event, incident or piece of evidence the case does not already cite")
	}
	if strings.TrimSpace(ro.Reasons) == "" {
		return refuse(RuleInput, "reopening a case gives its reasons")
	}
	for _, e := range ro.Events {
		if !slices.Contains(c.Events, e) {
			c.Events = append(c.Events, e)
		}
	}
	for _, e := range ro.Incidents {
		if !slices.Contains(c.Incidents, e) {
			c.Incidents = append(c.Incidents, e)
		}
	}
	for _, e := range ro.Evidence {
		if !slices.Contains(c.Evidence, e) {
			c.Evidence = append(c.Evidence, e)
		}
	}
	c.State = StateOpen
	c.Round++
	c.Notice, c.Reply, c.RepliedAt, c.Closed = nil, nil, time.Time{}, time.Time{}
	return nil
}
