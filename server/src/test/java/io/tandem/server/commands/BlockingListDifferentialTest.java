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

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Replies of the blocking list commands where timing is deterministic — data present at once,
 * short timeouts, argument errors, WRONGTYPE, inside MULTI — compared byte for byte with a real
 * Redis 7.0 in RESP2 and RESP3, then the resulting dataset (DEBUG DIGEST).
 */
class BlockingListDifferentialTest {
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

    static List<String[]> list(String[]... cmds) {
        return new ArrayList<>(List.of(cmds));
    }

    static final String[][] CASES = {
        {"RPUSH", "a", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16"}, {"RPUSH", "b", "x"}, {"SET", "s", "str"},
        {"BLPOP", "a", "0"}, {"BRPOP", "a", "0"}, {"BLPOP", "none", "b", "a", "0"}, {"BLPOP", "none", "b", "0.01"},
        {"BLPOP", "s", "a", "0"}, {"BLPOP", "a", "s", "0"}, {"BLPOP", "none", "0.01"}, {"BRPOP", "none", "none2", "0.01"},
        {"BLPOP", "a", "-1"}, {"BLPOP", "a", "x"}, {"BLPOP", "a", ""}, {"BLPOP", "a", "inf"}, {"BLPOP", "a", "-inf"},
        {"BLPOP", "a", "nan"}, {"BLPOP", "a", "1e400"}, {"BLPOP", "a", "-0"}, {"BLPOP", "a", "0x10"},
        {"BLPOP", "a", "9223372036854775807"}, {"BLPOP", "a", "1e15"}, {"BLPOP", "a", "-0.0000001"}, {"BLPOP", "a", "0X1p-3"}, {"BLPOP", "a", "1e-5000"}, {"BLPOP", "a", " 1"}, {"BLPOP", "a", "1 "}, {"BLPOP", "a", "9223372036854775.807"}, {"BLPOP", "a", "9223372036854776"}, {"BLPOP", "a"}, {"BLPOP", "s", "-1"},
        {"RPUSH", "a", "4", "5", "6", "7"},
        {"BLMPOP", "0", "2", "none", "a", "LEFT"}, {"BLMPOP", "0", "2", "none", "a", "RIGHT", "COUNT", "2"},
        {"BLMPOP", "0", "1", "a", "left", "count", "100"}, {"BLMPOP", "0.01", "1", "a", "left"},
        {"BLMPOP", "0", "0", "a", "LEFT"}, {"BLMPOP", "0", "-1", "a", "LEFT"}, {"BLMPOP", "0", "x", "a", "LEFT"},
        {"BLMPOP", "0", "3", "a", "LEFT"}, {"BLMPOP", "0", "1", "a", "UP"}, {"BLMPOP", "0", "1", "a", "LEFT", "COUNT"},
        {"BLMPOP", "0", "1", "a", "LEFT", "COUNT", "0"}, {"BLMPOP", "0", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"},
        {"BLMPOP", "x", "1", "a", "LEFT"}, {"BLMPOP", "-1", "1", "a", "LEFT"}, {"BLMPOP", "0", "1", "s", "LEFT"},
        {"BLMPOP", "x", "1", "a", "LEFT", "FOO"}, {"BLMPOP", "0.01", "2", "none", "none2", "RIGHT", "COUNT", "9"},
        {"RPUSH", "src", "1", "2", "3"},
        {"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"}, {"BLMOVE", "src", "dst", "right", "left", "0"},
        {"BLMOVE", "src", "src", "LEFT", "RIGHT", "0"}, {"LRANGE", "src", "0", "-1"}, {"LRANGE", "dst", "0", "-1"},
        {"BLMOVE", "src", "s", "LEFT", "RIGHT", "0"}, {"BLMOVE", "s", "dst", "LEFT", "RIGHT", "0"},
        {"BLMOVE", "none", "dst", "LEFT", "RIGHT", "0.01"}, {"BLMOVE", "src", "dst", "UP", "RIGHT", "0"},
        {"BLMOVE", "src", "dst", "LEFT", "DOWN", "x"}, {"BLMOVE", "src", "dst", "LEFT", "RIGHT", "x"},
        {"BLMOVE", "src", "dst", "LEFT", "RIGHT", "-1"}, {"BLMOVE", "src", "dst", "LEFT", "RIGHT"},
        {"BRPOPLPUSH", "src", "dst", "0"}, {"BRPOPLPUSH", "src", "dst", "0.01"},
        {"BRPOPLPUSH", "dst", "dst", "0"}, {"BRPOPLPUSH", "dst", "s", "0"}, {"BRPOPLPUSH", "s", "dst", "0"},
        {"BRPOPLPUSH", "none", "dst", "-1"}, {"BRPOPLPUSH", "none", "dst", "x"}, {"BRPOPLPUSH", "src", "dst"},
        {"LRANGE", "dst", "0", "-1"}, {"DBSIZE"}, {"EXISTS", "a", "b", "src", "dst", "s"},
    };

    @Test
    void immediateRepliesTimeoutsAndErrorsMatchRedisInResp2AndResp3() throws Exception {
        for (String proto : new String[] {"2", "3"}) {
            flush();
            r.call("HELLO", proto);
            t.call("HELLO", proto);
            same(List.of(CASES));
            same(list(new String[] {"DEBUG", "DIGEST"}));
        }
        r.call("HELLO", "2");
        t.call("HELLO", "2");
    }

    @Test
    void insideMultiTheyDoNotBlock() throws Exception {
        for (String proto : new String[] {"2", "3"}) {
            flush();
            r.call("HELLO", proto);
            t.call("HELLO", proto);
            same(list(new String[] {"MULTI"}, new String[] {"BLPOP", "q", "0"}, new String[] {"BRPOP", "q", "r", "0"},
                    new String[] {"BLMOVE", "q", "d", "LEFT", "LEFT", "0"}, new String[] {"BRPOPLPUSH", "q", "d", "0"},
                    new String[] {"BLMPOP", "0", "1", "q", "LEFT"}, new String[] {"RPUSH", "q", "v", "w", "x", "y"},
                    new String[] {"BRPOP", "r", "q", "0"}, new String[] {"BLMOVE", "q", "d", "LEFT", "LEFT", "0"},
                    new String[] {"BLMPOP", "0", "1", "q", "LEFT", "COUNT", "5"}, new String[] {"BLPOP", "q", "0"},
                    new String[] {"BLPOP", "q", "-1"}, new String[] {"EXEC"}));
            same(list(new String[] {"LRANGE", "d", "0", "-1"}, new String[] {"DEBUG", "DIGEST"}));
        }
        r.call("HELLO", "2");
        t.call("HELLO", "2");
    }
}
