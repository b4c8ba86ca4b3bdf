package io.tandem.server;

import io.tandem.server.testing.RawConnection;
import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static io.tandem.server.RawResp.cmd;
import static io.tandem.server.RawResp.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same pub/sub, WATCH and CLIENT PAUSE/UNBLOCK sessions against redis-server 7.0 and Tandem,
 * compared byte for byte (every reply and every pushed message, in order). Sessions use one
 * channel per unsubscribe-all so Redis's hash order of a client's channels does not matter.
 * A missing redis-server skips locally and fails under CI=true.
 */
class PubSubDifferentialTest {
    static RedisProcess redis;
    static TandemTestServer tandem;

    @BeforeAll
    static void start() {
        redis = RedisProcess.start();
        tandem = TandemTestServer.start();
    }

    @AfterAll
    static void stop() {
        if (tandem != null) tandem.close();
        if (redis != null) redis.close();
    }

    /** A session on two connections: every command's reply and every push the subscriber receives. */
    private static final class Session {
        final RawConnection sub;
        final RawConnection pub;
        final StringBuilder log = new StringBuilder();

        Session(int port) throws IOException {
            sub = new RawConnection(port);
            pub = new RawConnection(port);
        }

        /** Sends on the subscriber and records {@code replies} frames. */
        Session s(int replies, String... args) throws IOException {
            sub.send(cmd(args));
            log.append("S ").append(String.join(" ", args)).append('\n');
            for (int i = 0; i < replies; i++) log.append(reply(sub)).append('\n');
            return this;
        }

        /** Sends on the other connection, records its reply, then {@code pushes} frames the subscriber got. */
        Session p(int pushes, String... args) throws IOException {
            pub.send(cmd(args));
            log.append("P ").append(String.join(" ", args)).append('\n').append(reply(pub)).append('\n');
            for (int i = 0; i < pushes; i++) log.append(reply(sub)).append('\n');
            return this;
        }

        void close() throws IOException {
            sub.close();
            pub.close();
        }
    }

    private static String session(int port, boolean resp3) throws IOException {
        Session x = new Session(port);
        try {
            if (resp3) x.s(0, "HELLO", "3").sub.readLine(); // map header; the rest differs (version, id)
            if (resp3) drainHello(x.sub);
            x.s(1, "SUBSCRIBE", "d.ch")
                    .s(1, "SUBSCRIBE", "d.ch")
                    .s(1, "PSUBSCRIBE", "d.*")
                    .s(1, "SSUBSCRIBE", "d.sh")
                    .s(1, "PING")
                    .s(1, "PING", "hey")
                    .s(1, "GET", "d.k")
                    .s(1, "SET", "d.k", "v")
                    .p(2, "PUBLISH", "d.ch", "m1")
                    .p(1, "PUBLISH", "d.other", "m2")
                    .p(0, "PUBLISH", "nomatch", "m3")
                    .p(1, "SPUBLISH", "d.sh", "m4")
                    .p(0, "PUBSUB", "NUMSUB", "d.ch", "d.none")
                    .p(0, "PUBSUB", "NUMPAT")
                    .p(0, "PUBSUB", "CHANNELS", "d.*")
                    .p(0, "PUBSUB", "SHARDCHANNELS")
                    .p(0, "PUBSUB", "SHARDNUMSUB", "d.sh")
                    .p(0, "PUBSUB", "CHANNELS", "a", "b")
                    .p(0, "PUBSUB", "NOPE")
                    .s(1, "UNSUBSCRIBE", "d.none")
                    .s(1, "UNSUBSCRIBE")
                    .s(1, "UNSUBSCRIBE")
                    .s(1, "PUNSUBSCRIBE", "d.*")
                    .s(1, "PUNSUBSCRIBE")
                    .s(1, "SUNSUBSCRIBE")
                    .s(1, "SUNSUBSCRIBE")
                    .s(1, "PING")
                    .p(0, "PUBLISH", "d.ch", "gone")
                    .s(1, "PSUBSCRIBE", "d.[ab]")
                    .p(1, "PUBLISH", "d.a", "x")
                    .s(1, "RESET")
                    .p(0, "PUBLISH", "d.a", "after-reset");
            // WATCH and transactions
            x.s(1, "WATCH", "d.w")
                    .p(0, "SET", "d.w", "1")
                    .s(1, "MULTI")
                    .s(1, "WATCH", "d.w")
                    .s(1, "GET", "d.w")
                    .s(1, "EXEC")
                    .s(1, "WATCH", "d.w")
                    .p(0, "GET", "d.w")
                    .s(1, "MULTI")
                    .s(1, "GET", "d.w")
                    .s(1, "EXEC")
                    .s(1, "UNWATCH")
                    .s(1, "MULTI")
                    .s(1, "NOSUCHCOMMAND")
                    .s(1, "EXEC")
                    .s(1, "DISCARD")
                    .s(1, "EXEC");
            // CLIENT PAUSE / UNPAUSE / UNBLOCK argument handling
            x.s(1, "CLIENT", "PAUSE", "100", "SOME")
                    .s(1, "CLIENT", "PAUSE", "abc")
                    .s(1, "CLIENT", "PAUSE", "-1")
                    .s(1, "CLIENT", "PAUSE", "0", "WRITE")
                    .s(1, "CLIENT", "UNPAUSE")
                    .s(1, "CLIENT", "UNBLOCK", "999999")
                    .s(1, "CLIENT", "UNBLOCK", "999999", "ERROR")
                    .s(1, "CLIENT", "UNBLOCK", "999999", "MAYBE")
                    .s(1, "CLIENT", "UNBLOCK", "x")
                    .s(1, "CLIENT", "UNBLOCK", "1", "TIMEOUT", "extra")
                    .s(1, "DEL", "d.k", "d.w");
            return x.log.toString();
        } finally {
            x.close();
        }
    }

    private static void drainHello(RawConnection c) throws IOException {
        for (int i = 0; i < 14; i++) reply(c);
    }

    @Test
    void resp2SessionMatchesRedis() throws Exception {
        assertEquals(session(redis.port(), false), session(tandem.port(), false));
    }

    @Test
    void resp3SessionMatchesRedis() throws Exception {
        assertEquals(session(redis.port(), true), session(tandem.port(), true));
    }
}
