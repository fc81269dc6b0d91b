package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/notify"
	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/sqlite"
)

var t0 = time.Date(2026, 9, 2, 12, 0, 0, 0, time.UTC)

func TestSignature(t *testing.T) {
	body := []byte(`{"delivery":"wh-1-1","type":"case_action"}`)
	good := notify.Sign("whsec_a", t0, body)
	other := notify.Sign("whsec_b", t0, body)
	for _, tc := range []struct {
		name, secret, header string
		body                 []byte
		now                  time.Time
		want                 error
	}{
		{"round trip", "whsec_a", good, body, t0, nil},
		{"within tolerance", "whsec_a", good, body, t0.Add(4 * time.Minute), nil},
		{"two v1, one matches (rotation)", "whsec_a", other + "," + strings.Split(good, ",")[1], body, t0, nil},
		{"body tampered", "whsec_a", good, []byte(`{"delivery":"wh-1-1","type":"determination"}`), t0, notify.ErrBadSignature},
		{"wrong secret", "whsec_b", good, body, t0, notify.ErrBadSignature},
		{"timestamp changed", "whsec_a", strings.Replace(good, "t=", "t=1", 1), body, t0, notify.ErrStaleSignature},
		{"replayed late", "whsec_a", good, body, t0.Add(6 * time.Minute), notify.ErrStaleSignature},
		{"from the future", "whsec_a", good, body, t0.Add(-6 * time.Minute), notify.ErrStaleSignature},
		{"empty", "whsec_a", "", body, t0, notify.ErrMalformedSignature},
		{"no v1", "whsec_a", "t=1788350400", body, t0, notify.ErrMalformedSignature},
		{"short v1", "whsec_a", "t=1788350400,v1=abcd", body, t0, notify.ErrMalformedSignature},
		{"two t", "whsec_a", good + ",t=1", body, t0, notify.ErrMalformedSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := notify.Verify(tc.secret, tc.header, tc.body, tc.now, 0); !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v; want %v", err, tc.want)
			}
		})
	}
	if !strings.HasPrefix(good, "t=1788350400,v1=") || len(good) != len("t=1788350400,v1=")+64 {
		t.Fatalf("header %q", good)
	}
}

func FuzzParseSignature(f *testing.F) {
	f.Add(notify.Sign("s", t0, []byte("{}")))
	f.Add("t=1,v1=" + strings.Repeat("0", 64) + ",v2=zz")
	f.Add("t=-1,v1=")
	f.Add(",,=,")
	f.Fuzz(func(t *testing.T, header string) {
		sig, err := notify.ParseSignature(header)
		if err != nil {
			return
		}
		if len(sig.V1) == 0 || sig.Timestamp < 0 {
			t.Fatalf("accepted %q as %+v", header, sig)
		}
		for _, v := range sig.V1 {
			if len(v) != 32 {
				t.Fatalf("accepted a %d-byte signature", len(v))
			}
		}
		// What parses verifies or fails cleanly, never panics.
		_ = notify.Verify("s", header, []byte("{}"), time.Unix(sig.Timestamp, 0), time.Minute)
	})
}

func TestBackoff(t *testing.T) {
	d := notify.NewDispatcher(notify.DispatcherConfig{Seed: 7})
	again := notify.NewDispatcher(notify.DispatcherConfig{Seed: 7})
	for _, tc := range []struct {
		attempt int
		ceiling time.Duration
	}{
		{1, 10 * time.Second}, {2, 20 * time.Second}, {3, 40 * time.Second}, {4, 80 * time.Second},
		{5, 160 * time.Second}, {6, 320 * time.Second}, {7, 640 * time.Second}, {9, 2560 * time.Second},
		{10, time.Hour}, {30, time.Hour}, {1000, time.Hour},
	} {
		got := d.Backoff(tc.attempt)
		if got < tc.ceiling/2 || got > tc.ceiling {
			t.Errorf("after failure %d: wait %v; want within [%v, %v]", tc.attempt, got, tc.ceiling/2, tc.ceiling)
		}
		if same := again.Backoff(tc.attempt); same != got {
			t.Errorf("after failure %d: %v, then %v with the same seed", tc.attempt, got, same)
		}
	}
}

