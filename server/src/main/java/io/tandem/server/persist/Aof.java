package io.tandem.server.persist;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tandem.server.Server;
import io.tandem.server.config.ServerConfig;
import io.tandem.server.exec.Client;
import io.tandem.storage.aof.AofFormatException;
import io.tandem.storage.aof.AofManifest;
import io.tandem.storage.aof.AofReader;
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
import java.util.List;

/**
 * The append-only file, as Redis 7.0's aof.c (multi-part AOF): {@code dir/appenddirname} holds
 * {@code <appendfilename>.1.base.rdb} (or {@code .base.aof}), {@code <appendfilename>.<n>.incr.aof}
 * and {@code <appendfilename>.manifest}.
 *
 * <pre>
 *   executor: Propagation ─► ReplicationStream.feed: encoded ONCE (SELECT when the db changes)
 *                                │ tap (this class): copy into {@code pending}
 *   executor: flushDirty ─► beforeFlush ─► write(pending) to the incr file's FileChannel
 *                              appendfsync always: force() here, before the batch's replies leave
 *   tandem-aof-fsync thread:   appendfsync everysec: force() once a second if anything was written
 * </pre>
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

    private FileChannel channel;
    private Path incrPath;
    private final ByteBuf pending = Unpooled.buffer(1 << 16);
    private volatile boolean unsynced;
    private volatile boolean running;
    private Thread fsyncThread;
    private long baseSize;
    private volatile long incrSize;
    private volatile boolean lastWriteOk = true;
    private volatile long lastFsyncNanos = System.nanoTime();

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
        long id = -1;
        for (int i = 0; i < order.size(); i++) {
            Path file = dir().resolve(order.get(i).fileName());
            replay(file, i == order.size() - 1, id--);
        }
        log.info("DB loaded from append only file: {} seconds", String.format("%.3f", (System.nanoTime() - t0) / 1e9));
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
        server.clientConnected(client);
        long multiStart = -1;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.position(start);
            AofReader reader = new AofReader(new BufferedInputStream(Channels.newInputStream(ch), 1 << 16), start, 1, true);
            while (true) {
                AofReader.Item item;
                try {
                    item = reader.next();
                } catch (AofFormatException e) {
                    if (e.truncated()) {
                        long validUpTo = multiStart >= 0 ? multiStart : e.offset();
                        if (last && yes("aof-load-truncated")) {
                            log.warn("!!! Warning: short read while loading the AOF file {}!!!", name);
                            log.warn("!!! Truncating the AOF {} at offset {} !!!", name, validUpTo);
                            if (multiStart >= 0) discard(client);
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
                if (!(item instanceof AofReader.Command c) || c.argv().length == 0) continue;
                if (c.is("multi")) multiStart = c.start();
                else if (c.is("exec")) multiStart = -1;
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
            }
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
        Path mf = manifestPath();
        AofManifest m = null;
        if (Files.exists(mf)) {
            try {
                m = AofManifest.parse(mf);
            } catch (AofManifest.ManifestException e) {
                throw new IOException("bad AOF manifest: " + e.getMessage());
            }
        }
        if (m == null) {
            String base = prefix + ".1.base." + (yes("aof-use-rdb-preamble") ? "rdb" : "aof");
            Path basePath = dir.resolve(base);
            if (base.endsWith(".rdb")) {
                if (!persistence.saveTo(basePath)) throw new IOException("can't write the AOF base file " + basePath);
            } else {
                Files.write(basePath, new byte[0]);
            }
            log.info("Creating AOF base file {} on server start", base);
            String incr = prefix + ".1.incr.aof";
            Files.write(dir.resolve(incr), new byte[0]);
            log.info("Creating AOF incr file {} on server start", incr);
            writeManifest(dir, "file " + base + " seq 1 type b\nfile " + incr + " seq 1 type i\n");
            incrPath = dir.resolve(incr);
            baseSize = Files.size(basePath);
        } else {
            if (m.incrs().isEmpty()) {
                long seq = 1;
                String incr = prefix + "." + seq + ".incr.aof";
                Files.write(dir.resolve(incr), new byte[0]);
                StringBuilder sb = new StringBuilder();
                if (m.base() != null) sb.append(line(m.base()));
                for (AofManifest.AofInfo h : m.history()) sb.append(line(h));
                sb.append("file ").append(incr).append(" seq ").append(seq).append(" type i\n");
                writeManifest(dir, sb.toString());
                incrPath = dir.resolve(incr);
            } else {
                incrPath = dir.resolve(m.incrs().get(m.incrs().size() - 1).fileName());
            }
            baseSize = m.base() == null ? 0 : Files.size(dir.resolve(m.base().fileName()));
        }
        channel = FileChannel.open(incrPath, StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        incrSize = channel.size();
        server.replicationStream().addTap(this::append);
        server.executor().setBeforeFlush(this::flush);
        running = true;
        fsyncThread = new Thread(this::fsyncLoop, "tandem-aof-fsync");
        fsyncThread.setDaemon(true);
        fsyncThread.start();
    }

    private static String line(AofManifest.AofInfo ai) {
        return "file " + ai.fileName() + " seq " + ai.seq() + " type " + ai.type() + "\n";
    }

    /** Writes the manifest atomically: temp file, fsync, rename, directory fsync. */
    private void writeManifest(Path dir, String content) throws IOException {
        Path tmp = dir.resolve("temp-" + manifestPath().getFileName());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, manifestPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        MappedFileSink.syncDirectory(dir);
    }

    // ------------------------------------------------------------------ append

    /** The stream tap: copy the command's bytes (executor). */
    private void append(ByteBuf bytes) {
        pending.writeBytes(bytes, bytes.readerIndex(), bytes.readableBytes());
    }

    /** flushAppendOnlyFile, before the batch's replies are handed to the network (executor). */
    private void flush() {
        if (!pending.isReadable() || channel == null) return;
        try {
            int n = pending.readableBytes();
            ByteBuffer bb = pending.nioBuffer();
            while (bb.hasRemaining()) channel.write(bb);
            pending.clear();
            incrSize += n;
            if ("always".equals(config.appendfsync())) {
                channel.force(false);
                lastFsyncNanos = System.nanoTime();
            } else {
                unsynced = true;
            }
            if (!lastWriteOk) log.warn("AOF write error looks solved, Redis can write again.");
            lastWriteOk = true;
        } catch (IOException e) {
            // Redis exits on an fsync error with appendfsync always; here the bytes stay pending and
            // are retried at the next flush, and the status is reported in INFO.
            if (lastWriteOk) log.warn("Error writing to the AOF file: {}", e.getMessage());
            lastWriteOk = false;
        }
    }

    private void fsyncLoop() {
        while (running) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            if (unsynced && "everysec".equals(config.appendfsync())) {
                unsynced = false;
                try {
                    channel.force(false);
                    lastFsyncNanos = System.nanoTime();
                } catch (IOException e) {
                    if (running) log.warn("Error fsyncing the AOF: {}", e.getMessage());
                }
            }
        }
    }

    /** Shutdown: write what is pending, fsync, close (executor stopped, or on it). */
    public void close() {
        if (channel == null) return;
        running = false;
        flush();
        try {
            channel.force(false);
            channel.close();
        } catch (IOException e) {
            log.warn("Error closing the AOF: {}", e.getMessage());
        }
        channel = null;
        if (fsyncThread != null) fsyncThread.interrupt();
        log.info("Calling fsync() on the AOF file.");
    }

    // ------------------------------------------------------------------ INFO

    public boolean lastWriteOk() {
        return lastWriteOk;
    }

    public long currentSize() {
        return baseSize + incrSize;
    }

    public long baseSize() {
        return baseSize;
    }

    boolean open() {
        return channel != null;
    }
}
