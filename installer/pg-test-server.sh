#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the test suite and print its URL.
#   eval "$(bash installer/pg-test-server.sh start)"   # exports CODER_TEST_PG_URL, PG_TEST_DIR
#   bash installer/pg-test-server.sh stop "$PG_TEST_DIR"
# Needs root on Debian/Ubuntu (installs the postgresql package if missing). Listens only on
# 127.0.0.1 and a socket in a temporary folder; fsync is off: the data is disposable.
set -euo pipefail
port="${PG_TEST_PORT:-54329}"

case "${1:-}" in
  start)
    if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
      [ "$(id -u)" -eq 0 ] || { echo "echo 'postgresql not installed; PostgreSQL tests will skip' >&2"; exit 0; }
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    fi
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    dir=$(mktemp -d)
    run=()
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; run=(runuser -u postgres --); fi
    "${run[@]}" "$bin/initdb" -D "$dir/data" --auth=trust -U postgres >/dev/null
    "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-k $dir -c listen_addresses=127.0.0.1 -p $port -c fsync=off" start >/dev/null
    echo "export PG_TEST_DIR=$dir"
    echo "export CODER_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    dir="${2:?folder printed by start}"
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    run=()
    [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
    "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
