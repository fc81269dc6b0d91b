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
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/transparency-dev/tessera/client"

	"github.com/truce-mechanism/truce/ledger"
	"github.com/truce-mechanism/truce/store"
)

// errInvalid makes the exit status 1 after the command has said why.
var errInvalid = &exitError{code: 1, msg: "verification failed"}

type verifyOptions struct {
	key    string
	server string
	all    bool
	record string
	proof  string
}

func newVerifyCmd() *cobra.Command {
	o := verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify (--server URL --all | proof PROOF.json | consistency OLD NEW)",
		Short: "Check the ledger: a record's proof, two checkpoints, or a whole server",
		Long: `Check truce's verifiable log without trusting whoever runs it.

  truce verify proof PROOF.json --record RECORD.json --key KEY
      offline: the proof (GET /api/v1/proof/…) places the record in the log
      under a checkpoint signed by KEY.
  truce verify consistency OLD NEW --key KEY (--proof FILE | --server URL)
      two checkpoints: NEW extends OLD, nothing was rewritten or removed.
  truce verify --server URL --all --key KEY
      an audit: rebuild the tree from the server's tiles, check it against its
      signed checkpoint, and check every record you can read against its leaf.

KEY is the log's verifier key (name+hash+base64, as /ledger/key shows it) or a
file holding it. Get it from somewhere other than the server you check: without
--key, the server's own /ledger/key is used, which proves consistency, not
identity. The exit status is 1 when anything does not verify.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !o.all || o.server == "" {
				return errors.New("say what to verify: --server URL --all, or the proof or consistency subcommand")
			}
			return runAudit(cmd, o)
		},
	}
	cmd.PersistentFlags().StringVar(&o.key, "key", "", "the log's verifier key, or a file holding it")
	cmd.PersistentFlags().StringVar(&o.server, "server", "", "URL of a truce server, e.g. http://127.0.0.1:8080")
	cmd.Flags().BoolVar(&o.all, "all", false, "audit the whole log and every readable record (with --server)")

	proofCmd := &cobra.Command{
		Use:   "proof PROOF.json",
		Short: "Check a record's inclusion proof offline",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.proof = args[0]
			return runVerifyProof(cmd, o)
		},
	}
	proofCmd.Flags().StringVar(&o.record, "record", "", "the record as you hold it (JSON); without it only the commitment is checked")
	consistency := &cobra.Command{
		Use:   "consistency OLD_CHECKPOINT NEW_CHECKPOINT",
		Short: "Check that a newer checkpoint extends an older one",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerifyConsistency(cmd, o, args[0], args[1])
		},
	}
	consistency.Flags().StringVar(&o.proof, "proof", "", "consistency proof (the JSON of /api/v1/proof/consistency) instead of asking --server")
	cmd.AddCommand(proofCmd, consistency)
	return cmd
}

// verifierKey resolves --key: a key, a file holding one, or (with a
// server and a warning) the server's own.
func verifierKey(ctx context.Context, cmd *cobra.Command, o verifyOptions) (string, error) {
	k := strings.TrimSpace(o.key)
	if k != "" {
		if b, err := os.ReadFile(k); err == nil {
			k = strings.TrimSpace(string(b))
		} else if !strings.Contains(k, "+") {
			return "", fmt.Errorf("--key %q: neither a readable file nor a key (name+hash+base64): %v", o.key, err)
		}
		return k, nil
	}
	if o.server == "" {
		return "", errors.New("--key is needed: the log's verifier key (name+hash+base64) or a file holding it")
	}
	b, err := httpGet(ctx, o.server, "/ledger/key")
	if err != nil {
		return "", err
	}
	fmt.Fprintln(cmd.ErrOrStderr(), "warning: no --key; trusting the server's own /ledger/key")
	return strings.TrimSpace(string(b)), nil
}

func runVerifyProof(cmd *cobra.Command, o verifyOptions) error {
	key, err := verifierKey(cmd.Context(), cmd, o)
	if err != nil {
		return err
	}
	var p ledger.Proof
	if err := readJSONFile(o.proof, &p); err != nil {
		return err
	}
	var record []byte
	if o.record != "" {
		if record, err = os.ReadFile(o.record); err != nil {
			return fmt.Errorf("--record: %w", err)
		}
	}
	cp, err := p.Verify(key, record)
	out := cmd.OutOrStdout()
	if err != nil {
		fmt.Fprintf(out, "INVALID: %s %s: %v\n", p.Record.Type, p.Record.Key, err)
		return errInvalid
	}
	what := "its commitment (no --record given)"
	if record != nil {
		what = "the record as given"
	}
	fmt.Fprintf(out, "valid: %s %s (sequence %d) is in log %s at entry %d of %d; checked %s\n",
		p.Record.Type, p.Record.Key, p.Record.Sequence, cp.Origin, p.Log.Index, cp.Size, what)
	return nil
}

func runVerifyConsistency(cmd *cobra.Command, o verifyOptions, oldFile, newFile string) error {
	ctx := cmd.Context()
	key, err := verifierKey(ctx, cmd, o)
	if err != nil {
		return err
	}
	older, err := os.ReadFile(oldFile)
	if err != nil {
		return err
	}
	newer, err := os.ReadFile(newFile)
	if err != nil {
		return err
	}
	var cp struct {
		Proof [][]byte `json:"consistency_proof"`
	}
	switch {
	case o.proof != "":
		if err := readJSONFile(o.proof, &cp); err != nil {
			return err
		}
	case o.server != "":
		a, b := checkpointSize(older), checkpointSize(newer)
		body, err := httpGet(ctx, o.server, fmt.Sprintf("/api/v1/proof/consistency?from=%s&to=%s", a, b))
		if err != nil {
			return err
		}
		if err := json.Unmarshal(body, &cp); err != nil {
			return fmt.Errorf("the server's consistency proof: %w", err)
		}
	default:
		return errors.New("give the consistency proof with --proof FILE, or --server URL to ask for it")
	}
	out := cmd.OutOrStdout()
	if err := ledger.VerifyConsistency(key, older, newer, cp.Proof); err != nil {
		fmt.Fprintf(out, "INCONSISTENT: %v\n", err)
		return errInvalid
	}
	fmt.Fprintf(out, "consistent: the log of size %s extends that of size %s\n", checkpointSize(newer), checkpointSize(older))
	return nil
}

// checkpointSize is the second line of a checkpoint (its tree size).
func checkpointSize(cp []byte) string {
	lines := strings.SplitN(string(cp), "\n", 3)
	if len(lines) < 2 {
		return "?"
	}
	return lines[1]
}

func runAudit(cmd *cobra.Command, o verifyOptions) error {
	ctx := cmd.Context()
	key, err := verifierKey(ctx, cmd, o)
	if err != nil {
		return err
	}
	base, err := url.Parse(strings.TrimRight(o.server, "/") + "/ledger/")
	if err != nil {
		return fmt.Errorf("--server %q: %w", o.server, err)
	}
	fetch, err := client.NewHTTPFetcher(base, nil)
	if err != nil {
		return err
	}
	src := httpAudit{server: o.server, fetch: fetch}
	rep, err := ledger.Audit(ctx, key, ledger.Types, src)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "checkpoint: %d log entries, tree rebuilt from the tiles\n", rep.TreeSize)
	fmt.Fprintf(out, "records checked against their leaves: %d observations, %d withdrawals, %d audit events; %d readable but not yet in a checkpoint\n",
		rep.Records[ledger.TypeObservation], rep.Records[ledger.TypeWithdrawal], rep.Records[ledger.TypeAudit], rep.Uncommitted)
	fmt.Fprintf(out, "derived records checked against their leaves: %d event versions, %d releases, %d records of the Commission and the guarantees\n",
		rep.Records[ledger.TypeEvent], rep.Records[ledger.TypeRelease], rep.Records[ledger.TypeProcedure])
	if len(rep.Problems) > 0 {
		for _, p := range rep.Problems {
			fmt.Fprintln(out, "FAIL:", p)
		}
		return errInvalid
	}
	fmt.Fprintln(out, "valid: the log matches its signed checkpoint and every readable record matches its leaf")
	return nil
}

// httpAudit reads what an audit needs from a truce server.
type httpAudit struct {
	server string
	fetch  *client.HTTPFetcher
}

func (a httpAudit) Checkpoint(ctx context.Context) ([]byte, error) {
	return a.fetch.ReadCheckpoint(ctx)
}

func (a httpAudit) EntryBundle(ctx context.Context, i uint64, p uint8) ([]byte, error) {
	return a.fetch.ReadEntryBundle(ctx, i, p)
}

func (a httpAudit) Leaves(ctx context.Context, logIndex uint64) ([][32]byte, error) {
	body, err := httpGet(ctx, a.server, fmt.Sprintf("/api/v1/ledger/entries/%d", logIndex))
	if err != nil {
		return nil, err
	}
	var e struct {
		Leaves [][]byte `json:"leaf_hashes"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, err
	}
	out := make([][32]byte, len(e.Leaves))
	for i, l := range e.Leaves {
		if len(l) != 32 {
			return nil, fmt.Errorf("leaf %d is %d bytes", i, len(l))
		}
		copy(out[i][:], l)
	}
	return out, nil
}

