#!/usr/bin/env bash
# Replication (#5), Tandem vs a real redis-server on this machine, same run, same parameters:
#
#   perf/replication-vs-redis.sh            (PARTS=throughput,lag by default)
#
# A Tandem master with up to 3 Tandem replicas and a Redis master with up to 3 Redis replicas,
# all on 127.0.0.1 (free ports), persistence off, repl-diskless-sync-delay 0. Replicas are
# attached with REPLICAOF as the series go 0 -> 1 -> 3 (the masters never had replicas before
# the 0 series, so they do not even keep a backlog there, as in Redis).
# throughput  redis-benchmark -t set,incr -c 50 -n $REQUESTS -P 1 and -P 16 against the master,
#             with 0, 1 and 3 replicas; after each series every replica's DEBUG DIGEST is
#             checked against its master's once the offsets match.
# lag         with 1 and with 3 replicas: tandem-benchmark's --replica probe (a SET on the master
#             every 10 ms, polled with GET on the first replica until visible; every other
#             probe a WAIT 1 round trip instead) while tandem-benchmark -t set -r 1000000 -d 64
#             -c 50 loads the master for $LAG_SECS s: closed loop (each server as fast as it
#             goes) and at a fixed $LAG_RATE SET/s (the same write rate for both).
#
# Runs alternate between the servers (which goes first alternates too) and repeat ROUNDS times;
# tables show medians, the ratio Tandem/Redis and the 1-minute load average range over the runs
# (/proc/loadavg; this script's own servers and client add about 2). Raw lines go to $RESULTS.
# Needs redis-server, redis-cli, redis-benchmark (7.0), python3; build first with
# ./mvnw -o -q -DskipTests package.
set -euo pipefail
source "$(dirname "$0")/vs-redis-lib.sh"

PARTS="${PARTS:-throughput,lag}"
ROUNDS="${ROUNDS:-3}"
REQUESTS="${REQUESTS:-200000}"
LAG_SECS="${LAG_SECS:-15}"
LAG_RATE="${LAG_RATE:-20000}"
RESULTS="${RESULTS:-$ROOT/perf/target/replication-vs-redis.$(date +%Y%m%d-%H%M%S).txt}"
mkdir -p "$(dirname "$RESULTS")"
: >"$RESULTS"
COMMON=(--save "" --appendonly no --repl-diskless-sync-delay 0)

echo "redis:  $(redis-server --version)"
echo "tandem: $(bin/tandem-server --version 2>&1 | head -1)"
echo "cores: $(nproc)  rounds: $ROUNDS  parts: $PARTS  load average at start: $(loadavg)"
echo "raw results: $RESULTS"

record() { echo "$1 $2 $3 $4 $(cut -d' ' -f1 /proc/loadavg)" >>"$RESULTS"; }
med() { awk -v p="$1" -v k="$2" -v n="$3" '$1 == p && $2 == k && $3 == n { print $4 }' "$RESULTS" | median; }
loads() { awk -v p="$1" '$1 == p { if (min == "" || $5 < min) min = $5; if ($5 > max) max = $5 } END { printf "%s-%s", min, max }' "$RESULTS"; }
row() {
  local t r
  t=$(med "$2" tandem "$3"); r=$(med "$2" redis "$3")
  awk -v l="$1" -v t="$t" -v r="$r" -v f="${4:-%.1f}" -v load="$(loads "$2")" 'BEGIN {
    printf "%-44s %14s %14s %7s  %s\n", l, sprintf(f, t), sprintf(f, r), (r + 0 == 0 ? "-" : sprintf("%.2f", t / r)), load }'
}
header() { printf '\n%-44s %14s %14s %7s  %s\n' "$1" tandem redis ratio "load avg (1 min)"; }
order() { if (( $1 % 2 )); then echo "tandem redis"; else echo "redis tandem"; fi; }

# Servers: NAME = tandem0 (master), tandem1..3 (replicas), redis0..3.
declare -A PORT PID
for kind in tandem redis; do
  for j in 0 1 2 3; do
    PORT[$kind$j]=$(free_port)
    start_server "$kind" "${PORT[$kind$j]}" "$work/$kind$j" "${COMMON[@]}"
    PID[$kind$j]=$SERVER_PID
  done
