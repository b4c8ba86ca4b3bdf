package io.tandem.server.commands;

import io.tandem.server.KeyspaceEvents;
import io.tandem.server.Settings;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.server.command.Numbers;
import io.tandem.storage.collection.HashTable;
import io.tandem.storage.collection.Listpack;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Encoding;
import io.tandem.storage.keyspace.StoredValue;
import io.tandem.storage.util.Glob;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;

/**
 * Hash commands (Redis 7.0's t_hash.c).
 *
 * <p>Encodings as Redis: a hash starts as a {@code listpack} (stored off-heap, the payload of its
 * keyspace record, decoded and rewritten whole by each write) and becomes a {@code hashtable}
 * (an on-heap {@link HashTable} changed in place) as soon as it holds more than
 * {@code hash-max-listpack-entries} fields or a field or value longer than
 * {@code hash-max-listpack-value} bytes is written. It never converts back (Redis does only on
 * reload). An emptied hash is deleted.
 */
public final class HashCommands {
    private HashCommands() {}

    static final byte[] HSET = StringCommands.b("HSET");

    public static void register(CommandTable t) {
        t.register("hset", c -> hset(c, false));
        t.register("hmset", c -> hset(c, true));
        t.register("hsetnx", HashCommands::hsetnx);
        t.register("hget", HashCommands::hget);
        t.register("hmget", HashCommands::hmget);
        t.register("hdel", HashCommands::hdel);
        t.register("hlen", c -> {
            Hash h = Hash.read(c, c.arg(1));
            c.out.integer(h == null ? 0 : h.size());
        });
        t.register("hstrlen", c -> {
            Hash h = Hash.read(c, c.arg(1));
            byte[] v = h == null ? null : h.get(c.arg(2));
            c.out.integer(v == null ? 0 : v.length);
        });
        t.register("hexists", c -> {
            Hash h = Hash.read(c, c.arg(1));
            c.out.integer(h != null && h.get(c.arg(2)) != null ? 1 : 0);
        });
        t.register("hkeys", c -> getAll(c, true, false));
        t.register("hvals", c -> getAll(c, false, true));
        t.register("hgetall", c -> getAll(c, true, true));
        t.register("hincrby", HashCommands::hincrby);
        t.register("hincrbyfloat", HashCommands::hincrbyfloat);
        t.register("hrandfield", HashCommands::hrandfield);
        t.register("hscan", HashCommands::hscan);
    }

    // ------------------------------------------------------------------ the value

    /**
     * One hash as a command sees it: a decoded listpack ({@link #lp}: field, value, field, ...)
     * or the live {@link HashTable}. {@link #store} writes a listpack back, deletes an empty
     * hash, and stores a freshly converted table; a table that was already stored is changed in
     * place and needs nothing.
     */
    static final class Hash {
        final byte[] key;
        ArrayList<byte[]> lp;
        HashTable table;
        /** The table is the object already in the keyspace (no put needed). */
        boolean tableStored;

        private Hash(byte[] key) {
            this.key = key;
        }

        /** The hash at key, null if absent; WRONGTYPE for another type. Counts hits/misses. */
        static Hash read(Call c, byte[] key) {
            StoredValue v = c.db().get(key);
            if (v == null) {
                c.server.stats().keyspaceMisses++;
                return null;
            }
            if (v.type != StoredValue.TYPE_HASH) throw CommandError.WRONG_TYPE;
            c.server.stats().keyspaceHits++;
            return of(key, v);
        }

        static Hash of(byte[] key, StoredValue v) {
            Hash h = new Hash(key);
            if (v.object != null) {
                h.table = (HashTable) v.object;
                h.tableStored = true;
            } else {
                h.lp = Listpack.decode(v.payload);
            }
            return h;
        }

        /** The hash at key for a write, a new empty one if absent. */
        static Hash write(Call c, byte[] key) {
            StoredValue v = c.db().get(key);
            if (v == null) {
                Hash h = new Hash(key);
                h.lp = new ArrayList<>();
                return h;
            }
            if (v.type != StoredValue.TYPE_HASH) throw CommandError.WRONG_TYPE;
            return of(key, v);
        }

        int size() {
            return table != null ? table.size() : lp.size() / 2;
        }

        private int indexOf(byte[] field) {
            for (int i = 0; i < lp.size(); i += 2) if (Arrays.equals(lp.get(i), field)) return i;
            return -1;
        }

