package io.tandem.server.commands;

import io.tandem.server.Settings;
import io.tandem.storage.collection.HashTable;
import io.tandem.storage.collection.Listpack;
import io.tandem.storage.collection.QuickList;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Encoding;
import io.tandem.storage.keyspace.StoredValue;
import io.tandem.storage.rdb.RdbValue;
import io.tandem.storage.rdb.RdbValue.RdbHash;
import io.tandem.storage.rdb.RdbValue.RdbList;
import io.tandem.storage.rdb.RdbValue.RdbString;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The adapter between keyspace values and the RDB codec's neutral {@link RdbValue}s, used by
 * DUMP/RESTORE and (#4) by snapshot save and load. One method per type and direction, in two
 * registries, so a family adds its type without touching this class:
 * <pre>
 *   RdbValues.registerSaver(StoredValue.TYPE_SET, SetCommands::toRdb);
 *   RdbValues.registerLoader(RdbValue.RdbSet.class, SetCommands::fromRdb); // returns a Prepared
 * </pre>
 * Loading stores the value with the encoding Redis 7.0 gives it on load: a listpack Redis wrote
 * is kept as is (no decode) unless it is over the threshold Redis checks, then converted.
 * Until a family registers, its values fail with {@link UnsupportedValueException} (RESTORE
 * answers "Bad data format"). Executor thread only.
 */
public final class RdbValues {
    private RdbValues() {}

    /**
     * Turns a decoded value into what the keyspace stores, checking it fully first (so RESTORE
     * REPLACE can refuse bad data before it deletes the old key).
     */
    @FunctionalInterface
    public interface Loader {
        Prepared prepare(RdbValue value, Settings settings) throws UnsupportedValueException;
    }

    /** A checked value, ready to be put under a key (the caller has deleted any old key). */
    @FunctionalInterface
    public interface Prepared {
        void put(Database db, byte[] key, long expireAt);
    }

    /** A value this server cannot hold (its type has no loader, or the data breaks a type rule). */
    public static final class UnsupportedValueException extends Exception {
        private static final long serialVersionUID = 1L;

        public UnsupportedValueException(String message) {
            super(message);
        }
    }

    private static final Map<Byte, Function<StoredValue, RdbValue>> SAVERS = new HashMap<>();
    private static final Map<Class<? extends RdbValue>, Loader> LOADERS = new HashMap<>();

    static {
        registerSaver(StoredValue.TYPE_STRING, v -> new RdbString(v.payload));
        registerSaver(StoredValue.TYPE_HASH, RdbValues::hashToRdb);
        registerSaver(StoredValue.TYPE_LIST, RdbValues::listToRdb);
        registerLoader(RdbString.class, (v, s) -> (db, key, exp) -> StringCommands.putString(db, key, ((RdbString) v).value(), exp));
        registerLoader(RdbHash.class, RdbValues::storeHash);
        registerLoader(RdbList.class, RdbValues::storeList);
    }

    public static void registerSaver(byte type, Function<StoredValue, RdbValue> saver) {
        SAVERS.put(type, saver);
    }

    public static void registerLoader(Class<? extends RdbValue> type, Loader loader) {
        LOADERS.put(type, loader);
    }

    /** The RDB form of a stored value. */
    public static RdbValue toRdb(StoredValue v) {
        Function<StoredValue, RdbValue> f = SAVERS.get(v.type);
        if (f == null) throw new IllegalStateException("no RDB saver for type " + StoredValue.typeName(v.type));
        return f.apply(v);
    }

    /** Checks and converts {@code v}; put the result with {@link Prepared#put}. */
    public static Prepared prepare(RdbValue v, Settings s) throws UnsupportedValueException {
        Loader l = LOADERS.get(v.getClass());
        if (l == null) throw new UnsupportedValueException(v.getClass().getSimpleName() + " values are not supported yet");
        return l.prepare(v, s);
    }

    // ------------------------------------------------------------------ hash

    static RdbValue hashToRdb(StoredValue v) {
        if (v.object == null) return RdbHash.ofListpack(v.payload);
        HashTable t = (HashTable) v.object;
        List<byte[]> pairs = new ArrayList<>(t.size() * 2);
        t.forEach((f, x) -> {
            pairs.add(f);
            pairs.add(x);
        });
        return RdbHash.of(pairs);
    }

    /**
     * As rdbLoadObject: a listpack stays one (bytes kept) unless it has more than
     * hash-max-listpack-entries fields (7.0 checks only the count here); field/value pairs
     * become a listpack if few and short enough, else a hash table. Duplicate fields are refused.
     */
    static Prepared storeHash(RdbValue value, Settings s) throws UnsupportedValueException {
        RdbHash h = (RdbHash) value;
        if (h.listpack() != null && h.size() <= s.hashMaxListpackEntries) {
            return (db, key, exp) -> db.put(key, StoredValue.TYPE_HASH, Encoding.LISTPACK, h.listpack(), exp);
        }
        List<byte[]> pairs = h.pairs();
        int n = pairs.size() / 2;
        boolean small = h.listpack() == null && n <= s.hashMaxListpackEntries;
        if (small) {
            for (byte[] e : pairs) {
                if (e.length > s.hashMaxListpackValue) {
                    small = false;
                    break;
                }
            }
        }
        HashTable t = new HashTable(n);
        for (int i = 0; i < pairs.size(); i += 2) {
            if (!t.put(pairs.get(i), pairs.get(i + 1))) throw new UnsupportedValueException("duplicate hash field");
        }
        if (small) {
            byte[] lp = Listpack.encode(pairs);
            return (db, key, exp) -> db.put(key, StoredValue.TYPE_HASH, Encoding.LISTPACK, lp, exp);
        }
        return (db, key, exp) -> db.putObject(key, StoredValue.TYPE_HASH, Encoding.HASHTABLE, t, exp);
    }

    // ------------------------------------------------------------------ list

    static RdbValue listToRdb(StoredValue v) {
        if (v.object == null) return RdbList.ofListpack(v.payload);
        return RdbList.of(((QuickList) v.object).toList());
    }

    /** One listpack in the record if it fits one node (list-max-listpack-size), else an on-heap QuickList. */
    static Prepared storeList(RdbValue value, Settings s) {
        RdbList l = (RdbList) value;
        int fill = s.listMaxListpackSize;
        if (l.listpack() != null && !ListValue.exceeds(fill, l.listpack().length, l.size(), false)) {
            return (db, key, exp) -> db.put(key, StoredValue.TYPE_LIST, Encoding.QUICKLIST, l.listpack(), exp);
        }
        List<byte[]> e = l.elements();
        long bytes = Listpack.bytesFor(e);
        if (!ListValue.exceeds(fill, bytes, e.size(), false)) {
            byte[] lp = Listpack.encode(e);
            return (db, key, exp) -> db.put(key, StoredValue.TYPE_LIST, Encoding.QUICKLIST, lp, exp);
        }
        QuickList q = new QuickList(e.size());
        for (byte[] x : e) q.addLast(x);
        return (db, key, exp) -> db.putObject(key, StoredValue.TYPE_LIST, Encoding.QUICKLIST, q, exp);
    }
}
