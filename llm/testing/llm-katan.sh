#!/usr/bin/env bash
# llm-katan, an LLM provider emulator that speaks the OpenAI, Anthropic and Gemini wire formats
# with an echo backend, for the llm crate's wire-level tests.
#
#   llm-katan.sh install            install it into a private venv if missing (base package only,
#                                   no model runtimes); quiet unless it fails
#   llm-katan.sh start [OPTION...]  start one echo server on a free 127.0.0.1 port with every
#                                   provider format we use enabled; extra options go to llm-katan
#                                   (e.g. --rate-limit-after 1, --error-rate 1.0, --latency-ms 2000,
#                                   --validate-keys --api-keys openai=KEY). Prints "PID PORT" once
#                                   the server answers /health.
#   llm-katan.sh stop PID           stop a server started by `start`
#
# The venv lives in $LLM_KATAN_HOME, default ${CARGO_TARGET_DIR:-<workspace>/target}/llm-katan.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workspace="$(cd "$here/../.." && pwd)"
home="${LLM_KATAN_HOME:-${CARGO_TARGET_DIR:-$workspace/target}/llm-katan}"
venv="$home/venv"
# The version the tests were written against; its echo text and failure injection are what they read.
readonly VERSION="0.22.0"

die() {
  echo "llm-katan.sh: $*" >&2
  exit 1
}

install() {
  local marker="$home/installed-$VERSION"
  if [ -x "$venv/bin/llm-katan" ] && [ -f "$marker" ]; then
    return 0
  fi
  command -v python3 >/dev/null || die "python3 is not installed; the llm tests need it to run llm-katan"
  mkdir -p "$home"
  local log="$home/install.log"
  if ! { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet --disable-pip-version-check "llm-katan==$VERSION"; } >"$log" 2>&1; then
    cat "$log" >&2
    die "could not install llm-katan $VERSION into $venv (needs python3-venv, pip and the Python package index)"
  fi
  touch "$marker"
}

free_port() {
  "$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# True when GET /health on the port answers 200 (bash's /dev/tcp: no curl needed).
healthy() {
  local status
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  read -r -t 2 _ status _ <&3 || status=""
  exec 3<&-
  [ "$status" = 200 ]
}

start() {
  install
  local port dir pid i
  port="$(free_port)"
  dir="$(mktemp -d "$home/server.XXXXXX")"
  # setsid: the server outlives this script; `stop` ends it by its pid.
  setsid "$venv/bin/llm-katan" --model echo --name echo-model --backend echo --host 127.0.0.1 --port "$port" \
    --providers openai,anthropic,vertexai --stats-file "$dir/stats.json" --log-level warning "$@" \
    >"$dir/server.log" 2>&1 </dev/null &
  pid=$!
  for i in $(seq 1 200); do
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$dir/server.log" >&2
      die "llm-katan exited before it answered on port $port"
    fi
    if healthy "$port"; then
      echo "$pid $port"
      return 0
    fi
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  cat "$dir/server.log" >&2
  die "llm-katan did not answer on port $port within 20 s"
}

stop() {
  local pid="${1:?usage: llm-katan.sh stop PID}"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

case "${1:-}" in
  install) install ;;
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) die "usage: llm-katan.sh install | start [llm-katan options...] | stop PID" ;;
esac
