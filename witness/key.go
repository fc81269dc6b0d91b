package witness

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
)

// KeyFile is the witness's private key inside its state directory.
const KeyFile = "witness.key"

// DefaultName names a witness key made without a name. Participants
// should choose their own (a schema-less URL such as
// witness.mfa.example/truce), since a verifier tells witnesses apart by
// name and key together.
const DefaultName = "truce-witness"

// algCosignatureV1 is the signed-note key type of an Ed25519
// cosignature/v1 key (c2sp.org/tlog-cosignature): it goes into the key ID
// and the vkey, so the same Ed25519 key is never mistaken for a plain
// note-signing key.
const algCosignatureV1 = 0x04

// ErrKeyName marks a witness name that is invalid, or that differs from
// the name of the key already made.
var ErrKeyName = errors.New("witness name")

// Key is the witness's Ed25519 cosigning key.
type Key struct {
	// Name is the key name on every cosignature line.
	Name string
	// VerifierKey is name+hash+base64(0x04 || public key): what a log
	// operator passes to tessera.NewWitness and a reader to
	// note.NewVerifierForCosignatureV1.
	VerifierKey string

	hash uint32
	priv ed25519.PrivateKey
}

// LoadOrCreateKey reads the key in dir, or makes one there named name
// (DefaultName when empty) from random (crypto/rand when nil), mode 0600.
// A key is never replaced: readers hold its verifier key, and a witness
// with a new key is a new witness. When name is given and the stored key
// has another, that is an error rather than a silent surprise.
func LoadOrCreateKey(dir, name string, random io.Reader) (*Key, error) {
	if name != "" && !validKeyName(name) {
		return nil, fmt.Errorf("%w %q: use a non-empty name without spaces or '+', e.g. witness.example.org/truce", ErrKeyName, name)
	}
	path := filepath.Join(dir, KeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if name == "" {
			name = DefaultName
		}
		if err := createKey(dir, name, random); err != nil {
			return nil, err
		}
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the witness key: %w", err)
	}
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("the witness key %s is readable by others (mode %v): chmod 600 it", path, fi.Mode().Perm())
		}
	}
	k, err := parseSignerKey(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("the witness key %s: %w", path, err)
	}
	if name != "" && k.Name != name {
		return nil, fmt.Errorf("%w: the witness key in %s is named %q, not %q; a witness keeps its name", ErrKeyName, dir, k.Name, name)
	}
	if err := k.selfTest(); err != nil {
		return nil, fmt.Errorf("the witness key %s: %w", path, err)
	}
	return k, nil
}

// createKey writes a new key so that a crash leaves either no key or a
// whole one, and two processes starting at once end up with the same one:
// the key is written and synced under a temporary name, then linked into
// place, which fails if a key got there first.
func createKey(dir, name string, random io.Reader) error {
	if random == nil {
		random = rand.Reader
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(random, seed); err != nil {
		return fmt.Errorf("making the witness key: %w", err)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := append([]byte{algCosignatureV1}, priv.Public().(ed25519.PublicKey)...)
	skey := fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s\n", name, keyHash(name, pub),
		base64.StdEncoding.EncodeToString(append([]byte{algCosignatureV1}, seed...)))

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the witness state directory: %w", err)
	}
	f, err := os.CreateTemp(dir, ".witness.key.*") // mode 0600
	if err != nil {
		return fmt.Errorf("making the witness key: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.WriteString(skey); err != nil {
		f.Close()
		return fmt.Errorf("making the witness key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("making the witness key: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("making the witness key: %w", err)
	}
	if err := os.Link(tmp, filepath.Join(dir, KeyFile)); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("making the witness key: %w", err)
	}
	return syncDir(dir)
}

// parseSignerKey reads PRIVATE+KEY+name+hash+base64(0x04 || seed), the
// signer-key form golang.org/x/mod/sumdb/note and
// github.com/transparency-dev/formats/note both read.
func parseSignerKey(skey string) (*Key, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return nil, errors.New("want PRIVATE+KEY+name+hash+base64")
	}
	name, hash16, key64 := parts[2], parts[3], parts[4]
	if !validKeyName(name) {
		return nil, fmt.Errorf("key name %q: empty, or holds spaces or '+'", name)
	}
	raw, err := base64.StdEncoding.DecodeString(key64)
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != algCosignatureV1 {
		return nil, errors.New("key material: want base64 of 0x04 and a 32-byte Ed25519 seed")
	}
	priv := ed25519.NewKeyFromSeed(raw[1:])
	pub := append([]byte{algCosignatureV1}, priv.Public().(ed25519.PublicKey)...)
	h := keyHash(name, pub)
	if want, err := strconv.ParseUint(hash16, 16, 32); err != nil || len(hash16) != 8 || uint32(want) != h {
		return nil, fmt.Errorf("key hash %q does not match the key (want %08x)", hash16, h)
	}
	return &Key{
		Name:        name,
		VerifierKey: fmt.Sprintf("%s+%08x+%s", name, h, base64.StdEncoding.EncodeToString(pub)),
		hash:        h,
		priv:        priv,
	}, nil
}

