#!/usr/bin/env python3
"""Regenerates the golden AOF files in this directory with a real redis-server (see README.md).

Usage: python3 make-golden.py [path/to/redis-server]
Only the Python standard library is used. Content is deterministic except the RDB base's
ctime/used-mem aux fields and the #TS: annotations.
"""
import os, shutil, socket, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = sys.argv[1] if len(sys.argv) > 1 else "redis-server"
EXPIRE_AT = 4102444800000  # 2100-01-01T00:00:00Z in ms


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.f = self.s.makefile("rb")

    def call(self, *args):
        self.s.sendall(resp(*args))
        return self.read()

    def read(self):
        line = self.f.readline()
        t, rest = line[:1], line[1:-2]
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t in (b"+", b":"):
            return rest
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2]
        if t == b"*":
            return [self.read() for _ in range(int(rest))]
        raise RuntimeError("bad reply %r" % line)


def base_data(c):
    """What the BASE file holds (written before BGREWRITEAOF)."""
    c.call("SET", "str:int", "12345")
    c.call("SET", "str:lzf", "abc" * 200)
    c.call("SET", "str:bin", bytes(range(256)))
    c.call("RPUSH", "list", "a", "b", "c", "1", "-2", "70000")
    c.call("SADD", "set:int", "1", "2", "3", "-5")
    c.call("SADD", "set:str", *["m:%d" % i for i in range(150)])
    c.call("ZADD", "zset", "1", "a", "2.5", "b", "-3", "c", "inf", "d")
    c.call("HSET", "hash", "f1", "v1", "f2", "2")
    c.call("SET", "exp:k", "v")
    c.call("PEXPIREAT", "exp:k", EXPIRE_AT)
    c.call("SELECT", "2")
    c.call("SET", "db2:k", "two")
    c.call("SELECT", "0")


def incr_data(c):
    """What the INCR file holds (written after the rewrite)."""
    c.call("INCR", "str:int")
    c.call("RPUSH", "list", "d")
    c.call("HSET", "hash", "f3", "x" * 100)
    c.call("MULTI")
    c.call("SET", "tx:a", "1")
    c.call("SET", "tx:b", "2")
    c.call("EXEC")
    c.call("SET", "exp:later", "v", "PXAT", EXPIRE_AT)
    c.call("SELECT", "3")
    c.call("SADD", "db3:s", "x", "y")
    c.call("SELECT", "0")
    c.call("DEL", "set:int")


def run(name, preamble, timestamps):
    tmp = tempfile.mkdtemp()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = subprocess.Popen([SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", tmp, "--save", "",
                          "--appendonly", "yes", "--appendfsync", "always", "--appenddirname", "appendonlydir",
                          "--aof-use-rdb-preamble", "yes" if preamble else "no",
                          "--aof-timestamp-enabled", "yes" if timestamps else "no"],
                         stdout=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                c = Conn(port)
                c.call("PING")
                break
            except OSError:
                time.sleep(0.02)
        base_data(c)
        c.call("BGREWRITEAOF")
        while b"aof_rewrite_in_progress:0" not in c.call("INFO", "persistence") or \
                b"aof_rewrite_scheduled:0" not in c.call("INFO", "persistence"):
            time.sleep(0.05)
        time.sleep(0.2)
        incr_data(c)
        c.call("SHUTDOWN", "NOSAVE")
    except (ConnectionError, RuntimeError):
        pass
    p.wait()
    out = os.path.join(HERE, name)
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(os.path.join(tmp, "appendonlydir"), out)
    shutil.rmtree(tmp)
    return out


def parts(d):
    """(base bytes, incr bytes) of a multi-part directory, as its manifest names them."""
    names = {}
    for line in open(os.path.join(d, "appendonly.aof.manifest")):
        f = line.split()
        names[f[5]] = f[1]
    return (open(os.path.join(d, names["b"]), "rb").read(), open(os.path.join(d, names["i"]), "rb").read())


def main():
    rdb_dir = run("multipart-rdb-base", preamble=True, timestamps=False)
    resp_dir = run("multipart-aof-base", preamble=False, timestamps=True)
    # Single-file AOFs as Redis before 7.0 wrote them: [RDB preamble] then the command stream.
    base_rdb, incr = parts(rdb_dir)
    base_aof, resp_incr = parts(resp_dir)
    with open(os.path.join(HERE, "preamble.aof"), "wb") as f:
        f.write(base_rdb + incr)
    with open(os.path.join(HERE, "plain.aof"), "wb") as f:
        f.write(base_aof + resp_incr)
    # Damaged copies.
    cut = incr.index(b"tx:b") + 2  # inside the MULTI block
    with open(os.path.join(HERE, "truncated-in-multi.aof"), "wb") as f:
        f.write(base_aof + incr[:cut])
    last = incr.rindex(b"*")
    with open(os.path.join(HERE, "truncated-last-command.aof"), "wb") as f:
        f.write(base_aof + incr[:last + 9])
    bad = bytearray(base_aof + incr)
    pos = len(base_aof) + incr.index(b"$4\r\nINCR") + 1
    bad[pos] = ord("x")  # "$x\r\nINCR": a format error, not a truncation
    with open(os.path.join(HERE, "corrupt-bulk-length.aof"), "wb") as f:
        f.write(bytes(bad))


if __name__ == "__main__":
    main()
