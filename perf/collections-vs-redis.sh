#!/usr/bin/env bash
# Collections, Tandem vs a real redis-server in the same run (issue #3's figures):
#
#   perf/collections-vs-redis.sh [hashes] [zset-members]
#
# 1. Memory: N small hashes of 10 fields (listpack) and one zset of M members (skiplist),
#    loaded with redis-cli --pipe into each server; prints bytes per element from INFO memory
#    (used_memory and RSS growth) and MEMORY USAGE of one hash, and the ratio Tandem/Redis.
# 2. Complexity: HSET into a big hash, ZADD into the big zset, LPUSH+RPOP on a big list, each
#    against the same command on a 10-element collection (redis-benchmark, -c 50, median of 3);
#    Redis documents O(1)/O(log n): the big/small ratio should stay near 1.
# Persistence is off on both. Needs redis-server, redis-cli, redis-benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
HASHES="${1:-1000000}"
MEMBERS="${2:-1000000}"
TPORT="${TPORT:-16389}"
RPORT="${RPORT:-16390}"
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

# Same thresholds on both (the Debian build's compiled-in defaults differ from redis.conf's).
common=(--save "" --appendonly no --hash-max-listpack-entries 128 --hash-max-listpack-value 64
        --zset-max-listpack-entries 128 --zset-max-listpack-value 64)
redis-server --port "$RPORT" "${common[@]}" --dir "$work" --daemonize yes --logfile "$work/redis.log"
bin/tandem-server --port "$TPORT" "${common[@]}" --dir "$work" --logfile "$work/tandem.log" --daemonize yes
wait_ready "$RPORT"
wait_ready "$TPORT"

# RESP generators (python3 would be simpler, but awk is everywhere).
gen_hashes() {
  awk -v n="$HASHES" 'BEGIN {
    for (i = 0; i < n; i++) {
      printf "*22\r\n$4\r\nHSET\r\n$%d\r\nh:%d\r\n", length("h:" i), i
      for (f = 0; f < 10; f++) printf "$2\r\nf%d\r\n$8\r\nv%07d\r\n", f, i % 10000000
    }
  }'
}
gen_zset() {
  awk -v n="$MEMBERS" 'BEGIN {
    for (i = 0; i < n; i += 100) {
      printf "*%d\r\n$4\r\nZADD\r\n$4\r\nbigz\r\n", 2 + 2 * 100
      for (j = i; j < i + 100; j++) { s = sprintf("%d", j); m = sprintf("member:%d", j); printf "$%d\r\n%s\r\n$%d\r\n%s\r\n", length(s), s, length(m), m }
    }
  }'
}
mem() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: -v k="$2" '$1 == k { print $2 }'; }

load_and_measure() { # port -> "hashbytes zsetbytes rsshash rsszset usage1"
  local p="$1"
  local u0 r0 u1 r1 u2 r2
  u0=$(mem "$p" used_memory); r0=$(mem "$p" used_memory_rss)
  gen_hashes | redis-cli -p "$p" --pipe >/dev/null
  u1=$(mem "$p" used_memory); r1=$(mem "$p" used_memory_rss)
  gen_zset | redis-cli -p "$p" --pipe >/dev/null
  u2=$(mem "$p" used_memory); r2=$(mem "$p" used_memory_rss)
  local usage
  usage=$(redis-cli -p "$p" memory usage h:12345)
  echo "$(( (u1 - u0) / (HASHES * 10) )) $(( (u2 - u1) / MEMBERS )) $(( (r1 - r0) / (HASHES * 10) )) $(( (r2 - r1) / MEMBERS )) $usage"
}

echo "hashes: $HASHES x 10 fields; zset: $MEMBERS members; $(nproc) cores"
read -r th tz trh trz tu <<<"$(load_and_measure "$TPORT")"
read -r rh rz rrh rrz ru <<<"$(load_and_measure "$RPORT")"
printf '\n%-34s %10s %10s %8s\n' "bytes per element" "tandem" "redis" "ratio"
row() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%-34s %10d %10d %8.2f\n", n, a, b, (b > 0 ? a / b : 0) }'; }
row "small hash field (used_memory)" "$th" "$rh"
row "small hash field (RSS)" "$trh" "$rrh"
row "big zset member (used_memory)" "$tz" "$rz"
row "big zset member (RSS)" "$trz" "$rrz"
row "MEMORY USAGE of one 10-field hash" "$tu" "$ru"
echo "tandem heap in use: $(mem "$TPORT" used_memory_heap) bytes of $(mem "$TPORT" used_memory_heap_max)"

# Complexity: the same command on a big and a small collection.
for p in "$TPORT" "$RPORT"; do
  redis-cli -p "$p" del smallz smallh biglist smalllist >/dev/null
  redis-cli -p "$p" zadd smallz 1 a 2 b 3 c 4 d 5 e 6 f 7 g 8 h 9 i 10 j >/dev/null
  redis-cli -p "$p" hset smallh a 1 b 2 c 3 d 4 e 5 f 6 g 7 h 8 i 9 j 10 >/dev/null
  redis-cli -p "$p" rpush smalllist a b c d e f g h i j >/dev/null
  awk -v n="$MEMBERS" 'BEGIN { for (i = 0; i < n; i += 100) { printf "*102\r\n$5\r\nRPUSH\r\n$7\r\nbiglist\r\n"; for (j = 0; j < 100; j++) printf "$1\r\nx\r\n" } }' \
    | redis-cli -p "$p" --pipe >/dev/null
  redis-cli -p "$p" del bigh >/dev/null
  awk -v n="$MEMBERS" 'BEGIN { for (i = 0; i < n; i += 100) { printf "*202\r\n$4\r\nHSET\r\n$4\r\nbigh\r\n"; for (j = i; j < i + 100; j++) { f = sprintf("f%d", j); printf "$%d\r\n%s\r\n$1\r\nv\r\n", length(f), f } } }' \
    | redis-cli -p "$p" --pipe >/dev/null
done
rps() { # port command...
  for _ in 1 2 3; do
    redis-benchmark -p "$1" -c 50 -n 100000 -r 100000000 --csv "${@:2}" 2>/dev/null | tail -1 | cut -d, -f2 | tr -d '"'
  done | sort -n | sed -n 2p
}
printf '\n%-30s %12s %12s %10s | %12s %12s %10s\n' "complexity (rps, median of 3)" "tandem big" "tandem small" "big/small" "redis big" "redis small" "big/small"
cmp() {
  local name="$1" big="$2" small="$3"
  local tb ts rb rs
  tb=$(rps "$TPORT" $big); ts=$(rps "$TPORT" $small); rb=$(rps "$RPORT" $big); rs=$(rps "$RPORT" $small)
  awk -v n="$name" -v tb="$tb" -v ts="$ts" -v rb="$rb" -v rs="$rs" \
    'BEGIN { printf "%-30s %12.0f %12.0f %10.2f | %12.0f %12.0f %10.2f\n", n, tb, ts, tb / ts, rb, rs, rb / rs }'
}
cmp "HSET new field" "HSET bigh __rand_int__ v" "HSET smallh __rand_int__ v"
cmp "ZADD new member" "ZADD bigz __rand_int__ __rand_int__" "ZADD smallz __rand_int__ __rand_int__"
cmp "LPUSH" "LPUSH biglist x" "LPUSH smalllist x"
cmp "RPOP" "RPOP biglist" "RPOP smalllist"
