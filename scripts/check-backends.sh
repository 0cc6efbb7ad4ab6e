#!/usr/bin/env bash
# Makes sure the test PostgreSQL and Redis answer, and that the test database exists.
# Never skips: a test run without both backends is not a test run.
set -uo pipefail
pg_url="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/eulogin_test}"
redis_url="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
admin_url="${pg_url%/*}/postgres"
db_name="${pg_url##*/}"; db_name="${db_name%%\?*}"

if ! psql "$admin_url" -Atqc 'SELECT 1' >/dev/null 2>&1; then
  echo "PostgreSQL does not answer at $admin_url" >&2
  exit 1
fi
if [ "$(psql "$admin_url" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$db_name'")" != "1" ]; then
  psql "$admin_url" -qc "CREATE DATABASE \"$db_name\"" >/dev/null || { echo "cannot create database $db_name" >&2; exit 1; }
fi
if [ "$(redis-cli -u "$redis_url" ping 2>/dev/null)" != "PONG" ]; then
  echo "Redis does not answer at $redis_url" >&2
  exit 1
fi
echo "backends: PostgreSQL ($db_name) and Redis answer"
