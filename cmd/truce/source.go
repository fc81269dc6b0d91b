package main

import (
	"fmt"
	"regexp"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/truce-mechanism/truce/store"
)

// Source kinds, as the foundation issue names them.
var sourceKinds = map[string]bool{"monitor": true, "sensor": true, "uav": true, "radar": true, "osint": true}

var (
	sourceIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`) // as the intake schema's "source"
	gradingPattern  = regexp.MustCompile(`^[A-F][1-6]$`)
	orgPattern      = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,15}$`)
)

func newSourceCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "source", Short: "Register and list the sources that may report"}
	var data, storeURL, org, kind, grading string
	var requireSignature bool
	add := &cobra.Command{
		Use:   "add ID --org CODE --kind monitor|sensor|uav|radar|osint [--grading B2]",
		Short: "Register a source (a monitor team, sensor, UAV crew, OSINT desk)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			switch {
			case !sourceIDPattern.MatchString(id):
				return fmt.Errorf("source id %q: use 1–64 letters, digits and . _ : -", id)
			case !orgPattern.MatchString(org):
				return fmt.Errorf("--org %q: an organisation code such as UKR, USA, OSCE (capitals, digits, _)", org)
			case !sourceKinds[kind]:
				return fmt.Errorf("--kind %q: want monitor, sensor, uav, radar or osint", kind)
			case grading != "" && !gradingPattern.MatchString(grading):
				return fmt.Errorf("--grading %q: an Admiralty code, reliability A–F then credibility 1–6, e.g. B2", grading)
			}
			st, err := openStore(cmd.Context(), data, storeURL)
			if err != nil {
				return err
			}
			defer st.Close()
			s := store.Source{ID: id, Org: org, Kind: kind, Grading: grading, Created: time.Now().UTC(), RequireSignature: requireSignature}
			if err := st.PutSource(cmd.Context(), s); err != nil {
				return err
			}
			if err := cliAudit(cmd, st, "source", id, fmt.Sprintf("registered: %s, %s, grading %q, signed %v", org, kind, grading, requireSignature)); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "source %s registered (org %s, kind %s", id, org, kind)
			if grading != "" {
				fmt.Fprintf(cmd.OutOrStdout(), ", grading %s", grading)
			}
			if requireSignature {
				fmt.Fprint(cmd.OutOrStdout(), ", signed reports only")
			}
			fmt.Fprintln(cmd.OutOrStdout(), ")")
			return nil
		},
	}
	add.Flags().StringVar(&org, "org", "", "organisation code the source belongs to (required)")
	add.Flags().StringVar(&kind, "kind", "", "monitor, sensor, uav, radar or osint (required)")
	add.Flags().StringVar(&grading, "grading", "", "default Admiralty grading of its reports, e.g. B2")
	add.Flags().BoolVar(&requireSignature, "require-signature", false, "accept only reports signed with one of the source's keys (truce source key add)")
	_ = add.MarkFlagRequired("org")
	_ = add.MarkFlagRequired("kind")

	list := &cobra.Command{
		Use:   "list",
		Short: "List registered sources",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openStore(cmd.Context(), data, storeURL)
			if err != nil {
				return err
			}
			defer st.Close()
			srcs, err := st.Sources(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tORG\tKIND\tGRADING\tSIGNED\tREGISTERED")
			for _, s := range srcs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%s\n", s.ID, s.Org, s.Kind, s.Grading, s.RequireSignature, s.Created.UTC().Format(time.RFC3339))
			}
			return tw.Flush()
		},
	}
	storeFlags(&data, &storeURL, add, list)
	cmd.AddCommand(add, list, newSourceKeyCmd())
	return cmd
}
