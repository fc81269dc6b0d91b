package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/truce-mechanism/truce/evaluate"
	"github.com/truce-mechanism/truce/sim"
)

type evaluateOptions struct {
	truth, server, token string
	json                 bool
	wait, poll           time.Duration
}

// eventsPageLimit is the largest page the events API serves.
const eventsPageLimit = 10000

func newEvaluateCmd() *cobra.Command {
	o := evaluateOptions{}
	cmd := &cobra.Command{
		Use:   "evaluate --truth FILE --server URL [--json] [--token T] [--wait 10m]",
		Short: "Score a server's events against a simulation's ground truth",
		Long: `Score what a truce server has established against what really happened: the
events of GET /api/v1/events compared with the truth.json that 'truce simulate'
wrote beside the reports that were ingested.

It first waits (up to --wait) until the server's fusion has processed every
observation stored, showing progress on standard error, then reads every page of
events and prints the scores: detection (F1, precision, recall), association,
localisation (median error, and its ratio to the Cramér–Rao bound of each event's
sensor geometry), attribution (accuracy, wrong confident attributions, Brier
score) and violations. Events are matched to true events by the reports they
share; evaluate/MATCHING.md defines the rule and every figure.

The scores are data, not a verdict: the exit status is 0 whenever they could be
computed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runEvaluate(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.truth, "truth", "", "truth.json written by 'truce simulate' (required)")
	f.StringVar(&o.server, "server", "", "URL of the truce server that ingested the simulation's reports, e.g. http://127.0.0.1:8080 (required)")
	f.BoolVar(&o.json, "json", false, "print one JSON object instead of a table")
	f.StringVar(&o.token, "token", "", "API token, sent as Authorization: Bearer (default: none, as a --demo server needs)")
	f.DurationVar(&o.wait, "wait", 10*time.Minute, "how long to wait for fusion to catch up with the observations stored (0: do not wait)")
	f.DurationVar(&o.poll, "poll", time.Second, "how often to ask the server how far fusion has got")
	return cmd
}

func runEvaluate(cmd *cobra.Command, o evaluateOptions) error {
	if o.truth == "" {
		return errors.New("--truth: name the truth.json that 'truce simulate' wrote")
	}
	if o.server == "" {
		return errors.New("--server: name the truce server to evaluate, e.g. --server http://127.0.0.1:8080")
	}
	base, err := url.Parse(o.server)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return fmt.Errorf("--server %q: want an http or https URL such as http://127.0.0.1:8080", o.server)
	}
	if o.wait < 0 {
		return fmt.Errorf("--wait %v: want 0 or more", o.wait)
	}
	if o.poll <= 0 {
		return fmt.Errorf("--poll %v: want more than 0", o.poll)
	}
	f, err := os.Open(o.truth)
	if err != nil {
		return fmt.Errorf("--truth: %w", err)
	}
	truth, err := sim.ReadTruth(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("--truth %s: %w", o.truth, err)
	}

	c := &eventsClient{base: strings.TrimRight(o.server, "/"), token: o.token, http: &http.Client{Timeout: 2 * time.Minute}}
	ctx := cmd.Context()
	if err := c.waitForFusion(ctx, cmd.ErrOrStderr(), o.wait, o.poll, truth.Counts.Observations); err != nil {
		return err
	}
	events, err := c.allEvents(ctx)
	if err != nil {
		return err
	}
	report := evaluate.Score(truth, events, evaluate.Options{})
	if o.json {
		return report.WriteJSON(cmd.OutOrStdout())
	}
	return report.WriteTable(cmd.OutOrStdout())
}

// eventsClient reads a server's fusion status and events.
type eventsClient struct {
	base, token string
	http        *http.Client
}

// fusionStatus is GET /api/v1/fusion/status: the highest observation
// sequence stored and the highest one fusion has processed.
type fusionStatus struct {
	Observations int64
	Fused        int64
}

// apiError is an answer that waiting will not change (4xx): a wrong URL, a
// missing or refused token.
type apiError struct{ msg string }

func (e *apiError) Error() string { return e.msg }

// get fetches one JSON document; 4xx answers are apiErrors, naming the
// flag that will fix them.
func (c *eventsClient) get(ctx context.Context, path string, q url.Values) ([]byte, error) {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("--server: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("--server %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("--server %s: GET %s: %w", c.base, path, err)
	}
	if resp.StatusCode == http.StatusOK {
		return body, nil
	}
	what := fmt.Sprintf("GET %s answered %d", path, resp.StatusCode)
	var p problemDoc
	if json.Unmarshal(body, &p) == nil && p.Title != "" {
		what += ": " + p.Title
		if p.Detail != "" {
			what += ": " + p.Detail
		}
	} else if line := firstLine(body); line != "" {
		what += ": " + line
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		if c.token == "" {
			return nil, &apiError{fmt.Sprintf("--token: %s; this server wants a token that may read events", what)}
		}
		return nil, &apiError{fmt.Sprintf("--token: %s; the token given may not read events", what)}
	case resp.StatusCode == http.StatusNotFound:
		return nil, &apiError{fmt.Sprintf("--server %s: %s; is it a truce server that runs fusion?", c.base, what)}
	case resp.StatusCode < 500:
		return nil, &apiError{fmt.Sprintf("--server %s: %s", c.base, what)}
	}
	return nil, fmt.Errorf("--server %s: %s", c.base, what)
}

func (c *eventsClient) status(ctx context.Context) (fusionStatus, error) {
	body, err := c.get(ctx, "/api/v1/fusion/status", nil)
	if err != nil {
		return fusionStatus{}, err
	}
	var s struct {
		Observations *int64 `json:"observations"`
		Fused        *int64 `json:"fused"`
	}
	if err := json.Unmarshal(body, &s); err != nil || s.Observations == nil || s.Fused == nil {
		return fusionStatus{}, &apiError{fmt.Sprintf(`--server %s: GET /api/v1/fusion/status: want {"observations": N, "fused": M}, got %s`, c.base, firstLine(body))}
	}
	return fusionStatus{Observations: *s.Observations, Fused: *s.Fused}, nil
}

// waitForFusion polls the status until fusion has processed every stored
// observation, or wait has passed. Server failures (5xx, no answer) are
// retried until then: a server may be starting or busy ingesting. With
// wait 0 it asks once and goes on whatever the answer.
func (c *eventsClient) waitForFusion(ctx context.Context, w io.Writer, wait, poll time.Duration, truthReports int) error {
	deadline := time.Now().Add(wait)
	line := newStatusLine(w)
	defer line.end()
	for {
		st, err := c.status(ctx)
		var ae *apiError
		switch {
		case errors.As(err, &ae) || ctx.Err() != nil:
			return err
		case err != nil:
			line.show(fmt.Sprintf("waiting for the server: %v", err))
		case st.Fused >= st.Observations:
			line.show(fmt.Sprintf("fusion has caught up: %d of %d observations fused", st.Fused, st.Observations))
			line.end()
			if st.Observations < int64(truthReports) {
				fmt.Fprintf(w, "note: the server holds %d observations, the truth lists %d reports: were they all ingested?\n", st.Observations, truthReports)
			}
			return nil
		case wait == 0:
			line.show(fmt.Sprintf("fusion has fused %d of %d observations; scoring what is there now (--wait 0)", st.Fused, st.Observations))
			return nil
		default:
			line.show(fmt.Sprintf("waiting for fusion: %d of %d observations fused (%d%%)", st.Fused, st.Observations, 100*st.Fused/max(st.Observations, 1)))
		}
		left := time.Until(deadline)
		if left <= 0 {
			line.end()
			if err != nil {
				return fmt.Errorf("--wait %v passed: %w", wait, err)
			}
			return fmt.Errorf("--wait %v passed with fusion at %d of %d observations: wait longer (--wait), or see whether the server's fusion is stuck",
				wait, st.Fused, st.Observations)
		}
		t := time.NewTimer(min(poll, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// allEvents reads every page of GET /api/v1/events.
func (c *eventsClient) allEvents(ctx context.Context) ([]evaluate.Event, error) {
	var out []evaluate.Event
	seen := map[string]bool{}
	cursor := ""
	for page := 1; ; page++ {
		// Tentative events too: the scorer leaves them out as the default
		// list does, and counts them apart.
		q := url.Values{"limit": {fmt.Sprint(eventsPageLimit)}, "tentative": {"include"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		body, err := c.get(ctx, "/api/v1/events", q)
		if err != nil {
			return nil, err
		}
		p, err := evaluate.DecodePage(body)
		if err != nil {
			return nil, fmt.Errorf("--server %s: GET /api/v1/events, page %d: %w", c.base, page, err)
		}
		out = append(out, p.Records...)
		if p.NextCursor == "" {
			return out, nil
		}
		if seen[p.NextCursor] {
			return nil, fmt.Errorf("--server %s: GET /api/v1/events, page %d: next_cursor %q was given before: the pages would never end", c.base, page, p.NextCursor)
		}
		seen[p.NextCursor] = true
		cursor = p.NextCursor
	}
}

// statusLine shows progress on one line of a terminal, redrawn in place;
// elsewhere (a log, a pipe) it writes a line only when the text changes.
type statusLine struct {
	w    io.Writer
	tty  bool
	last string
}

func newStatusLine(w io.Writer) *statusLine {
	s := &statusLine{w: w}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		s.tty = true
	}
	return s
}

func (s *statusLine) show(text string) {
	if text == s.last {
		return
	}
	if s.tty {
		fmt.Fprintf(s.w, "\r\033[K%s", text)
	} else {
		fmt.Fprintln(s.w, text)
	}
	s.last = text
}

func (s *statusLine) end() {
	if s.tty && s.last != "" {
		fmt.Fprintln(s.w)
	}
	s.last = ""
}