// Records pages through every record of a type the caller may read.
func (a httpAudit) Records(ctx context.Context, typ string, fn func(int64, ledger.Commitment) error) error {
	switch typ {
	case ledger.TypeObservation:
		return a.observations(ctx, fn)
	case ledger.TypeWithdrawal:
		return a.withdrawals(ctx, fn)
	case ledger.TypeAudit:
		return a.auditEvents(ctx, fn)
	case ledger.TypeEvent:
		return a.eventVersions(ctx, fn)
	case ledger.TypeRelease:
		return a.releases(ctx, fn)
	case ledger.TypeProcedure:
		return a.procedureRecords(ctx, fn)
	}
	return fmt.Errorf("this truce cannot read records of type %q", typ)
}

// eventVersions pages through the stored event versions the caller may
// read; each is committed as its document under id/version.
func (a httpAudit) eventVersions(ctx context.Context, fn func(int64, ledger.Commitment) error) error {
	after := int64(0)
	for {
		body, err := httpGet(ctx, a.server, fmt.Sprintf("/api/v1/event-versions?limit=10000&after=%d", after))
		if err != nil {
			return err
		}
		var page struct {
			Records []struct {
				Recorded int64           `json:"recorded"`
				ID       string          `json:"id"`
				Version  int             `json:"version"`
				Document json.RawMessage `json:"document"`
			} `json:"records"`
			Next int64 `json:"next_after"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return fmt.Errorf("a page of event versions: %w", err)
		}
		for _, v := range page.Records {
			c, err := ledger.Commit(ledger.TypeEvent, ledger.EventKey(v.ID, v.Version), v.Document)
			if err != nil {
				return err
			}
			if err := fn(v.Recorded, c); err != nil {
				return err
			}
		}
		if page.Next == 0 {
			return nil
		}
		after = page.Next
	}
}

// releases pages through the releases the caller may read; the API shows
// each exactly as it was committed.
func (a httpAudit) releases(ctx context.Context, fn func(int64, ledger.Commitment) error) error {
	return a.shownAsCommitted(ctx, "/api/v1/releases", ledger.TypeRelease, func(raw []byte) (string, int64, error) {
		var rel struct {
			ID       string `json:"id"`
			Sequence int64  `json:"sequence"`
		}
		err := json.Unmarshal(raw, &rel)
		return rel.ID, rel.Sequence, err
	}, fn)
}

// procedureRecords pages through the Commission's and the guarantees'
// records the caller may read; the API shows each exactly as it was
// committed, under kind/key/seq.
func (a httpAudit) procedureRecords(ctx context.Context, fn func(int64, ledger.Commitment) error) error {
	return a.shownAsCommitted(ctx, "/api/v1/procedure-records", ledger.TypeProcedure, func(raw []byte) (string, int64, error) {
		var rec struct {
			Kind     string `json:"kind"`
			Key      string `json:"key"`
			Seq      int    `json:"seq"`
			Sequence int64  `json:"sequence"`
		}
		err := json.Unmarshal(raw, &rec)
		return fmt.Sprintf("%s/%s/%d", rec.Kind, rec.Key, rec.Seq), rec.Sequence, err
	}, fn)
}

// shownAsCommitted pages through a listing whose records are shown
// exactly as committed; keyOf names each record's key and sequence.
func (a httpAudit) shownAsCommitted(ctx context.Context, path, typ string, keyOf func([]byte) (string, int64, error), fn func(int64, ledger.Commitment) error) error {
	after := int64(0)
	for {
		body, err := httpGet(ctx, a.server, fmt.Sprintf("%s?limit=10000&after=%d", path, after))
		if err != nil {
			return err
		}
		var page struct {
			Records []json.RawMessage `json:"records"`
			Next    int64             `json:"next_after"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return fmt.Errorf("a page of %s: %w", path, err)
		}
		for _, r := range page.Records {
			key, seq, err := keyOf(r)
			if err != nil {
				return fmt.Errorf("a record of %s: %w", path, err)
			}
			c, err := ledger.Commit(typ, key, r)
			if err != nil {
				return err
			}
			if err := fn(seq, c); err != nil {
				return err
			}
		}
		if page.Next == 0 {
			return nil
		}
		after = page.Next
	}
}

