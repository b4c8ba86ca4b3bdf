package io.tandem.perf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tandem.storage.resp.RespWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One command, RESP-encoded once (with {@link RespWriter#command}); each request copies the bytes
 * and patches every {@code __rand_int__} field in place with a 12-digit key number, as
 * redis-benchmark does. {@code __data__} is the -d byte value, fixed at encoding time.
 */
final class Template {
    static final String RAND = "__rand_int__";
    static final String DATA = "__data__";
    static final int DIGITS = 12;

    final String text;
    final byte[] encoded;
    final int[] randOffsets;

    private Template(String text, byte[] encoded, int[] randOffsets) {
        this.text = text;
        this.encoded = encoded;
        this.randOffsets = randOffsets;
    }

    static Template of(List<String> args, int dataSize) {
        byte[] data = new byte[dataSize];
        Arrays.fill(data, (byte) 'x');
        byte[][] argv = new byte[args.size()][];
        List<int[]> marks = new ArrayList<>(); // {argIndex, offsetInArg}
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            java.io.ByteArrayOutputStream arg = new java.io.ByteArrayOutputStream();
            int p = 0;
            while (p < a.length()) {
                if (a.startsWith(RAND, p)) {
                    marks.add(new int[] {i, arg.size()});
                    arg.writeBytes("000000000000".getBytes(StandardCharsets.US_ASCII));
                    p += RAND.length();
                } else if (a.startsWith(DATA, p)) {
                    arg.writeBytes(data);
                    p += DATA.length();
                } else {
                    int cp = a.codePointAt(p);
                    arg.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                    p += Character.charCount(cp);
                }
            }
            argv[i] = arg.toByteArray();
        }
        ByteBuf buf = Unpooled.buffer();
        new RespWriter(buf).command(argv);
        byte[] encoded = new byte[buf.readableBytes()];
        buf.readBytes(encoded);
        buf.release();
        // Where each argument's bytes start: after "*N\r\n" and its "$len\r\n".
        int[] argStart = new int[argv.length];
        int pos = ("*" + argv.length + "\r\n").length();
        for (int i = 0; i < argv.length; i++) {
            pos += ("$" + argv[i].length + "\r\n").length();
            argStart[i] = pos;
            pos += argv[i].length + 2;
        }
        int[] offsets = new int[marks.size()];
        for (int m = 0; m < offsets.length; m++) offsets[m] = argStart[marks.get(m)[0]] + marks.get(m)[1];
        String text = String.join(" ", args);
        if (text.length() > 80) text = text.substring(0, 77) + "...";
        return new Template(text, encoded, offsets);
    }

    /** Appends one request, every __rand_int__ drawn from {@code keys}. */
    void write(ByteBuf out, KeyPattern.Source keys) {
        int base = out.writerIndex();
        out.writeBytes(encoded);
        for (int off : randOffsets) {
            long v = keys.next();
            int at = base + off + DIGITS;
            for (int d = 0; d < DIGITS; d++) {
                out.setByte(--at, (int) ('0' + v % 10));
                v /= 10;
            }
        }
    }

    int size() {
        return encoded.length;
    }
}
