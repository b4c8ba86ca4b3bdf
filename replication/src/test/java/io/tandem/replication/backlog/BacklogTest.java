package io.tandem.replication.backlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The ring against a model: the whole stream in a byte array. */
class BacklogTest {
    private static byte[] copy(Backlog b, long offset) {
        ByteBuf buf = b.copyFrom(offset, UnpooledByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void offsetsFollowRedisConventions() {
        Backlog b = new Backlog(16, 100);
        assertEquals(101, b.firstByteOffset(), "the next byte is master_repl_offset + 1");
        assertEquals(0, b.histlen());
        assertTrue(b.covers(101), "asking for the next byte: nothing to send, but partial");
        assertFalse(b.covers(100));
        assertFalse(b.covers(102));
        b.append("abc".getBytes());
        assertTrue(b.covers(101));
        assertTrue(b.covers(104));
        assertFalse(b.covers(105));
        assertArrayEquals("bc".getBytes(), copy(b, 102));
    }

    @Test
    void randomAppendsMatchTheModel() {
        Random rnd = new Random(42);
        for (int size : new int[] {1, 7, 64, 1000}) {
            long start = rnd.nextInt(1000);
            Backlog b = new Backlog(size, start);
            ByteArrayOutputStream model = new ByteArrayOutputStream();
            long held = 0; // bytes the ring should hold: what fits, minus what a shrink dropped
            for (int step = 0; step < 400; step++) {
                byte[] chunk = new byte[rnd.nextInt(step % 50 == 0 ? 3 * size + 1 : Math.max(2, size / 3))];
                rnd.nextBytes(chunk);
                // Appended from the middle of a larger buffer, as the stream does.
                ByteBuf src = Unpooled.buffer();
                src.writeBytes(new byte[5]).writeBytes(chunk).writeBytes(new byte[3]);
                b.append(src, 5, chunk.length);
                model.writeBytes(chunk);
                byte[] all = model.toByteArray();
                long end = start + all.length;
                held = Math.min(held + chunk.length, size);
                assertEquals(held, b.histlen());
                assertEquals(end - held + 1, b.firstByteOffset());
                long from = b.firstByteOffset() + (held == 0 ? 0 : rnd.nextInt((int) held + 1));
                byte[] expect = Arrays.copyOfRange(all, (int) (from - start - 1), all.length);
                assertArrayEquals(expect, copy(b, from), "size " + size + " step " + step);
                if (step % 97 == 96) {
                    int newSize = 1 + rnd.nextInt(2 * size);
                    b.resize(newSize);
                    size = newSize;
                    held = Math.min(held, size);
                    assertEquals(held, b.histlen());
                    assertArrayEquals(Arrays.copyOfRange(all, (int) (all.length - held), all.length), copy(b, end - held + 1));
                }
            }
        }
    }
}
