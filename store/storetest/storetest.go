package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
)

// Base is the fixtures' epoch: the day after the demo agreement's line of
// contact was frozen.
var Base = time.Date(2026, 8, 23, 0, 0, 0, 0, time.UTC)

// received is when fixtures arrive.
var received = Base.Add(36 * time.Hour)

// Run runs the storage contract against stores made by open. open returns
// an empty store; the suite closes it.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	cases := []struct {
		name string
		run  func(t *testing.T, s store.Store)
	}{
		{"AppendOutcomes", testAppendOutcomes},
		{"RecordRoundTrip", testRecordRoundTrip},
		{"Get", testGet},
		{"Query", testQuery},
		{"PagingStableAcrossInserts", testPagingStableAcrossInserts},
		{"ObservationsAfter", testObservationsAfter},
		{"Sources", testSources},
		{"AgreementVersions", testAgreementVersions},
		{"LedgerBatches", testLedgerBatches},
		{"LastSequence", testLastSequence},
		{"Withdrawals", testWithdrawals},
		{"Identities", testIdentities},
		{"SourceKeys", testSourceKeys},
		{"Audit", testAudit},
		{"Sessions", testSessions},
		{"EventVersions", testEventVersions},
		{"EventTentative", testEventTentative},
		{"EventReplay", testEventReplay},
		{"EventConflicts", testEventConflicts},
		{"EventRefused", testEventRefused},
		{"EventQuery", testEventQuery},
		{"EventPagingAcrossInserts", testEventPagingAcrossInserts},
		{"ConcurrentPutEvents", testConcurrentPutEvents},
		{"EventVersionsAfter", testEventVersionsAfter},
		{"Releases", testReleases},
		{"ProcedureRecords", testProcedureRecords},
		{"Webhooks", testWebhooks},
		{"Ping", testPing},
		{"ConcurrentAppends", testConcurrentAppends},
		{"ConcurrentResubmission", testConcurrentResubmission},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { _ = s.Close() })
			c.run(t, s)
		})
	}
}

// RunReopen checks that what a store acknowledged survives closing it:
// open returns an empty store and a function that opens the same database
// again after the first is closed.
func RunReopen(t *testing.T, open func(t *testing.T) (store.Store, func(t *testing.T) store.Store)) {
	t.Run("Reopen", func(t *testing.T) {
		ctx := context.Background()
		s, reopen := open(t)
		first := []observation.Observation{
			Build(Spec{Source: "om-1", ID: "a", At: Base, HasLocation: true, Lat: 48.1, Lon: 37.9}),
			Build(Spec{Source: "om-1", ID: "b", At: Base.Add(time.Minute)}),
		}
		stored := mustAppend(t, s, first, received)
		src := store.Source{ID: "om-1", Org: "OSCE", Kind: "monitor", Grading: "B2", Created: received}
		if err := s.PutSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		av := agreementVersion("demo", 1, []byte("version: 1\n"))
		if err := s.PutAgreementVersion(ctx, av); err != nil {
			t.Fatal(err)
		}
		ev1 := BuildEvent(EventSpec{ID: "ev-1", Start: Base, Located: true, Lat: 48.1, Lon: 37.9, Sequence: 1})
		ev2 := BuildEvent(EventSpec{ID: "ev-1", Version: 2, Start: Base, Located: true, Lat: 48.1, Lon: 37.9, Marking: []string{"MISSION"}, Sequence: 2})
		putEvents(t, s, ev1, ev2)
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}

		s = reopen(t)
		t.Cleanup(func() { _ = s.Close() })
		for _, st := range stored {
			got, err := s.Observation(ctx, st.Record.Key())
			if err != nil {
				t.Fatalf("after reopen, Observation(%v): %v", st.Record.Key(), err)
			}
			checkRecord(t, got, st.Record)
		}
		if got, err := s.Source(ctx, "om-1"); err != nil || !sameSource(got, src) {
			t.Errorf("after reopen, Source = %+v, %v; want %+v", got, err, src)
		}
		if vs, err := s.AgreementVersions(ctx); err != nil || len(vs) != 1 || !bytes.Equal(vs[0].Document, av.Document) {
			t.Errorf("after reopen, AgreementVersions = %+v, %v", vs, err)
		}
		if got, err := s.Event(ctx, "ev-1"); err != nil {
			t.Errorf("after reopen, Event: %v", err)
		} else {
			checkEvent(t, got, ev2)
		}
		if n, err := s.LastEventSequence(ctx); err != nil || n != 2 {
			t.Errorf("after reopen, LastEventSequence = %d, %v; want 2", n, err)
		}
		// Replaying the events after a restart is harmless.
		putEvents(t, s, ev1, ev2)
		// The same batch again is a resubmission, and new reports continue
		// the sequence rather than reuse it.
		again := mustAppend(t, s, first, received.Add(time.Hour))
		for i := range again {
			if again[i].Outcome != store.Existing || again[i].Record.Sequence != stored[i].Record.Sequence {
				t.Errorf("after reopen, resubmission %d = %v seq %d; want Existing seq %d", i, again[i].Outcome, again[i].Record.Sequence, stored[i].Record.Sequence)
			}
		}
		next := mustAppend(t, s, []observation.Observation{Build(Spec{Source: "om-1", ID: "c", At: Base})}, received)
		if next[0].Record.Sequence <= stored[1].Record.Sequence {
			t.Errorf("after reopen, new sequence %d does not follow %d", next[0].Record.Sequence, stored[1].Record.Sequence)
		}
		all := after(t, s, 0, 100)
		if len(all) != 3 {
			t.Errorf("after reopen, ObservationsAfter(0) has %d records; want 3", len(all))
		}
	})
}

