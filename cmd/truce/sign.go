package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/truce-mechanism/truce/observation"
	"github.com/truce-mechanism/truce/store"
)

// A private signing key file holds the base64 of the 32-byte Ed25519
// seed on one line.

func newSourceKeyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "key", Short: "Register the keys a source signs its reports with"}
	var data, storeURL, public, generate string
	add := &cobra.Command{
		Use:   "add SOURCE KEY_ID (--public-key BASE64 | --generate PRIVATE_KEY_FILE)",
		Short: "Register an Ed25519 public key of a source",
		Long: `Register an Ed25519 public key of a source, given as base64, or make a new key
pair: --generate writes the private key to a new file (mode 0600) for the source's
device or for truce sign, and registers the public key. Keys are never replaced.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var pub []byte
			switch {
			case (public == "") == (generate == ""):
				return errors.New("give exactly one of --public-key and --generate")
			case public != "":
				var err error
				if pub, err = base64.StdEncoding.DecodeString(public); err != nil || len(pub) != ed25519.PublicKeySize {
					return fmt.Errorf("--public-key: want the base64 of a 32-byte Ed25519 public key")
				}
			}
			st, err := openStore(cmd.Context(), data, storeURL)
			if err != nil {
				return err
			}
			defer st.Close()
			if _, err := st.Source(cmd.Context(), args[0]); err != nil {
				return fmt.Errorf("%w (register it first with `truce source add`)", err)
			}
			if generate != "" {
				p, priv, err := ed25519.GenerateKey(rand.Reader)
				if err != nil {
					return err
				}
				f, err := os.OpenFile(generate, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
				if err != nil {
					return fmt.Errorf("--generate: %w (a key file is never overwritten)", err)
				}
				_, werr := fmt.Fprintln(f, base64.StdEncoding.EncodeToString(priv.Seed()))
				if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
					return fmt.Errorf("--generate: %w", err)
				}
				pub = p
			}
			if err := st.PutSourceKey(cmd.Context(), store.SourceKey{Source: args[0], KeyID: args[1], PublicKey: pub}); err != nil {
				return err
			}
			if err := cliAudit(cmd, st, "source-key", args[0]+"/"+args[1], "registered "+base64.StdEncoding.EncodeToString(pub)); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "key %s of source %s registered: %s\n", args[1], args[0], base64.StdEncoding.EncodeToString(pub))
			return nil
		},
	}
	add.Flags().StringVar(&public, "public-key", "", "the public key, base64")
	add.Flags().StringVar(&generate, "generate", "", "make a key pair; write the private key to this new file")
	storeFlags(&data, &storeURL, add)
	cmd.AddCommand(add)
	return cmd
}

func newSignCmd() *cobra.Command {
	var keyFile, keyID string
	cmd := &cobra.Command{
		Use:   "sign --key FILE --key-id ID [FILE|-]",
		Short: "Sign reports (one JSON object per line) with a source's private key",
		Long: `Sign reports with a source's Ed25519 private key (as truce source key add
--generate writes it). Input: one JSON report per line (NDJSON), from FILE or
standard input; output: the same reports, signed, in canonical form, one per line.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(keyFile)
			if err != nil {
				return fmt.Errorf("--key: %w", err)
			}
			seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
			if err != nil || len(seed) != ed25519.SeedSize {
				return fmt.Errorf("--key %s: want the base64 of a 32-byte Ed25519 seed on one line", keyFile)
			}
			priv := ed25519.NewKeyFromSeed(seed)
			in, name := io.Reader(cmd.InOrStdin()), "standard input"
			if len(args) == 1 && args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				in, name = f, args[0]
			}
			sc := bufio.NewScanner(in)
			sc.Buffer(make([]byte, 64<<10), 8<<20)
			out := bufio.NewWriter(cmd.OutOrStdout())
			for line := 1; sc.Scan(); line++ {
				text := bytes.TrimSpace(sc.Bytes())
				if len(text) == 0 {
					continue
				}
				signed, err := observation.Sign(text, keyID, priv)
				if err != nil {
					return fmt.Errorf("%s:%d: %w", name, line, err)
				}
				out.Write(signed)
				out.WriteByte('\n')
			}
			if err := sc.Err(); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			return out.Flush()
		},
	}
	cmd.Flags().StringVar(&keyFile, "key", "", "private key file (required)")
	cmd.Flags().StringVar(&keyID, "key-id", "", "the key's id, as registered (required)")
	_ = cmd.MarkFlagRequired("key")
	_ = cmd.MarkFlagRequired("key-id")
	return cmd
}
