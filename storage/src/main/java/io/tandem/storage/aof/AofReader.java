package io.tandem.storage.aof;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the command stream of an AOF (after any RDB preamble) one item at a time, with the byte
 * offset of each, as redis-check-aof reads it:
 * <pre>
 *   item       = command | annotation
 *   command    = "*" argc CRLF { "$" len CRLF bytes CRLF }     argc times
 *   annotation = "#" text LF                                    e.g. "#TS:1700000000\r\n"; skipped by Redis
 * </pre>
 * Numbers are parsed as {@code strtol} does (optional sign, digits) and must be followed by CRLF.
 * {@link #next} returns null at a clean end of the input (between items) and throws
 * {@link AofFormatException} when a command is cut or malformed. {@link #line()} counts the
 * lines consumed as redis-check-aof's {@code ok_up_to_line} does (headers and bulk payloads,
 * starting at 1, annotations not counted). Constant memory when arguments are skipped
 * ({@code keepArgs false}); otherwise one command's arguments at a time. Not thread-safe.
 */
public final class AofReader {
    /** redis-check-aof reads header lines with fgets into 128 bytes. */
    private static final int HEADER_MAX = 127;
    /** AOF_ANNOTATION_LINE_MAX_LEN. */
    private static final int ANNOTATION_MAX = 1023;

    /** One item of the stream. */
    public sealed interface Item permits Command, Annotation {
        /** Offset of the item's first byte. */
        long start();
    }

    /**
     * A complete command. {@code argv} is null when arguments are not kept, except the first
     * (the command name), which is always in {@code name}.
     */
    public record Command(long start, long end, byte[] name, byte[][] argv) implements Item {
        public boolean is(String cmd) {
            return name != null && new String(name, StandardCharsets.ISO_8859_1).equalsIgnoreCase(cmd);
        }
    }

    /** A '#' line, without its line end. */
    public record Annotation(long start, String text) implements Item {}

    private final InputStream in;
    private final boolean keepArgs;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private long base;
    private long line;
    private long epos;
    /** fgets's buffer in readLong (128 bytes, kept between calls). */
    private final byte[] fg = new byte[HEADER_MAX + 2];

    /**
     * @param startOffset offset of the stream's first byte in the file (after an RDB preamble)
     * @param startLine the line count to continue from (1 for a new file; redis-check-aof keeps
     *     counting across the files of a multi-part AOF)
     */
    public AofReader(InputStream in, long startOffset, long startLine, boolean keepArgs) {
        this.in = in;
        this.base = startOffset;
        this.line = startLine;
        this.keepArgs = keepArgs;
    }

    /** Offset of the next unread byte. */
    public long offset() {
        return base + pos;
    }

    /** Where the last header line or bulk payload started (redis-check-aof's {@code epos}). */
    public long epos() {
        return epos;
    }

    /** redis-check-aof's line counter. */
    public long line() {
        return line;
    }

    private boolean fill() throws IOException {
        if (pos < limit) return true;
        base += limit;
        pos = 0;
        limit = 0;
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) return false;
        limit = n;
        return true;
    }

    /** Next byte without consuming it, or -1 at the end. */
    private int peek() throws IOException {
        return fill() ? buf[pos] & 0xFF : -1;
    }

    /** Up to {@code max} bytes through the next LF (fgets); null at the end of input. */
    private byte[] readLine(int max) throws IOException {
        byte[] out = new byte[Math.min(max, 256)];
        int n = 0;
        while (n < max && fill()) {
            byte b = buf[pos++];
            if (n == out.length) out = java.util.Arrays.copyOf(out, Math.min(max, out.length * 2));
            out[n++] = b;
            if (b == '\n') break;
        }
        return n == 0 ? null : java.util.Arrays.copyOf(out, n);
    }

    /** The next item, or null at a clean end of the input. */
    public Item next() throws IOException, AofFormatException {
        long start = offset();
        int c = peek();
        if (c < 0) return null;
        if (c == '#') {
            byte[] l = readLine(ANNOTATION_MAX);
            int n = l.length;
            while (n > 0 && (l[n - 1] == '\n' || l[n - 1] == '\r')) n--;
            return new Annotation(start, new String(l, 0, n, StandardCharsets.ISO_8859_1));
        }
        if (c != '*') throw new AofFormatException(start, null, false);
        long argc = readLong('*');
        byte[] name = null;
        byte[][] argv = keepArgs ? new byte[(int) Math.max(0, Math.min(argc, 1 << 20))][] : null;
        for (long i = 0; i < argc; i++) {
            byte[] s = readString(keepArgs || i == 0);
            if (i == 0) name = s;
            if (keepArgs) {
                if (i >= argv.length) argv = java.util.Arrays.copyOf(argv, (int) Math.min(argc, (long) argv.length * 2 + 1));
                argv[(int) i] = s;
            }
        }
        return new Command(start, offset(), name, argv);
    }

    /**
     * A header line as redis-check-aof's {@code readLong} reads it: {@code fgets} into a 128-byte
     * buffer, {@code strtol}, then CRLF expected. The buffer persists across calls, as the C
     * stack buffer does, so the two bytes an error prints past a short last line match.
     */
    private long readLong(char prefix) throws IOException, AofFormatException {
        epos = offset();
        int n = 0;
        while (n < HEADER_MAX && fill()) {
            byte b = buf[pos++];
            fg[n++] = b;
            if (b == '\n') break;
        }
        if (n == 0) throw new AofFormatException(epos, "", true);
        fg[n] = 0;
        if (fg[0] != prefix) {
            throw new AofFormatException(epos, String.format("Expected prefix '%c', got: '%c'", prefix, (char) (fg[0] & 0xFF)), false);
        }
        int i = 1;
        while (i < n && (fg[i] == ' ' || fg[i] == '\t')) i++;
        boolean neg = false;
        if (i < n && (fg[i] == '-' || fg[i] == '+')) neg = fg[i++] == '-';
        long v = 0;
        int digits = 0;
        while (i < n && fg[i] >= '0' && fg[i] <= '9') {
            v = v * 10 + (fg[i++] - '0');
            digits++;
        }
        if (digits == 0) i = 1; // strtol consumed nothing
        if (fg[i] != '\r' || fg[i + 1] != '\n') {
            // a header cut by the end of the file is a truncation; anything else is malformed
            boolean cut = fg[n - 1] != '\n' && peek() < 0;
            // C's %02x of a (signed) char: bytes >= 0x80 print sign-extended ("ffffffb2"), as in redis-check-aof
            throw new AofFormatException(epos, String.format("Expected \\r\\n, got: %02x%02x", (int) fg[i], (int) fg[i + 1]), cut);
        }
        line++;
        return neg ? -v : v;
    }

    private byte[] readString(boolean keep) throws IOException, AofFormatException {
        long len = readLong('$');
        epos = offset();
        if (len < 0 || len > Long.MAX_VALUE - 2) {
            throw new AofFormatException(epos, "Expected to read string of " + len + " bytes, which is not in the suitable range", false);
        }
        long want = len + 2;
        byte[] out = keep ? new byte[(int) Math.min(len, 1 << 20)] : null;
        long got = 0;
        byte last2 = 0;
        byte last1 = 0;
        while (got < want && fill()) {
            int n = (int) Math.min(want - got, limit - pos);
            if (keep) {
                long payloadEnd = Math.min(got + n, len);
                if (payloadEnd > got) {
                    if (payloadEnd > out.length) {
                        if (len > Integer.MAX_VALUE - 16) throw new AofFormatException(epos, "Argument of " + len + " bytes is too long", false);
                        out = java.util.Arrays.copyOf(out, (int) Math.min(len, Math.max(payloadEnd, (long) out.length * 2)));
                    }
                    System.arraycopy(buf, pos, out, (int) got, (int) (payloadEnd - got));
                }
            }
            if (n >= 2) {
                last2 = buf[pos + n - 2];
                last1 = buf[pos + n - 1];
            } else {
                last2 = last1;
                last1 = buf[pos];
            }
            pos += n;
            got += n;
        }
        if (got < want) throw new AofFormatException(epos, "Expected to read " + want + " bytes, got " + got + " bytes", true);
        if (last2 != '\r' || last1 != '\n') {
            throw new AofFormatException(epos, String.format("Expected \\r\\n, got: %02x%02x", (int) last2, (int) last1), false);
        }
        line++;
        return keep ? out : null;
    }
}
