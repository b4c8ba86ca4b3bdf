package io.tandem.server.persist;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tandem.server.Server;
import io.tandem.server.config.ServerConfig;
import io.tandem.server.exec.Client;
import io.tandem.storage.aof.AofFormatException;
import io.tandem.storage.aof.AofManifest;
import io.tandem.storage.aof.AofReader;
import io.tandem.storage.io.MappedAppendFile;
import io.tandem.storage.io.MappedFileSink;
import io.tandem.storage.rdb.RdbFileReader;
import io.tandem.storage.rdb.RdbFormatException;
import io.tandem.storage.tools.AofCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The append-only file, as Redis 7.0's aof.c (multi-part AOF): {@code dir/appenddirname} holds
 * {@code <appendfilename>.1.base.rdb} (or {@code .base.aof}), {@code <appendfilename>.<n>.incr.aof}
 * and {@code <appendfilename>.manifest}.
 *
 * <pre>
 *   executor: Propagation ─► ReplicationStream.feed: encoded ONCE (SELECT when the db changes)
 *                                │ tap (this class): copy into {@code pending}
 *   executor: flushDirty ─► beforeFlush ─► write(pending) into the incr file's mapped window
 *                              ({@link MappedAppendFile}: a memcpy into the page cache)
 *                              appendfsync always: force() here (msync), before the batch's replies leave
 *   tandem-aof-fsync thread:   appendfsync everysec: force() once a second if anything was written
 *                              appendfsync no: never forced; the kernel writes the dirty pages back
 * </pre>
 *
 * <p>While open, the incr file is longer than its data (whole windows, zero tail); it is cut to
 * its length when closed (shutdown, rewrite switch, CONFIG SET appendonly no), and after a crash
 * the loader cuts the tail of the last incr file before replaying it. A failed write keeps the
 * bytes pending (retried at the next flush and once a second from cron) and, as Redis's
 * writeCommandsDeniedByDiskError, write commands and PING are refused with
 * {@code -MISCONF Errors writing to the AOF file: ...} until a write succeeds.
 *
 * <p>Loading replays the base (RDB preamble through the RDB loader, or RESP) and the incr files in
 * manifest order through the {@code Dispatcher} with an internal client, as Redis's fake client.
 * Executor thread, except {@link #loadAtStartup} and {@link #openAtStartup} (before it starts)
 * and the fsync thread.
 */
public final class Aof {
    private static final Logger log = LoggerFactory.getLogger(Aof.class);

    private final Server server;
    private final ServerConfig config;
    private final Persistence persistence;

    private static final int OFF = 0, ON = 1, WAIT_REWRITE = 2;
    private final long pid = ProcessHandle.current().pid();

    /** Redis's aof_state: OFF, ON, or WAIT_REWRITE (enabled at runtime, waiting for the first base). */
    private int state = OFF;
    /** The open incr file; read by the fsync thread. */
    private volatile MappedAppendFile file;
    private Path incrPath;
    // The manifest, as in memory (Redis's server.aof_manifest): base and incr files.
    private String baseName;
    private long baseSeq;
    private final List<AofManifest.AofInfo> incrs = new ArrayList<>();
    private long incrSeq;
    // BGREWRITEAOF (forkless: a Snapshot writes the new base)
    private Snapshot rewrite;
    private boolean rewriteScheduled;
    private String rewriteBase;
    private List<AofManifest.AofInfo> rewriteOldIncrs;
    private String rewriteOldBase;
    private long rewrites;
    private long rewriteFailures;
    private boolean lastRewriteOk = true;
    private long lastRewriteTimeSec = -1;
    private long rewriteBaseSize;
    private volatile boolean timestamps;
    private long lastTimestamp;
    private final io.tandem.replication.ReplicationStream.Tap tap = new io.tandem.replication.ReplicationStream.Tap() {
        @Override
        public void accept(ByteBuf bytes) {
            append(bytes);
        }

        @Override
        public void point(String replid, long offset) {
            annotatePoint(replid, offset, false);
        }
    };
    /**
     * The stream position a loader computes at the end of what was given to this file so far
     * (the last {@code #REPL} annotation plus the bytes of the commands after it); null replid
     * before the first annotation of the current file.
     */
    private String pointReplid;
    private long pointOffset;
    /** appendonly was on when a full sync started replacing the dataset. */
    private boolean restartAfterSync;
    private static final int PENDING_INITIAL = 1 << 16;
    private final ByteBuf pending = Unpooled.buffer(PENDING_INITIAL);
    private volatile boolean unsynced;
    private volatile boolean running;
    /** The fsync thread runs while this field names it (no interrupt: it would close the file's channel). */
    private volatile Thread fsyncThread;
    private long baseSize;
    /** Redis's aof_last_write_status. */
    private volatile boolean lastWriteOk = true;
    /** Redis's aof_bio_fsync_status (here also an fsync failure under always, where Redis exits). */
    private volatile boolean fsyncOk = true;
    /** strerror of the last write or fsync error, for MISCONF. */
    private volatile String lastError = "";
    private volatile long lastFsyncNanos = System.nanoTime();
    private long lastErrorRetryNanos;
    /** Test hook: a cap on the incr file's length, as a full disk (see {@link #limitIncrForTesting}). */
    private volatile long incrLimit = Long.MAX_VALUE;

    public Aof(Server server, ServerConfig config, Persistence persistence) {
        this.server = server;
        this.config = config;
        this.persistence = persistence;
    }

    /** The AOF at startup is unreadable: the server must not start (Main exits 1). */
    private static RuntimeException fatal(String message) {
        return new Persistence.FatalLoadError(message, null);
    }

    public boolean enabled() {
        return config.appendonly();
    }

    Path dir() {
        return config.dirPath().resolve(config.appenddirname());
    }

    private Path manifestPath() {
        return dir().resolve(config.appendfilename() + ".manifest");
    }

    private boolean yes(String directive) {
        return "yes".equals(config.format(directive));
    }

    // ------------------------------------------------------------------ load

    /**
     * loadAppendOnlyFiles: replays the AOF named by the manifest, if any, into the empty keyspace.
     * Throws {@link FatalAofError} (after logging Redis's lines) on an unreadable AOF.
     */
    public void loadAtStartup() {
        Path mf = manifestPath();
        if (!Files.exists(mf)) return;
        long t0 = System.nanoTime();
        AofManifest m;
        try {
            m = AofManifest.parse(mf);
        } catch (AofManifest.ManifestException e) {
            log.warn("Failed to load the AOF manifest {}: {}", mf, e.getMessage());
            throw fatal("Bad AOF manifest " + mf + ": " + e.getMessage());
        } catch (IOException e) {
            log.warn("Fatal error: can't open the AOF manifest {} for reading: {}", mf, e.getMessage());
            throw fatal("Can't read the AOF manifest " + mf + ": " + e.getMessage());
        }
        List<AofManifest.AofInfo> order = m.loadOrder();
        if (!order.isEmpty() && order.get(order.size() - 1).type() == 'i') {
            cutZeroTail(dir().resolve(order.get(order.size() - 1).fileName()));
        }
        long id = -1;
        loadReplid = null;
        for (int i = 0; i < order.size(); i++) {
            Path file = dir().resolve(order.get(i).fileName());
            replay(file, i == order.size() - 1, id--);
        }
        if (loadReplid != null) {
            // the dataset's name in history: replicas (and this server, if it is one) continue from here
            server.replicationIds().restore(loadReplid, loadOffset, loadReplid2, loadSecondOffset);
            server.loadedPointFrom = "aof";
            log.info("AOF replication point: replication ID {}, offset {}", loadReplid, loadOffset);
        }
        log.info("DB loaded from append only file: {} seconds", String.format("%.3f", (System.nanoTime() - t0) / 1e9));
    }

    /** The replication point the loader computed so far (last #REPL annotation + command bytes), null if none. */
    private String loadReplid;
    private long loadOffset;
    private String loadReplid2;
    private long loadSecondOffset = -1;

    /** Parses a {@code #REPL:} annotation into the loader's point; false if it is not one (or malformed). */
    private boolean loadPoint(String text) {
        if (!text.startsWith(REPL_ANNOTATION)) return false;
        String[] f = text.substring(REPL_ANNOTATION.length()).split(":");
        try {
            if (f.length != 2 && f.length != 4) return false;
            if (f[0].length() != 40) return false;
            long off = Long.parseLong(f[1]);
            if (off < 0) return false;
            loadReplid = f[0];
            loadOffset = off;
            loadReplid2 = f.length == 4 ? f[2] : null;
            loadSecondOffset = f.length == 4 ? Long.parseLong(f[3]) : -1;
            return true;
        } catch (NumberFormatException e) {
            log.warn("Ignoring a malformed replication annotation in the AOF: {}", text);
            return false;
        }
    }

    /**
     * The last incr file was written through mmap: a process that died with it open left it
     * window-aligned, with zeros after the data (the unused part of the window). The zeros are
     * not data (every AOF item ends in '\n'): cut them before replaying, so the file ends where
     * the data does and appending resumes there. Zeros followed by data are not cut; the reader
     * reports them as a format error at their offset.
     */
    private void cutZeroTail(Path file) {
        if (!Files.exists(file)) return; // replay reports it
        String name = file.getFileName().toString();
        try {
            long size = Files.size(file);
            long cut = MappedAppendFile.cutZeroTail(file);
            if (cut > 0) {
                log.info("AOF {} was not closed cleanly: removed its zero-filled tail ({} bytes after offset {})", name, cut, size - cut);
            }
        } catch (IOException e) {
            log.warn("Fatal error: can't cut the zero-filled tail of the append only file {}: {}", name, e.getMessage());
            throw fatal("Can't cut the zero-filled tail of " + file + ": " + e.getMessage());
        }
    }

    private void replay(Path file, boolean last, long clientId) {
        String name = file.getFileName().toString();
        if (!Files.exists(file)) {
            log.warn("The AOF file {} doesn't exist", name);
            throw fatal("The AOF file " + file + " doesn't exist");
        }
        long start = 0;
        try {
            if (Files.size(file) == 0) return;
            if (AofCheck.isRdb(file)) {
                log.info("Reading RDB base file on AOF loading...");
                persistence.load(file);
                if (server.replicationIds().offset() > 0) {
                    // the base named its point (aux repl-id, repl-offset): the incr files continue it
                    loadReplid = server.replicationIds().replid();
                    loadOffset = server.replicationIds().offset();
                    loadReplid2 = null;
                    loadSecondOffset = -1;
                }
                try (InputStream s = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                    RdbFileReader r = new RdbFileReader(s);
                    r.read(e -> { });
                    start = r.offset();
                }
                log.info("Reading the remaining AOF tail...");
            }
        } catch (RdbFormatException e) {
            log.warn("Error reading the RDB base file {}, AOF loading aborted: [offset {}] {}", name, e.offset(), e.getMessage());
            throw fatal("Bad RDB preamble in " + file + " at offset " + e.offset() + ": " + e.getMessage());
        } catch (IOException e) {
            log.warn("Fatal error: can't open the append log file {} for reading: {}", name, e.getMessage());
            throw fatal("Can't read " + file + ": " + e.getMessage());
        }
        Client client = new Client(clientId, null, System.currentTimeMillis());
        client.replaying = true;
        server.clientConnected(client);
        long multiStart = -1;
        long multiStartPoint = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.position(start);
            AofReader reader = new AofReader(new BufferedInputStream(Channels.newInputStream(ch), 1 << 16), start, 1, true);
            // Redis's valid_up_to: the end of the last complete item (the error's offset is where the
            // cut element starts, inside the command: truncating there left half a command behind)
            long validEnd = start;
            while (true) {
                AofReader.Item item;
                try {
                    item = reader.next();
                } catch (AofFormatException e) {
                    if (e.truncated()) {
                        long validUpTo = multiStart >= 0 ? multiStart : validEnd;
                        if (last && yes("aof-load-truncated")) {
                            log.warn("!!! Warning: short read while loading the AOF file {}!!!", name);
                            log.warn("!!! Truncating the AOF {} at offset {} !!!", name, validUpTo);
                            if (multiStart >= 0) {
                                discard(client);
                                loadOffset = multiStartPoint;
                            }
                            multiStart = -1;
                            try (FileChannel w = FileChannel.open(file, StandardOpenOption.WRITE)) {
                                w.truncate(validUpTo);
                                w.force(true);
                            }
                            log.warn("AOF {} loaded anyway because aof-load-truncated is enabled", name);
                            break;
                        }
                        log.warn("Unexpected end of file reading the append only file {} [offset {}]. You can: 1) Make a backup of your AOF"
                                + " file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the"
                                + " 'aof-load-truncated' configuration option to yes and restart the server.", name, e.offset());
                        throw fatal("Unexpected end of file reading " + file + " at offset " + e.offset());
                    }
                    String why = e.getMessage() == null ? "format error (not a RESP command)" : e.getMessage();
                    log.warn("Bad file format reading the append only file {} at offset {} ({}): make a backup of your AOF file, then"
                            + " use ./redis-check-aof --fix <filename.manifest>", name, e.offset(), why);
                    throw fatal("Bad file format reading the append only file " + file + " at offset " + e.offset() + ": " + why);
                }
                if (item == null) break;
                validEnd = reader.offset();
                if (item instanceof AofReader.Annotation a) {
                    loadPoint(a.text());
                    continue;
                }
                if (!(item instanceof AofReader.Command c) || c.argv().length == 0) continue;
                if (c.is("multi")) {
                    multiStart = c.start();
                    multiStartPoint = loadOffset;
                }
                loadOffset += c.end() - c.start();
                if (c.is("exec")) multiStart = -1;
                server.dispatcher().process(client, c.argv());
                String error = takeError(client);
                server.executor().flushDirty();
                if (error != null && error.startsWith("ERR unknown command")) {
                    log.warn("Unknown command '{}' reading the append only file {} at offset {}",
                            new String(c.name(), StandardCharsets.ISO_8859_1), name, c.start());
                    throw fatal("Unknown command reading " + file + " at offset " + c.start());
                }
            }
        } catch (IOException e) {
            log.warn("Unrecoverable error reading the append only file {}: {}", name, e.getMessage());
            throw fatal("Can't read " + file + ": " + e.getMessage());
        } finally {
            if (multiStart >= 0) {
                log.warn("Revert incomplete MULTI/EXEC transaction in AOF file {}", name);
                discard(client);
                loadOffset = multiStartPoint;
            }
            server.streamDbAtLoad = client.db;
            server.clientDisconnected(client);
        }
    }

    private void discard(Client client) {
        server.dispatcher().process(client, new byte[][] {"DISCARD".getBytes(StandardCharsets.US_ASCII)});
        server.executor().flushDirty();
    }

    private static String takeError(Client client) {
        ByteBuf b = client.writer.buffer();
        if (b == null || !b.isReadable() || b.getByte(b.readerIndex()) != '-') return null;
        int end = b.indexOf(b.readerIndex(), b.writerIndex(), (byte) '\r');
        if (end < 0) end = b.writerIndex();
        return b.toString(b.readerIndex() + 1, end - b.readerIndex() - 1, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ open

    /**
     * aofOpenIfNeededOnServerStart: after loading, opens the last incr file for appending. With no
     * AOF yet, creates the base (an RDB of the current dataset when aof-use-rdb-preamble, else an
     * empty RESP base, exact since nothing was loaded), an empty incr file and the manifest.
     */
    public void openAtStartup() {
        try {
            open0();
        } catch (IOException e) {
            log.warn("Can't open the append-only file: {}", e.getMessage());
            throw fatal("Can't open the append-only file: " + e.getMessage());
        }
    }

    private void open0() throws IOException {
        Path dir = dir();
        Files.createDirectories(dir);
        String prefix = config.appendfilename();
        boolean fresh = !readManifest();
        if (fresh) {
            baseSeq = 1;
            baseName = prefix + ".1.base." + (yes("aof-use-rdb-preamble") ? "rdb" : "aof");
            Path basePath = dir.resolve(baseName);
            if (baseName.endsWith(".rdb")) {
                if (!persistence.saveTo(basePath)) throw new IOException("can't write the AOF base file " + basePath);
            } else {
                Files.write(basePath, new byte[0]);
            }
            log.info("Creating AOF base file {} on server start", baseName);
        }
        if (incrs.isEmpty()) {
            incrSeq++;
            String incr = prefix + "." + incrSeq + ".incr.aof";
            Files.write(dir.resolve(incr), new byte[0]);
            incrs.add(new AofManifest.AofInfo(incr, incrSeq, 'i'));
            log.info("Creating AOF incr file {} on server start", incr);
            writeManifest(null);
        }
        baseSize = baseName == null ? 0 : Files.size(dir.resolve(baseName));
        incrPath = dir.resolve(incrs.get(incrs.size() - 1).fileName());
        file = openIncr(incrPath);
        state = ON;
        attach();
        rewriteBaseSize = currentSize();
    }

    /** Reads the manifest on disk into the in-memory model; false if there is none. */
    private boolean readManifest() throws IOException {
        baseName = null;
        baseSeq = 0;
        incrs.clear();
        incrSeq = 0;
        if (!Files.exists(manifestPath())) return false;
        AofManifest m;
        try {
            m = AofManifest.parse(manifestPath());
        } catch (AofManifest.ManifestException e) {
            throw new IOException("bad AOF manifest: " + e.getMessage());
        }
        if (m.base() != null) {
            baseName = m.base().fileName();
            baseSeq = m.base().seq();
        }
        incrs.addAll(m.incrs());
        for (AofManifest.AofInfo i : incrs) incrSeq = Math.max(incrSeq, i.seq());
        // history files left by a crash between the two manifest writes of a rewrite
        for (AofManifest.AofInfo h : m.history()) Files.deleteIfExists(dir().resolve(h.fileName()));
        return true;
    }

    /** Map window of the incr file; a system property so tests can cross windows with little data. */
    static long mapWindow() {
        return Long.getLong("tandem.aof.mapWindow", MappedAppendFile.DEFAULT_WINDOW);
    }

    /** Opens an incr file for appending at its true end (a zero tail left by a crash is cut). */
    private MappedAppendFile openIncr(Path path) throws IOException {
        MappedAppendFile f = MappedAppendFile.open(path, mapWindow());
        if (f.cutAtOpen() > 0) {
            log.info("AOF {} was not closed cleanly: removed its zero-filled tail ({} bytes after offset {})",
                    path.getFileName(), f.cutAtOpen(), f.length());
        }
        f.maxLength(incrLimit);
        return f;
    }

    /** Starts feeding: the stream tap, the executor's flush hook, the fsync thread. */
    private void attach() {
        if (!running) {
            server.replicationStream().addTap(tap);
            anchorNewFile();
        }
        server.executor().setBeforeFlush(this::flush);
        if (running) return;
        running = true;
        Thread t = new Thread(this::fsyncLoop, "tandem-aof-fsync");
        t.setDaemon(true);
        fsyncThread = t;
        t.start();
    }

    private void detach() {
        server.replicationStream().removeTap(tap);
        running = false;
        Thread t = fsyncThread;
        fsyncThread = null;
        if (t != null) LockSupport.unpark(t);
    }

    private static String line(AofManifest.AofInfo ai) {
        return "file " + ai.fileName() + " seq " + ai.seq() + " type " + ai.type() + "\n";
    }

    /**
     * Writes the in-memory manifest (plus {@code history} entries, if any) atomically: temp file,
     * fsync, rename, directory fsync (Redis's persistAofManifest).
     */
    private void writeManifest(List<AofManifest.AofInfo> history) throws IOException {
        StringBuilder sb = new StringBuilder();
        if (baseName != null) sb.append("file ").append(baseName).append(" seq ").append(baseSeq).append(" type b\n");
        if (history != null) for (AofManifest.AofInfo h : history) sb.append(line(h));
        for (AofManifest.AofInfo i : incrs) sb.append(line(i));
        Path tmp = dir().resolve("temp-" + manifestPath().getFileName());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, manifestPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        MappedFileSink.syncDirectory(dir());
    }

    // ------------------------------------------------------------------ append

    /** Prefix of the replication-point annotation (REPL_ANNOTATION + replid:offset[:replid2:second_offset]). */
    public static final String REPL_ANNOTATION = "#REPL:";

    /**
     * Records where the replication stream stands at this point of the file, as an annotation
     * Redis's loader and redis-check-aof skip ("#" lines): {@code #REPL:<replid>:<offset>}, plus
     * {@code :<replid2>:<second_repl_offset>} while a previous id is valid. Written only when
     * the position no longer follows from the bytes written (ids changed, keepalives, the start
     * of a file), so it costs a line per such event, not per command. With {@code force} it is
     * written even if unchanged (the start of a new incr file, which a loader may read alone).
     */
    private void annotatePoint(String replid, long offset, boolean force) {
        if (!force && replid.equals(pointReplid) && offset == pointOffset) return;
        var ids = server.replicationIds();
        StringBuilder sb = new StringBuilder(REPL_ANNOTATION).append(replid).append(':').append(offset);
        if (ids.replid().equals(replid) && ids.secondOffset() > 0) sb.append(':').append(ids.replid2()).append(':').append(ids.secondOffset());
        pending.writeCharSequence(sb.append("\r\n"), StandardCharsets.US_ASCII);
        pointReplid = replid;
        pointOffset = offset;
    }

    /**
     * The start of a file a loader may read after a base: on a replica, the master stream's db
     * first (its next commands carry no SELECT), then the point.
     */
    private void anchorNewFile() {
        var stream = server.replicationStream();
        int db = stream.proxying() ? stream.tapDb() : -1;
        if (db >= 0) {
            byte[] d = Integer.toString(db).getBytes(StandardCharsets.US_ASCII);
            pending.writeCharSequence("*2\r\n$6\r\nSELECT\r\n$" + d.length + "\r\n" + new String(d, StandardCharsets.US_ASCII) + "\r\n",
                    StandardCharsets.US_ASCII);
        }
        annotatePoint(server.replicationIds().replid(), server.replicationIds().offset(), true);
    }

    /** The stream tap: copy the command's bytes (executor). */
    private void append(ByteBuf bytes) {
        if (timestamps) {
            // genAofTimestampAnnotationIfNeeded: "#TS:<unix time>" before the first command of each second
            long now = System.currentTimeMillis() / 1000;
            if (now > lastTimestamp) {
                pending.writeCharSequence("#TS:" + now + "\r\n", StandardCharsets.US_ASCII);
                lastTimestamp = now;
            }
        }
        pending.writeBytes(bytes, bytes.readerIndex(), bytes.readableBytes());
        pointOffset += bytes.readableBytes();
    }

    /**
     * flushAppendOnlyFile, before the batch's replies are handed to the network (executor). Ends:
     * <ul>
     *   <li>nothing pending (and, under always, the last fsync succeeded): no-op;</li>
     *   <li>written: pending cleared, status ok; under always forced (msync) before returning,
     *       else marked for the fsync thread (everysec) or left to the kernel (no);</li>
     *   <li>write failed (disk full, file not open): the bytes stay pending for the next flush
     *       and cron's retry, aof_last_write_status err, writes refused with MISCONF (Redis exits
     *       instead under always);</li>
     *   <li>written but the fsync under always failed: status err and MISCONF until a later
     *       force succeeds; the batch's replies still leave (Redis would have exited).</li>
     * </ul>
     */
    private void flush() {
        MappedAppendFile f = file;
        boolean always = "always".equals(config.appendfsync());
        if (pending.isReadable()) {
            if (f == null) {
                if (state != OFF) writeFailed(new IOException("the AOF file is not open"));
                return;
            }
            try {
                f.write(pending); // all or nothing: on failure pending is intact, the file unchanged
            } catch (IOException e) {
                writeFailed(e);
                return;
            }
            pending.clear();
            if (pending.capacity() > 16 * PENDING_INITIAL) pending.capacity(PENDING_INITIAL); // after a burst
            if (!lastWriteOk) {
                log.warn("AOF write error looks solved, Redis can write again.");
                lastWriteOk = true;
            }
            if (!always) {
                unsynced = true;
                return;
            }
        } else if (!always || fsyncOk || f == null) {
            return;
        }
        try {
            f.force();
            lastFsyncNanos = System.nanoTime();
            fsyncOk = true;
        } catch (IOException e) {
            if (fsyncOk) {
                log.warn("Can't persist AOF for fsync error when the AOF fsync policy is 'always': {}. Refusing writes until an fsync succeeds.",
                        e.getMessage());
            }
            lastError = strerror(e);
            fsyncOk = false;
        }
    }

    private void writeFailed(IOException e) {
        if (lastWriteOk) log.warn("Error writing to the AOF file: {}", e.getMessage());
        lastError = strerror(e);
        lastWriteOk = false;
    }

    /** The errno text of an I/O error, as Redis's strerror in MISCONF (Java's message is strerror for OS errors). */
    private static String strerror(IOException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** appendfsync everysec: forces once a second if anything was written (Redis's bio fsync job). */
    private void fsyncLoop() {
        Thread me = Thread.currentThread();
        while (fsyncThread == me) {
            LockSupport.parkNanos(1_000_000_000L);
            if (fsyncThread != me) return;
            if (!unsynced || !"everysec".equals(config.appendfsync())) continue;
            MappedAppendFile f = file;
            if (f == null) continue;
            // cleared first: a write after this point sets it again and is forced next time
            unsynced = false;
            try {
                f.force(); // covers every write that returned before it; a closed (switched) file is a no-op
                lastFsyncNanos = System.nanoTime();
                fsyncOk = true;
            } catch (IOException e) {
                unsynced = true;
                lastError = strerror(e);
                if (fsyncOk) log.warn("Fail to fsync the AOF file: {}", e.getMessage());
                fsyncOk = false;
            }
        }
    }

    /**
     * Closes the incr file: forced, cut to its data (no zero tail), fsynced. Null-safe; errors are
     * logged (the file's channel is closed either way).
     */
    private void closeIncr() {
        MappedAppendFile f = file;
        file = null;
        if (f == null) return;
        try {
            f.close();
        } catch (IOException e) {
            log.warn("Error closing the AOF: {}", e.getMessage());
        }
    }

    /** Shutdown: write what is pending, fsync, close; a running rewrite is abandoned. */
    public void close() {
        abortRewrite();
        if (file == null) return;
        detach();
        flush();
        if (pending.isReadable()) {
            log.warn("{} bytes of the AOF buffer could not be written at shutdown: {}", pending.readableBytes(), lastError);
        }
        log.info("Calling fsync() on the AOF file.");
        closeIncr();
    }

    /** Redis's writeCommandsDeniedByDiskError, AOF part: a failed write or fsync while the AOF is on. */
    boolean writesDenied() {
        return state != OFF && (!lastWriteOk || !fsyncOk);
    }

    /** The MISCONF error for {@link #writesDenied} (Redis's writeCommandsGetDiskErrorMessage). */
    String misconf() {
        return "MISCONF Errors writing to the AOF file: " + lastError;
    }

    /**
     * Test hook: caps the incr file's length (this one and the next ones), so that a write past it
     * fails as on a full disk ("No space left on device"). {@code Long.MAX_VALUE} lifts it.
     */
    void limitIncrForTesting(long maxLength) {
        incrLimit = maxLength;
        MappedAppendFile f = file;
        if (f != null) f.maxLength(maxLength);
    }

    /** The open incr file's data length (-1 if none): for tests. */
    long incrLength() {
        MappedAppendFile f = file;
        return f == null ? -1 : f.length();
    }

    // ------------------------------------------------------------------ CONFIG SET appendonly

    /** Wires CONFIG SET appendonly (executor). */
    public void listen() {
        timestamps = yes("aof-timestamp-enabled");
        config.onChange("aof-timestamp-enabled", (n, before, after) -> timestamps = Boolean.TRUE.equals(after));
        config.onChange("appendonly", (n, before, after) -> {
            if (Boolean.TRUE.equals(after) && state == OFF) startAppendOnly();
            else if (Boolean.FALSE.equals(after) && state != OFF) stopAppendOnly();
        });
        server.addCronTask(this::cron);
        // A replica's full sync replaces the dataset: the AOF stops, and starts again (with a
        // rewrite, whose base is the loaded dataset named by the master's point) once it is loaded,
        // as Redis's stopAppendOnly/restartAOFAfterSYNC.
        server.addDatasetReplacement(new Server.DatasetReplacement() {
            @Override
            public void starting() {
                if (state == OFF) return;
                restartAfterSync = true;
                stopAppendOnly();
            }

            @Override
            public void finished(boolean replaced) {
                if (!restartAfterSync) return;
                restartAfterSync = false;
                try {
                    startAppendOnly();
                } catch (RuntimeException e) {
                    log.warn("Failed enabling the AOF after successful master synchronization! Trying it again in one second.");
                    rewriteScheduled = true;
                }
            }
        });
    }

    /** startAppendOnly: WAIT_REWRITE until a rewrite has written the first base. */
    private void startAppendOnly() {
        if (!fsyncOk) {
            log.warn("AOF reopen, just ignore the AOF fsync error in bio job");
            fsyncOk = true;
        }
        if (!lastWriteOk) {
            log.warn("AOF reopen, just ignore the last error.");
            lastWriteOk = true;
        }
        try {
            Files.createDirectories(dir());
            readManifest();
        } catch (IOException e) {
            log.warn("Redis needs to enable the AOF but can't open the append only file: {}", e.getMessage());
            throw new RuntimeException("can't open the append only file: " + e.getMessage());
        }
        state = WAIT_REWRITE;
        if (persistence.bgsaveInProgress()) {
            rewriteScheduled = true;
            log.info("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.");
        } else if (!startRewrite()) {
            stopAppendOnly(); // undoes the temp incr file and the tap, if they were set up
            log.warn("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
            throw new RuntimeException("can't start the AOF rewrite, check the server logs");
        }
    }

    /** stopAppendOnly: flush, fsync, close; a rewrite in progress is killed. */
    private void stopAppendOnly() {
        abortRewrite();
        rewriteScheduled = false;
        if (state == WAIT_REWRITE && file != null) {
            detach();
            dropTempIncr();
        }
        if (file != null) {
            detach();
            flush();
            closeIncr();
        }
        pending.clear();
        state = OFF;
        log.info("Background append only file rewriting: AOF disabled");
    }

    // ------------------------------------------------------------------ BGREWRITEAOF

    public boolean rewriting() {
        return rewrite != null;
    }

    /** bgrewriteaofCommand. */
    public void bgrewriteaofCommand(io.tandem.server.command.Call c) {
        if (rewrite != null) throw new io.tandem.server.command.CommandError("ERR Background append only file rewriting already in progress");
        if (persistence.bgsaveInProgress()) {
            rewriteScheduled = true;
            c.out.simple("Background append only file rewriting scheduled");
        } else if (startRewrite()) {
            c.out.simple("Background append only file rewriting started");
        } else {
            throw new io.tandem.server.command.CommandError(
                    "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
        }
    }

    /**
     * rewriteAppendOnlyFileBackground without fork: at this instant the current incr file is
     * closed and a new one opened (listed in the manifest at once, so a crash during the rewrite
     * still loads old base + old incrs + new incr), and a {@link Snapshot} starts writing the
     * dataset as of this instant as the new RDB base. When it is on disk the manifest names the
     * new base and the new incr only; the old files are marked history, then deleted.
     */
    boolean startRewrite() {
        if (rewrite != null || persistence.bgsaveInProgress()) return false;
        Path dir = dir();
        String prefix = config.appendfilename();
        try {
            Files.createDirectories(dir);
            rewriteOldIncrs = new ArrayList<>(incrs);
            rewriteOldBase = baseName;
            if (state == ON) {
                flush();
                if (pending.isReadable()) throw new IOException("the AOF buffer can't be written");
                nextIncr(dir, prefix);
                server.replicationStream().forceSelect();
                anchorNewFile();
            } else if (state == WAIT_REWRITE) {
                // Redis's temp incr file: not in the manifest until the base exists.
                incrPath = dir.resolve("temp-" + prefix + ".incr");
                Files.deleteIfExists(incrPath); // a leftover of an earlier attempt holds nothing we want
                file = openIncr(incrPath);
                pending.clear();
                attach();
            }
            rewriteBase = prefix + "." + (baseSeq + 1) + ".base.rdb";
            rewrite = new Snapshot(server, dir.resolve(rewriteBase), dir.resolve("temp-rewriteaof-bg-" + pid + ".aof"),
                    config.rdbcompression(), config.rdbchecksum(), Math.max(0, config.getLong("rdb-key-save-delay")),
                    this::rewriteDone);
        } catch (IOException | RuntimeException e) {
            log.warn("Can't rewrite append only file in background: {}", e.toString());
            lastRewriteOk = false;
            rewriteFailures++;
            return false;
        }
        rewriteScheduled = false;
        rewriteStartNanos = System.nanoTime();
        log.info("Background append only file rewriting started");
        return true;
    }

    private long rewriteStartNanos;

    /**
     * openNewIncrAofForAppend: closes the current incr file (forced, cut to its data) and opens
     * the next one, listed in the manifest at once. Ends: switched; or failed with the current file
     * open again and nothing listed; or failed with no file open (the current one could not be
     * reopened): flushes then report a write error (MISCONF) and cron reopens {@code incrPath}.
     */
    private void nextIncr(Path dir, String prefix) throws IOException {
        MappedAppendFile old = file;
        if (old == null) throw new IOException("the AOF file is not open");
        file = null; // until a file is open again, flush reports an error and cron reopens incrPath
        old.close(); // on failure the file is closed anyway, perhaps uncut: cron's reopen cuts it
        long seq = incrSeq + 1;
        String incr = prefix + "." + seq + ".incr.aof";
        Path next = dir.resolve(incr);
        MappedAppendFile nf = null;
        AofManifest.AofInfo info = new AofManifest.AofInfo(incr, seq, 'i');
        try {
            nf = openIncr(next);
            incrs.add(info);
            writeManifest(null);
        } catch (IOException | RuntimeException e) {
            incrs.remove(info);
            if (nf != null) nf.abandon();
            Files.deleteIfExists(next);
            file = openIncr(incrPath);
            throw e;
        }
        incrSeq = seq;
        incrPath = next;
        file = nf;
    }

    /** Drops the WAIT_REWRITE temp incr file (not in the manifest): unmapped without cutting, deleted. */
    private void dropTempIncr() {
        MappedAppendFile f = file;
        file = null;
        try {
            if (f != null) f.abandon();
            Files.deleteIfExists(incrPath);
        } catch (IOException ignored) {
            // best effort, as Redis's unlink of the temp incr file
        }
    }

    /** backgroundRewriteDoneHandler (executor). */
    private void rewriteDone(Snapshot s, boolean ok, String error) {
        if (s != rewrite) return;
        rewrite = null;
        s.abort();
        lastRewriteTimeSec = (System.nanoTime() - rewriteStartNanos) / 1_000_000_000L;
        if (!ok) {
            log.warn("Background AOF rewrite terminated with error{}", error == null ? "" : ": " + error);
            lastRewriteOk = false;
            rewriteFailures++;
            if (state == WAIT_REWRITE) rewriteScheduled = true;
            return;
        }
        try {
            List<AofManifest.AofInfo> history = new ArrayList<>();
            if (rewriteOldBase != null) history.add(new AofManifest.AofInfo(rewriteOldBase, baseSeq, 'h'));
            if (state == WAIT_REWRITE) {
                for (AofManifest.AofInfo i : incrs) history.add(new AofManifest.AofInfo(i.fileName(), i.seq(), 'h'));
                incrs.clear();
                incrSeq++;
                String incr = config.appendfilename() + "." + incrSeq + ".incr.aof";
                Path target = dir().resolve(incr);
                Files.move(incrPath, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                incrPath = target;
                incrs.add(new AofManifest.AofInfo(incr, incrSeq, 'i'));
                state = ON;
            } else {
                for (AofManifest.AofInfo i : rewriteOldIncrs) {
                    history.add(new AofManifest.AofInfo(i.fileName(), i.seq(), 'h'));
                    incrs.remove(i);
                }
                if (state == OFF) incrs.clear(); // BGREWRITEAOF with appendonly no: the base alone
            }
            baseSeq++;
            baseName = rewriteBase;
            writeManifest(history);
            for (AofManifest.AofInfo h : history) Files.deleteIfExists(dir().resolve(h.fileName()));
            writeManifest(null);
            baseSize = Files.size(dir().resolve(baseName));
        } catch (IOException e) {
            log.warn("Error trying to finish the AOF rewrite: {}", e.getMessage());
            lastRewriteOk = false;
            rewriteFailures++;
            return;
        }
        rewrites++;
        rewriteFailures = 0;
        lastRewriteOk = true;
        rewriteBaseSize = currentSize();
        log.info("Background AOF rewrite finished successfully");
    }

    private void abortRewrite() {
        Snapshot s = rewrite;
        if (s == null) return;
        rewrite = null;
        s.abort();
        log.info("Killing running AOF rewrite child");
        if (state == WAIT_REWRITE && incrPath != null) {
            dropTempIncr();
            detach();
        }
    }

    /**
     * serverCron's retry, once a second while a write or fsync failed (Redis: flushAppendOnlyFile
     * when aof_last_write_status is err): reopens the incr file if a switch left none open, then
     * writes what is pending (and, under always, forces).
     */
    private void retryAfterError() {
        if (state == OFF || (lastWriteOk && fsyncOk && file != null)) return;
        long now = System.nanoTime();
        if (now - lastErrorRetryNanos < 1_000_000_000L) return;
        lastErrorRetryNanos = now;
        if (file == null && state == ON && incrPath != null) {
            try {
                file = openIncr(incrPath);
                log.info("AOF file {} reopened for appending", incrPath.getFileName());
            } catch (IOException e) {
                writeFailed(e);
                return;
            }
        }
        flush();
    }

    /** Walk slices of a running rewrite (executor idle time and between batches). */
    boolean step(long budgetNanos) {
        Snapshot s = rewrite;
        return s != null && s.step(budgetNanos);
    }

    /** serverCron's AOF part: a scheduled rewrite, auto-aof-rewrite-percentage/min-size. */
    private void cron() {
        retryAfterError();
        if (rewrite != null) {
            rewrite.step(2_000_000);
            return;
        }
        if (persistence.bgsaveInProgress()) return;
        if (rewriteScheduled) {
            startRewrite();
            return;
        }
        long perc = config.getLong("auto-aof-rewrite-percentage");
        if (state != ON || perc <= 0) return;
        long size = currentSize();
        if (size < config.getLong("auto-aof-rewrite-min-size")) return;
        long base = Math.max(1, rewriteBaseSize);
        long growth = (size * 100 / base) - 100;
        if (growth >= perc) {
            log.info("Starting automatic rewriting of AOF on {}% growth", growth);
            startRewrite();
        }
    }

    // ------------------------------------------------------------------ INFO

    /** INFO aof_last_write_status: the last write and the last fsync both succeeded (Redis 7.0). */
    public boolean lastWriteOk() {
        return lastWriteOk && fsyncOk;
    }

    /** Base plus every incr file in the manifest (Redis's aof_current_size). */
    public long currentSize() {
        long n = baseSize;
        MappedAppendFile open = file;
        for (AofManifest.AofInfo i : incrs) {
            Path p = dir().resolve(i.fileName());
            if (open != null && p.equals(incrPath)) {
                n += open.length(); // the data, not the mapped windows on disk
                continue;
            }
            try {
                n += Files.size(p);
            } catch (IOException ignored) {
                // gone: counts as empty
            }
        }
        if (state == WAIT_REWRITE) n = 0;
        return n + pending.readableBytes();
    }

    boolean lastRewriteOk() {
        return lastRewriteOk;
    }

    long rewrites() {
        return rewrites;
    }

    long rewriteFailures() {
        return rewriteFailures;
    }

    long lastRewriteTimeSec() {
        return lastRewriteTimeSec;
    }

    long currentRewriteTimeSec() {
        return rewrite == null ? -1 : (System.nanoTime() - rewriteStartNanos) / 1_000_000_000L;
    }

    boolean rewriteScheduled() {
        return rewriteScheduled;
    }

    boolean enabledNow() {
        return state != OFF;
    }

    public long baseSize() {
        return baseSize;
    }

    boolean open() {
        return file != null && state == ON;
    }
}