// withdrawals pages through withdrawals; the API shows each exactly as
// it was committed.
func (a httpAudit) withdrawals(ctx context.Context, fn func(int64, ledger.Commitment) error) error {
	after := int64(0)
	for {
		body, err := httpGet(ctx, a.server, fmt.Sprintf("/api/v1/withdrawals?limit=10000&after=%d", after))
		if err != nil {
			return err
		}
		var page struct {
			Records []json.RawMessage `json:"records"`
			Next    int64             `json:"next_after"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return fmt.Errorf("a page of withdrawals: %w", err)
		}
		for _, r := range page.Records {
			var w struct{ Sequence int64 }
			if err := json.Unmarshal(r, &w); err != nil {
				return err
			}
			c, err := ledger.Commit(ledger.TypeWithdrawal, strconv.FormatInt(w.Sequence, 10), r)
			if err != nil {
				return err
			}
			if err := fn(w.Sequence, c); err != nil {
				return err
			}
		}
		if page.Next == 0 {
			return nil
		}
		after = page.Next
	}
}

// auditEvents pages through the audit trail, which only admins may read;
// for anyone else there is nothing to check.
func (a httpAudit) auditEvents(ctx context.Context, fn func(int64, ledger.Commitment) error) error {
	after := int64(0)
	for {
		body, err := httpGet(ctx, a.server, fmt.Sprintf("/api/v1/audit?limit=10000&after=%d", after))
		if err != nil {
			if strings.Contains(err.Error(), "404") {
				return nil
			}
			return err
		}
		var page struct {
			Events []store.AuditEvent `json:"events"`
			Next   int64              `json:"next_after"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return fmt.Errorf("a page of the audit trail: %w", err)
		}
		for _, e := range page.Events {
			c := ledger.CommitCanonical(ledger.TypeAudit, strconv.FormatInt(e.Sequence, 10), ledger.AuditRecord(e))
			if err := fn(e.Sequence, c); err != nil {
				return err
			}
		}
		if page.Next == 0 {
			return nil
		}
		after = page.Next
	}
}

