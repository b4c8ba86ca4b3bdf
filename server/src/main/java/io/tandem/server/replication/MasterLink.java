package io.tandem.server.replication;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tandem.storage.resp.RequestDecoder;
import io.tandem.storage.resp.RespProtocolException;
import io.tandem.storage.resp.RespWriter;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One connection of a replica to its master (Redis's {@code syncWithMaster} and
 * {@code readSyncBulkPayload}), as a state machine on its Netty event loop:
 *
 * <pre>
 *   PING ─► [AUTH [user] pass] ─► REPLCONF listening-port p ─► REPLCONF capa eof capa psync2
 *     ─► PSYNC replid offset+1 | PSYNC ? -1
 *          ├─ +CONTINUE [newid]            ─► STREAM
 *          └─ +FULLRESYNC id off ─► $len\r\n &lt;len bytes&gt;             ─► LOADING ─► STREAM
 *                                  $EOF:&lt;40 chars&gt;\r\n &lt;rdb&gt; &lt;same 40&gt;   (diskless)
 * </pre>
 *
 * Everything touching data or server state is handed to the executor through {@link Events}
 * (in order, as tasks): the RDB to load, each batch of decoded stream commands with its byte
 * sizes and raw bytes, the loss of the link. The handshake itself only reads replies here.
 *
 * <p><b>The RDB</b> (repl-diskless-load, chosen by the executor when it connects, {@link LoadMode}):
 * <ul>
 *   <li>{@code disabled}: written to {@code dir/temp-<unixtime>.<pid>.rdb} as it arrives (fsynced
 *       every 8 MB), and parsed at the same time by a verifier thread fed through an
 *       {@link RdbPipe}; only a whole, verified file is handed over ({@link Events#fullResync}).
 *       A cut or garbled transfer deletes the file and leaves the dataset alone.</li>
 *   <li>{@code swapdb}: the same, with the RDB held in memory (off-heap chunks) instead of a file.</li>
 *   <li>{@code on-empty-db} with an empty dataset: the bytes go through the pipe to the
 *       executor's loader as they arrive ({@link Events#fullResyncFromSocket}); nothing to keep.</li>
 * </ul>
 * After the RDB the link stops reading (phase LOADING; bytes already read are kept) until the
 * executor has loaded it and calls {@link #startStream}: stream commands never overtake the load.
 */
final class MasterLink extends ChannelInboundHandlerAdapter {
    /** Executor-side callbacks; each is called on the event loop and must hop to the executor. */
    interface Events {
        void handshakeFailed(MasterLink link, String why);

        /** The whole RDB arrived and was verified: load it (the payload is the caller's to discard). */
        void fullResync(MasterLink link, String replid, long offset, Payload rdb);

        /** on-empty-db: the RDB starts arriving; load it from {@code in} as it comes. */
        void fullResyncFromSocket(MasterLink link, String replid, long offset, InputStream in);

        void continued(MasterLink link, String newReplid);

        void stream(MasterLink link, List<byte[][]> commands, int[] sizes, ByteBuf raw);

        void lost(MasterLink link);
    }

    private static final EventLoopGroup GROUP = new NioEventLoopGroup(1, new DefaultThreadFactory("tandem-master-link", true));

    private enum Phase { PING, AUTH, PORT, CAPA, PSYNC, BULK_HEADER, BULK, LOADING, STREAM, CLOSED }

    /** Where a full sync's RDB goes while it arrives (repl-diskless-load). */
    enum LoadMode {
        /** disabled: a temp file, loaded once whole and verified. */
        DISK,
        /** swapdb: memory, loaded once whole and verified; the old dataset is kept until then. */
        MEMORY,
        /** on-empty-db with an empty dataset: loaded straight from the socket. */
        SOCKET
    }

    /** A complete RDB, verified: a temp file (disk) or off-heap chunks (memory). */
    static final class Payload {
        final Path file;
        private final List<ByteBuf> chunks;

        Payload(Path file, List<ByteBuf> chunks) {
            this.file = file;
            this.chunks = chunks;
        }

        /** The RDB's bytes from the start (memory: a view; the chunks stay until {@link #discard}). */
        InputStream open() throws IOException {
            if (file != null) return new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            List<ByteBuf> views = new ArrayList<>(chunks.size());
            for (ByteBuf c : chunks) views.add(c.duplicate());
            return new InputStream() {
                int i;

                @Override
                public int read() {
                    while (i < views.size() && !views.get(i).isReadable()) i++;
                    return i == views.size() ? -1 : views.get(i).readByte() & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (len == 0) return 0;
                    while (i < views.size() && !views.get(i).isReadable()) i++;
                    if (i == views.size()) return -1;
                    int n = Math.min(len, views.get(i).readableBytes());
                    views.get(i).readBytes(b, off, n);
                    return n;
                }
            };
        }

        /** Frees the memory; a file is left to the caller (renamed into place or deleted). */
        void discard() {
            if (chunks != null) for (ByteBuf c : chunks) c.release();
        }
    }

    /** The temp file is fsynced every this many bytes, as Redis's REPL_MAX_WRITTEN_BEFORE_FSYNC. */
    private static final long FSYNC_EVERY = 8L << 20;

    final String host;
    final int port;
    private final Events events;
    private final String auth;
    private final String authUser;
    private final int listeningPort;
    private final String psyncId;
    private final long psyncOffset;
    private final LoadMode mode;
    private final Path dir;
    private final int databases;
    private Phase phase = Phase.PING;
    private Channel channel;
    private final ByteBuf line = Unpooled.buffer(256);
    private String fullId;
    private long fullOffset;
    private long bulkLeft = -1;
    private ByteBuf eofMark;
    /** Up to 39 bytes not yet forwarded: they may be the start of the EOF mark. */
    private ByteBuf tail;
    private ByteBuf scratch;
    private Path tempFile;
    private FileChannel tempOut;
    private long sinceFsync;
    private List<ByteBuf> memory;
    /** To the verifier (disk, memory) or the loader (socket). */
    private RdbPipe pipe;
    /** The verifier's outcome once known (event loop). */
    private RdbLoad.Outcome verified;
    private boolean received;
    /** Stream bytes read after the RDB, applied once the executor has loaded it. */
    private ByteBuf leftover;
    private final RequestDecoder decoder = new RequestDecoder(Long.MAX_VALUE);
    private final ByteBuf rawAcc = Unpooled.buffer(4096);
    private int carried;
    volatile long lastIoMs = System.currentTimeMillis();
    volatile long bulkRead;
    volatile long bulkTotal = -1;

    MasterLink(String host, int port, Events events, String authUser, String auth, int listeningPort, String psyncId, long psyncOffset,
            LoadMode mode, Path dir, int databases) {
        this.mode = mode;
        this.dir = dir;
        this.databases = databases;
        this.host = host;
        this.port = port;
        this.events = events;
        this.authUser = authUser;
        this.auth = auth;
        this.listeningPort = listeningPort;
        this.psyncId = psyncId;
        this.psyncOffset = psyncOffset;
    }

    /** Connects (non-blocking); failures come back as {@link Events#handshakeFailed}. */
    void connect(int timeoutMs) {
        MasterLink self = this;
        new Bootstrap().group(GROUP).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMs)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(self);
                    }
                })
                .connect(host, port).addListener(f -> {
                    if (!f.isSuccess()) {
                        phase = Phase.CLOSED;
                        events.handshakeFailed(this, "Error condition on socket for SYNC: " + f.cause().getMessage());
                    }
                });
    }

    /** Closes the connection from any thread. */
    void close() {
        Channel ch = channel;
        if (ch != null) ch.close();
    }

    boolean streaming() {
        return phase == Phase.STREAM;
    }

    boolean syncing() {
        return phase == Phase.BULK_HEADER || phase == Phase.BULK || phase == Phase.LOADING;
    }

    /**
     * The executor has loaded the RDB: apply the stream from here (the bytes kept since the RDB's
     * end first) and read the socket again. Any thread.
     */
    void startStream() {
        Channel ch = channel;
        if (ch == null) return;
        ch.eventLoop().execute(() -> {
            if (phase != Phase.LOADING) return;
            phase = Phase.STREAM;
            ByteBuf rest = leftover;
            leftover = null;
            if (rest != null) {
                try {
                    if (rest.isReadable()) readStream(rest);
                } catch (RespProtocolException e) {
                    fail("Protocol error in the master's stream: " + e.getMessage());
                } finally {
                    rest.release();
                }
            }
            updateAutoRead();
        });
    }

    /** Reads the socket unless the RDB is loading or its parser is behind (event loop). */
    private void updateAutoRead() {
        Channel ch = channel;
        if (ch == null) return;
        boolean read = phase != Phase.LOADING && (pipe == null || phase != Phase.BULK || !pipe.full());
        if (ch.config().isAutoRead() != read) ch.config().setAutoRead(read);
    }

    /** Sends a command to the master (REPLCONF ACK); any thread. */
    void send(String... argv) {
        Channel ch = channel;
        if (ch == null || !ch.isActive()) return;
        ByteBuf b = ch.alloc().buffer(64);
        RespWriter w = new RespWriter(b);
        byte[][] a = new byte[argv.length][];
        for (int i = 0; i < argv.length; i++) a[i] = argv[i].getBytes(StandardCharsets.UTF_8);
        w.command(a);
        ch.writeAndFlush(b, ch.voidPromise());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        ReplicaRole.log.info("Non blocking connect for SYNC fired the event.");
        send("PING");
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        boolean wasUp = phase != Phase.CLOSED;
        phase = Phase.CLOSED;
        release();
        if (wasUp) events.lost(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ReplicaRole.log.warn("Error in the link with MASTER: {}", cause.toString());
        ctx.close();
    }

    private void release() {
        discardTransfer("connection lost");
        if (leftover != null) {
            leftover.release();
            leftover = null;
        }
        if (line.refCnt() > 0) line.release();
        if (rawAcc.refCnt() > 0) rawAcc.release();
    }

    /**
     * An unfinished transfer ends (cut, garbled, or the link closes): the parser is told, the temp
     * file deleted, the memory freed (Redis's replicationAbortSyncTransfer). A delivered payload
     * is no longer ours and is left alone.
     */
    private void discardTransfer(String why) {
        if (pipe != null) pipe.fail(why);
        if (tempOut != null) {
            try {
                tempOut.close();
            } catch (IOException ignored) {
                // deleted below
            }
            tempOut = null;
        }
        if (tempFile != null) {
            try {
                Files.deleteIfExists(tempFile);
            } catch (IOException ignored) {
                // best effort
            }
            tempFile = null;
        }
        if (memory != null) {
            for (ByteBuf c : memory) c.release();
            memory = null;
        }
        for (ByteBuf b : new ByteBuf[] {tail, scratch, eofMark}) if (b != null && b.refCnt() > 0) b.release();
        tail = scratch = eofMark = null;
    }

    private void fail(String why) {
        Phase was = phase;
        phase = Phase.CLOSED;
        if (was != Phase.CLOSED) events.handshakeFailed(this, why);
        if (channel != null) channel.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            lastIoMs = System.currentTimeMillis();
            while (in.isReadable() && phase != Phase.CLOSED) {
                switch (phase) {
                    case BULK -> readBulk(in);
                    case LOADING -> keepForStream(in);
                    case STREAM -> readStream(in);
                    default -> {
                        String reply = readLine(in);
                        if (reply == null) return;
                        onLine(reply);
                    }
                }
            }
        } catch (RespProtocolException e) {
            fail("Protocol error in the master's stream: " + e.getMessage());
        } catch (IOException e) {
            fail("Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: "
                    + e.getMessage());
        } finally {
            in.release();
        }
    }

    /** A whole line without CRLF, or null when incomplete (kept for the next read). */
    private String readLine(ByteBuf in) {
        while (in.isReadable()) {
            byte b = in.readByte();
            if (b == '\n') {
                int n = line.readableBytes();
                if (n > 0 && line.getByte(line.writerIndex() - 1) == '\r') n--;
                String s = line.toString(line.readerIndex(), n, StandardCharsets.UTF_8);
                line.clear();
                return s;
            }
            line.writeByte(b);
        }
        return null;
    }

    private void onLine(String reply) throws IOException {
        switch (phase) {
            case PING -> {
                // -NOAUTH is fine here: AUTH follows. Any other error stops the attempt.
                if (reply.startsWith("-") && !reply.startsWith("-NOAUTH") && !reply.startsWith("-NOPERM")
                        && !reply.startsWith("-ERR operation not permitted")) {
                    fail("Error reply to PING from master: '" + reply + "'");
                    return;
                }
                ReplicaRole.log.info("Master replied to PING, replication can continue...");
                if (auth != null) {
                    phase = Phase.AUTH;
                    if (authUser != null) send("AUTH", authUser, auth);
                    else send("AUTH", auth);
                } else {
                    sendPort();
                }
            }
            case AUTH -> {
                if (reply.startsWith("-")) {
                    fail("Unable to AUTH to MASTER: " + reply);
                    return;
                }
                sendPort();
            }
            case PORT -> {
                if (reply.startsWith("-")) {
                    ReplicaRole.log.info("(Non critical) Master does not understand REPLCONF listening-port: {}", reply);
                }
                phase = Phase.CAPA;
                send("REPLCONF", "capa", "eof", "capa", "psync2");
            }
            case CAPA -> {
                if (reply.startsWith("-")) ReplicaRole.log.info("(Non critical) Master does not understand REPLCONF capa: {}", reply);
                phase = Phase.PSYNC;
                if (psyncId == null) {
                    ReplicaRole.log.info("Partial resynchronization not possible (no cached master)");
                    send("PSYNC", "?", "-1");
                } else {
                    ReplicaRole.log.info("Trying a partial resynchronization (request {}:{}).", psyncId, psyncOffset);
                    send("PSYNC", psyncId, Long.toString(psyncOffset));
                }
            }
            case PSYNC -> onPsyncReply(reply);
            case BULK_HEADER -> onBulkHeader(reply);
            default -> { }
        }
    }

    private void sendPort() {
        phase = Phase.PORT;
        send("REPLCONF", "listening-port", Integer.toString(listeningPort));
    }

    private void onPsyncReply(String reply) {
        if (reply.isEmpty()) return; // keepalive newline
        if (reply.startsWith("+FULLRESYNC")) {
            String[] p = reply.split(" ");
            if (p.length < 3) {
                fail("Master replied with wrong +FULLRESYNC syntax.");
                return;
            }
            fullId = p[1];
            fullOffset = Long.parseLong(p[2]);
            ReplicaRole.log.info("Full resync from master: {}:{}", fullId, fullOffset);
            phase = Phase.BULK_HEADER;
        } else if (reply.startsWith("+CONTINUE")) {
            String id = reply.length() > "+CONTINUE ".length() ? reply.substring("+CONTINUE ".length()).trim() : null;
            ReplicaRole.log.info("Successful partial resynchronization with master.");
            phase = Phase.STREAM;
            events.continued(this, id == null || id.isEmpty() ? null : id);
        } else {
            fail("Unexpected reply to PSYNC from master: " + reply);
        }
    }

    private void onBulkHeader(String header) throws IOException {
        if (header.isEmpty()) return; // the master's keepalive newlines while it prepares the RDB
        if (header.startsWith("-")) {
            fail("MASTER aborted replication with an error: " + header.substring(1));
            return;
        }
        if (!header.startsWith("$")) {
            fail("Bad protocol from MASTER, the first byte is not '$' (we received '" + header + "'), are you sure the host and port are right?");
            return;
        }
        String target = mode == LoadMode.SOCKET ? "to parser" : mode == LoadMode.MEMORY ? "to memory" : "to disk";
        if (header.startsWith("$EOF:") && header.length() >= 5 + 40) {
            eofMark = Unpooled.copiedBuffer(header.substring(5, 45), StandardCharsets.US_ASCII);
            tail = Unpooled.buffer(64);
            scratch = Unpooled.buffer(64 * 1024);
            ReplicaRole.log.info("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF {}", target);
        } else {
            try {
                bulkLeft = Long.parseLong(header.substring(1));
            } catch (NumberFormatException e) {
                bulkLeft = -1;
            }
            if (bulkLeft < 0) {
                fail("Bad protocol from MASTER, invalid bulk length '" + header + "'");
                return;
            }
            bulkTotal = bulkLeft;
            ReplicaRole.log.info("MASTER <-> REPLICA sync: receiving {} bytes from master {}", bulkLeft, target);
        }
        Channel ch = channel;
        pipe = new RdbPipe(() -> ch.eventLoop().execute(this::updateAutoRead));
        switch (mode) {
            case DISK -> {
                tempFile = dir.resolve("temp-" + System.currentTimeMillis() / 1000 + "." + ProcessHandle.current().pid() + ".rdb");
                try {
                    tempOut = FileChannel.open(tempFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING);
                } catch (IOException e) {
                    tempFile = null;
                    fail("Opening the temp file needed for MASTER <-> REPLICA synchronization: " + e.getMessage());
                    return;
                }
                RdbLoad.verify(pipe, databases, this::verifiedElsewhere);
            }
            case MEMORY -> {
                memory = new ArrayList<>();
                RdbLoad.verify(pipe, databases, this::verifiedElsewhere);
            }
            case SOCKET -> events.fullResyncFromSocket(this, fullId, fullOffset, pipe);
        }
        phase = Phase.BULK;
        if (bulkLeft == 0) rdbReceived(Unpooled.EMPTY_BUFFER);
    }

    /** The verifier's outcome (its thread): back to the event loop. */
    private void verifiedElsewhere(RdbLoad.Outcome o) {
        Channel ch = channel;
        if (ch != null) ch.eventLoop().execute(() -> verified(o));
    }

    private void verified(RdbLoad.Outcome o) {
        if (phase != Phase.BULK && phase != Phase.LOADING) return;
        verified = o;
        if (!o.ok()) {
            // A garbled RDB fails as soon as the verifier sees it: the dataset was never touched.
            fail("Failed trying to load the MASTER synchronization DB from " + (mode == LoadMode.DISK ? "disk" : "memory") + ": " + o.error());
            return;
        }
        if (received) deliver();
    }

    /** Bytes of the RDB (the EOF mark never included), to the file or memory and to the pipe. */
    private void forward(ByteBuf b) throws IOException {
        int n = b.readableBytes();
        if (n == 0) return;
        bulkRead += n;
        ByteBuf copy = PooledByteBufAllocator.DEFAULT.directBuffer(n);
        copy.writeBytes(b, b.readerIndex(), n);
        if (tempOut != null) {
            java.nio.ByteBuffer nio = copy.nioBuffer();
            while (nio.hasRemaining()) tempOut.write(nio);
            sinceFsync += n;
            if (sinceFsync >= FSYNC_EVERY) {
                tempOut.force(false);
                sinceFsync = 0;
            }
        }
        if (memory != null) memory.add(copy.retainedDuplicate()); // its own indices: the verifier reads the original
        pipe.offer(copy);
        if (pipe.full()) updateAutoRead();
    }

    private void readBulk(ByteBuf in) throws IOException {
        if (eofMark == null) {
            int n = (int) Math.min(bulkLeft, in.readableBytes());
            forward(in.readSlice(n));
            bulkLeft -= n;
            if (bulkLeft == 0) rdbReceived(in);
            return;
        }
        // Diskless: the RDB ends with the 40 random bytes announced in the header. They are
        // searched in what was held back plus this read, so a mark split across reads, or
        // followed by stream bytes in the same read, is found.
        scratch.clear();
        scratch.writeBytes(tail);
        tail.clear();
        scratch.writeBytes(in);
        int at = ByteBufUtil.indexOf(eofMark, scratch);
        if (at >= 0) {
            forward(scratch.readSlice(at));
            scratch.skipBytes(40);
            rdbReceived(scratch);
            return;
        }
        int keep = Math.min(39, scratch.readableBytes());
        forward(scratch.readSlice(scratch.readableBytes() - keep));
        tail.writeBytes(scratch);
    }

    /** The last RDB byte arrived; {@code rest} is the start of the stream (kept for later). */
    private void rdbReceived(ByteBuf rest) throws IOException {
        phase = Phase.LOADING;
        received = true;
        keepForStream(rest);
        if (tempOut != null) {
            tempOut.force(true);
            tempOut.close();
            tempOut = null;
        }
        pipe.end();
        updateAutoRead();
        if (mode == LoadMode.SOCKET) return; // the executor's loader ends it and calls startStream
        if (verified != null) deliver();
    }

    /** Bytes after the RDB, while it loads: kept in order for {@link #startStream}. */
    private void keepForStream(ByteBuf in) {
        if (!in.isReadable()) return;
        if (leftover == null) leftover = Unpooled.buffer(in.readableBytes());
        leftover.writeBytes(in);
    }

    /** Received and verified: the executor loads it. */
    private void deliver() {
        Payload p = new Payload(tempFile, memory);
        tempFile = null;
        memory = null;
        for (ByteBuf b : new ByteBuf[] {tail, scratch, eofMark}) if (b != null && b.refCnt() > 0) b.release();
        tail = scratch = eofMark = null;
        pipe = null;
        events.fullResync(this, fullId, fullOffset, p);
    }

    /** Decodes complete commands, with the bytes each took, and hands them over in one batch. */
    private void readStream(ByteBuf in) throws RespProtocolException {
        int start = in.readerIndex();
        rawAcc.writeBytes(in, start, in.readableBytes());
        List<byte[][]> cmds = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        int[] mark = {start};
        decoder.decode(in, argv -> {
            int size = carried + (in.readerIndex() - mark[0]);
            carried = 0;
            mark[0] = in.readerIndex();
            cmds.add(argv);
            sizes.add(size);
        });
        carried += in.readerIndex() - mark[0];
        if (cmds.isEmpty()) return;
        int total = 0;
        int[] s = new int[sizes.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = sizes.get(i);
            total += s[i];
        }
        ByteBuf raw = Unpooled.buffer(total);
        rawAcc.readBytes(raw, total);
        rawAcc.discardReadBytes();
        events.stream(this, cmds, s, raw);
    }
}