func TestBroker(t *testing.T) {
	b := notify.NewBroker(2)
	rus := access.Reader{Name: "rus", Org: "RUS", OrgKind: access.KindParty, Roles: []string{access.RoleLiaison}}
	liaison := b.Subscribe(rus.CanSee)
	everyone := b.Subscribe(nil)
	b.Publish(notify.Notification{Sequence: 1, Marking: "COMMISSION"}, notify.Notification{Sequence: 2, Marking: "REL TO RUS"})
	if n := <-liaison.C; n.Sequence != 2 {
		t.Fatalf("the liaison got %d; want only 2 (REL TO RUS)", n.Sequence)
	}
	b.Publish(notify.Notification{Sequence: 3, Marking: "PUBLIC"})
	// everyone holds 1 and 2 unread: 3 overflows its buffer.
	var got []int64
	for n := range everyone.C {
		got = append(got, n.Sequence)
	}
	if len(got) != 2 || !everyone.Dropped() {
		t.Fatalf("a slow subscriber got %v, dropped %v; want [1 2] and dropped", got, everyone.Dropped())
	}
	if n := <-liaison.C; n.Sequence != 3 || liaison.Dropped() {
		t.Fatalf("the liaison got %d, dropped %v", n.Sequence, liaison.Dropped())
	}
	liaison.Close()
	liaison.Close()
	if _, open := <-liaison.C; open || b.Subscribers() != 0 {
		t.Fatal("closed subscription still open")
	}
	late := b.Subscribe(nil)
	b.Close()
	if _, open := <-late.C; open || late.Dropped() {
		t.Fatal("closing the broker must end subscriptions without calling them dropped")
	}
	if _, open := <-b.Subscribe(nil).C; open {
		t.Fatal("a closed broker accepted a subscriber")
	}
}

// fixture is a store with organisations, a webhook receiver and a
// dispatcher on a clock the test moves.
type fixture struct {
	st    *sqlite.Store
	path  string
	now   time.Time
	mu    sync.Mutex
	got   []received
	fails atomic.Int64 // answer 503 this many more times
	srv   *httptest.Server
	seq   map[string]int
}

type received struct {
	delivery, event string
	body            []byte
	verified        error
}

const secret = "whsec_test"

