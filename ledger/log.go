package ledger

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/tessera"
	"github.com/transparency-dev/tessera/api/layout"
	"github.com/transparency-dev/tessera/client"
	"github.com/transparency-dev/tessera/storage/posix"
	"golang.org/x/mod/sumdb/note"
)

// Defaults of the log. Checkpoints are published at most every
// DefaultCheckpointInterval: a record is provable once a checkpoint
// covers its batch.
const (
	DefaultCheckpointInterval = time.Second
	DefaultWitnessTimeout     = 5 * time.Second
)

// LogOptions configures OpenLog. Zero values are the defaults.
type LogOptions struct {
	CheckpointInterval time.Duration
	// Witnesses is the C2SP witness policy (tlog-witness policy format:
	// "witness NAME VKEY URL", "group NAME N MEMBER…", "quorum NAME"); a
	// checkpoint is published only with the cosignatures it requires.
	// Empty: no witnesses.
	Witnesses      []byte
	WitnessTimeout time.Duration
}

// Log is the tlog-tiles log in a folder, through Tessera's POSIX driver.
// One process writes it (Tessera locks the folder); anyone reads its tiles.
type Log struct {
	add      tessera.AddFn
	shutdown func(context.Context) error
	cancel   context.CancelFunc
	reader   tessera.LogReader
	origin   string
	verifier note.Verifier
}

// OpenLog opens (or starts) the log in dir, signing checkpoints with key.
func OpenLog(ctx context.Context, dir string, key Key, o LogOptions) (*Log, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("the ledger folder: %w", err)
	}
	v, err := note.NewVerifier(key.Verifier)
	if err != nil {
		return nil, fmt.Errorf("the ledger key: %w", err)
	}
	driver, err := posix.New(ctx, posix.Config{Path: dir})
	if err != nil {
		return nil, fmt.Errorf("the ledger folder %s: %w", dir, err)
	}
	interval := o.CheckpointInterval
	if interval == 0 {
		interval = DefaultCheckpointInterval
	}
	opts := tessera.NewAppendOptions().
		WithCheckpointSigner(key.Signer).
		WithCheckpointInterval(interval).
		// The committer hands over a few large entries at a time and waits
		// for their indexes: flush at once rather than wait to fill.
		WithBatching(64, 10*time.Millisecond)
	if len(o.Witnesses) > 0 {
		group, err := tessera.NewWitnessGroupFromPolicy(o.Witnesses)
		if err != nil {
			return nil, fmt.Errorf("the witness policy: %w", err)
		}
		timeout := o.WitnessTimeout
		if timeout == 0 {
			timeout = DefaultWitnessTimeout
		}
		opts = opts.WithWitnesses(group, &tessera.WitnessOptions{Timeout: timeout})
	}
	// Tessera's background work lives until Close; it must not end with
	// the context of whoever opened the log.
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	app, shutdown, reader, err := tessera.NewAppender(bg, driver, opts)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("opening the ledger in %s: %w", dir, err)
	}
	return &Log{add: app.Add, shutdown: shutdown, cancel: cancel, reader: reader, origin: v.Name(), verifier: v}, nil
}

// Close waits until what was added is integrated and published, then stops.
func (l *Log) Close(ctx context.Context) error {
	err := l.shutdown(ctx)
	l.cancel()
	return err
}

// Origin is the log's name, the first line of its checkpoints.
func (l *Log) Origin() string { return l.origin }

// Append adds entries in order and returns their indexes once they are
// durably sequenced and integrated.
func (l *Log) Append(ctx context.Context, entries [][]byte) ([]uint64, error) {
	futures := make([]tessera.IndexFuture, len(entries))
	for i, e := range entries {
		futures[i] = l.add(ctx, tessera.NewEntry(e))
	}
	// Wait for every future, even after a failure: the caller then knows
	// that nothing it handed over is still on its way into the log.
	out := make([]uint64, len(entries))
	var first error
	for i, f := range futures {
		idx, err := f()
		if err != nil && first == nil {
			first = fmt.Errorf("ledger: adding entry: %w", err)
		}
		out[i] = idx.Index
	}
	if first != nil {
		return nil, first
	}
	return out, nil
}

