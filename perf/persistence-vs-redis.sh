#!/usr/bin/env bash
# Persistence (#4), Tandem vs a real redis-server on this machine, same run, same parameters:
#
#   perf/persistence-vs-redis.sh            (PARTS=save,bgsave,aof by default)
#
# save    The same dataset in both: DEBUG POPULATE $KEYS key $VALSIZE plus four collections of
#         $BIG elements (list, hash, set, zset) sent with redis-cli --pipe. SAVE timed ROUNDS times
#         (seconds, MB/s of the file, keys/s); then each server restarted ROUNDS times on its
#         file: launch until "Ready to accept connections", and the loader's own "DB loaded from
#         disk: N seconds" line; the same from an empty dir for the fixed startup cost.
# bgsave  $KEYS strings of $VALSIZE bytes under redis-benchmark's names (key:000000000000...) plus
#         the four collections; a write load (tandem-benchmark -t set -r $KEYS -d $VALSIZE -c 50,
#         closed loop like redis-benchmark, $WARMUP s warm-up + $LOAD_SECS s measured) runs twice
#         per round: without snapshots, then with BGSAVE looping (the next one as soon as the last
#         ends). perf/snapshot-probe.py samples the server's memory every 50 ms, for Redis
#         including its forked child: RSS summed over both (the brief's measure, which counts
#         every page the child shares with its parent twice) and PSS summed (the pages really in
#         use). Extra memory = peak with BGSAVE over the peak of the run without, same round.
#         p99 of SET with BGSAVE looping vs without.
# aof     SET throughput: redis-benchmark -t set -c 50 -n $AOF_REQUESTS -d 64 -P 1 against fresh
#         servers with appendonly no, appendonly yes + appendfsync everysec, + always.
#
# Runs alternate between the servers (which goes first alternates too) and repeat ROUNDS times;
# tables show medians, the ratio Tandem/Redis (for times and memory: lower is better for
# Tandem below 1) and the 1-minute load average range over the runs (/proc/loadavg; this
# script's own server and client add about 2). Raw per-run lines go to $RESULTS.
# Needs redis-server, redis-cli, redis-benchmark (7.0), python3; build first with
# ./mvnw -o -q -DskipTests package.
set -euo pipefail
source "$(dirname "$0")/vs-redis-lib.sh"

PARTS="${PARTS:-save,bgsave,aof}"
ROUNDS="${ROUNDS:-3}"
KEYS="${KEYS:-2000000}"
VALSIZE="${VALSIZE:-100}"
BIG="${BIG:-250000}"
WARMUP="${WARMUP:-3}"
LOAD_SECS="${LOAD_SECS:-30}"
AOF_REQUESTS="${AOF_REQUESTS:-200000}"
RESULTS="${RESULTS:-$ROOT/perf/target/persistence-vs-redis.$(date +%Y%m%d-%H%M%S).txt}"
mkdir -p "$(dirname "$RESULTS")"
: >"$RESULTS"
COMMON=(--save "" --appendonly no)

echo "redis:  $(redis-server --version)"
echo "tandem: $(bin/tandem-server --version 2>&1 | head -1)"
echo "java:   $(java -version 2>&1 | head -1)"
echo "cores: $(nproc)  rounds: $ROUNDS  parts: $PARTS  load average at start: $(loadavg)"
echo "raw results: $RESULTS"

# record PART KIND NAME VALUE: one raw line (with the 1-minute load average).
record() { echo "$1 $2 $3 $4 $(cut -d' ' -f1 /proc/loadavg)" >>"$RESULTS"; }
# med PART KIND NAME -> median of the recorded values
med() { awk -v p="$1" -v k="$2" -v n="$3" '$1 == p && $2 == k && $3 == n { print $4 }' "$RESULTS" | median; }
# loads PART -> "min-max" of the 1-minute load averages recorded for PART
loads() { awk -v p="$1" '$1 == p { if (min == "" || $5 < min) min = $5; if ($5 > max) max = $5 } END { printf "%s-%s", min, max }' "$RESULTS"; }
# row LABEL PART NAME [FORMAT]: medians of both, the ratio, the load range
row() {
  local t r
  t=$(med "$2" tandem "$3"); r=$(med "$2" redis "$3")
  awk -v l="$1" -v t="$t" -v r="$r" -v f="${4:-%.1f}" -v load="$(loads "$2")" 'BEGIN {
    printf "%-44s %14s %14s %7s  %s\n", l, sprintf(f, t), sprintf(f, r), (r + 0 == 0 ? "-" : sprintf("%.2f", t / r)), load }'
}
header() { printf '\n%-44s %14s %14s %7s  %s\n' "$1" tandem redis ratio "load avg (1 min)"; }
# first_kind ROUND -> which server goes first in this round
order() { if (( $1 % 2 )); then echo "tandem redis"; else echo "redis tandem"; fi; }

