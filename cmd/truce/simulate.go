package main

import (
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/sim"
)

func newSimulateCmd() *cobra.Command {
	var (
		scenario, startAt, out, agreementFile string
		seed, layoutSeed                      uint64
		duration                              time.Duration
		scale                                 float64
		errs                                  sim.ErrorModel
	)
	var list strings.Builder
	for _, s := range sim.Scenarios() {
		fmt.Fprintf(&list, "  %-11s %s\n", s.Name, s.Description)
	}
	cmd := &cobra.Command{
		Use:   "simulate --scenario NAME --seed N --duration 6h --start RFC3339 --out DIR [--scale X] [--layout-seed N] [--sigma-scale X] [--time-sigma-scale X] [--outliers P] [--bearing-bias-deg D]",
		Short: "Play out a ceasefire scenario and write its reports and its ground truth",
		Long: `Play out a scenario on the agreement's real geometry and write, into --out:
  observations.ndjson  the reports of the mechanism's sensors, in the order they arrive
  truth.json           what really happened, and which reports belong to which event (sim/TRUTH.md)
  sources.ndjson       the sources, to register with 'truce source add'
The same flags always give the same files.

By default every measurement error is drawn from a normal law with exactly
the σ its report states. To see how fusion copes when the world is rougher
than the reports claim, --sigma-scale, --time-sigma-scale, --outliers and
--bearing-bias-deg change the true errors (and nothing else: the same events
are seen by the same sensors); --layout-seed watches the same war with
sensors placed by another seed. truth.json records them under "config".

Scenarios:
` + list.String(),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := sim.Config{Scenario: scenario, Seed: seed, Duration: duration, Scale: scale, LayoutSeed: layoutSeed, Errors: errs}
			if _, ok := findScenario(scenario); !ok {
				return fmt.Errorf("--scenario %q: want one of %s", scenario, scenarioList())
			}
			if duration <= 0 || duration > sim.MaxDuration {
				return fmt.Errorf("--duration %v: want more than 0 and at most %v (e.g. 6h, 90m, 72h)", duration, sim.MaxDuration)
			}
			if math.IsNaN(scale) || scale <= 0 || scale > sim.MaxScale {
				return fmt.Errorf("--scale %v: want more than 0 and at most %v (1 is a realistic mission; reports grow about linearly with it)", scale, sim.MaxScale)
			}
			for _, f := range []struct {
				flag string
				v    float64
			}{{"--sigma-scale", errs.SigmaScale}, {"--time-sigma-scale", errs.TimeSigmaScale}} {
				if math.IsNaN(f.v) || f.v <= 0 || f.v > sim.MaxSigmaScale {
					return fmt.Errorf("%s %v: want a factor more than 0 and at most %v (1: errors as the reports state them)", f.flag, f.v, sim.MaxSigmaScale)
				}
			}
			if math.IsNaN(errs.Outliers) || errs.Outliers < 0 || errs.Outliers > 1 {
				return fmt.Errorf("--outliers %v: want a share of reports from 0 to 1 (e.g. 0.05)", errs.Outliers)
			}
			if math.IsNaN(errs.BearingBiasDeg) || errs.BearingBiasDeg < 0 || errs.BearingBiasDeg > sim.MaxBearingBiasDeg {
				return fmt.Errorf("--bearing-bias-deg %v: want a σ from 0 to %v degrees", errs.BearingBiasDeg, sim.MaxBearingBiasDeg)
			}
			if out == "" {
				return fmt.Errorf("--out: name the folder to write observations.ndjson, truth.json and sources.ndjson into")
			}
			if startAt != "" {
				t, err := time.Parse(time.RFC3339, startAt)
				if err != nil {
					return fmt.Errorf("--start %q: want an RFC 3339 time such as 2026-09-02T00:00:00Z", startAt)
				}
				cfg.Start = t
			}
			if agreementFile != "" {
				raw, err := os.ReadFile(agreementFile)
				if err != nil {
					return fmt.Errorf("--agreement: %w", err)
				}
				a, err := agreement.Parse(agreementFile, raw)
				if err != nil {
					return fmt.Errorf("--agreement %s is not a valid agreement: %w", agreementFile, err)
				}
				cfg.Agreement = a
			}
			res, err := sim.Run(cfg)
			if err != nil {
				return err
			}
			if err := res.WriteDir(out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "simulated %s → %s\n", res.Summary(), out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&scenario, "scenario", "violations", "scenario: "+scenarioList())
	f.Uint64Var(&seed, "seed", 1, "seed of every random choice: the same seed gives the same files")
	f.DurationVar(&duration, "duration", sim.DefaultDuration, "length of the simulated window (events happen in it; reports arrive up to 72 h later)")
	f.StringVar(&startAt, "start", "", "start of the window, RFC 3339 (default: one day after the agreement takes effect)")
	f.StringVar(&out, "out", "", "folder to write the files into (created if missing; required)")
	f.Float64Var(&scale, "scale", 1, "volume: about this many times the reports of a realistic mission (more events, more sensors)")
	f.StringVar(&agreementFile, "agreement", "", "agreement file to play out (default: the embedded demo agreement)")
	f.Uint64Var(&layoutSeed, "layout-seed", 0, "place the sensors by this seed instead of --seed, over the same war (0: --seed's own layout)")
	f.Float64Var(&errs.SigmaScale, "sigma-scale", 1, "true bearing, range and location errors are this many times the σ the reports state")
	f.Float64Var(&errs.TimeSigmaScale, "time-sigma-scale", 1, "true errors of observed_at are this many times the time σ the reports state")
	f.Float64Var(&errs.Outliers, "outliers", 0, "share of reports with a gross error: their measurement errors drawn with 5–10× the σ")
	f.Float64Var(&errs.BearingBiasDeg, "bearing-bias-deg", 0, "σ, in degrees, of each bearing-taking sensor's constant bias (drawn once per sensor)")
	return cmd
}

func findScenario(name string) (sim.ScenarioInfo, bool) {
	for _, s := range sim.Scenarios() {
		if s.Name == name {
			return s, true
		}
	}
	return sim.ScenarioInfo{}, false
}

func scenarioList() string {
	var names []string
	for _, s := range sim.Scenarios() {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}
