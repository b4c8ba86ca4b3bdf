package io.tandem.storage.resp;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

import java.util.ArrayList;
import java.util.List;

/**
 * Incremental decoder of client requests: RESP multibulk ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}) and
 * inline commands ({@code GET k\r\n}, what a person types into telnet), as Redis's
 * {@code processMultibulkBuffer} / {@code processInlineBuffer} accept them.
 *
 * <h2>No cumulation</h2>
 * Netty's {@code ByteToMessageDecoder} keeps the unread tail of every read in one growing buffer,
 * which copies a large argument again on each read (quadratic in its size). This decoder instead
 * keeps only what it needs between calls: the partial header line (at most {@link #MAX_LINE}
 * bytes) and the argument being filled. A bulk argument is allocated once, at its declared size,
 * and each read copies its bytes into place: every byte of input is copied exactly once. The
 * caller releases its buffer as soon as {@link #decode} returns.
 *
 * <h2>Output</h2>
 * Each complete command is handed to the sink as {@code byte[][] argv}; the arrays belong to the
 * receiver from then on (they cross to the executor thread).
 *
 * <h2>Threading</h2>
 * One instance per connection, used by that connection's event-loop thread only.
 */
public final class RequestDecoder {
    /** Redis's PROTO_INLINE_MAX_SIZE: the longest inline request or header line (64 KiB). */
    public static final int MAX_LINE = 64 * 1024;
    /** Redis rejects a multibulk count above INT_MAX... and above 1024*1024*1024 in 7.0. */
    private static final long MAX_MULTIBULK = 1024L * 1024 * 1024;

    /** Receives each decoded command. */
    public interface Sink {
        void onCommand(byte[][] argv);
    }

    private enum State { START, INLINE, MULTIBULK_COUNT, BULK_HEADER, BULK_BODY, BULK_CRLF }

    private State state = State.START;
    private final byte[] line = new byte[MAX_LINE];
    private int lineLen;
    private byte[][] argv;
    private int argIndex;
    private byte[] bulk;
    private int bulkFilled;
    private int crlfLeft;
    private long maxBulkLen;

    public RequestDecoder(long maxBulkLen) {
        this.maxBulkLen = maxBulkLen;
    }

    /** proto-max-bulk-len, changeable at runtime through CONFIG SET. */
    public void setMaxBulkLen(long maxBulkLen) {
        this.maxBulkLen = maxBulkLen;
    }

    /** True when no command is partly read: the connection is between commands. */
    public boolean idle() {
        return state == State.START && lineLen == 0;
    }

    /** Bytes held for an unfinished command (for client-query-buffer-limit and CLIENT LIST qbuf). */
    public long pendingBytes() {
        long n = lineLen;
        if (bulk != null) n += bulkFilled;
        if (argv != null) {
            for (int i = 0; i < argIndex; i++) n += argv[i].length;
        }
        return n;
    }

    /**
     * Consumes every readable byte of {@code in}, emitting each complete command to {@code sink}.
     *
     * @throws RespProtocolException on a grammar error; the decoder is then unusable and the
     *     connection must be closed after the error reply
     */
    public void decode(ByteBuf in, Sink sink) throws RespProtocolException {
        while (in.isReadable()) {
            switch (state) {
                case START -> {
                    if (lineLen == 0 && in.getByte(in.readerIndex()) == '*') {
                        in.skipBytes(1);
                        state = State.MULTIBULK_COUNT;
                    } else {
                        state = State.INLINE;
                    }
                }
                case INLINE -> {
                    if (!readLine(in, "too big inline request")) return;
                    byte[][] args = InlineSplitter.split(line, lineLen);
                    lineLen = 0;
                    state = State.START;
                    if (args.length > 0) sink.onCommand(args);
                }
                case MULTIBULK_COUNT -> {
                    if (!readLine(in, "too big mbulk count string")) return;
                    long n = parseLong(line, 0, lineLen);
                    lineLen = 0;
                    if (n == Long.MIN_VALUE || n > MAX_MULTIBULK) {
                        throw new RespProtocolException("invalid multibulk length");
                    }
                    if (n <= 0) {
                        state = State.START; // "*0" and "*-1" are empty requests, skipped
                    } else {
                        argv = new byte[(int) n][];
                        argIndex = 0;
                        state = State.BULK_HEADER;
                    }
                }
                case BULK_HEADER -> {
                    if (lineLen == 0) {
                        byte b = in.getByte(in.readerIndex());
                        if (b != '$') {
                            throw new RespProtocolException("expected '$', got '" + (char) (b & 0xff) + "'");
                        }
                        in.skipBytes(1);
                        line[0] = '$';
                        lineLen = 1;
                    }
                    if (!readLine(in, "too big bulk count string")) return;
                    long len = parseLong(line, 1, lineLen - 1);
                    lineLen = 0;
                    if (len < 0 || len == Long.MIN_VALUE || len > maxBulkLen) {
                        throw new RespProtocolException("invalid bulk length");
                    }
                    bulk = new byte[(int) Math.min(len, Integer.MAX_VALUE - 8)];
                    if (bulk.length != len) throw new RespProtocolException("invalid bulk length");
                    bulkFilled = 0;
                    state = State.BULK_BODY;
                }
                case BULK_BODY -> {
                    int n = Math.min(in.readableBytes(), bulk.length - bulkFilled);
                    in.readBytes(bulk, bulkFilled, n);
                    bulkFilled += n;
                    if (bulkFilled == bulk.length) {
                        crlfLeft = 2;
                        state = State.BULK_CRLF;
                    }
                }
                case BULK_CRLF -> {
                    // Redis skips the two bytes after a bulk without looking at them; so do we.
                    int n = Math.min(in.readableBytes(), crlfLeft);
                    in.skipBytes(n);
                    crlfLeft -= n;
                    if (crlfLeft == 0) {
                        argv[argIndex++] = bulk;
                        bulk = null;
                        if (argIndex == argv.length) {
                            byte[][] done = argv;
                            argv = null;
                            state = State.START;
                            sink.onCommand(done);
                        } else {
                            state = State.BULK_HEADER;
                        }
                    }
                }
            }
        }
    }

