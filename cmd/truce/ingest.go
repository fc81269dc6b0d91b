package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
)

type ingestOptions struct {
	server, data, store string
	batch               int
	format              string
	anySource           bool
	retries             int
}

func newIngestCmd() *cobra.Command {
	o := ingestOptions{}
	cmd := &cobra.Command{
		Use:   "ingest (--server URL | --data DIR) FILE|-",
		Short: "Send a file of observations to a server or straight into a data folder",
		Long: `Send observations from FILE (or standard input, "-") to a truce server, or write
them straight into a data folder. The format is detected: JSON (one object or an
array), NDJSON, GeoJSON FeatureCollection or CSV. Good reports are stored even
when others are rejected; the summary names every rejected report with its line
or row, and the exit status is 1 if anything was rejected.

Resending a file is safe: a report already stored (same source and id, same
content) counts as a duplicate, not an error.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runIngest(cmd, o, args[0]) },
	}
	f := cmd.Flags()
	f.StringVar(&o.server, "server", "", "URL of a truce server, e.g. http://127.0.0.1:8080")
	f.StringVar(&o.data, "data", "", "data folder to write into directly (instead of --server)")
	f.StringVar(&o.store, "store", "", "PostgreSQL URL to write into directly (instead of --server)")
	f.IntVar(&o.batch, "batch", 5000, "documents per request or transaction")
	f.StringVar(&o.format, "format", "", "json, ndjson, geojson or csv (default: detected)")
	f.BoolVar(&o.anySource, "any-source", false, "with --data: accept reports from unregistered sources (demo folders)")
	f.IntVar(&o.retries, "retries", 5, "retries of a batch after a network or server failure (resending is idempotent)")
	return cmd
}

// ingestSummary counts what happened to every document of the input.
type ingestSummary struct {
	created, existing int
	rejected          []rejection
}

type rejection struct {
	place, pointer, detail string
}

// submitter sends one batch and reports, per document, whether it was
// stored (created or existing) or rejected with reasons. Rejections are
// per document: a rejected document never stops the good ones around it.
type submitter interface {
	submit(ctx context.Context, docs []observation.Document) (created, existing int, rejected map[int][]rejection, err error)
}

func runIngest(cmd *cobra.Command, o ingestOptions, name string) error {
	ctx := cmd.Context()
	if (o.server == "") == (o.data == "" && o.store == "") {
		return errors.New("say where to send the reports: --server URL, or --data DIR (or --store URL) to write directly")
	}
	if o.batch < 1 || o.batch > intake.MaxBatch {
		return fmt.Errorf("--batch must be 1..%d", intake.MaxBatch)
	}
	body, label, err := readInput(cmd.InOrStdin(), name)
	if err != nil {
		return err
	}
	mt, err := ingestMediaType(o.format, name, body)
	if err != nil {
		return err
	}
	docs, err := observation.Decode(mt, body)
	if err != nil {
		var de *observation.DecodeError
		if errors.As(err, &de) {
			return fmt.Errorf("%s: %s", placeOf(label, de.Line, de.Row, de.Index), de.Detail)
		}
		return fmt.Errorf("%s: %w", label, err)
	}

	var sub submitter
	if o.server != "" {
		sub = &httpSubmitter{base: strings.TrimRight(o.server, "/"), client: &http.Client{Timeout: 5 * time.Minute}, retries: o.retries, label: label}
	} else {
		dir := o.data
		if dir == "" {
			dir = defaultDataDir
		}
		st, err := openStore(ctx, dir, o.store)
		if err != nil {
			return err
		}
		defer st.Close()
		sub = &directSubmitter{in: &intake.Intake{Store: st, AnySource: o.anySource}, label: label}
	}

	progress := newProgress(cmd.ErrOrStderr(), len(docs))
	var sum ingestSummary
	for start := 0; start < len(docs); start += o.batch {
		end := min(start+o.batch, len(docs))
		c, e, rej, err := sub.submit(ctx, docs[start:end])
		if err != nil {
			progress.done()
			printSummary(cmd, label, sum)
			return fmt.Errorf("stopped after %d of %d documents: %w", start, len(docs), err)
		}
		sum.created += c
		sum.existing += e
		for i := start; i < end; i++ {
			sum.rejected = append(sum.rejected, rej[i-start]...)
		}
		progress.update(end)
	}
	progress.done()
	printSummary(cmd, label, sum)
	if len(sum.rejected) > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d reports were rejected", countRejectedDocs(sum.rejected))}
	}
	return nil
}

func countRejectedDocs(r []rejection) int {
	seen := map[string]bool{}
	for _, x := range r {
		seen[x.place] = true
	}
	return len(seen)
}

func readInput(stdin io.Reader, name string) ([]byte, string, error) {
	if name == "-" {
		b, err := io.ReadAll(stdin)
		return b, "stdin", err
	}
	b, err := os.ReadFile(name)
	return b, name, err
}

// ingestMediaType picks the decoder: the flag, else the file's extension,
// else what the content looks like.
func ingestMediaType(format, name string, body []byte) (string, error) {
	byName := map[string]string{
		"json": "application/json", "ndjson": "application/x-ndjson", "jsonl": "application/x-ndjson",
		"geojson": "application/geo+json", "csv": "text/csv",
	}
	if format != "" {
		mt, ok := byName[format]
		if !ok {
			return "", fmt.Errorf("--format %q: want json, ndjson, geojson or csv", format)
		}
		return mt, nil
	}
	if mt, ok := byName[strings.TrimPrefix(strings.ToLower(filepath.Ext(name)), ".")]; ok && mt != "application/json" {
		return mt, nil
	}
	return observation.Detect(body), nil
}

func placeOf(label string, line, row, index int) string {
	switch {
	case row > 0: // CSV: the row a spreadsheet shows, header = row 1
		return fmt.Sprintf("%s: row %d", label, row)
	case line > 0:
		return fmt.Sprintf("%s:%d", label, line)
	}
	return fmt.Sprintf("%s: document %d", label, index+1)
}

func printSummary(cmd *cobra.Command, label string, s ingestSummary) {
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "%s: accepted %d (%d new, %d duplicates), rejected %d\n",
		label, s.created+s.existing, s.created, s.existing, countRejectedDocs(s.rejected))
	const show = 200
	for i, r := range s.rejected {
		if i == show {
			fmt.Fprintf(w, "  … and %d more problems\n", len(s.rejected)-show)
			break
		}
		if r.pointer != "" {
			fmt.Fprintf(w, "  %s: %s: %s\n", r.place, r.pointer, r.detail)
		} else {
			fmt.Fprintf(w, "  %s: %s\n", r.place, r.detail)
		}
	}
}

// directSubmitter writes into a store through the same intake as the
// server. A batch with bad documents is resubmitted without them, so the
// good ones are stored and every bad one is named.
type directSubmitter struct {
	in    *intake.Intake
	label string
}

func (d *directSubmitter) submit(ctx context.Context, docs []observation.Document) (int, int, map[int][]rejection, error) {
	rejected := map[int][]rejection{}
	pending := make([]int, len(docs)) // positions in docs still to send
	for i := range pending {
		pending[i] = i
	}
	for len(pending) > 0 {
		batch := make([]observation.Document, len(pending))
		for i, p := range pending {
			batch[i] = docs[p]
		}
		accepted, err := d.in.Submit(ctx, batch)
		if err == nil {
			created := 0
			for _, a := range accepted {
				if a.Outcome == store.Created {
					created++
				}
			}
			return created, len(accepted) - created, rejected, nil
		}
		bad, err := d.rejections(batch, err)
		if err != nil {
			return 0, 0, nil, err
		}
		var keep []int
		for i, p := range pending {
			if r, ok := bad[i]; ok {
				rejected[p] = r
			} else {
				keep = append(keep, p)
			}
		}
		pending = keep
	}
	return 0, 0, rejected, nil
}

// rejections maps an intake error to the batch positions it blames.
func (d *directSubmitter) rejections(batch []observation.Document, err error) (map[int][]rejection, error) {
	bad := map[int][]rejection{}
	var (
		invalid  *intake.InvalidError
		unknown  *intake.SourceError
		conflict *store.ConflictError
	)
	var fes []observation.FieldError
	switch {
	case errors.As(err, &invalid):
		fes = invalid.Errors
	case errors.As(err, &unknown):
		fes = unknown.Errors
	case errors.As(err, &conflict):
		for _, i := range conflict.Indexes {
			doc := batch[i]
			bad[i] = append(bad[i], rejection{place: placeOf(d.label, doc.Line, doc.Row, doc.Index),
				detail: "a report with this source and id is already stored with other content (a correction needs a new id)"})
		}
		return bad, nil
	default:
		return nil, err
	}
	// FieldError.Index is the document's place in the input; find its
	// position in this batch.
	pos := map[int]int{}
	for i, doc := range batch {
		pos[doc.Index] = i
	}
	for _, fe := range fes {
		i, ok := pos[fe.Index]
		if !ok {
			return nil, fmt.Errorf("intake blamed document %d, which is not in the batch", fe.Index)
		}
		doc := batch[i]
		bad[i] = append(bad[i], rejection{place: placeOf(d.label, doc.Line, doc.Row, doc.Index), pointer: fe.Pointer, detail: fe.Detail})
	}
	return bad, nil
}

// httpSubmitter posts batches as NDJSON of each document's canonical form.
// Network failures and 5xx answers are retried with backoff: resending is
// idempotent, so a report is never stored twice.
type httpSubmitter struct {
	base    string
	client  *http.Client
	retries int
	label   string
}

// problemDoc is the part of an RFC 9457 answer the CLI reads.
type problemDoc struct {
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Errors []struct {
		Pointer, Detail string
		Index           int
	} `json:"errors"`
	Conflicts []struct{ Index int } `json:"conflicts"`
}

func (h *httpSubmitter) submit(ctx context.Context, docs []observation.Document) (int, int, map[int][]rejection, error) {
	rejected := map[int][]rejection{}
	pending := make([]int, len(docs))
	for i := range pending {
		pending[i] = i
	}
	for len(pending) > 0 {
		var body bytes.Buffer
		for _, p := range pending {
			body.Write(docs[p].Canonical)
			body.WriteByte('\n')
		}
		status, resp, err := h.post(ctx, body.Bytes())
		if err != nil {
			return 0, 0, nil, err
		}
		switch {
		case status == http.StatusOK || status == http.StatusCreated:
			var res struct{ Created, Existing int }
			if err := json.Unmarshal(resp, &res); err != nil {
				return 0, 0, nil, fmt.Errorf("the server's answer is not readable: %w", err)
			}
			return res.Created, res.Existing, rejected, nil
		case status == http.StatusUnprocessableEntity || status == http.StatusConflict:
			var p problemDoc
			if err := json.Unmarshal(resp, &p); err != nil {
				return 0, 0, nil, fmt.Errorf("server answered %d: %s", status, firstLine(resp))
			}
			blamed := map[int]bool{}
			for _, e := range p.Errors {
				if e.Index < 0 || e.Index >= len(pending) {
					return 0, 0, nil, fmt.Errorf("server answered %d: %s", status, p.Detail)
				}
				doc := docs[pending[e.Index]]
				rejected[pending[e.Index]] = append(rejected[pending[e.Index]], rejection{
					place: placeOf(h.label, doc.Line, doc.Row, doc.Index), pointer: e.Pointer, detail: e.Detail})
				blamed[e.Index] = true
			}
			for _, c := range p.Conflicts {
				if c.Index < 0 || c.Index >= len(pending) {
					return 0, 0, nil, fmt.Errorf("server answered %d: %s", status, p.Detail)
				}
				doc := docs[pending[c.Index]]
				rejected[pending[c.Index]] = append(rejected[pending[c.Index]], rejection{
					place:  placeOf(h.label, doc.Line, doc.Row, doc.Index),
					detail: "a report with this source and id is already stored with other content (a correction needs a new id)"})
				blamed[c.Index] = true
			}
			if len(blamed) == 0 {
				return 0, 0, nil, fmt.Errorf("server answered %d: %s: %s", status, p.Title, p.Detail)
			}
			var keep []int
			for i, pnd := range pending {
				if !blamed[i] {
					keep = append(keep, pnd)
				}
			}
			pending = keep
		default:
			var p problemDoc
			if json.Unmarshal(resp, &p) == nil && p.Title != "" {
				return 0, 0, nil, fmt.Errorf("server answered %d: %s: %s", status, p.Title, p.Detail)
			}
			return 0, 0, nil, fmt.Errorf("server answered %d: %s", status, firstLine(resp))
		}
	}
	return 0, 0, rejected, nil
}

// post sends one body, retrying what may succeed on a second try.
func (h *httpSubmitter) post(ctx context.Context, body []byte) (int, []byte, error) {
	backoff := 500 * time.Millisecond
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+"/api/v1/observations", bytes.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("Accept", "application/json")
		resp, err := h.client.Do(req)
		var data []byte
		if err == nil {
			data, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode < 500 {
				return resp.StatusCode, data, nil
			}
			if err == nil {
				err = fmt.Errorf("server answered %d: %s", resp.StatusCode, firstLine(data))
			}
		}
		if attempt >= h.retries || ctx.Err() != nil {
			return 0, nil, err
		}
		select {
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 15*time.Second)
	}
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// progress draws a one-line counter on a terminal, and nothing otherwise
// (logs and pipes get the summary only).
type progress struct {
	w     io.Writer
	total int
	on    bool
	last  time.Time
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.on = true
	}
	return p
}

func (p *progress) update(n int) {
	if !p.on || (time.Since(p.last) < 100*time.Millisecond && n < p.total) {
		return
	}
	p.last = time.Now()
	const width = 30
	filled := width * n / max(p.total, 1)
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d documents (%d%%)", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		n, p.total, 100*n/max(p.total, 1))
}

func (p *progress) done() {
	if p.on {
		fmt.Fprintln(p.w)
	}
}
