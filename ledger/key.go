package ledger

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// DefaultOrigin names the log when its key is first made: the origin line
// of every checkpoint and the name of the verifier key.
const DefaultOrigin = "truce-mechanism/ledger"

// Key is the mechanism's signing key for checkpoints.
type Key struct {
	Signer note.Signer
	// Verifier is the public key in note form, name+hash+base64: what
	// anyone needs to check a checkpoint (served at /ledger/key).
	Verifier string
}

// LoadOrCreateKey reads the signing key at path, or makes one named origin
// there (mode 0600) when there is none. A key is never overwritten: a new
// key would orphan every checkpoint signed before.
func LoadOrCreateKey(path, origin string) (Key, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := createKey(path, origin); err != nil {
			return Key{}, err
		}
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return Key{}, fmt.Errorf("the ledger key: %w", err)
	}
	skey := strings.TrimSpace(string(b))
	s, err := note.NewSigner(skey)
	if err != nil {
		return Key{}, fmt.Errorf("the ledger key %s: %w", path, err)
	}
	vkey, err := verifierOf(skey)
	if err != nil {
		return Key{}, fmt.Errorf("the ledger key %s: %w", path, err)
	}
	return Key{Signer: s, Verifier: vkey}, nil
}

func createKey(path, origin string) error {
	skey, _, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return fmt.Errorf("making the ledger key named %q: %w", origin, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("the ledger key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
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
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// verifierOf derives the verifier key from a note signing key,
// PRIVATE+KEY+name+hash+base64(0x01 || Ed25519 seed); note.NewSigner has
// already checked its form.
func verifierOf(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize {
		return "", errors.New("not an Ed25519 note key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}
