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
	"violations/1": "7b327ce2414cff48cd71d7be716959feba2687b291163807141a5c4b6c1510c4",
	"violations/2": "6f9e2febd92e0749d92d5fc8745caad062bd51f51443110dc9b920e742d3ef95",
	"violations/3": "1e55cfb32359d0850159cc29807e25205e745889cfeea77fd0126f316c62116e",
	"escalation/1": "92383de45a77a614d6d761c5601ff2ffbb7f2aed3b5ae4837e83e512305a732d",
	"escalation/2": "175ea40fb121bca50ef02b717331871a734e04b48b790ed95e67d8dd4d5ac892",
	"escalation/3": "91a88e84ef1c745aaaf18f2948bb281ad81946274c01895252c6f446b86917aa",
	"bench":        "a169e0ec30c9b0b992b27a79a425e72f43f68e6b53b475bb5bd302adc076612d",
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
