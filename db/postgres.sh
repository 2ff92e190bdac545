#!/usr/bin/env bash
# A throwaway PostgreSQL server on the loopback interface, for the engine's PostgreSQL store and its tests.
#
#   db/postgres.sh start    create the cluster if needed, start it, wait until ready, create the database,
#                           print the URL (does nothing but print it when the server already runs)
#   db/postgres.sh status   exit 0 and print the URL when ready; 1 when running but not ready; 3 when stopped
#   db/postgres.sh stop     fast shutdown (SIGKILL after ORCHESTRATOR_PG_STOP_TIMEOUT seconds)
#   db/postgres.sh url      print the postgres:// URL of the database (whether or not the server runs)
#
# The server is Debian's `postgresql` package (apt-get install postgresql); its programs are found under
# /usr/lib/postgresql/<version>/bin (newest first), then on PATH. It listens on 127.0.0.1 only, has no Unix
# socket, and accepts the user `orchestrator` with the password `orchestrator` (a local test server only).
# Run as root, the server runs as the `postgres` system user (PostgreSQL refuses to run as root).
#
# Environment (all optional):
#   ORCHESTRATOR_PG_PORT (55432)           the TCP port
#   ORCHESTRATOR_PG_DIR (db/target/postgres) where the cluster, its log and its password file live
#                                          (as root, /var/tmp/orchestrator-postgres-<n> when the
#                                          postgres user cannot reach the checkout)
#   ORCHESTRATOR_PG_BIN                    folder holding initdb, pg_ctl, psql, pg_isready
#   ORCHESTRATOR_PG_START_TIMEOUT (60)     ORCHESTRATOR_PG_STOP_TIMEOUT (30)
# Use it:  export ORCHESTRATOR_TEST_POSTGRES_URL="$(db/postgres.sh start | tail -n 1)"
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# The cluster folder: ORCHESTRATOR_PG_DIR, else db/target/postgres. As root, when the `postgres` user
# cannot reach the checkout (a parent folder closed to others, like /root), a folder of this checkout's
# own under /var/tmp instead (the same one every time, so stop and status find it).
default_cluster_dir() {
  if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$here" 2>/dev/null; then
    echo "/var/tmp/orchestrator-postgres-$(printf '%s' "$here" | cksum | cut -d ' ' -f 1)"
  else
    echo "$here/target/postgres"
  fi
}
cluster_dir="${ORCHESTRATOR_PG_DIR:-$(default_cluster_dir)}"
data_dir="$cluster_dir/data"
log_file="$cluster_dir/server.log"
password_file="$cluster_dir/password"
port="${ORCHESTRATOR_PG_PORT:-55432}"
start_timeout="${ORCHESTRATOR_PG_START_TIMEOUT:-60}"
stop_timeout="${ORCHESTRATOR_PG_STOP_TIMEOUT:-30}"
readonly db_user=orchestrator db_password=orchestrator db_name=orchestrator
readonly install_hint="install it with: apt-get install postgresql"

die() {
  echo "postgres.sh: $*" >&2
  exit 1
}

[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] ||
  die "ORCHESTRATOR_PG_PORT must be a TCP port number, not '$port'"

# ------------------------------------------------------------------------------------------- programs

# The folder with the server programs: ORCHESTRATOR_PG_BIN, the newest /usr/lib/postgresql/*/bin, PATH.
find_bin_dir() {
  if [ -n "${ORCHESTRATOR_PG_BIN:-}" ]; then
    [ -x "$ORCHESTRATOR_PG_BIN/pg_ctl" ] || die "ORCHESTRATOR_PG_BIN=$ORCHESTRATOR_PG_BIN has no pg_ctl; point it at PostgreSQL's bin folder or unset it ($install_hint)"
    echo "$ORCHESTRATOR_PG_BIN"
    return
  fi
  local dir
  dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
    echo "$dir"
    return
  fi
  if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then
    dirname "$(command -v pg_ctl)"
    return
  fi
  die "PostgreSQL is not installed (no initdb/pg_ctl under /usr/lib/postgresql/*/bin or on PATH); $install_hint"
}

# Runs a command as the user that owns the server: `postgres` when we are root, else ourselves.
as_server_user() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

check_server_user() {
  [ "$(id -u)" = 0 ] || return 0
  id postgres >/dev/null 2>&1 ||
    die "running as root needs the 'postgres' system user to run the server (the postgresql package creates it);" \
      "$install_hint, or run this script as a normal user"
  command -v runuser >/dev/null || die "running as root needs runuser (util-linux) to start the server as 'postgres'"
}

# --------------------------------------------------------------------------------------------- state

