package server

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/commission"
	"github.com/truce-mechanism/truce/guarantee"
	"github.com/truce-mechanism/truce/store"
)

// What time alone changes — a trigger creating obligations, a deadline
// passing — is computed on every read, but nobody reads at 03:00 when an
// obligation falls due. The sweep records those moments as procedure
// records, so they are in the ledger and reach the streams and webhooks
// like any act: the coordination cell learns of an overdue obligation
// without asking, and the Commission of a reply deadline passed.

// kindDeadline records a deadline passed. Its key names what fell due —
// "obligation/<id>", "remedy/<id>", "reply/<case>/<round>" — and its
// position the escalation's level (obligations climb to 2; the rest
// have one).
const kindDeadline = "deadline"

// Deadline is the document of a deadline record.
type Deadline struct {
	// What fell due: obligation, remedy or reply.
	What string    `json:"what"`
	ID   string    `json:"id"`
	Due  time.Time `json:"due"`
	// Level and To say whom an overdue obligation escalates to.
	Level int    `json:"level"`
	To    string `json:"to,omitempty"`
	// Case is the case of a remedy or reply; Party, who owed it.
	Case  string `json:"case,omitempty"`
	Party string `json:"party"`
	// Text says it in a sentence.
	Text string `json:"text"`
}

// Sweep stores the obligations triggers created and a deadline record
// for each deadline passed by now and not yet recorded, and returns how
// many deadline records it stored. It is safe to run on several nodes at
// once: a record another node stored first is a conflict, and the next
// sweep reads it.
func (s *Server) Sweep(ctx context.Context) (int, error) {
	if _, err := s.agreementNow(); err != nil {
		return 0, nil // no agreement, no procedure
	}
	g, err := s.obligationsNow(ctx)
	if err != nil {
		return 0, err
	}
	done, err := s.records(ctx, kindDeadline, "")
	if err != nil {
		return 0, err
	}
	recorded := map[string]bool{}
	for _, r := range done {
		recorded[r.Key+"#"+strconv.Itoa(r.Seq)] = true
	}
	now := s.now()
	var recs []store.ProcedureRecord
	add := func(key string, level int, marking string, d Deadline) error {
		if recorded[key+"#"+strconv.Itoa(level)] {
			return nil
		}
		rec, err := procedureRecord(kindDeadline, key, level, marking, commission.System, d)
		if err != nil {
			return err
		}
		recorded[key+"#"+strconv.Itoa(level)] = true
		recs = append(recs, rec)
		return nil
	}

	var states []guarantee.ObligationState
	for _, o := range g.obligations {
		states = append(states, guarantee.Track(o, g.reports))
	}
	for _, e := range guarantee.Escalations(states, now) {
		o := e.Obligation
		// A sweep that missed level 1 (the server was down) records it too.
		for level := 1; level <= e.Level; level++ {
			to := guarantee.EscalateToCell
			if level == 2 {
				to = guarantee.EscalateToGovernments
			}
			d := Deadline{What: "obligation", ID: o.ID, Due: o.Due, Level: level, To: to, Party: o.Guarantor,
				Text: fmt.Sprintf("%s's obligation %s (%s) was due at %s and is not fulfilled: escalated to %s", o.Guarantor, o.ID, o.Kind, o.Due.UTC().Format(time.RFC3339), to)}
			if err := add("obligation/"+o.ID, level, o.Marking, d); err != nil {
				return 0, err
			}
		}
	}

	cases, err := s.allCases(ctx)
	if err != nil {
		return 0, err
	}
	for _, cr := range cases {
		c, rules := cr.c, cr.rules
		if c.State == commission.StateClosed {
			continue
		}
		if c.Status(now) == commission.StateReplyOverdue {
			d := Deadline{What: "reply", ID: c.ID + "/" + strconv.Itoa(c.Round), Due: c.Notice.Deadline, Level: 1, Case: c.ID, Party: c.Accused,
				Text: fmt.Sprintf("%s did not reply to case %s by %s: the Commission may deliberate without its reply", c.Accused, c.ID, c.Notice.Deadline.UTC().Format(time.RFC3339))}
			if err := add("reply/"+c.ID+"/"+strconv.Itoa(c.Round), 1, access.Commission, d); err != nil {
				return 0, err
			}
		}
		for _, e := range c.Overdue(rules, now) {
			text := fmt.Sprintf("%s has not complied with remedy %s (%s) of case %s, due at %s", c.Accused, e.Remedy.ID, e.Remedy.Kind, c.ID, e.Remedy.Due.UTC().Format(time.RFC3339))
			if e.Next != nil {
				text += fmt.Sprintf("; the ladder's next rung is %s", e.Next.Kind)
			}
			d := Deadline{What: "remedy", ID: e.Remedy.ID, Due: e.Remedy.Due, Level: 1, Case: c.ID, Party: c.Accused, Text: text}
			if err := add("remedy/"+e.Remedy.ID, 1, access.Commission, d); err != nil {
				return 0, err
			}
		}
	}
	if len(recs) == 0 {
		return 0, nil
	}
	if _, err := s.appendProcedure(ctx, access.Reader{Name: commission.SystemUser}, "deadline", recs...); err != nil {
		var p *Problem
		if errors.As(err, &p) && p.Status == 409 {
			return 0, nil // another node swept first; the next sweep reads what it stored
		}
		return 0, err
	}
	return len(recs), nil
}

// SweepEvery runs Sweep every interval until ctx ends, logging failures.
func (s *Server) SweepEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "sweeping deadlines", "err", err)
		} else if n > 0 {
			s.log.InfoContext(ctx, "deadlines passed", "recorded", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
