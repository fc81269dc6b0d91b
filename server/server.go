package server

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/assess"
	"github.com/truce-mechanism/truce/coverage"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/ledger"
	"github.com/truce-mechanism/truce/notify"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/web"
)

// Intake limits. A batch beyond them is refused whole with 413 before any
// of it is stored.
const (
	MaxBodyBytes      = 32 << 20
	MaxBatchDocuments = 100_000
)

// Config is what a Server needs. Zero values are usable defaults except for
// Store.
type Config struct {
	Store store.Store
	// Agreements are the agreement versions the server knows, in force by
	// their effective times.
	Agreements *agreement.Versions
	Log        *slog.Logger
	// Now is the clock; injected so tests are deterministic.
	Now func() time.Time
	// Demo opens everything to one anonymous demo user and marks every
	// response with a Truce-Demo header and the UI with a banner.
	Demo bool
	// Registry receives the server's metrics; nil means a new registry.
	Registry *prometheus.Registry
	// Version is reported by /healthz and the UI.
	Version string
	// Ledger is the verifiable log this server serves and proves from,
	// and LedgerKey its verifier key; nil: the ledger routes answer 503.
	Ledger    *ledger.Log
	LedgerKey string
	// Stored is told of every intake batch once it is durable (the
	// ledger's committer takes new records from here).
	Stored func([]store.Stored)
	// Fusion is the live fusion engine whose events the API serves; nil:
	// the events routes answer 503.
	Fusion *fusion.Live
	// Assess assesses an event for the API (violations, attribution,
	// corroboration); nil: events are shown unassessed.
	Assess func(fusion.Event) assess.Assessment
	// Coverage says where and when the mechanism could see; nil: the
	// coverage route answers 503.
	Coverage *coverage.Tracker
	// PublicMetrics opens /metrics to everyone; otherwise only admins
	// see it (its counts include records the public may not see).
	PublicMetrics bool
	// OIDC are the organisations' identity providers (LoadOIDCConfig).
	OIDC []OIDCProvider
	// HTTPClient calls identity providers; nil: one with a 10 s timeout.
	HTTPClient *http.Client
	// Notify publishes every procedure record to the live streams; nil:
	// the server makes its own. Close it to end the streams (shutdown).
	Notify *notify.Broker
	// Webhooks is woken when procedure records are stored; nil: no
	// dispatcher runs beside this server (subscriptions are kept, and
	// delivered by whichever node runs one).
	Webhooks *notify.Dispatcher
	// StreamHeartbeat is how often a stream beats and reads the store for
	// records appended elsewhere; 0: DefaultStreamHeartbeat.
	StreamHeartbeat time.Duration
}

// Server serves the API. Build it with New; it is an http.Handler.
type Server struct {
	store         store.Store
	agreements    *agreement.Versions
	log           *slog.Logger
	now           func() time.Time
	demo          bool
	version       string
	metrics       *metrics
	registry      *prometheus.Registry
	intake        *intake.Intake
	mux           *http.ServeMux
	audit         auditBuffer
	throttle      loginThrottle
	fusion        *fusion.Live
	coverage      *coverage.Tracker
	assess        func(fusion.Event) assess.Assessment
	publicMetrics bool
	oidc          map[string]*oidcClient
	httpClient    *http.Client
	ledger        *ledger.Log
	ledgerKeyText string
	notify        *notify.Broker
	webhooks      *notify.Dispatcher
	streamBeat    time.Duration
	handler       http.Handler
}

// New builds a server from cfg.
func New(cfg Config) *Server {
	s := &Server{
		store:         cfg.Store,
		agreements:    cfg.Agreements,
		log:           cfg.Log,
		now:           cfg.Now,
		demo:          cfg.Demo,
		version:       cfg.Version,
		registry:      cfg.Registry,
		mux:           http.NewServeMux(),
		oidc:          map[string]*oidcClient{},
		publicMetrics: cfg.PublicMetrics,
		fusion:        cfg.Fusion,
		coverage:      cfg.Coverage,
		assess:        cfg.Assess,
		httpClient:    cfg.HTTPClient,
		ledger:        cfg.Ledger,
		ledgerKeyText: cfg.LedgerKey,
		notify:        cfg.Notify,
		webhooks:      cfg.Webhooks,
		streamBeat:    cmp.Or(cfg.StreamHeartbeat, DefaultStreamHeartbeat),
	}
	if s.notify == nil {
		s.notify = notify.NewBroker(notify.DefaultBuffer)
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.httpClient == nil {
		s.httpClient = &http.Client{Timeout: oidcTimeout}
	}
	for _, p := range cfg.OIDC {
		s.oidc[p.Org] = &oidcClient{cfg: p}
	}
	if s.registry == nil {
		s.registry = prometheus.NewRegistry()
	}
	if s.agreements == nil {
		s.agreements = &agreement.Versions{}
	}
	s.intake = &intake.Intake{Store: s.store, Now: s.now, AnySource: s.demo, Stored: cfg.Stored}
	s.metrics = newMetrics(s.registry)
	s.routes()
	// Browsers carry the session cookie on every request; Go's
	// cross-origin protection refuses unsafe requests another site makes
	// them send (CSRF). Clients that send no Origin or Sec-Fetch-Site
	// (curl, truce ingest) are not browsers and pass.
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeProblem(w, r, newProblem(codeCrossOrigin, "a request from another site was refused (cross-site request forgery protection)"))
	}))
	s.handler = s.withRecovery(s.withMetrics(s.withDemo(csrf.Handler(s.withReader(s.withAudit(s.mux))))))
	return s
}

