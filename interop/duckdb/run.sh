#!/usr/bin/env bash
# Checks that DuckDB reads the Parquet files sluice writes: every value exactly, string
# ids as VARCHAR, timestamps as TIMESTAMP WITH TIME ZONE. Exits non-zero on any mismatch.
#
# Needs Go and a C compiler (the DuckDB driver uses cgo and links a prebuilt static
# DuckDB library fetched as a Go module). The module download and the cgo build are
# cached by Go's module and build caches, so only the first run pays for them.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v "${CC:-cc}" >/dev/null 2>&1; then
	echo "interop/duckdb: a C compiler is required (apt-get install gcc)" >&2
	exit 1
fi
export CGO_ENABLED=1
# -mod=mod: when the main module gains dependencies, this module picks them up
# (go.sum included) instead of failing until someone re-tidies it.
export GOFLAGS="${GOFLAGS:-} -mod=mod"

exec go test -count=1 "$@" .
