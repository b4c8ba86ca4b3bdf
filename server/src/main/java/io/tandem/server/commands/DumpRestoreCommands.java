package io.tandem.server.commands;

import io.tandem.server.KeyspaceEvents;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.server.config.ServerConfig;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Lfu;
import io.tandem.storage.keyspace.StoredValue;
import io.tandem.storage.rdb.RdbDump;
import io.tandem.storage.rdb.RdbValue;

import java.util.Arrays;

/**
 * DUMP and RESTORE (Redis 7.0's cluster.c {@code dumpCommand}/{@code restoreCommand}). The
 * payload is Redis's: value in RDB encoding, RDB version 10, CRC64 (see
 * {@link io.tandem.storage.rdb.RdbDump}), so payloads move both ways between Tandem and Redis.
 * Value conversion goes through {@link RdbValues}.
 */
public final class DumpRestoreCommands {
    private DumpRestoreCommands() {}

    static final byte[] RESTORE = StringCommands.b("RESTORE");
    static final byte[] ABSTTL = StringCommands.b("ABSTTL");

    public static void register(CommandTable t, ServerConfig config) {
        t.register("dump", c -> dump(c, config.rdbcompression()));
        t.register("restore", DumpRestoreCommands::restore);
    }

    static void dump(Call c, boolean compress) {
        StoredValue v = c.db().get(c.arg(1));
        if (v == null) {
            c.out.nullBulk();
            return;
        }
        c.out.bulk(RdbDump.create(RdbValues.toRdb(v), compress));
    }

    /**
     * RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]. Checks in Redis's order:
     * options, BUSYKEY, TTL, payload footer, payload data. A TTL already in the past stores
     * nothing (deleting the old key under REPLACE, propagated as DEL); otherwise the key is
     * created and the command propagates with an absolute TTL (ABSTTL).
     */
    static void restore(Call c) {
        boolean replace = false;
        boolean absttl = false;
        long idle = -1;
        long freq = -1;
        for (int j = 4; j < c.argc(); j++) {
            int additional = c.argc() - j - 1;
            if (c.is(j, "replace")) {
                replace = true;
            } else if (c.is(j, "absttl")) {
                absttl = true;
            } else if (c.is(j, "idletime") && additional >= 1 && freq == -1) {
                idle = c.longArg(j + 1);
                if (idle < 0) throw new CommandError("ERR Invalid IDLETIME value, must be >= 0");
                j++;
            } else if (c.is(j, "freq") && additional >= 1 && idle == -1) {
                freq = c.longArg(j + 1);
                if (freq < 0 || freq > 255) throw new CommandError("ERR Invalid FREQ value, must be >= 0 and <= 255");
                j++;
            } else {
                throw CommandError.SYNTAX_ERROR;
            }
        }
        byte[] key = c.arg(1);
        Database db = c.db();
        if (!replace && db.exists(key)) throw new CommandError("BUSYKEY Target key name already exists.");
        long ttl = c.longArg(2);
        if (ttl < 0) throw new CommandError("ERR Invalid TTL value, must be >= 0");

        RdbValue value;
        try {
            value = RdbDump.parse(c.arg(3));
        } catch (RdbDump.InvalidPayloadException e) {
            throw new CommandError("ERR " + (e.badFooter() ? RdbDump.BAD_FOOTER : RdbDump.BAD_DATA));
        }
        // checked and converted in full before anything changes (REPLACE must not lose the old key)
        RdbValues.Prepared prepared;
        try {
            prepared = RdbValues.prepare(value, c.server.settings());
        } catch (RdbValues.UnsupportedValueException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new CommandError("ERR " + RdbDump.BAD_DATA);
        }

        long now = c.now();
        if (ttl != 0 && !absttl) ttl += now;
        boolean expired = ttl != 0 && ttl <= now && c.server.role() != 'S';
        if (expired) {
            if (replace && db.delete(key)) {
                c.dirty(1);
                c.propagateAs(KeyCommands.DEL, key);
                c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "del", key, c.client.db);
            }
            c.out.ok();
            return;
        }
        if (replace) db.delete(key);
        prepared.put(db, key, ttl == 0 ? StoredValue.NO_EXPIRE : ttl);
        setLruOrLfu(c, db, key, idle, freq);
        if (ttl != 0 && !absttl) {
            byte[][] argv = Arrays.copyOf(c.argv, c.argc() + 1);
            argv[2] = StringCommands.b(Long.toString(ttl));
            argv[argv.length - 1] = ABSTTL;
            c.propagateAs(argv);
        }
        c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "restore", key, c.client.db);
        c.dirty(1);
        c.out.ok();
    }

    /** objectSetLRUOrLFU: IDLETIME sets the LRU clock back under an LRU policy, FREQ the counter under LFU. */
    private static void setLruOrLfu(Call c, Database db, byte[] key, long idle, long freq) {        long now = c.now();
        if (freq >= 0 && c.server.eviction().lfuPolicy()) {
            db.setLru(key, (Lfu.minutes(now) << 8) | (int) freq);
        } else if (idle >= 0 && c.server.eviction().lruPolicy()) {
            long clock = (now / 1000) & 0xFFFFFF;
            long lru = (clock - idle) & 0xFFFFFF; // wraps like Redis's 24-bit clock
            db.setLru(key, (int) lru);
        }
    }
}
