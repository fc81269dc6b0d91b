package sqlite

import (
	"context"
	"strings"
	"testing"

	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/storetest"
)

// TestReleasesAppendOnly: the database itself refuses to edit or remove a
// release; a correction is a new release.
func TestReleasesAppendOnly(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	r := store.Release{ID: "rl-1", Of: "event/ev-1", Marking: "PUBLIC", Document: []byte(`{}`), By: "analyst", At: storetest.Base}
	if _, err := s.AppendRelease(ctx, r); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"UPDATE releases SET marking = 'MISSION'",
		"UPDATE releases SET document = x'7b7d20'",
		"DELETE FROM releases",
	} {
		t.Run(stmt, func(t *testing.T) {
			_, err := s.write.ExecContext(ctx, stmt)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("err = %v; want a refusal", err)
			}
		})
	}
}
