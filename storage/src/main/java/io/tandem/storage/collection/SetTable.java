package io.tandem.storage.collection;

import io.tandem.storage.keyspace.SizedObject;

import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The large encoding of a set ({@code hashtable}, Redis's {@code dict} with NULL values): a
 * {@link HashTable} whose every value is one shared empty array, so the set gets the table's O(1)
 * membership, Redis's reverse-binary SCAN cursor and fair random members without a second
 * implementation. Members are kept as given (not copied). Not thread-safe.
 */
public final class SetTable implements SizedObject {
    /** The value of every entry (never exposed, never written to). */
    private static final byte[] PRESENT = new byte[0];

    private final HashTable table;

    public SetTable() {
        table = new HashTable();
    }

    public SetTable(int expected) {
        table = new HashTable(expected);
    }

    public int size() {
        return table.size();
    }

    public boolean contains(byte[] member) {
        return table.get(member) != null;
    }

    /** True if the member is new. */
    public boolean add(byte[] member) {
        return table.put(member, PRESENT);
    }

    /** True if the member was present. */
    public boolean remove(byte[] member) {
        return table.remove(member);
    }

    /** Visits every member in table order. Must not modify the set. */
    public void forEach(Consumer<byte[]> visitor) {
        table.forEach((m, v) -> visitor.accept(m));
    }

    /** One SSCAN step (see {@link HashTable#scan}); returns the next cursor, 0 when done. */
    public long scan(long cursor, int count, Consumer<byte[]> out) {
        return table.scan(cursor, count, (m, v) -> out.accept(m));
    }

    /** A random member ({@code dictGetFairRandomKey}), null if empty. */
    public byte[] randomMember(RandomGenerator rnd) {
        byte[][] e = table.randomEntry(rnd);
        return e == null ? null : e[0];
    }

    @Override
    public long memoryUsage() {
        // the table counts an array header per value; here all values are one shared array
        return table.memoryUsage() - (long) table.size() * HashTable.ARRAY_BYTES;
    }

    @Override
    public SetTable copy() {
        SetTable t = new SetTable(size());
        forEach(m -> t.add(m.clone()));
        return t;
    }
}
