package io.tandem.perf;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tandem.storage.resp.Replies;
import io.tandem.storage.resp.RequestDecoder;
import io.tandem.storage.resp.RespProtocolException;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A trivial in-process RESP server: it decodes every request (with {@link RequestDecoder}) and
 * answers +OK (+PONG to PING), doing nothing else. Run against it, tandem-benchmark measures its
 * own latency floor and throughput ceiling (--self-test).
 */
final class SelfTestServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel server;

    SelfTestServer(int threads) throws InterruptedException {
        boolean epoll = Epoll.isAvailable() && !Boolean.getBoolean("tandem.benchmark.nio");
        group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("selftest-server", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends ServerSocketChannel> cls = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        server = new ServerBootstrap().group(group).channel(cls)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Handler());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private static final class Handler extends ChannelInboundHandlerAdapter implements RequestDecoder.Sink {
        private final RequestDecoder decoder = new RequestDecoder(512L * 1024 * 1024);
        private ByteBuf out;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                if (out == null) out = ctx.alloc().directBuffer(256);
                decoder.decode(in, this);
            } catch (RespProtocolException e) {
                ctx.close();
            } finally {
                in.release();
            }
        }

        @Override
        public void onCommand(byte[][] argv) {
            byte[] name = argv[0];
            boolean ping = name.length == 4 && (name[0] | 0x20) == 'p' && (name[1] | 0x20) == 'i';
            out.writeBytes(ping ? Replies.PONG : Replies.OK);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (out != null && out.isReadable()) {
                ctx.writeAndFlush(out, ctx.voidPromise());
                out = null;
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (out != null) {
                out.release();
                out = null;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