// Size is the number of entries integrated into the tree (some may not
// be in a published checkpoint yet).
func (l *Log) Size(ctx context.Context) (uint64, error) { return l.reader.IntegratedSize(ctx) }

// Entry reads the entry at index of a tree of the given size.
func (l *Log) Entry(ctx context.Context, index, size uint64) ([]byte, error) {
	b, err := client.GetEntryBundle(ctx, l.reader.ReadEntryBundle, index/layout.EntryBundleWidth, size)
	if err != nil {
		return nil, fmt.Errorf("ledger: reading entry %d: %w", index, err)
	}
	i := index % layout.EntryBundleWidth
	if i >= uint64(len(b.Entries)) {
		return nil, fmt.Errorf("ledger: entry %d is beyond its bundle", index)
	}
	return b.Entries[i], nil
}

// ReadEntryBundle reads a tlog-tiles entry bundle as stored.
func (l *Log) ReadEntryBundle(ctx context.Context, index uint64, p uint8) ([]byte, error) {
	return l.reader.ReadEntryBundle(ctx, index, p)
}

// Checkpoint returns the latest published checkpoint, raw and parsed.
func (l *Log) Checkpoint(ctx context.Context) ([]byte, *log.Checkpoint, error) {
	raw, err := l.reader.ReadCheckpoint(ctx)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, ErrNotYet
		}
		return nil, nil, fmt.Errorf("ledger: reading the checkpoint: %w", err)
	}
	cp, _, _, err := log.ParseCheckpoint(raw, l.origin, l.verifier)
	if err != nil {
		return nil, nil, fmt.Errorf("ledger: the published checkpoint: %w", err)
	}
	return raw, cp, nil
}

// InclusionProof proves the entry at index is in the tree of size size.
func (l *Log) InclusionProof(ctx context.Context, index, size uint64) ([][]byte, error) {
	pb, err := client.NewProofBuilder(ctx, size, l.reader.ReadTile)
	if err != nil {
		return nil, err
	}
	return pb.InclusionProof(ctx, index)
}

// ConsistencyProof proves the tree of size a is a prefix of that of size b.
func (l *Log) ConsistencyProof(ctx context.Context, a, b uint64) ([][]byte, error) {
	pb, err := client.NewProofBuilder(ctx, b, l.reader.ReadTile)
	if err != nil {
		return nil, err
	}
	return pb.ConsistencyProof(ctx, a, b)
}

// ServeHTTP serves the log's public face under any prefix stripped by the
// caller: /checkpoint and the tiles /tile/… (C2SP tlog-tiles), so standard
// tlog clients read it. Full tiles never change and are cacheable forever.
func (l *Log) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	var read func(context.Context) ([]byte, error)
	partial := false
	switch {
	case path == "checkpoint":
		read = l.reader.ReadCheckpoint
	case strings.HasPrefix(path, "tile/entries/"):
		idx, p, err := layout.ParseTileIndexPartial(strings.TrimPrefix(path, "tile/entries/"))
		if err != nil {
			http.Error(w, "bad entry bundle path: "+err.Error(), http.StatusBadRequest)
			return
		}
		read = func(ctx context.Context) ([]byte, error) { return l.reader.ReadEntryBundle(ctx, idx, p) }
		partial = p > 0
	case strings.HasPrefix(path, "tile/"):
		level, index, _ := strings.Cut(strings.TrimPrefix(path, "tile/"), "/")
		lv, idx, p, err := layout.ParseTileLevelIndexPartial(level, index)
		if err != nil {
			http.Error(w, "bad tile path: "+err.Error(), http.StatusBadRequest)
			return
		}
		read = func(ctx context.Context) ([]byte, error) { return l.reader.ReadTile(ctx, lv, idx, p) }
		partial = p > 0
	default:
		http.NotFound(w, r)
		return
	}
	body, err := read(r.Context())
	switch {
	case errors.Is(err, fs.ErrNotExist):
		http.NotFound(w, r)
		return
	case err != nil:
		http.Error(w, "reading the log failed", http.StatusInternalServerError)
		return
	}
	switch {
	case path == "checkpoint":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
	case partial:
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Cache-Control", "public, max-age=5")
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	_, _ = w.Write(body)
}
