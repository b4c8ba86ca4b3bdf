#!/usr/bin/env bash
# Issue #6 figures: what the disk backlog buys when a master restarts, and what it costs.
#
#   perf/durable-backlog-vs-redis.sh [keys] [requests]
#
# 1. Restart: a master (appendonly yes, appendfsync everysec) with one replica, `keys` keys
#    (DEBUG POPULATE, 100-byte values, put in the AOF by a rewrite) plus a write load; the master is
#    SIGKILLed and restarted on the same dir and port. Measured: seconds from the restart until
#    the replica is back in sync (master_link_status:up, same offset), and whether that took a
#    full sync (the restarted master's sync_full / sync_partial_ok). Same scenario with redis-server.
# 2. Cost: redis-benchmark SET throughput on a master with one replica attached: Tandem with
#    the disk backlog, Tandem with the in-memory one (repl-backlog-disk no), and Redis.
# Machines are noisy: compare ratios measured in the same run. Build first (see vs-redis-lib.sh).
set -euo pipefail
source "$(dirname "$0")/vs-redis-lib.sh"
KEYS="${1:-1000000}"
REQUESTS="${2:-200000}"

in_sync() {
  [ "$(info_field "$2" replication master_link_status)" = up ] &&
    [ "$(info_field "$2" replication master_repl_offset)" = "$(info_field "$1" replication master_repl_offset)" ]
}
# wait_sync MASTER_PORT REPLICA_PORT
wait_sync() { until in_sync "$1" "$2" 2>/dev/null; do sleep 0.05; done; }
seconds_since() { awk -v a="$(now_ms)" -v b="$1" 'BEGIN { printf "%.2f", (a - b) / 1000 }'; }

restart_case() {
  local kind=$1 mp rp mpid rpid
  mp=$(free_port); rp=$(free_port)
  start_server "$kind" "$mp" "$work/$kind-m" --save "" --appendonly yes --appendfsync everysec
  mpid=$SERVER_PID; wait_ready "$mpid" "$work/$kind-m/$kind-$mp.log"
  start_server "$kind" "$rp" "$work/$kind-r" --save "" --replicaof 127.0.0.1 "$mp"
  rpid=$SERVER_PID; wait_ready "$rpid" "$work/$kind-r/$kind-$rp.log"
  redis-cli -p "$mp" debug populate "$KEYS" key 100 >/dev/null
  # DEBUG POPULATE is not propagated (in Redis either): a rewrite puts the keys in the AOF's base
  redis-cli -p "$mp" bgrewriteaof >/dev/null
  until [ "$(info_field "$mp" persistence aof_rewrite_in_progress)" = 0 ] &&
    [ "$(info_field "$mp" persistence aof_rewrite_scheduled)" = 0 ]; do sleep 0.2; done
  redis-benchmark -p "$mp" -t set,incr -n 50000 -r 100000 -c 20 -q >/dev/null 2>&1
  wait_sync "$mp" "$rp"
  # a crash takes Redis's fork children too (a child would keep the listening port); SIGKILL is
  # asynchronous, so the restart waits until they are gone
  pkill -9 -P "$mpid" 2>/dev/null || true
  kill -9 "$mpid" 2>/dev/null || true
  while kill -0 "$mpid" 2>/dev/null || pgrep -P "$mpid" >/dev/null; do sleep 0.02; done
  mv "$work/$kind-m/$kind-$mp.log" "$work/$kind-m/$kind-$mp.log.1" # wait_ready looks for a new "Ready"
  start_server "$kind" "$mp" "$work/$kind-m" --save "" --appendonly yes --appendfsync everysec
  local t0=$SERVER_T0
  mpid=$SERVER_PID; wait_ready "$mpid" "$work/$kind-m/$kind-$mp.log"
  local ready
  ready=$(seconds_since "$t0")
  redis-cli -p "$mp" set after-restart 1 >/dev/null
  wait_sync "$mp" "$rp"
  printf '%-7s keys %s  restart→ready %6.2f s  restart→replica in sync %6.2f s  sync_full=%s sync_partial_ok=%s\n' \
    "$kind" "$(redis-cli -p "$mp" dbsize)" "$ready" "$(seconds_since "$t0")" \
    "$(info_field "$mp" stats sync_full)" "$(info_field "$mp" stats sync_partial_ok)"
  stop_server "$rp" "$rpid"
  stop_server "$mp" "$mpid"
}

throughput_case() {
  local kind=$1 label=$2 mp rp mpid rpid
  shift 2
  mp=$(free_port); rp=$(free_port)
  start_server "$kind" "$mp" "$work/tp-$label-m" --save "" "$@"
  mpid=$SERVER_PID; wait_ready "$mpid" "$work/tp-$label-m/$kind-$mp.log"
  start_server "$kind" "$rp" "$work/tp-$label-r" --save "" --replicaof 127.0.0.1 "$mp"
  rpid=$SERVER_PID; wait_ready "$rpid" "$work/tp-$label-r/$kind-$rp.log"
  wait_sync "$mp" "$rp"
  redis-benchmark -p "$mp" -t set -n 20000 -c 50 -q >/dev/null 2>&1 # warm-up
  echo "$label $(redis-benchmark -p "$mp" -t set -n "$REQUESTS" -c 50 -d 64 -r 1000000 --csv 2>/dev/null | tail -1 | awk -F'","' '{print $2}')"
  stop_server "$rp" "$rpid"
  stop_server "$mp" "$mpid"
}

echo "load: $(loadavg)  keys: $KEYS  requests: $REQUESTS"
echo "== master SIGKILLed and restarted with $KEYS keys (appendonly yes, everysec), one replica"
restart_case tandem
restart_case redis
echo "== SET throughput, master with one replica (rps; -c 50 -d 64)"
throughput_case tandem tandem-disk-backlog --repl-backlog-disk yes | tee "$work/tp"
throughput_case tandem tandem-memory-backlog --repl-backlog-disk no | tee -a "$work/tp"
throughput_case redis redis | tee -a "$work/tp"
declare -A rps
while read -r label v; do rps[$label]=$v; done <"$work/tp"
echo "disk/memory backlog: $(ratio "${rps[tandem-disk-backlog]}" "${rps[tandem-memory-backlog]}")" \
  "  disk backlog/redis: $(ratio "${rps[tandem-disk-backlog]}" "${rps[redis]}")" \
  "  memory backlog/redis: $(ratio "${rps[tandem-memory-backlog]}" "${rps[redis]}")"
echo "load: $(loadavg)"
