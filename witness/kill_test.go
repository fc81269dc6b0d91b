//go:build linux

package witness

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestKill9Child is the witness process TestKill9KeepsCosignedState kills;
// run on its own it does nothing.
func TestKill9Child(t *testing.T) {
	dir, vkey := os.Getenv("TRUCE_WITNESS_CHILD_DIR"), os.Getenv("TRUCE_WITNESS_CHILD_LOG")
	if dir == "" {
		t.Skip("the child of TestKill9KeepsCosignedState")
	}
	w, err := New(Config{Dir: dir, Logs: []string{vkey}, Now: fixedNow})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.Exit(1)
	}
	fmt.Println("listening", ln.Addr())
	http.Serve(ln, w)
}

// TestKill9KeepsCosignedState kills a witness process with SIGKILL at
// random moments while a log feeds it checkpoints, restarts it, and checks
// that it still holds at least every size it answered 200 for, with the
// root of the true tree: what it cosigned survives any crash.
func TestKill9KeepsCosignedState(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	lg := newTestLog(t, origin, 1, "entry", 4000)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	var acked, sent uint64 // largest size answered 200; largest size sent
	client := &http.Client{Timeout: 5 * time.Second}

	for cycle := range 12 {
		child := exec.Command(os.Args[0], "-test.run=^TestKill9Child$")
		child.Env = append(os.Environ(), "TRUCE_WITNESS_CHILD_DIR="+dir, "TRUCE_WITNESS_CHILD_LOG="+lg.vkey)
		// The child dies with the test, whatever way the test ends.
		child.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		out, _ := child.StdoutPipe()
		child.Stderr = os.Stderr
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		var once sync.Once
		kill := func() {
			once.Do(func() {
				child.Process.Kill()
				child.Wait()
			})
		}
		t.Cleanup(kill)
		line, _ := bufio.NewReader(out).ReadString('\n')
		addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
		if !ok {
			t.Fatalf("cycle %d: child said %q", cycle, line)
		}
		url := "http://" + addr + "/add-checkpoint"

		// What does the restarted witness hold? Ask with old 0: 409 names it.
		sent = max(sent, acked+1)
		held := ask(t, client, url, lg.request(0, acked+1))
		if held < acked || held > sent {
			t.Fatalf("cycle %d: witness holds %d after kill -9; it had cosigned %d and was sent at most %d", cycle, held, acked, sent)
		}
		acked = held // a cosignature written but not delivered is still held
		// Same size, same root: the held checkpoint is the true tree's.
		if res, err := client.Post(url, "text/plain", bytes.NewReader(lg.request(held, held))); err != nil || res.StatusCode != 200 {
			t.Fatalf("cycle %d: the held checkpoint at %d is not the log's: %v %v", cycle, held, res, err)
		} else {
			res.Body.Close()
		}

		// Feed it, and kill it at a random moment.
		var stop atomic.Bool
		timer := time.AfterFunc(time.Duration(rng.IntN(40))*time.Millisecond, func() {
			stop.Store(true)
			child.Process.Kill()
		})
		for !stop.Load() && acked < lg.tree.Size()-10 {
			next := acked + 1 + uint64(rng.IntN(8))
			sent = max(sent, next)
			res, err := client.Post(url, "text/plain", bytes.NewReader(lg.request(acked, next)))
			if err != nil {
				break // killed mid-request
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Fatalf("cycle %d: %d → %d refused: %d %s", cycle, acked, next, res.StatusCode, body)
			}
			acked = next
		}
		timer.Stop()
		kill()
	}
	if acked == 0 {
		t.Fatal("nothing was ever cosigned")
	}
	t.Logf("12 kill -9 cycles; %d leaves cosigned", acked)
}

// ask learns the size a witness holds: a request from old 0 is answered
// 409 with the size, or 200 (and cosigned) if it held nothing yet.
func ask(t *testing.T, c *http.Client, url string, probe []byte) uint64 {
	t.Helper()
	res, err := c.Post(url, "text/plain", bytes.NewReader(probe))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	switch res.StatusCode {
	case 200:
		r, _ := ParseAddCheckpoint(probe)
		text, _, _ := splitNote(r.Checkpoint)
		cp, _ := parseCheckpoint(text)
		return cp.Size
	case 409:
		n, err := strconv.ParseUint(strings.TrimSpace(string(body)), 10, 64)
		if err != nil || res.Header.Get("Content-Type") != SizeContentType {
			t.Fatalf("409 %q %q", res.Header.Get("Content-Type"), body)
		}
		return n
	}
	t.Fatalf("probe answered %d %s", res.StatusCode, body)
	return 0
}
