package io.tandem.server.commands;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SORT and SORT_RO on lists against a real Redis 7.0, byte for byte: numeric and ALPHA order,
 * BY with string keys and hash fields, BY nosort, GET (# and patterns), LIMIT edge cases,
 * DESC, STORE (and STORE of nothing), weight errors, syntax errors and WRONGTYPE; then the
 * dataset digest.
 */
class SortDifferentialTest {
    static RedisProcess redis;
    static TandemTestServer tandem;
    static RawResp r;
    static RawResp t;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisProcess.start();
        tandem = TandemTestServer.start(Map.of());
        r = new RawResp(redis.port());
        t = new RawResp(tandem.port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (r != null) r.close();
        if (t != null) t.close();
        if (tandem != null) tandem.close();
        if (redis != null) redis.close();
    }

    @BeforeEach
    void flush() throws Exception {
        r.call("FLUSHALL");
        t.call("FLUSHALL");
    }

    static void same(List<String[]> cmds) throws Exception {
        List<String> a = r.pipeline(cmds);
        List<String> b = t.pipeline(cmds);
        for (int i = 0; i < cmds.size(); i++) {
            assertEquals(CollectionsRedisDifferentialTest.show(a.get(i)), CollectionsRedisDifferentialTest.show(b.get(i)),
                    "reply to " + String.join(" ", cmds.get(i)));
        }
    }

    static String[] cmd(String... a) {
        return a;
    }

    static final String[][] SETUP = {
        {"RPUSH", "nums", "3", "1", "2", "10", "-5", "1.5", "0x10", " 7", "1e2", "", "3"},
        {"RPUSH", "words", "banana", "Apple", "cherry", "apple", "b\u0000z", "b\u0000a", "10", "9", ""},
        {"RPUSH", "ids", "1", "2", "3", "4", "5"},
        {"MSET", "w_1", "50", "w_2", "20", "w_3", "20", "w_5", "x", "name_1", "one", "name_2", "two", "name_4", "four"},
        {"MSET", "a_1", "zeta", "a_2", "alpha", "a_3", "alpha", "a_4", "beta"},
        {"HSET", "h_1", "score", "9", "label", "L1"}, {"HSET", "h_2", "score", "3", "label", "L2"},
        {"HSET", "h_3", "score", "-1"}, {"SET", "h_4", "not a hash"},
        {"RPUSH", "bad", "1", "two", "3"}, {"RPUSH", "nan", "nan"}, {"RPUSH", "inf", "inf", "-inf", "1"},
        {"RPUSH", "range", "1e400", "2"}, {"SET", "str", "x"},
        {"SET", "dst_old", "x"}, {"PEXPIRE", "dst_old", "100000"},
    };

    static final String[][] CASES = {
        {"SORT", "nums"}, {"SORT", "nums", "DESC"}, {"SORT", "nums", "ALPHA"}, {"SORT", "nums", "ALPHA", "DESC"},
        {"SORT", "words"}, {"SORT", "words", "ALPHA"}, {"SORT", "words", "ALPHA", "DESC"}, {"SORT", "words", "alpha", "asc"},
        {"SORT", "ids", "BY", "w_*"}, {"SORT", "ids", "BY", "w_*", "DESC"}, {"SORT", "ids", "BY", "a_*", "ALPHA"},
        {"SORT", "ids", "BY", "a_*", "ALPHA", "DESC"}, {"SORT", "ids", "BY", "nosort"}, {"SORT", "ids", "BY", "nosort", "DESC"},
        {"SORT", "ids", "BY", "nosort", "LIMIT", "1", "2"}, {"SORT", "ids", "BY", "nosort", "DESC", "LIMIT", "1", "2"},
        {"SORT", "ids", "BY", "nosort", "LIMIT", "10", "2"}, {"SORT", "ids", "BY", "nosort", "LIMIT", "-3", "2"},
        {"SORT", "ids", "BY", "nosort", "LIMIT", "2", "-1"}, {"SORT", "ids", "BY", "nosort", "LIMIT", "0", "0"},
        {"SORT", "ids", "BY", "h_*->score"}, {"SORT", "ids", "BY", "h_*->score", "DESC"}, {"SORT", "ids", "BY", "h_*->label", "ALPHA"},
        {"SORT", "ids", "BY", "h_*->"}, {"SORT", "ids", "BY", "h_*->nofield"},
        {"SORT", "ids", "GET", "#"}, {"SORT", "ids", "GET", "name_*"}, {"SORT", "ids", "GET", "#", "GET", "name_*", "GET", "h_*->label"},
        {"SORT", "ids", "GET", "h_*->score", "GET", "nostar"}, {"SORT", "ids", "GET", "nums"}, {"SORT", "ids", "GET", "h_*"},
        {"SORT", "ids", "BY", "w_*", "GET", "name_*", "LIMIT", "1", "3"}, {"SORT", "ids", "BY", "a_*", "ALPHA", "LIMIT", "0", "3"},
        {"SORT", "ids", "LIMIT", "1", "2"}, {"SORT", "ids", "LIMIT", "3", "100"}, {"SORT", "ids", "LIMIT", "5", "1"},
        {"SORT", "ids", "LIMIT", "-1", "-1"}, {"SORT", "ids", "LIMIT", "1"}, {"SORT", "ids", "LIMIT", "x", "1"},
        {"SORT", "ids", "LIMIT", "1", "1.5"}, {"SORT", "ids", "FOO"}, {"SORT", "ids", "BY"}, {"SORT", "ids", "GET"},
        {"SORT", "ids", "STORE"}, {"SORT", "nokey"}, {"SORT", "nokey", "GET", "#"}, {"SORT", "str"}, {"SORT", "h_1"},
        {"SORT", "str", "FOO"}, {"SORT", "bad"}, {"SORT", "bad", "ALPHA"}, {"SORT", "nan"}, {"SORT", "inf"},
        {"SORT", "bad", "STORE", "dst"}, {"EXISTS", "dst"}, {"SORT", "ids", "BY", "w_*", "STORE", "dst"},
        {"LRANGE", "dst", "0", "-1"}, {"SORT", "words", "ALPHA", "STORE", "dst"}, {"LRANGE", "dst", "0", "-1"},
        {"SORT", "ids", "GET", "name_*", "GET", "#", "STORE", "dst"}, {"LRANGE", "dst", "0", "-1"},
        {"SORT", "ids", "STORE", "dst_old"}, {"TTL", "dst_old"}, {"TYPE", "dst_old"},
        {"SORT", "nokey", "STORE", "dst"}, {"EXISTS", "dst"}, {"SORT", "nokey", "STORE", "dst"},
        {"SORT", "ids", "LIMIT", "0", "0", "STORE", "ids2"}, {"SORT", "ids", "STORE", "ids"}, {"LRANGE", "ids", "0", "-1"},
        {"SORT_RO", "nums"}, {"SORT_RO", "ids", "BY", "w_*", "GET", "#", "GET", "name_*"}, {"SORT_RO", "ids", "STORE", "x"},
        {"SORT_RO", "ids", "LIMIT", "1", "1", "DESC", "ALPHA"}, {"SORT_RO", "str"},
        {"SORT", "ids", "BY", "w_*", "BY", "nosort"}, {"SORT", "ids", "DESC", "ASC"},
        {"SORT", "ids", "BY", "nokey_*", "ALPHA"}, {"SORT", "ids", "BY", "nokey_*", "ALPHA", "DESC"},
        {"SORT", "ids", "BY", "nokey_*"}, {"SORT", "ids", "BY", "nokey_*", "DESC"},
        {"SORT", "ids", "BY", "*"}, {"SORT", "ids", "GET", "*"}, {"SORT", "ids", "GET", "w_*->x"},
        {"DEBUG", "DIGEST"},
    };

    @Test
    void listsMatchRedisInResp2AndResp3() throws Exception {
        for (String proto : new String[] {"2", "3"}) {
            flush();
            r.call("HELLO", proto);
            t.call("HELLO", proto);
            same(List.of(SETUP));
            same(List.of(CASES));
        }
        r.call("HELLO", "2");
        t.call("HELLO", "2");
    }

    @Test
    void randomNumericAndAlphaSortsWithWeights() throws Exception {
        Random rnd = new Random(99);
        List<String[]> batch = new ArrayList<>();
        String[] push = new String[2 + 300];
        push[0] = "RPUSH";
        push[1] = "big";
        for (int i = 0; i < 300; i++) {
            push[2 + i] = Integer.toString(rnd.nextInt(100));
            batch.add(cmd("SET", "wt_" + i, Double.toString(rnd.nextInt(20) / 4.0)));
            batch.add(cmd("HSET", "obj_" + i, "f", "v" + rnd.nextInt(30)));
        }
        batch.add(push);
        same(batch);
        same(List.of(cmd("SORT", "big"), cmd("SORT", "big", "DESC", "LIMIT", "10", "20"), cmd("SORT", "big", "ALPHA"),
                cmd("SORT", "big", "BY", "wt_*"), cmd("SORT", "big", "BY", "wt_*", "LIMIT", "5", "50"),
                cmd("SORT", "big", "BY", "obj_*->f", "ALPHA", "GET", "#", "GET", "obj_*->f"),
                cmd("SORT", "big", "BY", "wt_*", "DESC", "GET", "wt_*", "STORE", "out"), cmd("LRANGE", "out", "0", "-1"),
                cmd("SORT", "big", "BY", "nosort", "DESC", "LIMIT", "290", "20"), cmd("DEBUG", "DIGEST")));
    }
}