func mustAppend(t *testing.T, s store.Store, batch []observation.Observation, at time.Time) []store.Stored {
	t.Helper()
	got, err := s.AppendObservations(context.Background(), batch, at)
	if err != nil {
		t.Fatalf("AppendObservations: %v", err)
	}
	if len(got) != len(batch) {
		t.Fatalf("AppendObservations returned %d results for %d documents", len(got), len(batch))
	}
	return got
}

func after(t *testing.T, s store.Store, seq int64, limit int) []observation.Record {
	t.Helper()
	recs, err := s.ObservationsAfter(context.Background(), seq, limit)
	if err != nil {
		t.Fatalf("ObservationsAfter(%d, %d): %v", seq, limit, err)
	}
	return recs
}

// maxSequence is the highest sequence stored.
func maxSequence(t *testing.T, s store.Store) int64 {
	t.Helper()
	var last int64
	for {
		recs := after(t, s, last, 1000)
		if len(recs) == 0 {
			return last
		}
		last = recs[len(recs)-1].Sequence
	}
}

// checkRecord compares what the store gave back with what was stored, on
// the fields every decoder must restore.
func checkRecord(t *testing.T, got, want observation.Record) {
	t.Helper()
	if got.Key() != want.Key() {
		t.Errorf("record key %v; want %v", got.Key(), want.Key())
	}
	if !bytes.Equal(got.Document, want.Document) {
		t.Errorf("%v: Document\n got %s\nwant %s", want.Key(), got.Document, want.Document)
	}
	if got.Sequence != want.Sequence {
		t.Errorf("%v: Sequence %d; want %d", want.Key(), got.Sequence, want.Sequence)
	}
	if !got.ReceivedAt.Equal(want.ReceivedAt) {
		t.Errorf("%v: ReceivedAt %v; want %v", want.Key(), got.ReceivedAt, want.ReceivedAt)
	}
	if !got.ObservedAt.Equal(want.ObservedAt) {
		t.Errorf("%v: ObservedAt %v; want %v", want.Key(), got.ObservedAt, want.ObservedAt)
	}
	if got.Kind != want.Kind || got.Marking != want.Marking || got.Count != want.Count {
		t.Errorf("%v: kind, marking, count = %q, %q, %d; want %q, %q, %d", want.Key(),
			got.Kind, got.Marking, got.Count, want.Kind, want.Marking, want.Count)
	}
	gp, wp := got.Position(), want.Position()
	switch {
	case (gp == nil) != (wp == nil):
		t.Errorf("%v: Position %v; want %v", want.Key(), gp, wp)
	case gp != nil && (gp.Lat != wp.Lat || gp.Lon != wp.Lon):
		t.Errorf("%v: Position %v,%v; want %v,%v", want.Key(), gp.Lat, gp.Lon, wp.Lat, wp.Lon)
	}
}

