package witness

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// MaxRequestBytes bounds an add-checkpoint body: 63 proof lines and a
// checkpoint with a hundred signatures (note.Open's own limit) fit many
// times over.
const MaxRequestBytes = 1 << 20

// SizeContentType marks a 409 whose body is the size the witness holds, so
// the client can retry with the right old size and proof.
const SizeContentType = "text/x.tlog.size"

// Directories inside the state directory.
const (
	logsDir     = "logs"
	evidenceDir = "evidence"
	lockFile    = "lock"
)

// Config says which logs a witness follows and where it keeps its state.
type Config struct {
	// Dir holds the key, the state of each log and the lock.
	Dir string
	// Logs are the verifier keys (name+hash+base64, Ed25519 signed-note
	// form) of the logs to witness. The key name is the log's origin; two
	// keys with one name are both trusted for that origin (key rotation).
	Logs []string
	// Name names the witness key when it is made; if set, an existing key
	// must carry it. Empty means DefaultName for a new key.
	Name string
	// Now timestamps cosignatures. Nil means time.Now.
	Now func() time.Time
	// Rand makes the key. Nil means crypto/rand.
	Rand io.Reader
	// Log receives refusals and evidence. Nil discards.
	Log *slog.Logger
}

// Witness cosigns the checkpoints of the logs it follows, never two that
// are inconsistent with each other.
type Witness struct {
	dir     string
	key     *Key
	signer  note.Signer
	log     *slog.Logger
	logs    map[string]*followedLog // by origin
	release func() error
	closed  atomic.Bool
}

// followedLog is what the witness holds for one log: the last checkpoint it
// cosigned. mu serialises requests for the log from the comparison of the
// old size to the moment the new state is on disk.
type followedLog struct {
	origin    string
	verifiers note.Verifiers
	file      string

	mu       sync.Mutex
	size     uint64
	root     []byte
	cosigned bool // false: nothing on disk yet, size 0 and the empty root
}

// ParseLogKey reads a log's verifier key; its name is the log's origin.
func ParseLogKey(vkey string) (note.Verifier, error) {
	v, err := note.NewVerifier(vkey)
	if err == nil {
		return v, nil
	}
	if _, cerr := fnote.NewVerifierForCosignatureV1(vkey); cerr == nil {
		return nil, fmt.Errorf("%q is a witness cosignature key, not a log's checkpoint key", clip([]byte(vkey)))
	}
	return nil, fmt.Errorf("%q is not a log verifier key (name+hash+base64, Ed25519): %v", clip([]byte(vkey)), err)
}

// New opens the witness state in cfg.Dir, making the directory and key on
// first start. It takes the directory's lock until Close.
func New(cfg Config) (*Witness, error) {
	if cfg.Dir == "" {
		return nil, errors.New("witness: no state directory")
	}
	if len(cfg.Logs) == 0 {
		return nil, errors.New("witness: no logs to witness")
	}
	if cfg.Name != "" && !validKeyName(cfg.Name) {
		return nil, fmt.Errorf("%w %q: use a non-empty name without spaces or '+', e.g. witness.example.org/truce", ErrKeyName, cfg.Name)
	}
	byOrigin := map[string][]note.Verifier{}
	seen := map[string]bool{}
	for i, vkey := range cfg.Logs {
		vkey = strings.TrimSpace(vkey)
		if seen[vkey] {
			continue
		}
		seen[vkey] = true
		v, err := ParseLogKey(vkey)
		if err != nil {
			return nil, fmt.Errorf("log key %d: %w", i+1, err)
		}
		byOrigin[v.Name()] = append(byOrigin[v.Name()], v)
	}

	if err := os.MkdirAll(filepath.Join(cfg.Dir, logsDir), 0o700); err != nil {
		return nil, fmt.Errorf("creating the witness state directory: %w", err)
	}
	release, err := lockDir(filepath.Join(cfg.Dir, lockFile))
	if err != nil {
		return nil, err
	}
	w, err := open(cfg, byOrigin)
	if err != nil {
		release()
		return nil, err
	}
	w.release = release
	return w, nil
}

