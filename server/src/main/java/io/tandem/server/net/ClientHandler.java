package io.tandem.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.unix.DomainSocketAddress;
import io.tandem.server.Server;
import io.tandem.server.exec.Client;
import io.tandem.storage.resp.RequestDecoder;
import io.tandem.storage.resp.RespProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One connection on its event loop: decodes requests (no keyspace access here) and hands each
 * read's worth of commands to the executor in one task, preserving order. Accept-time checks
 * (maxclients, protected mode) answer and close without involving the executor.
 *
 * <p>Back-pressure: when more than {@link #HIGH_WATER} commands of this client wait for the
 * executor, reading pauses until they drop below {@link #LOW_WATER}, so a client pipelining
 * faster than the server executes cannot grow the queue without bound.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter implements RequestDecoder.Sink {
    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);
    private static final int HIGH_WATER = 4096;
    private static final int LOW_WATER = 1024;
    static final String DENIED = "-DENIED Redis is running in protected mode because protected mode is enabled and "
            + "no password is set for the default user. In this mode connections are only accepted from the "
            + "loopback interface. If you want to connect from external computers to Redis you may adopt one of "
            + "the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET "
            + "protected-mode no' from the loopback interface by connecting to Redis from the same host the "
            + "server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. "
            + "Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the "
            + "protected mode by editing the Redis configuration file, and setting the protected mode option to "
            + "'no', and then restarting the server. 3) If you started the server manually just for testing, "
            + "restart it with the '--protected-mode no' option. 4) Set up an authentication password for the "
            + "default user. NOTE: You only need to do one of the above things in order for the server to start "
            + "accepting connections from the outside.\r\n";

    private final Server server;
    private final Handoff handoff;
    private final AtomicInteger connected;
    private final RequestDecoder decoder;
    private Client client;
    private byte[][] single;
    private List<byte[][]> batch;
    private boolean broken;

    ClientHandler(Server server, AtomicInteger connected) {
        this(server, new Handoff(server.executor()), connected);
    }

    ClientHandler(Server server, Handoff handoff, AtomicInteger connected) {
        this.server = server;
        this.handoff = handoff;
        this.connected = connected;
        this.decoder = new RequestDecoder(server.settings().protoMaxBulkLen);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        server.stats().connectionsReceived.incrementAndGet();
        if (connected.incrementAndGet() > server.settings().maxclients) {
            server.stats().rejectedConnections.incrementAndGet();
            broken = true;
            ctx.writeAndFlush(Unpooled.copiedBuffer("-ERR max number of clients reached\r\n", StandardCharsets.US_ASCII))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (server.settings().protectedMode && !server.settings().passwordSet && !isLocal(ctx.channel().remoteAddress())) {
            broken = true;
            server.stats().rejectedConnections.incrementAndGet();
            ctx.writeAndFlush(Unpooled.copiedBuffer(DENIED, StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        Client c = new Client(server.newClientId(), ctx.channel(), System.currentTimeMillis());
        client = c;
        handoff.submit(ctx.channel().eventLoop(), () -> server.clientConnected(c));
    }

    static boolean isLocal(SocketAddress a) {
        if (a instanceof DomainSocketAddress) return true;
        if (a instanceof InetSocketAddress in) {
            return in.getAddress() != null && in.getAddress().isLoopbackAddress();
        }
        return a == null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            if (broken || client == null) return;
            server.stats().netInputBytes.addAndGet(in.readableBytes());
            decoder.decode(in, this);
            if (decoder.pendingBytes() > server.settings().clientQueryBufferLimit) {
                log.warn("Closing client that reached max query buffer length: id={} addr={}", client.id, client.addr());
                broken = true;
                submit();
                ctx.close();
                return;
            }
        } catch (RespProtocolException e) {
            broken = true;
            submit();
            ctx.channel().config().setAutoRead(false);
            Client c = client;
            String message = "ERR Protocol error: " + e.getMessage();
            log.debug("Protocol error ({}) from client: id={} addr={}", e.getMessage(), c.id, c.addr());
            handoff.submit(ctx.channel().eventLoop(), () -> {
                if (c.closed) return;
                server.dispatcher().error(c, message);
                c.closeAfterReply = true;
                server.executor().markDirty(c);
            });
            return;
        } finally {
            in.release();
        }
        submit();
    }

    @Override
    public void onCommand(byte[][] argv) {
        if (single == null && batch == null) {
            single = argv;
        } else {
            if (batch == null) {
                batch = new ArrayList<>(16);
                batch.add(single);
                single = null;
            }
            batch.add(argv);
        }
    }

    /** Hands the commands decoded from this read to the executor, in one task. */
    private void submit() {
        Client c = client;
        if (single != null) {
            byte[][] argv = single;
            single = null;
            c.inflight.incrementAndGet();
            handoff.submit(c.channel.eventLoop(), () -> {
                server.dispatcher().process(c, argv);
                released(c, 1);
            });
        } else if (batch != null) {
            List<byte[][]> cmds = batch;
            batch = null;
            int n = cmds.size();
            if (c.inflight.addAndGet(n) > HIGH_WATER) c.channel.config().setAutoRead(false);
            handoff.submit(c.channel.eventLoop(), () -> {
                for (int i = 0; i < n; i++) server.dispatcher().process(c, cmds.get(i));
                released(c, n);
            });
        }
    }

    /** Executor thread: n commands of c have run; resume reading if it was paused for them. */
    private void released(Client c, int n) {
        int left = c.inflight.addAndGet(-n);
        if (left < LOW_WATER && !broken && !c.channel.config().isAutoRead()) {
            c.channel.eventLoop().execute(() -> {
                if (!broken) c.channel.config().setAutoRead(true);
            });
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connected.decrementAndGet();
        Client c = client;
        if (c != null) handoff.submit(ctx.channel().eventLoop(), () -> server.clientDisconnected(c));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Connection resets and the like: Redis logs them at verbose level and closes.
        log.debug("Client connection error: {}", cause.toString());
        ctx.close();
    }
}
