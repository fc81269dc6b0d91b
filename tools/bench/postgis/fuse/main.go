// Command fuse times truce's own fusion on the simulator's reports: the
// other half of the PostGIS comparison (tools/bench/postgis/run.sh). It
// reads the same observations.ndjson the PostGIS pipeline loads, decodes
// and validates every report as intake does (observation.Decode and
// observation.Parse with intake.ResolveMGRS, timed apart), then feeds
// them in file (arrival) order, with sequences 1, 2, …, to one
// fusion.NewEngine(fusion.Config{}) — what fusion.Live does with the
// stored reports — timing only the Add calls and the final Events.
//
// With -truth it scores the events against the simulator's truth by the
// majority matching that the PostGIS pipeline's sql/90-score.sql uses
// (and fusion/sim_test.go): precision, recall over observed true events,
// F1, median location error of the matched events.
//
//	fuse -observations DIR/observations.ndjson [-truth DIR/truth.json] [-repeat N] [-cpuprofile FILE]
//
// It prints one line of key=value pairs on stdout (run.sh reads it) and
// a readable summary on stderr. Only fusion's exported API is used
// (NewEngine, Config, Engine.Add, Engine.Events and Event's fields).
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/geo"
	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/sim"
)

// receivedAt stands in for the time of receipt, as in the loader: the
// simulator's reports all reach the mechanism before it.
var receivedAt = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

func main() {
	obsPath := flag.String("observations", "", "observations.ndjson to fuse")
	truthPath := flag.String("truth", "", "truth.json: score the events against it")
	repeat := flag.Int("repeat", 1, "fuse this many times (fresh engine each time) and report the fastest")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the fusion (not the decoding) to this file")
	flag.Parse()
	if *obsPath == "" || *repeat < 1 {
		fmt.Fprintln(os.Stderr, "usage: fuse -observations FILE [-truth FILE] [-repeat N]")
		os.Exit(2)
	}
	if err := run(*obsPath, *truthPath, *repeat, *cpuprofile, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fuse:", err)
		os.Exit(1)
	}
}

func run(obsPath, truthPath string, repeat int, cpuprofile string, out, log io.Writer) error {
	raw, err := os.ReadFile(obsPath) // not timed: both sides start from the file
	if err != nil {
		return err
	}
	runtime.GC()
	t0 := time.Now()
	obs, err := decode(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", obsPath, err)
	}
	decodeS := time.Since(t0).Seconds()
	raw = nil

	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var events []*fusion.Event
	fuseS := math.Inf(1)
	for range repeat {
		runtime.GC()
		t := time.Now()
		events = fuse(obs)
		fuseS = min(fuseS, time.Since(t).Seconds())
	}

	n := float64(len(obs))
	res := []string{
		fmt.Sprintf("truce_fuse_seconds=%.3f", fuseS),
		fmt.Sprintf("truce_decode_seconds=%.3f", decodeS),
		fmt.Sprintf("truce_observations=%d", len(obs)),
		fmt.Sprintf("truce_obs_per_s=%.0f", n/fuseS),
		fmt.Sprintf("truce_decode_fuse_obs_per_s=%.0f", n/(decodeS+fuseS)),
		fmt.Sprintf("truce_events=%d", len(events)),
	}
	var sc *score
	if truthPath != "" {
		truth, err := readTruth(truthPath)
		if err != nil {
			return err
		}
		s := scoreEvents(truth, events)
		sc = &s
		res = append(res, "truce_"+strings.ReplaceAll(s.String(), " ", " truce_"))
	}
	fmt.Fprintln(out, strings.Join(res, " "))
	fmt.Fprintf(log, "truce fusion: %d reports decoded and validated in %.2f s (%.0f/s), fused in %.2f s (%.0f obs/s; decode + fuse %.0f obs/s) into %d events\n",
		len(obs), decodeS, n/decodeS, fuseS, n/fuseS, n/(decodeS+fuseS), len(events))
	if sc != nil {
		fmt.Fprintf(log, "  against the truth: %s\n", sc)
	}
	return nil
}