func open(cfg Config, byOrigin map[string][]note.Verifier) (*Witness, error) {
	key, err := LoadOrCreateKey(cfg.Dir, cfg.Name, cfg.Rand)
	if err != nil {
		return nil, err
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Witness{dir: cfg.Dir, key: key, signer: key.signer(now), log: log, logs: map[string]*followedLog{}}
	if err := removeTemps(filepath.Join(cfg.Dir, logsDir)); err != nil {
		return nil, err
	}
	for origin, vs := range byOrigin {
		l := &followedLog{
			origin:    origin,
			verifiers: note.VerifierList(vs...),
			file:      filepath.Join(cfg.Dir, logsDir, stateName(origin)),
		}
		if err := l.load(); err != nil {
			return nil, err
		}
		w.logs[origin] = l
	}
	return w, nil
}

// stateName is a log's state file name: origins are arbitrary text, file
// names are not.
func stateName(origin string) string {
	h := sha256.Sum256([]byte(origin))
	return hex.EncodeToString(h[:])
}

// load reads the last cosigned checkpoint. A state file that does not read
// is fatal: starting from zero instead would let the witness cosign a fork
// of what it already vouched for.
func (l *followedLog) load() error {
	b, err := os.ReadFile(l.file)
	if errors.Is(err, fs.ErrNotExist) {
		l.size, l.root = 0, rfc6962.DefaultHasher.EmptyRoot()
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the state of log %q: %w", l.origin, err)
	}
	text, _, err := splitNote(b)
	if err == nil {
		var cp checkpoint
		if cp, err = parseCheckpoint(text); err == nil {
			if cp.Origin != l.origin {
				return fmt.Errorf("state file %s holds log %q, not %q", l.file, cp.Origin, l.origin)
			}
			l.size, l.root, l.cosigned = cp.Size, cp.Root, true
			return nil
		}
	}
	return fmt.Errorf("state file %s of log %q is damaged (%v): restore it from a backup; never delete it", l.file, l.origin, err)
}

// Close releases the state directory. Requests after Close are refused.
func (w *Witness) Close() error {
	if w.closed.Swap(true) {
		return nil
	}
	return w.release()
}

// VerifierKey is the witness's cosignature/v1 verifier key,
// name+hash+base64, as tessera.NewWitness takes it.
func (w *Witness) VerifierKey() string { return w.key.VerifierKey }

// Name is the key name on the witness's cosignature lines.
func (w *Witness) Name() string { return w.key.Name }

// Origins lists the logs the witness follows, sorted.
func (w *Witness) Origins() []string {
	out := make([]string, 0, len(w.logs))
	for o := range w.logs {
		out = append(out, o)
	}
	slices.Sort(out)
	return out
}

// Held is the size and root of the last checkpoint cosigned for origin
// (0 and the empty tree's root before the first); ok is false for a log the
// witness does not follow.
func (w *Witness) Held(origin string) (size uint64, root []byte, ok bool) {
	l := w.logs[origin]
	if l == nil {
		return 0, nil, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.size, bytes.Clone(l.root), true
}

// Kind is why a witness refuses a checkpoint; each maps to one HTTP status
// (statusOf).
type Kind int

const (
	Malformed       Kind = iota + 1 // the body or checkpoint cannot be read
	UnknownLog                      // the origin is not a followed log
	NotSigned                       // no signature verifies with the log's key
	OldSizeTooLarge                 // old size above the checkpoint's size
	SizeConflict                    // old size is not the held size
	RootConflict                    // same size as held, other root: a fork
	Inconsistent                    // the consistency proof fails: a fork or a bad proof
	Unavailable                     // the witness is closed
)

// statusOf is the one table from refusal to HTTP status, as tlog-witness
// prescribes.
var statusOf = map[Kind]int{
	Malformed:       http.StatusBadRequest,
	UnknownLog:      http.StatusNotFound,
	NotSigned:       http.StatusForbidden,
	OldSizeTooLarge: http.StatusBadRequest,
	SizeConflict:    http.StatusConflict,
	RootConflict:    http.StatusConflict,
	Inconsistent:    http.StatusUnprocessableEntity,
	Unavailable:     http.StatusServiceUnavailable,
}

// Refusal is a checkpoint the witness will not cosign, and why.
type Refusal struct {
	Kind   Kind
	Held   uint64 // for SizeConflict: the size the witness holds
	Reason string
}

func (r *Refusal) Error() string { return r.Reason }

// Status is the HTTP status the protocol gives this refusal.
func (r *Refusal) Status() int { return statusOf[r.Kind] }

func refuse(k Kind, format string, args ...any) *Refusal {
	return &Refusal{Kind: k, Reason: fmt.Sprintf(format, args...)}
}

// Cosign checks a request and, if the checkpoint extends what the witness
// holds for its log, records it durably and returns the cosignature line
// ("— name base64\n"). A refusal is a *Refusal; any other error means the
// state could not be saved and nothing was cosigned.
func (w *Witness) Cosign(r AddCheckpoint) ([]byte, error) {
	if w.closed.Load() {
		return nil, refuse(Unavailable, "the witness is shutting down")
	}
	text, _, err := splitNote(r.Checkpoint)
	if err != nil {
		return nil, refuse(Malformed, "%v", err)
	}
	cp, err := parseCheckpoint(text)
	if err != nil {
		return nil, refuse(Malformed, "%v", err)
	}
	l := w.logs[cp.Origin]
	if l == nil {
		return nil, refuse(UnknownLog, "this witness does not follow a log with origin %q", clip([]byte(cp.Origin)))
	}
	if _, err := note.Open(r.Checkpoint, l.verifiers); err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		if errors.As(err, &unverified) || errors.As(err, &invalid) {
			return nil, refuse(NotSigned, "no signature on the checkpoint verifies with the key of log %q", cp.Origin)
		}
		return nil, refuse(Malformed, "checkpoint: %v", err)
	}
	if r.OldSize > cp.Size {
		return nil, refuse(OldSizeTooLarge, "old size %d is larger than the checkpoint's size %d", r.OldSize, cp.Size)
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	if r.OldSize != l.size {
		ref := refuse(SizeConflict, "old size %d, but the last checkpoint cosigned for %q has size %d", r.OldSize, cp.Origin, l.size)
		ref.Held = l.size
		return nil, ref
	}
	if cp.Size == l.size && !bytes.Equal(cp.Root, l.root) {
		w.keepEvidence(cp, r)
		return nil, refuse(RootConflict, "log %q at size %d: root differs from the one cosigned at that size", cp.Origin, cp.Size)
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, l.size, cp.Size, r.Proof, l.root, cp.Root); err != nil {
		w.keepEvidence(cp, r)
		return nil, refuse(Inconsistent, "consistency proof from size %d to %d of log %q does not verify: %v", l.size, cp.Size, cp.Origin, err)
	}
	line, err := cosignatureLine(w.signer, text)
	if err != nil {
		return nil, fmt.Errorf("cosigning: %w", err)
	}
	if cp.Size > l.size || !l.cosigned {
		// The checkpoint as the log signed it, with our cosignature: the
		// record of what this witness vouched for. On disk before the
		// cosignature leaves, so a restart can never forget it.
		state := append(bytes.Clone(r.Checkpoint), line...)
		if err := writeFileAtomic(filepath.Dir(l.file), filepath.Base(l.file), state); err != nil {
			return nil, fmt.Errorf("recording checkpoint %d of log %q: %w", cp.Size, cp.Origin, err)
		}
		l.size, l.root, l.cosigned = cp.Size, cp.Root, true
	}
	return line, nil
}

// keepEvidence saves a log-signed request that contradicts what the witness
// cosigned: proof of the log's misbehaviour (tlog-witness allows it). The
// name depends only on the request, so a retried request is kept once.
// Failing to keep it does not change the answer.
func (w *Witness) keepEvidence(cp checkpoint, r AddCheckpoint) {
	body := r.Encode()
	h := sha256.Sum256(body)
	name := fmt.Sprintf("%s-%d-%s.txt", stateName(cp.Origin)[:16], cp.Size, hex.EncodeToString(h[:8]))
	dir := filepath.Join(w.dir, evidenceDir)
	if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
		return
	}
	err := os.MkdirAll(dir, 0o700)
	if err == nil {
		err = writeFileAtomic(dir, name, body)
	}
	if err != nil {
		w.log.Error("could not keep evidence of an inconsistent checkpoint", slog.String("origin", cp.Origin), slog.Any("err", err))
		return
	}
	w.log.Warn("log signed a checkpoint inconsistent with one this witness cosigned; request kept as evidence",
		slog.String("origin", cp.Origin), slog.Uint64("size", cp.Size), slog.String("file", filepath.Join(dir, name)))
}

// ServeHTTP answers POST /add-checkpoint. Mount it under a prefix with
// http.StripPrefix.
func (w *Witness) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	if req.URL.Path != "/add-checkpoint" {
		http.NotFound(rw, req)
		return
	}
	if req.Method != http.MethodPost {
		rw.Header().Set("Allow", http.MethodPost)
		writeText(rw, http.StatusMethodNotAllowed, "add-checkpoint takes POST")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(rw, req.Body, MaxRequestBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeText(rw, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", MaxRequestBytes))
			return
		}
		writeText(rw, http.StatusBadRequest, "reading the request body: "+err.Error())
		return
	}
	r, err := ParseAddCheckpoint(body)
	if err != nil {
		w.log.Info("add-checkpoint refused", slog.Int("status", http.StatusBadRequest), slog.String("reason", err.Error()))
		writeText(rw, http.StatusBadRequest, err.Error())
		return
	}
	line, err := w.Cosign(r)
	var ref *Refusal
	switch {
	case errors.As(err, &ref):
		w.log.Info("add-checkpoint refused", slog.Int("status", ref.Status()), slog.String("reason", ref.Reason))
		if ref.Kind == SizeConflict {
			rw.Header().Set("Content-Type", SizeContentType)
			rw.WriteHeader(http.StatusConflict)
			fmt.Fprintf(rw, "%d\n", ref.Held)
			return
		}
		writeText(rw, ref.Status(), ref.Reason)
	case err != nil:
		w.log.Error("add-checkpoint failed; nothing cosigned", slog.Any("err", err))
		writeText(rw, http.StatusInternalServerError, "the witness could not record the checkpoint; nothing was cosigned")
	default:
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.WriteHeader(http.StatusOK)
		rw.Write(line)
	}
}

func writeText(rw http.ResponseWriter, status int, msg string) {
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	rw.Header().Set("X-Content-Type-Options", "nosniff")
	rw.WriteHeader(status)
	io.WriteString(rw, strings.ReplaceAll(msg, "\n", " ")+"\n")
}

// writeFileAtomic replaces dir/name so that a crash at any moment leaves
// the old content or the new, whole: write a temporary file, fsync it,
// rename it over, fsync the directory.
func writeFileAtomic(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, "."+name+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	ok = true
	return syncDir(dir)
}

// removeTemps clears temporary files a crash left behind in dir.
func removeTemps(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), ".tmp") {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("removing a leftover temporary file: %w", err)
			}
		}
	}
	return nil
}
