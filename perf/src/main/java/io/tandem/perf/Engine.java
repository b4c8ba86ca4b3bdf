package io.tandem.perf;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.TimeUnit;

/**
 * The client's I/O threads: one Netty event loop per --threads, epoll where available (its timers
 * have microsecond resolution, which the fixed-rate schedule needs), NIO otherwise.
 */
final class Engine implements AutoCloseable {
    final EventLoopGroup group;
    final EventLoop[] loops;
    final Class<? extends SocketChannel> channelClass;
    final String transport;

    Engine(int threads) {
        IoHandlerFactory factory;
        if (Epoll.isAvailable() && !Boolean.getBoolean("tandem.benchmark.nio")) {
            factory = EpollIoHandler.newFactory();
            channelClass = EpollSocketChannel.class;
            transport = "epoll";
        } else {
            factory = NioIoHandler.newFactory();
            channelClass = NioSocketChannel.class;
            transport = "nio";
        }
        group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("bench-io", true), factory);
        loops = new EventLoop[threads];
        for (int i = 0; i < threads; i++) loops[i] = (EventLoop) group.next();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
