package io.tandem.server.commands;

import io.tandem.server.Settings;
import io.tandem.storage.collection.Intset;
import io.tandem.storage.keyspace.Encoding;
import io.tandem.storage.keyspace.StoredValue;
import io.tandem.storage.rdb.RdbValue;
import io.tandem.storage.rdb.RdbValue.RdbSet;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Sets to and from their RDB form (DUMP/RESTORE, RDB save/load). An intset is written and loaded
 * as Redis's own intset bytes when it stays within set-max-intset-entries; otherwise members are
 * added one by one with SADD's encoding rules, as Redis 7.0's rdbLoadObject does.
 */
final class SetRdb {
    private SetRdb() {}

    static void register() {
        RdbValues.registerSaver(StoredValue.TYPE_SET, SetRdb::toRdb);
        RdbValues.registerLoader(RdbSet.class, SetRdb::prepare);
    }

    static RdbValue toRdb(StoredValue v) {
        if (v.object == null && v.encoding == Encoding.INTSET) return RdbSet.ofIntset(v.payload);
        return RdbSet.of(SetValue.of(null, v).members());
    }

    static RdbValues.Prepared prepare(RdbValue value, Settings s) throws RdbValues.UnsupportedValueException {
        RdbSet set = (RdbSet) value;
        long maxIntset = s.setMaxIntsetEntries;
        if (set.intset() != null && Intset.length(set.intset()) <= maxIntset) {
            if (Intset.length(set.intset()) == 0) throw new RdbValues.UnsupportedValueException("empty set");
            byte[] is = set.intset();
            return (db, key, exp) -> db.put(key, StoredValue.TYPE_SET, Encoding.INTSET, is, exp);
        }
        List<byte[]> members = set.members();
        if (members.isEmpty()) throw new RdbValues.UnsupportedValueException("empty set");
        Set<ByteBuffer> seen = new HashSet<>(members.size() * 2);
        for (byte[] m : members) {
            if (!seen.add(ByteBuffer.wrap(m))) throw new RdbValues.UnsupportedValueException("duplicate set member");
        }
        return (db, key, exp) -> {
            SetValue sv = SetValue.createIntset(key);
            for (byte[] m : members) sv.add(m, maxIntset);
            sv.storeNew(db, exp);
        };
    }
}
