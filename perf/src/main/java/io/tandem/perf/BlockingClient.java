package io.tandem.perf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tandem.storage.resp.ReplyParser;
import io.tandem.storage.resp.RespProtocolException;
import io.tandem.storage.resp.RespWriter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * A plain blocking connection for what is not measured: the check before a run, setting data up,
 * the replication-lag probes. Every failure is an {@link IOException} with a message for a person.
 */
final class BlockingClient implements AutoCloseable {
    final String host;
    final int port;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ReplyParser parser = new ReplyParser(true);
    private final ArrayDeque<Object> replies = new ArrayDeque<>();
    private final byte[] readBuf = new byte[64 * 1024];
    private final ByteBuf encode = Unpooled.buffer(256);
    private final RespWriter writer = new RespWriter(encode);

    BlockingClient(String host, int port, int timeoutMs) throws IOException {
        this.host = host;
        this.port = port;
        socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), timeoutMs);
            socket.setSoTimeout(timeoutMs);
        } catch (java.net.UnknownHostException e) {
            socket.close();
            throw new IOException("cannot connect to " + host + ":" + port + ": unknown host");
        } catch (SocketTimeoutException e) {
            socket.close();
            throw new IOException("cannot connect to " + host + ":" + port + ": timed out after " + timeoutMs + " ms");
        } catch (IOException e) {
            socket.close();
            throw new IOException("cannot connect to " + host + ":" + port + ": " + e.getMessage());
        }
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Connects, authenticates when a password is given and checks the server answers PING. */
    static BlockingClient open(String host, int port, String user, String password, int timeoutMs) throws IOException {
        BlockingClient c = new BlockingClient(host, port, timeoutMs);
        try {
            if (password != null) {
                Object r = user != null ? c.call("AUTH", user, password) : c.call("AUTH", password);
                if (r instanceof ReplyParser.ErrorReply e) {
                    throw new IOException("authentication to " + c.target() + " failed: " + e.message());
                }
            }
            Object pong = c.call("PING");
            if (pong instanceof ReplyParser.ErrorReply e) {
                if (e.code().equals("NOAUTH")) {
                    throw new IOException(c.target() + " requires a password (-a PASSWORD): " + e.message());
                }
                throw new IOException(c.target() + " answered PING with an error: " + e.message());
            }
            return c;
        } catch (IOException e) {
            c.close();
            throw e;
        }
    }

    String target() {
        return host + ":" + port;
    }

    void setTimeout(int ms) throws IOException {
        socket.setSoTimeout(ms);
    }

    /** Sends a command and returns its reply (an {@link ReplyParser.ErrorReply} for an error). */
    Object call(String... args) throws IOException {
        send(args);
        return read();
    }

    void send(String... args) throws IOException {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        send(argv);
    }

    void send(byte[]... argv) throws IOException {
        encode.clear();
        writer.command(argv);
        try {
            out.write(encode.array(), encode.arrayOffset() + encode.readerIndex(), encode.readableBytes());
            out.flush();
        } catch (IOException e) {
            throw new IOException("connection to " + target() + " lost: " + e.getMessage());
        }
    }

    Object read() throws IOException {
        while (replies.isEmpty()) {
            int n;
            try {
                n = in.read(readBuf);
            } catch (SocketTimeoutException e) {
                throw new IOException("no reply from " + target() + " within " + socket.getSoTimeout() + " ms");
            } catch (IOException e) {
                throw new IOException("connection to " + target() + " lost: " + e.getMessage());
            }
            if (n < 0) throw new IOException("connection to " + target() + " closed by the server");
            try {
                parser.parse(Unpooled.wrappedBuffer(readBuf, 0, n), r -> replies.add(r == null ? NULL : r));
            } catch (RespProtocolException e) {
                throw new IOException(target() + " sent something that is not RESP: " + e.getMessage());
            }
        }
        Object r = replies.poll();
        return r == NULL ? null : r;
    }

    private static final Object NULL = new Object();

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
