package io.tandem.storage.collection;

import io.tandem.storage.keyspace.SizedObject;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The large encoding of a list ({@code quicklist}): a growable circular array of elements on the
 * Java heap. Push and pop at both ends are amortised O(1), LINDEX/LSET O(1), insertion and
 * removal inside O(distance to the nearer end) — Redis's complexities or better.
 *
 * <p>Why not Redis's quicklist of listpack nodes: the compactness of listpack nodes is what the
 * off-heap small encoding already gives the many small lists; a list only lands here when it is
 * big, where the per-element array overhead (~20 bytes) buys O(1) indexing and simple code.
 * It keeps {@link #listpackBytes()} — the size the elements would take as one listpack — so the
 * owner can convert back to the compact encoding when the list shrinks. Not thread-safe.
 */
public final class QuickList implements SizedObject {
    private byte[][] items;
    private int head;
    private int size;
    private long dataBytes;
    private long lpBytes = Listpack.HEADER_SIZE + 1;

    public QuickList() {
        this(16);
    }

    public QuickList(int capacity) {
        int n = 16;
        while (n < capacity) n <<= 1;
        items = new byte[n][];
    }

    public int size() {
        return size;
    }

    /** Bytes these elements would take as a single listpack. */
    public long listpackBytes() {
        return lpBytes;
    }

    private int slot(int i) {
        return (head + i) & (items.length - 1);
    }

    private void added(byte[] e) {
        dataBytes += e.length;
        lpBytes += Listpack.entrySize(e);
    }

    private void removed(byte[] e) {
        dataBytes -= e.length;
        lpBytes -= Listpack.entrySize(e);
    }

    private void growIfFull() {
        if (size < items.length) return;
        byte[][] n = new byte[items.length * 2][];
        for (int i = 0; i < size; i++) n[i] = items[slot(i)];
        items = n;
        head = 0;
    }

    private void shrinkIfSparse() {
        if (items.length <= 16 || size > items.length / 4) return;
        byte[][] n = new byte[items.length / 2][];
        for (int i = 0; i < size; i++) n[i] = items[slot(i)];
        items = n;
        head = 0;
    }

    public void addFirst(byte[] e) {
        growIfFull();
        head = (head - 1) & (items.length - 1);
        items[head] = e;
        size++;
        added(e);
    }

    public void addLast(byte[] e) {
        growIfFull();
        items[slot(size)] = e;
        size++;
        added(e);
    }

    public byte[] pollFirst() {
        if (size == 0) return null;
        byte[] e = items[head];
        items[head] = null;
        head = (head + 1) & (items.length - 1);
        size--;
        removed(e);
        shrinkIfSparse();
        return e;
    }

    public byte[] pollLast() {
        if (size == 0) return null;
        int s = slot(size - 1);
        byte[] e = items[s];
        items[s] = null;
        size--;
        removed(e);
        shrinkIfSparse();
        return e;
    }

    /** Element {@code i} (0 = head); i must be in [0, size). */
    public byte[] get(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException(i);
        return items[slot(i)];
    }

    public void set(int i, byte[] e) {
        byte[] old = get(i);
        removed(old);
        items[slot(i)] = e;
        added(e);
    }

    /** Inserts e so that it becomes element {@code i} (0..size), shifting the nearer side. */
    public void insert(int i, byte[] e) {
        if (i < 0 || i > size) throw new IndexOutOfBoundsException(i);
        if (i == 0) {
            addFirst(e);
            return;
        }
        if (i == size) {
            addLast(e);
            return;
        }
        growIfFull();
        if (i < size / 2) {
            head = (head - 1) & (items.length - 1);
            for (int k = 0; k < i; k++) items[slot(k)] = items[slot(k + 1)];
        } else {
            for (int k = size; k > i; k--) items[slot(k)] = items[slot(k - 1)];
        }
        items[slot(i)] = e;
        size++;
        added(e);
    }

    /** Removes and returns element i, shifting the nearer side. */
    public byte[] remove(int i) {
        byte[] e = get(i);
        if (i < size / 2) {
            for (int k = i; k > 0; k--) items[slot(k)] = items[slot(k - 1)];
            items[head] = null;
            head = (head + 1) & (items.length - 1);
        } else {
            for (int k = i; k < size - 1; k++) items[slot(k)] = items[slot(k + 1)];
            items[slot(size - 1)] = null;
        }
        size--;
        removed(e);
        shrinkIfSparse();
        return e;
    }

    /** Keeps elements [start, end] (inclusive, valid indexes; start > end empties the list). */
    public void trim(int start, int end) {
        int keep = start > end ? 0 : end - start + 1;
        byte[][] n = new byte[Math.max(16, Integer.highestOneBit(Math.max(1, keep)) * 2)][];
        for (int i = 0; i < size; i++) {
            byte[] e = items[slot(i)];
            if (i >= start && i <= end) n[i - start] = e;
            else removed(e);
        }
        items = n;
        head = 0;
        size = keep;
    }

    /** Visits elements head to tail. */
    public void forEach(Consumer<byte[]> visitor) {
        for (int i = 0; i < size; i++) visitor.accept(items[slot(i)]);
    }

    /** A copy of the elements, head to tail. */
    public java.util.ArrayList<byte[]> toList() {
        java.util.ArrayList<byte[]> out = new java.util.ArrayList<>(size);
        forEach(out::add);
        return out;
    }

    @Override
    public long memoryUsage() {
        return 40 + 8L * items.length + (long) size * HashTable.ARRAY_BYTES + dataBytes;
    }

    @Override
    public QuickList copy() {
        QuickList q = new QuickList(size);
        forEach(e -> q.addLast(Arrays.copyOf(e, e.length)));
        return q;
    }
}