func testAppendOutcomes(t *testing.T, s store.Store) {
	a := Build(Spec{Source: "om-1", ID: "a", At: Base, HasLocation: true, Lat: 48.0, Lon: 37.8})
	b := Build(Spec{Source: "om-1", ID: "b", At: Base.Add(time.Minute)})
	c := Build(Spec{Source: "om-2", ID: "a", At: Base.Add(2 * time.Minute), Marking: "PUBLIC"})
	aChanged := Build(Spec{Source: "om-1", ID: "a", At: Base, HasLocation: true, Lat: 48.0, Lon: 37.8, Notes: "second thoughts"})
	d := Build(Spec{Source: "om-1", ID: "d", At: Base.Add(3 * time.Minute)})
	dChanged := Build(Spec{Source: "om-1", ID: "d", At: Base.Add(4 * time.Minute)})
	big := NewGenerator(7, Base, 24*time.Hour).Batch(2500)

	const (
		C = store.Created
		E = store.Existing
	)
	type step struct {
		batch []observation.Observation
		want  []store.Outcome // nil with conflict
		// conflict lists the batch positions that must be reported.
		conflict []int
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"new documents are created", []step{
			{batch: []observation.Observation{a, b, c}, want: []store.Outcome{C, C, C}},
		}},
		{"a resubmission is existing", []step{
			{batch: []observation.Observation{a, b}, want: []store.Outcome{C, C}},
			{batch: []observation.Observation{b, c, a}, want: []store.Outcome{E, C, E}},
		}},
		{"changed content rejects the whole batch", []step{
			{batch: []observation.Observation{a}, want: []store.Outcome{C}},
			{batch: []observation.Observation{d, aChanged, b}, conflict: []int{1}},
			{batch: []observation.Observation{d, b}, want: []store.Outcome{C, C}},
		}},
		{"every conflict of a batch is named", []step{
			{batch: []observation.Observation{a, d}, want: []store.Outcome{C, C}},
			{batch: []observation.Observation{dChanged, b, aChanged}, conflict: []int{0, 2}},
		}},
		{"same key twice in one batch with the same content", []step{
			{batch: []observation.Observation{a, b, a}, want: []store.Outcome{C, C, E}},
		}},
		{"same key twice in one batch with other content", []step{
			{batch: []observation.Observation{b, a, aChanged}, conflict: []int{2}},
			{batch: []observation.Observation{b}, want: []store.Outcome{C}},
		}},
		{"empty batch", []step{
			{batch: nil, want: []store.Outcome{}},
		}},
		{"a batch larger than any single statement", []step{
			{batch: big, want: repeat(C, len(big))},
			{batch: big[1000:1700], want: repeat(E, 700)},
		}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			// Each case writes under its own sources so cases do not meet.
			prefix := fmt.Sprintf("c%d-", i)
			first := map[observation.Key]observation.Record{}
			for si, st := range tc.steps {
				batch := make([]observation.Observation, len(st.batch))
				for j, o := range st.batch {
					batch[j] = withSourcePrefix(o, prefix)
				}
				before := maxSequence(t, s)
				beforeCount := len(after(t, s, 0, 1_000_000))
				at := received.Add(time.Duration(si) * time.Minute)
				got, err := s.AppendObservations(ctx, batch, at)
				if st.conflict != nil {
					var ce *store.ConflictError
					if !errors.As(err, &ce) || !errors.Is(err, store.ErrConflict) {
						t.Fatalf("step %d: err = %v; want *store.ConflictError", si, err)
					}
					if !slices.Equal(ce.Indexes, st.conflict) {
						t.Errorf("step %d: conflict Indexes %v; want %v", si, ce.Indexes, st.conflict)
					}
					var keys []observation.Key
					for _, j := range st.conflict {
						keys = append(keys, batch[j].Key())
					}
					if !slices.Equal(ce.Keys, keys) {
						t.Errorf("step %d: conflict Keys %v; want %v", si, ce.Keys, keys)
					}
					if n := len(after(t, s, 0, 1_000_000)); n != beforeCount {
						t.Errorf("step %d: a rejected batch changed the store: %d records, had %d", si, n, beforeCount)
					}
					for j, o := range batch {
						if _, ok := first[o.Key()]; ok || slices.Contains(st.conflict, j) {
							continue
						}
						if _, err := s.Observation(ctx, o.Key()); !errors.Is(err, store.ErrNotFound) {
							t.Errorf("step %d: %v of a rejected batch is readable (err %v)", si, o.Key(), err)
						}
					}
					continue
				}
				if err != nil {
					t.Fatalf("step %d: %v", si, err)
				}
				if len(got) != len(st.want) {
					t.Fatalf("step %d: %d results; want %d", si, len(got), len(st.want))
				}
				last := before
				for j, g := range got {
					if g.Outcome != st.want[j] {
						t.Errorf("step %d doc %d: outcome %v; want %v", si, j, g.Outcome, st.want[j])
					}
					want := observation.Record{Observation: batch[j], ReceivedAt: at, Sequence: g.Record.Sequence}
					if g.Outcome == store.Existing {
						prev, ok := first[batch[j].Key()]
						if !ok {
							t.Fatalf("step %d doc %d: Existing, but never stored before", si, j)
						}
						want = prev
					} else {
						if g.Record.Sequence <= last {
							t.Errorf("step %d doc %d: sequence %d does not follow %d", si, j, g.Record.Sequence, last)
						}
						last = g.Record.Sequence
						first[batch[j].Key()] = want
					}
					checkRecord(t, g.Record, want)
				}
			}
		})
	}
}

func repeat(o store.Outcome, n int) []store.Outcome {
	out := make([]store.Outcome, n)
	for i := range out {
		out[i] = o
	}
	return out
}

// withSourcePrefix renames an observation's source, in the typed view and
// in the document alike.
func withSourcePrefix(o observation.Observation, prefix string) observation.Observation {
	old := o.Source
	o.Source = prefix + old
	o.Document = bytes.Replace(o.Document, []byte(`"source":"`+old+`"`), []byte(`"source":"`+o.Source+`"`), 1)
	return o
}

