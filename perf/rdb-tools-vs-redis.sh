#!/usr/bin/env bash
# RDB/AOF tools (#8), Tandem vs Redis's own tools on the same large file:
#
#   perf/rdb-tools-vs-redis.sh [strings]        (default 3500000: an RDB of ~0.85 GB)
#
# Builds an RDB with a real redis-server: N strings of 200 random hex chars (10% with an
# expiry), 10k hashes of 100 fields, and in db 1 5k lists of 200 and 5k zsets of 100 (random
# data, so LZF barely helps), then times redis-check-rdb and tandem-check-rdb (each twice, page
# cache warm, best run), tandem-check-rdb again with -Xmx64m (constant memory), and
# tandem-rdb dump in each format. Prints seconds, MB/s and max RSS. Needs redis-server,
# redis-cli, redis-check-rdb, python3, GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-3500000}"
PORT="${PORT:-16391}"
work="$(mktemp -d)"
cleanup() {
  redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

redis-server --port "$PORT" --dir "$work" --save '' --appendonly no --daemonize yes --logfile "$work/redis.log"
for _ in $(seq 1 100); do redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
python3 - "$N" <<'PY' | redis-cli -p "$PORT" --pipe | tail -1
import os, random, sys
n = int(sys.argv[1]); out = sys.stdout.buffer; rnd = random.Random(1); buf = []
def cmd(*a):
    buf.append(b"*%d\r\n" % len(a) + b"".join(b"$%d\r\n%s\r\n" % (len(x), x) for x in a))
    if len(buf) > 5000:
        out.write(b"".join(buf)); buf.clear()
for i in range(n):
    cmd(b"SET", b"str:%d" % i, os.urandom(100).hex().encode())
    if i % 10 == 0:
        cmd(b"PEXPIREAT", b"str:%d" % i, b"4102444800000")
for i in range(10000):
    a = [b"HSET", b"hash:%d" % i]
    for f in range(100):
        a += [b"f%d" % f, os.urandom(25).hex().encode()]
    cmd(*a)
cmd(b"SELECT", b"1")
for i in range(5000):
    cmd(b"RPUSH", b"list:%d" % i, *[os.urandom(20).hex().encode() for _ in range(200)])
for i in range(5000):
    a = [b"ZADD", b"zset:%d" % i]
    for m in range(100):
        a += [b"%f" % rnd.random(), os.urandom(16).hex().encode()]
    cmd(*a)
out.write(b"".join(buf))
PY
redis-cli -p "$PORT" save >/dev/null
redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
rdb="$work/dump.rdb"
size=$(stat -c %s "$rdb")
cat "$rdb" >/dev/null
echo "file: $rdb, $size bytes"

run() { # label, command...
  local label="$1"; shift
  local best=""
  local rss=""
  for _ in 1 2; do
    /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || { echo "$label failed:"; cat "$work/err"; return 1; }
    read -r secs kb <"$work/t"
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best="$secs"; rss="$kb"; fi
  done
  awk -v l="$label" -v s="$best" -v b="$size" -v r="$rss" 'BEGIN{printf "%-34s %6.2f s  %7.1f MB/s  max RSS %5.0f MB\n", l, s, b/1048576/s, r/1024}'
}
run "redis-check-rdb" redis-check-rdb "$rdb"
run "tandem-check-rdb" bin/tandem-check-rdb "$rdb"
TANDEM_JAVA_OPTS="-Xmx64m" run "tandem-check-rdb (-Xmx64m)" bin/tandem-check-rdb "$rdb"
for f in keys json resp memory; do
  run "tandem-rdb dump --format $f" bin/tandem-rdb dump --format "$f" "$rdb"
done