// selfTest cosigns a probe and checks it with the independent verifier in
// github.com/transparency-dev/formats/note — the one Tessera uses on our
// answers — so a witness whose signatures nobody could check never starts.
func (k *Key) selfTest() error {
	v, err := fnote.NewVerifierForCosignatureV1(k.VerifierKey)
	if err != nil {
		return fmt.Errorf("verifier key %q: %w", k.VerifierKey, err)
	}
	if v.KeyHash() != k.hash || v.Name() != k.Name {
		return errors.New("key ID differs from the cosignature/v1 verifier's")
	}
	probe := []byte("truce/witness-self-test\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
	sig, err := k.signer(func() time.Time { return time.Unix(1, 0) }).Sign(probe)
	if err != nil {
		return err
	}
	if !v.Verify(probe, sig) {
		return errors.New("a cosignature made with it does not verify")
	}
	return nil
}

// keyHash is the key ID: SHA-256(name || "\n" || 0x04 || public key)[:4].
func keyHash(name string, typedPub []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte("\n"))
	h.Write(typedPub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// validKeyName is the signed-note rule for key names.
func validKeyName(name string) bool {
	return name != "" && utf8.ValidString(name) && strings.IndexFunc(name, unicode.IsSpace) < 0 && !strings.Contains(name, "+")
}

// signer returns a note.Signer making cosignature/v1 signatures with
// timestamps from now. formats/note's own signer reads the wall clock,
// which would make cosignatures untestable; the format is pinned against
// its verifier by selfTest and the tests.
func (k *Key) signer(now func() time.Time) note.Signer { return cosigner{k, now} }

type cosigner struct {
	k   *Key
	now func() time.Time
}

func (c cosigner) Name() string    { return c.k.Name }
func (c cosigner) KeyHash() uint32 { return c.k.hash }

// Sign signs "cosignature/v1\ntime <t>\n" followed by the checkpoint text
// and returns timestamp || signature, as tlog-cosignature specifies.
func (c cosigner) Sign(text []byte) ([]byte, error) {
	t := c.now().Unix()
	if t < 0 {
		return nil, fmt.Errorf("clock reads %v, before 1970: no cosignature timestamp", c.now())
	}
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "cosignature/v1\ntime %d\n", t)
	msg.Write(text)
	sig := binary.BigEndian.AppendUint64(make([]byte, 0, 8+ed25519.SignatureSize), uint64(t))
	return append(sig, ed25519.Sign(c.k.priv, msg.Bytes())...), nil
}

// cosignatureLine is one note signature line: "— name base64(keyID || sig)\n".
func cosignatureLine(s note.Signer, text []byte) ([]byte, error) {
	sig, err := s.Sign(text)
	if err != nil {
		return nil, err
	}
	blob := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(sig)), s.KeyHash())
	blob = append(blob, sig...)
	return fmt.Appendf(nil, "— %s %s\n", s.Name(), base64.StdEncoding.EncodeToString(blob)), nil
}

// syncDir makes a rename or link in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}
