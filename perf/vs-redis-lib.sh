# Sourced by perf/persistence-vs-redis.sh, perf/replication-vs-redis.sh and perf/durable-backlog-vs-redis.sh: starting and stopping
# Tandem and redis-server side by side, free ports, medians. Not meant to be run directly.
#
# Servers run in the foreground of a background job, not with `daemonize yes`: the script needs
# their process ids (RSS sampling, startup timing, killing exactly what it started).

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
work="$(mktemp -d "${TMPDIR:-/tmp}/tandem-vs-redis.XXXXXX")"
STARTED_PIDS=()

cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in redis-server redis-cli redis-benchmark python3; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
# Built once (./mvnw -o -q -DskipTests package); the launchers would build on first use anyway.
if ! ls server/target/tandem-server-*.jar >/dev/null 2>&1 || [ ! -f perf/target/benchmarks.jar ]; then
  echo "build first: ./mvnw -o -q -DskipTests package" >&2
  exit 1
fi

now_ms() { date +%s%3N; }
# cpu_ms PID...: CPU time (user + system, plus waited-for children: Redis's BGSAVE child) of the
# processes, in ms. On a shared machine this is the robust figure: wall-clock time of a
# single-threaded Redis suffers more from other processes than a multi-threaded JVM does
# (the scheduler shares CPU per thread), CPU time per operation much less.
CLK_TCK=$(getconf CLK_TCK)
cpu_ms() {
  local pid total=0 v
  for pid in "$@"; do
    v=$(awk -v hz="$CLK_TCK" '{ sub(/^.*\) /, ""); printf "%d", ($12 + $13 + $14 + $15) * 1000 / hz }' "/proc/$pid/stat")
    total=$(( total + v ))
  done
  echo "$total"
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# free_port: a TCP port on 127.0.0.1 nobody listens on and not handed out before by this run
# (remembered in a file: free_port runs in a $(...) subshell). Taken below the ephemeral range:
# a port there can be the local end of some client's connection, which makes a listening
# socket on *:port fail with "Address already in use" although nobody listens on it.
free_port() {
  local p low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  touch "$work/ports"
  while true; do
    p=$(( 20000 + RANDOM % (low - 20000) ))
    grep -qx "$p" "$work/ports" && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p" >>"$work/ports"
      echo "$p"
      return
    fi
  done
}

# start_server KIND PORT DIR [directive value ...] -> sets SERVER_PID and SERVER_T0 (launch time, ms).
# KIND is tandem or redis. Logs to DIR/KIND-PORT.log. Both get the same directives.
start_server() {
  local kind="$1" port="$2" dir="$3"
  shift 3
  mkdir -p "$dir"
  local log="$dir/$kind-$port.log"
  SERVER_T0=$(now_ms)
  if [ "$kind" = tandem ]; then
    # shellcheck disable=SC2086
    TANDEM_JAVA_OPTS="${TANDEM_JAVA_OPTS:-}" bin/tandem-server --port "$port" --dir "$dir" --logfile "$log" \
      --enable-debug-command yes "$@" </dev/null >"$dir/$kind-$port.out" 2>&1 &
  else
    redis-server --port "$port" --dir "$dir" --logfile "$log" --enable-debug-command yes "$@" \
      </dev/null >"$dir/$kind-$port.out" 2>&1 &
  fi
  SERVER_PID=$!
  STARTED_PIDS+=("$SERVER_PID")
}

# wait_ready PID LOG -> sets READY_MS: ms from SERVER_T0 until "Ready to accept connections" is in
# LOG (polled every 10 ms).
wait_ready() {
  local pid="$1" log="$2"
  for _ in $(seq 1 30000); do
    if grep -q "Ready to accept connections" "$log" 2>/dev/null; then
      READY_MS=$(( $(now_ms) - SERVER_T0 ))
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "server $pid exited during startup; its log:" >&2
      tail -20 "$log" >&2
      exit 1
    fi
    sleep 0.01
  done
  echo "server $pid not ready after 5 minutes" >&2
  exit 1
}

# stop_server PORT PID: SHUTDOWN NOSAVE, then waits for the process to be gone.
stop_server() {
  local port="$1" pid="$2"
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
  kill -TERM "$pid" 2>/dev/null || true
  sleep 2
  kill -KILL "$pid" 2>/dev/null || true
}

# info_field PORT SECTION FIELD
info_field() { redis-cli -p "$1" info "$2" | tr -d '\r' | awk -F: -v k="$3" '$1 == k { print $2 }'; }

# ratio A B -> A/B with two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "nan"; else printf "%.2f\n", a / b }'; }

# Big collections, the same in both servers: one list, hash, set and zset of N elements each,
# 100 per command, as RESP for redis-cli --pipe.
gen_big_collections() {
  awk -v n="$1" 'BEGIN {
    for (i = 0; i < n; i += 100) {
      m = (n - i < 100) ? n - i : 100
      printf "*%d\r\n$5\r\nRPUSH\r\n$8\r\nbig:list\r\n", 2 + m
      for (j = i; j < i + m; j++) { v = "item:" j; printf "$%d\r\n%s\r\n", length(v), v }
      printf "*%d\r\n$4\r\nHSET\r\n$8\r\nbig:hash\r\n", 2 + 2 * m
      for (j = i; j < i + m; j++) { f = "field:" j; v = "value:" j; printf "$%d\r\n%s\r\n$%d\r\n%s\r\n", length(f), f, length(v), v }
      printf "*%d\r\n$4\r\nSADD\r\n$7\r\nbig:set\r\n", 2 + m
      for (j = i; j < i + m; j++) { v = "member:" j; printf "$%d\r\n%s\r\n", length(v), v }
      printf "*%d\r\n$4\r\nZADD\r\n$8\r\nbig:zset\r\n", 2 + 2 * m
      for (j = i; j < i + m; j++) { s = j ""; v = "member:" j; printf "$%d\r\n%s\r\n$%d\r\n%s\r\n", length(s), s, length(v), v }
    }
  }'
}
