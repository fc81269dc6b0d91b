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
	"violations/1": "845751376f83a1ce4f648a4c77ddb13198e277674580e68a140c1fd67fac96c1",
	"violations/2": "f5c122561304f62c5e3128929a5a8553f2696ba8b84785e31a3d212348f66c14",
	"violations/3": "b4f8144b7f868288115bd4090b3cce831d4f8d28a2c22010e2ded99d5a6e8035",
	"escalation/1": "9f9cfdaac6708da5ccb955998c5f418354a857e8d3ad88a2519e1f3d7960f2cf",
	"escalation/2": "916ebf8b9831dcfe2a89fd50e1df603c58e1d850b07858f28203cf495152e4a6",
	"escalation/3": "25d11065b0fe3b78ed1d9142a56501f0cd509470939dee64d6f87aae99a389b9",
	"bench":        "09bf70f6d768c60ab7ce5f094e62dbb5b1f60e167c1c7df24bdf602daa959a94",
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
// location and origin, measured and approximate with its basis (points, covariances, χ² and degrees of freedom,
// as bits), weapon class and the judgement of false alarm.
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
		str(string(e.ApproximateBasis))
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
		putUint(h, math.Float64bits(e.FalseAlarm))
		if e.Tentative {
			str("tentative")
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func putUint(h hash.Hash, x uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], x)
	h.Write(b[:])
}
