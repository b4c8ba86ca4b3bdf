package io.tandem.storage.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} for interop tests: started on a free port in its own temp
 * directory (no RDB, no AOF), with a tiny RESP2 client over a socket, stopped and cleaned up on
 * {@link #close()}.
 *
 * <pre>
 * try (RedisProcess redis = RedisProcess.start()) {
 *     redis.call("SET", "k", "v");
 *     String digest = redis.callString("DEBUG", "DIGEST");
 * }
 * </pre>
 *
 * <p>The binary is {@code $REDIS_SERVER} if set, else {@code redis-server} on the PATH. When it is
 * missing the calling test is <em>skipped</em> (JUnit assumption), except when the environment
 * variable {@code CI=true}, where it fails: CI must not silently lose interop coverage.
 *
 * <p>Replies of {@link #call}: simple string -> {@code String}, integer -> {@code Long}, bulk ->
 * {@code byte[]} (null for nil), array -> {@code List<Object>} (null for nil); an error reply
 * throws {@link RedisError}. One connection, synchronized; {@link #connect()} gives more.
 */
public final class RedisProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Process process;
    private final Path dir;
    private final int port;
    private final Client client;

    private RedisProcess(Process process, Path dir, int port, Client client) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.client = client;
    }

    /** Error reply from the server. */
    public static final class RedisError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RedisError(String message) {
            super(message);
        }
    }

    /** Path of redis-server, or null. */
    public static Path findBinary() {
        String override = System.getenv("REDIS_SERVER");
        if (override != null && !override.isBlank()) {
            Path p = Paths.get(override);
            return Files.isExecutable(p) ? p : null;
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (d.isEmpty()) {
                    continue;
                }
                Path p = Paths.get(d, "redis-server");
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        Path usual = Paths.get("/usr/bin/redis-server");
        return Files.isExecutable(usual) ? usual : null;
    }

    /** Skips the test (or fails it when CI=true) unless redis-server is available. */
    public static Path requireBinary() {
        Path bin = findBinary();
        if (bin == null) {
            String msg = "redis-server not found (PATH or $REDIS_SERVER)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(msg + "; required when CI=true");
            }
            Assumptions.abort(msg + "; skipping interop test");
        }
        return bin;
    }

    /**
     * Starts redis-server with {@code --save "" --appendonly no --enable-debug-command yes} plus
     * {@code extraArgs} (e.g. {@code "--databases", "32"}), and waits until it answers PING.
     */
    public static RedisProcess start(String... extraArgs) {
        Path bin = requireBinary();
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            Path dir = null;
            try {
                dir = Files.createTempDirectory("tandem-redis-");
                int port = freePort();
                List<String> cmd = new ArrayList<>(List.of(bin.toString(),
                        "--port", Integer.toString(port),
                        "--bind", "127.0.0.1",
                        "--dir", dir.toString(),
                        "--save", "",
                        "--appendonly", "no",
                        "--enable-debug-command", "yes",
                        "--daemonize", "no",
                        "--logfile", dir.resolve("redis.log").toString()));
                cmd.addAll(List.of(extraArgs));
                Process p = new ProcessBuilder(cmd)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("stdout.log").toFile())
                        .start();
                Client c = awaitReady(p, port, dir);
                if (c != null) {
                    return new RedisProcess(p, dir, port, c);
                }
                // Died before answering (most likely the port was taken meanwhile): retry.
                last = new IOException("redis-server exited early:\n" + logs(dir));
                destroy(p);
                deleteTree(dir);
            } catch (IOException e) {
                last = e;
                if (dir != null) {
                    deleteTree(dir);
                }
            }
        }
        throw new UncheckedIOException("could not start redis-server", last);
    }

    private static Client awaitReady(Process p, int port, Path dir) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                return null;
            }
            try {
                Client c = new Client(port);
                try {
                    if ("PONG".equals(c.call(args("PING")))) {
                        return c;
                    }
                } catch (RedisError e) {
                    // e.g. LOADING: keep waiting
                }
                c.close();
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                destroy(p);
                throw new IOException("interrupted while waiting for redis-server", e);
            }
        }
        destroy(p);
        throw new IOException("redis-server did not answer PING within " + START_TIMEOUT + ":\n" + logs(dir));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** Temp directory of this server (its working dir and log). */
    public Path dir() {
        return dir;
    }

    /** Sends one command on the shared connection; arguments are String (UTF-8), byte[] or numbers. */
    public Object call(Object... args) {
        synchronized (client) {
            try {
                return client.call(args(args));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** {@link #call} for replies that are text (simple or bulk string). */
    public String callString(Object... args) {
        Object r = call(args);
        if (r instanceof byte[] b) {
            return new String(b, UTF_8);
        }
        return (String) r;
    }

    /** Sends all commands, then reads all replies (errors are returned as {@link RedisError}). */
    public List<Object> pipeline(List<Object[]> commands) {
        synchronized (client) {
            try {
                return client.pipeline(commands);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A new, separate connection; the caller closes it. */
    public Client connect() throws IOException {
        return new Client(port);
    }

    /** The server's log so far (for assertion messages). */
    public String logs() {
        return logs(dir);
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException ignored) {
            // shutting down anyway
        }
        destroy(process);
        deleteTree(dir);
    }

    private static void destroy(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String logs(Path dir) {
        StringBuilder sb = new StringBuilder();
        for (String f : new String[] {"stdout.log", "redis.log"}) {
            Path p = dir.resolve(f);
            try {
                if (Files.exists(p)) {
                    sb.append("--- ").append(f).append('\n').append(Files.readString(p));
                }
            } catch (IOException e) {
                sb.append("(cannot read ").append(f).append(": ").append(e).append(")\n");
            }
        }
        return sb.toString();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    static byte[][] args(Object... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof byte[] b) {
                out[i] = b;
            } else if (a instanceof String s) {
                out[i] = s.getBytes(UTF_8);
            } else if (a instanceof Number || a instanceof Character) {
                out[i] = a.toString().getBytes(UTF_8);
            } else {
                throw new IllegalArgumentException("unsupported argument type: " + a);
            }
        }
        return out;
    }

    /** A new connection to any server speaking RESP (e.g. an in-process Tandem); the caller closes it. */
    public static Client connect(String host, int port) throws IOException {
        return new Client(host, port);
    }

    /** A minimal blocking RESP2 connection. */
    public static final class Client implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Client(int port) throws IOException {
            this("127.0.0.1", port);
        }

        Client(String host, int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress(host, port), 1000);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        }

        public Object call(Object... args) throws IOException {
            return call(args(args));
        }

        Object call(byte[][] args) throws IOException {
            write(args);
            out.flush();
            Object r = read();
            if (r instanceof RedisError e) {
                throw new RedisError(e.getMessage());
            }
            return r;
        }

        public List<Object> pipeline(List<Object[]> commands) throws IOException {
            for (Object[] c : commands) {
                write(args(c));
            }
            out.flush();
            List<Object> replies = new ArrayList<>(commands.size());
            for (int i = 0; i < commands.size(); i++) {
                replies.add(read());
            }
            return replies;
        }

        private void write(byte[][] args) throws IOException {
            out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(UTF_8));
            for (byte[] a : args) {
                out.write(('$' + Integer.toString(a.length) + "\r\n").getBytes(UTF_8));
                out.write(a);
                out.write('\r');
                out.write('\n');
            }
        }

        /** Reads one reply; an error reply is returned (not thrown) as a RedisError. */
        private Object read() throws IOException {
            int t = in.read();
            if (t < 0) {
                throw new EOFException("connection closed by redis-server");
            }
            String line = readLine();
            switch (t) {
                case '+':
                    return line;
                case '-':
                    return new RedisError(line);
                case ':':
                    return Long.parseLong(line);
                case '$': {
                    int n = Integer.parseInt(line);
                    if (n < 0) {
                        return null;
                    }
                    byte[] b = in.readNBytes(n);
                    if (b.length != n || in.read() != '\r' || in.read() != '\n') {
                        throw new EOFException("truncated bulk reply");
                    }
                    return b;
                }
                case '*': {
                    int n = Integer.parseInt(line);
                    if (n < 0) {
                        return null;
                    }
                    List<Object> items = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        items.add(read());
                    }
                    return items;
                }
                default:
                    throw new IOException("unexpected RESP type byte: " + (char) t);
            }
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream(32);
            int c;
            while ((c = in.read()) != '\r') {
                if (c < 0) {
                    throw new EOFException("connection closed mid-line");
                }
                b.write(c);
            }
            if (in.read() != '\n') {
                throw new IOException("malformed RESP line");
            }
            return b.toString(UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
