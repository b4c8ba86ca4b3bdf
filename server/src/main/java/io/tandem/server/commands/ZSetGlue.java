package io.tandem.server.commands;

import io.tandem.server.Settings;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Encoding;
import io.tandem.storage.keyspace.StoredValue;
import io.tandem.storage.rdb.RdbValue;
import io.tandem.storage.rdb.RdbValue.RdbZSet;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where sorted sets meet the other families: their RDB form (DUMP/RESTORE, RDB files), sets as
 * inputs of ZUNION/ZINTER/ZDIFF (score 1), and SORT. Loading follows Redis 7.0's rdbLoadObject:
 * a listpack within zset-max-listpack-entries is kept as written; a skiplist-encoded zset goes back
 * to a listpack when it fits both thresholds.
 */
final class ZSetGlue {
    private ZSetGlue() {}

    static void register() {
        RdbValues.registerSaver(StoredValue.TYPE_ZSET, ZSetGlue::toRdb);
        RdbValues.registerLoader(RdbZSet.class, ZSetGlue::prepare);
        ZSetCommands.setSetReader(v -> SetValue.of(null, v).members());
        SortSources.register(StoredValue.TYPE_ZSET, new SortSources.Source() {
            @Override
            public List<byte[]> elements(Database db, byte[] key, StoredValue v) {
                ZSetValue z = ZSetValue.of(key, v);
                if (z.encoding() == Encoding.LISTPACK) {
                    // Redis's SORT destructively converts an encoded zset to a skiplist.
                    z.convertToSkiplist();
                    z.store(db);
                }
                List<byte[]> out = new ArrayList<>((int) z.size());
                z.forEach((m, s) -> out.add(m));
                return out;
            }

            @Override
            public boolean ordered() {
                return true;
            }
        });
    }

    static RdbValue toRdb(StoredValue v) {
        if (v.object == null) return RdbZSet.ofListpack(v.payload);
        ZSetValue z = ZSetValue.of(null, v);
        List<byte[]> members = new ArrayList<>((int) z.size());
        double[] scores = new double[(int) z.size()];
        z.forEach((m, s) -> {
            scores[members.size()] = s;
            members.add(m);
        });
        return RdbZSet.of(members, scores);
    }

    static RdbValues.Prepared prepare(RdbValue value, Settings s) throws RdbValues.UnsupportedValueException {
        RdbZSet rz = (RdbZSet) value;
        List<byte[]> members = rz.members();
        if (members.isEmpty()) throw new RdbValues.UnsupportedValueException("empty sorted set");
        if (rz.listpack() != null && members.size() <= s.zsetMaxListpackEntries) {
            byte[] lp = rz.listpack();
            return (db, key, exp) -> db.put(key, StoredValue.TYPE_ZSET, Encoding.LISTPACK, lp, exp);
        }
        double[] scores = rz.scores();
        Set<ByteBuffer> seen = new HashSet<>(members.size() * 2);
        long maxLen = 0;
        for (int i = 0; i < members.size(); i++) {
            if (!seen.add(ByteBuffer.wrap(members.get(i)))) throw new RdbValues.UnsupportedValueException("duplicate zset member");
            if (Double.isNaN(scores[i])) throw new RdbValues.UnsupportedValueException("zset score is NaN");
            maxLen = Math.max(maxLen, members.get(i).length);
        }
        boolean fromListpack = rz.listpack() != null;
        long longest = maxLen;
        return (db, key, exp) -> {
            ZSetValue z = ZSetValue.create(key);
            z.convertToSkiplist();
            for (int i = 0; i < members.size(); i++) z.insertRaw(scores[i], members.get(i));
            if (!fromListpack) z.convertToListpackIfNeeded(s, longest);
            z.store(db, exp);
        };
    }
}
