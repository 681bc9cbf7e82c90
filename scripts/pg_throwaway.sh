#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests.
#   pg_throwaway.sh start DIR PORT   create (if needed) and start a cluster in DIR, wait until ready
#   pg_throwaway.sh stop  DIR PORT   stop it and remove DIR
#   pg_throwaway.sh url   DIR PORT   print the DATABASE_URL
# Trust auth on 127.0.0.1 only, unix socket inside DIR, durability switched off for speed.
# As root, initdb/pg_ctl run as the `postgres` system user (PostgreSQL refuses to run as root).
set -euo pipefail

usage() { echo "usage: $0 start|stop|url DIR PORT" >&2; exit 2; }
[[ $# -eq 3 ]] || usage
cmd=$1
dir=$2
port=$3
[[ $port =~ ^[0-9]+$ ]] || usage
dbname=schutznetz
url="postgres://postgres@127.0.0.1:${port}/${dbname}"

find_bin() {
  local name=$1 cand
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  for cand in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x $cand/$name ]]; then echo "$cand/$name"; return; fi
  done
  echo "pg_throwaway: $name nicht gefunden (Paket postgresql installieren)" >&2
  exit 1
}

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

data="$dir/data"
log="$dir/postgres.log"

is_running() {
  [[ -f $data/postmaster.pid ]] && as_pg "$PG_CTL" -D "$data" status >/dev/null 2>&1
}

case "$cmd" in
  url)
    echo "$url"
    ;;
  start)
    INITDB=$(find_bin initdb)
    PG_CTL=$(find_bin pg_ctl)
    PG_ISREADY=$(find_bin pg_isready)
    PSQL=$(find_bin psql)
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
      echo "pg_throwaway: Systembenutzer postgres fehlt" >&2
      exit 1
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    data="$dir/data"
    log="$dir/postgres.log"
    if [[ $(id -u) -eq 0 ]]; then
      chown postgres: "$dir"
      chmod 700 "$dir"
    fi
    if is_running; then
      echo "pg_throwaway: läuft bereits in $dir"
    else
      if [[ ! -f $data/PG_VERSION ]]; then
        as_pg "$INITDB" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
          --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
        as_pg tee -a "$data/postgresql.conf" >/dev/null <<CONF
# pg_throwaway: test settings
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
CONF
        as_pg tee "$data/pg_hba.conf" >/dev/null <<HBA
local all all trust
host  all all 127.0.0.1/32 trust
HBA
      fi
      as_pg "$PG_CTL" -D "$data" -l "$log" -o "-p $port" -w -t 60 start >/dev/null \
        || { tail -n 30 "$log" >&2; exit 1; }
    fi
    for _ in $(seq 1 100); do
      if "$PG_ISREADY" -h 127.0.0.1 -p "$port" -q; then break; fi
      sleep 0.1
    done
    "$PG_ISREADY" -h 127.0.0.1 -p "$port" -q || { echo "pg_throwaway: nicht bereit" >&2; exit 1; }
    # Database named in the URL (test runs create test_<name> themselves, but runserver/migrate need it).
    if ! "$PSQL" -h 127.0.0.1 -p "$port" -U postgres -tAc \
        "select 1 from pg_database where datname='$dbname'" postgres | grep -q 1; then
      "$PSQL" -h 127.0.0.1 -p "$port" -U postgres -qc "create database $dbname" postgres
    fi
    echo "pg_throwaway: bereit auf 127.0.0.1:$port ($url)"
    ;;
  stop)
    if [[ -d $dir ]]; then
      PG_CTL=$(find_bin pg_ctl)
      if is_running; then
        as_pg "$PG_CTL" -D "$data" -m immediate -w -t 60 stop >/dev/null || true
      fi
      rm -rf -- "$dir"
    fi
    ;;
  *)
    usage
    ;;
esac