    /**
     * Appends input up to and including the next '\n' to {@link #line}; true when the line is
     * complete ({@code lineLen} then excludes the CR LF, or the lone LF as Redis tolerates).
     */
    private boolean readLine(ByteBuf in, String tooBig) throws RespProtocolException {
        int start = in.readerIndex();
        int nl = in.forEachByte(start, in.readableBytes(), ByteProcessor.FIND_LF);
        int end = nl < 0 ? in.writerIndex() : nl;
        int n = end - start;
        if (lineLen + n > MAX_LINE) throw new RespProtocolException(tooBig);
        in.getBytes(start, line, lineLen, n);
        lineLen += n;
        if (nl < 0) {
            in.readerIndex(end);
            return false;
        }
        in.readerIndex(nl + 1);
        if (lineLen > 0 && line[lineLen - 1] == '\r') lineLen--;
        return true;
    }

    /** Parses a signed decimal; {@link Long#MIN_VALUE} when it is not one (as string2ll fails). */
    static long parseLong(byte[] b, int off, int len) {
        if (len <= 0 || len > 20) return Long.MIN_VALUE;
        int i = off;
        int end = off + len;
        boolean neg = false;
        if (b[i] == '-') {
            neg = true;
            if (++i == end) return Long.MIN_VALUE;
        }
        long v = 0;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) return Long.MIN_VALUE;
            if (v > (Long.MAX_VALUE - d) / 10) return Long.MIN_VALUE;
            v = v * 10 + d;
        }
        return neg ? -v : v;
    }

    /**
     * Splits an inline request the way Redis's {@code sdssplitargs} does: spaces separate
     * arguments, "double quotes" allow \n \r \t \b \a \\ \" and \xHH escapes, 'single quotes'
     * allow \' only, and a closing quote must be followed by a space or the end.
     */
    static final class InlineSplitter {
        private InlineSplitter() {}

        static byte[][] split(byte[] line, int len) throws RespProtocolException {
            List<byte[]> out = new ArrayList<>(4);
            byte[] cur = new byte[len];
            int p = 0;
            while (true) {
                while (p < len && isSpace(line[p])) p++;
                if (p >= len) break;
                int n = 0;
                boolean inDq = false, inSq = false, done = false;
                while (!done) {
                    if (inDq) {
                        if (p >= len) throw new RespProtocolException("unbalanced quotes in request");
                        byte c = line[p];
                        if (c == '\\' && p + 3 < len && line[p + 1] == 'x' && isHex(line[p + 2]) && isHex(line[p + 3])) {
                            cur[n++] = (byte) ((hex(line[p + 2]) << 4) | hex(line[p + 3]));
                            p += 3;
                        } else if (c == '\\' && p + 1 < len) {
                            p++;
                            byte e = line[p];
                            cur[n++] = switch (e) {
                                case 'n' -> '\n';
                                case 'r' -> '\r';
                                case 't' -> '\t';
                                case 'b' -> '\b';
                                case 'a' -> 7;
                                default -> e;
                            };
                        } else if (c == '"') {
                            if (p + 1 < len && !isSpace(line[p + 1])) {
                                throw new RespProtocolException("unbalanced quotes in request");
                            }
                            done = true;
                        } else {
                            cur[n++] = c;
                        }
                    } else if (inSq) {
                        if (p >= len) throw new RespProtocolException("unbalanced quotes in request");
                        byte c = line[p];
                        if (c == '\\' && p + 1 < len && line[p + 1] == '\'') {
                            p++;
                            cur[n++] = '\'';
                        } else if (c == '\'') {
                            if (p + 1 < len && !isSpace(line[p + 1])) {
                                throw new RespProtocolException("unbalanced quotes in request");
                            }
                            done = true;
                        } else {
                            cur[n++] = c;
                        }
                    } else {
                        if (p >= len) {
                            done = true;
                            break;
                        }
                        byte c = line[p];
                        switch (c) {
                            case ' ', '\n', '\r', '\t', 0 -> done = true;
                            case '"' -> inDq = true;
                            case '\'' -> inSq = true;
                            default -> cur[n++] = c;
                        }
                    }
                    if (p < len) p++;
                }
                byte[] arg = new byte[n];
                System.arraycopy(cur, 0, arg, 0, n);
                out.add(arg);
            }
            return out.toArray(new byte[0][]);
        }

        private static boolean isSpace(byte c) {
            return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
        }

        private static boolean isHex(byte c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        }

        private static int hex(byte c) {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            return c - 'A' + 10;
        }
    }
}
