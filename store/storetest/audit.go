package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
)

func testAudit(t *testing.T, s store.Store) {
	ctx := context.Background()
	if got, err := s.AuditAfter(ctx, 0, 0); err != nil || len(got) != 0 {
		t.Fatalf("empty trail: %+v, %v", got, err)
	}
	first, err := s.AppendAudit(ctx, []store.AuditEvent{
		{At: Base, Actor: "j.smith", Org: "USA", Token: "0123456789abcdef", Action: "read", Target: "observation/om-1/x-1", Detail: "REL TO USA"},
		{At: Base.Add(time.Second), Actor: "cli:root", Action: "user", Target: "j.smith", Detail: "registered: USA, analyst"},
	})
	if err != nil || len(first) != 2 || first[0].Sequence != 1 || first[1].Sequence != 2 {
		t.Fatalf("appended %+v, %v", first, err)
	}
	// Concurrent appenders: sequences stay gap-free and unique.
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				if _, err := s.AppendAudit(ctx, []store.AuditEvent{{At: Base, Actor: fmt.Sprintf("w%d", w), Action: "request", Target: fmt.Sprint(i)}}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	all, err := s.AuditAfter(ctx, 0, 0)
	if err != nil || len(all) != 22 {
		t.Fatalf("%d events, %v; want 22", len(all), err)
	}
	for i, e := range all {
		if e.Sequence != int64(i+1) {
			t.Fatalf("event %d has sequence %d", i, e.Sequence)
		}
	}
	if all[0] != first[0] {
		t.Fatalf("read back %+v; want %+v", all[0], first[0])
	}
	if page, err := s.AuditAfter(ctx, 1, 1); err != nil || len(page) != 1 || page[0].Actor != "cli:root" {
		t.Fatalf("page after 1: %+v, %v", page, err)
	}
}

func testLastSequence(t *testing.T, s store.Store) {
	ctx := context.Background()
	if n, err := s.LastSequence(ctx); err != nil || n != 0 {
		t.Fatalf("empty store: %d, %v", n, err)
	}
	mustAppend(t, s, []observation.Observation{Build(Spec{Source: "ls", ID: "1", At: Base}), Build(Spec{Source: "ls", ID: "2", At: Base})}, received)
	mustAppend(t, s, []observation.Observation{Build(Spec{Source: "ls", ID: "1", At: Base})}, received) // a resubmission takes no sequence
	if n, err := s.LastSequence(ctx); err != nil || n != 2 {
		t.Fatalf("after two reports: %d, %v", n, err)
	}
}
