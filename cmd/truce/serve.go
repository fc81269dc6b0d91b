package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/coverage"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/ledger"
	"github.com/truce-mechanism/truce/notify"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/server"
	"github.com/truce-mechanism/truce/store"
)

// shutdownGrace is how long in-flight requests get to finish after SIGINT
// or SIGTERM: an intake batch being committed must be answered, since its
// sender will otherwise resend it (harmless, but noisy).
const shutdownGrace = 20 * time.Second

type serveOptions struct {
	data, addr, store string
	demo              bool
	logLevel          string
	logFormat         string
	oidcConfig        string
	publicMetrics     bool
	ledger            ledgerOptions
}

// ledgerOptions are serve's flags for the verifiable log.
type ledgerOptions struct {
	origin             string
	witnessPolicy      string
	checkpointInterval time.Duration
}

func newServeCmd() *cobra.Command {
	o := serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server: API, UI, metrics",
		Long: `Run the truce server on the embedded store (SQLite and files in --data) or on
PostgreSQL (--store postgres://…). --demo loads the demo agreement and opens
everything to an anonymous demo user; every response then says so.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runServe(cmd.Context(), o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.data, "data", defaultDataDir, "data folder of the embedded store")
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on (host:port)")
	f.StringVar(&o.store, "store", "", "PostgreSQL URL (postgres://…) instead of the embedded store")
	f.BoolVar(&o.demo, "demo", false, "demo mode: load the demo agreement, anonymous demo user may do everything")
	f.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	f.StringVar(&o.logFormat, "log-format", "text", "text or json")
	f.BoolVar(&o.publicMetrics, "public-metrics", false, "open /metrics to everyone (otherwise admins only: its counts include restricted records)")
	f.StringVar(&o.oidcConfig, "oidc-config", "", `organisations' OpenID Connect providers: {"providers": [{"org", "issuer", "client_id", "client_secret", "redirect_url", "username_claim"}]}`)
	f.StringVar(&o.ledger.origin, "ledger-origin", ledger.DefaultOrigin, "the log's name, used when its key is first made in --data")
	f.StringVar(&o.ledger.witnessPolicy, "witness-policy", "", "C2SP witness policy file: which witnesses must cosign a checkpoint before it is published")
	f.DurationVar(&o.ledger.checkpointInterval, "checkpoint-interval", ledger.DefaultCheckpointInterval, "how often a new checkpoint is published (at least 100ms)")
	return cmd
}

// newLogger makes the structured logger of a long-running command,
// writing to w (the command's standard error).
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

func runServe(ctx context.Context, o serveOptions) error {
	log, err := newLogger(os.Stderr, o.logLevel, o.logFormat)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, o.data, o.store)
	if err != nil {
		return err
	}
	defer st.Close()

	versions, err := loadAgreements(ctx, st, o.demo, log)
	if err != nil {
		return err
	}
	var providers []server.OIDCProvider
	if o.oidcConfig != "" {
		if providers, err = server.LoadOIDCConfig(o.oidcConfig); err != nil {
			return fmt.Errorf("--oidc-config: %w", err)
		}
	}
	lg, key, err := openLedger(ctx, o.data, o.ledger, log)
	if err != nil {
		return err
	}
	committer := &ledger.Committer{Log: lg, Store: st, Feeds: ledger.Feeds(st), Logger: log}
	// Recover before serving: a ledger that disagrees with the store must
	// stop the server, not be discovered later.
	if n, err := committer.Recover(ctx); err != nil {
		_ = lg.Close(ctx)
		return err
	} else if n > 0 {
		log.Info("ledger recovered entries the store had not recorded", slog.Int("entries", n))
	}
	cctx, stopCommitter := context.WithCancel(context.WithoutCancel(ctx))
	committed := make(chan error, 1)
	go func() { committed <- committer.Run(cctx) }()
	defer func() {
		// Stop following, commit what the last requests stored, and let
		// Tessera publish a checkpoint covering it.
		stopCommitter()
		<-committed
		fctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if _, err := committer.CommitPending(fctx); err != nil {
			log.Error("ledger: committing the last records failed; they will be committed at the next start", slog.Any("error", err))
		}
		if err := lg.Close(fctx); err != nil {
			log.Error("ledger: closing", slog.Any("error", err))
		}
	}()

	// Fusion follows the store in ledger order, beside the server; it
	// rebuilds its events from the stored reports at every start.
	live := fusion.NewLive(st, intake.ResolveMGRS, fusion.Config{})
	live.Log = log
	// Coverage follows the same stream; it keeps coverageRetention of
	// hours (the guarantees' indicators look back 30 days).
	tracker := coverage.New(coverage.Config{})
	book := newSourceBook(st)
	pipe := newEventPipeline(st, versions, book, log)
	live.Persist = pipe.persist
	var newest atomic.Int64 // the newest report's time, unix µs
	live.Observe = func(_ int64, o *observation.Observation) {
		tracker.Add(o, book.coverageInfo(ctx, o.Source))
		if us := o.ObservedAt.UnixMicro(); us > newest.Load() {
			newest.Store(us)
		}
	}
	fctx, stopFusion := context.WithCancel(context.WithoutCancel(ctx))
	fused := make(chan struct{})
	go func() { live.Run(fctx); close(fused) }()
	defer func() { stopFusion(); <-fused }()
	go forgetCoverage(fctx, tracker, &newest)

	// Notifications: live streams end when the server shuts down; the
	// webhook dispatcher runs until the server has stopped answering, and
	// what it had not delivered is resumed from the store after a restart.
	broker := notify.NewBroker(notify.DefaultBuffer)
	hooks := notify.NewDispatcher(notify.DispatcherConfig{Store: st, Log: log})
	wctx, stopHooks := context.WithCancel(context.WithoutCancel(ctx))
	hooked := make(chan struct{})
	go func() { hooks.Run(wctx); close(hooked) }()
	defer func() { stopHooks(); <-hooked }()
	srv := server.New(server.Config{Store: st, Agreements: versions, Log: log, Demo: o.demo, Version: buildVersion(),
		Ledger: lg, LedgerKey: key.Verifier, Stored: committer.OfferObservations, OIDC: providers, PublicMetrics: o.publicMetrics,
		Fusion: live, Coverage: tracker, Assess: pipe.assess, Notify: broker, Webhooks: hooks})
	// Once fusion (and coverage, fed by the same stream) has caught up
	// with the stored reports, the month of coverage the ceasefire view
	// reads is summed once, so that its first reader does not wait for it.
	go warmWhenCaughtUp(fctx, live, srv, log)
	// The audit trail is written until the server has stopped answering,
	// then flushed once more before the ledger's last commit (deferred
	// above, so it runs after this).
	actx, stopAudit := context.WithCancel(context.WithoutCancel(ctx))
	audited := make(chan struct{})
	go func() { srv.RunAudit(actx); close(audited) }()
	defer func() { stopAudit(); <-audited }()
	// Deadlines passing (replies, remedies, obligations) are recorded as
	// they pass, once a minute, so they reach the ledger, the streams and
	// the webhooks without anyone asking.
	sctx, stopSweep := context.WithCancel(context.WithoutCancel(ctx))
	swept := make(chan struct{})
	go func() { srv.SweepEvery(sctx, time.Minute); close(swept) }()
	defer func() { stopSweep(); <-swept }()
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	hs.RegisterOnShutdown(broker.Close) // streams never go idle on their own
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.addr, err)
	}
	where := "data folder " + o.data
	if o.store != "" {
		where = "PostgreSQL"
	}
	log.Info("truce serving", slog.String("url", "http://"+ln.Addr().String()+"/"), slog.String("store", where),
		slog.Bool("demo", o.demo), slog.String("version", buildVersion()), slog.String("ledger_key", key.Verifier))
	if o.demo {
		log.Warn("DEMO MODE: an anonymous demo user may do everything; do not use for the mechanism's record")
	}

	return serveUntilDone(ctx, hs, ln, log)
}

