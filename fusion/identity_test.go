package fusion_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"os"
	"testing"
	"time"

	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/observation"
)

// identityGolden are the digests of the full output of fusion (every
// event shown, to the bit, and which event each report landed in at
// which version) over the scenarios TestFusionAgainstTruth scores and
// over BenchmarkFuse's data. They pin that work on the engine's speed
// (the spatial index, cheap rejections) changes nothing it decides. A
// change meant to alter association updates them, and says why; run
//
//	TRUCE_IDENTITY_PRINT=1 go test -run Identity -v ./fusion
//
// to print the digests of the code as it stands.
var identityGolden = map[string]string{
	"violations/1": "f9073f49ae31d2ccabb61f89a895a9217ee33283833b6b4c301cb77a825f7d60",
	"violations/2": "864f9fcf8f8100bd5a27fa12c2b621514e96695204a827a35e17abf8312849df",
	"violations/3": "6a507374d60c92d7a96da348365c04d9546b6f7bf41def04f5103d4d2a4040a4",
	"escalation/1": "623f0339fb9fdd1b7e7ae191d3a05828292f7e770ea87b82e0c18f3d49530617",
	"escalation/2": "ff784980cdc343d35ad94f13106bc037f4a7ff094ef9e20771787db90e2377c3",
	"escalation/3": "25619bc27cfa6339a1efbf6c7905008820f3d46b09dd3e9f5b4402d2e629b32b",
	"bench":        "b4e966ca7a4f18e0c49829603bcfe27a70089874bcd63b5effe88d6bc5efd0ed",
}

func TestFusionOutputIsUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates six days and the benchmark's escalation")
	}
	type run struct {
		name string
		obs  func() []observation.Observation
	}
	var runs []run
	for _, scenario := range []string{"violations", "escalation"} {
		for seed := uint64(1); seed <= 3; seed++ {
			runs = append(runs, run{fmt.Sprintf("%s/%d", scenario, seed), func() []observation.Observation {
				obs, _ := simulate(t, scenario, seed, 24*time.Hour)
				return obs
			}})
		}
	}
	runs = append(runs, run{"bench", func() []observation.Observation { return benchObservations(t, 10) }})
	print := os.Getenv("TRUCE_IDENTITY_PRINT") != ""
	for _, r := range runs {
		got := fusionDigest(r.obs())
		if print {
			t.Logf("%q: %q,", r.name, got)
			continue
		}
		if want := identityGolden[r.name]; got != want {
			t.Errorf("%s: fusion output digest %s, want %s", r.name, got, want)
		}
	}
}

// fusionDigest fuses obs and hashes, in order, the event each report
// landed in (id and version) and then every event shown: id, kind,
// times, count, version, sources, marking, reports, replaced events,
// location and origin, measured and approximate (points, covariances, χ² and degrees of freedom,
// as bits) and weapon class.
func fusionDigest(obs []observation.Observation) string {
	h := sha256.New()
	str := func(s string) {
		putUint(h, uint64(len(s)))
		h.Write([]byte(s))
	}
	g := fusion.NewEngine(fusion.Config{})
	for i := range obs {
		e := g.Add(int64(i+1), &obs[i])
		if e == nil {
			str("-")
			continue
		}
		str(e.ID)
		putUint(h, uint64(e.Version))
	}
	es := g.Events()
	putUint(h, uint64(len(es)))
	for _, e := range es {
		str(e.ID)
		str(string(e.Kind))
		putUint(h, uint64(e.Start.UnixNano()))
		putUint(h, uint64(e.End.UnixNano()))
		putUint(h, uint64(e.Count))
		putUint(h, uint64(e.Version))
		putUint(h, uint64(e.Sources))
		putUint(h, uint64(len(e.Marking)))
		for _, m := range e.Marking {
			str(m)
		}
		putUint(h, uint64(len(e.Observations)))
		for _, k := range e.Observations {
			str(k.Source)
			str(k.ID)
		}
		putUint(h, uint64(len(e.Replaces)))
		for _, id := range e.Replaces {
			str(id)
		}
		for _, est := range []*fusion.Estimate{e.Location, e.Origin, e.ApproximateLocation, e.ApproximateOrigin} {
			if est == nil {
				str("nil")
				continue
			}
			for _, x := range []float64{est.Point.Lat, est.Point.Lon, est.Cov[0][0], est.Cov[0][1], est.Cov[1][0], est.Cov[1][1], est.Chi2} {
				putUint(h, math.Float64bits(x))
			}
			putUint(h, uint64(est.Dof))
		}
		if e.Weapon != nil {
			str(e.Weapon.Class)
		} else {
			str("nil")
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func putUint(h hash.Hash, x uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], x)
	h.Write(b[:])
}