        byte[] get(byte[] field) {
            if (table != null) return table.get(field);
            int i = indexOf(field);
            return i < 0 ? null : lp.get(i + 1);
        }

        /** hashTypeSet: true if the field is new; converts to a table per the thresholds. */
        boolean set(Settings s, byte[] field, byte[] value) {
            if (lp != null && (field.length > s.hashMaxListpackValue || value.length > s.hashMaxListpackValue)) {
                convert();
            }
            if (table != null) return table.put(field, value);
            int i = indexOf(field);
            if (i >= 0) {
                lp.set(i + 1, value);
                return false;
            }
            lp.add(field);
            lp.add(value);
            if (size() > s.hashMaxListpackEntries) convert();
            return true;
        }

        boolean delete(byte[] field) {
            if (table != null) return table.remove(field);
            int i = indexOf(field);
            if (i < 0) return false;
            lp.remove(i);
            lp.remove(i);
            return true;
        }

        void convert() {
            HashTable t = new HashTable(lp.size() / 2);
            for (int i = 0; i < lp.size(); i += 2) t.put(lp.get(i), lp.get(i + 1));
            table = t;
            lp = null;
        }

        /** Visits pairs in the encoding's order (listpack: insertion order). */
        void forEach(BiConsumer<byte[], byte[]> v) {
            if (table != null) {
                table.forEach(v);
            } else {
                for (int i = 0; i < lp.size(); i += 2) v.accept(lp.get(i), lp.get(i + 1));
            }
        }

        /** Writes the hash back; returns false if it was empty and the key was deleted. */
        boolean store(Database db) {
            if (size() == 0) {
                db.delete(key);
                return false;
            }
            if (table != null) {
                if (!tableStored) db.putObject(key, StoredValue.TYPE_HASH, Encoding.HASHTABLE, table, Database.KEEP_TTL);
                tableStored = true;
            } else {
                db.put(key, StoredValue.TYPE_HASH, Encoding.LISTPACK, Listpack.encode(lp), Database.KEEP_TTL);
            }
            return true;
        }

        byte encoding() {
            return table != null ? Encoding.HASHTABLE : Encoding.LISTPACK;
        }
    }

    private static void notify(Call c, String event, byte[] key) {
        c.server.keyspaceEvents().notify(KeyspaceEvents.HASH, event, key, c.client.db);
    }

    // ------------------------------------------------------------------ writes

    static void hset(Call c, boolean hmset) {
        if (c.argc() % 2 == 1) throw CommandError.wrongArity(c.spec.name);
        byte[] key = c.arg(1);
        Hash h = Hash.write(c, key);
        Settings s = c.server.settings();
        long created = 0;
        for (int i = 2; i < c.argc(); i += 2) if (h.set(s, c.arg(i), c.arg(i + 1))) created++;
        h.store(c.db());
        notify(c, "hset", key);
        c.dirty(c.argc() / 2 - 1);
        if (hmset) c.out.ok();
        else c.out.integer(created);
    }

    static void hsetnx(Call c) {
        byte[] key = c.arg(1);
        Hash h = Hash.write(c, key);
        if (h.get(c.arg(2)) != null) {
            c.out.integer(0);
            return;
        }
        h.set(c.server.settings(), c.arg(2), c.arg(3));
        h.store(c.db());
        notify(c, "hset", key);
        c.dirty(1);
        c.out.integer(1);
    }

