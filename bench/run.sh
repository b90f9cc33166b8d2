#!/usr/bin/env bash
# make bench: end-to-end throughput and memory (ratios against a baseline measured in the
# same run), then the micro-benchmarks that back the rate-limiter and hot-path claims.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/sluice" ./cmd/sluice
echo "== end to end"
go run ./bench/e2e -bin "$tmp/sluice" -runs "${BENCH_E2E_RUNS:-3}"
echo
echo "== rate limiter on loopback (achieved/configured)"
go test -run '^$' -bench 'BenchmarkLimiterLoopback' -benchtime 1x ./internal/httpapi/ | grep -E 'Benchmark|ratio' || true
echo
echo "== hot path (per core)"
go test -run '^$' -bench 'BenchmarkExtract|BenchmarkHash' -benchmem ./internal/record/ | grep Benchmark || true
go test -run '^$' -bench 'BenchmarkParquetWrite' -benchmem ./internal/format/ | grep Benchmark || true
echo
echo "== snapshot diff: sluice diff vs DuckDB (10M records per snapshot; BENCH_DIFF_N to change)"
(cd bench/diff && CGO_ENABLED=1 GOFLAGS="${GOFLAGS:-} -mod=mod" go run . -bin "$tmp/sluice" -n "${BENCH_DIFF_N:-10000000}")
go test -run '^$' -bench 'BenchmarkDiff' -benchtime 3x ./internal/snapshot/ | grep Benchmark || true
