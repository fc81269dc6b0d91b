package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// The commands of the Commission and the guarantees (commission.go,
// guarantees.go) are for commissioners, liaisons, guarantors and the
// coordination cell: people working under pressure, not programmers. So
// they talk to a server through one small client that turns every answer
// of the API into plain words — an RFC 9457 problem becomes its title,
// its detail and each bad field by pointer — and print readable text
// unless --json asks for the API's own answer.

// Environment variables that stand in for --server and --token, so a
// user sets them once per shell instead of on every command.
const (
	envServer = "TRUCE_SERVER"
	envToken  = "TRUCE_TOKEN"
)

// clockNow is the CLI's clock, for "in 2 days" and "overdue by 3 h";
// tests set it to the server's injected clock.
var clockNow = time.Now

// apiOptions are the flags every command of the procedure takes.
type apiOptions struct {
	server, token string
	json          bool
}

// addAPIFlags puts --server, --token and --json on a command group, for
// all its subcommands.
func addAPIFlags(cmd *cobra.Command, o *apiOptions) {
	f := cmd.PersistentFlags()
	f.StringVar(&o.server, "server", "", "URL of the truce server, e.g. https://truce.example.org (default: $"+envServer+")")
	f.StringVar(&o.token, "token", "", "your API token (default: $"+envToken+"); 'truce token create' makes one")
	f.BoolVar(&o.json, "json", false, "print the API's answer as JSON instead of text")
}

// procClient sends a user's requests to the API, signed with its token.
type procClient struct {
	base, token string
	http        *http.Client
}

// client checks --server and --token (or their environment variables)
// and returns a client for them.
func (o *apiOptions) client() (*procClient, error) {
	server := o.server
	if server == "" {
		server = os.Getenv(envServer)
	}
	if server == "" {
		return nil, fmt.Errorf("which server? give --server URL, or set %s", envServer)
	}
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--server %q: want an http or https URL such as https://truce.example.org", server)
	}
	token := o.token
	if token == "" {
		token = os.Getenv(envToken)
	}
	return &procClient{base: strings.TrimRight(server, "/"), token: strings.TrimSpace(token), http: &http.Client{Timeout: time.Minute}}, nil
}

// problemError is a refusal by the API, from its RFC 9457 problem
// document: what the user reads when the server says no.
type problemError struct {
	status   int
	title    string
	detail   string
	fields   []fieldError
	hint     string
	rawFirst string // the first line of a body that was not a problem
}

type fieldError struct{ pointer, detail string }

func (e *problemError) Error() string {
	var b strings.Builder
	title := e.title
	if title == "" {
		title = http.StatusText(e.status)
	}
	fmt.Fprintf(&b, "%s (%d)", title, e.status)
	switch {
	case e.detail != "":
		fmt.Fprintf(&b, ": %s", e.detail)
	case e.rawFirst != "":
		fmt.Fprintf(&b, ": %s", e.rawFirst)
	}
	for _, f := range e.fields {
		if f.pointer != "" {
			fmt.Fprintf(&b, "\n  %s: %s", f.pointer, f.detail)
		} else {
			fmt.Fprintf(&b, "\n  %s", f.detail)
		}
	}
	if e.hint != "" {
		fmt.Fprintf(&b, "\n%s", e.hint)
	}
	return b.String()
}

