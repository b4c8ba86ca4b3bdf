package io.tandem.perf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** What one test sends: one or more commands (ops) and the order they take turns in. */
final class Workload {
    static final List<String> TESTS = List.of("ping", "set", "get", "incr", "lpush", "rpush", "lpop",
            "rpop", "sadd", "hset", "zadd", "lrange", "lrange_100", "lrange_300", "lrange_500",
            "lrange_600", "mset", "mixed");

    final String name;
    final String[] opNames;
    final Template[] ops;
    /** Op index for request i of a connection: schedule[i % schedule.length]. */
    final int[] schedule;
    /** LRANGE tests need the list to hold this many elements first. */
    final int listPrefill;

    private Workload(String name, String[] opNames, Template[] ops, int[] schedule, int listPrefill) {
        this.name = name;
        this.opNames = opNames;
        this.ops = ops;
        this.schedule = schedule;
        this.listPrefill = listPrefill;
    }

    static void checkTestName(String t) throws Options.UsageException {
        if (!TESTS.contains(t)) {
            throw new Options.UsageException("unknown test '" + t + "'; known: " + String.join(",", TESTS));
        }
    }

    static Workload custom(List<String> args, Options o) {
        Template t = Template.of(args, o.dataSize);
        return single(t.text, t);
    }

    static Workload forTest(String test, Options o) {
        int d = o.dataSize;
        switch (test.toLowerCase(Locale.ROOT)) {
            case "ping":
                return single("PING", Template.of(List.of("PING"), d));
            case "set":
                return single("SET", Template.of(List.of("SET", "key:__rand_int__", "__data__"), d));
            case "get":
                return single("GET", Template.of(List.of("GET", "key:__rand_int__"), d));
            case "incr":
                return single("INCR", Template.of(List.of("INCR", "counter:__rand_int__"), d));
            case "lpush":
                return single("LPUSH", Template.of(List.of("LPUSH", "mylist", "__data__"), d));
            case "rpush":
                return single("RPUSH", Template.of(List.of("RPUSH", "mylist", "__data__"), d));
            case "lpop":
                return single("LPOP", Template.of(List.of("LPOP", "mylist"), d));
            case "rpop":
                return single("RPOP", Template.of(List.of("RPOP", "mylist"), d));
            case "sadd":
                return single("SADD", Template.of(List.of("SADD", "myset", "element:__rand_int__"), d));
            case "hset":
                return single("HSET", Template.of(List.of("HSET", "myhash", "element:__rand_int__", "__data__"), d));
            case "zadd":
                return single("ZADD", Template.of(List.of("ZADD", "myzset", "__rand_int__", "element:__rand_int__"), d));
            case "lrange":
            case "lrange_100":
            case "lrange_300":
            case "lrange_500":
            case "lrange_600": {
                int n = test.equals("lrange") ? 100 : Integer.parseInt(test.substring(7));
                Template t = Template.of(List.of("LRANGE", "mylist", "0", Integer.toString(n - 1)), d);
                return new Workload("LRANGE_" + n, new String[] {"LRANGE_" + n}, new Template[] {t}, new int[] {0}, n);
            }
            case "mset": {
                List<String> args = new ArrayList<>();
                args.add("MSET");
                for (int i = 0; i < 10; i++) {
                    args.add("key:__rand_int__");
                    args.add("__data__");
                }
                return single("MSET (10 keys)", Template.of(args, d));
            }
            case "mixed": {
                Template set = Template.of(List.of("SET", "key:__rand_int__", "__data__"), d);
                Template get = Template.of(List.of("GET", "key:__rand_int__"), d);
                int[] schedule = interleave(o.ratioSet, o.ratioGet);
                String name = "MIXED (SET:GET " + o.ratioSet + ":" + o.ratioGet + ")";
                return new Workload(name, new String[] {"SET", "GET"}, new Template[] {set, get}, schedule, 0);
            }
            default:
                throw new IllegalArgumentException("unknown test " + test);
        }
    }

    /** A cycle of sets (0) and gets (1) in the given ratio, spread evenly (Bresenham). */
    static int[] interleave(int sets, int gets) {
        int g = gcd(sets, gets);
        if (g > 0) {
            sets /= g;
            gets /= g;
        }
        int n = sets + gets;
        int[] out = new int[n];
        long acc = 0;
        for (int i = 0; i < n; i++) {
            acc += sets;
            if (acc * 1L >= n && sets > 0) {
                acc -= n;
                out[i] = 0;
            } else {
                out[i] = 1;
            }
        }
        if (Arrays.stream(out).filter(x -> x == 0).count() != sets) { // exactness guard
            Arrays.fill(out, 1);
            Arrays.fill(out, 0, sets, 0);
        }
        return out;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static Workload single(String name, Template t) {
        return new Workload(name, new String[] {name}, new Template[] {t}, new int[] {0}, 0);
    }

    int maxRequestSize() {
        int m = 0;
        for (Template t : ops) m = Math.max(m, t.size());
        return m;
    }
}
