package io.tandem.server.replication;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
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

import java.nio.charset.StandardCharsets;
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
 *          └─ +FULLRESYNC id off ─► $len\r\n &lt;len bytes&gt;             ─► load ─► STREAM
 *                                  $EOF:&lt;40 chars&gt;\r\n &lt;rdb&gt; &lt;same 40&gt;   (diskless)
 * </pre>
 *
 * Everything touching data or server state is handed to the executor through {@link Events}
 * (in order, as tasks): the RDB to load, each batch of decoded stream commands with its byte
 * sizes and raw bytes, the loss of the link. The handshake itself only reads replies here.
 * The RDB is held in memory while it arrives (interim, as the master's snapshot).
 */
final class MasterLink extends ChannelInboundHandlerAdapter {
    /** Executor-side callbacks; each is called on the event loop and must hop to the executor. */
    interface Events {
        void handshakeFailed(MasterLink link, String why);

        void fullResync(MasterLink link, String replid, long offset, ByteBuf rdb);

        void continued(MasterLink link, String newReplid);

        void stream(MasterLink link, List<byte[][]> commands, int[] sizes, ByteBuf raw);

        void lost(MasterLink link);
    }

    private static final EventLoopGroup GROUP = new NioEventLoopGroup(1, new DefaultThreadFactory("tandem-master-link", true));

    private enum Phase { PING, AUTH, PORT, CAPA, PSYNC, BULK_HEADER, BULK, STREAM, CLOSED }

    final String host;
    final int port;
    private final Events events;
    private final String auth;
    private final String authUser;
    private final int listeningPort;
    private final String psyncId;
    private final long psyncOffset;
    private Phase phase = Phase.PING;
    private Channel channel;
    private final ByteBuf line = Unpooled.buffer(256);
    private String fullId;
    private long fullOffset;
    private ByteBuf rdb;
    private long bulkLeft = -1;
    private byte[] eofMark;
    private final RequestDecoder decoder = new RequestDecoder(Long.MAX_VALUE);
    private final ByteBuf rawAcc = Unpooled.buffer(4096);
    private int carried;
    volatile long lastIoMs = System.currentTimeMillis();
    volatile long bulkRead;
    volatile long bulkTotal = -1;

    MasterLink(String host, int port, Events events, String authUser, String auth, int listeningPort, String psyncId, long psyncOffset) {
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
        return phase == Phase.BULK_HEADER || phase == Phase.BULK;
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
        if (rdb != null) {
            rdb.release();
            rdb = null;
        }
        if (line.refCnt() > 0) line.release();
        if (rawAcc.refCnt() > 0) rawAcc.release();
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

    private void onLine(String reply) {
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

    private void onBulkHeader(String header) {
        if (header.isEmpty()) return; // the master's keepalive newlines while it prepares the RDB
        if (header.startsWith("-")) {
            fail("MASTER aborted replication with an error: " + header.substring(1));
            return;
        }
        if (!header.startsWith("$")) {
            fail("Bad protocol from MASTER, the first byte is not '$' (we received '" + header + "'), are you sure the host and port are right?");
            return;
        }
        if (header.startsWith("$EOF:") && header.length() == 5 + 40) {
            eofMark = header.substring(5).getBytes(StandardCharsets.US_ASCII);
            rdb = Unpooled.buffer(64 * 1024);
            ReplicaRole.log.info("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk");
        } else {
            bulkLeft = Long.parseLong(header.substring(1));
            bulkTotal = bulkLeft;
            if (bulkLeft > Integer.MAX_VALUE - 16) {
                fail("RDB payload too large for an in-memory sync: " + bulkLeft);
                return;
            }
            rdb = Unpooled.buffer((int) Math.max(16, bulkLeft));
            ReplicaRole.log.info("MASTER <-> REPLICA sync: receiving {} bytes from master to disk", bulkLeft);
        }
        phase = Phase.BULK;
    }

    private void readBulk(ByteBuf in) {
        if (eofMark == null) {
            int n = (int) Math.min(bulkLeft, in.readableBytes());
            rdb.writeBytes(in, n);
            bulkLeft -= n;
            bulkRead += n;
            if (bulkLeft == 0) bulkDone();
            return;
        }
        // Diskless: the RDB ends with the 40 random bytes announced in the header.
        while (in.isReadable()) {
            rdb.writeByte(in.readByte());
            bulkRead++;
            if (rdb.readableBytes() >= 40 && endsWithMark()) {
                rdb.writerIndex(rdb.writerIndex() - 40);
                bulkDone();
                return;
            }
        }
    }

    private boolean endsWithMark() {
        int end = rdb.writerIndex();
        for (int i = 0; i < 40; i++) if (rdb.getByte(end - 40 + i) != eofMark[i]) return false;
        return true;
    }

    private void bulkDone() {
        ByteBuf payload = rdb;
        rdb = null;
        phase = Phase.STREAM;
        events.fullResync(this, fullId, fullOffset, payload);
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