declare -A PORT PID DIR

start_kind() { # KIND DIR [directives...]: starts, waits, sets PORT/PID/DIR[KIND] and READY_MS
  local kind="$1" dir="$2"
  shift 2
  PORT[$kind]=$(free_port)
  DIR[$kind]="$dir"
  start_server "$kind" "${PORT[$kind]}" "$dir" "$@"
  PID[$kind]=$SERVER_PID
  wait_ready "$SERVER_PID" "$dir/$kind-${PORT[$kind]}.log"
}
restart_kind() { # KIND [directives...]: same port and dir; sets READY_MS
  local kind="$1"
  shift
  : >"${DIR[$kind]}/$kind-${PORT[$kind]}.log"
  start_server "$kind" "${PORT[$kind]}" "${DIR[$kind]}" "$@"
  PID[$kind]=$SERVER_PID
  wait_ready "$SERVER_PID" "${DIR[$kind]}/$kind-${PORT[$kind]}.log"
}
stop_kind() { stop_server "${PORT[$1]}" "${PID[$1]}"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# ---------------------------------------------------------------------------------------------
part_save() {
  echo
  echo "== SAVE and startup load: DEBUG POPULATE $KEYS key $VALSIZE + list/hash/set/zset of $BIG =="
  local i kind
  for i in $(seq 1 "$ROUNDS"); do
    for kind in $(order "$i"); do
      start_kind "$kind" "$work/empty-$kind-$i" "${COMMON[@]}"
      record empty "$kind" ready_ms "$READY_MS"
      record empty "$kind" cpu_ms "$(cpu_ms "${PID[$kind]}")"
      stop_kind "$kind"
      rm -rf "$work/empty-$kind-$i"
    done
  done
  for kind in tandem redis; do
    start_kind "$kind" "$work/save-$kind" "${COMMON[@]}"
    local t0 t1
    t0=$(now_ms)
    redis-cli -p "${PORT[$kind]}" debug populate "$KEYS" key "$VALSIZE" >/dev/null
    t1=$(now_ms)
    gen_big_collections "$BIG" | redis-cli -p "${PORT[$kind]}" --pipe >/dev/null
    echo "$kind: populated in $(( t1 - t0 )) ms, collections in $(( $(now_ms) - t1 )) ms; dbsize $(redis-cli -p "${PORT[$kind]}" dbsize)"
  done
  local td rd
  td=$(redis-cli -p "${PORT[tandem]}" debug digest); rd=$(redis-cli -p "${PORT[redis]}" debug digest)
  echo "DEBUG DIGEST tandem $td, redis $rd: $([ "$td" = "$rd" ] && echo same dataset || echo DIFFERENT)"
  local nkeys t size c0
  nkeys=$(redis-cli -p "${PORT[redis]}" dbsize)
  for i in $(seq 1 "$ROUNDS"); do
    for kind in $(order "$i"); do
      c0=$(cpu_ms "${PID[$kind]}")
      t0=$(now_ms)
      redis-cli -p "${PORT[$kind]}" save >/dev/null
      t=$(( $(now_ms) - t0 ))
      size=$(stat -c %s "${DIR[$kind]}/dump.rdb")
      record save "$kind" ms "$t"
      record save "$kind" cpu_ms "$(( $(cpu_ms "${PID[$kind]}") - c0 ))"
      record save "$kind" mb "$(awk -v s="$size" 'BEGIN { print s / 1048576 }')"
      record save "$kind" mbps "$(awk -v s="$size" -v t="$t" 'BEGIN { print s / 1048576 / (t / 1000) }')"
      record save "$kind" keysps "$(awk -v n="$nkeys" -v t="$t" 'BEGIN { print n / (t / 1000) }')"
    done
  done
  for kind in tandem redis; do record load "$kind" rss_before_mb "$(( $(rss_kb "${PID[$kind]}") / 1024 ))"; done
  local secs
  for i in $(seq 1 "$ROUNDS"); do
    for kind in $(order "$i"); do
      stop_kind "$kind"
      sync
      restart_kind "$kind" "${COMMON[@]}"
      secs=$(grep -o 'DB loaded from disk: [0-9.]* seconds' "${DIR[$kind]}/$kind-${PORT[$kind]}.log" | awk '{ print $5 }')
      size=$(stat -c %s "${DIR[$kind]}/dump.rdb")
      [ "$(redis-cli -p "${PORT[$kind]}" dbsize)" = "$nkeys" ] || { echo "$kind loaded a different number of keys" >&2; exit 1; }
      record load "$kind" ready_ms "$READY_MS"
      record load "$kind" cpu_ms "$(cpu_ms "${PID[$kind]}")"
      record load "$kind" loaded_s "$secs"
      record load "$kind" mbps "$(awk -v s="$size" -v t="$secs" 'BEGIN { print s / 1048576 / t }')"
      record load "$kind" keysps "$(awk -v n="$nkeys" -v t="$secs" 'BEGIN { print n / t }')"
      record load "$kind" rss_after_mb "$(( $(rss_kb "${PID[$kind]}") / 1024 ))"
    done
  done
  for kind in tandem redis; do stop_kind "$kind"; done
  rm -rf "$work/save-tandem" "$work/save-redis"

  header "SAVE ($nkeys keys, median of $ROUNDS)"
  row "  SAVE (ms)" save ms %.0f
  row "  server CPU during SAVE (ms)" save cpu_ms %.0f
  row "  file (MB)" save mb
  row "  MB/s" save mbps
  row "  keys/s" save keysps %.0f
  header "startup (median of $ROUNDS)"
  row "  empty dir: launch -> Ready (ms)" empty ready_ms %.0f
  row "  empty dir: process CPU at Ready (ms)" empty cpu_ms %.0f
  row "  with the RDB: launch -> Ready (ms)" load ready_ms %.0f
  row "  with the RDB: process CPU at Ready (ms)" load cpu_ms %.0f
  row "  'DB loaded from disk' (s)" load loaded_s %.3f
  row "  load MB/s (file / loader time)" load mbps
  row "  load keys/s" load keysps %.0f
  row "  RSS before SAVE (MB)" load rss_before_mb %.0f
  row "  RSS after load (MB)" load rss_after_mb %.0f
}

# ---------------------------------------------------------------------------------------------
part_bgsave() {
  echo
  echo "== BGSAVE under a SET load: $KEYS keys of $VALSIZE bytes + 4 collections of $BIG; ${LOAD_SECS}s per run =="
  local kind i mode
  for kind in tandem redis; do
    start_kind "$kind" "$work/bg-$kind" "${COMMON[@]}"
    bin/tandem-benchmark -p "${PORT[$kind]}" -q -t set -r "$KEYS" --key-pattern sequential -n "$KEYS" \
      -d "$VALSIZE" -c 4 -P 64 >/dev/null
    gen_big_collections "$BIG" | redis-cli -p "${PORT[$kind]}" --pipe >/dev/null
    echo "$kind: dbsize $(redis-cli -p "${PORT[$kind]}" dbsize), RSS $(( $(rss_kb "${PID[$kind]}") / 1024 )) MB idle"
    # warm-up (JIT, allocator): not measured
    bin/tandem-benchmark -p "${PORT[$kind]}" -q -t set -r "$KEYS" -d "$VALSIZE" -c 50 --duration 10 >/dev/null
  done
  local bench probe
  for i in $(seq 1 "$ROUNDS"); do
    for kind in $(order "$i"); do
      for mode in none bgsave; do
        probe="$work/probe-$kind-$i-$mode.json"
        bench="$work/bench-$kind-$i-$mode.json"
        python3 perf/snapshot-probe.py --pid "${PID[$kind]}" --port "${PORT[$kind]}" \
          --duration "$(( WARMUP + LOAD_SECS + 1 ))" --start-after "$WARMUP" \
          $([ "$mode" = bgsave ] && echo --bgsave-loop) --samples-out "$work/samples-$kind-$i-$mode.tsv" >"$probe" &
        local ppid=$! c0
        c0=$(cpu_ms "${PID[$kind]}")
        bin/tandem-benchmark -p "${PORT[$kind]}" -q --json -t set -r "$KEYS" -d "$VALSIZE" -c 50 \
          --warmup "$WARMUP" --duration "$LOAD_SECS" >"$bench"
        wait "$ppid"
        echo "cpu_ms $(( $(cpu_ms "${PID[$kind]}") - c0 ))" >"$work/cpu"
        python3 - "$bench" "$probe" "$mode" "$work/cpu" <<'PY' | while read -r name value; do record "bg_$mode" "$kind" "$name" "$value"; done
import json, sys
b = json.load(open(sys.argv[1]))["tests"][0]
p = json.load(open(sys.argv[2]))
lat = b["latency_ms"]
print("rps", b["throughput"]); print("p50", lat["p50"]); print("p99", lat["p99"]); print("p99.9", lat["p99.9"])
print("max", lat["max"]); print("errors", b["errors"])
print("rss_max_mb", p["rss_kb"]["max"] / 1024); print("pss_max_mb", p["pss_kb"]["max"] / 1024)
print("children_rss_mb", p["at_peak_kb"]["children_rss"] / 1024)
cpu_ms = float(open(sys.argv[4]).read().split()[1])
print("cpu_us_op", cpu_ms * 1000 / (b["throughput"] * b["seconds"]))
if sys.argv[3] == "bgsave":
    print("bgsaves", p["bgsaves"]); print("bgsave_ms", p["bgsave_ms"]["median"] or 0)
    print("cow_peak_mb", p["current_cow_size_peak"] / 1048576)
    print("last_cow_mb", (p["rdb_last_cow_size_median"] or 0) / 1048576)
PY
      done
      # this round's snapshot run over this round's run without
      python3 - "$work/bench-$kind-$i-none.json" "$work/probe-$kind-$i-none.json" \
        "$work/bench-$kind-$i-bgsave.json" "$work/probe-$kind-$i-bgsave.json" <<'PY' \
        | while read -r name value; do record bg_extra "$kind" "$name" "$value"; done
import json, sys
bn, pn, bb, pb = (json.load(open(f)) for f in sys.argv[1:])
print("rss_pct", (pb["rss_kb"]["max"] - pn["rss_kb"]["max"]) / pn["rss_kb"]["max"] * 100)
print("pss_pct", (pb["pss_kb"]["max"] - pn["pss_kb"]["max"]) / pn["pss_kb"]["max"] * 100)
p99n, p99b = bn["tests"][0]["latency_ms"]["p99"], bb["tests"][0]["latency_ms"]["p99"]
print("p99_pct", (p99b - p99n) / p99n * 100)
PY
      echo "round $i $kind: $(tail -n 3 "$RESULTS" | awk '{ printf "%s %.1f%%  ", $3, $4 }')(load $(loadavg))"
    done
  done
  for kind in tandem redis; do stop_kind "$kind"; done
  rm -rf "$work/bg-tandem" "$work/bg-redis"

  header "SET load, no snapshot (median of $ROUNDS)"
  row "  requests/s" bg_none rps %.0f
  row "  p50 (ms)" bg_none p50 %.3f
  row "  p99 (ms)" bg_none p99 %.3f
  row "  p99.9 (ms)" bg_none p99.9 %.3f
  row "  server CPU per request (us)" bg_none cpu_us_op %.1f
  row "  peak RSS = baseline (MB)" bg_none rss_max_mb %.0f
  row "  peak PSS (MB)" bg_none pss_max_mb %.0f
  header "SET load, BGSAVE looping (median of $ROUNDS)"
  row "  requests/s" bg_bgsave rps %.0f
  row "  p50 (ms)" bg_bgsave p50 %.3f
  row "  p99 (ms)" bg_bgsave p99 %.3f
  row "  p99.9 (ms)" bg_bgsave p99.9 %.3f
  row "  max (ms)" bg_bgsave max %.1f
  row "  server CPU per request, BGSAVEs incl. (us)" bg_bgsave cpu_us_op %.1f
  row "  BGSAVEs completed per run" bg_bgsave bgsaves %.0f
  row "  BGSAVE duration (ms)" bg_bgsave bgsave_ms %.0f
  row "  peak RSS, parent + child (MB)" bg_bgsave rss_max_mb %.0f
  row "  peak PSS, parent + child (MB)" bg_bgsave pss_max_mb %.0f
  row "  INFO current_cow_size peak (MB)" bg_bgsave cow_peak_mb %.1f
  row "  INFO rdb_last_cow_size (MB)" bg_bgsave last_cow_mb %.1f
  header "snapshot cost (goal: memory <= 10%, p99 <= +20%)"
  row "  extra memory, RSS sum (%)" bg_extra rss_pct %.1f
  row "  extra memory, PSS sum (%)" bg_extra pss_pct %.1f
  row "  p99 with BGSAVE vs without (%)" bg_extra p99_pct %.1f
}

# ---------------------------------------------------------------------------------------------
part_aof() {
  echo
  echo "== SET with AOF: redis-benchmark -t set -c 50 -n $AOF_REQUESTS -d 64 -P 1 =="
  local mode kind i line c0
  for mode in off everysec always; do
    local args=(--save "")
    if [ "$mode" = off ]; then args+=(--appendonly no); else args+=(--appendonly yes --appendfsync "$mode"); fi
    for kind in tandem redis; do
      start_kind "$kind" "$work/aof-$mode-$kind" "${args[@]}"
      redis-benchmark -p "${PORT[$kind]}" -t set -c 50 -n 50000 -d 64 -P 1 -q >/dev/null 2>&1  # warm-up
    done
    for i in $(seq 1 "$ROUNDS"); do
      for kind in $(order "$i"); do
        c0=$(cpu_ms "${PID[$kind]}")
        line=$(redis-benchmark -p "${PORT[$kind]}" -t set -c 50 -n "$AOF_REQUESTS" -d 64 -P 1 --csv 2>/dev/null | tail -1 | tr -d '"')
        record "aof_$mode" "$kind" cpu_us_op "$(awk -v c="$(( $(cpu_ms "${PID[$kind]}") - c0 ))" -v n="$AOF_REQUESTS" 'BEGIN { print c * 1000 / n }')"
        # test,rps,avg,min,p50,p95,p99,max
        record "aof_$mode" "$kind" rps "$(echo "$line" | cut -d, -f2)"
        record "aof_$mode" "$kind" p50 "$(echo "$line" | cut -d, -f5)"
        record "aof_$mode" "$kind" p99 "$(echo "$line" | cut -d, -f7)"
      done
    done
    for kind in tandem redis; do
      [ "$mode" = off ] || record "aof_$mode" "$kind" aof_mb "$(du -sm "${DIR[$kind]}/appendonlydir" | cut -f1)"
      stop_kind "$kind"
      rm -rf "${DIR[$kind]}"
    done
  done
  for mode in off everysec always; do
    header "SET, appendonly $([ "$mode" = off ] && echo no || echo "yes, appendfsync $mode") (median of $ROUNDS)"
    row "  requests/s" "aof_$mode" rps %.0f
    row "  p50 (ms)" "aof_$mode" p50 %.3f
    row "  p99 (ms)" "aof_$mode" p99 %.3f
    row "  server CPU per request (us)" "aof_$mode" cpu_us_op %.1f
  done
}

for part in ${PARTS//,/ }; do
  case "$part" in
    save) part_save ;;
    bgsave) part_bgsave ;;
    aof) part_aof ;;
    *) echo "unknown part '$part' (save, bgsave, aof)" >&2; exit 2 ;;
  esac
done
echo
echo "load average at end: $(loadavg)"
