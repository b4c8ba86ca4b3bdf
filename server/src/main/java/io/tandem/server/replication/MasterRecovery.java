package io.tandem.server.replication;

import io.tandem.replication.ReplicationIds;
import io.tandem.server.Server;
import io.tandem.server.command.CommandFlag;
import io.tandem.server.commands.RdbValues;
import io.tandem.server.config.ServerConfig;
import io.tandem.storage.keyspace.Keyspace;
import io.tandem.storage.rdb.RdbFileReader;
import io.tandem.storage.rdb.RdbFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A master that keeps nothing on disk ({@code save ""}, {@code appendonly no}) getting its
 * dataset back from its replicas after a restart ({@code master-recover-from-replica yes};
 * issue #6). Without this, such a master restarts empty and its replicas copy the emptiness.
 *
 * <pre>
 *   startup, dataset loaded: a master (no replicaof), recovery on, no key and offset 0?
 *     └─ yes: RECOVERING — everything without the "loading" command flag gets
 *             -LOADING Tandem is recovering the dataset from a replica (replicas' PING and
 *             PSYNC too: they retry every second)
 *   bound ("Ready to accept connections"), thread tandem-master-recovery, until master-recover-timeout:
 *     each candidate (master-recover-candidates, else dir/known-replicas):
 *        connect, [AUTH [masteruser] masterauth], INFO replication ─► role, replid, offset
 *     most advanced replica first (highest master_repl_offset; masters and empty ones skipped):
 *        REPLCONF listening-port p, REPLCONF tandem-recover 1, PSYNC ? -1
 *        ─► +FULLRESYNC replid offset, $len or $EOF:&lt;40&gt; RDB, read whole, connection closed
 *        executor: load into the empty keyspace, Replication.recovered(replid, offset)
 *                  (new replid, the candidate's kept as replid2 up to offset+1: the replicas
 *                  continue with +CONTINUE), persistence told as after a full sync, serve
 *     a candidate failing mid-transfer ─► the next one; nothing is loaded from a partial RDB
 *   no candidate within the timeout ─► WARNING, start EMPTY with a new history
 * </pre>
 *
 * <p>{@code REPLCONF tandem-recover 1} lets a replica whose own master link is down (it is
 * down: its master is the one recovering) serve a full sync; a Redis replica refuses it, so
 * only Tandem replicas can be candidates. A candidate must still be a replica (role:slave): one
 * an operator promoted meanwhile is the new master, and copying it would make two. The
 * recovering connection is a plain blocking socket on its own thread: it runs once, before the
 * server serves anything, and only the load touches the keyspace (on the executor).
 */
public final class MasterRecovery implements Server.StartupListener {
    private static final Logger log = LoggerFactory.getLogger(MasterRecovery.class);
    static final String LOADING_ERROR = "LOADING Tandem is recovering the dataset from a replica";
    private static final int INFO_TIMEOUT_MS = 5000;

    private final Server server;
    private final ServerConfig config;
    private final Replication replication;
    /** Decided at {@link #loaded}; the thread runs from {@link #listening}. */
    private boolean pending;

    /** A candidate's address, parsed from host:port (an IPv6 literal may be bracketed). */
    record HostPort(String host, int port) {
        static HostPort parse(String w) {
            int colon = w.lastIndexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("not host:port: " + w);
            String h = w.substring(0, colon);
            if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
            return new HostPort(h, Integer.parseInt(w.substring(colon + 1)));
        }

        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** What a candidate's INFO replication and INFO keyspace said. */
    record Probe(HostPort at, String role, String replid, long offset, long keys) {}

    MasterRecovery(Server server, ServerConfig config, Replication replication) {
        this.server = server;
        this.config = config;
        this.replication = replication;
    }

    /** The -LOADING deny rule (commands without the "loading" flag, as Redis's processCommand). */
    void install() {
        server.addStartupListener(this);
        server.addDenyRule((c, spec) -> server.loading() && !spec.has(CommandFlag.LOADING) ? LOADING_ERROR : null);
    }

    // ------------------------------------------------------------------ startup

    /** Before the executor starts: does this master have to recover its dataset? */
    @Override
    public void loaded() {
        if (config.replicaOf() != null || !config.masterRecoverFromReplica()) return;
        if (server.replicationIds().offset() != 0 || keyCount() > 0) return; // something was loaded: serve it
        List<HostPort> candidates = candidates();
        if (candidates.isEmpty()) {
            // A master that never had a replica (no known-replicas file yet): nothing to recover.
            log.info("master-recover-from-replica: no replica to ask (master-recover-candidates is empty and {} lists none), "
                    + "starting with an empty dataset.", config.dirPath().resolve(KnownReplicas.FILE));
            return;
        }
        server.loading(true);
        pending = true;
    }

    @Override
    public void listening() {
        if (!pending) return;
        pending = false;
        Thread t = new Thread(this::run, "tandem-master-recovery");
        t.setDaemon(true);
        t.start();
    }

    /** master-recover-candidates, or the replicas recorded in dir/known-replicas. */
    List<HostPort> candidates() {
        List<HostPort> out = new ArrayList<>();
        String list = config.masterRecoverCandidates().trim();
        List<String> words;
        if (!list.isEmpty()) {
            words = Arrays.asList(list.split("\\s+"));
        } else {
            try {
                words = KnownReplicas.read(config.dirPath());
            } catch (IOException e) {
                log.warn("Can't read {}: {}", config.dirPath().resolve(KnownReplicas.FILE), e.toString());
                words = List.of();
            }
        }
        for (String w : words) {
            try {
                HostPort hp = HostPort.parse(w);
                if (!out.contains(hp)) out.add(hp);
            } catch (IllegalArgumentException e) {
                log.warn("Ignoring recovery candidate '{}': {}", w, e.getMessage());
            }
        }
        return out;
    }

    private long keyCount() {
        Keyspace ks = server.keyspace();
        long n = 0;
        for (int i = 0; i < ks.databases(); i++) n += ks.db(i).size();
        return n;
    }

    // ------------------------------------------------------------------ the recovery thread

    private void run() {
        long start = System.nanoTime();
        Map<HostPort, String> lastNote = new HashMap<>();
        log.info("The dataset is empty: recovering it from a replica (candidates: {}; master-recover-timeout {} seconds)",
                candidates(), config.masterRecoverTimeout());
        try {
            while (server.executor().started()) {
                // Read each round: CONFIG SET (allowed while loading) may change the timeout or the candidates.
                long deadline = start + TimeUnit.SECONDS.toNanos(config.masterRecoverTimeout());
                List<HostPort> candidates = candidates();
                List<Probe> usable = new ArrayList<>();
                int empty = 0;
                for (HostPort hp : candidates) {
                    try {
                        Probe p = probe(hp, deadline);
                        if (!"slave".equals(p.role)) {
                            note(lastNote, hp, "is a " + p.role + ", not a replica: not recovering from it");
                        } else if (p.offset <= 0 && p.keys == 0) {
                            note(lastNote, hp, "holds no data (offset 0, no key)");
                            empty++;
                        } else {
                            usable.add(p);
                        }
                    } catch (IOException e) {
                        note(lastNote, hp, "did not answer: " + e.getMessage());
                    }
                }
                // The most advanced history first. A replica with keys but offset 0 (restarted from
                // its AOF, which does not record the point) still holds the data: last resort.
                usable.sort(Comparator.comparingLong(Probe::offset).thenComparingLong(Probe::keys).reversed());
                for (Probe p : usable) {
                    if (recoverFrom(p)) return;
                }
                if (!candidates.isEmpty() && empty == candidates.size()) {
                    // Every candidate answered and none ever had data: nothing can be lost.
                    log.info("No replica holds replicated data: starting with an empty dataset.");
                    onExecutor(() -> {
                        stopLoading();
                        return null;
                    });
                    log.info("Recovery finished");
                    return;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                Thread.sleep(Math.min(1000, TimeUnit.NANOSECONDS.toMillis(left) + 1));
            }
            if (!server.executor().started()) return;
            onExecutor(() -> {
                stopLoading();
                return null;
            });
            log.warn("No replica gave the dataset back within master-recover-timeout ({} seconds; candidates: {}).",
                    config.masterRecoverTimeout(), candidates());
            startingEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // The server stopped while recovering (SHUTDOWN): nothing to serve any more.
            log.warn("Recovery abandoned: {}", e.toString());
        }
    }

    private static void note(Map<HostPort, String> lastNote, HostPort hp, String what) {
        if (!what.equals(lastNote.put(hp, what))) log.info("Recovery candidate {} {}", hp, what);
    }

    private void startingEmpty() {
        log.warn("WARNING: this master starts with an EMPTY dataset and a new replication history. Replicas with "
                + "replica-refuse-empty-fullsync yes keep their data and refuse to copy this empty dataset.");
        log.warn("Operator action needed: promote the most up to date replica (REPLICAOF NO ONE) and make this server "
                + "its replica, or set replica-refuse-empty-fullsync no on the replicas to accept an empty dataset.");
    }

    private void stopLoading() {
        server.loading(false);
    }

    /** INFO replication of one candidate. */
    private Probe probe(HostPort hp, long deadline) throws IOException {
        int connectMs = (int) Math.max(200, Math.min(5000, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        try (Conn c = Conn.open(hp, connectMs, INFO_TIMEOUT_MS)) {
            auth(c);
            c.command("INFO", "replication");
            String info = c.readBulk();
            String role = field(info, "role");
            String replid = field(info, "master_replid");
            String off = field(info, "master_repl_offset");
            if (role == null || replid == null || off == null) throw new IOException("INFO replication without role/master_replid/master_repl_offset");
            c.command("INFO", "keyspace");
            long keys = 0;
            for (String l : c.readBulk().split("\r?\n")) {
                // db0:keys=1,expires=0,avg_ttl=0
                int k = l.indexOf("keys=");
                if (l.startsWith("db") && k > 0) {
                    int end = l.indexOf(',', k);
                    keys += Long.parseLong(l.substring(k + 5, end < 0 ? l.length() : end));
                }
            }
            try {
                return new Probe(hp, role, replid, Long.parseLong(off), keys);
            } catch (NumberFormatException e) {
                throw new IOException("bad master_repl_offset '" + off + "'");
            }
        }
    }

    static String field(String info, String name) {
        for (String l : info.split("\r?\n")) {
            if (l.startsWith(name + ":")) return l.substring(name.length() + 1).trim();
        }
        return null;
    }

    private void auth(Conn c) throws IOException {
        String pass = config.masterauth();
        if (pass == null) return;
        String user = config.masteruser();
        if (user != null) c.command("AUTH", user, pass);
        else c.command("AUTH", pass);
        String r = c.readLine();
        if (!r.startsWith("+")) throw new IOException("AUTH refused: " + r);
    }

    /**
     * One full transfer from a candidate, then the load. True once the dataset is recovered and
     * the server serves; false (logged) when this candidate failed and the next should be tried.
     */
    private boolean recoverFrom(Probe p) throws Exception {
        log.info("Recovering the dataset from replica {} (offset {}, {} keys)", p.at, p.offset, p.keys);
        String replid;
        long offset;
        byte[] rdb;
        try (Conn c = Conn.open(p.at, 5000, config.replTimeout() * 1000)) {
            auth(c);
            c.command("REPLCONF", "listening-port", Integer.toString(listeningPort()));
            c.readLine(); // not critical, as a replica's handshake
            c.command("REPLCONF", "tandem-recover", "1");
            String r = c.readLine();
            if (!r.startsWith("+")) throw new IOException("REPLCONF tandem-recover refused (not a Tandem replica?): " + r);
            c.command("PSYNC", "?", "-1");
            String head = c.readNonEmptyLine();
            if (!head.startsWith("+FULLRESYNC ")) throw new IOException("unexpected reply to PSYNC: " + head);
            String[] parts = head.split(" ");
            if (parts.length < 3 || parts[1].length() != 40) throw new IOException("bad +FULLRESYNC: " + head);
            replid = parts[1];
            offset = Long.parseLong(parts[2]);
            rdb = c.readRdb();
        } catch (IOException | NumberFormatException e) {
            log.warn("Recovery from replica {} failed: {}; trying the next candidate", p.at, e.getMessage());
            return false;
        }
        log.info("Received the dataset of replica {} ({} bytes), loading it", p.at, rdb.length);
        try {
            long keys = onExecutor(() -> loadAndAdopt(rdb, replid, offset));
            log.info("Dataset recovered from replica {}: {} keys, replication ID {}, offset {}", p.at, keys, replid, offset);
            log.info("Recovery finished");
            return true;
        } catch (RdbFormatException | IllegalStateException e) {
            log.warn("Recovery from replica {} failed loading its dataset: {}; trying the next candidate", p.at, e.getMessage());
            return false;
        }
    }

    private int listeningPort() {
        return Integer.parseInt(config.format("port"));
    }

    /**
     * Executor: the keyspace is still empty (nothing ran but -LOADING refusals), so load the RDB,
     * take its point in history and stop loading. A failed load leaves the keyspace empty again.
     */
    private long loadAndAdopt(byte[] rdb, String replid, long offset) throws Exception {
        Keyspace ks = server.keyspace();
        if (keyCount() > 0 || server.replicationIds().offset() != 0) throw new IllegalStateException("the dataset is not empty any more");
        server.datasetReplacementStarting(); // as a replica's full sync: the AOF stops, then restarts on the new dataset
        try {
            new RdbFileReader(new ByteArrayInputStream(rdb)).read(e -> {
                if (e.db() >= ks.databases()) throw new RdbFormatException(-1, null, "database index " + e.db() + " out of range");
                try {
                    RdbValues.prepare(e.value(), server.settings()).put(ks.db(e.db()), e.key(), e.expireAtMs());
                } catch (RdbValues.UnsupportedValueException ex) {
                    throw new RdbFormatException(-1, null, ex.getMessage());
                }
            });
        } catch (Exception e) {
            ks.clearAll();
            server.datasetReplacementFinished(false);
            throw e;
        }
        replication.recovered(replid, offset);
        server.loading(false);
        // As after a replica's full sync: persistence hears of the new dataset (a save point
        // configured saves it now, naming it by the adopted point), and an AOF restarts with a
        // new base, since the recovered keys never went through it.
        server.flushed(-1);
        server.datasetReplacementFinished(true);
        ReplicationIds ids = server.replicationIds();
        log.info("Replication history continued: replication ID {}, previous ID {} valid up to offset {}",
                ids.replid(), ids.replid2(), ids.secondOffset());
        return keyCount();
    }

    /** Runs a task on the executor and waits, giving up if the server stops meanwhile. */
    private <T> T onExecutor(Callable<T> task) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        server.executor().execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        while (true) {
            try {
                return f.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                if (!server.executor().started()) throw new IllegalStateException("the server stopped");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception ex) throw ex;
                throw e;
            }
        }
    }

    // ------------------------------------------------------------------ a blocking RESP connection

    /** Just enough RESP over a blocking socket for INFO, AUTH, REPLCONF and a full sync. */
    static final class Conn implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private Conn(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            this.out = socket.getOutputStream();
        }

        static Conn open(HostPort hp, int connectMs, int readMs) throws IOException {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(hp.host(), hp.port()), connectMs);
                s.setSoTimeout(readMs);
                s.setTcpNoDelay(true);
                return new Conn(s);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
            }
        }

        void command(String... argv) throws IOException {
            StringBuilder sb = new StringBuilder();
            sb.append('*').append(argv.length).append("\r\n");
            for (String a : argv) {
                byte[] b = a.getBytes(StandardCharsets.UTF_8);
                sb.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
            }
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** One line without its CRLF. */
        String readLine() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream(64);
            while (true) {
                int x = in.read();
                if (x < 0) throw new EOFException("connection closed by the replica");
                if (x == '\n') break;
                if (b.size() > 64 * 1024) throw new IOException("reply line too long");
                b.write(x);
            }
            byte[] a = b.toByteArray();
            int n = a.length > 0 && a[a.length - 1] == '\r' ? a.length - 1 : a.length;
            return new String(a, 0, n, StandardCharsets.UTF_8);
        }

        /** Skips the bare newlines a master sends as keepalives while it prepares a full sync. */
        String readNonEmptyLine() throws IOException {
            String l;
            do {
                l = readLine();
            } while (l.isEmpty());
            return l;
        }

        /** A bulk string reply (INFO). */
        String readBulk() throws IOException {
            String h = readLine();
            if (!h.startsWith("$")) throw new IOException(h.startsWith("-") ? h.substring(1) : "unexpected reply: " + h);
            int len = Integer.parseInt(h.substring(1));
            byte[] b = in.readNBytes(len + 2);
            if (b.length < len + 2) throw new EOFException("connection closed by the replica");
            return new String(b, 0, len, StandardCharsets.UTF_8);
        }

        /** The RDB of a full sync, {@code $<len>} or diskless {@code $EOF:<40 chars>} framing, read whole. */
        byte[] readRdb() throws IOException {
            String h = readNonEmptyLine();
            if (h.startsWith("-")) throw new IOException("the replica aborted the transfer: " + h.substring(1));
            if (!h.startsWith("$")) throw new IOException("bad bulk header: " + h);
            if (h.startsWith("$EOF:") && h.length() == 5 + 40) {
                byte[] mark = h.substring(5).getBytes(StandardCharsets.US_ASCII);
                ByteArrayOutputStream b = new ByteArrayOutputStream(1 << 16);
                byte[] tail = new byte[40];
                long n = 0;
                while (true) {
                    int x = in.read();
                    if (x < 0) throw new EOFException("connection closed by the replica during the transfer");
                    b.write(x);
                    tail[(int) (n++ % 40)] = (byte) x;
                    if (n >= 40 && endsWith(tail, n, mark)) {
                        byte[] all = b.toByteArray();
                        return Arrays.copyOf(all, all.length - 40);
                    }
                }
            }
            long len;
            try {
                len = Long.parseLong(h.substring(1));
            } catch (NumberFormatException e) {
                throw new IOException("bad bulk header: " + h);
            }
            if (len < 0 || len > Integer.MAX_VALUE - 16) throw new IOException("RDB payload too large for an in-memory transfer: " + len);
            byte[] b = in.readNBytes((int) len);
            if (b.length < len) throw new EOFException("connection closed by the replica after " + b.length + " of " + len + " bytes");
            return b;
        }

        private static boolean endsWith(byte[] ring, long n, byte[] mark) {
            for (int i = 0; i < 40; i++) if (ring[(int) ((n - 40 + i) % 40)] != mark[i]) return false;
            return true;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