// route is one pattern the server answers and its handler.
type route struct {
	pattern string
	handler http.Handler
}

// routeTable is every route. The access matrix test walks it, and fails
// when a route has no row there: a new route must say who may use it.
func (s *Server) routeTable() []route {
	h := func(p string, f http.HandlerFunc) route { return route{p, f} }
	return []route{
		h("GET /healthz", s.healthz),
		h("GET /readyz", s.readyz),
		{"GET /metrics", s.opsOnly(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))},

		h("POST /api/v1/observations", s.postObservations),
		h("GET /api/v1/observations", s.listObservations),
		h("GET /api/v1/observations/{source}/{id}", s.getObservation),
		h("GET /api/v1/sources", s.listSources),
		h("GET /api/v1/agreements", s.listAgreements),
		h("GET /api/v1/agreements/{id}/{version}", s.getAgreement),
		h("POST /api/v1/withdrawals", s.postWithdrawal),
		h("GET /api/v1/withdrawals", s.listWithdrawals),
		h("GET /api/v1/audit", s.listAudit),
		h("GET /api/v1/events", s.listEvents),
		h("GET /api/v1/fusion/status", s.fusionStatus),
		h("GET /api/v1/coverage", s.getCoverage),
		h("GET /api/v1/incidents", s.listIncidents),
		h("GET /api/v1/stats/daily", s.getDailyStats),
		h("POST /api/v1/login", s.login),
		h("POST /api/v1/logout", s.logout),
		h("GET /auth/oidc/{org}/login", s.oidcLogin),
		h("GET /auth/oidc/{org}/callback", s.oidcCallback),

		h("GET /ledger/key", s.ledgerKey),
		h("GET /ledger/checkpoint", s.ledgerFiles),
		h("GET /ledger/tile/", s.ledgerFiles),
		h("GET /api/v1/proof/observation/{source}/{id}", s.proveObservation),
		h("GET /api/v1/proof/withdrawal/{sequence}", s.proveWithdrawal),
		h("GET /api/v1/proof/consistency", s.consistencyProof),
		h("GET /api/v1/ledger/entries/{index}", s.ledgerEntry),
		h("POST /api/v1/releases", s.postRelease),
		h("GET /api/v1/releases", s.listReleases),
		h("GET /api/v1/releases/{id}", s.getRelease),
		h("GET /api/v1/event-versions", s.listEventVersions),
		h("GET /api/v1/proof/event/{id}/{version}", s.proveEvent),
		h("GET /api/v1/proof/release/{id}", s.proveRelease),

		h("GET /api/v1/procedure-records", s.listProcedureRecords),
		h("POST /api/v1/cases", s.postCase),
		h("GET /api/v1/cases", s.listCases),
		h("GET /api/v1/cases/{id}", s.getCase),
		h("POST /api/v1/cases/{id}/actions", s.postCaseAction),
		h("GET /api/v1/ceasefire", s.getCeasefire),
		h("POST /api/v1/determinations/motions", s.postDeterminationMotion),
		h("GET /api/v1/determinations/motions/{id}", s.getDeterminationMotion),
		h("POST /api/v1/determinations/motions/{id}/votes", s.postDeterminationVote),
		h("POST /api/v1/determinations", s.postDetermination),
		h("GET /api/v1/determinations", s.listDeterminations),
		h("POST /api/v1/reassurance/requests", s.postReassuranceRequest),
		h("POST /api/v1/reassurance/measures", s.postReassuranceMeasure),
		h("GET /api/v1/reassurance", s.listReassurance),
		h("POST /api/v1/commitments", s.postCommitment),
		h("GET /api/v1/commitments", s.listCommitments),
		h("GET /api/v1/obligations", s.listObligations),
		h("POST /api/v1/obligations/{id}/reports", s.postObligationReport),
		h("GET /api/v1/stream", s.stream),
		h("POST /api/v1/webhooks", s.postWebhook),
		h("GET /api/v1/webhooks", s.listWebhooks),
		h("DELETE /api/v1/webhooks/{id}", s.deleteWebhook),
		h("GET /api/v1/webhooks/{id}/deliveries", s.listWebhookDeliveries),

		h("GET /{$}", s.home),
		{"GET /static/", http.StripPrefix("/static/", http.FileServerFS(web.Static()))},
	}
}

// opsOnly serves h to admins, or to everyone when the operator opened it:
// operational counts are aggregates over records some readers may not see.
func (s *Server) opsOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.publicMetrics && !s.reader(r).May(access.Audit) {
			s.writeProblem(w, r, newProblem(codeNotFound, "no such resource"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Routes lists the patterns the server answers.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.routeTable() {
		out = append(out, r.pattern)
	}
	return out
}

func (s *Server) routes() {
	for _, r := range s.routeTable() {
		s.mux.Handle(r.pattern, r.handler)
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "version": s.version})
}

// readyz is ready when the store answers: a load balancer stops sending
// reports to a node whose store is gone, rather than seeing them fail.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready", slog.Any("err", err))
		s.writeProblem(w, r, newProblem(codeUnavailable, "the store does not answer"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready"})
}