func testRecordRoundTrip(t *testing.T, s store.Store) {
	cases := []struct {
		name string
		spec Spec
	}{
		{"located", Spec{Source: "uav-3", ID: "located", At: Base.Add(90 * time.Second), Kind: observation.WeaponSighting, Marking: "REL TO USA, UKR", Count: 4, HasLocation: true, Lat: 48.5714, Lon: 38.0000}},
		{"no location", Spec{Source: "uav-3", ID: "nowhere", At: Base.Add(123456 * time.Microsecond), Kind: observation.Restriction}},
		{"unresolved MGRS", Spec{Source: "uav-3", ID: "mgrs", At: Base, MGRS: "37UDQ0000000000"}},
		{"before 1970", Spec{Source: "uav-3", ID: "old", At: time.Date(1914, 7, 28, 12, 0, 0, 0, time.UTC), Kind: observation.Other}},
		{"far future date", Spec{Source: "uav-3", ID: "far", At: time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)}},
		{"antimeridian", Spec{Source: "uav-3", ID: "east", At: Base, HasLocation: true, Lat: 65.7, Lon: 180}},
		{"poles", Spec{Source: "uav-3", ID: "pole", At: Base, HasLocation: true, Lat: -90, Lon: -180}},
		{"non-ASCII notes", Spec{Source: "uav-3", ID: "notes", At: Base, Notes: "Обстріл біля Авдіївки — «Град»"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := Build(tc.spec)
			got := mustAppend(t, s, []observation.Observation{o}, received)
			want := observation.Record{Observation: o, ReceivedAt: received, Sequence: got[0].Record.Sequence}
			checkRecord(t, got[0].Record, want)
			read, err := s.Observation(context.Background(), o.Key())
			if err != nil {
				t.Fatal(err)
			}
			checkRecord(t, read, want)
		})
	}
}

func testGet(t *testing.T, s store.Store) {
	o := Build(Spec{Source: "om-1", ID: "x-1", At: Base})
	mustAppend(t, s, []observation.Observation{o}, received)
	cases := []struct {
		name    string
		key     observation.Key
		wantErr error
	}{
		{"stored", observation.Key{Source: "om-1", ID: "x-1"}, nil},
		{"unknown id", observation.Key{Source: "om-1", ID: "x-2"}, store.ErrNotFound},
		{"id under another source", observation.Key{Source: "om-2", ID: "x-1"}, store.ErrNotFound},
		{"case matters", observation.Key{Source: "OM-1", ID: "x-1"}, store.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Observation(context.Background(), tc.key)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v; want %v", err, tc.wantErr)
			}
			if err == nil && !bytes.Equal(got.Document, o.Document) {
				t.Errorf("Document %s; want %s", got.Document, o.Document)
			}
		})
	}
}

// queryFixtures stores a varied set of observations and returns them as
// stored.
func queryFixtures(t *testing.T, s store.Store) []observation.Record {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := []observation.Kind{observation.Explosion, observation.Shot, observation.Burst, observation.Movement}
	markings := []string{"PUBLIC", "MISSION", "COMMISSION", "REL TO USA, UKR"}
	var specs []Spec
	for i := range 240 {
		sp := Spec{
			Source:  fmt.Sprintf("src-%d", i%3),
			ID:      fmt.Sprintf("q-%03d", i),
			At:      Base.Add(time.Duration(rng.IntN(72*60)) * time.Minute),
			Kind:    kinds[rng.IntN(len(kinds))],
			Marking: markings[rng.IntN(len(markings))],
		}
		switch i % 10 {
		case 0: // nowhere
		case 1:
			sp.MGRS = "37UDQ12"
		case 2, 3: // either side of the antimeridian, in Chukotka and Alaska
			sp.HasLocation, sp.Lat = true, 64+rng.Float64()*2
			sp.Lon = 178 + rng.Float64()*2
			if i%10 == 3 {
				sp.Lon = -180 + rng.Float64()*2
			}
		default: // Donbas
			sp.HasLocation = true
			sp.Lat, sp.Lon = 47.5+rng.Float64()*1.5, 37+rng.Float64()*2
		}
		specs = append(specs, sp)
	}
	// Edge cases: exactly on a window's bounds and a box's edges, and
	// several reports at the same instant (ordered by sequence).
	specs = append(specs,
		Spec{Source: "src-0", ID: "edge-since", At: Base.Add(24 * time.Hour), HasLocation: true, Lat: 48, Lon: 38},
		Spec{Source: "src-0", ID: "edge-until", At: Base.Add(48 * time.Hour), HasLocation: true, Lat: 48, Lon: 38},
		// 37.53 and 48.47 have no exact 32-bit float: an index that rounds
		// them the wrong way loses these two.
		Spec{Source: "src-0", ID: "edge-west", At: Base.Add(30 * time.Hour), HasLocation: true, Lat: 48.2, Lon: 37.53},
		Spec{Source: "src-0", ID: "edge-north", At: Base.Add(30 * time.Hour), HasLocation: true, Lat: 48.47, Lon: 37.7},
		Spec{Source: "src-1", ID: "same-1", At: Base.Add(40 * time.Hour), HasLocation: true, Lat: 48.3, Lon: 37.6},
		Spec{Source: "src-2", ID: "same-2", At: Base.Add(40 * time.Hour), HasLocation: true, Lat: 48.3, Lon: 37.6},
		Spec{Source: "src-0", ID: "same-3", At: Base.Add(40 * time.Hour), HasLocation: true, Lat: 48.3, Lon: 37.6},
		Spec{Source: "src-1", ID: "date-line", At: Base.Add(40 * time.Hour), HasLocation: true, Lat: 65, Lon: -180},
	)
	var recs []observation.Record
	// Several batches, so that sequence order and time order differ.
	for len(specs) > 0 {
		n := min(len(specs), 1+rng.IntN(60))
		batch := make([]observation.Observation, n)
		for i := range batch {
			batch[i] = Build(specs[i])
		}
		specs = specs[n:]
		for _, st := range mustAppend(t, s, batch, received) {
			recs = append(recs, st.Record)
		}
	}
	return recs
}

