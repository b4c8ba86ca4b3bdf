package io.tandem.storage.resp;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Writes RESP2 or RESP3 values straight into a {@link ByteBuf}, with no intermediate objects.
 *
 * <p>RESP3-only types degrade as Redis degrades them for a RESP2 client: a map is an array of
 * 2n elements, a set an array, a double a bulk string, null a null bulk ({@code $-1}), a
 * boolean an integer, a push an array. {@link #nullArray()} is {@code *-1} in RESP2.
 *
 * <p>Numbers are formatted without allocating. Not thread-safe: one writer per output buffer.
 */
public final class RespWriter {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[][] SMALL_INTS = new byte[1024][];
    private static final int MAX_LONG_DIGITS = 20;

    static {
        for (int i = 0; i < SMALL_INTS.length; i++) {
            SMALL_INTS[i] = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
        }
    }

    private ByteBuf out;
    private int protocol = 2;
    private final byte[] digits = new byte[MAX_LONG_DIGITS];

    public RespWriter() {}

    public RespWriter(ByteBuf out) {
        this.out = out;
    }

    public ByteBuf buffer() {
        return out;
    }

    public RespWriter buffer(ByteBuf out) {
        this.out = out;
        return this;
    }

    public int protocol() {
        return protocol;
    }

    public void protocol(int protocol) {
        this.protocol = protocol;
    }

    public boolean resp3() {
        return protocol >= 3;
    }

    public void simple(String s) {
        out.writeByte('+');
        out.writeCharSequence(s, StandardCharsets.UTF_8);
        out.writeBytes(CRLF);
    }

    public void ok() {
        out.writeBytes(Replies.OK);
    }

    /** Writes {@code -<message>}; the message carries its own prefix ({@code ERR}, {@code WRONGTYPE}...). */
    public void error(String message) {
        out.writeByte('-');
        // Redis replaces newlines in error texts so a reply stays on one line.
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c == '\r' || c == '\n') {
                message = message.replace('\r', ' ').replace('\n', ' ');
                break;
            }
        }
        out.writeCharSequence(message, StandardCharsets.UTF_8);
        out.writeBytes(CRLF);
    }

    public void integer(long v) {
        out.writeByte(':');
        writeDecimal(v);
        out.writeBytes(CRLF);
    }

    public void bulk(byte[] b) {
        if (b == null) {
            nullBulk();
            return;
        }
        bulk(b, 0, b.length);
    }

    public void bulk(byte[] b, int off, int len) {
        out.writeByte('$');
        writeDecimal(len);
        out.writeBytes(CRLF);
        out.writeBytes(b, off, len);
        out.writeBytes(CRLF);
    }

    public void bulk(String s) {
        bulk(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A bulk string holding the decimal form of {@code v}. */
    public void bulkLong(long v) {
        int n = formatDecimal(v);
        out.writeByte('$');
        writeDecimal(n);
        out.writeBytes(CRLF);
        out.writeBytes(digits, MAX_LONG_DIGITS - n, n);
        out.writeBytes(CRLF);
    }

    /** RESP2 {@code $-1}; RESP3 {@code _}. */
    public void nullBulk() {
        out.writeBytes(protocol >= 3 ? Replies.NULL3 : Replies.NULL_BULK);
    }

    /** RESP2 {@code *-1}; RESP3 {@code _}. */
    public void nullArray() {
        out.writeBytes(protocol >= 3 ? Replies.NULL3 : Replies.NULL_ARRAY);
    }

    public void array(long n) {
        out.writeByte('*');
        writeDecimal(n);
        out.writeBytes(CRLF);
    }

    /** A map of n pairs: RESP3 {@code %n}, RESP2 an array of 2n. */
    public void map(long n) {
        if (protocol >= 3) {
            out.writeByte('%');
            writeDecimal(n);
        } else {
            out.writeByte('*');
            writeDecimal(n * 2);
        }
        out.writeBytes(CRLF);
    }

    /** A set: RESP3 {@code ~n}, RESP2 an array. */
    public void set(long n) {
        out.writeByte(protocol >= 3 ? '~' : '*');
        writeDecimal(n);
        out.writeBytes(CRLF);
    }

    /** An out-of-band push (pub/sub messages): RESP3 {@code >n}, RESP2 an array. */
    public void push(long n) {
        out.writeByte(protocol >= 3 ? '>' : '*');
        writeDecimal(n);
        out.writeBytes(CRLF);
    }

    /** RESP3 {@code ,<double>}; RESP2 a bulk string, formatted as Redis formats scores. */
    public void doubleValue(double d) {
        String s = formatDouble(d);
        if (protocol >= 3) {
            out.writeByte(',');
            out.writeCharSequence(s, StandardCharsets.US_ASCII);
            out.writeBytes(CRLF);
        } else {
            bulk(s.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** RESP3 {@code #t}/{@code #f}; RESP2 {@code :1}/{@code :0}. */
    public void bool(boolean b) {
        if (protocol >= 3) {
            out.writeBytes(b ? Replies.TRUE3 : Replies.FALSE3);
        } else {
            integer(b ? 1 : 0);
        }
    }

    /** RESP3 verbatim string ({@code =len\r\ntxt:...}); RESP2 a bulk string. Used by INFO-like replies. */
    public void verbatim(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (protocol >= 3) {
            out.writeByte('=');
            writeDecimal(b.length + 4L);
            out.writeBytes(CRLF);
            out.writeBytes(Replies.TXT_PREFIX);
            out.writeBytes(b);
            out.writeBytes(CRLF);
        } else {
            bulk(b);
        }
    }

    /** Pre-encoded bytes (see {@link Replies}). */
    public void raw(byte[] encoded) {
        out.writeBytes(encoded);
    }

    /** A whole command as a RESP array of bulk strings: how requests and the replication stream are written. */
    public void command(byte[]... argv) {
        array(argv.length);
        for (byte[] a : argv) bulk(a);
    }

    private void writeDecimal(long v) {
        if (v >= 0 && v < SMALL_INTS.length) {
            out.writeBytes(SMALL_INTS[(int) v]);
            return;
        }
        int n = formatDecimal(v);
        out.writeBytes(digits, MAX_LONG_DIGITS - n, n);
    }

    /** Formats v right-aligned into {@link #digits}; returns the number of bytes. */
    private int formatDecimal(long v) {
        int pos = MAX_LONG_DIGITS;
        if (v == Long.MIN_VALUE) {
            byte[] min = "-9223372036854775808".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(min, 0, digits, 0, min.length);
            return min.length;
        }
        boolean neg = v < 0;
        if (neg) v = -v;
        do {
            digits[--pos] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        if (neg) digits[--pos] = '-';
        return MAX_LONG_DIGITS - pos;
    }

    /**
     * Formats a double as Redis 7.0's {@code addReplyDouble} does for scores: {@code inf},
     * {@code -inf}, else C's {@code %.17g} (integral values without a decimal point).
     */
    public static String formatDouble(double d) {
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        return io.tandem.storage.digest.ScoreFormat.g17(d);
    }
}
