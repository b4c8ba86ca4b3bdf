package io.tandem.server.commands;

import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.StoredValue;

import java.util.List;

/**
 * What SORT can sort, by value type: each collection family registers how to read its elements
 * ({@link #register}), so SORT (in {@link SortCommands}) knows no data type. Lists register
 * here; sets and sorted sets register from their own command classes, e.g.
 * <pre>{@code
 *   SortSources.register(StoredValue.TYPE_SET, new SortSources.Source() {
 *       public List<byte[]> elements(Database db, byte[] key, StoredValue v) { return members(v); }
 *       public boolean ordered() { return false; }   // SORT ... STORE of a set forces ALPHA, as Redis
 *   });
 * }</pre>
 * A key whose type has no source is WRONGTYPE for SORT (Redis accepts list, set, zset).
 * Executor thread only; register at startup.
 */
public final class SortSources {
    private SortSources() {}

    /** How SORT reads one type's elements. */
    public interface Source {
        /**
         * Every element, as byte strings, in the type's native order: a list head to tail, a sorted
         * set by ascending score (then member), a set in its iteration order. Called once per SORT.
         * This is also where a type may change the stored value as Redis does before sorting (Redis
         * 7.0 converts a listpack sorted set to a skiplist: {@code zsetConvert} in sortCommand).
         */
        List<byte[]> elements(Database db, byte[] key, StoredValue v);

        /**
         * True if the native order is meaningful (list, sorted set): {@code BY nosort} then keeps it,
         * reversed for DESC, and LIMIT slices it. False for a set: {@code BY nosort} keeps iteration
         * order, and with STORE the elements are sorted ALPHA instead (Redis's determinism rule for
         * replication).
         */
        boolean ordered();
    }

    private static final Source[] BY_TYPE = new Source[16];

    public static void register(byte type, Source source) {
        BY_TYPE[type] = source;
    }

    /** The source for a value's type, or null if SORT does not accept that type. */
    public static Source of(byte type) {
        return type >= 0 && type < BY_TYPE.length ? BY_TYPE[type] : null;
    }

    static {
        register(StoredValue.TYPE_LIST, new Source() {
            @Override
            public List<byte[]> elements(Database db, byte[] key, StoredValue v) {
                return ListValue.of(key, v).elements();
            }

            @Override
            public boolean ordered() {
                return true;
            }
        });
    }
}
