package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/truce-mechanism/truce/intake"
	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/sim"
)

// receivedAt stands in for the time of receipt: the simulator's reports
// all reach the mechanism before it, so none is refused as "in the
// future" (what fusion's own benchmark does too).
var receivedAt = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

// columns of the observations CSV, in the order of the table obs in
// run.sh. Empty means NULL.
var columns = []string{
	"seq", "source", "id", "kind", "fire", "observed_at", "time_sigma_s", "count", "weapon_class",
	"loc_lat", "loc_lon", "loc_cep_m", "origin_lat", "origin_lon", "origin_cep_m",
	"observer_lat", "observer_lon", "bearing_deg", "bearing_sigma_deg", "range_min_m", "range_max_m",
	"origin_bearing_deg", "origin_bearing_sigma_deg", "true_event",
}

func main() {
	obsPath := flag.String("observations", "", "observations.ndjson to convert")
	truthPath := flag.String("truth", "", "truth.json: add each report's true event (with -observations)")
	eventsPath := flag.String("events", "", "truth.json: write its events instead of reports")
	flag.Parse()
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	var err error
	switch {
	case *eventsPath != "":
		err = writeEvents(*eventsPath, out)
	case *obsPath != "":
		err = writeObservations(*obsPath, *truthPath, out)
	default:
		err = errors.New("give -observations FILE or -events FILE")
	}
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
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

func writeEvents(path string, w io.Writer) error {
	t, err := readTruth(path)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	for _, e := range t.Events {
		if err := cw.Write([]string{e.ID, strconv.FormatBool(e.Observed), num(e.Location.Lat), num(e.Location.Lon)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeObservations(path, truthPath string, w io.Writer) error {
	owner := map[observation.Key]string{}
	if truthPath != "" {
		t, err := readTruth(truthPath)
		if err != nil {
			return err
		}
		for _, e := range t.Events {
			for _, r := range e.Observations {
				owner[observation.Key{Source: r.Source, ID: r.ID}] = e.ID
			}
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 16<<20)
	cw := csv.NewWriter(w)
	line, seq := 0, int64(0)
	for sc.Scan() {
		line++
		o, ok, err := parseLine(sc.Bytes())
		if err != nil {
			return fmt.Errorf("%s line %d: %w", path, line, err)
		}
		if !ok {
			continue
		}
		seq++
		if err := cw.Write(row(&o, seq, owner[o.Key()])); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s after line %d: %w", path, line, err)
	}
	cw.Flush()
	return cw.Error()
}

// parseLine decodes and validates one NDJSON line as intake does; ok is
// false for a blank line.
func parseLine(b []byte) (observation.Observation, bool, error) {
	docs, err := observation.Decode(observation.MediaNDJSON, b)
	if err != nil {
		return observation.Observation{}, false, err
	}
	switch len(docs) {
	case 0:
		return observation.Observation{}, false, nil
	case 1:
	default:
		return observation.Observation{}, false, fmt.Errorf("%d reports on one line", len(docs))
	}
	o, errs := observation.Parse(docs[0], receivedAt, intake.ResolveMGRS)
	if len(errs) > 0 {
		return observation.Observation{}, false, fmt.Errorf("invalid report: %s", observation.Summary(errs, 3))
	}
	return o, true, nil
}

// row is a report's CSV row (see columns). Positions that could not be
// resolved are left out, as fusion leaves them out.
func row(o *observation.Observation, seq int64, trueEvent string) []string {
	r := make([]string, len(columns))
	r[0] = strconv.FormatInt(seq, 10)
	r[1], r[2], r[3], r[4] = o.Source, o.ID, string(o.Kind), string(o.Fire)
	r[5] = o.ObservedAt.UTC().Format(time.RFC3339Nano)
	r[6] = num(o.TimeSigmaS)
	r[7] = strconv.Itoa(max(o.Count, 1))
	if o.Weapon != nil {
		r[8] = o.Weapon.Class
	}
	point(r[9:12], o.Location)
	point(r[12:15], o.Origin)
	if o.Observer != nil && o.Observer.Resolved {
		r[15], r[16] = num(o.Observer.Lat), num(o.Observer.Lon)
		if o.BearingDeg != nil {
			r[17], r[18] = num(*o.BearingDeg), num(o.BearingSigmaDeg)
		}
		if o.Range != nil {
			r[19], r[20] = num(o.Range.MinM), num(o.Range.MaxM)
		}
	}
	if o.OriginBearingDeg != nil && o.Location != nil && o.Location.Resolved {
		r[21], r[22] = num(*o.OriginBearingDeg), num(o.OriginBearingSigmaDeg)
	}
	r[23] = trueEvent
	return r
}

func point(dst []string, p *observation.Point) {
	if p == nil || !p.Resolved {
		return
	}
	dst[0], dst[1] = num(p.Lat), num(p.Lon)
	if p.CEPm != nil {
		dst[2] = num(*p.CEPm)
	}
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
