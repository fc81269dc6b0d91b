// Command loadgen posts single observations to a truce server at a fixed
// rate and reports latency percentiles. It is open-loop: requests start on
// schedule whether or not earlier ones have finished, so a slow server
// shows up as latency instead of silently lowering the rate (the
// coordinated-omission trap of closed-loop generators).
//
//	go run ./tools/loadgen -url http://127.0.0.1:8080 -rate 500 -duration 30s
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "server base URL")
	rate := flag.Int("rate", 500, "requests per second")
	dur := flag.Duration("duration", 30*time.Second, "how long to send")
	warm := flag.Duration("warmup", 3*time.Second, "sent first and not counted")
	source := flag.String("source", "loadgen", "source of the reports")
	flag.Parse()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 10 * time.Second}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  int
		wg        sync.WaitGroup
	)
	interval := time.Second / time.Duration(*rate)
	start := time.Now()
	total := int((*warm + *dur) / interval)
	run := fmt.Sprintf("%x", start.UnixNano())
	for i := range total {
		due := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(due))
		counted := time.Duration(i)*interval >= *warm
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"id":"%s-%d","source":%q,"observed_at":%q,"kind":"explosion","count":1,"observer":{"lat":48.%04d,"lon":37.%04d},"bearing_deg":%d}`,
				run, i, *source, time.Now().UTC().Add(-time.Minute).Format(time.RFC3339), i%10000, (i*7)%10000, i%360)
			resp, err := client.Post(*url+"/api/v1/observations", "application/json", bytes.NewBufferString(body))
			ok := err == nil && resp.StatusCode == 201
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			// latency from the scheduled start: waiting to be sent counts
			d := time.Since(due)
			if !counted {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if !ok {
				failures++
				return
			}
			latencies = append(latencies, d)
		}()
	}
	wg.Wait()
	if len(latencies) == 0 {
		fmt.Fprintln(os.Stderr, "loadgen: no request succeeded")
		os.Exit(1)
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))] }
	fmt.Printf("rate=%d/s duration=%s requests=%d failures=%d p50=%s p90=%s p99=%s p99.9=%s max=%s\n",
		*rate, *dur, len(latencies), failures, pct(0.50), pct(0.90), pct(0.99), pct(0.999), latencies[len(latencies)-1])
	if failures > 0 {
		os.Exit(1)
	}
}
