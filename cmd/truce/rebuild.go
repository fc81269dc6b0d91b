package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/store"
)

type rebuildOptions struct {
	data, store string
	json        bool
}

func newRebuildCmd() *cobra.Command {
	var o rebuildOptions
	cmd := &cobra.Command{
		Use:   "rebuild",
		Short: "Recompute every event and incident from the stored reports and compare with what was stored",
		Long: `rebuild replays every stored report in ledger order through fusion and assessment,
exactly as the server does, and prints a digest of the events and incidents it gets. The
same reports and agreement versions always give the same digest (invariant 3): run it twice,
on two machines, or before and after an upgrade, and compare. It also compares each event
the store holds as final with the one recomputed, and fails when any differs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runRebuild(cmd, o) },
	}
	cmd.Flags().StringVar(&o.data, "data", defaultDataDir, "data folder of the embedded store")
	cmd.Flags().StringVar(&o.store, "store", "", "postgres:// URL of the store (instead of --data)")
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON object instead of text")
	return cmd
}

// rebuildResult is what rebuild found.
type rebuildResult struct {
	Observations   int64  `json:"observations"`
	Events         int    `json:"events"`
	Incidents      int    `json:"incidents"`
	EventsDigest   string `json:"events_sha256"`
	IncidentDigest string `json:"incidents_sha256"`
	// Stored events compared: identical, different, and stored events the
	// rebuild did not produce at all.
	StoredSame    int      `json:"stored_identical"`
	StoredDiffer  []string `json:"stored_different"`
	StoredUnknown []string `json:"stored_not_rebuilt"`
	NotStoredYet  int      `json:"not_stored_yet"`
}

func runRebuild(cmd *cobra.Command, o rebuildOptions) error {
	ctx := cmd.Context()
	if o.store == "" {
		if _, err := os.Stat(filepath.Join(o.data, "truce.db")); err != nil {
			return fmt.Errorf("--data %s: no store there to rebuild (%w)", o.data, err)
		}
	}
	st, err := openStore(ctx, o.data, o.store)
	if err != nil {
		return err
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	versions, err := loadAgreements(ctx, st, false, log)
	if err != nil {
		return err
	}
	pipe := newEventPipeline(st, versions, newSourceBook(st), log)
	live := fusion.NewLive(st, intake.ResolveMGRS, fusion.Config{})
	var final []fusion.Event // kept, not stored: rebuild compares, it never writes
	live.Persist = func(_ context.Context, es []fusion.Event) error { final = append(final, es...); return nil }
	if _, err := live.CatchUp(ctx); err != nil {
		return err
	}
	res := rebuildResult{}
	res.Observations, _, err = live.Status(ctx)
	if err != nil {
		return err
	}
	events := append(final, live.Events()...)
	slices.SortFunc(events, func(a, b fusion.Event) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	res.Events = len(events)
	rebuilt := map[string][]byte{}
	h := sha256.New()
	for _, e := range events {
		doc := pipe.document(e)
		rebuilt[e.ID] = doc
		d := sha256.Sum256(doc)
		fmt.Fprintf(h, "%s %d %x\n", e.ID, e.Version, d)
	}
	res.EventsDigest = hex.EncodeToString(h.Sum(nil))
	// Incidents as the server groups them: tentative events left out.
	listed := slices.DeleteFunc(slices.Clone(events), func(e fusion.Event) bool { return e.Tentative })
	incidents := fusion.Incidents(listed, fusion.IncidentConfig{})
	res.Incidents = len(incidents)
	h.Reset()
	for _, in := range incidents {
		fmt.Fprintf(h, "%s", in.ID)
		for _, id := range in.Events {
			fmt.Fprintf(h, " %s", id)
		}
		fmt.Fprintln(h)
	}
	res.IncidentDigest = hex.EncodeToString(h.Sum(nil))

	// Every event the store holds must be one rebuild produced, byte for byte.
	seen := 0
	var after *store.Cursor
	for {
		recs, next, err := st.Events(ctx, store.EventQuery{Limit: 5000, After: after})
		if err != nil {
			return err
		}
		for _, r := range recs {
			seen++
			doc, ok := rebuilt[r.ID]
			switch {
			case !ok:
				res.StoredUnknown = append(res.StoredUnknown, r.ID)
			case string(doc) != string(r.Document):
				res.StoredDiffer = append(res.StoredDiffer, r.ID+" v"+strconv.Itoa(r.Version))
			default:
				res.StoredSame++
			}
		}
		if next == nil {
			break
		}
		after = next
	}
	res.NotStoredYet = res.Events - res.StoredSame - len(res.StoredDiffer)

	out := cmd.OutOrStdout()
	if o.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(out, "replayed %d reports: %d events, %d incidents\n", res.Observations, res.Events, res.Incidents)
		fmt.Fprintf(out, "events     sha256:%s\n", res.EventsDigest)
		fmt.Fprintf(out, "incidents  sha256:%s\n", res.IncidentDigest)
		fmt.Fprintf(out, "stored events: %d identical, %d different, %d not produced by the rebuild; %d not final yet\n",
			res.StoredSame, len(res.StoredDiffer), len(res.StoredUnknown), res.NotStoredYet)
		for _, id := range res.StoredDiffer {
			fmt.Fprintf(out, "  differs: %s\n", id)
		}
		for _, id := range res.StoredUnknown {
			fmt.Fprintf(out, "  not rebuilt: %s\n", id)
		}
	}
	if len(res.StoredDiffer) > 0 || len(res.StoredUnknown) > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d stored events differ from the rebuild and %d were not rebuilt at all",
			len(res.StoredDiffer), len(res.StoredUnknown))}
	}
	return nil
}
