package fusion

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/sim"
	"github.com/truce-mechanism/truce/sim/simtest"
)

// TestDiagnosePhases tells, against the simulator's truth, which end of
// its firing each sight line alone was taken for: by what its report
// stated (launch, impact, either), what fusion resolved it to, what it
// truly saw, whether its observer gave the event another sight line, and
// whether an audit or a rule turned it round. A tool for whoever works on
// which end a report stands for (halves.go, sounds.go), run when asked:
//
//	TRUCE_DIAGNOSE_PHASES=1-8 go test -run DiagnosePhases -v ./fusion
func TestDiagnosePhases(t *testing.T) {
	spec := os.Getenv("TRUCE_DIAGNOSE_PHASES")
	if spec == "" {
		t.Skip("set TRUCE_DIAGNOSE_PHASES=first-last (violations seeds, 24 h)")
	}
	first, last := seedRange(t, "TRUCE_DIAGNOSE_PHASES", spec)
	names := [3]string{"launch", "impact", "either"}
	stated := func(f observation.Fire) string {
		switch f {
		case observation.Outgoing:
			return "launch"
		case observation.Incoming:
			return "impact"
		}
		return "either"
	}
	count := map[string]int{}
	wrong, all := 0, 0
	for seed := first; seed <= last; seed++ {
		obs, truth := simtest.Run(t, sim.Config{Scenario: "violations", Seed: seed, Duration: 24 * time.Hour})
		g := NewEngine(Config{})
		for i := range obs {
			g.Add(int64(i+1), &obs[i])
		}
		sees := map[observation.Key]string{}
		for _, e := range truth.Events {
			for _, o := range e.Observations {
				sees[observation.Key{Source: o.Source, ID: o.ID}] = o.Sees
			}
		}
		for _, e := range g.events {
			if e.gone || e.group != "fire" {
				continue
			}
			for i := range e.members {
				m := &e.members[i]
				s := sees[m.key]
				if m.bearing == nil || m.fix[0] != nil || m.fix[1] != nil || s != "launch" && s != "impact" {
					continue
				}
				all++
				if m.resolved() != phaseEither && names[m.resolved()] != s {
					wrong++
				}
				count[fmt.Sprintf("stated %-6s resolved %-6s saw %-6s pair %-5v turned %v", stated(m.obs.Fire), names[m.resolved()], s, lines(e, m.key.Source) > 1, m.flipped)]++
			}
		}
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%5d  %s", count[k], k)
	}
	t.Logf("%d of %d sight lines resolved to the wrong end", wrong, all)
}

// seedRange reads first-last, a range of seeds given in the variable name.
func seedRange(t *testing.T, name, spec string) (first, last uint64) {
	lo, hi, _ := strings.Cut(spec, "-")
	first, err1 := strconv.ParseUint(lo, 10, 64)
	last, err2 := strconv.ParseUint(hi, 10, 64)
	if err1 != nil || err2 != nil || last < first {
		t.Fatalf("%s=%q: want first-last", name, spec)
	}
	return first, last
}
