package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/truce-mechanism/truce/store"
	"github.com/truce-mechanism/truce/store/postgres"
	"github.com/truce-mechanism/truce/store/sqlite"
)

// defaultDataDir is where a data folder lives unless --data says otherwise.
const defaultDataDir = "./truce-data"

// openStore opens the store a command was pointed at: PostgreSQL for a
// postgres:// URL, otherwise the embedded SQLite database in the data folder.
func openStore(ctx context.Context, dataDir, storeURL string) (store.Store, error) {
	if strings.HasPrefix(storeURL, "postgres://") || strings.HasPrefix(storeURL, "postgresql://") {
		return postgres.Open(ctx, storeURL)
	}
	if storeURL != "" {
		return nil, fmt.Errorf("--store %q: only postgres:// URLs are understood; leave it out for the embedded store in --data", storeURL)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data folder: %w", err)
	}
	return sqlite.Open(ctx, filepath.Join(dataDir, "truce.db"))
}