done
for kind in tandem redis; do
  for j in 0 1 2 3; do wait_ready "${PID[$kind$j]}" "$work/$kind$j/$kind-${PORT[$kind$j]}.log"; done
done
ATTACHED=0

# attach N: makes replicas 1..N of each master follow it, waits until every link is up.
attach() {
  local n="$1" kind j
  for kind in tandem redis; do
    for j in $(seq $((ATTACHED + 1)) "$n"); do
      redis-cli -p "${PORT[$kind$j]}" replicaof 127.0.0.1 "${PORT[${kind}0]}" >/dev/null
    done
  done
  for kind in tandem redis; do
    for j in $(seq 1 "$n"); do
      for _ in $(seq 1 600); do
        [ "$(info_field "${PORT[$kind$j]}" replication master_link_status)" = up ] && break
        sleep 0.1
      done
      [ "$(info_field "${PORT[$kind$j]}" replication master_link_status)" = up ] \
        || { echo "$kind replica $j did not sync" >&2; exit 1; }
    done
    for _ in $(seq 1 100); do
      [ "$(info_field "${PORT[${kind}0]}" replication connected_slaves)" = "$n" ] && break
      sleep 0.1
    done
  done
  ATTACHED="$n"
}

# caught_up KIND: waits (up to 60 s) until every attached replica's offset reaches its master's.
caught_up() {
  local kind="$1" j mo ro
  mo=$(info_field "${PORT[${kind}0]}" replication master_repl_offset)
  for j in $(seq 1 "$ATTACHED"); do
    for _ in $(seq 1 600); do
      ro=$(info_field "${PORT[$kind$j]}" replication slave_repl_offset)
      [ "$ro" -ge "$mo" ] && break
      sleep 0.1
    done
  done
}

# check_replicas: waits until each replica's offset reaches its master's, then compares digests.
check_replicas() {
  local kind j md rd
  for kind in tandem redis; do
    md=$(redis-cli -p "${PORT[${kind}0]}" debug digest)
    caught_up "$kind"
    for j in $(seq 1 "$ATTACHED"); do
      rd=$(redis-cli -p "${PORT[$kind$j]}" debug digest)
      if [ "$rd" != "$md" ]; then
        echo "$kind replica $j: DEBUG DIGEST $rd differs from its master's $md" >&2
        exit 1
      fi
    done
  done
  echo "  replicas consistent with their masters (DEBUG DIGEST), $ATTACHED each"
}

throughput() {
  local n="$1" i kind p line c0 r0 reps j
  echo
  echo "== master throughput with $n replica(s) =="
  for kind in tandem redis; do  # warm-up, not counted
    redis-benchmark -p "${PORT[${kind}0]}" -t set,incr -c 50 -n 50000 -P 16 -q >/dev/null 2>&1
  done
  for i in $(seq 1 "$ROUNDS"); do
    for p in 1 16; do
      for kind in $(order "$i"); do
        reps=()
        for j in $(seq 1 "$n"); do reps+=("${PID[$kind$j]}"); done
        c0=$(cpu_ms "${PID[${kind}0]}")
        r0=0
        if ((n > 0)); then r0=$(cpu_ms "${reps[@]}"); fi
        redis-benchmark -p "${PORT[${kind}0]}" -t set,incr -c 50 -n "$REQUESTS" -P "$p" --csv 2>/dev/null \
          | tail -n +2 | tr -d '"' | while IFS=, read -r test rps _ _ p50 _ p99 _; do
            record "thr_${n}_P$p" "$kind" "$test" "$rps"
            record "thr_${n}_P$p" "$kind" "${test}_p99" "$p99"
          done
        caught_up "$kind"
        # CPU per request over both tests (2 x REQUESTS), master and replicas (summed)
        record "thr_${n}_P$p" "$kind" master_cpu_us "$(awk -v c="$(( $(cpu_ms "${PID[${kind}0]}") - c0 ))" -v n="$REQUESTS" 'BEGIN { print c * 1000 / (2 * n) }')"
        if ((n > 0)); then
          record "thr_${n}_P$p" "$kind" replicas_cpu_us "$(awk -v c="$(( $(cpu_ms "${reps[@]}") - r0 ))" -v n="$REQUESTS" 'BEGIN { print c * 1000 / (2 * n) }')"
        fi
      done
    done
  done
  check_replicas
}

