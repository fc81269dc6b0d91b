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
	"violations/1": "66c58e7553c9aa7990ade16a21a1da202ebb017f3611a1c8eadf0d06aa534166",
	"violations/2": "2e78f90043e74ceb6e9eb7d02bdd620bde977c0ce0ac409577189fb99f040d21",
	"violations/3": "c569f66e8e12de74a05b4a1efcc5c654f5a0c1760b0f78e819d479d030a31101",
	"escalation/1": "50a5263964e14ebe4016cadb18606d9b58fc5b6311ff4bab9e56c490f50397e4",
	"escalation/2": "3dbaede2131c80a9092ca369231bd58550c5b5c857178cc7448dd33898708fdd",
	"escalation/3": "24be05c4e85d12a88fdc8eacaf381a2709a1a1fe0951741cf79fb5aa58784f48",
	"bench":        "89db4874e95dec86074ea6e7e3f089af98924da71a14064e0c61ccaa56ca7796",
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
// location and origin (points, covariances, χ² and degrees of freedom,
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
		for _, est := range []*fusion.Estimate{e.Location, e.Origin} {
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
