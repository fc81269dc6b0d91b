package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/store"
)

// Defaults of a Dispatcher.
const (
	// DefaultMaxAttempts is how often a delivery is tried before it is
	// given up (logged as failed).
	DefaultMaxAttempts = 8
	// DefaultBaseDelay is the wait after the first failure; each further
	// failure doubles it, up to DefaultMaxDelay.
	DefaultBaseDelay = 10 * time.Second
	// DefaultMaxDelay caps the wait between two attempts.
	DefaultMaxDelay = time.Hour
	// DefaultTimeout bounds one attempt; no answer in time is a failure.
	DefaultTimeout = 10 * time.Second
	// DefaultWorkers is how many deliveries are attempted at once.
	DefaultWorkers = 8
	// DefaultPoll is how often the dispatcher looks for due retries and
	// new records when nothing woke it.
	DefaultPoll = time.Second
)

// feedPage is how many procedure records one round reads at a time.
const feedPage = 1000

// maxErrorText bounds the error kept in the delivery log.
const maxErrorText = 300

// Store is what the Dispatcher needs of the store.
type Store interface {
	ProcedureRecordsAfter(ctx context.Context, seq int64, limit int) ([]store.ProcedureRecord, error)
	Organisation(ctx context.Context, code string) (access.Organisation, error)
	WebhookSubscriptions(ctx context.Context) ([]store.WebhookSubscription, error)
	EnqueueWebhookDeliveries(ctx context.Context, subscription string, cursor int64, ds []store.WebhookDelivery) error
	DueWebhookDeliveries(ctx context.Context, due time.Time, limit int) ([]store.WebhookDelivery, error)
	RecordWebhookAttempt(ctx context.Context, a store.WebhookAttempt) error
}

// DispatcherConfig configures a Dispatcher. Zero values are the defaults.
type DispatcherConfig struct {
	Store Store
	// Client sends the deliveries; nil: one with DefaultTimeout that
	// follows no redirect (a 3xx is a failure: the subscription's URL is
	// what the admin registered, nowhere else).
	Client      *http.Client
	MaxAttempts int
	BaseDelay   time.Duration
	MaxDelay    time.Duration
	Workers     int
	Poll        time.Duration
	// Now is the clock; After waits (time.After); Seed seeds the jitter.
	// Injected so tests are deterministic.
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
	Seed  uint64
	Log   *slog.Logger
}

// Dispatcher delivers procedure records to webhook subscriptions. Build it
// with NewDispatcher and run it with Run (or Step, one round at a time).
type Dispatcher struct {
	cfg  DispatcherConfig
	wake chan struct{}

	mu  sync.Mutex // guards rng
	rng *rand.Rand
}

