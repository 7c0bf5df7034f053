#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster.
#
#   scripts/with-postgres.sh CMD [ARGS...]
#
# - Installs Debian's `postgresql` with apt-get if no /usr/lib/postgresql/*/bin has
#   initdb + pg_ctl + postgres (root, or sudo, needed only then).
# - initdb's a fresh cluster in a temp dir (as the `postgres` system user when run as
#   root: initdb refuses root), trust auth for 127.0.0.1 and the private unix socket only.
# - Starts it on 127.0.0.1 at a free port (54329 first, else one the kernel hands out),
#   unix socket inside the temp dir, durability switched off (it is thrown away).
# - Creates role + database `iro` (role has CREATEDB, so Django's test runner can create
#   test_iro) and exports DATABASE_URL=postgres://iro@127.0.0.1:PORT/iro, plus
#   PGHOST/PGPORT/PGUSER/PGDATABASE and WITH_POSTGRES_VERSION (e.g. 15.18).
# - Also exports, for a command that restarts the server (bench/load_bench.py):
#   WITH_POSTGRES_DATA (the data directory), WITH_POSTGRES_BINDIR (pg_ctl's directory),
#   WITH_POSTGRES_LOG (the server log) and WITH_POSTGRES_OWNER (the system user the server runs as:
#   run pg_ctl as that user, e.g. `runuser -u "$WITH_POSTGRES_OWNER" -- pg_ctl ...` when root).
# - Runs CMD, then ALWAYS stops the server and removes the temp dir, and exits with
#   CMD's exit code.
#
# Environment knobs: WITH_POSTGRES_PORT (first port to try, default 54329),
# WITH_POSTGRES_TMP (parent of the temp dir, default /tmp), WITH_POSTGRES_KEEP_LOG=1
# (print the server log on exit; otherwise it is shown only when setting the server up
# failed, or as its FATAL/PANIC lines when CMD failed).
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

log() { echo "with-postgres: $*" >&2; }

# ---------------------------------------------------------------- find / install PostgreSQL
find_pg_bindir() {
    local dir best=""
    # Highest major version that has everything we need.
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4n); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
            best="$dir"
        fi
    done
    printf '%s' "$best"
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        log "PostgreSQL is not installed and I am not root (and there is no sudo): install the Debian package 'postgresql' first."
        exit 1
    fi
}

PG_BINDIR="$(find_pg_bindir)"
if [ -z "$PG_BINDIR" ]; then
    log "no PostgreSQL server under /usr/lib/postgresql/*/bin: installing Debian's postgresql"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
        postgresql postgresql-client
    PG_BINDIR="$(find_pg_bindir)"
    if [ -z "$PG_BINDIR" ]; then
        log "apt-get installed postgresql but no initdb/pg_ctl/postgres under /usr/lib/postgresql/*/bin"
        exit 1
    fi
fi

PG_VERSION="$("$PG_BINDIR/postgres" --version | sed -E 's/^[^0-9]*([0-9][0-9.]*).*/\1/')"
# Client tools: prefer the server's own bin dir, fall back to Debian's wrappers in /usr/bin.
PG_ISREADY="$PG_BINDIR/pg_isready"; [ -x "$PG_ISREADY" ] || PG_ISREADY="$(command -v pg_isready)"
PSQL="$PG_BINDIR/psql";             [ -x "$PSQL" ] || PSQL="$(command -v psql)"

# ---------------------------------------------------------------- run as the cluster owner
if [ "$(id -u)" -eq 0 ]; then
    PG_OWNER="postgres"
    if ! id "$PG_OWNER" >/dev/null 2>&1; then
        log "running as root but there is no 'postgres' system user (initdb refuses root)"
        exit 1
    fi
    as_owner() { (cd / && runuser -u "$PG_OWNER" -- "$@"); }
else
    PG_OWNER="$(id -un)"
    as_owner() { (cd / && "$@"); }
fi

# ---------------------------------------------------------------- temp dir + cleanup
TMP_PARENT="${WITH_POSTGRES_TMP:-/tmp}"
PG_TMP="$(mktemp -d "$TMP_PARENT/with-postgres.XXXXXX")"
PG_DATA="$PG_TMP/data"
PG_SOCK="$PG_TMP/sock"
PG_LOG="$PG_TMP/server.log"
mkdir -p "$PG_SOCK"
if [ "$(id -u)" -eq 0 ]; then
    chown -R "$PG_OWNER:" "$PG_TMP"
fi
chmod 700 "$PG_TMP"

