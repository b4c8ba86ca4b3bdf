package io.tandem.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tandem.server.testing.TandemTestServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Protected mode decides on the peer's address. Tests must not send traffic to non-loopback
 * addresses, so the real connection handler runs in an embedded channel whose peer claims a
 * remote address; the server behind it is real.
 */
class AcceptChecksTest {
    /** An embedded channel whose peer is the given address. */
    static final class PeerChannel extends EmbeddedChannel {
        private final SocketAddress peer;

        PeerChannel(SocketAddress peer) {
            super(false, false);
            this.peer = peer;
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return peer;
        }
    }

    private static String firstReply(TandemTestServer server, String host) throws Exception {
        PeerChannel ch = new PeerChannel(new InetSocketAddress(host, 40000));
        ch.pipeline().addLast(new ClientHandler(server.server().server(), new AtomicInteger()));
        ch.register();
        ByteBuf out = ch.readOutbound();
        String reply = out == null ? null : out.toString(StandardCharsets.US_ASCII);
        if (out != null) out.release();
        boolean open = ch.isOpen();
        ch.finishAndReleaseAll();
        return reply == null ? (open ? null : "closed") : reply;
    }

    @Test
    void protectedModeRefusesRemoteClientsWithoutPassword() throws Exception {
        try (TandemTestServer server = TandemTestServer.start(Map.of("bind", "127.0.0.1"))) {
            String reply = firstReply(server, "10.1.2.3");
            assertTrue(reply.startsWith("-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user."), reply);
            assertTrue(reply.endsWith("accepting connections from the outside.\r\n"));
            assertNull(firstReply(server, "127.0.0.1"), "loopback clients are served");
            assertEquals(1, server.server().server().stats().rejectedConnections.get());
        }
    }

    @Test
    void aPasswordOrProtectedModeOffLetsRemoteClientsIn() throws Exception {
        try (TandemTestServer withPass = TandemTestServer.start(Map.of("requirepass", "pw"));
             TandemTestServer off = TandemTestServer.start(Map.of("protected-mode", "no"))) {
            assertNull(firstReply(withPass, "10.1.2.3"));
            assertNull(firstReply(off, "10.1.2.3"));
        }
    }

    @Test
    void configSetProtectedModeTakesEffect() throws Exception {
        try (TandemTestServer server = TandemTestServer.start()) {
            assertFalse(firstReply(server, "10.1.2.3") == null);
            server.server().server().executor().call(() -> {
                server.server().config().set("protected-mode", "no");
                return null;
            });
            assertNull(firstReply(server, "10.1.2.3"));
        }
    }
}
