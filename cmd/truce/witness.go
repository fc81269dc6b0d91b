package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/truce-mechanism/truce/witness"
)

// defaultWitnessDir is apart from the server's data folder: a witness is
// run by another participant, usually on another machine, and its state
// must never be restored from the log operator's backups.
const defaultWitnessDir = "./truce-witness"

type witnessOptions struct {
	data, addr, name  string
	logs              []string
	logFile           string
	logLevel, logForm string
}

func newWitnessCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "witness",
		Short: "Run a witness that cosigns the ledger's checkpoints (C2SP tlog-witness)",
		Long: `A witness cosigns a log's checkpoints after checking that each one extends the
last it cosigned, and never cosigns two that contradict each other. Each
participant of the mechanism can run one; the ledger then publishes only
checkpoints that enough witnesses cosigned.`,
	}
	o := witnessOptions{}
	serve := &cobra.Command{
		Use:   "serve --log VKEY [--log VKEY…] | --log-file FILE",
		Short: "Serve POST /add-checkpoint for the given logs",
		Long: `Serve C2SP tlog-witness add-checkpoint for the logs named by their verifier
keys (name+hash+base64, as the ledger serves at /ledger/key; the key name is
the log's origin). The witness key is made in --data on first start; its
verifier key is logged at start and printed by 'truce witness key'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWitnessServe(cmd, o)
		},
	}
	f := serve.Flags()
	f.StringVar(&o.data, "data", defaultWitnessDir, "state directory: the witness key and what it cosigned")
	f.StringVar(&o.addr, "addr", "127.0.0.1:8090", "address to listen on (host:port)")
	f.StringArrayVar(&o.logs, "log", nil, "verifier key of a log to witness (repeatable)")
	f.StringVar(&o.logFile, "log-file", "", "file of log verifier keys, one a line, # comments")
	f.StringVar(&o.name, "name", "", "witness key name when the key is made, e.g. witness.example.org/truce (default "+witness.DefaultName+")")
	f.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	f.StringVar(&o.logForm, "log-format", "text", "text or json")

	key := &cobra.Command{
		Use:   "key",
		Short: "Print the witness's verifier key, making the key if there is none",
		Long: `Print the witness's cosignature/v1 verifier key (name+hash+base64), the value a
log operator puts in the ledger's witness policy.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			name := ""
			if cmd.Flags().Changed("name") {
				name = o.name
			}
			k, err := witness.LoadOrCreateKey(o.data, name, nil)
			if err != nil {
				return witnessNameFlag(err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), k.VerifierKey)
			return nil
		},
	}
	key.Flags().StringVar(&o.data, "data", defaultWitnessDir, "state directory of the witness")
	key.Flags().StringVar(&o.name, "name", "", "witness key name if the key is made now (default "+witness.DefaultName+")")

	cmd.AddCommand(serve, key)
	return cmd
}

func runWitnessServe(cmd *cobra.Command, o witnessOptions) error {
	log, err := newLogger(cmd.ErrOrStderr(), o.logLevel, o.logForm)
	if err != nil {
		return err
	}
	if err := checkHostPort(o.addr); err != nil {
		return err
	}
	logs, err := witnessLogKeys(o.logs, o.logFile)
	if err != nil {
		return err
	}
	name := ""
	if cmd.Flags().Changed("name") {
		name = o.name
	}
	w, err := witness.New(witness.Config{Dir: o.data, Logs: logs, Name: name, Log: log})
	if err != nil {
		return witnessNameFlag(err)
	}
	defer w.Close()

	mux := http.NewServeMux()
	mux.Handle("/add-checkpoint", w)
	mux.HandleFunc("GET /healthz", func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(rw, "ok\n")
	})
	hs := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute, // logs keep connections alive between checkpoints
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("--addr %s: %w", o.addr, err)
	}
	log.Info("truce witness serving",
		slog.String("url", "http://"+ln.Addr().String()+"/add-checkpoint"),
		slog.String("vkey", w.VerifierKey()),
		slog.String("data", o.data),
		slog.String("logs", strings.Join(w.Origins(), ", ")),
		slog.String("version", buildVersion()))

	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	return serveUntilDone(ctx, hs, ln, log)
}

// checkHostPort refuses an --addr that could only fail later, or that
// would silently listen somewhere unexpected.
func checkHostPort(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: want host:port, e.g. 127.0.0.1:8090 or :8090", addr)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || (port != "0" && n == 0) {
		return fmt.Errorf("--addr %q: port %q is not a number from 0 to 65535", addr, port)
	}
	return nil
}

// witnessLogKeys gathers the log verifier keys from --log and --log-file,
// checking each so a typo is named by flag or file line.
func witnessLogKeys(flags []string, file string) ([]string, error) {
	var keys []string
	for _, k := range flags {
		k = strings.TrimSpace(k)
		if _, err := witness.ParseLogKey(k); err != nil {
			return nil, fmt.Errorf("--log: %w", err)
		}
		keys = append(keys, k)
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--log-file: %w", err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for line := 1; sc.Scan(); line++ {
			k := strings.TrimSpace(stripComment(sc.Text()))
			if k == "" {
				continue
			}
			if _, err := witness.ParseLogKey(k); err != nil {
				return nil, fmt.Errorf("--log-file %s line %d: %w", file, line, err)
			}
			keys = append(keys, k)
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("--log-file %s: %w", file, err)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("--log or --log-file: name at least one log to witness by its verifier key (name+hash+base64)")
	}
	return keys, nil
}

// stripComment drops a # comment: at the start of a line or after a space,
// since a key name itself may contain '#'.
func stripComment(s string) string {
	if strings.HasPrefix(strings.TrimSpace(s), "#") {
		return ""
	}
	if i := strings.Index(s, " #"); i >= 0 {
		return s[:i]
	}
	if i := strings.Index(s, "\t#"); i >= 0 {
		return s[:i]
	}
	return s
}

// witnessNameFlag points a key-name error at the --name flag.
func witnessNameFlag(err error) error {
	if errors.Is(err, witness.ErrKeyName) {
		return fmt.Errorf("--name: %w", err)
	}
	return err
}