// matches is the contract's meaning of a query, written the plain way.
func matches(q store.ObservationQuery, r observation.Record) bool {
	if !q.Since.IsZero() && r.ObservedAt.Before(q.Since) {
		return false
	}
	if !q.Until.IsZero() && !r.ObservedAt.Before(q.Until) {
		return false
	}
	if q.BBox != nil {
		p := r.Position()
		if p == nil || p.Lat < q.BBox.South || p.Lat > q.BBox.North {
			return false
		}
		if q.BBox.West <= q.BBox.East {
			if p.Lon < q.BBox.West || p.Lon > q.BBox.East {
				return false
			}
		} else if p.Lon < q.BBox.West && p.Lon > q.BBox.East {
			return false
		}
	}
	if q.Kinds != nil && !slices.Contains(q.Kinds, r.Kind) {
		return false
	}
	if q.Sources != nil && !slices.Contains(q.Sources, r.Source) {
		return false
	}
	if q.Markings != nil && !q.Markings(r.Marking) {
		return false
	}
	return true
}

func expected(q store.ObservationQuery, all []observation.Record) []observation.Key {
	var sel []observation.Record
	for _, r := range all {
		if matches(q, r) {
			sel = append(sel, r)
		}
	}
	slices.SortFunc(sel, func(a, b observation.Record) int {
		if c := a.ObservedAt.Compare(b.ObservedAt); c != 0 {
			return c
		}
		return int(a.Sequence - b.Sequence)
	})
	keys := make([]observation.Key, len(sel))
	for i, r := range sel {
		keys[i] = r.Key()
	}
	return keys
}

func allow(markings ...string) store.MarkingFilter {
	return func(m string) bool { return slices.Contains(markings, m) }
}

func testQuery(t *testing.T, s store.Store) {
	all := queryFixtures(t, s)
	day1, day2 := Base.Add(24*time.Hour), Base.Add(48*time.Hour)
	donbas := &store.BBox{West: 37.53, South: 47.8, East: 38.2, North: 48.47}
	dateLine := &store.BBox{West: 179, South: 60, East: -179, North: 70}
	cases := []struct {
		name string
		q    store.ObservationQuery
		// atLeast guards against a vacuous case: the oracle must select
		// this many.
		atLeast int
		mustSee []string // ids that must be in the result
		mustNot []string // ids that must not
	}{
		{name: "everything", q: store.ObservationQuery{}, atLeast: 248},
		{name: "time window", q: store.ObservationQuery{Since: day1, Until: day2}, atLeast: 40,
			mustSee: []string{"edge-since"}, mustNot: []string{"edge-until"}},
		{name: "since only", q: store.ObservationQuery{Since: day2}, atLeast: 40, mustSee: []string{"edge-until"}},
		{name: "until only", q: store.ObservationQuery{Until: day1}, atLeast: 40, mustNot: []string{"edge-since"}},
		{name: "bbox", q: store.ObservationQuery{BBox: donbas}, atLeast: 20,
			mustSee: []string{"edge-west", "edge-north", "same-1"}},
		{name: "bbox and time", q: store.ObservationQuery{BBox: donbas, Since: day1, Until: day2}, atLeast: 5,
			mustSee: []string{"edge-since", "edge-west", "same-1", "same-2", "same-3"}, mustNot: []string{"edge-until"}},
		{name: "bbox across the antimeridian", q: store.ObservationQuery{BBox: dateLine}, atLeast: 10, mustSee: []string{"date-line"}},
		{name: "bbox across the antimeridian and time", q: store.ObservationQuery{BBox: dateLine, Since: day1, Until: day2}, atLeast: 3},
		{name: "whole world", q: store.ObservationQuery{BBox: &store.BBox{West: -180, South: -90, East: 180, North: 90}}, atLeast: 200,
			mustNot: []string{"q-000", "q-001"}},
		{name: "empty box", q: store.ObservationQuery{BBox: &store.BBox{West: 10, South: 10, East: 11, North: 11}}},
		{name: "kind", q: store.ObservationQuery{Kinds: []observation.Kind{observation.Shot, observation.Movement}}, atLeast: 60},
		{name: "source", q: store.ObservationQuery{Sources: []string{"src-1"}}, atLeast: 60},
		{name: "unknown source", q: store.ObservationQuery{Sources: []string{"nobody"}}},
		{name: "markings", q: store.ObservationQuery{Markings: allow("PUBLIC", "MISSION")}, atLeast: 80},
		{name: "no marking visible", q: store.ObservationQuery{Markings: allow()}},
		{name: "every filter", q: store.ObservationQuery{Since: Base.Add(12 * time.Hour), Until: Base.Add(60 * time.Hour), BBox: donbas,
			Kinds: []observation.Kind{observation.Explosion, observation.Shot}, Sources: []string{"src-0", "src-2"},
			Markings: allow("PUBLIC", "MISSION", "REL TO USA, UKR")}, atLeast: 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := expected(tc.q, all)
			if len(want) < tc.atLeast {
				t.Fatalf("fixture selects %d; the case needs at least %d", len(want), tc.atLeast)
			}
			for _, id := range tc.mustSee {
				if !slices.ContainsFunc(want, func(k observation.Key) bool { return k.ID == id }) {
					t.Fatalf("fixture does not select %s", id)
				}
			}
			for _, id := range tc.mustNot {
				if slices.ContainsFunc(want, func(k observation.Key) bool { return k.ID == id }) {
					t.Fatalf("fixture selects %s", id)
				}
			}
			// One page holding everything, then pages of several sizes:
			// every way of reading gives the same sequence.
			for _, limit := range []int{0, 1, 7, 100} {
				got := readAll(t, s, tc.q, limit)
				if !slices.Equal(got, want) {
					t.Errorf("limit %d: got %d records, want %d; %s", limit, len(got), len(want), firstDifference(got, want))
				}
			}
		})
	}
	t.Run("marking filter asked once per marking", func(t *testing.T) {
		calls := map[string]int{}
		var mu sync.Mutex
		q := store.ObservationQuery{Markings: func(m string) bool {
			mu.Lock()
			defer mu.Unlock()
			calls[m]++
			return m == "PUBLIC"
		}}
		if _, _, err := s.Observations(context.Background(), q); err != nil {
			t.Fatal(err)
		}
		for m, n := range calls {
			if n > 1 {
				t.Errorf("filter asked %d times about %q", n, m)
			}
		}
	})
}

