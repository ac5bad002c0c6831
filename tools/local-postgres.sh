#!/usr/bin/env bash
# A project-local PostgreSQL server: its own data folder and port, bound to 127.0.0.1, trust authentication (a
# throwaway server for local runs and tests, never a shared one). PostgreSQL refuses to run as root, so as root the
# server runs as the 'postgres' user (or a system user 'o365pg' created for it).
#
#   tools/local-postgres.sh start DATA_DIR PORT [--fast]   create the server on first use, start it, create the
#                                                          database o365activity; prints the connection string
#   tools/local-postgres.sh stop DATA_DIR                  stop it (no-op when it is not running)
#   tools/local-postgres.sh status DATA_DIR                exit 0 when it is running
#
# --fast turns off fsync and synchronous commit: for test servers whose data may be lost.
set -euo pipefail

die() { echo "local-postgres: $*" >&2; exit 1; }

pg_bin() {
    local name=$1
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$found" ] || die "$name not found: install PostgreSQL (Debian: apt-get install postgresql)"
    echo "$found"
}

run_user() {
    if [ "$(id -u)" -ne 0 ]; then id -un; return; fi
    if id postgres >/dev/null 2>&1; then echo postgres; return; fi
    if ! id o365pg >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin o365pg 2>/dev/null \
            || die "running as root and cannot create a user for PostgreSQL (it refuses to run as root)"
    fi
    echo o365pg
}

as_user() { # command...
    # From /, which every user may enter (the clone's own folder may be private to root: a harmless but alarming
    # "could not change directory" otherwise); every path given is absolute.
    if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u "$user" -- "$@"); else "$@"; fi
}

cmd=${1:-}; data=${2:-}
[ -n "$cmd" ] && [ -n "$data" ] || { sed -n '2,12p' "$0"; exit 2; }
mkdir -p "$(dirname "$data")"
data=$(cd "$(dirname "$data")" && pwd)/$(basename "$data")
# A data folder moved to /var/tmp (see start) is reached through its link; the server's user may not traverse the
# link's parent, so every command uses the real path.
if [ -L "$data" ]; then data=$(readlink -f "$data"); fi
user=$(run_user)
pg_ctl=$(pg_bin pg_ctl)
log="$data.log"

case "$cmd" in
    status)
        [ -d "$data" ] && as_user "$pg_ctl" -D "$data" status >/dev/null 2>&1
        ;;
    stop)
        if [ -d "$data" ] && as_user "$pg_ctl" -D "$data" status >/dev/null 2>&1; then
            as_user "$pg_ctl" -D "$data" -m fast -w stop >/dev/null
        fi
        ;;
    start)
        port=${3:-}; fast=${4:-}
        [ -n "$port" ] || die "start needs a port"
        if [ ! -s "$data/PG_VERSION" ]; then
            rm -rf "$data"
            if [ "$(id -u)" -eq 0 ]; then
                # The server's user must reach the data folder; a parent it cannot enter (mktemp -d makes mode 700
                # folders) moves the data to /var/tmp, with a link in its place.
                mkdir -p "$data"
                chown "$user" "$data"
                if ! runuser -u "$user" -- test -w "$data" 2>/dev/null; then
                    rmdir "$data"
                    real="/var/tmp/o365activity-pg-$(echo -n "$data" | sha256sum | cut -c1-16)"
                    rm -rf "$real"; mkdir -p "$real"; chown "$user" "$real"
                    ln -s "$real" "$data"
                    data=$real
                fi
            fi
            as_user "$(pg_bin initdb)" -D "$data" -U o365activity --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$log" 2>&1 \
                || { cat "$log" >&2; die "initdb failed"; }
        fi
        log="$data/server.log"
        if ! as_user "$pg_ctl" -D "$data" status >/dev/null 2>&1; then
            options="-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories= -c max_connections=300 -c track_commit_timestamp=on -c wal_init_zero=off"
            if [ "$fast" = "--fast" ]; then options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"; fi
            as_user "$pg_ctl" -D "$data" -l "$log" -o "$options" -w -t 60 start >/dev/null \
                || { tail -n 20 "$log" >&2; die "the server did not start (port $port taken?); log: $log"; }
        fi
        psql=$(pg_bin psql)
        if [ "$("$psql" -h 127.0.0.1 -p "$port" -U o365activity -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'o365activity'")" != "1" ]; then
            "$psql" -h 127.0.0.1 -p "$port" -U o365activity -d postgres -qc "CREATE DATABASE o365activity" >/dev/null
        fi
        echo "Host=127.0.0.1;Port=$port;Username=o365activity;Database=o365activity"
        ;;
    *) die "unknown command '$cmd'" ;;
esac
