#!/usr/bin/env bash
# Starts eulogin and traces with the embedded defaults (SQLite under ./var, in-process store,
# mail written to ./var/outbox) and stops both on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
EULOGIN_CLIENTS_FILE="${EULOGIN_CLIENTS_FILE:-./deploy/dev/clients.toml}" ./target/debug/eulogin & pids+=($!)
TRACES_DATABASE_URL="${TRACES_DATABASE_URL:-./var/traces.db}" ./target/debug/traces & pids+=($!)
sleep 1
cat <<MSG

  eulogin   http://localhost:8080/register   create an account (the e-mail lands in ./var/outbox,
                                             and its link is also printed in the log above)
            http://localhost:8080/login      log in
            http://localhost:8080/.well-known/openid-configuration
                                             OpenID Connect discovery; the applications of
                                             deploy/dev/clients.toml are registered (traces,
                                             demo-spa); add more with ./target/debug/eulogin clients add
  traces    http://localhost:8081/

  Press Ctrl-C to stop both.
MSG
wait -n "${pids[@]}"
