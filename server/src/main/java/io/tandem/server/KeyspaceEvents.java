package io.tandem.server;

import java.nio.charset.StandardCharsets;

/**
 * Keyspace notifications ({@code notify-keyspace-events}), as Redis's notify.c: an event of a
 * class that is enabled is published on {@code __keyspace@<db>__:<key>} (message: the event) when
 * K is set and on {@code __keyevent@<db>__:<event>} (message: the key) when E is set.
 * Executor thread only.
 */
public final class KeyspaceEvents {
    public static final int KEYSPACE = 1;      // K
    public static final int KEYEVENT = 1 << 1; // E
    public static final int GENERIC = 1 << 2;  // g
    public static final int STRING = 1 << 3;  // $
    public static final int LIST = 1 << 4;     // l
    public static final int SET = 1 << 5;      // s
    public static final int HASH = 1 << 6;     // h
    public static final int ZSET = 1 << 7;     // z
    public static final int EXPIRED = 1 << 8;  // x
    public static final int EVICTED = 1 << 9;  // e
    public static final int STREAM = 1 << 10;  // t
    public static final int KEY_MISS = 1 << 11; // m
    public static final int MODULE = 1 << 12;  // d
    public static final int NEW = 1 << 13;     // n
    /** A: every class but m and n. */
    public static final int ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

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
        int f = 0;
        for (char ch : classes.toCharArray()) {
            switch (ch) {
                case 'A' -> f |= ALL;
                case 'g' -> f |= GENERIC;
                case '$' -> f |= STRING;
                case 'l' -> f |= LIST;
                case 's' -> f |= SET;
                case 'h' -> f |= HASH;
                case 'z' -> f |= ZSET;
                case 'x' -> f |= EXPIRED;
                case 'e' -> f |= EVICTED;
                case 'K' -> f |= KEYSPACE;
                case 'E' -> f |= KEYEVENT;
                case 't' -> f |= STREAM;
                case 'm' -> f |= KEY_MISS;
                case 'd' -> f |= MODULE;
                case 'n' -> f |= NEW;
                default -> {
                    return -1;
                }
            }
        }
        return f;
    }

    /** Redis's keyspaceEventsFlagsToString, for CONFIG GET. */
    public static String format(int f) {
        StringBuilder sb = new StringBuilder();
        if ((f & ALL) == ALL) {
            sb.append('A');
        } else {
            if ((f & GENERIC) != 0) sb.append('g');
            if ((f & STRING) != 0) sb.append('$');
            if ((f & LIST) != 0) sb.append('l');
            if ((f & SET) != 0) sb.append('s');
            if ((f & HASH) != 0) sb.append('h');
            if ((f & ZSET) != 0) sb.append('z');
            if ((f & EXPIRED) != 0) sb.append('x');
            if ((f & EVICTED) != 0) sb.append('e');
            if ((f & STREAM) != 0) sb.append('t');
            if ((f & MODULE) != 0) sb.append('d');
        }
        if ((f & KEYSPACE) != 0) sb.append('K');
        if ((f & KEYEVENT) != 0) sb.append('E');
        if ((f & KEY_MISS) != 0) sb.append('m');
        if ((f & NEW) != 0) sb.append('n');
        return sb.toString();
    }

    /**
     * CONFIG SET notify-keyspace-events (and startup): applies the classes, or returns false and
     * changes nothing when the value holds an unknown character (Redis: "Invalid event class
     * character. Use 'Ag$lshzxeKEtmd'.").
     */
    public boolean configure(String classes) {
        int f = parse(classes);
        if (f < 0) return false;
        flags = f;
        return true;
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