func newFixture(t testing.TB) *fixture {
	f := &fixture{path: t.TempDir() + "/truce.db", now: t0, seq: map[string]int{}}
	f.open(t)
	for _, o := range []access.Organisation{
		{Code: "USA", Name: "United States", Kind: access.KindParticipant, Commission: true},
		{Code: "RUS", Name: "Russian Federation", Kind: access.KindParty},
	} {
		if err := f.st.PutOrganisation(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if f.fails.Add(-1) >= 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		verified := notify.Verify(secret, r.Header.Get(notify.HeaderSignature), body, f.clock(), time.Minute)
		f.mu.Lock()
		f.got = append(f.got, received{r.Header.Get(notify.HeaderDelivery), r.Header.Get(notify.HeaderEvent), body, verified})
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) open(t testing.TB) {
	st, err := sqlite.Open(context.Background(), f.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func (f *fixture) dispatcher(cfg notify.DispatcherConfig) *notify.Dispatcher {
	cfg.Store, cfg.Now, cfg.Seed = f.st, f.clock, 1
	return notify.NewDispatcher(cfg)
}

func (f *fixture) subscribe(t testing.TB, id, org string, roles ...string) {
	_, err := f.st.PutWebhookSubscription(context.Background(), store.WebhookSubscription{ID: id, URL: f.srv.URL + "/hook", Secret: secret,
		Org: org, Roles: roles, Created: f.clock(), CreatedBy: "lead.admin"})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) record(t testing.TB, kind, marking string) {
	f.seq[kind]++
	r := store.ProcedureRecord{Kind: kind, Key: "k-1", Seq: f.seq[kind], Marking: marking, Document: []byte(`{"n":1}`), By: "us.chair", Org: "USA", At: f.clock()}
	if _, err := f.st.AppendProcedureRecords(context.Background(), []store.ProcedureRecord{r}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) log(t *testing.T, sub string) []store.WebhookDelivery {
	ds, err := f.st.WebhookDeliveries(context.Background(), sub, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func step(t *testing.T, d *notify.Dispatcher) {
	if err := d.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRetryThenSuccess(t *testing.T) {
	f := newFixture(t)
	d := f.dispatcher(notify.DispatcherConfig{})
	f.record(t, "case_action", "PUBLIC") // before the subscription: not sent
	f.subscribe(t, "wh-1", "USA", access.RoleViewer)
	f.record(t, "case_action", "MISSION")
	f.fails.Store(2)
	step(t, d) // 503
	f.advance(5 * time.Second)
	step(t, d) // not due yet (≥ 5 s after the first failure)
	if ds := f.log(t, "wh-1"); len(ds) != 1 || len(ds[0].Log) != 1 {
		t.Fatalf("after a retry that was not due: %+v", ds)
	}
	f.advance(time.Minute)
	step(t, d) // 503
	f.advance(time.Minute)
	step(t, d) // 204
	ds := f.log(t, "wh-1")
	if len(ds) != 1 || ds[0].State != store.DeliveryDelivered || ds[0].Record != 2 {
		t.Fatalf("deliveries %+v", ds)
	}
	var statuses []int
	for _, a := range ds[0].Log {
		statuses = append(statuses, a.Status)
	}
	if len(statuses) != 3 || statuses[0] != 503 || statuses[1] != 503 || statuses[2] != 204 {
		t.Fatalf("attempts %v; want 503, 503, 204", statuses)
	}
	if first := ds[0].Log[0]; first.NextAttempt.Sub(first.At) < 5*time.Second || first.NextAttempt.Sub(first.At) > 10*time.Second {
		t.Fatalf("first retry %v after; want 5 to 10 s", first.NextAttempt.Sub(first.At))
	}
	if len(f.got) != 1 || f.got[0].verified != nil || f.got[0].delivery != "wh-1-2" || f.got[0].event != "case_action" {
		t.Fatalf("received %+v", f.got)
	}
	var env notify.Envelope
	if err := json.Unmarshal(f.got[0].body, &env); err != nil || env.Delivery != "wh-1-2" || env.Sequence != 2 || env.Key != "case_action/k-1/2" ||
		!strings.Contains(string(env.Record), `"marking":"MISSION"`) {
		t.Fatalf("body %s: %v", f.got[0].body, err)
	}
}

func TestGiveUp(t *testing.T) {
	f := newFixture(t)
	d := f.dispatcher(notify.DispatcherConfig{MaxAttempts: 3})
	f.subscribe(t, "wh-1", "USA", access.RoleViewer)
	f.record(t, "commitment", "PUBLIC")
	f.fails.Store(1 << 30)
	for range 5 {
		step(t, d)
		f.advance(2 * time.Hour)
	}
	ds := f.log(t, "wh-1")
	if len(ds) != 1 || ds[0].State != store.DeliveryFailed || ds[0].Attempts != 3 || len(ds[0].Log) != 3 {
		t.Fatalf("deliveries %+v", ds)
	}
	for i, a := range ds[0].Log {
		last := i == len(ds[0].Log)-1
		if a.Status != 503 || a.NextAttempt.IsZero() != last {
			t.Errorf("attempt %d: %+v", a.Attempt, a)
		}
	}
}

func TestTimeoutAndRefusal(t *testing.T) {
	f := newFixture(t)
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer slow.Close()
	defer close(block)
	ctx := context.Background()
	for id, url := range map[string]string{"wh-slow": slow.URL, "wh-gone": "http://127.0.0.1:1/hook"} {
		if _, err := f.st.PutWebhookSubscription(ctx, store.WebhookSubscription{ID: id, URL: url, Secret: secret, Org: "USA", Created: t0, CreatedBy: "a"}); err != nil {
			t.Fatal(err)
		}
	}
	f.record(t, "commitment", "PUBLIC")
	d := f.dispatcher(notify.DispatcherConfig{Client: &http.Client{Timeout: 50 * time.Millisecond}})
	step(t, d)
	for id, want := range map[string]string{"wh-slow": "timeout", "wh-gone": "refused"} {
		ds := f.log(t, id)
		if len(ds) != 1 || len(ds[0].Log) != 1 || ds[0].Log[0].Status != 0 || !strings.Contains(ds[0].Log[0].Error, want) || ds[0].State != store.DeliveryPending {
			t.Errorf("%s: %+v; want a pending delivery whose attempt failed with %q", id, ds, want)
		}
	}
}

func TestMarkings(t *testing.T) {
	f := newFixture(t)
	d := f.dispatcher(notify.DispatcherConfig{})
	f.subscribe(t, "wh-rus", "RUS", access.RoleLiaison)
	f.subscribe(t, "wh-usa", "USA", access.RoleCommissioner)
	f.subscribe(t, "wh-none", "NOBODY", access.RoleCommissioner)
	for _, m := range []string{"PUBLIC", "MISSION", "COMMISSION", "REL TO RUS", "REL TO USA"} {
		f.record(t, "case_action", m)
	}
	step(t, d)
	for sub, want := range map[string][]int64{
		"wh-rus":  {1, 4},
		"wh-usa":  {1, 2, 3, 5},
		"wh-none": {1},
	} {
		var got []int64
		for _, dl := range f.log(t, sub) {
			got = append(got, dl.Record)
		}
		if !equal(got, want) {
			t.Errorf("%s was sent records %v; want %v", sub, got, want)
		}
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// cancelling is a transport that stops the dispatcher in the middle of an
// attempt, as a kill would.
type cancelling struct{ cancel context.CancelFunc }

func (c cancelling) RoundTrip(r *http.Request) (*http.Response, error) {
	c.cancel()
	return nil, context.Canceled
}

func TestRestartResumes(t *testing.T) {
	f := newFixture(t)
	f.subscribe(t, "wh-1", "USA", access.RoleViewer)
	f.record(t, "determination", "PUBLIC")
	ctx, cancel := context.WithCancel(context.Background())
	first := f.dispatcher(notify.DispatcherConfig{Client: &http.Client{Transport: cancelling{cancel}}})
	if err := first.Step(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped round: %v", err)
	}
	if ds := f.log(t, "wh-1"); len(ds) != 1 || ds[0].State != store.DeliveryPending || ds[0].Attempts != 0 {
		t.Fatalf("before the restart: %+v; want one pending delivery, no attempt logged", ds)
	}
	if err := f.st.Close(); err != nil {
		t.Fatal(err)
	}
	f.open(t)
	second := f.dispatcher(notify.DispatcherConfig{})
	step(t, second)
	step(t, second) // nothing more: the cursor was kept
	ds := f.log(t, "wh-1")
	if len(ds) != 1 || ds[0].State != store.DeliveryDelivered || len(ds[0].Log) != 1 || len(f.got) != 1 {
		t.Fatalf("after the restart: %+v, received %d", ds, len(f.got))
	}
}

func TestRun(t *testing.T) {
	f := newFixture(t)
	f.subscribe(t, "wh-1", "USA", access.RoleViewer)
	tick := make(chan time.Time)
	d := f.dispatcher(notify.DispatcherConfig{After: func(time.Duration) <-chan time.Time { return tick }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	f.record(t, "report", "PUBLIC")
	d.Kick()
	for deadline := time.Now().Add(5 * time.Second); ; {
		f.mu.Lock()
		n := len(f.got)
		f.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a kicked dispatcher did not deliver")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
}
