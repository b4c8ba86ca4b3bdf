package io.tandem.server.commands;

import io.tandem.server.KeyspaceEvents;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.server.command.Numbers;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Encoding;
import io.tandem.storage.keyspace.StoredValue;

import java.nio.charset.StandardCharsets;

/**
 * String commands (Redis's t_string.c). Writes propagate their effect: SET with a relative
 * expiry travels as SET ... PXAT, INCRBYFLOAT as SET ... KEEPTTL.
 */
public final class StringCommands {
    private StringCommands() {}

    static final byte[] SET = b("SET");
    static final byte[] PXAT = b("PXAT");
    static final byte[] KEEPTTL = b("KEEPTTL");

    public static void register(CommandTable t) {
        t.register("get", StringCommands::get);
        t.register("set", StringCommands::set);
        t.register("incr", c -> incrBy(c, 1));
        t.register("decr", c -> incrBy(c, -1));
        t.register("incrby", c -> incrBy(c, c.longArg(2)));
        t.register("decrby", c -> {
            long v = c.longArg(2);
            if (v == Long.MIN_VALUE) throw new CommandError("ERR decrement would overflow");
            incrBy(c, -v);
        });
        t.register("mget", StringCommands::mget);
        t.register("mset", StringCommands::mset);
    }

    /** The string at key, null if absent; WRONGTYPE if the key holds another type. */
    public static byte[] getString(Call c, byte[] key) {
        StoredValue v = c.db().get(key);
        if (v == null) {
            c.server.stats().keyspaceMisses++;
            return null;
        }
        if (v.type != StoredValue.TYPE_STRING) throw CommandError.WRONG_TYPE;
        c.server.stats().keyspaceHits++;
        return v.payload;
    }

    /** Stores a string with the encoding Redis would give it. */
    public static void putString(Database db, byte[] key, byte[] value, long expireAt) {
        db.put(key, StoredValue.TYPE_STRING, Encoding.forNewString(value), value, expireAt);
    }

    static void get(Call c) {
        byte[] v = getString(c, c.arg(1));
        if (v == null) c.out.nullBulk();
        else c.out.bulk(v);
    }

    /**
     * SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms|KEEPTTL]. Option errors and their
     * precedence as Redis's parseExtendedStringArgumentsOrReply.
     */
    static void set(Call c) {
        int argc = c.argc();
        boolean nx = false, xx = false, get = false, keepTtl = false;
        long expireAt = StoredValue.NO_EXPIRE;
        int unitIdx = -1;
        String unit = null;
        for (int i = 3; i < argc; i++) {
            boolean hasNext = i + 1 < argc;
            if (c.is(i, "nx") && !xx) {
                nx = true;
            } else if (c.is(i, "xx") && !nx) {
                xx = true;
            } else if (c.is(i, "get")) {
                get = true;
            } else if (c.is(i, "keepttl") && unit == null) {
                keepTtl = true;
            } else if ((c.is(i, "ex") || c.is(i, "px") || c.is(i, "exat") || c.is(i, "pxat")) && unit == null && !keepTtl && hasNext) {
                unit = c.str(i).toLowerCase();
                unitIdx = ++i;
            } else {
                throw CommandError.SYNTAX_ERROR;
            }
        }
        if (unit != null) expireAt = absoluteExpire(c, unitIdx, unit, "set");
        byte[] key = c.arg(1);
        Database db = c.db();
        if (get) {
            StoredValue old = db.get(key);
            if (old != null && old.type != StoredValue.TYPE_STRING) throw CommandError.WRONG_TYPE;
        }
        StoredValue old = (nx || xx || get) ? db.get(key) : null;
        boolean exists = old != null;
        if ((nx && exists) || (xx && !exists)) {
            if (get) {
                if (old == null) c.out.nullBulk();
                else c.out.bulk(old.payload);
            } else {
                c.out.nullBulk();
            }
            return;
        }
        putString(db, key, c.arg(2), keepTtl ? Database.KEEP_TTL : expireAt);
        c.dirty(1);
        c.server.keyspaceEvents().notify(KeyspaceEvents.STRING, "set", key, c.client.db);
        if (unit != null) {
            c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "expire", key, c.client.db);
            // Propagate an absolute expiry so replicas and the AOF agree whenever they apply it.
            if (!unit.equals("pxat")) {
                c.propagateAs(SET, key, c.arg(2), PXAT, b(Long.toString(expireAt)));
            }
        }
        if (get) {
            if (old == null) c.out.nullBulk();
            else c.out.bulk(old.payload);
        } else {
            c.out.ok();
        }
    }

    /**
     * Converts an EX/PX/EXAT/PXAT argument to absolute ms, with Redis's errors: a non-number is
     * "value is not an integer", ≤ 0 or overflowing is "invalid expire time in 'set' command".
     */
    static long absoluteExpire(Call c, int i, String unit, String cmd) {
        long v = c.longArg(i);
        CommandError invalid = new CommandError("ERR invalid expire time in '" + cmd + "' command");
        if (v <= 0) throw invalid;
        boolean seconds = unit.equals("ex") || unit.equals("exat");
        if (seconds) {
            if (v > Long.MAX_VALUE / 1000) throw invalid;
            v *= 1000;
        }
        if (unit.equals("ex") || unit.equals("px")) {
            long now = c.now();
            if (v > Long.MAX_VALUE - now) throw invalid;
            v += now;
        }
        return v;
    }

    static void incrBy(Call c, long by) {
        byte[] key = c.arg(1);
        Database db = c.db();
        StoredValue v = db.get(key);
        long cur = 0;
        if (v != null) {
            if (v.type != StoredValue.TYPE_STRING) throw CommandError.WRONG_TYPE;
            cur = Numbers.parseLongOr(v.payload, Long.MIN_VALUE, true);
            if (cur == Long.MIN_VALUE && !Numbers.isLongMin(v.payload)) throw CommandError.NOT_AN_INTEGER;
        }
        if ((by < 0 && cur < 0 && by < Long.MIN_VALUE - cur) || (by > 0 && cur > 0 && by > Long.MAX_VALUE - cur)) {
            throw new CommandError(CommandError.OVERFLOW);
        }
        long next = cur + by;
        byte[] bytes = b(Long.toString(next));
        db.put(key, StoredValue.TYPE_STRING, Encoding.INT, bytes, Database.KEEP_TTL);
        c.dirty(1);
        c.server.keyspaceEvents().notify(KeyspaceEvents.STRING, "incrby", key, c.client.db);
        c.out.integer(next);
    }

    static void mget(Call c) {
        Database db = c.db();
        c.out.array(c.argc() - 1);
        for (int i = 1; i < c.argc(); i++) {
            StoredValue v = db.get(c.arg(i));
            if (v == null || v.type != StoredValue.TYPE_STRING) {
                c.server.stats().keyspaceMisses++;
                c.out.nullBulk();
            } else {
                c.server.stats().keyspaceHits++;
                c.out.bulk(v.payload);
            }
        }
    }

    static void mset(Call c) {
        if (c.argc() % 2 == 0) throw CommandError.wrongArity("mset");
        Database db = c.db();
        for (int i = 1; i < c.argc(); i += 2) {
            putString(db, c.arg(i), c.arg(i + 1), StoredValue.NO_EXPIRE);
            c.server.keyspaceEvents().notify(KeyspaceEvents.STRING, "set", c.arg(i), c.client.db);
        }
        c.dirty(c.argc() / 2);
        c.out.ok();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
