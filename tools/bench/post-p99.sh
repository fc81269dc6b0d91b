#!/usr/bin/env bash
# Single-observation POST latency at a fixed rate from a loopback load
# generator (a second process), against `truce serve --demo` on a fresh
# embedded store. Usage: tools/bench/post-p99.sh [rate] [duration]
set -euo pipefail
cd "$(dirname "$0")/../.."
rate=${1:-500}
duration=${2:-30s}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/truce" ./cmd/truce
go build -o "$work/loadgen" ./tools/loadgen
addr=127.0.0.1:18080
"$work/truce" serve --demo --data "$work/data" --addr "$addr" --log-level warn &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://$addr/readyz" >/dev/null && break; sleep 0.1; done
echo "machine: $(nproc) cores, $(uname -r); go $(go env GOVERSION)"
"$work/loadgen" -url "http://$addr" -rate "$rate" -duration "$duration"
