#!/usr/bin/env python3
"""Regenerates the golden RDB files in this directory with a real redis-server (see README.md).

Usage: python3 make-golden.py [path/to/redis-server]
Only the Python standard library is used. Deterministic content; ctime/used-mem aux fields vary.
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


def populate(c):
    """The content of all-types.rdb; GoldenRdbTest.expectedAllTypes() mirrors it."""
    c.call("SET", "str:int", "12345")
    c.call("SET", "str:neg", "-7")
    c.call("SET", "str:int64", "4294967296")
    c.call("SET", "str:short", "hello")
    c.call("SET", "str:lzf", "abc" * 1000)
    c.call("SET", "str:empty", "")
    c.call("SET", "str:bin", bytes(range(256)))
    c.call("RPUSH", "list:small", "a", "b", "c", "1", "-2", "300", "70000")
    for i in range(0, 3000, 500):
        c.call("RPUSH", "list:big", *["e:%d" % j for j in range(i, i + 500)])
    c.call("SADD", "set:int", "1", "2", "3", "-5", "100000")
    c.call("SADD", "set:big", *["m:%d" % i for i in range(200)])
    c.call("ZADD", "zset:small", "1", "a", "2.5", "b", "-3", "c", "inf", "d")
    args = []
    for i in range(200):
        args += [str(i * 1.5), "m:%d" % i]
    c.call("ZADD", "zset:big", *args)
    c.call("HSET", "hash:small", "f1", "v1", "f2", "2", "f3", "-3")
    args = []
    for i in range(300):
        args += ["f:%d" % i, "v:%d" % i]
    c.call("HSET", "hash:big", *args)
    c.call("HSET", "hash:longval", "f", "x" * 100)
    c.call("SET", "exp:k", "v")
    c.call("PEXPIREAT", "exp:k", EXPIRE_AT)
    c.call("HSET", "exp:h", "a", "b")
    c.call("PEXPIREAT", "exp:h", EXPIRE_AT)
    c.call("SELECT", "1")
    c.call("SET", "db1:k", "one")
    c.call("SELECT", "5")
    c.call("RPUSH", "db5:l", "x", "y")
    c.call("SELECT", "0")


def make(name, populate_fn, *conf):
    d = tempfile.mkdtemp(prefix="golden-rdb-")
    port = 17000 + os.getpid() % 1000
    p = subprocess.Popen([SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", d, "--dbfilename", "dump.rdb",
                          "--save", "", "--appendonly", "no", "--daemonize", "no", *conf],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                c = Conn(port)
                c.call("PING")
                break
            except OSError:
                time.sleep(0.05)
        populate_fn(c)
        c.call("SAVE")
        shutil.copy(os.path.join(d, "dump.rdb"), os.path.join(HERE, name))
        print(name, os.path.getsize(os.path.join(HERE, name)), "bytes")
    finally:
        p.terminate()
        p.wait()
        shutil.rmtree(d, ignore_errors=True)


def small(c):
    c.call("SET", "k", "v")
    c.call("RPUSH", "l", "1", "2")
    c.call("SET", "long", "abc" * 100)


make("all-types.rdb", populate)
make("no-checksum.rdb", small, "--rdbchecksum", "no")
make("no-compression.rdb", small, "--rdbcompression", "no")

data = open(os.path.join(HERE, "all-types.rdb"), "rb").read()
# truncated in the middle of the value of list:big (after its key), and just before the checksum
cut = data.index(b"list:big") + 200
open(os.path.join(HERE, "truncated-in-value.rdb"), "wb").write(data[:cut])
open(os.path.join(HERE, "truncated-checksum.rdb"), "wb").write(data[:-4])
# one bit flipped inside str:short's value "hello" (the checksum then fails)
flip = bytearray(data)
flip[data.index(b"hello")] ^= 0x01
open(os.path.join(HERE, "bitflip-value.rdb"), "wb").write(bytes(flip))
# a bit flipped in the length byte of str:lzf's compressed length: structure breaks before the end
flip = bytearray(data)
i = data.index(b"str:lzf") + len(b"str:lzf")
flip[i + 1] ^= 0x40
open(os.path.join(HERE, "bitflip-structure.rdb"), "wb").write(bytes(flip))