SERVER_STARTED=0
CMD_RC=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    set +e
    [ -n "$CMD_RC" ] && rc="$CMD_RC"
    if [ "$SERVER_STARTED" = 1 ] || [ -f "$PG_DATA/postmaster.pid" ]; then
        if ! as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1; then
            as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop >/dev/null 2>&1
        fi
        # Last resort: kill the postmaster by its pid file.
        if [ -f "$PG_DATA/postmaster.pid" ]; then
            local pid
            pid="$(head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null)"
            if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
                log "postmaster $pid did not stop: killing it"
                kill -KILL "$pid" 2>/dev/null
                sleep 1
            fi
        fi
    fi
    if [ -s "$PG_LOG" ]; then
        if [ -z "$CMD_RC" ] && [ "$rc" -ne 0 ] || [ "${WITH_POSTGRES_KEEP_LOG:-0}" = 1 ]; then
            # Setting the server up failed (or the log was asked for): show it all.
            log "server log (last 40 lines):"
            tail -n 40 "$PG_LOG" | sed 's/^/  | /' >&2
        elif [ "$rc" -ne 0 ] && grep -qE '(FATAL|PANIC):' "$PG_LOG"; then
            # The command failed: show only what the server itself found serious.
            log "server log, FATAL/PANIC lines (WITH_POSTGRES_KEEP_LOG=1 shows all):"
            grep -E '(FATAL|PANIC):' "$PG_LOG" | tail -n 20 | sed 's/^/  | /' >&2
        fi
    fi
    rm -rf "$PG_TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'CMD_RC=${CMD_RC:-130}; exit 130' INT
trap 'CMD_RC=${CMD_RC:-143}; exit 143' TERM
trap 'CMD_RC=${CMD_RC:-129}; exit 129' HUP

# ---------------------------------------------------------------- initdb
log "PostgreSQL $PG_VERSION from $PG_BINDIR, cluster in $PG_TMP"
as_owner "$PG_BINDIR/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth=trust --no-sync >"$PG_TMP/initdb.log" 2>&1 || {
    log "initdb failed:"; sed 's/^/  | /' "$PG_TMP/initdb.log" >&2; exit 1; }

# Trust, but only over the private socket and 127.0.0.1.
cat >"$PG_DATA/pg_hba.conf" <<'EOF'
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
EOF
if [ "$(id -u)" -eq 0 ]; then chown "$PG_OWNER:" "$PG_DATA/pg_hba.conf"; fi

# ---------------------------------------------------------------- pick a port and start
port_is_free() {
    python3 - "$1" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}
kernel_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_server() {
    as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -o "\
        -c listen_addresses=127.0.0.1 -c port=$1 -c unix_socket_directories=$PG_SOCK \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -c max_connections=100 -c shared_buffers=128MB" start >/dev/null
}

PG_PORT=""
first_port="${WITH_POSTGRES_PORT:-54329}"
for attempt in 1 2 3 4 5; do
    if [ "$attempt" -eq 1 ]; then candidate="$first_port"; else candidate="$(kernel_port)"; fi
    port_is_free "$candidate" || continue
    SERVER_STARTED=1
    if start_server "$candidate"; then
        PG_PORT="$candidate"
        break
    fi
    # Lost a race for the port (or another start problem): make sure it is down, retry.
    as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    log "server did not start on port $candidate, trying another"
done
if [ -z "$PG_PORT" ]; then
    log "could not start PostgreSQL"
    exit 1
fi

ready=0
for _ in $(seq 1 60); do
    if "$PG_ISREADY" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres; then ready=1; break; fi
    sleep 0.5
done
if [ "$ready" != 1 ]; then
    log "PostgreSQL on 127.0.0.1:$PG_PORT never became ready"
    exit 1
fi

# ---------------------------------------------------------------- role + database for Django
DB_USER="iro"
DB_NAME="iro"
"$PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres >/dev/null <<EOF
CREATE ROLE "$DB_USER" LOGIN CREATEDB;
CREATE DATABASE "$DB_NAME" OWNER "$DB_USER";
EOF

export DATABASE_URL="postgres://$DB_USER@127.0.0.1:$PG_PORT/$DB_NAME"
export PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGUSER="$DB_USER" PGDATABASE="$DB_NAME"
export WITH_POSTGRES_VERSION="$PG_VERSION"
export WITH_POSTGRES_DATA="$PG_DATA" WITH_POSTGRES_BINDIR="$PG_BINDIR" WITH_POSTGRES_LOG="$PG_LOG"
export WITH_POSTGRES_OWNER="$PG_OWNER"
export PATH="$PG_BINDIR:$PATH"
log "ready: DATABASE_URL=$DATABASE_URL"

# ---------------------------------------------------------------- run the command
set +e
"$@"
CMD_RC=$?
set -e
exit "$CMD_RC"
