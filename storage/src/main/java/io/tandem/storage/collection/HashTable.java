package io.tandem.storage.collection;

import io.tandem.storage.keyspace.SizedObject;
import io.tandem.storage.util.ScanCursor;

import java.util.Arrays;
import java.util.function.BiConsumer;
import java.util.random.RandomGenerator;

/**
 * The large encoding of a hash ({@code hashtable}, Redis's {@code dict}): a chained hash table of
 * byte-array fields on the Java heap, with O(1) get/put/remove, Redis's reverse-binary SCAN
 * cursor (an element present for the whole scan is returned at least once, across growth and
 * shrinking) and random entries for HRANDFIELD.
 *
 * <p>Buckets are a power of two; the table doubles when it holds more entries than buckets and
 * halves when under 1/8 full (so a random bucket is non-empty with probability ≥ 1/8). Resizes
 * are done at once (amortised O(1)), not incrementally as Redis does. Not thread-safe.
 */
public final class HashTable implements SizedObject {
    private static final int MIN_BUCKETS = 4;
    /** Estimated heap bytes of one node (header, 3 refs, int hash) and of one byte[] header. */
    static final int NODE_BYTES = 32;
    static final int ARRAY_BYTES = 16;

    private static final class Node {
        final byte[] field;
        byte[] value;
        final int hash;
        Node next;

        Node(byte[] field, byte[] value, int hash, Node next) {
            this.field = field;
            this.value = value;
            this.hash = hash;
            this.next = next;
        }
    }

    private Node[] buckets = new Node[MIN_BUCKETS];
    private int size;
    /** Sum of field and value lengths, for {@link #memoryUsage}. */
    private long dataBytes;

    public HashTable() {}

    public HashTable(int expected) {
        int n = MIN_BUCKETS;
        while (n < expected) n <<= 1;
        buckets = new Node[n];
    }

    static int hash(byte[] b) {
        int h = 0x9747b28c;
        for (byte x : b) h = (h ^ x) * 0x01000193;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    public int size() {
        return size;
    }

    public byte[] get(byte[] field) {
        int h = hash(field);
        for (Node n = buckets[h & (buckets.length - 1)]; n != null; n = n.next) {
            if (n.hash == h && Arrays.equals(n.field, field)) return n.value;
        }
        return null;
    }

    public boolean containsKey(byte[] field) {
        return get(field) != null;
    }

    /** Sets field to value (both kept, not copied); true if the field is new. */
    public boolean put(byte[] field, byte[] value) {
        int h = hash(field);
        int i = h & (buckets.length - 1);
        for (Node n = buckets[i]; n != null; n = n.next) {
            if (n.hash == h && Arrays.equals(n.field, field)) {
                dataBytes += value.length - n.value.length;
                n.value = value;
                return false;
            }
        }
        buckets[i] = new Node(field, value, h, buckets[i]);
        size++;
        dataBytes += field.length + value.length;
        if (size > buckets.length) resize(buckets.length * 2);
        return true;
    }

    /** Removes the field; true if it was present. */
    public boolean remove(byte[] field) {
        int h = hash(field);
        int i = h & (buckets.length - 1);
        Node prev = null;
        for (Node n = buckets[i]; n != null; prev = n, n = n.next) {
            if (n.hash == h && Arrays.equals(n.field, field)) {
                if (prev == null) buckets[i] = n.next;
                else prev.next = n.next;
                size--;
                dataBytes -= n.field.length + n.value.length;
                if (buckets.length > MIN_BUCKETS && size < buckets.length / 8) resize(buckets.length / 2);
                return true;
            }
        }
        return false;
    }

    private void resize(int n) {
        Node[] old = buckets;
        Node[] nb = new Node[Math.max(MIN_BUCKETS, n)];
        int mask = nb.length - 1;
        for (Node head : old) {
            for (Node x = head; x != null; ) {
                Node next = x.next;
                int i = x.hash & mask;
                x.next = nb[i];
                nb[i] = x;
                x = next;
            }
        }
        buckets = nb;
    }

    /** Visits every field and value (in table order). Must not modify the table. */
    public void forEach(BiConsumer<byte[], byte[]> visitor) {
        for (Node head : buckets) for (Node x = head; x != null; x = x.next) visitor.accept(x.field, x.value);
    }

    /**
     * One step of HSCAN from {@code cursor}: visits the buckets the cursor names until about
     * {@code count} entries were emitted (or 10×count empty buckets seen); returns the next
     * cursor, 0 when done. Redis's {@code dictScan} cursor: the bucket index with its bits
     * reversed, incremented from the top, so growth or shrinking between calls loses nothing.
     */
    public long scan(long cursor, int count, BiConsumer<byte[], byte[]> out) {
        if (size == 0) return 0;
        long v = cursor;
        long mask = buckets.length - 1;
        int emitted = 0;
        int maxEmpty = Math.max(10, count * 10);
        do {
            Node head = buckets[(int) (v & mask)];
            if (head == null) maxEmpty--;
            for (Node x = head; x != null; x = x.next) {
                out.accept(x.field, x.value);
                emitted++;
            }
            v = ScanCursor.next(v, mask);
        } while (v != 0 && emitted < count && maxEmpty > 0);
        return v;
    }

    /** A random entry as {field, value} (as dictGetFairRandomKey: a random non-empty bucket, a random node in it). */
    public byte[][] randomEntry(RandomGenerator rnd) {
        if (size == 0) return null;
        Node head;
        do {
            head = buckets[rnd.nextInt(buckets.length)];
        } while (head == null);
        int len = 0;
        for (Node x = head; x != null; x = x.next) len++;
        int k = rnd.nextInt(len);
        Node x = head;
        while (k-- > 0) x = x.next;
        return new byte[][] {x.field, x.value};
    }

    @Override
    public long memoryUsage() {
        return 48 + 8L * buckets.length + (long) size * (NODE_BYTES + 2 * ARRAY_BYTES) + dataBytes;
    }

    @Override
    public HashTable copy() {
        HashTable t = new HashTable(size);
        forEach((f, v) -> t.put(f.clone(), v.clone()));
        return t;
    }
}