    static void hdel(Call c) {
        byte[] key = c.arg(1);
        Hash h = Hash.read(c, key);
        if (h == null) {
            c.out.integer(0);
            return;
        }
        long deleted = 0;
        for (int i = 2; i < c.argc(); i++) if (h.delete(c.arg(i))) deleted++;
        if (deleted > 0) {
            boolean kept = h.store(c.db());
            notify(c, "hdel", key);
            if (!kept) c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "del", key, c.client.db);
            c.dirty(deleted);
        }
        c.out.integer(deleted);
    }

    static void hincrby(Call c) {
        long incr = c.longArg(3);
        byte[] key = c.arg(1);
        Hash h = Hash.write(c, key);
        byte[] cur = h.get(c.arg(2));
        long value = 0;
        if (cur != null) {
            value = Numbers.parseLongOr(cur, Long.MIN_VALUE, true);
            if (value == Long.MIN_VALUE && !Numbers.isLongMin(cur)) throw new CommandError("ERR hash value is not an integer");
        }
        if ((incr < 0 && value < 0 && incr < Long.MIN_VALUE - value) || (incr > 0 && value > 0 && incr > Long.MAX_VALUE - value)) {
            throw new CommandError(CommandError.OVERFLOW);
        }
        value += incr;
        h.set(c.server.settings(), c.arg(2), StringCommands.b(Long.toString(value)));
        h.store(c.db());
        notify(c, "hincrby", key);
        c.dirty(1);
        c.out.integer(value);
    }

    static void hincrbyfloat(Call c) {
        BigDecimal incr = LongDouble.parse(c.arg(3));
        if (incr == null) throw CommandError.NOT_A_FLOAT;
        if (LongDouble.isInf(incr)) throw new CommandError("ERR value is NaN or Infinity");
        byte[] key = c.arg(1);
        Hash h = Hash.write(c, key);
        byte[] cur = h.get(c.arg(2));
        BigDecimal value = BigDecimal.ZERO;
        if (cur != null) {
            value = LongDouble.parse(cur);
            if (value == null || LongDouble.isInf(value)) {
                // string2ld accepts "inf" but the sum would then be infinite
                if (value == null) throw new CommandError("ERR hash value is not a float");
                throw new CommandError("ERR increment would produce NaN or Infinity");
            }
        }
        BigDecimal sum = LongDouble.add(value, incr);
        if (LongDouble.isInf(sum)) throw new CommandError("ERR increment would produce NaN or Infinity");
        byte[] text = LongDouble.format(sum).getBytes(StandardCharsets.US_ASCII);
        h.set(c.server.settings(), c.arg(2), text);
        h.store(c.db());
        notify(c, "hincrbyfloat", key);
        c.dirty(1);
        // Propagate the result, not the increment: float addition must not be replayed.
        c.propagateAs(HSET, key, c.arg(2), text);
        c.out.bulk(text);
    }

    // ------------------------------------------------------------------ reads

    static void hget(Call c) {
        Hash h = Hash.read(c, c.arg(1));
        byte[] v = h == null ? null : h.get(c.arg(2));
        if (v == null) c.out.nullBulk();
        else c.out.bulk(v);
    }

    static void hmget(Call c) {
        Hash h = Hash.read(c, c.arg(1));
        c.out.array(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) {
            byte[] v = h == null ? null : h.get(c.arg(i));
            if (v == null) c.out.nullBulk();
            else c.out.bulk(v);
        }
    }

    static void getAll(Call c, boolean keys, boolean values) {
        Hash h = Hash.read(c, c.arg(1));
        int n = h == null ? 0 : h.size();
        if (keys && values) c.out.map(n);
        else c.out.array(n);
        if (h == null) return;
        h.forEach((f, v) -> {
            if (keys) c.out.bulk(f);
            if (values) c.out.bulk(v);
        });
    }

    /** HRANDFIELD key [count [WITHVALUES]], as hrandfieldCommand/hrandfieldWithCountCommand. */
    static void hrandfield(Call c) {
        if (c.argc() == 2) {
            Hash h = Hash.read(c, c.arg(1));
            if (h == null) {
                c.out.nullBulk();
                return;
            }
            c.out.bulk(randomPair(h)[0]);
            return;
        }
        long count = c.longArg(2);
        if (count == Long.MIN_VALUE) {
            throw new CommandError("ERR value is out of range, must be between " + -Long.MAX_VALUE + " and " + Long.MAX_VALUE);
        }
        boolean withValues = false;
        if (c.argc() > 4 || (c.argc() == 4 && !c.is(3, "withvalues"))) throw CommandError.SYNTAX_ERROR;
        if (c.argc() == 4) {
            withValues = true;
            if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) throw new CommandError("ERR value is out of range");
        }
        Hash h = Hash.read(c, c.arg(1));
        if (h == null || count == 0) {
            c.out.array(0);
            return;
        }
        boolean resp3 = c.out.resp3();
        int size = h.size();
        if (count < 0 || count == 1) {
            // with repetitions (or a single one): count random picks
            long n = count < 0 ? -count : count;
            c.out.array(withValues && !resp3 ? n * 2 : n);
            for (long i = 0; i < n; i++) {
                byte[][] p = randomPair(h);
                writePair(c, p[0], p[1], withValues, resp3);
            }
            return;
        }
        List<byte[][]> pairs = new ArrayList<>(size);
        h.forEach((f, v) -> pairs.add(new byte[][] {f, v}));
        List<byte[][]> chosen;
        if (count >= size) {
            chosen = pairs;
        } else {
            // distinct picks; a listpack keeps its order (lpRandomPairsUnique), a table is random
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            boolean[] take = new boolean[size];
            int left = (int) count;
            for (int i = 0; i < size && left > 0; i++) {
                if (rnd.nextInt(size - i) < left) {
                    take[i] = true;
                    left--;
                }
            }
            chosen = new ArrayList<>((int) count);
            for (int i = 0; i < size; i++) if (take[i]) chosen.add(pairs.get(i));
            if (h.table != null) java.util.Collections.shuffle(chosen, rnd);
        }
        c.out.array(withValues && !resp3 ? chosen.size() * 2L : chosen.size());
        for (byte[][] p : chosen) writePair(c, p[0], p[1], withValues, resp3);
    }

    private static void writePair(Call c, byte[] f, byte[] v, boolean withValues, boolean resp3) {
        if (withValues && resp3) c.out.array(2);
        c.out.bulk(f);
        if (withValues) c.out.bulk(v);
    }

    private static byte[][] randomPair(Hash h) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        if (h.table != null) return h.table.randomEntry(rnd);
        int i = rnd.nextInt(h.size()) * 2;
        return new byte[][] {h.lp.get(i), h.lp.get(i + 1)};
    }

    /** The empty scan reply Redis sends for a missing key. */
    static void emptyScan(Call c) {
        c.out.array(2);
        c.out.bulk(StringCommands.b("0"));
        c.out.array(0);
    }

    /** parseScanCursorOrReply: strtoul semantics (a leading '-' wraps), "ERR invalid cursor". */
    static long scanCursor(byte[] a) {
        CommandError invalid = new CommandError("ERR invalid cursor");
        if (a.length == 0) return 0;
        int i = 0;
        boolean neg = false;
        if (a[0] == '+' || a[0] == '-') {
            neg = a[0] == '-';
            i = 1;
        }
        if (i == a.length) throw invalid;
        String digits = new String(a, i, a.length - i, StandardCharsets.US_ASCII);
        for (int k = 0; k < digits.length(); k++) if (digits.charAt(k) < '0' || digits.charAt(k) > '9') throw invalid;
        long v;
        try {
            v = Long.parseUnsignedLong(digits);
        } catch (NumberFormatException e) {
            throw invalid;
        }
        return neg ? -v : v;
    }

    /** SCAN options from argument {@code from}: returns {count, matchIndex (or -1)}. */
    static long[] scanOptions(Call c, int from) {
        long count = 10;
        long match = -1;
        for (int i = from; i < c.argc(); i++) {
            boolean more = i + 1 < c.argc();
            if (c.is(i, "count") && more) {
                count = c.longArg(i + 1);
                if (count < 1) throw CommandError.SYNTAX_ERROR;
                i++;
            } else if (c.is(i, "match") && more) {
                match = i + 1;
                i++;
            } else {
                throw CommandError.SYNTAX_ERROR;
            }
        }
        return new long[] {count, match};
    }

    static void hscan(Call c) {
        long cursor = scanCursor(c.arg(2));
        Hash h = Hash.read(c, c.arg(1));
        if (h == null) {
            emptyScan(c);
            return;
        }
        long[] opt = scanOptions(c, 3);
        byte[] pattern = opt[1] < 0 ? null : c.arg((int) opt[1]);
        boolean all = pattern != null && pattern.length == 1 && pattern[0] == '*';
        List<byte[]> out = new ArrayList<>();
        BiConsumer<byte[], byte[]> collect = (f, v) -> {
            if (pattern == null || all || Glob.match(pattern, f, false)) {
                out.add(f);
                out.add(v);
            }
        };
        long next = 0;
        if (h.table != null) next = h.table.scan(cursor, (int) Math.min(opt[0], Integer.MAX_VALUE), collect);
        else h.forEach(collect);
        c.out.array(2);
        c.out.bulk(StringCommands.b(Long.toUnsignedString(next)));
        c.out.array(out.size());
        for (byte[] b : out) c.out.bulk(b);
    }
}