lag() {
  local n="$1" mode i kind args
  echo
  echo "== replication lag with $n replica(s), probing replica 1 =="
  for mode in closed rate; do
    args=(-t set -r 1000000 -d 64 -c 50 --duration "$LAG_SECS" --warmup 2)
    [ "$mode" = rate ] && args+=(--rate "$LAG_RATE")
    for i in $(seq 1 "$ROUNDS"); do
      for kind in $(order "$i"); do
        bin/tandem-benchmark -p "${PORT[${kind}0]}" -q --json "${args[@]}" \
          --replica "127.0.0.1:${PORT[${kind}1]}" >"$work/lag.json" 2>"$work/lag.err" \
          || { cat "$work/lag.err" >&2; exit 1; }
        python3 - "$work/lag.json" <<'PY' | while read -r name value; do record "lag_${n}_$mode" "$kind" "$name" "$value"; done
import json, sys
j = json.load(open(sys.argv[1]))
t = j["tests"][0]
lag = j["replication_lag"]
print("rps", t["throughput"]); print("set_p99", t["latency_ms"]["p99"])
for k in ("visible_ms", "wait_ms"):
    for q in ("p50", "p99", "max"):
        print(f"{k}_{q}", lag[k][q])
print("probes", lag["visible_ms"]["count"] + lag["wait_ms"]["count"]); print("timeouts", lag["timeouts"])
if "problem" in lag:
    print("problem 1")
PY
      done
    done
  done
  check_replicas
}

report_throughput() {
  local n p
  for n in 0 1 3; do
    for p in 1 16; do
      header "$n replica(s), -P $p (rps, median of $ROUNDS)"
      row "  SET" "thr_${n}_P$p" SET %.0f
      row "  INCR" "thr_${n}_P$p" INCR %.0f
      row "  SET p99 (ms)" "thr_${n}_P$p" SET_p99 %.3f
      row "  INCR p99 (ms)" "thr_${n}_P$p" INCR_p99 %.3f
      row "  master CPU per request (us)" "thr_${n}_P$p" master_cpu_us %.1f
      if ((n > 0)); then row "  replicas' CPU per request, all (us)" "thr_${n}_P$p" replicas_cpu_us %.1f; fi
    done
  done
}

report_lag() {
  local n mode
  for n in 1 3; do
    for mode in closed rate; do
      header "lag, $n replica(s), $([ "$mode" = closed ] && echo "closed loop" || echo "$LAG_RATE SET/s") (median of $ROUNDS)"
      row "  SET requests/s on the master" "lag_${n}_$mode" rps %.0f
      row "  SET p99 (ms)" "lag_${n}_$mode" set_p99 %.3f
      row "  visible on replica p50 (ms)" "lag_${n}_$mode" visible_ms_p50 %.3f
      row "  visible on replica p99 (ms)" "lag_${n}_$mode" visible_ms_p99 %.3f
      row "  visible on replica max (ms)" "lag_${n}_$mode" visible_ms_max %.3f
      row "  WAIT 1 round trip p50 (ms)" "lag_${n}_$mode" wait_ms_p50 %.3f
      row "  WAIT 1 round trip p99 (ms)" "lag_${n}_$mode" wait_ms_p99 %.3f
      row "  probe timeouts" "lag_${n}_$mode" timeouts %.0f
    done
  done
}

want() { [[ ",$PARTS," == *",$1,"* ]]; }
want throughput && throughput 0
attach 1
want throughput && throughput 1
want lag && lag 1
attach 3
want throughput && throughput 3
want lag && lag 3
want throughput && report_throughput
want lag && report_lag
echo
echo "load average at end: $(loadavg)"