// observations pages through every observation the caller may read. The
// API adds received_at, sequence and any withdrawals to each document; the
// commitment is over the document without them.
func (a httpAudit) observations(ctx context.Context, fn func(int64, ledger.Commitment) error) error {
	typ := ledger.TypeObservation
	cursor := ""
	for {
		path := "/api/v1/observations?limit=10000"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		body, err := httpGet(ctx, a.server, path)
		if err != nil {
			return err
		}
		var page struct {
			Records []map[string]json.RawMessage `json:"records"`
			Next    string                       `json:"next_cursor"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return fmt.Errorf("a page of observations: %w", err)
		}
		for _, r := range page.Records {
			var seq int64
			if err := json.Unmarshal(r["sequence"], &seq); err != nil {
				return fmt.Errorf("an observation without a sequence: %w", err)
			}
			var src, id string
			_ = json.Unmarshal(r["source"], &src)
			_ = json.Unmarshal(r["id"], &id)
			delete(r, "sequence")
			delete(r, "received_at")
			delete(r, "withdrawn")
			doc, err := json.Marshal(r)
			if err != nil {
				return err
			}
			c, err := ledger.Commit(typ, src+"/"+id, doc)
			if err != nil {
				return err
			}
			if err := fn(seq, c); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		cursor = page.Next
	}
}

func httpGet(ctx context.Context, server, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(server, "/")+path, nil)
	if err != nil {
		return nil, fmt.Errorf("--server %q: %w", server, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, bytes.TrimSpace(body))
	}
	return body, nil
}

func readJSONFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
