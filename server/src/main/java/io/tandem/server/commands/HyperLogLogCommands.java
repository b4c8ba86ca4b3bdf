package io.tandem.server.commands;

import io.tandem.server.KeyspaceEvents;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.storage.hll.HyperLogLog;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Encoding;
import io.tandem.storage.keyspace.StoredValue;

/**
 * PFADD, PFCOUNT, PFMERGE and PFDEBUG (Redis 7.0's hyperloglog.c commands) on
 * {@link HyperLogLog}. An HLL is an ordinary string value (TYPE string, OBJECT ENCODING raw once
 * a PF command has touched it, as Redis's dbUnshareStringValue makes it), so GET/SET move it
 * between Tandem and Redis unchanged.
 *
 * <p>Side effects as Redis: PFADD fires "pfadd" and counts one change per updated register
 * batch; PFMERGE fires "pfadd" too; PFCOUNT of one key whose cached cardinality was stale
 * writes the new cache into the value, touches the key for WATCH and propagates itself
 * ({@code PFCOUNT key}), although it is a read-only command — replicas then hold identical bytes.
 */
public final class HyperLogLogCommands {
    private HyperLogLogCommands() {}

    static final String INVALID_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";
    static final String CORRUPT_HLL = "INVALIDOBJ Corrupted HLL object detected";

    public static void register(CommandTable t) {
        t.register("pfadd", HyperLogLogCommands::pfadd);
        t.register("pfcount", HyperLogLogCommands::pfcount);
        t.register("pfmerge", HyperLogLogCommands::pfmerge);
        t.register("pfdebug", HyperLogLogCommands::pfdebug);
    }

    /** isHLLObjectOrReply: the value's bytes, or WRONGTYPE (of either kind). */
    static byte[] hllBytes(StoredValue v) {
        if (v.type != StoredValue.TYPE_STRING) throw CommandError.WRONG_TYPE;
        if (v.encoding == Encoding.INT || !HyperLogLog.isValid(v.payload)) throw new CommandError(INVALID_HLL);
        return v.payload;
    }

    private static void store(Database db, byte[] key, HyperLogLog h, boolean created) {
        db.put(key, StoredValue.TYPE_STRING, Encoding.RAW, h.toBytes(), created ? StoredValue.NO_EXPIRE : Database.KEEP_TTL);
    }

    private static void pfaddEvent(Call c, byte[] key) {
        c.server.keyspaceEvents().notify(KeyspaceEvents.STRING, "pfadd", key, c.client.db);
    }

    /** PFADD key [element ...]. */
    static void pfadd(Call c) {
        byte[] key = c.arg(1);
        Database db = c.db();
        StoredValue v = db.get(key);
        HyperLogLog h;
        long updated = 0;
        boolean created = v == null;
        if (created) {
            h = HyperLogLog.create();
            updated++;
        } else {
            h = HyperLogLog.of(hllBytes(v));
        }
        long max = c.server.settings().hllSparseMaxBytes;
        for (int j = 2; j < c.argc(); j++) {
            int r = h.add(c.arg(j), max);
            if (r == HyperLogLog.UPDATED) {
                updated++;
            } else if (r == HyperLogLog.CORRUPT) {
                // Redis changed the value in place up to here (and created the key): so do we.
                store(db, key, h, created);
                throw new CommandError(CORRUPT_HLL);
            }
        }
        if (updated > 0) {
            h.invalidateCache();
            store(db, key, h, created);
            pfaddEvent(c, key);
            c.dirty(updated);
        } else if (v.encoding != Encoding.RAW) {
            store(db, key, h, false); // dbUnshareStringValue
        }
        c.out.integer(updated > 0 ? 1 : 0);
    }

