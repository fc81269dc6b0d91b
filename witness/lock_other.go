//go:build !unix

package witness

// lockDir is a no-op where flock is not available: run one witness
// process per state directory there.
func lockDir(path string) (release func() error, err error) {
	return func() error { return nil }, nil
}
