package io.tandem.server.commands;

import io.tandem.storage.collection.HashTable;
import io.tandem.storage.collection.Listpack;
import io.tandem.storage.collection.QuickList;
import io.tandem.storage.digest.ValueDigest;
import io.tandem.storage.keyspace.StoredValue;

import java.util.List;
import java.util.function.Function;

/**
 * DEBUG DIGEST / DIGEST-VALUE of a stored value, dispatched by type, from either representation
 * (off-heap listpack payload or on-heap object). Installed with {@link DebugCommand#setDigester};
 * the families of other types add theirs with {@link #register}.
 */
public final class ValueDigests {
    private ValueDigests() {}

    @SuppressWarnings("unchecked")
    private static final Function<StoredValue, ValueDigest>[] BY_TYPE = new Function[16];

    static {
        register(StoredValue.TYPE_STRING, v -> ValueDigest.string(v.payload));
        register(StoredValue.TYPE_HASH, ValueDigests::hash);
        register(StoredValue.TYPE_LIST, ValueDigests::list);
    }

    public static void register(byte type, Function<StoredValue, ValueDigest> digester) {
        BY_TYPE[type] = digester;
    }

    public static ValueDigest of(StoredValue v) {
        Function<StoredValue, ValueDigest> f = v.type >= 0 && v.type < BY_TYPE.length ? BY_TYPE[v.type] : null;
        if (f == null) throw new IllegalStateException("no digester for type " + v.type);
        return f.apply(v);
    }

    static ValueDigest hash(StoredValue v) {
        ValueDigest.HashBuilder b = ValueDigest.hashBuilder();
        if (v.object != null) {
            ((HashTable) v.object).forEach(b::put);
        } else {
            List<byte[]> lp = Listpack.decode(v.payload);
            for (int i = 0; i < lp.size(); i += 2) b.put(lp.get(i), lp.get(i + 1));
        }
        return b.build();
    }

    static ValueDigest list(StoredValue v) {
        ValueDigest.ListBuilder b = ValueDigest.listBuilder();
        if (v.object != null) ((QuickList) v.object).forEach(b::add);
        else for (byte[] e : Listpack.decode(v.payload)) b.add(e);
        return b.build();
    }
}
