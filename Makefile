# The one place where project commands live. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Backends the test suite uses besides the embedded ones (every storage and flow test runs on
# SQLite + in-process store and again on PostgreSQL + Redis).
export TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/eulogin_test
export TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: help run test test-embedded lint fmt build release bench bench-traces clean check-backends interop-deps browser-deps

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

run: ## Start eulogin and traces on localhost with the embedded defaults and demo accounts
	cargo build -p eulogin -p traces
	./scripts/run.sh

test: check-backends interop-deps browser-deps ## Run every test, on both backends (needs PostgreSQL, Redis, Node.js, Chromium)
	cargo test --workspace --no-fail-fast
	cd tests/interop && node --test browser.test.mjs

interop-deps: ## Install the Node relying-party library of the interop test (from its lock file)
	@command -v node >/dev/null || { echo "Node.js 20+ is needed for the interop test" >&2; exit 1; }
	cd tests/interop && npm ci --no-audit --no-fund

browser-deps: ## Install the browser test's needs: Debian's Chromium, playwright-core (lock file)
	@command -v chromium >/dev/null || { echo "installing Debian's chromium (apt-get)"; \
	  apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; }
	cd tests/browser && npm ci --no-audit --no-fund

check-backends: ## Fail unless the test PostgreSQL and Redis answer
	@./scripts/check-backends.sh

lint: ## rustfmt and clippy, warnings as errors
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt: ## Format the code
	cargo fmt --all

build: ## Debug build of everything
	cargo build --workspace

release: ## Optimised binaries in target/release
	cargo build --release -p eulogin -p traces

bench: ## Benchmark eulogin's OIDC endpoints and traces' API on both backends; writes docs/benchmarks.md
	cargo build --release -p eulogin -p traces -p bench
	@./scripts/check-backends.sh
	target/release/eulogin-bench --backend embedded --write-report docs/benchmarks.md
	target/release/eulogin-bench --backend production --write-report docs/benchmarks.md
	target/release/traces-bench --backend embedded --write-report docs/benchmarks.md
	target/release/traces-bench --backend production --write-report docs/benchmarks.md

bench-traces: ## Benchmark traces' API only (100,000 operators, both backends); writes docs/benchmarks.md
	cargo build --release -p traces -p bench
	@./scripts/check-backends.sh
	target/release/traces-bench --backend embedded --write-report docs/benchmarks.md
	target/release/traces-bench --backend production --write-report docs/benchmarks.md

clean: ## Remove build output and local data (./var)
	cargo clean
	rm -rf var tests/interop/node_modules tests/browser/node_modules
