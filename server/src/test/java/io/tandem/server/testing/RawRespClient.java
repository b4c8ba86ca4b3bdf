package io.tandem.server.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A test connection that returns each reply as its exact bytes (RESP2 and RESP3), so two
 * servers can be compared byte for byte: type, value, nesting and all. The bytes are held in
 * ISO-8859-1 Strings (one char per byte) for readable assertion messages.
 */
public final class RawRespClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawRespClient(String host, int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 2000);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(30_000);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    }

    /** Sends one command; returns its raw reply. */
    public String call(byte[]... argv) throws IOException {
        return pipeline(java.util.Collections.singletonList(argv)).get(0);
    }

    /** Sends all commands, then reads one raw reply for each. */
    public List<String> pipeline(List<byte[][]> commands) throws IOException {
        for (byte[][] argv : commands) {
            out.write(('*' + Integer.toString(argv.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (byte[] a : argv) {
                out.write(('$' + Integer.toString(a.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(a);
                out.write('\r');
                out.write('\n');
            }
        }
        out.flush();
        List<String> replies = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            readReply(raw);
            replies.add(raw.toString(StandardCharsets.ISO_8859_1));
        }
        return replies;
    }

    private void readReply(ByteArrayOutputStream raw) throws IOException {
        int t = in.read();
        if (t < 0) throw new EOFException("connection closed");
        raw.write(t);
        String line = readLine(raw);
        switch (t) {
            case '+', '-', ':', '_', ',', '#', '(' -> { }
            case '$', '=', '!' -> {
                int n = Integer.parseInt(line);
                if (n >= 0) {
                    byte[] b = in.readNBytes(n + 2);
                    if (b.length != n + 2) throw new EOFException("truncated bulk");
                    raw.write(b);
                }
            }
            case '*', '~', '>' -> {
                int n = Integer.parseInt(line);
                for (int i = 0; i < n; i++) readReply(raw);
            }
            case '%', '|' -> {
                int n = Integer.parseInt(line);
                for (int i = 0; i < 2 * n; i++) readReply(raw);
            }
            default -> throw new IOException("unexpected RESP type byte: " + (char) t);
        }
    }

    private String readLine(ByteArrayOutputStream raw) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) throw new EOFException("connection closed mid-line");
            sb.append((char) c);
        }
        if (in.read() != '\n') throw new IOException("malformed RESP line");
        raw.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        raw.write('\r');
        raw.write('\n');
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
