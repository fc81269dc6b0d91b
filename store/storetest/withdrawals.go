package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
)

func testWithdrawals(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustAppend(t, s, []observation.Observation{
		Build(Spec{Source: "wd-1", ID: "false-report", At: Base}),
		Build(Spec{Source: "wd-1", ID: "withheld", At: Base.Add(time.Minute)}),
		Build(Spec{Source: "wd-1", ID: "kept", At: Base.Add(2 * time.Minute)}),
	}, received)
	at := Base.Add(48 * time.Hour)

	cases := []struct {
		name    string
		w       store.Withdrawal
		wantSeq int64
		wantErr error
	}{
		{"a false report, content still shown", store.Withdrawal{RecordType: "observation", RecordKey: "wd-1/false-report", Reason: "misidentified", By: "analyst-7", At: at}, 1, nil},
		{"content withheld", store.Withdrawal{RecordType: "observation", RecordKey: "wd-1/withheld", Reason: "identifies a monitor", Withhold: true, By: "analyst-7", At: at.Add(time.Second)}, 2, nil},
		{"no such record", store.Withdrawal{RecordType: "observation", RecordKey: "wd-1/none", Reason: "x", By: "a", At: at}, 0, store.ErrNotFound},
		{"a key without a source", store.Withdrawal{RecordType: "observation", RecordKey: "none", Reason: "x", By: "a", At: at}, 0, nil},
		{"a record type that cannot be withdrawn", store.Withdrawal{RecordType: "finding", RecordKey: "f/1", Reason: "x", By: "a", At: at}, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.AppendWithdrawal(ctx, c.w)
			switch {
			case c.wantSeq == 0 && c.wantErr == nil:
				if err == nil {
					t.Fatal("accepted")
				}
			case c.wantErr != nil:
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("error %v; want %v", err, c.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			case got.Sequence != c.wantSeq || !got.At.Equal(c.w.At):
				t.Fatalf("got sequence %d at %v; want %d at %v", got.Sequence, got.At, c.wantSeq, c.w.At)
			}
		})
	}

	t.Run("listed per record and in sequence order", func(t *testing.T) {
		ws, err := s.Withdrawals(ctx, "observation", "wd-1/withheld")
		if err != nil || len(ws) != 1 || ws[0].Sequence != 2 || !ws[0].Withhold || ws[0].Reason != "identifies a monitor" || ws[0].By != "analyst-7" || !ws[0].At.Equal(at.Add(time.Second)) {
			t.Fatalf("got %+v, %v", ws, err)
		}
		if ws, err := s.Withdrawals(ctx, "observation", "wd-1/kept"); err != nil || len(ws) != 0 {
			t.Fatalf("kept: %+v, %v", ws, err)
		}
		all, err := s.WithdrawalsAfter(ctx, 0, 0)
		if err != nil || len(all) != 2 || all[0].Sequence != 1 || all[1].Sequence != 2 {
			t.Fatalf("after 0: %+v, %v", all, err)
		}
		if rest, err := s.WithdrawalsAfter(ctx, 1, 5); err != nil || len(rest) != 1 || rest[0].RecordKey != "wd-1/withheld" {
			t.Fatalf("after 1: %+v, %v", rest, err)
		}
	})
	t.Run("withheld content leaves the lists, not the single read", func(t *testing.T) {
		recs, _, err := s.Observations(ctx, store.ObservationQuery{Sources: []string{"wd-1"}})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range recs {
			ids = append(ids, r.ID)
		}
		if len(ids) != 2 || ids[0] != "false-report" || ids[1] != "kept" {
			t.Fatalf("listed %v; want false-report and kept", ids)
		}
		if _, err := s.Observation(ctx, observation.Key{Source: "wd-1", ID: "withheld"}); err != nil {
			t.Fatalf("single read of a withheld record: %v (the caller decides what to show)", err)
		}
	})
}