// do sends one request; body, when not nil, is marshalled as JSON. It
// returns the answer's body when the status is 2xx, and a *problemError
// otherwise.
func (c *procClient) do(ctx context.Context, method, path string, body any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, fmt.Errorf("--server %s: %w", c.base, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("cannot reach the server at %s: %v", c.base, unwrapURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("the server at %s broke off its answer: %v", c.base, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return data, nil
	}
	return nil, c.problem(resp.StatusCode, data)
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// problem reads a refusal, and adds what the user can do about the
// common ones.
func (c *procClient) problem(status int, data []byte) *problemError {
	e := &problemError{status: status}
	var p struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
		Errors []struct {
			Pointer string `json:"pointer"`
			Detail  string `json:"detail"`
		} `json:"errors"`
	}
	if json.Unmarshal(data, &p) == nil && (p.Title != "" || p.Detail != "") {
		e.title, e.detail = p.Title, p.Detail
		for _, f := range p.Errors {
			e.fields = append(e.fields, fieldError{pointer: f.Pointer, detail: f.Detail})
		}
	} else {
		e.rawFirst = firstLine(data)
	}
	switch {
	case status == http.StatusUnauthorized && c.token == "":
		e.hint = fmt.Sprintf("give your token with --token, or set %s", envToken)
	case status == http.StatusUnauthorized:
		e.hint = "the token was not accepted: it may have expired or been revoked; ask your administrator for a new one"
	case status >= 500:
		e.hint = "the server failed; try again, and tell its operators if it keeps failing"
	}
	return e
}

// get reads a JSON answer into v; raw is the answer as sent.
func (c *procClient) get(ctx context.Context, path string, v any) (raw []byte, err error) {
	raw, err = c.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	return raw, decodeAnswer(path, raw, v)
}

// post sends body and reads the answer into v.
func (c *procClient) post(ctx context.Context, path string, body, v any) (raw []byte, err error) {
	raw, err = c.do(ctx, http.MethodPost, path, body)
	if err != nil {
		return nil, err
	}
	return raw, decodeAnswer(path, raw, v)
}

// call sends one request, body (nil for none) as JSON, with the client
// --server and --token make, reads the answer into v, and prints it: the
// API's own answer with --json, else what show writes from v.
func (o *apiOptions) call(cmd *cobra.Command, method, path string, body, v any, show func(w io.Writer) error) error {
	c, err := o.client()
	if err != nil {
		return err
	}
	return o.callWith(cmd, c, method, path, body, v, show)
}

// callWith is call with a client the command already holds, for a
// command that reads something before it acts.
func (o *apiOptions) callWith(cmd *cobra.Command, c *procClient, method, path string, body, v any, show func(w io.Writer) error) error {
	raw, err := c.do(cmd.Context(), method, path, body)
	if err != nil {
		return err
	}
	if err := decodeAnswer(path, raw, v); err != nil {
		return err
	}
	if o.json {
		return printJSON(cmd.OutOrStdout(), raw)
	}
	return show(cmd.OutOrStdout())
}

func decodeAnswer(path string, raw []byte, v any) error {
	if v == nil {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("the server's answer to %s is not what this truce reads (is it the same version?): %v", path, err)
	}
	return nil
}

// printJSON writes the API's answer, indented, for --json.
func printJSON(w io.Writer, raw []byte) error {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		_, err = w.Write(raw)
		return err
	}
	b.WriteByte('\n')
	_, err := b.WriteTo(w)
	return err
}

// newTable writes aligned columns; call Flush when done.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
}

// utc writes a time as RFC 3339 in UTC; "-" for none.
func utc(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// dueIn says how a deadline stands now: "in 2 days", "overdue by 3 h".
func dueIn(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := t.Sub(now)
	if d >= 0 {
		return "in " + span(d)
	}
	return "overdue by " + span(-d)
}

// deadline writes a deadline in full: "2026-09-09T12:00:00Z (in 7 days)".
func deadline(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return utc(t) + " (" + dueIn(t, now) + ")"
}

// span says a duration the way a person reads it at a glance.
func span(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d >= 3*day:
		return plural(int(d/day), "day")
	case d >= day:
		days, h := int(d/day), int((d%day)/time.Hour)
		if h == 0 {
			return plural(days, "day")
		}
		return fmt.Sprintf("%s %d h", plural(days, "day"), h)
	case d >= time.Hour:
		return fmt.Sprintf("%d h", int(d/time.Hour))
	case d >= time.Minute:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	}
	return "less than a minute"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// orDash is s, or "-" when it is empty (an empty cell misaligns nothing
// but reads as a mistake).
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

// splitList splits comma-separated flag values ("air,sea") and drops
// blanks, so "--domains air, sea" works as typed.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