// NewDispatcher makes a dispatcher from cfg.
func NewDispatcher(cfg DispatcherConfig) *Dispatcher {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: DefaultTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if cfg.MaxAttempts < 1 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.BaseDelay <= 0 {
		cfg.BaseDelay = DefaultBaseDelay
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = DefaultMaxDelay
	}
	if cfg.Workers < 1 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.After == nil {
		cfg.After = time.After
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Dispatcher{cfg: cfg, wake: make(chan struct{}, 1), rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}
}

// Kick wakes the dispatcher: records were stored. It never blocks.
func (d *Dispatcher) Kick() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends: a round (Step), then a wait for a Kick or
// the poll interval. An attempt in flight when ctx ends is abandoned
// unlogged, and tried again after a restart.
func (d *Dispatcher) Run(ctx context.Context) {
	for {
		if err := d.Step(ctx); err != nil && ctx.Err() == nil {
			d.cfg.Log.Error("webhooks: a round failed; retrying", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-d.cfg.After(d.cfg.Poll):
		}
	}
}

// Step runs one round: it queues a delivery for every record stored since
// each subscription's cursor that the subscription may see, then
// attempts every delivery that is due, Workers at a time, and logs each
// attempt.
func (d *Dispatcher) Step(ctx context.Context) error {
	if err := d.queue(ctx); err != nil {
		return err
	}
	return d.deliverDue(ctx)
}

// Backoff is the wait after the attempt-th failure (1-based): BaseDelay
// doubled for each failure before it, capped at MaxDelay, with "equal
// jitter" — a uniform draw from its upper half — so that receivers coming
// back from an outage are not hit by every sender at the same instant.
func (d *Dispatcher) Backoff(attempt int) time.Duration {
	w := d.cfg.BaseDelay
	for i := 1; i < attempt && w < d.cfg.MaxDelay; i++ {
		w *= 2
	}
	w = min(w, d.cfg.MaxDelay)
	d.mu.Lock()
	j := time.Duration(d.rng.Int64N(int64(w/2) + 1))
	d.mu.Unlock()
	return w - w/2 + j
}

// queue follows the procedure feed from the lowest cursor of the active
// subscriptions and stores the deliveries owed to each.
func (d *Dispatcher) queue(ctx context.Context) error {
	subs, err := d.cfg.Store.WebhookSubscriptions(ctx)
	if err != nil {
		return err
	}
	type target struct {
		sub    store.WebhookSubscription
		reader access.Reader
	}
	var targets []*target
	from := int64(-1)
	for _, s := range subs {
		if !s.Active {
			continue
		}
		org, err := d.cfg.Store.Organisation(ctx, s.Org)
		if errors.Is(err, store.ErrNotFound) {
			// Fail closed: a subscription of no known organisation may see
			// PUBLIC records only.
			org = access.Organisation{}
		} else if err != nil {
			return err
		}
		rd := access.Reader{Name: "webhook/" + s.ID}
		if org.Code != "" {
			rd = access.ReaderFor(access.User{Name: "webhook/" + s.ID, Org: org.Code, Roles: s.Roles}, org)
		}
		targets = append(targets, &target{s, rd})
		if from < 0 || s.Cursor < from {
			from = s.Cursor
		}
	}
	if len(targets) == 0 {
		return nil
	}
	now := d.cfg.Now().UTC()
	for {
		rs, err := d.cfg.Store.ProcedureRecordsAfter(ctx, from, feedPage)
		if err != nil || len(rs) == 0 {
			return err
		}
		last := rs[len(rs)-1].Sequence
		for _, t := range targets {
			if t.sub.Cursor >= last {
				continue
			}
			var ds []store.WebhookDelivery
			for _, r := range rs {
				if r.Sequence <= t.sub.Cursor || !t.reader.CanSee(r.Marking) {
					continue
				}
				dl, err := newDelivery(t.sub.ID, r, now)
				if err != nil {
					return err
				}
				ds = append(ds, dl)
			}
			if err := d.cfg.Store.EnqueueWebhookDeliveries(ctx, t.sub.ID, last, ds); err != nil {
				return err
			}
			t.sub.Cursor = last
		}
		from = last
		if len(rs) < feedPage {
			return nil
		}
	}
}

// Envelope is the body of a delivery: the notification, and the delivery
// it travels in (the receiver's idempotency key, also in Truce-Delivery).
type Envelope struct {
	Delivery string `json:"delivery"`
	Notification
}

// DeliveryID is the ID of the delivery of a record to a subscription:
// derived, so queuing it again after a crash finds it queued.
func DeliveryID(subscription string, sequence int64) string {
	return subscription + "-" + strconv.FormatInt(sequence, 10)
}

func newDelivery(sub string, r store.ProcedureRecord, now time.Time) (store.WebhookDelivery, error) {
	n, err := NotificationOf(r)
	if err != nil {
		return store.WebhookDelivery{}, err
	}
	id := DeliveryID(sub, r.Sequence)
	body, err := json.Marshal(Envelope{Delivery: id, Notification: n})
	if err != nil {
		return store.WebhookDelivery{}, err
	}
	return store.WebhookDelivery{ID: id, Subscription: sub, Event: n.Type, RecordKey: n.Key, Record: r.Sequence,
		Body: body, State: store.DeliveryPending, NextAttempt: now, Created: now}, nil
}

// deliverDue attempts the due deliveries until none is left due.
func (d *Dispatcher) deliverDue(ctx context.Context) error {
	subs, err := d.cfg.Store.WebhookSubscriptions(ctx)
	if err != nil {
		return err
	}
	byID := map[string]store.WebhookSubscription{}
	for _, s := range subs {
		byID[s.ID] = s
	}
	for {
		due, err := d.cfg.Store.DueWebhookDeliveries(ctx, d.cfg.Now(), 4*d.cfg.Workers)
		if err != nil || len(due) == 0 {
			return err
		}
		work := make(chan store.WebhookDelivery)
		errs := make(chan error, len(due))
		var wg sync.WaitGroup
		for range min(d.cfg.Workers, len(due)) {
			wg.Go(func() {
				for dl := range work {
					a := d.attempt(ctx, byID[dl.Subscription], dl)
					if ctx.Err() != nil {
						continue // stopping: the attempt is not logged, and is made again after a restart
					}
					errs <- d.cfg.Store.RecordWebhookAttempt(ctx, a)
				}
			})
		}
		for _, dl := range due {
			work <- dl
		}
		close(work)
		wg.Wait()
		close(errs)
		for err := range errs {
			// A conflict is an attempt another dispatcher on the same store
			// logged first: the receiver got it twice, as at-least-once allows.
			if err != nil && !errors.Is(err, store.ErrConflict) {
				return err
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// attempt POSTs a delivery once and says what became of it.
func (d *Dispatcher) attempt(ctx context.Context, sub store.WebhookSubscription, dl store.WebhookDelivery) store.WebhookAttempt {
	now := d.cfg.Now().UTC()
	a := store.WebhookAttempt{Delivery: dl.ID, Subscription: dl.Subscription, RecordKey: dl.RecordKey, Attempt: dl.Attempts + 1, At: now}
	a.Status, a.Error = d.post(ctx, sub, dl, now)
	switch {
	case a.Error == "" && a.Status >= 200 && a.Status < 300:
		a.State = store.DeliveryDelivered
	case a.Attempt >= d.cfg.MaxAttempts:
		a.State = store.DeliveryFailed
	default:
		a.State, a.NextAttempt = store.DeliveryPending, now.Add(d.Backoff(a.Attempt))
	}
	return a
}

func (d *Dispatcher) post(ctx context.Context, sub store.WebhookSubscription, dl store.WebhookDelivery, now time.Time) (int, string) {
	if sub.URL == "" {
		return 0, "no such subscription"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.URL, bytes.NewReader(dl.Body))
	if err != nil {
		return 0, clip(err.Error())
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "truce-webhooks/1")
	req.Header.Set(HeaderSignature, Sign(sub.Secret, now, dl.Body))
	req.Header.Set(HeaderDelivery, dl.ID)
	req.Header.Set(HeaderEvent, dl.Event)
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		var te interface{ Timeout() bool }
		if errors.As(err, &te) && te.Timeout() {
			return 0, "timeout"
		}
		return 0, clip(err.Error())
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	return resp.StatusCode, ""
}

func clip(s string) string {
	if len(s) > maxErrorText {
		return s[:maxErrorText] + "…"
	}
	return s
}
