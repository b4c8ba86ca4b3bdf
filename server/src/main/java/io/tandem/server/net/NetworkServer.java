package io.tandem.server.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.tandem.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The listening sockets: TCP on each {@code bind} address and optionally a unix socket. Native
 * epoll when available, NIO otherwise. {@code io-threads} event loops decode and write; none of
 * them touches the keyspace.
 */
public final class NetworkServer {
    private static final Logger log = LoggerFactory.getLogger(NetworkServer.class);

    /** A port could not be bound; the message is Redis's ("Failed listening on port ..."). */
    public static final class BindException extends Exception {
        private static final long serialVersionUID = 1L;

        BindException(String message) {
            super(message);
        }
    }

    private final Server server;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final boolean epoll;
    private final AtomicInteger connected = new AtomicInteger();
    private final Handoff handoff;
    private final List<Channel> listeners = new ArrayList<>();
    private int boundPort;

    public NetworkServer(Server server, int ioThreads) {
        this.server = server;
        this.handoff = new Handoff(server.executor());
        this.epoll = Epoll.isAvailable() && !Boolean.getBoolean("tandem.nio");
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.boss = new MultiThreadIoEventLoopGroup(1, factory);
        this.workers = new MultiThreadIoEventLoopGroup(Math.max(1, ioThreads), factory);
    }

    public String transport() {
        return epoll ? "epoll" : "nio";
    }

    public int connectedClients() {
        return connected.get();
    }

    /**
     * Binds every address. An address with a leading {@code -} is optional: failing to bind it
     * (e.g. no IPv6) is logged and skipped, as in Redis 7.
     */
    public void bind(List<String> addresses, int port, int backlog, int keepalive) throws BindException {
        if (port == 0) return;
        ServerBootstrap b = bootstrap(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class, backlog);
        b.childOption(ChannelOption.TCP_NODELAY, true);
        if (keepalive > 0) {
            b.childOption(ChannelOption.SO_KEEPALIVE, true);
            if (epoll) {
                b.childOption(EpollChannelOption.TCP_KEEPIDLE, keepalive);
                b.childOption(EpollChannelOption.TCP_KEEPINTVL, Math.max(1, keepalive / 3));
                b.childOption(EpollChannelOption.TCP_KEEPCNT, 3);
            }
        }
        List<String> addrs = addresses.isEmpty() ? List.of("*", "-::*") : addresses;
        for (String raw : addrs) {
            boolean optional = raw.startsWith("-");
            String host = optional ? raw.substring(1) : raw;
            InetSocketAddress sa = host.equals("*") ? new InetSocketAddress("0.0.0.0", port)
                    : host.equals("::*") ? new InetSocketAddress("::", port)
                    : new InetSocketAddress(host, port);
            try {
                Channel ch = b.bind(sa).sync().channel();
                listeners.add(ch);
                boundPort = ((InetSocketAddress) ch.localAddress()).getPort();
            } catch (Exception e) {
                String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                if (optional || (host.equals("::*") && addrs.size() > 1)) {
                    log.debug("Skipping optional bind address {}: {}", raw, reason);
                    continue;
                }
                throw new BindException("Failed listening on port " + port + " (tcp), aborting.: " + reason);
            }
        }
        if (listeners.isEmpty()) throw new BindException("Failed listening on port " + port + " (tcp), aborting.");
    }

    public void bindUnix(String path, int backlog) throws BindException {
        if (path == null || path.isEmpty()) return;
        if (!epoll) throw new BindException("Failed opening Unix socket: unix sockets need the native epoll transport");
        new File(path).delete();
        try {
            Channel ch = bootstrap(EpollServerDomainSocketChannel.class, backlog).bind(new DomainSocketAddress(path)).sync().channel();
            listeners.add(ch);
        } catch (Exception e) {
            throw new BindException("Failed opening Unix socket: " + e.getMessage());
        }
    }

    /** The TCP port actually bound (differs from the configured one only for port 0 in tests). */
    public int port() {
        return boundPort;
    }

    private ServerBootstrap bootstrap(Class<? extends ServerChannel> type, int backlog) {
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(type);
        b.option(ChannelOption.SO_BACKLOG, backlog);
        b.option(ChannelOption.SO_REUSEADDR, true);
        b.childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("bytes-out", new OutputCounter(server));
                ch.pipeline().addLast("client", new ClientHandler(server, handoff, connected));
            }
        });
        return b;
    }

    /** Stops accepting; existing connections are closed. */
    public void close() {
        for (Channel ch : listeners) ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        listeners.clear();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    /** Counts reply bytes for INFO stats total_net_output_bytes. */
    private static final class OutputCounter extends ChannelDuplexHandler {
        private final Server server;

        OutputCounter(Server server) {
            this.server = server;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf b) server.stats().netOutputBytes.addAndGet(b.readableBytes());
            ctx.write(msg, promise);
        }
    }
}
