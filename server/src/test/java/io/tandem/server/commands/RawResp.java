package io.tandem.server.commands;

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
 * A test connection that returns each reply as its raw RESP2/RESP3 bytes (so replies of two
 * servers can be compared byte for byte), pipelining a batch of commands per round trip.
 */
final class RawResp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawResp(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(30_000);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    }

    String call(String... args) throws IOException {
        return pipeline(List.<String[]>of(args)).get(0);
    }

    List<String> pipeline(List<String[]> commands) throws IOException {
        for (String[] c : commands) write(c);
        out.flush();
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) replies.add(readReply());
        return replies;
    }

    private void write(String[] args) throws IOException {
        out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.ISO_8859_1);
            out.write(('$' + Integer.toString(b.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(b);
            out.write('\r');
            out.write('\n');
        }
    }

    /** One whole reply, raw (ISO-8859-1 so bytes map 1:1 to chars). */
    String readReply() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        readInto(b);
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private String line(ByteArrayOutputStream b) throws IOException {
        ByteArrayOutputStream l = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) throw new EOFException();
            l.write(c);
        }
        if (in.read() != '\n') throw new IOException("bad line");
        byte[] bytes = l.toByteArray();
        b.write(bytes, 0, bytes.length);
        b.write('\r');
        b.write('\n');
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private void readInto(ByteArrayOutputStream b) throws IOException {
        int t = in.read();
        if (t < 0) throw new EOFException("closed");
        b.write(t);
        String l = line(b);
        switch (t) {
            case '$', '=', '!' -> {
                int n = Integer.parseInt(l);
                if (n >= 0) {
                    byte[] d = in.readNBytes(n + 2);
                    b.write(d, 0, d.length);
                }
            }
            case '*', '~', '>' -> {
                int n = Integer.parseInt(l);
                for (int i = 0; i < n; i++) readInto(b);
            }
            case '%', '|' -> {
                int n = Integer.parseInt(l);
                for (int i = 0; i < 2 * n; i++) readInto(b);
            }
            default -> { }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
