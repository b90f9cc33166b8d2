# sluice — build, test and benchmark. Everything the tests need is installed from the Go
# module proxy at pinned versions into a cache outside the checkout, reused between runs.

GO            ?= go
TOOLS_DIR     ?= $(HOME)/.cache/sluice/tools
VERSITYGW_VER := v1.8.0
VERSITYGW     := $(TOOLS_DIR)/versitygw-$(VERSITYGW_VER)/versitygw
GOTEST_FLAGS  ?= -count=1

.PHONY: build test unit tools interop bench lint clean crash

build:
	$(GO) build -o sluice ./cmd/sluice

## test: the whole suite, including the S3 conformance suite against a real versitygw
## and the DuckDB read-back check, and a check that the snapshot-diff benchmark (a module
## of its own) still builds against the code. This is what CI runs.
test: tools
	SLUICE_VERSITYGW=$(VERSITYGW) SLUICE_REQUIRE_S3=1 $(GO) test $(GOTEST_FLAGS) ./...
	$(MAKE) --no-print-directory interop
	cd bench/diff && CGO_ENABLED=1 GOFLAGS=-mod=mod $(GO) vet .

## unit: the Go tests alone (the S3 suite is skipped when versitygw is not installed).
unit:
	$(GO) test ./...

tools: $(VERSITYGW)

$(VERSITYGW):
	@mkdir -p $(dir $@)
	GOBIN=$(dir $@) $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VER)

interop:
	bash interop/duckdb/run.sh

## crash: the long crash-convergence run: 30 random SIGKILLs per store and every failpoint at
## hit counts up to @100, on the local store and on versitygw (make test runs a subset).
crash: tools
	CRASH_RANDOM=30 CRASH_FULL=1 SLUICE_VERSITYGW=$(VERSITYGW) SLUICE_REQUIRE_S3=1 $(GO) test -count=1 -timeout 60m ./internal/crashtest/

## bench: end-to-end throughput and memory against a loopback fake API, as ratios.
bench:
	bash bench/run.sh

lint:
	@test -z "$$(gofmt -l .)" || (gofmt -l . && exit 1)
	$(GO) vet ./...

clean:
	rm -f sluice
