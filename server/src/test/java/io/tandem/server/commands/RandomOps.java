package io.tandem.server.commands;

import java.util.Random;

/** Random hash and list commands (valid and invalid) for the differential and model tests. */
final class RandomOps {
    private RandomOps() {}

    static final String[] VALUES = {"", "1", "-5", "100000", "9223372036854775807", "1.5", "0.1", "x", "abc",
        "a-longer-value-over-16", "12345678901234567890", "-0", "007"};

    static String pick(Random rnd, String[] a) {
        return a[rnd.nextInt(a.length)];
    }

    static String field(Random rnd) {
        return rnd.nextInt(20) == 0 ? "field-name-longer-than-16" : "f" + rnd.nextInt(24);
    }

    static String value(Random rnd) {
        return pick(rnd, VALUES);
    }

    static String[] hashOp(Random rnd, String[] keys) {
        String k = rnd.nextInt(40) == 0 ? "str" : pick(rnd, keys);
        switch (rnd.nextInt(18)) {
            case 0, 1, 2 -> {
                int n = 1 + rnd.nextInt(3);
                String[] c = new String[2 + 2 * n];
                c[0] = rnd.nextBoolean() ? "HSET" : "HMSET";
                c[1] = k;
                for (int i = 0; i < n; i++) {
                    c[2 + 2 * i] = field(rnd);
                    c[3 + 2 * i] = value(rnd);
                }
                return c;
            }
            case 3 -> { return new String[] {"HSETNX", k, field(rnd), value(rnd)}; }
            case 4 -> { return new String[] {"HGET", k, field(rnd)}; }
            case 5 -> { return new String[] {"HMGET", k, field(rnd), field(rnd)}; }
            case 6, 7 -> { return new String[] {"HDEL", k, field(rnd), field(rnd)}; }
            case 8 -> { return new String[] {rnd.nextBoolean() ? "HLEN" : "HSTRLEN", k, field(rnd)}.length == 3 && rnd.nextBoolean()
                    ? new String[] {"HSTRLEN", k, field(rnd)} : new String[] {"HLEN", k}; }
            case 9 -> { return new String[] {"HEXISTS", k, field(rnd)}; }
            case 10 -> { return new String[] {pick(rnd, new String[] {"HKEYS", "HVALS", "HGETALL"}), k}; }
            case 11 -> { return new String[] {"HINCRBY", k, field(rnd), pick(rnd, new String[] {"1", "-3", "1000", "x", "9223372036854775807"})}; }
            case 12 -> { return new String[] {"HINCRBYFLOAT", k, field(rnd), pick(rnd, new String[] {"0.1", "-1.5", "3", "1e10", "x"})}; }
            case 13 -> { return new String[] {"HRANDFIELD", k, "100", "WITHVALUES"}; }
            case 14 -> { return new String[] {"HRANDFIELD", k, pick(rnd, new String[] {"0", "-3", "2"})}; }
            case 15 -> { return new String[] {"HRANDFIELD", k}; }
            case 16 -> { return new String[] {"HSCAN", k, "0", "MATCH", "f1*"}; }
            default -> { return new String[] {"DEL", k}; }
        }
    }

    static String[] listOp(Random rnd, String[] keys) {
        String k = rnd.nextInt(40) == 0 ? "str" : pick(rnd, keys);
        String k2 = pick(rnd, keys);
        String idx = Integer.toString(rnd.nextInt(40) - 20);
        switch (rnd.nextInt(20)) {
            case 0, 1, 2, 3 -> {
                int n = 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 300 : 4);
                String[] c = new String[2 + n];
                c[0] = pick(rnd, new String[] {"LPUSH", "RPUSH", "LPUSH", "RPUSH", "LPUSHX", "RPUSHX"});
                c[1] = k;
                for (int i = 0; i < n; i++) c[2 + i] = rnd.nextInt(30) == 0 ? "y".repeat(rnd.nextInt(3000)) : value(rnd);
                return c;
            }
            case 4 -> { return new String[] {rnd.nextBoolean() ? "LPOP" : "RPOP", k}; }
            case 5 -> { return new String[] {rnd.nextBoolean() ? "LPOP" : "RPOP", k, Integer.toString(rnd.nextInt(rnd.nextInt(10) == 0 ? 400 : 5))}; }
            case 6 -> { return new String[] {"LLEN", k}; }
            case 7 -> { return new String[] {"LRANGE", k, idx, rnd.nextInt(8) == 0 ? "9999999999" : Integer.toString(rnd.nextInt(40) - 20)}; }
            case 8 -> { return new String[] {"LINDEX", k, idx}; }
            case 9 -> { return new String[] {"LSET", k, idx, value(rnd)}; }
            case 10 -> { return new String[] {"LINSERT", k, rnd.nextBoolean() ? "BEFORE" : "AFTER", value(rnd), value(rnd)}; }
            case 11 -> { return new String[] {"LREM", k, Integer.toString(rnd.nextInt(5) - 2), value(rnd)}; }
            case 12 -> { return new String[] {"LTRIM", k, Integer.toString(rnd.nextInt(6) - 1), Integer.toString(rnd.nextInt(400) - 3)}; }
            case 13 -> { return new String[] {"LPOS", k, value(rnd), "RANK", pick(rnd, new String[] {"1", "-1", "2", "-2"}), "COUNT",
                    pick(rnd, new String[] {"0", "1", "3"}), "MAXLEN", pick(rnd, new String[] {"0", "5", "50"})}; }
            case 14 -> { return new String[] {"LPOS", k, value(rnd)}; }
            case 15 -> { return new String[] {"LMOVE", k, k2, rnd.nextBoolean() ? "LEFT" : "RIGHT", rnd.nextBoolean() ? "LEFT" : "RIGHT"}; }
            case 16 -> { return new String[] {"RPOPLPUSH", k, k2}; }
            case 17 -> { return new String[] {"LMPOP", "2", k, k2, rnd.nextBoolean() ? "LEFT" : "RIGHT", "COUNT", Integer.toString(1 + rnd.nextInt(5))}; }
            case 18 -> { return new String[] {"LRANGE", k, "0", "-1"}; }
            default -> { return rnd.nextInt(4) == 0 ? new String[] {"DEL", k} : new String[] {"LLEN", k}; }
        }
    }
}