// decode decodes and validates every line as intake does.
func decode(raw []byte) ([]observation.Observation, error) {
	obs := make([]observation.Observation, 0, bytes.Count(raw, []byte{'\n'})+1)
	line := 0
	for len(raw) > 0 {
		line++
		var b []byte
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			b, raw = raw[:i], raw[i+1:]
		} else {
			b, raw = raw, nil
		}
		docs, err := observation.Decode(observation.MediaNDJSON, b)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		switch len(docs) {
		case 0:
			continue
		case 1:
		default:
			return nil, fmt.Errorf("line %d: %d reports on one line", line, len(docs))
		}
		o, errs := observation.Parse(docs[0], receivedAt, intake.ResolveMGRS)
		if len(errs) > 0 {
			return nil, fmt.Errorf("line %d: invalid report: %s", line, observation.Summary(errs, 3))
		}
		obs = append(obs, o)
	}
	if len(obs) == 0 {
		return nil, errors.New("no reports")
	}
	return obs, nil
}

// fuse runs one engine over the reports in order, as fusion.Live does.
func fuse(obs []observation.Observation) []*fusion.Event {
	g := fusion.NewEngine(fusion.Config{})
	for i := range obs {
		g.Add(int64(i+1), &obs[i])
	}
	return g.Events()
}

func readTruth(path string) (*sim.Truth, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := sim.ReadTruth(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// score is the majority matching of sql/90-score.sql.
type score struct {
	Events, Observed, TP int
	Precision, Recall    float64
	F1                   float64
	MedianM              float64 // NaN when no matched event is located
}

func (s score) String() string {
	med := "NaN"
	if !math.IsNaN(s.MedianM) {
		med = fmt.Sprintf("%.0f", s.MedianM)
	}
	return fmt.Sprintf("precision=%.3f recall=%.3f f1=%.3f loc_median_m=%s true_observed_events=%d",
		s.Precision, s.Recall, s.F1, med, s.Observed)
}

// scoreEvents: an event's true event is the one most of its reports
// belong to (ties: spurious first, then the smaller id); the first event
// in (start, id) order — fusion's Events order — matched to a true event
// is a true positive, any other event a false positive; recall is over
// observed true events; F1 = 2·TP / (events + observed). The location
// error is the geodesic distance from a true positive's location to its
// true event's.
func scoreEvents(truth *sim.Truth, events []*fusion.Event) score {
	// As GET /api/v1/events lists them: tentative events (probable false
	// alarms) left out.
	events = slices.DeleteFunc(slices.Clone(events), func(e *fusion.Event) bool { return e.Tentative })
	owner := map[observation.Key]string{}
	where := map[string]geo.Point{}
	s := score{Events: len(events), MedianM: math.NaN()}
	for _, e := range truth.Events {
		where[e.ID] = geo.Point{Lat: e.Location.Lat, Lon: e.Location.Lon}
		if e.Observed {
			s.Observed++
		}
		for _, r := range e.Observations {
			owner[observation.Key{Source: r.Source, ID: r.ID}] = e.ID
		}
	}
	matched := map[string]bool{}
	var errs []float64
	votes := map[string]int{}
	for _, ev := range events {
		clear(votes)
		for _, k := range ev.Observations {
			votes[owner[k]]++
		}
		best, n := "", 0
		for id, v := range votes {
			if v > n || v == n && id < best {
				best, n = id, v
			}
		}
		if best == "" || matched[best] {
			continue
		}
		matched[best] = true
		s.TP++
		if ev.Location != nil {
			errs = append(errs, geo.DistanceM(ev.Location.Point, where[best]))
		}
	}
	if s.Events > 0 {
		s.Precision = float64(s.TP) / float64(s.Events)
	}
	if s.Observed > 0 {
		s.Recall = float64(s.TP) / float64(s.Observed)
	}
	if s.Events+s.Observed > 0 {
		s.F1 = 2 * float64(s.TP) / float64(s.Events+s.Observed)
	}
	if len(errs) > 0 {
		slices.Sort(errs)
		s.MedianM = errs[(len(errs)-1)/2] // percentile_disc(0.5), as the SQL
	}
	return s
}
