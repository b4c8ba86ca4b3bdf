package io.tandem.server;

import io.tandem.server.testing.RawConnection;
import io.tandem.server.testing.TandemTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.tandem.server.RawResp.call;
import static io.tandem.server.RawResp.cmd;
import static io.tandem.server.RawResp.frame;
import static io.tandem.server.RawResp.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pub/sub over real sockets: exact reply bytes in RESP2 and RESP3, subscriber-mode limits,
 * PUBSUB introspection, INFO counters, clean-up on disconnect and RESET, Jedis, and keyspace
 * notifications (notify-keyspace-events KEA) including expiry.
 */
class PubSubTest {
    static TandemTestServer server;

    @BeforeAll
    static void start() {
        server = TandemTestServer.start(Map.of("notify-keyspace-events", "KEA"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private RawConnection conn() throws Exception {
        return new RawConnection(server.port());
    }

    @Test
    void subscribePublishUnsubscribeResp2() throws Exception {
        try (RawConnection sub = conn(); RawConnection pub = conn()) {
            sub.send(cmd("SUBSCRIBE", "r2a", "r2b"));
            assertEquals(frame(false, "subscribe", "r2a", 1L), reply(sub));
            assertEquals(frame(false, "subscribe", "r2b", 2L), reply(sub));
            assertEquals(frame(false, "psubscribe", "r2*", 3L), call(sub, "PSUBSCRIBE", "r2*"));
            assertEquals(":2\r\n", call(pub, "PUBLISH", "r2a", "hello"));
            assertEquals(frame(false, "message", "r2a", "hello"), reply(sub));
            assertEquals(frame(false, "pmessage", "r2*", "r2a", "hello"), reply(sub));
            // RESP2 subscriber mode: only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET.
            assertEquals("-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
                    + "are allowed in this context\r\n", call(sub, "GET", "x"));
            assertEquals(frame(false, "pong", ""), call(sub, "PING"));
            assertEquals(frame(false, "unsubscribe", "nope", 3L), call(sub, "UNSUBSCRIBE", "nope"));
            sub.send(cmd("UNSUBSCRIBE"));
            assertEquals(frame(false, "unsubscribe", "r2a", 2L), reply(sub));
            assertEquals(frame(false, "unsubscribe", "r2b", 1L), reply(sub));
            assertEquals(frame(false, "punsubscribe", "r2*", 0L), call(sub, "PUNSUBSCRIBE"));
            assertEquals(frame(false, "unsubscribe", null, 0L), call(sub, "UNSUBSCRIBE"));
            assertEquals(frame(false, "punsubscribe", null, 0L), call(sub, "PUNSUBSCRIBE"));
            assertEquals("+PONG\r\n", call(sub, "PING"));
            assertEquals(":0\r\n", call(pub, "PUBLISH", "r2a", "x"));
        }
    }

    @Test
    void subscribePublishResp3PushesAndAnyCommand() throws Exception {
        try (RawConnection sub = conn(); RawConnection pub = conn()) {
            assertTrue(call(sub, "HELLO", "3").startsWith("%7\r\n"));
            assertEquals(frame(true, "subscribe", "r3", 1L), call(sub, "SUBSCRIBE", "r3"));
            assertEquals(frame(true, "psubscribe", "r3.*", 2L), call(sub, "PSUBSCRIBE", "r3.*"));
            assertEquals("_\r\n", call(sub, "GET", "r3-missing"));
            assertEquals("+PONG\r\n", call(sub, "PING"));
            assertEquals(":1\r\n", call(pub, "PUBLISH", "r3.x", "m"));
            assertEquals(frame(true, "pmessage", "r3.*", "r3.x", "m"), reply(sub));
            // Publishing to itself: the message comes before the reply to PUBLISH.
            sub.send(cmd("PUBLISH", "r3", "self"));
            assertEquals(frame(true, "message", "r3", "self"), reply(sub));
            assertEquals(":1\r\n", reply(sub));
            assertEquals(frame(true, "unsubscribe", "r3", 1L), call(sub, "UNSUBSCRIBE"));
            assertEquals(frame(true, "punsubscribe", "r3.*", 0L), call(sub, "PUNSUBSCRIBE"));
            assertEquals(frame(true, "unsubscribe", null, 0L), call(sub, "UNSUBSCRIBE"));
        }
    }

    @Test
    void shardChannels() throws Exception {
        try (RawConnection sub = conn(); RawConnection pub = conn()) {
            assertEquals(frame(false, "ssubscribe", "sh", 1L), call(sub, "SSUBSCRIBE", "sh"));
            assertEquals(frame(false, "subscribe", "sh", 1L), call(sub, "SUBSCRIBE", "sh"));
            assertEquals(":1\r\n", call(pub, "SPUBLISH", "sh", "a"));
            assertEquals(frame(false, "smessage", "sh", "a"), reply(sub));
            assertEquals("*1\r\n$2\r\nsh\r\n", call(pub, "PUBSUB", "SHARDCHANNELS"));
            assertEquals("*2\r\n$2\r\nsh\r\n:1\r\n", call(pub, "PUBSUB", "SHARDNUMSUB", "sh"));
            assertEquals(frame(false, "sunsubscribe", "sh", 0L), call(sub, "SUNSUBSCRIBE"));
            assertEquals(frame(false, "unsubscribe", "sh", 0L), call(sub, "UNSUBSCRIBE"));
        }
    }

    @Test
    void pubsubIntrospectionInfoAndCleanUp() throws Exception {
        try (RawConnection a = conn(); RawConnection b = conn(); RawConnection q = conn()) {
            a.send(cmd("SUBSCRIBE", "intro.1", "intro.2"));
            reply(a);
            reply(a);
            call(a, "PSUBSCRIBE", "intro.p*");
            call(b, "SUBSCRIBE", "intro.1");
            call(b, "PSUBSCRIBE", "intro.p*");
            assertEquals("*4\r\n$7\r\nintro.1\r\n:2\r\n$7\r\nintro.3\r\n:0\r\n",
                    call(q, "PUBSUB", "NUMSUB", "intro.1", "intro.3"));
            assertEquals("*0\r\n", call(q, "PUBSUB", "NUMSUB"));
            String channels = call(q, "PUBSUB", "CHANNELS", "intro.*");
            assertTrue(channels.startsWith("*2\r\n") && channels.contains("intro.1") && channels.contains("intro.2"), channels);
            assertEquals("*1\r\n$7\r\nintro.2\r\n", call(q, "PUBSUB", "CHANNELS", "intro.[2]"));
            assertEquals(":1\r\n", call(q, "PUBSUB", "NUMPAT"));
            assertEquals("-ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP.\r\n",
                    call(q, "PUBSUB", "channels", "a", "b"));
            String info = call(q, "INFO", "stats");
            assertTrue(info.contains("pubsub_channels:2\r\n") && info.contains("pubsub_patterns:1\r\n"), info);
            String list = call(q, "CLIENT", "LIST", "TYPE", "pubsub");
            assertTrue(list.contains("sub=2 psub=1 ssub=0") && list.contains("flags=P"), list);
            assertEquals("+RESET\r\n", call(a, "RESET"));
            assertEquals("*2\r\n$7\r\nintro.1\r\n:1\r\n", call(q, "PUBSUB", "NUMSUB", "intro.1"));
            b.close();
            // The disconnect reaches the executor asynchronously.
            for (int i = 0; i < 100 && !call(q, "PUBSUB", "NUMPAT").equals(":0\r\n"); i++) Thread.sleep(10);
            assertEquals(":0\r\n", call(q, "PUBSUB", "NUMPAT"));
            assertEquals("*0\r\n", call(q, "PUBSUB", "CHANNELS", "intro.*"));
            info = call(q, "INFO", "stats");
            assertTrue(info.contains("pubsub_channels:0\r\n") && info.contains("pubsub_patterns:0\r\n"), info);
        }
    }

    @Test
    void keyspaceNotifications() throws Exception {
        try (RawConnection sub = conn(); RawConnection w = conn()) {
            assertEquals(frame(false, "psubscribe", "__key*@0__:kn*", 1L), call(sub, "PSUBSCRIBE", "__key*@0__:kn*"));
            call(w, "SET", "kn1", "v");
            assertEquals(frame(false, "pmessage", "__key*@0__:kn*", "__keyspace@0__:kn1", "set"), reply(sub));
            call(w, "EXPIRE", "kn1", "100");
            assertEquals(frame(false, "pmessage", "__key*@0__:kn*", "__keyspace@0__:kn1", "expire"), reply(sub));
            call(w, "DEL", "kn1");
            assertEquals(frame(false, "pmessage", "__key*@0__:kn*", "__keyspace@0__:kn1", "del"), reply(sub));
            assertEquals(frame(false, "subscribe", "__keyevent@0__:expired", 2L), call(sub, "SUBSCRIBE", "__keyevent@0__:expired"));
            call(w, "SET", "kn2", "v", "PX", "30");
            assertEquals(frame(false, "pmessage", "__key*@0__:kn*", "__keyspace@0__:kn2", "set"), reply(sub));
            assertEquals(frame(false, "pmessage", "__key*@0__:kn*", "__keyspace@0__:kn2", "expire"), reply(sub));
            // Active expiry deletes it: "expired" on the keyspace channel, then on the keyevent channel.
            assertEquals(frame(false, "pmessage", "__key*@0__:kn*", "__keyspace@0__:kn2", "expired"), reply(sub));
            assertEquals(frame(false, "message", "__keyevent@0__:expired", "kn2"), reply(sub));
            assertTrue(call(w, "INFO", "stats").matches("(?s).*expired_keys:[1-9].*"));
        }
    }

    @Test
    void lazyExpiryFiresExpiredEventAndDel() throws Exception {
        try (RawConnection sub = conn(); RawConnection w = conn()) {
            call(w, "DEBUG", "SET-ACTIVE-EXPIRE", "0");
            try {
                call(sub, "SUBSCRIBE", "__keyevent@0__:expired");
                call(w, "SET", "lazy1", "v", "PX", "1");
                Thread.sleep(20);
                assertEquals("$-1\r\n", call(w, "GET", "lazy1"));
                assertEquals(frame(false, "message", "__keyevent@0__:expired", "lazy1"), reply(sub));
            } finally {
                call(w, "DEBUG", "SET-ACTIVE-EXPIRE", "1");
            }
        }
    }

    @Test
    void jedisSubscriber() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        CountDownLatch subscribed = new CountDownLatch(1);
        CountDownLatch received = new CountDownLatch(2);
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onMessage(String channel, String message) {
                got.add(channel + "=" + message);
                received.countDown();
            }

            @Override
            public void onPMessage(String pattern, String channel, String message) {
                got.add(pattern + ":" + channel + "=" + message);
                received.countDown();
            }

            @Override
            public void onPSubscribe(String pattern, int count) {
                subscribed.countDown();
            }
        };
        Thread t = new Thread(() -> {
            try (Jedis j = new Jedis("127.0.0.1", server.port())) {
                j.psubscribe(listener, "jd.*");
            }
        });
        t.start();
        assertTrue(subscribed.await(5, TimeUnit.SECONDS));
        listener.subscribe("jd.a");
        try (Jedis j = new Jedis("127.0.0.1", server.port())) {
            for (int i = 0; i < 100 && j.pubsubNumSub("jd.a").get("jd.a") == 0; i++) Thread.sleep(10);
            assertEquals(2L, j.publish("jd.a", "hi"));
        }
        assertTrue(received.await(5, TimeUnit.SECONDS));
        listener.punsubscribe();
        listener.unsubscribe();
        t.join(5000);
        assertTrue(got.contains("jd.a=hi") && got.contains("jd.*:jd.a=hi"), got.toString());
    }

    @Test
    void slowSubscriberPastTheHardLimitIsDisconnected() throws Exception {
        server.server().server().executor().call(() -> {
            server.server().server().pubsub().setOutputBufferLimit(256 * 1024, 0, 0);
            return null;
        });
        try (RawConnection sub = conn(); RawConnection pub = conn()) {
            call(sub, "SUBSCRIBE", "flood");
            String payload = "x".repeat(64 * 1024);
            // The subscriber never reads: its output piles up in the executor, then in Netty.
            long receivers = 1;
            for (int i = 0; i < 400 && receivers > 0; i++) {
                receivers = Long.parseLong(call(pub, "PUBLISH", "flood", payload).trim().substring(1));
            }
            assertEquals(0, receivers, "the subscriber was not disconnected");
        } finally {
            server.server().server().executor().call(() -> {
                server.server().server().pubsub().setOutputBufferLimit(32L << 20, 8L << 20, 60);
                return null;
            });
        }
    }
}
