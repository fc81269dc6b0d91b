package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"k8s.io/klog/v2"

	"github.com/truce-mechanism/truce/ledger"
)

// The ledger's files in a data folder: the signing key (0600, never
// served) and the log's tiles (served as they are).
const (
	ledgerKeyFile = "ledger.key"
	ledgerDir     = "ledger"
)

// openLedger opens the data folder's log, making its key on first start.
// With PostgreSQL as the store the log still lives in --data: a
// transparency log has one writer, and its tiles are files.
func openLedger(ctx context.Context, data string, o ledgerOptions, log *slog.Logger) (*ledger.Log, ledger.Key, error) {
	// Tessera reports through klog; its chatter is not the operator's
	// business unless something goes wrong.
	klog.SetSlogLogger(slog.New(levelAtLeast{log.Handler(), slog.LevelWarn}).With(slog.String("component", "tessera")))
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, ledger.Key{}, fmt.Errorf("creating the data folder: %w", err)
	}
	key, err := ledger.LoadOrCreateKey(filepath.Join(data, ledgerKeyFile), o.origin)
	if err != nil {
		return nil, ledger.Key{}, err
	}
	opts := ledger.LogOptions{CheckpointInterval: o.checkpointInterval}
	if o.witnessPolicy != "" {
		if opts.Witnesses, err = os.ReadFile(o.witnessPolicy); err != nil {
			return nil, ledger.Key{}, fmt.Errorf("--witness-policy: %w", err)
		}
	}
	lg, err := ledger.OpenLog(ctx, filepath.Join(data, ledgerDir), key, opts)
	if err != nil {
		return nil, ledger.Key{}, err
	}
	return lg, key, nil
}

// levelAtLeast drops records below a level, whatever the handler allows.
type levelAtLeast struct {
	slog.Handler
	min slog.Level
}

func (h levelAtLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelAtLeast) WithAttrs(a []slog.Attr) slog.Handler {
	return levelAtLeast{h.Handler.WithAttrs(a), h.min}
}

func (h levelAtLeast) WithGroup(name string) slog.Handler {
	return levelAtLeast{h.Handler.WithGroup(name), h.min}
}
