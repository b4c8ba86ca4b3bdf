#!/usr/bin/env bash
# Side-by-side throughput: Tandem vs a real redis-server on this machine, same run.
#
#   perf/bench-vs-redis.sh [rounds] [requests]
#
# Starts both servers (persistence off), then for each pipeline depth (-P 1, -P 16) runs
# redis-benchmark (-c 50, -d 64, random keys) against each server alternately, `rounds` times,
# and prints per test the median requests/s of each and the ratio Tandem/Redis.
# Machines are noisy: only the ratio of medians measured in the same run means anything.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-5}"
REQUESTS="${2:-200000}"
TESTS="${TESTS:-set,get,incr,mset}"
TPORT="${TPORT:-16379}"
RPORT="${RPORT:-16380}"
work="$(mktemp -d)"
cleanup() {
  redis-cli -p "$TPORT" shutdown nosave >/dev/null 2>&1 || true
  redis-cli -p "$RPORT" shutdown nosave >/dev/null 2>&1 || true
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT

wait_ready() {
  for _ in $(seq 1 120); do
    redis-cli -p "$1" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.5
  done
  echo "server on port $1 did not start" >&2
  exit 1
}

redis-server --port "$RPORT" --save "" --appendonly no --dir "$work" --daemonize yes --logfile "$work/redis.log"
TANDEM_JAVA_OPTS="${TANDEM_JAVA_OPTS:-}" bin/tandem-server --port "$TPORT" --save "" --appendonly no --dir "$work" \
  --logfile "$work/tandem.log" --daemonize yes
wait_ready "$RPORT"
wait_ready "$TPORT"
echo "redis:  $(redis-cli -p "$RPORT" info server | grep -E '^redis_version' | tr -d '\r')"
echo "tandem: $(redis-cli -p "$TPORT" info server | grep -E '^tandem_version' | tr -d '\r')"
echo "cores: $(nproc)  rounds: $ROUNDS  requests: $REQUESTS  tests: $TESTS"

# run PORT PIPELINE -> lines "TEST rps"
run() {
  redis-benchmark -p "$1" -c 50 -n "$REQUESTS" -P "$2" -d 64 -r 1000000 -t "$TESTS" --csv 2>/dev/null \
    | tail -n +2 | awk -F'","' '{gsub(/"/,"",$1); gsub(/"/,"",$2); print $1" "$2}'
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

for P in 1 16; do
  : > "$work/t.$P"; : > "$work/r.$P"
  # warm-up (JIT) round, not counted
  run "$TPORT" "$P" >/dev/null
  for i in $(seq 1 "$ROUNDS"); do
    run "$TPORT" "$P" >> "$work/t.$P"
    run "$RPORT" "$P" >> "$work/r.$P"
  done
  echo
  printf '%-22s %14s %14s %8s\n' "-P $P" "tandem rps" "redis rps" "ratio"
  for t in $(awk '{print $1}' "$work/r.$P" | awk '!seen[$0]++'); do
    tm=$(grep -F "$t " "$work/t.$P" | awk '{print $NF}' | median)
    rm=$(grep -F "$t " "$work/r.$P" | awk '{print $NF}' | median)
    awk -v t="$t" -v a="$tm" -v b="$rm" 'BEGIN { printf "%-22s %14.0f %14.0f %8.2f\n", t, a, b, a / b }'
  done
done
