package io.tandem.server.commands;

import io.tandem.server.testing.RawRespClient;
import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SORT over sets and sorted sets, and sets as inputs of ZUNION/ZINTER/ZDIFF: same replies as Redis
 * 7.0 wherever the order is defined (including SORT's conversion of a listpack zset to skiplist).
 */
class SortSetsDifferentialTest {
    private static byte[][] argv(String line) {
        String[] parts = line.split(" ");
        byte[][] out = new byte[parts.length][];
        for (int i = 0; i < parts.length; i++) out[i] = parts[i].getBytes(StandardCharsets.UTF_8);
        return out;
    }

    @Test
    void sortOfSetsMatchesRedis() throws Exception {
        String[] script = {
            "SADD nums 5 -3 1000 70000 2", "SADD words pear apple fig 10", "SADD mixed 3 1.5 -inf",
            "HSET w_5 x 1", "HSET w_-3 x 9", "SET weight_2 100",
            "SORT nums", "SORT nums DESC", "SORT nums LIMIT 1 2", "SORT nums ALPHA", "SORT words ALPHA",
            "SORT words", "SORT mixed", "SORT nums BY weight_* GET #", "SORT nums BY w_*->x GET # GET w_*->x",
            "SORT nums BY nosort STORE dst", "LRANGE dst 0 -1", "SORT words BY nosort ALPHA STORE dst2",
            "LRANGE dst2 0 -1", "SORT_RO nums DESC LIMIT 0 2", "SORT nosuchkey", "OBJECT ENCODING nums",
            "ZADD z 3 c 1 a 2 b 10 j", "OBJECT ENCODING z", "SORT z", "SORT z BY nosort", "SORT z BY nosort DESC LIMIT 0 2",
            "SORT z ALPHA DESC", "OBJECT ENCODING z", "SORT z BY nosort STORE zdst", "LRANGE zdst 0 -1",
            "ZUNIONSTORE u 2 z nums WEIGHTS 1 2", "ZRANGE u 0 -1 WITHSCORES", "ZINTER 2 nums z WITHSCORES",
            "ZDIFF 2 nums z", "ZINTERCARD 2 nums nums", "ZUNION 2 words z AGGREGATE MAX WITHSCORES",
        };
        try (RedisProcess redis = RedisProcess.start(); TandemTestServer tandem = TandemTestServer.start();
             RawRespClient r = new RawRespClient("127.0.0.1", redis.port());
             RawRespClient t = new RawRespClient("127.0.0.1", tandem.port())) {
            for (String line : script) assertEquals(r.call(argv(line)), t.call(argv(line)), line);
        }
    }
}
