package io.tandem.server.commands;

import io.tandem.server.KeyspaceEvents;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.server.Eviction;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Encoding;
import io.tandem.storage.keyspace.StoredValue;
import io.tandem.storage.util.Glob;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Generic key commands (Redis's db.c and expire.c). */
public final class KeyCommands {
    private KeyCommands() {}

    static final byte[] PEXPIREAT = b("PEXPIREAT");
    static final byte[] DEL = b("DEL");

    public static void register(CommandTable t) {
        t.register("del", KeyCommands::del);
        t.register("unlink", KeyCommands::del);
        t.register("exists", KeyCommands::exists);
        t.register("type", c -> {
            int type = c.db().type(c.arg(1));
            c.out.simple(type < 0 ? "none" : StoredValue.typeName((byte) type));
        });
        t.register("dbsize", c -> c.out.integer(c.db().size()));
        t.register("flushdb", c -> flush(c, false));
        t.register("flushall", c -> flush(c, true));
        t.register("expire", c -> expire(c, 1000, false));
        t.register("pexpire", c -> expire(c, 1, false));
        t.register("expireat", c -> expire(c, 1000, true));
        t.register("pexpireat", c -> expire(c, 1, true));
        t.register("ttl", c -> ttl(c, true, false));
        t.register("pttl", c -> ttl(c, false, false));
        t.register("expiretime", c -> ttl(c, true, true));
        t.register("pexpiretime", c -> ttl(c, false, true));
        t.register("persist", KeyCommands::persist);
        t.register("keys", KeyCommands::keys);
        t.register("scan", KeyCommands::scan);
        t.register("randomkey", c -> {
            byte[] k = c.db().randomKey();
            if (k == null) c.out.nullBulk();
            else c.out.bulk(k);
        });
        t.register("rename", c -> rename(c, false));
        t.register("renamenx", c -> rename(c, true));
        t.register("move", KeyCommands::move);
        t.register("copy", KeyCommands::copy);
        t.register("touch", KeyCommands::exists); // the access itself is recorded by Eviction.touchKeys
        t.register("swapdb", KeyCommands::swapdb);
        t.register("object|encoding", c -> object(c, 'e'));
        t.register("object|refcount", c -> object(c, 'r'));
        t.register("object|idletime", c -> object(c, 'i'));
        t.register("object|freq", c -> object(c, 'f'));
        t.register("object|help", c -> help(c, "OBJECT", OBJECT_HELP));
    }

    static void del(Call c) {
        Database db = c.db();
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (db.delete(c.arg(i))) {
                n++;
                c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "del", c.arg(i), c.client.db);
            }
        }
        c.dirty(n);
        c.out.integer(n);
    }

    static void exists(Call c) {
        Database db = c.db();
        long n = 0;
        for (int i = 1; i < c.argc(); i++) if (db.exists(c.arg(i))) n++;
        c.out.integer(n);
    }

    /** FLUSHDB / FLUSHALL [ASYNC|SYNC]: clearing off-heap maps is cheap, so ASYNC behaves as SYNC. */
    static void flush(Call c, boolean all) {
        if (c.argc() > 2) throw CommandError.SYNTAX_ERROR;
        if (c.argc() == 2 && !c.is(1, "async") && !c.is(1, "sync")) throw CommandError.SYNTAX_ERROR;
        long removed;
        if (all) {
            removed = 0;
            for (int i = 0; i < c.server.keyspace().databases(); i++) removed += c.server.keyspace().db(i).size();
            c.server.keyspace().clearAll();
        } else {
            removed = c.db().size();
            c.db().clear();
        }
        c.server.flushed(all ? -1 : c.client.db);
        c.dirty(Math.max(1, removed));
        c.out.ok();
    }

    /**
     * EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT key time [NX|XX|GT|LT], as Redis 7.0's expireGenericCommand.
     * A time in the past deletes the key (propagated as DEL); otherwise propagated as PEXPIREAT.
     */
    static void expire(Call c, long unitMs, boolean absolute) {
        boolean nx = false, xx = false, gt = false, lt = false;
        for (int i = 3; i < c.argc(); i++) {
            if (c.is(i, "nx")) nx = true;
            else if (c.is(i, "xx")) xx = true;
            else if (c.is(i, "gt")) gt = true;
            else if (c.is(i, "lt")) lt = true;
            else throw new CommandError("ERR Unsupported option " + c.str(i));
        }
        if (nx && (xx || gt || lt)) throw new CommandError("ERR NX and XX, GT or LT options at the same time are not compatible");
        if (gt && lt) throw new CommandError("ERR GT and LT options at the same time are not compatible");
        String cmd = c.spec.name;
        long when = c.longArg(2);
        CommandError invalid = new CommandError("ERR invalid expire time in '" + cmd + "' command");
        if (unitMs == 1000) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) throw invalid;
            when *= 1000;
        }
        if (!absolute) {
            long now = c.now();
            if (when > Long.MAX_VALUE - now) throw invalid;
            when += now;
        }
        byte[] key = c.arg(1);
        Database db = c.db();
        long current = db.getExpire(key);
        if (current == -2) {
            c.out.integer(0);
            return;
        }
        if ((nx && current != -1) || (xx && current == -1)
                || (gt && (current == -1 || when <= current))
                || (lt && current != -1 && when >= current)) {
            c.out.integer(0);
            return;
        }
        if (when <= c.now() && c.server.role() != 'S') {
            db.delete(key);
            c.dirty(1);
            c.propagateAs(DEL, key);
            c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "del", key, c.client.db);
        } else {
            db.setExpire(key, when);
            c.dirty(1);
            c.propagateAs(PEXPIREAT, key, b(Long.toString(when)));
            c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "expire", key, c.client.db);
        }
        c.out.integer(1);
    }

    static void ttl(Call c, boolean seconds, boolean absolute) {
        long at = c.db().getExpire(c.arg(1));
        if (at < 0) {
            c.out.integer(at);
            return;
        }
        long v = absolute ? at : Math.max(0, at - c.now());
        c.out.integer(seconds ? (v + 500) / 1000 : v); // Redis rounds EXPIRETIME too
    }

    static void persist(Call c) {
        Database db = c.db();
        long at = db.getExpire(c.arg(1));
        if (at < 0) {
            c.out.integer(0);
            return;
        }
        db.setExpire(c.arg(1), StoredValue.NO_EXPIRE);
        c.dirty(1);
        c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "persist", c.arg(1), c.client.db);
        c.out.integer(1);
    }

    /** KEYS pattern: every live key matching the glob (expired keys are skipped, not deleted, as Redis). */
    static void keys(Call c) {
        byte[] pattern = c.arg(1);
        boolean all = pattern.length == 1 && pattern[0] == '*';
        List<byte[]> found = new ArrayList<>();
        c.db().forEach((k, v) -> {
            if (all || Glob.match(pattern, k, false)) found.add(k);
        });
        c.out.array(found.size());
        for (byte[] k : found) c.out.bulk(k);
    }

    /** A larger COUNT than this makes no difference (Database.scan looks at up to 10×COUNT positions). */
    private static final int MAX_SCAN_COUNT = 100_000_000;

    /**
     * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type], as Redis 7.0's scanGenericCommand:
     * the cursor is parsed first, options left to right (the last of each wins), COUNT below 1
     * is a syntax error, TYPE is compared case-insensitively with TYPE's names (an unknown name
     * matches nothing).
     */
    static void scan(Call c) {
        long cursor = parseCursor(c.arg(1));
        long count = 10;
        byte[] pattern = null;
        String type = null;
        for (int i = 2; i < c.argc(); ) {
            int left = c.argc() - i;
            if (c.is(i, "count") && left >= 2) {
                count = c.longArg(i + 1);
                if (count < 1) throw CommandError.SYNTAX_ERROR;
                i += 2;
            } else if (c.is(i, "match") && left >= 2) {
                byte[] p = c.arg(i + 1);
                pattern = p.length == 1 && p[0] == '*' ? null : p;
                i += 2;
            } else if (c.is(i, "type") && left >= 2) {
                type = c.str(i + 1);
                i += 2;
            } else {
                throw CommandError.SYNTAX_ERROR;
            }
        }
        Database db = c.db();
        List<byte[]> found = new ArrayList<>();
        long next = db.scan(cursor, (int) Math.min(count, MAX_SCAN_COUNT), found::add);
        byte[] p = pattern;
        String ty = type;
        found.removeIf(k -> (p != null && !Glob.match(p, k, false)) || (ty != null && !ty.equalsIgnoreCase(typeName(db.type(k)))));
        c.out.array(2);
        c.out.bulk(Long.toUnsignedString(next));
        c.out.array(found.size());
        for (byte[] k : found) c.out.bulk(k);
    }

    private static final CommandError INVALID_CURSOR = new CommandError("ERR invalid cursor");

    /**
     * A SCAN cursor as Redis's parseScanCursorOrReply reads it with strtoul: unsigned decimal, an
     * optional sign ({@code -1} is 2^64-1), nothing after the digits, no leading space; the empty
     * string is 0.
     */
    static long parseCursor(byte[] s) {
        if (s.length == 0) return 0;
        if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')) throw INVALID_CURSOR;
        int i = 0;
        boolean negative = false;
        if (s[0] == '+' || s[0] == '-') {
            negative = s[0] == '-';
            i = 1;
        }
        if (i == s.length) throw INVALID_CURSOR;
        long v = 0;
        for (; i < s.length; i++) {
            int d = s[i] - '0';
            if (d < 0 || d > 9) throw INVALID_CURSOR;
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) throw INVALID_CURSOR; // ERANGE
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    static String typeName(int type) {
        return type < 0 ? "none" : StoredValue.typeName((byte) type);
    }

    static final CommandError SAME_OBJECT = new CommandError("ERR source and destination objects are the same");
    static final CommandError DB_OUT_OF_RANGE = new CommandError(CommandError.DB_INDEX_OUT_OF_RANGE);

    /**
     * Redis's getIntFromObjectOrReply: a long in int range; with {@code msg} null the generic
     * errors, else {@code ERR msg} for both kinds of failure.
     */
    static int intArg(Call c, int i, String msg) {
        long v = msg == null ? c.longArg(i) : c.longArg(i, "ERR " + msg);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new CommandError(msg != null ? "ERR " + msg
                    : "ERR value is out of range, value must between -2147483648 and 2147483647");
        }
        return (int) v;
    }

    /** A database index given by the user, or {@code ERR DB index is out of range}. */
    private static Database dbArg(Call c, int i) {
        int id = intArg(c, i, null);
        if (id < 0 || id >= c.server.keyspace().databases()) throw DB_OUT_OF_RANGE;
        return c.server.keyspace().db(id);
    }

    /**
     * RENAME / RENAMENX key newkey, as Redis 7.0's renameGenericCommand: a missing source is
     * {@code ERR no such key} (even when both names are equal); equal names change nothing (OK /
     * 0); the value keeps its TTL and its LRU/LFU history; an existing target is replaced
     * (RENAME) or left alone (RENAMENX: 0).
     */
    /**
     * Stores a value under another key: its payload, or for a large collection its on-heap object
     * (the same one for RENAME/MOVE, a deep copy for COPY); a payload put would drop the object.
     */
    private static void putValue(Database db, byte[] key, StoredValue v, io.tandem.storage.keyspace.SizedObject object) {
        if (object != null) db.putObject(key, v.type, v.encoding, object, v.expireAt);
        else db.put(key, v.type, v.encoding, v.payload, v.expireAt);
    }

    static void rename(Call c, boolean nx) {
        byte[] src = c.arg(1);
        byte[] dst = c.arg(2);
        Database db = c.db();
        StoredValue v = db.get(src);
        if (v == null) throw new CommandError(CommandError.NO_SUCH_KEY);
        if (java.util.Arrays.equals(src, dst)) {
            if (nx) c.out.integer(0);
            else c.out.ok();
            return;
        }
        if (db.exists(dst)) {
            if (nx) {
                c.out.integer(0);
                return;
            }
            db.delete(dst);
        }
        putValue(db, dst, v, v.object);
        db.setLru(dst, v.lru);
        db.delete(src);
        c.server.signalKeyAsReady(c.client.db, dst);
        int id = c.client.db;
        c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "rename_from", src, id);
        c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "rename_to", dst, id);
        c.dirty(1);
        if (nx) c.out.integer(1);
        else c.out.ok();
    }

    /** MOVE key db, as Redis 7.0's moveCommand: 0 when the key is missing or already in the target. */
    static void move(Call c) {
        byte[] key = c.arg(1);
        Database src = c.db();
        Database dst = dbArg(c, 2);
        if (dst.index() == src.index()) throw SAME_OBJECT;
        StoredValue v = src.get(key);
        if (v == null || dst.exists(key)) {
            c.out.integer(0);
            return;
        }
        putValue(dst, key, v, v.object);
        dst.setLru(key, v.lru);
        src.delete(key);
        c.server.signalKeyAsReady(dst.index(), key);
        c.server.keyTouched(dst.index(), key);
        c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "move_from", key, src.index());
        c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "move_to", key, dst.index());
        c.dirty(1);
        c.out.integer(1);
    }

    /**
     * COPY source destination [DB db] [REPLACE], as Redis 7.0's copyCommand: options are checked
     * before the keys; the copy is a new value (fresh LRU/LFU) with the source's TTL.
     */
    static void copy(Call c) {
        Database src = c.db();
        Database dst = src;
        boolean replace = false;
        for (int j = 3; j < c.argc(); j++) {
            int additional = c.argc() - j - 1;
            if (c.is(j, "replace")) {
                replace = true;
            } else if (c.is(j, "db") && additional >= 1) {
                dst = dbArg(c, j + 1);
                j++;
            } else {
                throw CommandError.SYNTAX_ERROR;
            }
        }
        byte[] key = c.arg(1);
        byte[] newkey = c.arg(2);
        if (src.index() == dst.index() && java.util.Arrays.equals(key, newkey)) throw SAME_OBJECT;
        StoredValue v = src.get(key);
        if (v == null) {
            c.out.integer(0);
            return;
        }
        if (dst.exists(newkey)) {
            if (!replace) {
                c.out.integer(0);
                return;
            }
            dst.delete(newkey);
        }
        putValue(dst, newkey, v, v.object == null ? null : v.object.copy());
        c.server.signalKeyAsReady(dst.index(), newkey);
        if (dst.index() != src.index()) c.server.keyTouched(dst.index(), newkey);
        c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "copy_to", newkey, dst.index());
        c.dirty(1);
        c.out.integer(1);
    }

    /**
     * SWAPDB index1 index2: O(1) exchange of the two databases' contents. Clients watching keys
     * in either database see their transaction fail (Redis touches every watched key there).
     */
    static void swapdb(Call c) {
        int a = intArg(c, 1, "invalid first DB index");
        int b = intArg(c, 2, "invalid second DB index");
        int n = c.server.keyspace().databases();
        if (a < 0 || a >= n || b < 0 || b >= n) throw DB_OUT_OF_RANGE;
        if (a != b) {
            c.server.keyspace().swap(a, b);
            c.server.flushed(a);
            c.server.flushed(b);
        }
        c.dirty(1);
        c.out.ok();
    }

    static final String[] OBJECT_HELP = {
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
    };

    /** Redis's addReplyHelp: a header, the lines, then HELP's own entry, all as status replies. */
    static void help(Call c, String command, String[] lines) {
        c.out.array(lines.length + 3);
        c.out.simple(command + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        for (String l : lines) c.out.simple(l);
        c.out.simple("HELP");
        c.out.simple("    Prints this help.");
    }

    /** Redis keeps one shared object for the integers 0..9999 (OBJ_SHARED_INTEGERS). */
    private static final int SHARED_INTEGERS = 10000;
    /** OBJ_SHARED_REFCOUNT: what OBJECT REFCOUNT reports for a shared object. */
    private static final int SHARED_REFCOUNT = Integer.MAX_VALUE;

    /**
     * OBJECT ENCODING|REFCOUNT|IDLETIME|FREQ key (object.c). The lookup records no access. There
     * are no shared objects here: REFCOUNT reports what Redis would for the value, i.e. the
     * shared-integer refcount for an int-encoded string 0..9999 unless maxmemory with an LRU/LFU
     * policy forbids sharing, else 1.
     */
    static void object(Call c, char what) {
        StoredValue v = c.db().get(c.arg(2));
        if (v == null) {
            c.out.nullBulk();
            return;
        }
        Eviction ev = c.server.eviction();
        switch (what) {
            case 'e' -> c.out.bulk(Encoding.name(v.encoding));
            case 'r' -> c.out.integer(isSharedInteger(c, v) ? SHARED_REFCOUNT : 1);
            case 'i' -> {
                if (ev.lfuPolicy()) {
                    throw new CommandError("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
                            + "when switching between policies at runtime LRU and LFU data will take some time to adjust.");
                }
                c.out.integer(ev.idleMillis(v.lru) / 1000);
            }
            default -> {
                if (!ev.lfuPolicy()) {
                    throw new CommandError("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
                            + "note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
                }
                c.out.integer(ev.frequency(v.lru));
            }
        }
    }

    private static boolean isSharedInteger(Call c, StoredValue v) {
        if (v.type != StoredValue.TYPE_STRING || v.encoding != Encoding.INT) return false;
        if (c.server.settings().maxmemory != 0 && (c.server.eviction().lruPolicy() || c.server.eviction().lfuPolicy())) return false;
        if (v.payload.length > 4 || v.payload[0] == '-') return false;
        long n = Long.parseLong(new String(v.payload, StandardCharsets.US_ASCII));
        return n < SHARED_INTEGERS;
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
