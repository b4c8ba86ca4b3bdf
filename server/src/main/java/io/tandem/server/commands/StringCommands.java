package io.tandem.server.commands;

import io.tandem.server.KeyspaceEvents;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.server.command.LongDouble;
import io.tandem.server.command.Numbers;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Encoding;
import io.tandem.storage.keyspace.StoredValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * String commands (Redis 7.0's t_string.c); the bit operations on strings are in
 * {@link BitCommands}. Error texts, the order in which errors win, reply shapes and encodings
 * follow Redis.
 *
 * <p>Writes propagate their effect rather than the request where Redis does: a relative expiry
 * (SET EX/PX, SETEX, PSETEX) travels as {@code SET key value PXAT abs}; GETSET as SET; GETDEL as
 * DEL; GETEX as PEXPIREAT, PERSIST or DEL; INCRBYFLOAT as {@code SET key value KEEPTTL}; SET ...
 * GET without an expiry drops its GET tokens.
 *
 * <p>Encodings as Redis reports them: values stored whole (SET, GETSET, MSET, APPEND on a new
 * key) get {@link Encoding#forNewString}; values changed in place (APPEND, SETRANGE, SETBIT,
 * BITFIELD) are {@code raw}; INCR results {@code int}; INCRBYFLOAT results {@code embstr}/{@code raw}.
 */
public final class StringCommands {
    private StringCommands() {}

    static final byte[] SET = b("SET");
    static final byte[] PXAT = b("PXAT");
    static final byte[] KEEPTTL = b("KEEPTTL");
    static final byte[] DEL = b("DEL");
    static final byte[] PEXPIREAT = b("PEXPIREAT");
    static final byte[] PERSIST = b("PERSIST");

    public static void register(CommandTable t) {
        t.register("get", StringCommands::get);
        t.register("set", StringCommands::set);
        t.register("setnx", StringCommands::setnx);
        t.register("setex", c -> setex(c, true));
        t.register("psetex", c -> setex(c, false));
        t.register("getset", StringCommands::getset);
        t.register("getdel", StringCommands::getdel);
        t.register("getex", StringCommands::getex);
        t.register("incr", c -> incrBy(c, 1));
        t.register("decr", c -> incrBy(c, -1));
        t.register("incrby", c -> incrBy(c, c.longArg(2)));
        t.register("decrby", c -> {
            long v = c.longArg(2);
            if (v == Long.MIN_VALUE) throw new CommandError("ERR decrement would overflow");
            incrBy(c, -v);
        });
        t.register("incrbyfloat", StringCommands::incrByFloat);
        t.register("mget", StringCommands::mget);
        t.register("mset", c -> mset(c, false));
        t.register("msetnx", c -> mset(c, true));
        t.register("append", StringCommands::append);
        t.register("strlen", StringCommands::strlen);
        t.register("getrange", StringCommands::getrange);
        t.register("substr", StringCommands::getrange);
        t.register("setrange", StringCommands::setrange);
        t.register("lcs", StringCommands::lcs);
        BitCommands.register(t);
    }

    // ---------------------------------------------------------------- lookups

    /**
     * The string at key for a read (Redis's lookupKeyRead + checkType): null if absent;
     * WRONGTYPE if the key holds another type. Counts a keyspace hit or miss.
     */
    public static byte[] getString(Call c, byte[] key) {
        StoredValue v = lookupRead(c, key);
        if (v == null) return null;
        if (v.type != StoredValue.TYPE_STRING) throw CommandError.WRONG_TYPE;
        return v.payload;
    }

    /** lookupKeyRead: the live value, counting a keyspace hit or miss. */
    static StoredValue lookupRead(Call c, byte[] key) {
        StoredValue v = c.db().get(key);
        if (v == null) c.server.stats().keyspaceMisses++;
        else c.server.stats().keyspaceHits++;
        return v;
    }

    /** lookupKeyWrite + checkType: the live string value or null; WRONGTYPE for other types. */
    static StoredValue lookupWriteString(Call c, byte[] key) {
        StoredValue v = c.db().get(key);
        if (v != null && v.type != StoredValue.TYPE_STRING) throw CommandError.WRONG_TYPE;
        return v;
    }

    /** Stores a string with the encoding Redis would give it. */
    public static void putString(Database db, byte[] key, byte[] value, long expireAt) {
        db.put(key, StoredValue.TYPE_STRING, Encoding.forNewString(value), value, expireAt);
    }

    /** Stores a string modified in place (Redis unshares it to a raw sds), keeping the TTL. */
    static void putModified(Database db, byte[] key, byte[] value) {
        db.put(key, StoredValue.TYPE_STRING, Encoding.RAW, value, Database.KEEP_TTL);
    }

    /**
     * Redis's checkStringLength: a string may not grow beyond proto-max-bulk-len (the master
     * link is exempt). {@code size + append} is computed without overflow.
     */
    static void checkStringLength(Call c, long size, long append) {
        long total = size + append;
        // A Java array tops out near 2 GB, whoever asks (Redis exempts its master link from the limit).
        if (total > Integer.MAX_VALUE - 8 || total < size || total < append) {
            throw new CommandError("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        }
        if (c.client.kind == 2) return;
        if (total > c.server.settings().protoMaxBulkLen || total < size || total < append) {
            throw new CommandError("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        }
    }

    private static void notify(Call c, String event, byte[] key) {
        c.server.keyspaceEvents().notify(KeyspaceEvents.STRING, event, key, c.client.db);
    }

    private static void notifyGeneric(Call c, String event, byte[] key) {
        c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, event, key, c.client.db);
    }

    // ---------------------------------------------------------------- GET / SET family

    /** getGenericCommand: replies the value or nil; false (after the WRONGTYPE error) never returns. */
    static StoredValue getGeneric(Call c) {
        StoredValue v = lookupRead(c, c.arg(1));
        if (v == null) {
            c.out.nullBulk();
            return null;
        }
        if (v.type != StoredValue.TYPE_STRING) throw CommandError.WRONG_TYPE;
        c.out.bulk(v.payload);
        return v;
    }

    static void get(Call c) {
        getGeneric(c);
    }

    static final int OBJ_SET_NX = 1;
    static final int OBJ_SET_XX = 1 << 1;
    static final int OBJ_EX = 1 << 2;
    static final int OBJ_PX = 1 << 3;
    static final int OBJ_KEEPTTL = 1 << 4;
    static final int OBJ_SET_GET = 1 << 5;
    static final int OBJ_EXAT = 1 << 6;
    static final int OBJ_PXAT = 1 << 7;
    static final int OBJ_PERSIST = 1 << 8;
    private static final int ANY_EXPIRE = OBJ_EX | OBJ_PX | OBJ_EXAT | OBJ_PXAT;

    /**
     * Redis's parseExtendedStringArgumentsOrReply for SET (from argv[3]) and GETEX (from
     * argv[2]). Returns the flags, and in {@code expireIdx[0]} the index of the expire argument
     * (-1 if none). A repeated option is accepted (the last EX value wins); conflicting ones are
     * a syntax error.
     */
    static int parseExtendedArgs(Call c, boolean set, int[] expireIdx) {
        int flags = 0;
        expireIdx[0] = -1;
        int argc = c.argc();
        for (int j = set ? 3 : 2; j < argc; j++) {
            boolean next = j < argc - 1;
            if (set && c.is(j, "nx") && (flags & OBJ_SET_XX) == 0) {
                flags |= OBJ_SET_NX;
            } else if (set && c.is(j, "xx") && (flags & OBJ_SET_NX) == 0) {
                flags |= OBJ_SET_XX;
            } else if (set && c.is(j, "get")) {
                flags |= OBJ_SET_GET;
            } else if (set && c.is(j, "keepttl") && (flags & (OBJ_PERSIST | ANY_EXPIRE)) == 0) {
                flags |= OBJ_KEEPTTL;
            } else if (!set && c.is(j, "persist") && (flags & (ANY_EXPIRE | OBJ_KEEPTTL)) == 0) {
                flags |= OBJ_PERSIST;
            } else if (c.is(j, "ex") && next && (flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EXAT | OBJ_PX | OBJ_PXAT)) == 0) {
                flags |= OBJ_EX;
                expireIdx[0] = ++j;
            } else if (c.is(j, "px") && next && (flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EX | OBJ_EXAT | OBJ_PXAT)) == 0) {
                flags |= OBJ_PX;
                expireIdx[0] = ++j;
            } else if (c.is(j, "exat") && next && (flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EX | OBJ_PX | OBJ_PXAT)) == 0) {
                flags |= OBJ_EXAT;
                expireIdx[0] = ++j;
            } else if (c.is(j, "pxat") && next && (flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EX | OBJ_EXAT | OBJ_PX)) == 0) {
                flags |= OBJ_PXAT;
                expireIdx[0] = ++j;
            } else {
                throw CommandError.SYNTAX_ERROR;
            }
        }
        return flags;
    }

    /**
     * Redis's getExpireMillisecondsOrReply: the expire argument as absolute ms. Not a number:
     * "value is not an integer"; ≤ 0, or overflowing once converted: "invalid expire time in
     * '&lt;command&gt;' command".
     */
    static long expireMillis(Call c, int idx, int flags) {
        long v = c.longArg(idx);
        boolean seconds = (flags & (OBJ_EX | OBJ_EXAT)) != 0;
        if (v <= 0 || (seconds && v > Long.MAX_VALUE / 1000)) throw invalidExpire(c);
        if (seconds) v *= 1000;
        if ((flags & (OBJ_EX | OBJ_PX)) != 0) {
            long now = c.now();
            if (v > Long.MAX_VALUE - now) throw invalidExpire(c);
            v += now;
        }
        return v;
    }

    private static CommandError invalidExpire(Call c) {
        return new CommandError("ERR invalid expire time in '" + c.spec.name + "' command");
    }

    /** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms|KEEPTTL]. */
    static void set(Call c) {
        int[] expireIdx = new int[1];
        int flags = parseExtendedArgs(c, true, expireIdx);
        setGeneric(c, flags, c.arg(1), c.arg(2), expireIdx[0], null, null);
    }

    static final long[] ONE = {1};
    static final long[] ZERO = {0};

    /**
     * Redis's setGenericCommand (SET, SETNX, SETEX, PSETEX). {@code okReply}/{@code abortReply}
     * null mean +OK / nil, else the integer they hold.
     */
    static void setGeneric(Call c, int flags, byte[] key, byte[] value, int expireIdx, long[] okReply, long[] abortReply) {
        long expireAt = 0;
        if (expireIdx >= 0) expireAt = expireMillis(c, expireIdx, flags);
        if ((flags & OBJ_SET_GET) != 0) getGeneric(c);
        Database db = c.db();
        boolean found = db.get(key) != null;
        if (((flags & OBJ_SET_NX) != 0 && found) || ((flags & OBJ_SET_XX) != 0 && !found)) {
            if ((flags & OBJ_SET_GET) == 0) {
                if (abortReply == null) c.out.nullBulk();
                else c.out.integer(abortReply[0]);
            }
            return;
        }
        long ttl = expireIdx >= 0 ? expireAt : (flags & OBJ_KEEPTTL) != 0 ? Database.KEEP_TTL : StoredValue.NO_EXPIRE;
        putString(db, key, value, ttl);
        c.dirty(1);
        notify(c, "set", key);
        if (expireIdx >= 0) {
            // Propagate an absolute expiry so replicas and the AOF agree whenever they apply it.
            if ((flags & OBJ_PXAT) == 0) c.propagateAs(SET, key, value, PXAT, b(Long.toString(expireAt)));
            notifyGeneric(c, "expire", key);
        }
        if ((flags & OBJ_SET_GET) == 0) {
            if (okReply == null) c.out.ok();
            else c.out.integer(okReply[0]);
        } else if (expireIdx < 0) {
            // Propagate without the GET tokens (the reply is not needed downstream).
            List<byte[]> argv = new ArrayList<>(c.argc());
            for (int j = 0; j < c.argc(); j++) {
                if (j >= 3 && c.is(j, "get")) continue;
                argv.add(c.arg(j));
            }
            c.propagateAs(argv.toArray(new byte[0][]));
        }
    }

    static void setnx(Call c) {
        setGeneric(c, OBJ_SET_NX, c.arg(1), c.arg(2), -1, ONE, ZERO);
    }

    /** SETEX key seconds value / PSETEX key ms value. */
    static void setex(Call c, boolean seconds) {
        setGeneric(c, seconds ? OBJ_EX : OBJ_PX, c.arg(1), c.arg(3), 2, null, null);
    }

    /** GETSET key value: the old value, then SET without TTL; propagates as SET. */
    static void getset(Call c) {
        getGeneric(c);
        byte[] key = c.arg(1);
        putString(c.db(), key, c.arg(2), StoredValue.NO_EXPIRE);
        notify(c, "set", key);
        c.dirty(1);
        c.propagateAs(SET, key, c.arg(2));
    }

    /** GETDEL key: the value, then the key deleted; propagates as DEL. */
    static void getdel(Call c) {
        if (getGeneric(c) == null) return;
        byte[] key = c.arg(1);
        if (c.db().delete(key)) {
            c.propagateAs(DEL, key);
            notifyGeneric(c, "del", key);
            c.dirty(1);
        }
    }

    /**
     * GETEX key [EX s|PX ms|EXAT ts|PXAT ms|PERSIST]. Errors in Redis's order: syntax, then a
     * missing key replies nil, then WRONGTYPE, then the expire value. An absolute time already
     * past deletes the key (propagated as DEL) — except on a replica, which waits for its master.
     */
    static void getex(Call c) {
        int[] expireIdx = new int[1];
        int flags = parseExtendedArgs(c, false, expireIdx);
        byte[] key = c.arg(1);
        StoredValue v = lookupRead(c, key);
        if (v == null) {
            c.out.nullBulk();
            return;
        }
        if (v.type != StoredValue.TYPE_STRING) throw CommandError.WRONG_TYPE;
        long ms = 0;
        if (expireIdx[0] >= 0) ms = expireMillis(c, expireIdx[0], flags);
        c.out.bulk(v.payload);
        Database db = c.db();
        if ((flags & (OBJ_PXAT | OBJ_EXAT)) != 0 && ms <= c.now() && c.server.role() != 'S') {
            db.delete(key);
            c.propagateAs(DEL, key);
            notifyGeneric(c, "del", key);
            c.dirty(1);
        } else if (expireIdx[0] >= 0) {
            db.setExpire(key, ms);
            if ((flags & OBJ_PXAT) == 0) c.propagateAs(PEXPIREAT, key, b(Long.toString(ms)));
            notifyGeneric(c, "expire", key);
            c.dirty(1);
        } else if ((flags & OBJ_PERSIST) != 0) {
            if (v.expireAt != StoredValue.NO_EXPIRE) {
                db.setExpire(key, StoredValue.NO_EXPIRE);
                c.propagateAs(PERSIST, key);
                notifyGeneric(c, "persist", key);
                c.dirty(1);
            }
        }
    }

    // ---------------------------------------------------------------- counters

    static void incrBy(Call c, long by) {
        byte[] key = c.arg(1);
        StoredValue v = lookupWriteString(c, key);
        long cur = 0;
        if (v != null) {
            cur = Numbers.parseLongOr(v.payload, Long.MIN_VALUE, true);
            if (cur == Long.MIN_VALUE && !Numbers.isLongMin(v.payload)) throw CommandError.NOT_AN_INTEGER;
        }
        if ((by < 0 && cur < 0 && by < Long.MIN_VALUE - cur) || (by > 0 && cur > 0 && by > Long.MAX_VALUE - cur)) {
            throw new CommandError(CommandError.OVERFLOW);
        }
        long next = cur + by;
        c.db().put(key, StoredValue.TYPE_STRING, Encoding.INT, b(Long.toString(next)), Database.KEEP_TTL);
        c.dirty(1);
        notify(c, "incrby", key);
        c.out.integer(next);
    }

    /**
     * INCRBYFLOAT key increment, in 80-bit long double as Redis on x86-64 (see {@link LongDouble}).
     * The stored value is a fresh string object (embstr/raw, never int); propagates as
     * {@code SET key value KEEPTTL}.
     */
    static void incrByFloat(Call c) {
        byte[] key = c.arg(1);
        StoredValue v = lookupWriteString(c, key);
        LongDouble cur = v == null ? LongDouble.ZERO : LongDouble.parse(v.payload);
        if (cur == null) throw CommandError.NOT_A_FLOAT;
        LongDouble incr = LongDouble.parse(c.arg(2));
        if (incr == null) throw CommandError.NOT_A_FLOAT;
        LongDouble sum = cur.add(incr);
        if (sum == null || sum.isInfinite()) throw new CommandError("ERR increment would produce NaN or Infinity");
        byte[] bytes = b(sum.toHumanString());
        byte enc = bytes.length <= Encoding.EMBSTR_SIZE_LIMIT ? Encoding.EMBSTR : Encoding.RAW;
        c.db().put(key, StoredValue.TYPE_STRING, enc, bytes, Database.KEEP_TTL);
        notify(c, "incrbyfloat", key);
        c.dirty(1);
        c.out.bulk(bytes);
        c.propagateAs(SET, key, bytes, KEEPTTL);
    }

    // ---------------------------------------------------------------- multi-key

    static void mget(Call c) {
        c.out.array(c.argc() - 1);
        for (int i = 1; i < c.argc(); i++) {
            StoredValue v = lookupRead(c, c.arg(i));
            if (v == null || v.type != StoredValue.TYPE_STRING) c.out.nullBulk();
            else c.out.bulk(v.payload);
        }
    }

    /** MSET / MSETNX: MSETNX sets nothing (and replies 0) if any key exists. */
    static void mset(Call c, boolean nx) {
        if (c.argc() % 2 == 0) throw CommandError.wrongArity(c.spec.name);
        Database db = c.db();
        if (nx) {
            for (int i = 1; i < c.argc(); i += 2) {
                if (db.get(c.arg(i)) != null) {
                    c.out.integer(0);
                    return;
                }
            }
        }
        for (int i = 1; i < c.argc(); i += 2) {
            putString(db, c.arg(i), c.arg(i + 1), StoredValue.NO_EXPIRE);
            notify(c, "set", c.arg(i));
        }
        c.dirty(c.argc() / 2);
        if (nx) c.out.integer(1);
        else c.out.ok();
    }

    // ---------------------------------------------------------------- in-place edits and ranges

    static void append(Call c) {
        byte[] key = c.arg(1);
        byte[] add = c.arg(2);
        StoredValue v = lookupWriteString(c, key);
        Database db = c.db();
        long total;
        if (v == null) {
            putString(db, key, add, StoredValue.NO_EXPIRE);
            total = add.length;
        } else {
            checkStringLength(c, v.payload.length, add.length);
            byte[] joined = Arrays.copyOf(v.payload, v.payload.length + add.length);
            System.arraycopy(add, 0, joined, v.payload.length, add.length);
            putModified(db, key, joined);
            total = joined.length;
        }
        notify(c, "append", key);
        c.dirty(1);
        c.out.integer(total);
    }

    static void strlen(Call c) {
        byte[] v = getString(c, c.arg(1));
        c.out.integer(v == null ? 0 : v.length);
    }

    /** GETRANGE / SUBSTR key start end: inclusive, negative from the end, clamped. */
    static void getrange(Call c) {
        long start = c.longArg(2);
        long end = c.longArg(3);
        byte[] s = getString(c, c.arg(1));
        if (s == null) {
            c.out.bulk(EMPTY);
            return;
        }
        long len = s.length;
        if (start < 0 && end < 0 && start > end) {
            c.out.bulk(EMPTY);
            return;
        }
        if (start < 0) start = len + start;
        if (end < 0) end = len + end;
        if (start < 0) start = 0;
        if (end < 0) end = 0;
        if (end >= len) end = len - 1;
        if (start > end || len == 0) c.out.bulk(EMPTY);
        else c.out.bulk(s, (int) start, (int) (end - start + 1));
    }

    static final byte[] EMPTY = new byte[0];

    /**
     * SETRANGE key offset value. An empty value changes nothing (and creates no key); the
     * result may not exceed proto-max-bulk-len.
     */
    static void setrange(Call c) {
        byte[] key = c.arg(1);
        long offset = c.longArg(2);
        byte[] value = c.arg(3);
        if (offset < 0) throw new CommandError("ERR offset is out of range");
        StoredValue v = lookupWriteString(c, key);
        byte[] cur;
        if (v == null) {
            if (value.length == 0) {
                c.out.integer(0);
                return;
            }
            checkStringLength(c, offset, value.length);
            cur = EMPTY;
        } else {
            if (value.length == 0) {
                c.out.integer(v.payload.length);
                return;
            }
            checkStringLength(c, offset, value.length);
            cur = v.payload;
        }
        int needed = (int) (offset + value.length);
        byte[] next = cur.length >= needed ? cur : Arrays.copyOf(cur, needed);
        System.arraycopy(value, 0, next, (int) offset, value.length);
        if (v == null) c.db().put(key, StoredValue.TYPE_STRING, Encoding.RAW, next, StoredValue.NO_EXPIRE);
        else putModified(c.db(), key, next);
        notify(c, "setrange", key);
        c.dirty(1);
        c.out.integer(next.length);
    }

    // ---------------------------------------------------------------- LCS

    /**
     * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest common subsequence
     * by the classic dynamic programming table, walked back from the end as Redis does (so
     * ties pick the same subsequence and the matches come out last to first).
     */
    static void lcs(Call c) {
        StoredValue oa = lookupRead(c, c.arg(1));
        StoredValue ob = lookupRead(c, c.arg(2));
        if ((oa != null && oa.type != StoredValue.TYPE_STRING) || (ob != null && ob.type != StoredValue.TYPE_STRING)) {
            throw new CommandError("ERR The specified keys must contain string values");
        }
        byte[] a = oa == null ? EMPTY : oa.payload;
        byte[] b = ob == null ? EMPTY : ob.payload;
        boolean getLen = false, getIdx = false, withMatchLen = false;
        long minMatchLen = 0;
        for (int j = 3; j < c.argc(); j++) {
            boolean more = j < c.argc() - 1;
            if (c.is(j, "idx")) {
                getIdx = true;
            } else if (c.is(j, "len")) {
                getLen = true;
            } else if (c.is(j, "withmatchlen")) {
                withMatchLen = true;
            } else if (c.is(j, "minmatchlen") && more) {
                minMatchLen = Math.max(0, c.longArg(j + 1));
                j++;
            } else {
                throw CommandError.SYNTAX_ERROR;
            }
        }
        if (getIdx && getLen) throw new CommandError("ERR If you want both the length and indexes, please just use IDX.");
        int alen = a.length, blen = b.length;
        long cells = (long) (alen + 1) * (blen + 1);
        if (cells * 4 > c.server.settings().protoMaxBulkLen) {
            throw new CommandError("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
        }
        int w = blen + 1;
        int[] t = new int[(int) cells];
        for (int i = 1; i <= alen; i++) {
            for (int j = 1; j <= blen; j++) {
                if (a[i - 1] == b[j - 1]) t[i * w + j] = t[(i - 1) * w + j - 1] + 1;
                else t[i * w + j] = Math.max(t[(i - 1) * w + j], t[i * w + j - 1]);
            }
        }
        int len = t[alen * w + blen];
        if (getLen && !getIdx) {
            c.out.integer(len);
            return;
        }
        byte[] result = new byte[len];
        List<long[]> matches = new ArrayList<>();
        int idx = len;
        int i = alen, j = blen;
        int aStart = alen, aEnd = 0, bStart = 0, bEnd = 0; // aStart == alen: no current range
        while (i > 0 && j > 0) {
            boolean emit = false;
            if (a[i - 1] == b[j - 1]) {
                result[idx - 1] = a[i - 1];
                if (aStart == alen) {
                    aStart = i - 1;
                    aEnd = i - 1;
                    bStart = j - 1;
                    bEnd = j - 1;
                } else if (aStart == i && bStart == j) {
                    aStart--;
                    bStart--;
                } else {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0) emit = true;
                idx--;
                i--;
                j--;
            } else {
                if (t[(i - 1) * w + j] > t[i * w + j - 1]) i--;
                else j--;
                if (aStart != alen) emit = true;
            }
            if (emit) {
                long matchLen = aEnd - aStart + 1;
                if (minMatchLen == 0 || matchLen >= minMatchLen) {
                    matches.add(new long[] {aStart, aEnd, bStart, bEnd, matchLen});
                }
                aStart = alen;
            }
        }
        if (!getIdx) {
            c.out.bulk(result);
            return;
        }
        c.out.map(2);
        c.out.bulk(b("matches"));
        c.out.array(matches.size());
        for (long[] m : matches) {
            c.out.array(withMatchLen ? 3 : 2);
            c.out.array(2);
            c.out.integer(m[0]);
            c.out.integer(m[1]);
            c.out.array(2);
            c.out.integer(m[2]);
            c.out.integer(m[3]);
            if (withMatchLen) c.out.integer(m[4]);
        }
        c.out.bulk(b("len"));
        c.out.integer(len);
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