url_for() {
  echo "postgres://$db_user:$db_password@127.0.0.1:$1/$db_name"
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The pid of the running server of this cluster (from postmaster.pid, checked to be alive).
running_pid() {
  local pid
  pid="$(head -n 1 "$data_dir/postmaster.pid" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q postgres || return 1
  echo "$pid"
}

# The port the running server listens on (line 4 of postmaster.pid).
running_port() {
  sed -n 4p "$data_dir/postmaster.pid" 2>/dev/null
}

server_ready() {
  PGCONNECT_TIMEOUT=3 "$bin/pg_isready" -q -h 127.0.0.1 -p "$1" -U "$db_user" -d postgres
}

psql_admin() {
  PGPASSWORD="$db_password" PGCONNECT_TIMEOUT=5 "$bin/psql" -X -q -v ON_ERROR_STOP=1 -tA \
    -h 127.0.0.1 -p "$1" -U "$db_user" -d postgres -c "$2"
}

# --------------------------------------------------------------------------------------------- verbs

init_cluster() {
  mkdir -p "$cluster_dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$cluster_dir"
    as_server_user test -w "$cluster_dir" ||
      die "the postgres user cannot write $cluster_dir (a parent folder is closed to it);" \
        "set ORCHESTRATOR_PG_DIR to a folder it can reach, or run this script as a normal user"
  fi
  chmod 700 "$cluster_dir"
  if [ -f "$data_dir/PG_VERSION" ]; then
    local made_with ours
    made_with="$(cat "$data_dir/PG_VERSION")"
    ours="$("$bin/pg_ctl" --version | sed -n 's/.* \([0-9][0-9]*\).*/\1/p')"
    [ "$made_with" = "$ours" ] ||
      die "the cluster in $data_dir was made by PostgreSQL $made_with, these programs are $ours;" \
        "delete $cluster_dir (it holds only test data) and start again"
    return 0
  fi
  rm -rf "$data_dir"
  echo "creating a PostgreSQL cluster in $data_dir"
  as_server_user sh -c 'umask 077 && printf "%s\n" "$1" >"$2"' sh "$db_password" "$password_file"
  as_server_user "$bin/initdb" -D "$data_dir" -U "$db_user" --pwfile="$password_file" -E UTF8 --no-locale \
    --auth-host=scram-sha-256 --auth-local=reject >"$cluster_dir/initdb.log" 2>&1 || {
    cat "$cluster_dir/initdb.log" >&2
    die "initdb failed (output above)"
  }
  as_server_user sh -c 'cat >>"$1"' sh "$data_dir/postgresql.conf" <<'EOF'

# db/postgres.sh: a local test server, reachable over TCP on the loopback interface only.
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
EOF
}

cmd_start() {
  bin="$(find_bin_dir)"
  check_server_user
  local pid
  if pid="$(running_pid)"; then
    local live_port
    live_port="$(running_port)"
    [ "$live_port" = "$port" ] ||
      die "the server of $data_dir already runs on port $live_port, not $port; stop it first (db/postgres.sh stop)"
    echo "already running (pid $pid)"
    wait_ready "$pid"
    ensure_database
    url_for "$port"
    return
  fi
  port_open "$port" &&
    die "port $port on 127.0.0.1 is already in use by another program; stop it or choose another ORCHESTRATOR_PG_PORT"
  init_cluster
  echo "starting PostgreSQL ($("$bin/pg_ctl" --version)) on 127.0.0.1:$port"
  # setsid: the server must outlive the shell (and test process) that started it.
  as_server_user setsid "$bin/pg_ctl" start -D "$data_dir" -l "$log_file" -o "-p $port" -s -W </dev/null >/dev/null 2>&1 ||
    die "pg_ctl could not start the server; see $log_file"
  local deadline=$((SECONDS + start_timeout))
  until pid="$(running_pid)"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 20 "$log_file" >&2 2>/dev/null || true
      die "the server did not start within ${start_timeout}s (log above, in $log_file)"
    fi
    sleep 0.2
  done
  wait_ready "$pid"
  ensure_database
  echo "ready: pid $pid, log $log_file"
  url_for "$port"
}

# Waits until the server accepts connections; dies (and says why) after the start timeout.
wait_ready() {
  local deadline=$((SECONDS + start_timeout))
  until server_ready "$port"; do
    if ! kill -0 "$1" 2>/dev/null; then
      tail -n 20 "$log_file" >&2 2>/dev/null || true
      die "the server exited during startup (log above, in $log_file)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 20 "$log_file" >&2 2>/dev/null || true
      die "the server was not ready within ${start_timeout}s (log above, in $log_file); stop it with db/postgres.sh stop"
    fi
    sleep 0.2
  done
}

ensure_database() {
  local exists
  exists="$(psql_admin "$port" "SELECT 1 FROM pg_database WHERE datname = '$db_name'")" ||
    die "cannot query the server on port $port; see $log_file"
  [ "$exists" = 1 ] && return 0
  psql_admin "$port" "CREATE DATABASE $db_name" || die "cannot create the database $db_name; see $log_file"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    echo "not running"
    return 0
  fi
  bin="$(find_bin_dir)"
  as_server_user "$bin/pg_ctl" stop -D "$data_dir" -m fast -s -W >/dev/null 2>&1 || true
  local deadline=$((SECONDS + stop_timeout))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "pid $pid still running after ${stop_timeout}s; sending SIGKILL" >&2
    as_server_user kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
    kill -0 "$pid" 2>/dev/null && die "pid $pid survived SIGKILL"
  fi
  echo "stopped PostgreSQL (pid $pid)"
}

cmd_status() {
  local pid live_port
  if ! pid="$(running_pid)"; then
    echo "stopped"
    return 3
  fi
  bin="$(find_bin_dir)"
  live_port="$(running_port)"
  if server_ready "$live_port"; then
    echo "ready: pid $pid, $(url_for "$live_port")"
    return 0
  fi
  echo "running but not ready: pid $pid (see $log_file)"
  return 1
}

cmd_url() {
  local live_port
  if running_pid >/dev/null; then live_port="$(running_port)"; else live_port="$port"; fi
  url_for "$live_port"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  url) cmd_url ;;
  *)
    echo "usage: [ORCHESTRATOR_PG_PORT=55432] db/postgres.sh {start|status|stop|url}" >&2
    exit 2
    ;;
esac