func firstDifference(got, want []observation.Key) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("first difference at %d: got %v, want %v", i, got[i], want[i])
		}
	}
	if len(got) > len(want) {
		return fmt.Sprintf("unexpected %v after the last wanted", got[len(want)])
	}
	if len(want) > len(got) {
		return fmt.Sprintf("missing %v after the last got", want[len(got)])
	}
	return "same"
}

// readAll pages through a query and returns the keys in order, checking
// that the last page, and only it, has no cursor.
func readAll(t *testing.T, s store.Store, q store.ObservationQuery, limit int) []observation.Key {
	t.Helper()
	q.Limit = limit
	var keys []observation.Key
	for page := 0; ; page++ {
		if page > 10_000 {
			t.Fatal("paging does not end")
		}
		recs, next, err := s.Observations(context.Background(), q)
		if err != nil {
			t.Fatalf("Observations: %v", err)
		}
		if limit > 0 && len(recs) > limit {
			t.Fatalf("page of %d records; limit %d", len(recs), limit)
		}
		for _, r := range recs {
			keys = append(keys, r.Key())
		}
		if next == nil {
			return keys
		}
		if len(recs) == 0 {
			t.Fatal("an empty page with a next cursor")
		}
		last := recs[len(recs)-1]
		if next.Sequence != last.Sequence || !next.ObservedAt.Equal(last.ObservedAt) {
			t.Fatalf("cursor %+v is not the page's last record (%v, %d)", next, last.ObservedAt, last.Sequence)
		}
		q.After = next
	}
}

func testPagingStableAcrossInserts(t *testing.T, s store.Store) {
	all := queryFixtures(t, s)
	cases := []struct {
		name string
		q    store.ObservationQuery
	}{
		{"time order", store.ObservationQuery{}},
		{"bbox", store.ObservationQuery{BBox: &store.BBox{West: 36, South: 47, East: 40, North: 50}}},
		{"window", store.ObservationQuery{Since: Base.Add(12 * time.Hour), Until: Base.Add(60 * time.Hour)}},
	}
	for ci, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			existing := expected(tc.q, all)
			q := tc.q
			q.Limit = 9
			seen := map[observation.Key]int{}
			var order []observation.Key
			for page := 0; ; page++ {
				recs, next, err := s.Observations(context.Background(), q)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range recs {
					seen[r.Key()]++
					order = append(order, r.Key())
				}
				if next == nil {
					break
				}
				q.After = next
				// Between pages, reports arrive late (before the cursor),
				// on time (after it), and at the cursor's own instant.
				late := []observation.Observation{
					Build(Spec{Source: "late", ID: fmt.Sprintf("%d-%d-early", ci, page), At: next.ObservedAt.Add(-time.Hour), HasLocation: true, Lat: 48, Lon: 38}),
					Build(Spec{Source: "late", ID: fmt.Sprintf("%d-%d-same", ci, page), At: next.ObservedAt, HasLocation: true, Lat: 48, Lon: 38}),
					Build(Spec{Source: "late", ID: fmt.Sprintf("%d-%d-later", ci, page), At: next.ObservedAt.Add(time.Minute), HasLocation: true, Lat: 48, Lon: 38}),
				}
				mustAppend(t, s, late, received)
			}
			for k, n := range seen {
				if n > 1 {
					t.Errorf("%v read %d times", k, n)
				}
			}
			for _, k := range existing {
				if seen[k] != 1 {
					t.Errorf("%v existed before the first page and was read %d times", k, seen[k])
				}
			}
			// Whatever was read came in (observed_at, sequence) order.
			for i := 1; i < len(order); i++ {
				a, _ := s.Observation(context.Background(), order[i-1])
				b, _ := s.Observation(context.Background(), order[i])
				if a.ObservedAt.After(b.ObservedAt) || (a.ObservedAt.Equal(b.ObservedAt) && a.Sequence >= b.Sequence) {
					t.Fatalf("out of order: %v then %v", order[i-1], order[i])
				}
			}
		})
	}
}

