package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/truce-mechanism/truce/agreement"
)

func newAgreementCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "agreement", Short: "Validate, load and export agreement versions"}

	validate := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check agreement files and name every problem with its place",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			bad := 0
			for _, name := range args {
				data, err := os.ReadFile(name)
				if err != nil {
					return err
				}
				a, err := agreement.Parse(name, data)
				if err != nil {
					bad++
					var probs agreement.Problems
					if errors.As(err, &probs) {
						for _, p := range probs {
							fmt.Fprintln(cmd.ErrOrStderr(), p.String())
						}
						fmt.Fprintf(cmd.ErrOrStderr(), "%s: %d problems\n", name, len(probs))
						continue
					}
					fmt.Fprintln(cmd.ErrOrStderr(), err)
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: valid — %s version %d, in force from %s, %d parties, %d lines, %d zones, %d rules, sha256 %s\n",
					name, a.ID, a.Version, a.EffectiveFrom.UTC().Format("2006-01-02 15:04Z07:00"),
					len(a.Parties), len(a.Lines), len(a.Zones), len(a.Rules), a.Digest())
			}
			if bad > 0 {
				return &exitError{code: 1, msg: fmt.Sprintf("%d of %d files are not valid agreements", bad, len(args))}
			}
			return nil
		},
	}

	var data, storeURL string
	add := &cobra.Command{
		Use:   "add FILE",
		Short: "Store a new agreement version in a data folder (versions are immutable)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			a, err := agreement.Parse(args[0], raw)
			if err != nil {
				return err
			}
			st, err := openStore(cmd.Context(), data, storeURL)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.PutAgreementVersion(cmd.Context(), storedVersion(a)); err != nil {
				return fmt.Errorf("%s version %d: %w (a version, once stored, never changes: give the new text a new version number)", a.ID, a.Version, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "stored %s version %d (sha256 %s)\n", a.ID, a.Version, a.Digest())
			return nil
		},
	}
	add.Flags().StringVar(&data, "data", defaultDataDir, "data folder of the embedded store")
	add.Flags().StringVar(&storeURL, "store", "", "PostgreSQL URL instead of the embedded store")

	demo := &cobra.Command{
		Use:   "demo",
		Short: "Print the demo agreement that ships in the binary",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := agreement.Demo()
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(a.Bytes())
			return err
		},
	}
	cmd.AddCommand(validate, add, demo)
	return cmd
}
