package io.tandem.storage.keyspace;

import net.openhft.chronicle.core.Memory;
import net.openhft.chronicle.core.OS;

/**
 * Values too big to sit inside a Chronicle entry, in native memory from {@code malloc}
 * (Chronicle's {@link Memory}, i.e. {@code Unsafe.allocateMemory}: not counted against
 * {@code -Xmx}, unlike direct ByteBuffers). The map's record holds the address and length.
 *
 * <p>Every block starts with a 24-byte header linking all blocks of one store into a doubly
 * linked list, so {@link #freeAll} (FLUSHDB, close) releases everything without walking the map
 * and without a Java object per value:
 *
 * <pre>
 *   address → +--------+--------+--------+---------------------+
 *             | prev:8 | next:8 | len:8  | payload: len bytes  |
 *             +--------+--------+--------+---------------------+
 *   the map's record stores the block address; payload starts at address + 24
 * </pre>
 *
 * <p>Not thread-safe: owned by the database's thread.
 */
final class BigValues {
    static final int HEADER = 24;
    /** Estimated malloc overhead per block, counted in {@link #bytes()}. */
    static final int MALLOC_OVERHEAD = 16;

    private static final Memory MEMORY = OS.memory();

    private long head;
    private long count;
    private long bytes;

    /** Copies {@code payload} into a new block; returns its address. */
    long store(byte[] payload) {
        long size = HEADER + (long) payload.length;
        long a = MEMORY.allocate(size);
        MEMORY.writeLong(a, 0L);
        MEMORY.writeLong(a + 8, head);
        MEMORY.writeLong(a + 16, payload.length);
        if (head != 0) MEMORY.writeLong(head, a);
        head = a;
        MEMORY.writeBytes(a + HEADER, payload, 0, payload.length);
        count++;
        bytes += size + MALLOC_OVERHEAD;
        return a;
    }

    /** A fresh copy of the block's payload. */
    static byte[] load(long address) {
        int len = (int) MEMORY.readLong(address + 16);
        byte[] out = new byte[len];
        MEMORY.readBytes(address + HEADER, out, 0, len);
        return out;
    }

    static long length(long address) {
        return MEMORY.readLong(address + 16);
    }

    /** Bytes the block occupies, as counted in {@link #bytes()}. */
    static long footprint(long address) {
        return HEADER + length(address) + MALLOC_OVERHEAD;
    }

    void free(long a) {
        long prev = MEMORY.readLong(a);
        long next = MEMORY.readLong(a + 8);
        long size = HEADER + MEMORY.readLong(a + 16);
        if (prev != 0) MEMORY.writeLong(prev + 8, next);
        else head = next;
        if (next != 0) MEMORY.writeLong(next, prev);
        MEMORY.freeMemory(a, size);
        count--;
        bytes -= size + MALLOC_OVERHEAD;
    }

    void freeAll() {
        long a = head;
        while (a != 0) {
            long next = MEMORY.readLong(a + 8);
            MEMORY.freeMemory(a, HEADER + MEMORY.readLong(a + 16));
            a = next;
        }
        head = 0;
        count = 0;
        bytes = 0;
    }

    long count() {
        return count;
    }

    long bytes() {
        return bytes;
    }
}
