package witness

import (
	"testing"
)

// BenchmarkCosign measures one add-checkpoint from parse to durable state
// and cosignature. A log asks once per checkpoint interval (seconds), so
// this only has to be far from that; the fsyncs dominate it.
func BenchmarkCosign(b *testing.B) {
	lg := newTestLog(b, origin, 1, "entry", b.N+1)
	w, err := New(Config{Dir: b.TempDir(), Logs: []string{lg.vkey}, Now: fixedNow, Rand: seeded(4)})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = lg.request(uint64(i), uint64(i+1))
	}
	b.ResetTimer()
	for i := range b.N {
		r, err := ParseAddCheckpoint(bodies[i])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.Cosign(r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cosignatures/s")
}
