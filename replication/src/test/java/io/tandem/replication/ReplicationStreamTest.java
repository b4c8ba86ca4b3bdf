package io.tandem.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicationStreamTest {
    private static byte[][] cmd(String... a) {
        byte[][] r = new byte[a.length][];
        for (int i = 0; i < a.length; i++) r[i] = a[i].getBytes(StandardCharsets.UTF_8);
        return r;
    }

    private static String text(Object... parts) {
        return String.join("", java.util.Arrays.stream(parts).map(Object::toString).toList());
    }

    @Test
    void nothingIsFedBeforeTheBacklogExists() {
        ReplicationIds ids = new ReplicationIds();
        ReplicationStream s = new ReplicationStream(ids, UnpooledByteBufAllocator.DEFAULT);
        s.feed(0, cmd("SET", "k", "v"));
        assertFalse(s.active());
        assertEquals(0, ids.offset(), "as Redis: no backlog, no replicas, no offset");
    }

    @Test
    void aTapGetsTheEncodedCommandsWithoutABacklogAndWithoutMovingTheOffset() {
        ReplicationIds ids = new ReplicationIds();
        ReplicationStream s = new ReplicationStream(ids, UnpooledByteBufAllocator.DEFAULT);
        StringBuilder aof = new StringBuilder();
        ReplicationStream.Tap tap = b -> aof.append(b.toString(b.readerIndex(), b.readableBytes(), StandardCharsets.UTF_8));
        s.addTap(tap);
        s.feed(0, cmd("SET", "k", "v"));
        s.ping(); // keepalives are not the dataset's: not for the AOF
        s.feed(2, cmd("DEL", "k"));
        assertEquals(0, ids.offset());
        assertFalse(s.active());
        assertEquals("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
                + "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n", aof.toString());
        // with a backlog, tap and replicas see the same bytes; the offset counts them once
        s.createBacklog(1 << 20);
        List<String> replica = new ArrayList<>();
        s.addReplica(b -> {
            replica.add(b.toString(StandardCharsets.UTF_8));
            b.release();
        });
        aof.setLength(0);
        s.feed(2, cmd("INCR", "n"));
        assertEquals(List.of(aof.toString()), replica);
        assertEquals(aof.length(), ids.offset());
        s.removeTap(tap);
        aof.setLength(0);
        s.feed(2, cmd("INCR", "n"));
        assertEquals("", aof.toString());
    }

    @Test
    void selectIsEmittedWhenTheDbChangesAndCounted() {
        ReplicationIds ids = new ReplicationIds();
        ReplicationStream s = new ReplicationStream(ids, UnpooledByteBufAllocator.DEFAULT);
        s.createBacklog(1 << 20);
        List<String> got = new ArrayList<>();
        List<ByteBuf> bufs = new ArrayList<>();
        s.addReplica(b -> {
            bufs.add(b);
            got.add(b.toString(StandardCharsets.UTF_8));
        });
        s.feed(0, cmd("SET", "k", "v"));
        s.feed(0, cmd("DEL", "k"));
        s.feed(3, cmd("INCR", "n"));
        s.ping();
        String select0 = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n";
        String set = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
        String del = "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n";
        String select3 = "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n";
        String incr = "*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n";
        String ping = "*1\r\n$4\r\nPING\r\n";
        assertEquals(List.of(select0 + set, del, select3 + incr, ping), got);
        String all = text(select0, set, del, select3, incr, ping);
        assertEquals(all.length(), ids.offset());
        assertEquals(all.length(), s.backlog().histlen());
        assertEquals(1, s.backlog().firstByteOffset());
        ByteBuf back = s.backlog().copyFrom(1, UnpooledByteBufAllocator.DEFAULT);
        assertEquals(all, back.toString(StandardCharsets.UTF_8));
        back.release();
        for (ByteBuf b : bufs) {
            assertEquals(1, b.refCnt(), "each replica owns exactly its duplicate");
            b.release();
        }
        s.forceSelect();
        s.feed(3, cmd("INCR", "n"));
        assertEquals(all.length() + select3.length() + incr.length(), ids.offset());
        assertEquals(select3 + incr, new String(ByteBufUtil.getBytes(s.backlog().copyFrom(all.length() + 1, UnpooledByteBufAllocator.DEFAULT)), StandardCharsets.UTF_8));
    }
}
