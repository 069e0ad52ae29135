# shellcheck shell=bash
# Shared shell helpers for scripts/test, scripts/demo and friends. Source it:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# then, for a throwaway Redis that is stopped when the script exits:
#   onyx_redis_start            # sets ONYX_REDIS_PORT, ONYX_REDIS_URL, ONYX_REDIS_PID, ONYX_REDIS_DIR
#   redis-cli -p "$ONYX_REDIS_PORT" ping
# Nothing here touches a system redis on 6379: every server gets its own free port and dir.
# Functions return non-zero (and print why on stderr) instead of exiting, so callers using
# `set -e` stop on failure and others can decide.

# Prints the repository root (the folder above scripts/).
onyx_repo_root() {
  (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
}

# Prints a message on stderr prefixed with the calling script's name.
onyx_log() {
  echo "$(basename "$0"): $*" >&2
}

# Prints a loopback TCP port that nothing listens on now: a random port in 20000-32767
# (below Linux's ephemeral range, so outgoing connections rarely hold it) that refuses a
# connection. Another process may take it before we bind, which is why onyx_redis_start
# retries with a new port when the server cannot start.
onyx_free_port() {
  local port tries
  for ((tries = 0; tries < 100; tries++)); do
    port=$((20000 + RANDOM % 12768))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  onyx_log "no free loopback port found after 100 tries"
  return 1
}

# Waits until the redis-server on port $1 answers PING, at most $2 seconds (default 10),
# polling every 50 ms. If pid $3 is given and that process dies, gives up at once.
# Returns 0 when it answered, 1 with a message naming the port otherwise.
onyx_redis_wait() {
  local port=$1 timeout_s=${2:-10} pid=${3:-}
  local polls=$((timeout_s * 20)) i
  for ((i = 0; i < polls; i++)); do
    if [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == "PONG" ]]; then
      return 0
    fi
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      onyx_log "redis-server (pid $pid) on port $port exited before answering PING"
      return 1
    fi
    sleep 0.05
  done
  onyx_log "timed out after ${timeout_s}s waiting for redis-server on port $port to answer PING"
  return 1
}

# Starts one redis-server on a free loopback port, in a fresh temp dir, in the background
# (no persistence: --save '' --appendonly no), waits for PING, and arranges for it to be
# stopped when the shell exits: when no EXIT trap is set it installs `trap onyx_redis_stop
# EXIT`; a caller with its own EXIT trap keeps it and must call onyx_redis_stop there.
# One server per shell: a second call replaces the ONYX_REDIS_* variables.
# Extra arguments are passed to redis-server (e.g. --maxmemory 10mb).
# On success sets ONYX_REDIS_PORT, ONYX_REDIS_URL (redis://127.0.0.1:<port>/0),
# ONYX_REDIS_PID, ONYX_REDIS_DIR (its dir; redis.log is its log). Retries up to 5 ports
# when the chosen one was taken meanwhile. Returns 1 with a message when it cannot start.
onyx_redis_start() {
  command -v redis-server >/dev/null || { onyx_log "redis-server not in PATH; run scripts/install-deps"; return 1; }
  local attempt port dir pid
  for attempt in 1 2 3 4 5; do
    port=$(onyx_free_port) || return 1
    dir=$(mktemp -d "${TMPDIR:-/tmp}/onyx-redis.XXXXXX") || return 1
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
      --dir "$dir" --logfile "$dir/redis.log" "$@" </dev/null >/dev/null 2>&1 &
    pid=$!
    ONYX_REDIS_PID=$pid ONYX_REDIS_DIR=$dir
    [[ -n "$(trap -p EXIT)" ]] || trap onyx_redis_stop EXIT
    if onyx_redis_wait "$port" 10 "$pid"; then
      ONYX_REDIS_PORT=$port ONYX_REDIS_URL="redis://127.0.0.1:$port/0"
      export ONYX_REDIS_PORT ONYX_REDIS_URL ONYX_REDIS_PID ONYX_REDIS_DIR
      return 0
    fi
    onyx_log "redis-server did not start on port $port (attempt $attempt): $(tail -n 2 "$dir/redis.log" 2>/dev/null)"
    onyx_redis_stop
  done
  onyx_log "could not start redis-server after 5 attempts"
  return 1
}

# Stops the redis-server started by onyx_redis_start: SIGTERM, then SIGKILL if it is still
# alive after 5 s, then removes its dir. Safe to call twice or when nothing was started.
onyx_redis_stop() {
  local pid=${ONYX_REDIS_PID:-} i
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  [[ -n "${ONYX_REDIS_DIR:-}" && -d "$ONYX_REDIS_DIR" ]] && rm -rf -- "$ONYX_REDIS_DIR"
  ONYX_REDIS_PID="" ONYX_REDIS_DIR=""
  return 0
}
