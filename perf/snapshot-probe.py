#!/usr/bin/env python3
"""Memory of a server process (and its forked children) while it takes snapshots.

    snapshot-probe.py --pid PID --port PORT --duration SECS [--bgsave-loop --start-after SECS]

Every --interval seconds (default 0.05) reads, for PID and every child of any of its threads
(Redis's BGSAVE child is one; the JVM has none):
  * VmRSS, RssAnon, RssFile from /proc/<pid>/status;
  * Pss from /proc/<pid>/smaps_rollup (proportional: a page shared by parent and fork child
    counts half in each, so the sum over both is the memory really in use, while the sum of
    the RSS counts every page the child still shares with its parent twice).
With --bgsave-loop, after --start-after seconds it sends BGSAVE, polls INFO persistence on the
same connection at every sample until rdb_bgsave_in_progress is 0, and sends the next one, until
--duration is over (then waits for the last one to end). Prints one JSON object on stdout:
sample statistics (kB) over [start-after, duration], and the BGSAVE durations and the servers'
own copy-on-write figures (current_cow_size peak, rdb_last_cow_size of each).
"""
import argparse
import glob
import json
import socket
import statistics
import sys
import time


def status_kb(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                    out[k] = int(v.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return out


def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return 0


def children(pid):
    kids = []
    for path in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            with open(path) as f:
                kids.extend(int(x) for x in f.read().split())
        except (FileNotFoundError, ProcessLookupError):
            pass
    return kids


class Resp:
    """Just enough RESP for BGSAVE and INFO."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def call(self, *args):
        self.sock.sendall(b"*%d\r\n" % len(args)
                          + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in (x.encode() for x in args)))
        line = self._line()
        if line[:1] == b"$":
            n = int(line[1:])
            while len(self.buf) < n + 2:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("server closed the connection")
                self.buf += chunk
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data.decode()
        return line.decode()

    def info(self, section):
        fields = {}
        for line in self.call("INFO", section).splitlines():
            k, sep, v = line.partition(":")
            if sep:
                fields[k] = v
        return fields


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--duration", type=float, required=True)
    ap.add_argument("--start-after", type=float, default=0.0)
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--bgsave-loop", action="store_true")
    ap.add_argument("--samples-out")
    a = ap.parse_args()

    conn = Resp(a.port)
    samples = []  # (t, parent_rss, parent_anon, parent_file, children_rss, parent_pss, children_pss)
    bgsave_started = None
    durations = []
    refused = 0
    cow_peak = 0
    last_cows = []
    t0 = time.monotonic()
    next_t = t0
    while True:
        now = time.monotonic()
        t = now - t0
        st = status_kb(a.pid)
        if st is None:
            print("server process is gone", file=sys.stderr)
            sys.exit(1)
        kids = children(a.pid)
        kid_rss = sum((status_kb(k) or {}).get("VmRSS", 0) for k in kids)
        kid_pss = sum(pss_kb(k) for k in kids)
        samples.append((t, st["VmRSS"], st.get("RssAnon", 0), st.get("RssFile", 0) + st.get("RssShmem", 0),
                        kid_rss, pss_kb(a.pid), kid_pss))
        if a.bgsave_loop:
            if bgsave_started is not None:
                p = conn.info("persistence")
                cow_peak = max(cow_peak, int(p.get("current_cow_size", "0") or 0))
                if p.get("rdb_bgsave_in_progress") == "0":
                    durations.append((now - bgsave_started) * 1000)
                    last_cows.append(int(p.get("rdb_last_cow_size", "0") or 0))
                    if p.get("rdb_last_bgsave_status") != "ok":
                        print("BGSAVE failed: rdb_last_bgsave_status=" + p.get("rdb_last_bgsave_status", "?"),
                              file=sys.stderr)
                        sys.exit(1)
                    bgsave_started = None
            if bgsave_started is None and a.start_after <= t < a.duration:
                r = conn.call("BGSAVE")
                if r.startswith("+Background saving started"):
                    bgsave_started = time.monotonic()
                else:
                    refused += 1
        if t >= a.duration and bgsave_started is None:
            break
        next_t += a.interval
        time.sleep(max(0.0, next_t - time.monotonic()))

    window = [s for s in samples if a.start_after <= s[0] <= a.duration] or samples
    total_rss = [s[1] + s[4] for s in window]
    total_pss = [s[5] + s[6] for s in window]
    peak = max(window, key=lambda s: s[1] + s[4])
    out = {
        "samples": len(window),
        "rss_kb": {"max": max(total_rss), "median": statistics.median(total_rss), "min": min(total_rss)},
        "pss_kb": {"max": max(total_pss), "median": statistics.median(total_pss)},
        "at_peak_kb": {"parent_rss": peak[1], "parent_anon": peak[2], "parent_file": peak[3],
                       "children_rss": peak[4], "parent_pss": peak[5], "children_pss": peak[6]},
        "parent_rss_max_kb": max(s[1] for s in window),
        "bgsaves": len(durations),
        "bgsave_refused": refused,
        "bgsave_ms": {"median": statistics.median(durations) if durations else None,
                      "max": max(durations) if durations else None},
        "current_cow_size_peak": cow_peak,
        "rdb_last_cow_size_median": statistics.median(last_cows) if last_cows else None,
    }
    if a.samples_out:
        with open(a.samples_out, "w") as f:
            f.write("t\tparent_rss_kb\tparent_anon_kb\tparent_file_kb\tchildren_rss_kb\tparent_pss_kb\tchildren_pss_kb\n")
            for s in samples:
                f.write("%.3f\t%d\t%d\t%d\t%d\t%d\t%d\n" % s)
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
