package io.tandem.storage.resp;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Incremental parser of server <em>replies</em>, RESP2 and RESP3: what a client (tandem-benchmark)
 * or a replica reading its master's stream needs. Bytes may arrive split anywhere, down to one
 * at a time; nothing is cumulated: like {@link RequestDecoder} it keeps only a partial header line
 * and the bulk string being filled, so every input byte is copied at most once.
 *
 * <h2>Values</h2>
 * In materialising mode ({@code new ReplyParser(true)}) each complete top-level reply is handed to
 * the {@link Handler} as:
 * <ul>
 *   <li>simple string {@code +} → {@link String}</li>
 *   <li>error {@code -} and RESP3 bulk error {@code !} → {@link ErrorReply}</li>
 *   <li>integer {@code :} → {@link Long}</li>
 *   <li>bulk string {@code $} → {@code byte[]}; null bulk {@code $-1} → {@code null}</li>
 *   <li>array {@code *} → {@code List<Object>} (nested freely); null array {@code *-1} → {@code null}</li>
 *   <li>RESP3 null {@code _} → {@code null}; boolean {@code #} → {@link Boolean};
 *       double {@code ,} → {@link Double}; big number {@code (} → {@link BigInteger};
 *       verbatim string {@code =} → {@link Verbatim}; map {@code %} → {@link RespMap};
 *       set {@code ~} → {@link RespSet}; push {@code >} → {@link Push}</li>
 *   <li>RESP3 attributes {@code |} are read and dropped: the value they decorate is delivered</li>
 * </ul>
 * Streamed RESP3 strings and aggregates ({@code $?}, {@code *?}), which Redis never sends, are
 * refused with a {@link RespProtocolException}.
 *
 * <p>In counting mode ({@code new ReplyParser(false)}), used on benchmark hot paths, nothing is
 * allocated for a successful reply: the handler receives {@link #OK_REPLY} for any non-error
 * reply and an {@link ErrorReply} for an error at top level.
 *
 * <h2>Threading</h2>
 * One instance per connection, used by one thread at a time.
 */
public final class ReplyParser {
    /** Longest header line accepted (simple strings and errors are lines). */
    public static final int MAX_LINE = 16 * 1024 * 1024;
    /** Largest bulk string accepted (Redis's proto-max-bulk-len upper bound). */
    public static final long MAX_BULK = 512L * 1024 * 1024;

    /** What the handler receives in counting mode for every reply that is not an error. */
    public static final Object OK_REPLY = new Object() {
        @Override
        public String toString() {
            return "<reply>";
        }
    };

    /** Receives each complete top-level reply. */
    public interface Handler {
        void onReply(Object reply);
    }

    /** An error reply: {@code -ERR ...} or RESP3 {@code !<len>}. The message excludes the dash. */
    public record ErrorReply(String message) {
        /** The first word of the message: {@code ERR}, {@code WRONGTYPE}, {@code NOAUTH}, ... */
        public String code() {
            int sp = message.indexOf(' ');
            return sp < 0 ? message : message.substring(0, sp);
        }

        @Override
        public String toString() {
            return "-" + message;
        }
    }

    /** RESP3 verbatim string {@code =<len>\r\n<fmt>:<text>}. */
    public record Verbatim(String format, byte[] text) {
        @Override
        public String toString() {
            return format + ":" + new String(text, StandardCharsets.UTF_8);
        }
    }

    /** RESP3 map: keys and values alternating, in the order received. */
    public record RespMap(List<Object> keysAndValues) {
        public int size() {
            return keysAndValues.size() / 2;
        }
    }

    /** RESP3 set. */
    public record RespSet(List<Object> elements) {}

    /** RESP3 out-of-band push ({@code >}). */
    public record Push(List<Object> elements) {}

    private enum State { TYPE, LINE, BULK_BODY, BULK_CRLF }

    private final boolean materialize;
    private State state = State.TYPE;
    private byte type;
    private byte[] line = new byte[64];
    private int lineLen;
    private byte bulkType;
    private byte[] bulk;
    private long bulkLeft;
    private int bulkFilled;
    private int crlfLeft;

    // Stack of open aggregates.
    private int depth;
    private byte[] frameType = new byte[8];
    private long[] frameLeft = new long[8];
    private Object[] frameItems = new Object[8];
    /** An error seen inside an aggregate, in counting mode: reported when the top level completes. */
    private ErrorReply nestedError;

    public ReplyParser(boolean materialize) {
        this.materialize = materialize;
    }

    /** True when no reply is partly read. */
    public boolean idle() {
        return state == State.TYPE && depth == 0;
    }

    /** Forgets any partly read reply (after a reconnect). */
    public void reset() {
        state = State.TYPE;
        lineLen = 0;
        bulk = null;
        depth = 0;
        nestedError = null;
        Arrays.fill(frameItems, null);
    }

    /**
     * Consumes every readable byte of {@code in}, handing each complete top-level reply to
     * {@code handler}.
     *
     * @throws RespProtocolException when the input is not RESP; the parser is then unusable
     */
    public void parse(ByteBuf in, Handler handler) throws RespProtocolException {
        while (in.isReadable()) {
            switch (state) {
                case TYPE -> {
                    type = in.readByte();
                    lineLen = 0;
                    state = State.LINE;
                }
                case LINE -> {
                    if (!readLine(in)) return;
                    state = State.TYPE;
                    onLine(handler);
                }
                case BULK_BODY -> {
                    int n = (int) Math.min(in.readableBytes(), bulkLeft);
                    if (bulk != null) {
                        in.readBytes(bulk, bulkFilled, n);
                        bulkFilled += n;
                    } else {
                        in.skipBytes(n);
                    }
                    bulkLeft -= n;
                    if (bulkLeft == 0) {
                        crlfLeft = 2;
                        state = State.BULK_CRLF;
                    }
                }
                case BULK_CRLF -> {
                    int n = Math.min(in.readableBytes(), crlfLeft);
                    in.skipBytes(n);
                    crlfLeft -= n;
                    if (crlfLeft == 0) {
                        state = State.TYPE;
                        byte[] b = bulk;
                        bulk = null;
                        completeBulk(b, handler);
                    }
                }
            }
        }
    }

    private void onLine(Handler handler) throws RespProtocolException {
        switch (type) {
            case '+' -> complete(materialize ? ascii() : OK_REPLY, handler);
            case '-' -> complete(new ErrorReply(utf8()), handler);
            case ':' -> complete(materialize ? (Object) number() : OK_REPLY, handler);
            case '$', '!', '=' -> {
                if (lineLen == 1 && line[0] == '?') {
                    throw new RespProtocolException("streamed strings are not supported");
                }
                long len = number();
                if (len == -1 && type == '$') {
                    complete(null, handler);
                    return;
                }
                if (len < 0 || len > MAX_BULK) throw new RespProtocolException("invalid bulk length");
                bulkType = type;
                bulkLeft = len;
                bulkFilled = 0;
                // Errors are always kept: their text is what a person needs to see.
                bulk = (materialize || type == '!') ? new byte[(int) len] : null;
                state = len == 0 ? State.BULK_CRLF : State.BULK_BODY;
                crlfLeft = 2;
            }
            case '*', '%', '~', '>', '|' -> {
                if (lineLen == 1 && line[0] == '?') {
                    throw new RespProtocolException("streamed aggregates are not supported");
                }
                long n = number();
                if (n == -1 && type == '*') {
                    complete(null, handler);
                    return;
                }
                if (n < 0 || n > Integer.MAX_VALUE / 2) {
                    throw new RespProtocolException("invalid multibulk length");
                }
                long count = (type == '%' || type == '|') ? n * 2 : n;
                if (count == 0) {
                    if (type == '|') return; // an empty attribute decorates the next value
                    complete(materialize ? aggregate(type, new ArrayList<>(0)) : OK_REPLY, handler);
                    return;
                }
                push(type, count);
            }
            case '_' -> complete(null, handler);
            case '#' -> {
                if (lineLen != 1 || (line[0] != 't' && line[0] != 'f')) {
                    throw new RespProtocolException("invalid boolean");
                }
                complete(materialize ? (Object) (line[0] == 't') : OK_REPLY, handler);
            }
            case ',' -> complete(materialize ? (Object) parseDouble(ascii()) : OK_REPLY, handler);
            case '(' -> {
                try {
                    complete(materialize ? new BigInteger(ascii()) : OK_REPLY, handler);
                } catch (NumberFormatException e) {
                    throw new RespProtocolException("invalid big number");
                }
            }
            default -> throw new RespProtocolException(
                    "unexpected reply type byte '" + printable(type) + "'");
        }
    }

    private void completeBulk(byte[] b, Handler handler) throws RespProtocolException {
        switch (bulkType) {
            case '!' -> complete(new ErrorReply(new String(b, StandardCharsets.UTF_8)), handler);
            case '=' -> {
                if (!materialize) {
                    complete(OK_REPLY, handler);
                } else if (b.length >= 4 && b[3] == ':') {
                    complete(new Verbatim(new String(b, 0, 3, StandardCharsets.US_ASCII),
                            Arrays.copyOfRange(b, 4, b.length)), handler);
                } else {
                    complete(new Verbatim("txt", b), handler);
                }
            }
            default -> complete(materialize ? b : OK_REPLY, handler);
        }
    }

    private void push(byte t, long count) {
        if (depth == frameType.length) {
            int n = depth * 2;
            frameType = Arrays.copyOf(frameType, n);
            frameLeft = Arrays.copyOf(frameLeft, n);
            frameItems = Arrays.copyOf(frameItems, n);
        }
        frameType[depth] = t;
        frameLeft[depth] = count;
        frameItems[depth] = materialize || t == '|' ? new ArrayList<>((int) Math.min(count, 1024)) : null;
        depth++;
    }

    @SuppressWarnings("unchecked")
    private void complete(Object value, Handler handler) {
        while (true) {
            if (depth == 0) {
                if (nestedError != null && !(value instanceof ErrorReply)) {
                    value = materialize ? value : nestedError;
                }
                nestedError = null;
                handler.onReply(value);
                return;
            }
            int top = depth - 1;
            if (!materialize && value instanceof ErrorReply e && nestedError == null && frameType[top] != '|') {
                nestedError = e;
            }
            List<Object> items = (List<Object>) frameItems[top];
            if (items != null) items.add(value);
            if (--frameLeft[top] > 0) return;
            byte t = frameType[top];
            frameItems[top] = null;
            depth--;
            if (t == '|') return; // attributes are dropped; the decorated value comes next
            value = materialize ? aggregate(t, items) : OK_REPLY;
        }
    }

    private static Object aggregate(byte t, List<Object> items) {
        return switch (t) {
            case '%' -> new RespMap(Collections.unmodifiableList(items));
            case '~' -> new RespSet(Collections.unmodifiableList(items));
            case '>' -> new Push(Collections.unmodifiableList(items));
            default -> items;
        };
    }

    /** Appends input up to the next LF to {@link #line}; true when the line is complete (CR LF excluded). */
    private boolean readLine(ByteBuf in) throws RespProtocolException {
        int start = in.readerIndex();
        int nl = in.forEachByte(start, in.readableBytes(), ByteProcessor.FIND_LF);
        int end = nl < 0 ? in.writerIndex() : nl;
        int n = end - start;
        if (lineLen + n > line.length) {
            if (lineLen + n > MAX_LINE) throw new RespProtocolException("reply line too long");
            line = Arrays.copyOf(line, Math.max(line.length * 2, lineLen + n));
        }
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

    private long number() throws RespProtocolException {
        long v = RequestDecoder.parseLong(line, 0, lineLen);
        if (v == Long.MIN_VALUE) throw new RespProtocolException("invalid number '" + ascii() + "'");
        return v;
    }

    private String ascii() {
        return new String(line, 0, lineLen, StandardCharsets.US_ASCII);
    }

    private String utf8() {
        return new String(line, 0, lineLen, StandardCharsets.UTF_8);
    }

    private static double parseDouble(String s) throws RespProtocolException {
        switch (s) {
            case "inf", "+inf" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf" -> {
                return Double.NEGATIVE_INFINITY;
            }
            case "nan", "-nan" -> {
                return Double.NaN;
            }
            default -> {
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new RespProtocolException("invalid double '" + s + "'");
                }
            }
        }
    }

    private static String printable(byte b) {
        int c = b & 0xff;
        return c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c);
    }
}