// warmWhenCaughtUp waits until live has fused every stored report, then
// warms srv's coverage summaries (server.Server.WarmCoverage).
func warmWhenCaughtUp(ctx context.Context, live *fusion.Live, srv *server.Server, log *slog.Logger) {
	for {
		stored, fused, err := live.Status(ctx)
		if err == nil && fused >= stored {
			start := time.Now()
			srv.WarmCoverage()
			log.Info("coverage summaries warmed", slog.Duration("took", time.Since(start)))
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// coverageRetention is how far back coverage is kept in memory: the
// guarantees' indicators look back 30 days.
const coverageRetention = 35 * 24 * time.Hour

// forgetCoverage drops hours older than coverageRetention before the
// newest report every ten minutes until ctx ends, so memory follows the
// retention, not history. Report time, not the wall clock: a replay of
// last year's reports keeps its coverage.
func forgetCoverage(ctx context.Context, t *coverage.Tracker, newest *atomic.Int64) {
	tick := time.NewTicker(10 * time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if us := newest.Load(); us > 0 {
				t.Forget(time.UnixMicro(us).Add(-coverageRetention))
			}
		}
	}
}

// serveUntilDone serves until ctx ends (SIGINT, SIGTERM), then lets the
// requests in flight finish: an intake batch or a cosignature being
// answered is on disk or not at all, and finishing spares its sender a
// retry.
func serveUntilDone(ctx context.Context, hs *http.Server, ln net.Listener, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight", slog.Duration("grace", shutdownGrace))
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// loadAgreements reads every stored agreement version (and, in demo mode,
// stores the demo agreement first), so what the server applies is what the
// store holds.
func loadAgreements(ctx context.Context, st store.Store, demo bool, log *slog.Logger) (*agreement.Versions, error) {
	if demo {
		a, err := agreement.Demo()
		if err != nil {
			return nil, fmt.Errorf("the embedded demo agreement: %w", err)
		}
		if err := st.PutAgreementVersion(ctx, storedVersion(a)); err != nil {
			return nil, fmt.Errorf("storing the demo agreement: %w", err)
		}
	}
	stored, err := st.AgreementVersions(ctx)
	if err != nil {
		return nil, err
	}
	versions := &agreement.Versions{}
	for _, v := range stored {
		a, err := agreement.Parse(fmt.Sprintf("%s v%d (stored)", v.ID, v.Version), v.Document)
		if err != nil {
			return nil, fmt.Errorf("stored agreement %s version %d no longer parses: %w", v.ID, v.Version, err)
		}
		if err := versions.Add(a); err != nil {
			return nil, err
		}
		log.Info("agreement loaded", slog.String("id", a.ID), slog.Int("version", a.Version),
			slog.Time("effective_from", a.EffectiveFrom), slog.String("sha256", a.Digest()))
	}
	return versions, nil
}

func storedVersion(a *agreement.Agreement) store.AgreementVersion {
	return store.AgreementVersion{ID: a.ID, Version: a.Version, EffectiveFrom: a.EffectiveFrom,
		Document: a.Bytes(), SHA256: a.Digest(), Loaded: time.Now().UTC()}
}
