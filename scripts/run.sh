#!/usr/bin/env bash
# Starts eulogin and traces with the embedded defaults (SQLite under ./var, in-process store,
# mail and SMS codes written to ./var/outbox), waits until both answer, creates the demo
# accounts (an authority officer per seeded authority of the demo countries, a system
# administrator), prints their credentials and the URLs to open, and stops both on Ctrl-C.
#
#   DEMO_COUNTRIES=all       every seeded authority gets a demo officer (the default);
#                            "SE FR" for the authorities of some countries, "none" for none.
#
# Creating an account hashes its password (Argon2, about half a second of CPU each), so the
# first run takes a while (about a hundred accounts); later runs find them and are quick.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CARGO_TARGET_DIR:-./target}/debug"
mkdir -p var
# The servers and the commands below share these settings (the same databases).
export EULOGIN_CLIENTS_FILE="${EULOGIN_CLIENTS_FILE:-./deploy/dev/clients.toml}"
export TRACES_DATABASE_URL="${TRACES_DATABASE_URL:-./var/traces.db}"
export RUST_BACKTRACE=0
# Prometheus metrics, each service on a port of its own on this machine only.
export EULOGIN_METRICS_LISTEN="${EULOGIN_METRICS_LISTEN:-127.0.0.1:9464}"
export TRACES_METRICS_LISTEN="${TRACES_METRICS_LISTEN:-127.0.0.1:9465}"
eulogin_url="${EULOGIN_PUBLIC_URL:-http://localhost:8080}"
traces_url="${TRACES_PUBLIC_URL:-http://localhost:8081}"
demo_countries="${DEMO_COUNTRIES:-all}"
demo_password_file=var/demo-password
demo_domain=demo.example
# A Swedish mobile number of the range set aside for fiction (070-1740605 to 070-1740699).
demo_phone="+46701740605"

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
"$bin/eulogin" & pids+=($!)
"$bin/traces" & pids+=($!)

# Waits until both answer /readyz (migrations done, reference data loaded); fails when one
# of them stopped (a port in use, a database of the other environment, ...).
wait_until_ready() {
  local url
  for url in "$eulogin_url" "$traces_url"; do
    for _ in $(seq 1 600); do
      curl -fsS -o /dev/null --max-time 2 "$url/readyz" 2>/dev/null && continue 2
      for pid in "${pids[@]}"; do
        kill -0 "$pid" 2>/dev/null || { echo "run.sh: a service stopped (see above)" >&2; exit 1; }
      done
      sleep 0.1
    done
    echo "run.sh: $url/readyz did not answer within a minute" >&2
    exit 1
  done
}
wait_until_ready

# One demo officer, from a line `code<TAB>name`: an eulogin account (password, SMS as second
# factor; left as it is when it exists), then a valid officer membership of the authority in
# traces. Prints `code<TAB>name<TAB>e-mail` for the table. `--subject=…` in one word: a
# subject may start with `-`.
add_officer() {
  local code name email subject
  IFS=$'\t' read -r code name <<<"$1"
  email="officer.$(tr '[:upper:]' '[:lower:]' <<<"$code")@$demo_domain"
  subject=$("$bin/eulogin" accounts create --email "$email" --given-name Demo \
    --family-name Officer --password-file "$demo_password_file" --phone "$demo_phone" \
    --if-absent) || return 1
  "$bin/traces" officers add --subject="$subject" --email "$email" --given-name Demo \
    --family-name Officer --authority "$code" >/dev/null || return 1
  printf '%s\t%s\t%s\n' "$code" "$name" "$email"
}

# Every step checked by hand: `if create_demo_accounts` turns `set -e` off inside.
create_demo_accounts() {
  [ -s "$demo_password_file" ] || printf '%s\n' "amber lighthouse quiet meadow 2026" >"$demo_password_file"
  local authorities wanted=() code kind country name subject
  authorities=$("$bin/traces" authorities list) || return 1
  while IFS=$'\t' read -r code kind country name; do
    if [ "$demo_countries" = all ] || [[ " $demo_countries " == *" $country "* ]]; then
      wanted+=("$code"$'\t'"$name")
    fi
  done <<<"$authorities"
  # Creating an account is CPU-bound (Argon2): one job per core.
  export -f add_officer
  export bin demo_password_file demo_domain demo_phone
  printf '%s\n' "${wanted[@]}" |
    xargs -r -d '\n' -n 1 -P "$(nproc 2>/dev/null || echo 2)" bash -c 'add_officer "$1"' _ |
    sort >var/demo-officers.tsv || return 1
  subject=$("$bin/eulogin" accounts create --email "admin@$demo_domain" --given-name Demo \
    --family-name Administrator --password-file "$demo_password_file" --phone "$demo_phone" \
    --if-absent) || return 1
  "$bin/traces" admins add --subject="$subject" --email "admin@$demo_domain" \
    --given-name Demo --family-name Administrator >/dev/null || return 1
}

print_demo_accounts() {
  local code name email
  echo
  echo "  Demo accounts (traces environment: ${TRACES_ENVIRONMENT:-acceptance}), all with the password"
  echo "      $(head -n 1 "$demo_password_file")   (in $demo_password_file)"
  echo "  and an SMS code as second step: it lands in ./var/outbox/*.sms.json."
  echo
  printf '  %-10s %-34s %s\n' authority e-mail name
  while IFS=$'\t' read -r code name email; do
    printf '  %-10s %-34s %s\n' "$code" "$email" "$name"
  done <var/demo-officers.tsv
  printf '  %-10s %-34s %s\n' admin "admin@$demo_domain" "system administrator (all of traces)"
}

if [ "$demo_countries" != none ]; then
  started=$SECONDS
  echo "run.sh: creating the demo accounts (DEMO_COUNTRIES=\"$demo_countries\")..."
  if create_demo_accounts; then
    echo "run.sh: demo accounts ready in $((SECONDS - started)) s"
    print_demo_accounts
  else
    echo "run.sh: the demo accounts could not all be created (see above); both services still run" >&2
  fi
fi

cat <<MSG

  eulogin   $eulogin_url/register   create an account (the e-mail lands in ./var/outbox,
                                             and its link is also printed in the log above)
            $eulogin_url/login      log in
            $eulogin_url/.well-known/openid-configuration
                                             OpenID Connect discovery; the applications of
                                             deploy/dev/clients.toml are registered (traces,
                                             demo-spa); add more with $bin/eulogin clients add
  traces    $traces_url/            log in with a demo account above, or your own
  outbox    ./var/outbox            e-mails (*.eml) and SMS codes (*.sms.json) of both services
  metrics   http://$EULOGIN_METRICS_LISTEN/metrics, http://$TRACES_METRICS_LISTEN/metrics

  Press Ctrl-C to stop both.
MSG
wait -n "${pids[@]}"
