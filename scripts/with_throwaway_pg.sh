#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster:
#   with_throwaway_pg.sh PORT COMMAND [ARGS...]
# Starts the cluster in a fresh temp dir, exports DATABASE_URL, runs the command,
# and always stops and removes the cluster afterwards (also on failure or Ctrl-C).
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: $0 PORT COMMAND [ARGS...]" >&2; exit 2; }
port=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/schutznetz-pg.XXXXXX")
cleanup() { bash "$here/pg_throwaway.sh" stop "$dir" "$port" || true; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
bash "$here/pg_throwaway.sh" start "$dir" "$port"
DATABASE_URL=$(bash "$here/pg_throwaway.sh" url "$dir" "$port")
export DATABASE_URL
rc=0
"$@" || rc=$?
exit "$rc"
