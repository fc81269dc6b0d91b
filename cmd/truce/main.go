// Command truce is the one binary of the mechanism: the server, the CLI
// that works on a data folder or a server, and the offline tools.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…"; without
// it, the module version or VCS revision from the build info is used.
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRoot().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "truce:", err)
		os.Exit(exitCode(err))
	}
}

// exitError carries an exit status chosen by a command (e.g. 1 when some
// reports were rejected) without printing anything more.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func exitCode(err error) int {
	if e, ok := err.(*exitError); ok {
		return e.code
	}
	return 1
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "truce",
		Short: "Ceasefire monitoring and verification mechanism",
		Long: `truce runs a ceasefire monitoring and verification mechanism and the security
guarantees built on it: reports in, established facts out, every record verifiable.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServeCmd(), newVersionCmd(), newIngestCmd(), newSourceCmd(), newAgreementCmd(), newVerifyCmd(), newWitnessCmd(),
		newOrgCmd(), newUserCmd(), newTokenCmd(), newSignCmd(), newSimulateCmd(), newEvaluateCmd(), newRebuildCmd())
	root.AddCommand(newCaseCmd(), newDeterminationCmd(), newCeasefireCmd(), newReassuranceCmd(), newCommitmentCmd(), newObligationCmd())
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of this binary",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), "truce", buildVersion())
			return nil
		},
	}
}

// buildVersion names what was built: the linker-set version, else the
// module version, else the VCS revision (with +dirty for local changes).
func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	return "devel-" + rev + modified
}
