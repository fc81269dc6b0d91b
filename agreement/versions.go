package agreement

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// ErrVersionConflict is returned by Versions.Add for a second, different
// file under an agreement id and version already loaded: a version is
// immutable, and a change is a new version.
var ErrVersionConflict = errors.New("agreement version conflict")

// ErrVersionOrder is returned by Versions.Add when versions and their
// effective times disagree (version 3 taking effect before version 2), or
// two agreements would take effect at the same instant.
var ErrVersionOrder = errors.New("agreement versions out of order")

// Versions is the set of agreement versions the mechanism knows, and
// answers which one was in force at a given time: the one with the latest
// effective_from at or before it. Versions are only ever added, never
// replaced or edited. Safe for concurrent use.
type Versions struct {
	mu   sync.RWMutex
	list []*Agreement // by EffectiveFrom
}

// NewVersions returns a set holding the given agreements.
func NewVersions(as ...*Agreement) (*Versions, error) {
	v := &Versions{}
	for _, a := range as {
		if err := v.Add(a); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Add loads a version. Loading the same file again is a no-op.
func (v *Versions) Add(a *Agreement) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, b := range v.list {
		if b.ID == a.ID && b.Version == a.Version {
			if b.SHA256 == a.SHA256 {
				return nil
			}
			return fmt.Errorf("%w: version %d of %q is already loaded from %s (sha256 %.12s…), and %s (sha256 %.12s…) differs; a version never changes — publish the change as a new version",
				ErrVersionConflict, a.Version, a.ID, b.File, b.Digest(), a.File, a.Digest())
		}
		if b.ID == a.ID && (b.Version < a.Version) != b.EffectiveFrom.Before(a.EffectiveFrom) {
			return fmt.Errorf("%w: %q version %d takes effect %s and version %d %s; a later version must take effect later",
				ErrVersionOrder, a.ID, a.Version, a.EffectiveFrom.Format(time.RFC3339), b.Version, b.EffectiveFrom.Format(time.RFC3339))
		}
		if b.EffectiveFrom.Equal(a.EffectiveFrom) {
			return fmt.Errorf("%w: %q version %d and %q version %d both take effect at %s; only one agreement can be in force at a time",
				ErrVersionOrder, a.ID, a.Version, b.ID, b.Version, a.EffectiveFrom.Format(time.RFC3339))
		}
	}
	i, _ := slices.BinarySearchFunc(v.list, a.EffectiveFrom, func(b *Agreement, t time.Time) int { return b.EffectiveFrom.Compare(t) })
	v.list = slices.Insert(v.list, i, a)
	return nil
}

// InForce returns the version in force at t, or nil before the first.
func (v *Versions) InForce(t time.Time) *Agreement {
	v.mu.RLock()
	defer v.mu.RUnlock()
	i, found := slices.BinarySearchFunc(v.list, t, func(b *Agreement, t time.Time) int { return b.EffectiveFrom.Compare(t) })
	if found {
		return v.list[i]
	}
	if i == 0 {
		return nil
	}
	return v.list[i-1]
}

// Get returns a version by agreement id and version number, or nil.
func (v *Versions) Get(id string, version int) *Agreement {
	v.mu.RLock()
	defer v.mu.RUnlock()
	for _, a := range v.list {
		if a.ID == id && a.Version == version {
			return a
		}
	}
	return nil
}

// All returns every version, earliest in force first.
func (v *Versions) All() []*Agreement {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return slices.Clone(v.list)
}