func testObservationsAfter(t *testing.T, s store.Store) {
	g := NewGenerator(3, Base, 72*time.Hour)
	var stored []observation.Record
	for range 5 {
		for _, st := range mustAppend(t, s, g.Batch(40), received) {
			stored = append(stored, st.Record)
		}
	}
	seqs := make([]int64, len(stored))
	for i, r := range stored {
		seqs[i] = r.Sequence
	}
	cases := []struct {
		name  string
		after int64
		limit int
		want  []int64
	}{
		{"from the start", 0, 1000, seqs},
		{"a page", 0, 25, seqs[:25]},
		{"from the middle", seqs[99], 1000, seqs[100:]},
		{"from the middle, a page", seqs[99], 10, seqs[100:110]},
		{"after the last", seqs[len(seqs)-1], 1000, nil},
		{"far beyond", seqs[len(seqs)-1] + 1_000_000, 10, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			recs := after(t, s, tc.after, tc.limit)
			got := make([]int64, len(recs))
			for i, r := range recs {
				got[i] = r.Sequence
			}
			if len(got) == 0 {
				got = nil
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v\nwant %v", got, tc.want)
			}
			for _, r := range recs {
				if i := slices.Index(seqs, r.Sequence); i >= 0 {
					checkRecord(t, r, stored[i])
				}
			}
		})
	}
}

func sameSource(a, b store.Source) bool {
	return a.ID == b.ID && a.Org == b.Org && a.Kind == b.Kind && a.Grading == b.Grading && a.Created.Equal(b.Created) &&
		a.RequireSignature == b.RequireSignature
}

func testSources(t *testing.T, s store.Store) {
	ctx := context.Background()
	t0 := received
	cases := []struct {
		name    string
		put     []store.Source
		get     string
		want    store.Source
		wantErr error
	}{
		{name: "unknown", get: "nobody", wantErr: store.ErrNotFound},
		{name: "registered", put: []store.Source{{ID: "om-7", Org: "OSCE", Kind: "monitor", Grading: "B2", Created: t0}},
			get: "om-7", want: store.Source{ID: "om-7", Org: "OSCE", Kind: "monitor", Grading: "B2", Created: t0}},
		{name: "without grading", put: []store.Source{{ID: "radar-1", Org: "UKR", Kind: "radar", Created: t0}},
			get: "radar-1", want: store.Source{ID: "radar-1", Org: "UKR", Kind: "radar", Created: t0}},
		{name: "updated keeps its registration time", put: []store.Source{
			{ID: "osint-2", Org: "GBR", Kind: "osint", Grading: "C3", Created: t0},
			{ID: "osint-2", Org: "GBR", Kind: "osint", Grading: "B2", Created: t0.Add(time.Hour)},
		}, get: "osint-2", want: store.Source{ID: "osint-2", Org: "GBR", Kind: "osint", Grading: "B2", Created: t0}},
		{name: "requiring signatures", put: []store.Source{{ID: "cam-4", Org: "USA", Kind: "sensor", Created: t0, RequireSignature: true}},
			get: "cam-4", want: store.Source{ID: "cam-4", Org: "USA", Kind: "sensor", Created: t0, RequireSignature: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range tc.put {
				if err := s.PutSource(ctx, p); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.Source(ctx, tc.get)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v; want %v", err, tc.wantErr)
			}
			if err == nil && !sameSource(got, tc.want) {
				t.Errorf("got %+v; want %+v", got, tc.want)
			}
		})
	}
	t.Run("listed by id", func(t *testing.T) {
		list, err := s.Sources(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, x := range list {
			ids = append(ids, x.ID)
		}
		if want := []string{"cam-4", "om-7", "osint-2", "radar-1"}; !slices.Equal(ids, want) {
			t.Errorf("ids %v; want %v", ids, want)
		}
	})
}

func agreementVersion(id string, v int, doc []byte) store.AgreementVersion {
	sum := sha256.Sum256(doc)
	return store.AgreementVersion{ID: id, Version: v, EffectiveFrom: Base.Add(time.Duration(v) * 24 * time.Hour),
		Document: doc, SHA256: hex.EncodeToString(sum[:]), Loaded: received}
}

func testAgreementVersions(t *testing.T, s store.Store) {
	ctx := context.Background()
	v1 := agreementVersion("demo", 1, []byte("id: demo\nversion: 1\n"))
	v2 := agreementVersion("demo", 2, []byte("id: demo\nversion: 2\n"))
	minsk := agreementVersion("minsk-ii", 1, []byte("id: minsk-ii\n"))
	v1Changed := agreementVersion("demo", 1, []byte("id: demo\nversion: 1\n# edited\n"))
	noHash := agreementVersion("quiet", 1, []byte("id: quiet\n"))
	noHash.SHA256 = ""
	badHash := agreementVersion("liar", 1, []byte("id: liar\n"))
	badHash.SHA256 = v1.SHA256
	cases := []struct {
		name     string
		put      store.AgreementVersion
		wantErr  error
		wantFail bool // some error, of the adapter's choosing
	}{
		{name: "first version", put: v1},
		{name: "next version", put: v2},
		{name: "another agreement", put: minsk},
		{name: "the same bytes again", put: v1},
		{name: "other bytes under a stored version", put: v1Changed, wantErr: store.ErrConflict},
		{name: "hash filled in", put: noHash},
		{name: "hash that does not match the document", put: badHash, wantFail: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := s.PutAgreementVersion(ctx, tc.put)
			switch {
			case tc.wantFail:
				if err == nil {
					t.Fatal("accepted")
				}
			case !errors.Is(err, tc.wantErr):
				t.Fatalf("err = %v; want %v", err, tc.wantErr)
			}
		})
	}
	t.Run("listed immutable and in order", func(t *testing.T) {
		list, err := s.AgreementVersions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []store.AgreementVersion{v1, v2, minsk, noHash}
		sum := sha256.Sum256(noHash.Document)
		want[3].SHA256 = hex.EncodeToString(sum[:])
		if len(list) != len(want) {
			t.Fatalf("%d versions; want %d: %+v", len(list), len(want), list)
		}
		for i := range want {
			g, w := list[i], want[i]
			if g.ID != w.ID || g.Version != w.Version || !bytes.Equal(g.Document, w.Document) || g.SHA256 != w.SHA256 ||
				!g.EffectiveFrom.Equal(w.EffectiveFrom) || !g.Loaded.Equal(w.Loaded) {
				t.Errorf("version %d: got %+v\nwant %+v", i, g, w)
			}
		}
	})
}

