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
	"violations/1": "cff97e765547920ede69557ad5a2b0bda22a8869c27501324e534e7d82c5d5ec",
	"violations/2": "11ffe0e7055269bc5dc961d56c9e83731c9a3d1d26bae157b019ef21903e4d8d",
	"violations/3": "d27af5970d548169dec4d2d95c5cd75a6db9c6789e78b6f8c1877467afc2fe70",
	"escalation/1": "90d52690de9e527f16d5cb370c521fa995ff07f33ceda57794a4e72844ade373",
	"escalation/2": "778e13ea351d1059a50657db1ccfef84d014ab8e87cac032435fd59573520781",
	"escalation/3": "1af528fac0eebe5adb33e8afd9b7879816fa5b9388548e32d876f3137b6b106e",
	"bench":        "e75b16560e1bead3f1f47ae0eaecbdd27f3ecede7e52450bff93863dca2ba3f0",
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
