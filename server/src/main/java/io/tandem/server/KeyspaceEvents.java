package io.tandem.server;

import io.tandem.server.config.KeyspaceEventFlags;

import java.nio.charset.StandardCharsets;

/**
 * Keyspace notifications ({@code notify-keyspace-events}), as Redis's notify.c: an event of a
 * class that is enabled is published on {@code __keyspace@<db>__:<key>} (message: the event) when
 * K is set and on {@code __keyevent@<db>__:<event>} (message: the key) when E is set.
 * Executor thread only.
 */
public final class KeyspaceEvents {
    // Event classes: the bits of notify-keyspace-events, defined once in the configuration.
    public static final int KEYSPACE = KeyspaceEventFlags.KEYSPACE;
    public static final int KEYEVENT = KeyspaceEventFlags.KEYEVENT;
    public static final int GENERIC = KeyspaceEventFlags.GENERIC;
    public static final int STRING = KeyspaceEventFlags.STRING;
    public static final int LIST = KeyspaceEventFlags.LIST;
    public static final int SET = KeyspaceEventFlags.SET;
    public static final int HASH = KeyspaceEventFlags.HASH;
    public static final int ZSET = KeyspaceEventFlags.ZSET;
    public static final int EXPIRED = KeyspaceEventFlags.EXPIRED;
    public static final int EVICTED = KeyspaceEventFlags.EVICTED;
    public static final int STREAM = KeyspaceEventFlags.STREAM;
    public static final int KEY_MISS = KeyspaceEventFlags.KEY_MISS;
    public static final int MODULE = KeyspaceEventFlags.MODULE;
    public static final int NEW = KeyspaceEventFlags.NEW;
    public static final int ALL = KeyspaceEventFlags.ALL;

    /** Publishes a message on a channel (pub/sub); installed by the pub/sub subsystem. */
    public interface Publisher {
        void publish(byte[] channel, byte[] message);
    }

    private int flags;
    private Publisher publisher = (ch, msg) -> {};

    public void setPublisher(Publisher p) {
        this.publisher = p;
    }

    /** Parses the directive's value; -1 if it holds an unknown character. */
    public static int parse(String classes) {
        return KeyspaceEventFlags.parse(classes);
    }

    public void setFlags(int flags) {
        this.flags = flags;
    }

    public int flags() {
        return flags;
    }

    /** Fires an event of class {@code type} (one of the class bits) for key in db. */
    public void notify(int type, String event, byte[] key, int db) {
        if ((flags & type) == 0 || (flags & (KEYSPACE | KEYEVENT)) == 0) return;
        byte[] ev = event.getBytes(StandardCharsets.US_ASCII);
        if ((flags & KEYSPACE) != 0) {
            byte[] prefix = ("__keyspace@" + db + "__:").getBytes(StandardCharsets.US_ASCII);
            publisher.publish(concat(prefix, key), ev);
        }
        if ((flags & KEYEVENT) != 0) {
            publisher.publish(("__keyevent@" + db + "__:" + event).getBytes(StandardCharsets.US_ASCII), key);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