func testPing(t *testing.T, s store.Store) {
	if err := s.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// testConcurrentAppends runs writers and a follower at once. The follower
// reads ObservationsAfter the way fusion and the ledger do; if a store let
// a higher sequence become visible before a lower one, the follower would
// step past the lower one and never see it.
func testConcurrentAppends(t *testing.T, s store.Store) {
	const writers, batches, size = 4, 12, 40
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	seqs := make([][]int64, writers)
	for w := range writers {
		wg.Go(func() {
			g := NewGenerator(uint64(100+w), Base, 24*time.Hour)
			for range batches {
				batch := g.Batch(size)
				for i := range batch {
					batch[i] = withSourcePrefix(batch[i], fmt.Sprintf("w%d-", w))
				}
				got, err := s.AppendObservations(ctx, batch, received)
				if err != nil {
					errs <- err
					return
				}
				for _, st := range got {
					seqs[w] = append(seqs[w], st.Record.Sequence)
				}
			}
		})
	}
	done := make(chan struct{})
	followed := make(chan []int64)
	go func() {
		var got []int64
		var last int64
		for {
			select {
			case <-done:
				// One last read after every writer has returned.
				for {
					recs, err := s.ObservationsAfter(ctx, last, 1000)
					if err != nil || len(recs) == 0 {
						followed <- got
						return
					}
					for _, r := range recs {
						got = append(got, r.Sequence)
						last = r.Sequence
					}
				}
			default:
			}
			recs, err := s.ObservationsAfter(ctx, last, 50)
			if err != nil {
				followed <- append(got, -1)
				return
			}
			for _, r := range recs {
				got = append(got, r.Sequence)
				last = r.Sequence
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("writer: %v", err)
	}
	close(done)
	got := <-followed

	var written []int64
	for _, w := range seqs {
		written = append(written, w...)
		for i := 1; i < len(w); i++ {
			if w[i] <= w[i-1] {
				t.Errorf("a writer saw sequence %d after %d", w[i], w[i-1])
			}
		}
	}
	slices.Sort(written)
	if len(slices.Compact(slices.Clone(written))) != writers*batches*size {
		t.Fatalf("%d distinct sequences for %d records", len(slices.Compact(slices.Clone(written))), writers*batches*size)
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("follower saw sequence %d after %d", got[i], got[i-1])
		}
	}
	if !slices.Equal(got, written) {
		t.Errorf("the follower saw %d records; %d were written (a record committed behind the follower is lost to it)", len(got), len(written))
	}
}

// testConcurrentResubmission: the same batch sent by two clients at once
// (a retry racing its original) is stored once.
func testConcurrentResubmission(t *testing.T, s store.Store) {
	ctx := context.Background()
	batch := NewGenerator(42, Base, time.Hour).Batch(200)
	const clients = 4
	results := make([][]store.Stored, clients)
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() { results[c], errs[c] = s.AppendObservations(ctx, batch, received) })
	}
	wg.Wait()
	created := 0
	for c := range clients {
		if errs[c] != nil {
			t.Fatalf("client %d: %v", c, errs[c])
		}
		for i, st := range results[c] {
			if st.Outcome == store.Created {
				created++
			}
			if st.Record.Sequence != results[0][i].Record.Sequence {
				t.Fatalf("document %d stored under sequences %d and %d", i, st.Record.Sequence, results[0][i].Record.Sequence)
			}
		}
	}
	if created != len(batch) {
		t.Errorf("%d Created outcomes for %d documents", created, len(batch))
	}
	if n := len(after(t, s, 0, 10_000)); n != len(batch) {
		t.Errorf("%d records stored; want %d", n, len(batch))
	}
}
