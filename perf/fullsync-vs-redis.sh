#!/usr/bin/env bash
# Full sync time: Tandem -> Tandem vs redis-server -> redis-server on this machine, same run.
#
#   perf/fullsync-vs-redis.sh [rounds] [keys]
#
# Starts a master and a replica of each kind (persistence off), fills both masters with the same
# data (DEBUG POPULATE <keys> plus 2000 each of hashes, lists, sets and sorted sets of 50
# elements), then for repl-diskless-sync yes and no (delay 0) times, `rounds` times, the
# seconds from REPLICAOF on an empty replica until its INFO says master_link_status:up
# (polled every 20 ms). Between rounds the replica is detached (REPLICAOF NO ONE, which gives
# it a new replid, so the next sync is a full one) and emptied. Prints the median of each and
# the ratio Tandem/Redis (below 1: Tandem is faster). Replicas use repl-diskless-load disabled
# (the default: temp file, then load). Only the ratio of medians from the same run means much.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-3}"
KEYS="${2:-1000000}"
TM="${TM:-16479}"; TR="${TR:-16480}"; RM="${RM:-16481}"; RR="${RR:-16482}"
work="$(mktemp -d)"
cleanup() {
  for p in "$TM" "$TR" "$RM" "$RR"; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
  sleep 0.5
  [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

wait_ready() {
  for _ in $(seq 1 240); do
    redis-cli -p "$1" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.5
  done
  echo "server on port $1 did not start" >&2
  exit 1
}

mkdir -p "$work"/{tm,tr,rm,rr}
# A config file, not --save "": a daemonizing Tandem re-executes itself from /proc/self/cmdline,
# where an empty argument is lost (and the arguments after it are misread).
printf 'save ""\nappendonly no\nrepl-diskless-sync-delay 0\nenable-debug-command yes\ndaemonize yes\n' > "$work/common.conf"
redis-server "$work/common.conf" --port "$RM" --dir "$work/rm" --logfile "$work/rm/log"
redis-server "$work/common.conf" --port "$RR" --dir "$work/rr" --logfile "$work/rr/log"
bin/tandem-server "$work/common.conf" --port "$TM" --dir "$work/tm" --logfile "$work/tm/log"
bin/tandem-server "$work/common.conf" --port "$TR" --dir "$work/tr" --logfile "$work/tr/log"
for p in "$RM" "$RR" "$TM" "$TR"; do wait_ready "$p"; done

# Collections, as a RESP pipe (the same bytes to both masters).
python3 - "$work/coll.resp" <<'EOF'
import sys
def cmd(*a):
    out = ["*%d\r\n" % len(a)]
    for x in a:
        x = str(x)
        out.append("$%d\r\n%s\r\n" % (len(x.encode()), x))
    return "".join(out)
with open(sys.argv[1], "w") as f:
    for i in range(2000):
        f.write(cmd("HSET", "h:%d" % i, *[v for j in range(50) for v in ("f%d" % j, "v%d-%d" % (i, j))]))
        f.write(cmd("RPUSH", "l:%d" % i, *["e%d-%d" % (i, j) for j in range(50)]))
        f.write(cmd("SADD", "s:%d" % i, *["m%d-%d" % (i, j) for j in range(50)]))
        f.write(cmd("ZADD", "z:%d" % i, *[v for j in range(50) for v in (j * 1.5, "m%d" % j)]))
EOF
for p in "$RM" "$TM"; do
  redis-cli -p "$p" debug populate "$KEYS" key 64 >/dev/null
  redis-cli -p "$p" --pipe < "$work/coll.resp" >/dev/null
done
echo "redis:  $(redis-cli -p "$RM" info server | grep -E '^redis_version' | tr -d '\r')"
echo "dbsize: tandem $(redis-cli -p "$TM" dbsize), redis $(redis-cli -p "$RM" dbsize); digests equal: \
$([ "$(redis-cli -p "$TM" debug digest)" = "$(redis-cli -p "$RM" debug digest)" ] && echo yes || echo no)"
echo "cores: $(nproc)  rounds: $ROUNDS"

# sync MASTER REPLICA -> seconds until the replica's link is up (then checks the key count)
sync_once() {
  local m="$1" r="$2"
  redis-cli -p "$r" replicaof no one >/dev/null
  redis-cli -p "$r" flushall >/dev/null
  local t0 t1
  t0=$(date +%s.%N)
  redis-cli -p "$r" replicaof 127.0.0.1 "$m" >/dev/null
  until redis-cli -p "$r" info replication | grep -q '^master_link_status:up'; do sleep 0.02; done
  t1=$(date +%s.%N)
  local want got
  want=$(redis-cli -p "$m" dbsize); got=$(redis-cli -p "$r" dbsize)
  [ "$want" = "$got" ] || { echo "replica on $r has $got keys, master $want" >&2; exit 1; }
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

printf '\n%-10s %12s %12s %8s\n' "mode" "tandem s" "redis s" "ratio"
for mode in yes no; do
  for p in "$TM" "$RM"; do redis-cli -p "$p" config set repl-diskless-sync "$mode" >/dev/null; done
  sync_once "$TM" "$TR" >/dev/null # warm-up (JIT), not counted
  : > "$work/t.$mode"; : > "$work/r.$mode"
  for _ in $(seq 1 "$ROUNDS"); do
    sync_once "$TM" "$TR" >> "$work/t.$mode"
    sync_once "$RM" "$RR" >> "$work/r.$mode"
  done
  tm=$(median < "$work/t.$mode"); rm=$(median < "$work/r.$mode")
  label=$([ "$mode" = yes ] && echo diskless || echo disk)
  awk -v l="$label" -v a="$tm" -v b="$rm" 'BEGIN { printf "%-10s %12.3f %12.3f %8.2f\n", l, a, b, a / b }'
  echo "  tandem rounds: $(tr '\n' ' ' < "$work/t.$mode")  redis rounds: $(tr '\n' ' ' < "$work/r.$mode")"
done
