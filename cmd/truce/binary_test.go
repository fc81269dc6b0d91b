package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// truceBinary builds the real binary once per test run, for tests that
// start, kill and restart servers.
func truceBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "truce-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "truce")
		buildOut, buildErr = exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("building truce: %v\n%s", buildErr, buildOut)
	}
	return binPath
}
