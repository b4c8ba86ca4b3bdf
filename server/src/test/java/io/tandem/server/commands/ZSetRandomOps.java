package io.tandem.server.commands;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random sorted-set commands, valid and invalid, for the differential test. Lex commands go to
 * key {@code lx}, whose members all have score 0: Redis's lex ranges are only defined when
 * scores are equal (otherwise its answer depends on the skiplist's random levels).
 */
final class ZSetRandomOps {
    private ZSetRandomOps() {}

    static final String[] SCORES = {"0", "1", "-1", "1.5", "0.1", "-0", "2", "3", "10", "inf", "-inf", "1e3", "7", "x", "0.30000000000000004"};
    static final String[] MINS = {"-inf", "0", "(1", "1.5", "(0", "2", "x", "+inf", "(-inf"};
    static final String[] MAXS = {"+inf", "3", "(3", "10", "(2", "1", "-inf", "inf"};
    static final String[] LEX = {"-", "+", "[a", "(b", "[m5", "(m3", "[", "(", "x", "[zz"};

    static String pick(Random rnd, String[] a) {
        return a[rnd.nextInt(a.length)];
    }

    static String score(Random rnd) {
        return pick(rnd, SCORES);
    }

    static String member(Random rnd) {
        if (rnd.nextInt(60) == 0) return "long-member-".repeat(6);
        return "m" + rnd.nextInt(20);
    }

    static String[] op(Random rnd, String[] keys) {
        String k = rnd.nextInt(40) == 0 ? "str" : rnd.nextInt(30) == 0 ? "nokey" : pick(rnd, keys);
        String k2 = pick(rnd, keys);
        String dst = rnd.nextBoolean() ? "d0" : "d1";
        switch (rnd.nextInt(34)) {
            case 0, 1, 2, 3 -> {
                List<String> c = new ArrayList<>(List.of("ZADD", k));
                if (rnd.nextInt(4) == 0) c.add(pick(rnd, new String[] {"NX", "XX", "CH", "GT", "LT", "INCR"}));
                if (rnd.nextInt(8) == 0) c.add(pick(rnd, new String[] {"CH", "GT", "XX"}));
                int n = 1 + rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    c.add(score(rnd));
                    c.add(member(rnd));
                }
                return c.toArray(new String[0]);
            }
            case 4 -> { return new String[] {"ZINCRBY", k, score(rnd), member(rnd)}; }
            case 5, 6 -> { return new String[] {"ZREM", k, member(rnd), member(rnd)}; }
            case 7 -> { return new String[] {"ZSCORE", k, member(rnd)}; }
            case 8 -> { return new String[] {"ZMSCORE", k, member(rnd), member(rnd)}; }
            case 9 -> { return new String[] {rnd.nextBoolean() ? "ZRANK" : "ZREVRANK", k, member(rnd)}; }
            case 10 -> { return new String[] {"ZCARD", k}; }
            case 11 -> { return new String[] {"ZCOUNT", k, pick(rnd, MINS), pick(rnd, MAXS)}; }
            case 12, 13 -> {
                List<String> c = new ArrayList<>(List.of(rnd.nextBoolean() ? "ZRANGE" : "ZREVRANGE", k,
                        "" + (rnd.nextInt(12) - 6), "" + (rnd.nextInt(14) - 4)));
                if (rnd.nextBoolean()) c.add("WITHSCORES");
                return c.toArray(new String[0]);
            }
            case 14, 15 -> {
                boolean rev = rnd.nextBoolean();
                List<String> c = new ArrayList<>(List.of(rev ? "ZREVRANGEBYSCORE" : "ZRANGEBYSCORE", k));
                String a = pick(rnd, MINS);
                String b = pick(rnd, MAXS);
                c.add(rev ? b : a);
                c.add(rev ? a : b);
                if (rnd.nextBoolean()) c.add("WITHSCORES");
                if (rnd.nextInt(3) == 0) {
                    c.add("LIMIT");
                    c.add("" + (rnd.nextInt(5) - 1));
                    c.add("" + (rnd.nextInt(6) - 1));
                }
                return c.toArray(new String[0]);
            }
            case 16 -> {
                List<String> c = new ArrayList<>(List.of("ZRANGE", k, pick(rnd, MINS), pick(rnd, MAXS), "BYSCORE"));
                if (rnd.nextBoolean()) c.add("REV");
                if (rnd.nextBoolean()) c.addAll(List.of("LIMIT", "" + rnd.nextInt(3), "" + (rnd.nextInt(4) - 1)));
                return c.toArray(new String[0]);
            }
            case 17 -> {
                List<String> c = new ArrayList<>(List.of("ZADD", "lx"));
                for (int i = 0; i < 1 + rnd.nextInt(4); i++) {
                    c.add("0");
                    c.add(rnd.nextInt(3) == 0 ? "" + (char) ('a' + rnd.nextInt(6)) : member(rnd));
                }
                return c.toArray(new String[0]);
            }
            case 18 -> {
                boolean rev = rnd.nextBoolean();
                List<String> c = new ArrayList<>(List.of(rev ? "ZREVRANGEBYLEX" : "ZRANGEBYLEX", "lx", pick(rnd, LEX), pick(rnd, LEX)));
                if (rnd.nextInt(3) == 0) c.addAll(List.of("LIMIT", "" + (rnd.nextInt(4) - 1), "" + (rnd.nextInt(5) - 1)));
                return c.toArray(new String[0]);
            }
            case 19 -> { return new String[] {"ZLEXCOUNT", "lx", pick(rnd, LEX), pick(rnd, LEX)}; }
            case 20 -> { return new String[] {"ZREMRANGEBYLEX", "lx", pick(rnd, LEX), pick(rnd, LEX)}; }
            case 21 -> { return new String[] {"ZREMRANGEBYRANK", k, "" + (rnd.nextInt(8) - 4), "" + (rnd.nextInt(8) - 4)}; }
            case 22 -> { return new String[] {"ZREMRANGEBYSCORE", k, pick(rnd, MINS), pick(rnd, MAXS)}; }
            case 23 -> {
                return rnd.nextBoolean() ? new String[] {rnd.nextBoolean() ? "ZPOPMIN" : "ZPOPMAX", k}
                        : new String[] {rnd.nextBoolean() ? "ZPOPMIN" : "ZPOPMAX", k, "" + (rnd.nextInt(5) - 1)};
            }
            case 24 -> {
                return new String[] {"ZMPOP", "2", k, k2, rnd.nextBoolean() ? "MIN" : "MAX", "COUNT", "" + rnd.nextInt(4)};
            }
            case 25 -> { return new String[] {rnd.nextBoolean() ? "BZPOPMIN" : "BZPOPMAX", k, k2, "0.01"}; }
            case 26, 27 -> {
                String name = pick(rnd, new String[] {"ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"});
                boolean store = name.endsWith("STORE");
                List<String> c = new ArrayList<>(List.of(name));
                if (store) c.add(dst);
                c.addAll(List.of("2", k, k2));
                if (!name.startsWith("ZDIFF")) {
                    if (rnd.nextBoolean()) c.addAll(List.of("WEIGHTS", pick(rnd, new String[] {"1", "2", "-1", "0.5", "0"}), pick(rnd, new String[] {"1", "-2", "inf", "3"})));
                    if (rnd.nextBoolean()) c.addAll(List.of("AGGREGATE", pick(rnd, new String[] {"SUM", "MIN", "MAX"})));
                }
                if (!store && rnd.nextBoolean()) c.add("WITHSCORES");
                return c.toArray(new String[0]);
            }
            case 28 -> { return new String[] {"ZINTERCARD", "2", k, k2, "LIMIT", "" + rnd.nextInt(3)}; }
            case 29 -> {
                List<String> c = new ArrayList<>(List.of("ZRANGESTORE", dst, k));
                switch (rnd.nextInt(3)) {
                    case 0 -> c.addAll(List.of("" + (rnd.nextInt(6) - 3), "" + (rnd.nextInt(200) - 3)));
                    case 1 -> c.addAll(List.of(pick(rnd, MINS), pick(rnd, MAXS), "BYSCORE"));
                    default -> c.addAll(List.of("0", "-1", "REV"));
                }
                return c.toArray(new String[0]);
            }
            case 30 -> { return new String[] {"ZRANDMEMBER", k, "" + (rnd.nextInt(10) - 5), "WITHSCORES"}; }
            case 31 -> { return new String[] {"ZSCAN", k, "0", "COUNT", "" + (1 + rnd.nextInt(20))}; }
            case 32 -> { return new String[] {"ZRANGE", k, "0", "-1", "WITHSCORES"}; }
            default -> { return new String[] {"ZRANGE", dst, "0", "-1", "WITHSCORES"}; }
        }
    }
}
