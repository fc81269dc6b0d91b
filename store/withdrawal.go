package store

import (
	"fmt"
	"strings"
)

// WithdrawnObservation checks what a withdrawal names and splits its key:
// observations are the only records that can be withdrawn so far.
func WithdrawnObservation(w Withdrawal) (source, id string, err error) {
	if w.RecordType != "observation" {
		return "", "", fmt.Errorf("withdrawal of a %q: only observations can be withdrawn", w.RecordType)
	}
	source, id, ok := strings.Cut(w.RecordKey, "/")
	if !ok || source == "" || id == "" {
		return "", "", fmt.Errorf("withdrawal of observation %q: the key must be source/id", w.RecordKey)
	}
	return source, id, nil
}
