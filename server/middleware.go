package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	observations *prometheus.CounterVec
	batchSize    prometheus.Histogram
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "truce_http_requests_total",
			Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "truce_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		observations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "truce_observations_total",
			Help: "Observations received, by outcome: created (new and durable), existing (an identical resubmission), rejected.",
		}, []string{"outcome"}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "truce_intake_batch_documents",
			Help:    "Documents per intake request.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 10),
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.observations, m.batchSize,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// statusWriter records the status a handler wrote. When the mux itself
// answers 404 or 405 (no route), it swaps the mux's plain-text answer for
// a problem document, so every error on the API has the same shape.
type statusWriter struct {
	http.ResponseWriter
	status  int
	swallow bool
	s       *Server
	r       *http.Request
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	if w.s != nil && (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) {
		w.swallow = true
		p := newProblem(codeNotFound, fmt.Sprintf("no such resource: %s %s", w.r.Method, w.r.URL.Path))
		if code == http.StatusMethodNotAllowed {
			p = &Problem{Type: problemTypeBase + "method-not-allowed", Title: "Method not allowed", Status: code,
				Detail: fmt.Sprintf("%s is not allowed on %s (allowed: %s)", w.r.Method, w.r.URL.Path, w.Header().Get("Allow"))}
		}
		w.Header().Del("X-Content-Type-Options")
		w.s.writeProblem(w.ResponseWriter, w.r, p)
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withMetrics counts and times every request by its route pattern (never
// by raw path: that would let callers mint unbounded label values), and
// logs it.
func (s *Server) withMetrics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		_, route := s.mux.Handler(r)
		sw := &statusWriter{ResponseWriter: w, r: r}
		if route == "" {
			route = "unmatched"
			sw.s = s
		}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		s.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		s.metrics.duration.WithLabelValues(route).Observe(d.Seconds())
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "http", slog.String("method", r.Method), slog.String("route", route),
			slog.String("path", r.URL.Path), slog.Int("status", sw.status), slog.Duration("took", d))
	})
}

// withDemo marks every response of a demo server, so nobody mistakes a
// demo for the mechanism's record.
func (s *Server) withDemo(next http.Handler) http.Handler {
	if !s.demo {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Truce-Demo", "demo mode: anonymous demo user with every right; not the mechanism's record")
		next.ServeHTTP(w, r)
	})
}

// withRecovery turns a panic in a handler into a logged 500 problem rather
// than a dropped connection.
func (s *Server) withRecovery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeProblem(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
