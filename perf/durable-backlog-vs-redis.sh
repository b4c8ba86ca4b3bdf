#!/usr/bin/env bash
# Issue #6 figures: what the disk backlog buys when a master restarts, and what it costs.
#
#   perf/durable-backlog-vs-redis.sh [keys] [requests]
#
# 1. Restart: a master (appendonly yes, appendfsync everysec) with one replica, `keys` keys
#    (DEBUG POPULATE, 100-byte values) plus a write load; the master is SIGKILLed and restarted
#    on the same dir and port. Measured: seconds from the restart command until the replica is
#    back in sync (master_link_status:up, same offset), and whether that took a full sync
#    (the restarted master's sync_full / sync_partial_ok). Same scenario with redis-server.
# 2. Cost: redis-benchmark SET throughput on a master with one replica attached: Tandem with
#    the disk backlog, Tandem with the in-memory one (repl-backlog-disk no), and Redis.
# Machines are noisy: compare ratios measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS="${1:-1000000}"
REQUESTS="${2:-200000}"
MP="${MP:-17379}"
RP="${RP:-17380}"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in $(seq 17379 17450); do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT

wait_ready() {
  for _ in $(seq 1 400); do
    redis-cli -p "$1" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.25
  done
  echo "server on port $1 did not start" >&2
  for l in "$work"/*/log; do echo "--- $l"; tail -5 "$l"; done >&2
  exit 1
}
field() { redis-cli -p "$1" info "$2" | tr -d '\r' | awk -F: -v k="$3" '$1==k {print $2}'; }
in_sync() {
  [ "$(field "$RP" replication master_link_status)" = up ] &&
    [ "$(field "$RP" replication master_repl_offset)" = "$(field "$MP" replication master_repl_offset)" ]
}
wait_sync() { until in_sync 2>/dev/null; do sleep 0.05; done; }
now() { date +%s.%N; }

# start KIND ROLE PORT DIR [args...]: KIND tandem|redis; prints the pid
start() {
  local kind=$1 port=$3 dir=$4
  shift 4
  mkdir -p "$dir"
  if [ "$kind" = tandem ]; then
    bin/tandem-server --port "$port" --dir "$dir" --save "" --enable-debug-command yes --logfile "$dir/log" "$@" >/dev/null 2>&1 &
  else
    redis-server --port "$port" --dir "$dir" --save "" --enable-debug-command yes --logfile "$dir/log" "$@" >/dev/null 2>&1 &
  fi
  echo $!
}

restart_case() {
  local kind=$1
  local m="$work/$kind-m" r="$work/$kind-r"
  local mpid rpid
  mpid=$(start "$kind" M "$MP" "$m" --appendonly yes --appendfsync everysec); pids+=("$mpid")
  wait_ready "$MP"
  rpid=$(start "$kind" R "$RP" "$r" --replicaof 127.0.0.1 "$MP"); pids+=("$rpid")
  wait_ready "$RP"
  redis-cli -p "$MP" debug populate "$KEYS" key 100 >/dev/null
  # DEBUG POPULATE is not propagated (in Redis either): a rewrite puts the keys in the AOF's base
  redis-cli -p "$MP" bgrewriteaof >/dev/null
  until [ "$(field "$MP" persistence aof_rewrite_in_progress)" = 0 ] && [ "$(field "$MP" persistence aof_rewrite_scheduled)" = 0 ]; do sleep 0.2; done
  redis-benchmark -p "$MP" -t set,incr -n 50000 -r 100000 -c 20 -q >/dev/null 2>&1
  wait_sync
  # a crash takes Redis's fork children too (a child would keep the listening port)
  pkill -9 -P "$mpid" 2>/dev/null || true
  kill -9 "$mpid" 2>/dev/null || true
  # SIGKILL is asynchronous: the port is free once the process (and its children) are gone
  while kill -0 "$mpid" 2>/dev/null || pgrep -P "$mpid" >/dev/null; do sleep 0.02; done
  local t0
  t0=$(now)
  mpid=$(start "$kind" M "$MP" "$m" --appendonly yes --appendfsync everysec); pids+=("$mpid")
  wait_ready "$MP"
  local tready
  tready=$(now)
  redis-cli -p "$MP" set after-restart 1 >/dev/null
  wait_sync
  local t1
  t1=$(now)
  local keys
  keys=$(redis-cli -p "$MP" dbsize)
  printf '%-7s keys %s  restart→ready %6.2f s  restart→replica in sync %6.2f s  sync_full=%s sync_partial_ok=%s\n' "$kind" "$keys" \
    "$(echo "$tready - $t0" | bc)" "$(echo "$t1 - $t0" | bc)" \
    "$(field "$MP" stats sync_full)" "$(field "$MP" stats sync_partial_ok)"
  redis-cli -p "$RP" shutdown nosave >/dev/null 2>&1 || true
  redis-cli -p "$MP" shutdown nosave >/dev/null 2>&1 || true
  wait_gone "$MP"
  wait_gone "$RP"
}

# the port is free again (a JVM takes a moment to exit)
wait_gone() { while redis-cli -p "$1" ping >/dev/null 2>&1; do sleep 0.2; done; sleep 0.5; }

throughput_case() {
  local kind=$1 label=$2
  shift 2
  local m="$work/tp-$label-m" r="$work/tp-$label-r"
  pids+=("$(start "$kind" M "$MP" "$m" "$@")")
  wait_ready "$MP"
  pids+=("$(start "$kind" R "$RP" "$r" --replicaof 127.0.0.1 "$MP")")
  wait_ready "$RP"
  wait_sync
  redis-benchmark -p "$MP" -t set -n 20000 -c 50 -q >/dev/null 2>&1 # warm-up
  local rps
  rps=$(redis-benchmark -p "$MP" -t set -n "$REQUESTS" -c 50 -d 64 -r 1000000 --csv 2>/dev/null | tail -1 | awk -F'","' '{print $2}')
  echo "$label $rps"
  redis-cli -p "$RP" shutdown nosave >/dev/null 2>&1 || true
  redis-cli -p "$MP" shutdown nosave >/dev/null 2>&1 || true
  wait_gone "$MP"
  wait_gone "$RP"
}

echo "load: $(uptime | sed 's/.*load average/load average/')  keys: $KEYS  requests: $REQUESTS"
echo "== master SIGKILLed and restarted with $KEYS keys (appendonly yes, everysec), one replica"
# each case on its own ports: a JVM can hold its port for seconds after it said bye
restart_case tandem
MP=$((MP + 10)); RP=$((RP + 10))
restart_case redis
echo "== SET throughput, master with one replica (rps; -c 50 -d 64)"
{
  MP=$((MP + 10)); RP=$((RP + 10))
  throughput_case tandem tandem-disk-backlog --repl-backlog-disk yes
  MP=$((MP + 10)); RP=$((RP + 10))
  throughput_case tandem tandem-memory-backlog --repl-backlog-disk no
  MP=$((MP + 10)); RP=$((RP + 10))
  throughput_case redis redis
} | tee "$work/tp"
awk '{v[$1]=$2} END {printf "disk/memory backlog: %.2f   disk backlog/redis: %.2f   memory backlog/redis: %.2f\n",
  v["tandem-disk-backlog"]/v["tandem-memory-backlog"], v["tandem-disk-backlog"]/v["redis"], v["tandem-memory-backlog"]/v["redis"]}' "$work/tp"
echo "load: $(uptime | sed 's/.*load average/load average/')"