    /** PFCOUNT key [key ...]. */
    static void pfcount(Call c) {
        if (c.argc() > 2) {
            byte[] max = new byte[HyperLogLog.REGISTERS];
            for (int j = 1; j < c.argc(); j++) {
                StoredValue v = StringCommands.lookupRead(c, c.arg(j));
                if (v == null) continue;
                if (!HyperLogLog.mergeInto(max, hllBytes(v))) throw new CommandError(CORRUPT_HLL);
            }
            c.out.integer(HyperLogLog.countRaw(max));
            return;
        }
        byte[] key = c.arg(1);
        StoredValue v = StringCommands.lookupRead(c, key);
        if (v == null) {
            c.out.integer(0);
            return;
        }
        HyperLogLog h = HyperLogLog.of(hllBytes(v));
        Database db = c.db();
        if (v.encoding != Encoding.RAW) store(db, key, h, false); // dbUnshareStringValue
        if (h.cacheValid()) {
            c.out.integer(h.cachedCardinality());
            return;
        }
        long card = h.count();
        if (card == -1) throw new CommandError(CORRUPT_HLL);
        h.setCachedCardinality(card);
        store(db, key, h, false);
        // A read-only command that changed the value: WATCH sees it and it propagates as itself.
        c.server.keyTouched(c.client.db, key);
        c.dirty(1);
        c.alsoPropagate(c.client.db, c.argv.clone());
        c.out.integer(card);
    }

    /** PFMERGE destkey [sourcekey ...]. */
    static void pfmerge(Call c) {
        byte[] max = new byte[HyperLogLog.REGISTERS];
        boolean useDense = false;
        Database db = c.db();
        for (int j = 1; j < c.argc(); j++) {
            StoredValue v = StringCommands.lookupRead(c, c.arg(j));
            if (v == null) continue;
            byte[] b = hllBytes(v);
            if ((b[4] & 0xff) == HyperLogLog.DENSE) useDense = true;
            if (!HyperLogLog.mergeInto(max, b)) throw new CommandError(CORRUPT_HLL);
        }
        byte[] key = c.arg(1);
        StoredValue d = db.get(key);
        boolean created = d == null;
        HyperLogLog h = created ? HyperLogLog.create() : HyperLogLog.of(d.payload);
        if (useDense && !h.toDense()) {
            if (created) store(db, key, h, true);
            throw new CommandError(CORRUPT_HLL);
        }
        long sparseMax = c.server.settings().hllSparseMaxBytes;
        for (int j = 0; j < HyperLogLog.REGISTERS; j++) {
            if (max[j] != 0) h.set(j, max[j], sparseMax);
        }
        h.invalidateCache();
        store(db, key, h, created);
        pfaddEvent(c, key);
        c.dirty(1);
        c.out.ok();
    }

    private static CommandError subcommandArity(Call c) {
        return new CommandError("ERR Wrong number of arguments for the '" + c.str(1) + "' subcommand");
    }

    /**
     * PFDEBUG GETREG|DECODE|ENCODING|TODENSE key: Redis's introspection subcommands (DECODE lists
     * the sparse opcodes as Redis prints them).
     */
    static void pfdebug(Call c) {
        byte[] key = c.arg(2);
        Database db = c.db();
        StoredValue v = db.get(key);
        if (v == null) throw new CommandError("ERR The specified key does not exist");
        HyperLogLog h = HyperLogLog.of(hllBytes(v));
        if (v.encoding != Encoding.RAW) store(db, key, h, false);
        if (c.is(1, "getreg")) {
            if (c.argc() != 3) throw subcommandArity(c);
            if (h.encoding() == HyperLogLog.SPARSE) {
                if (!h.toDense()) throw new CommandError(CORRUPT_HLL);
                store(db, key, h, false);
                c.dirty(1);
            }
            c.out.array(HyperLogLog.REGISTERS);
            for (int j = 0; j < HyperLogLog.REGISTERS; j++) c.out.integer(h.register(j));
        } else if (c.is(1, "decode")) {
            if (c.argc() != 3) throw subcommandArity(c);
            if (h.encoding() != HyperLogLog.SPARSE) throw new CommandError("ERR HLL encoding is not sparse");
            c.out.bulk(h.decodeSparse());
        } else if (c.is(1, "encoding")) {
            if (c.argc() != 3) throw subcommandArity(c);
            c.out.simple(h.encoding() == HyperLogLog.DENSE ? "dense" : "sparse");
        } else if (c.is(1, "todense")) {
            if (c.argc() != 3) throw subcommandArity(c);
            boolean conv = false;
            if (h.encoding() == HyperLogLog.SPARSE) {
                if (!h.toDense()) throw new CommandError(CORRUPT_HLL);
                conv = true;
                store(db, key, h, false);
                c.dirty(1);
            }
            c.out.integer(conv ? 1 : 0);
        } else {
            throw new CommandError("ERR Unknown PFDEBUG subcommand '" + c.str(1) + "'");
        }
    }
}
