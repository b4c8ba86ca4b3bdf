package io.tandem.server.commands;

import io.tandem.server.KeyspaceEvents;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.server.command.Numbers;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.StoredValue;
import io.tandem.storage.util.Glob;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Set commands (Redis 7.0.15's t_set.c). Storage and encodings: see {@link SetValue}. Argument
 * checks, their order, reply shapes (RESP3 sets where Redis sends them), keyspace events, dirty
 * counts and what propagates follow t_set.c, since clients and replicas see all of them.
 *
 * <p>Propagation: SPOP propagates as SREM of the popped member; SPOP with a count as SREMs of
 * the popped members (batches of up to 1024 members per SREM; Redis 7.0 sends one SREM per
 * member inside MULTI/EXEC, same effect) or as DEL when it takes the whole set. The rest
 * propagate as sent.
 */
public final class SetCommands {
    private SetCommands() {}

    static final byte[] SREM = StringCommands.b("SREM");
    static final byte[] DEL = StringCommands.b("DEL");
    /** SPOP count: members per propagated SREM. */
    static final int SREM_BATCH = 1024;
    /** SPOP count: rebuild the set from what remains when remaining*5 ≤ count (SPOP_MOVE_STRATEGY_MUL). */
    static final int SPOP_MOVE_STRATEGY_MUL = 5;

    public static void register(CommandTable t) {
        SetRdb.register();
        SortSources.register(StoredValue.TYPE_SET, new SortSources.Source() {
            @Override
            public java.util.List<byte[]> elements(io.tandem.storage.keyspace.Database db, byte[] key, StoredValue v) {
                return SetValue.of(key, v).members();
            }

            @Override
            public boolean ordered() {
                return false; // SORT ... BY nosort STORE of a set is forced to ALPHA, as Redis
            }
        });
        t.register("sadd", SetCommands::sadd);
        t.register("srem", SetCommands::srem);
        t.register("sismember", c -> {
            SetValue s = read(c, c.arg(1));
            c.out.integer(s != null && s.contains(c.arg(2)) ? 1 : 0);
        });
        t.register("smismember", c -> {
            SetValue s = read(c, c.arg(1));
            c.out.array(c.argc() - 2);
            for (int i = 2; i < c.argc(); i++) c.out.integer(s != null && s.contains(c.arg(i)) ? 1 : 0);
        });
        t.register("scard", c -> {
            SetValue s = read(c, c.arg(1));
            c.out.integer(s == null ? 0 : s.size());
        });
        t.register("smembers", c -> inter(c, 1, 1, null, false, 0));
        t.register("spop", SetCommands::spop);
        t.register("srandmember", SetCommands::srandmember);
        t.register("smove", SetCommands::smove);
        t.register("sinter", c -> inter(c, 1, c.argc() - 1, null, false, 0));
        t.register("sinterstore", c -> inter(c, 2, c.argc() - 2, c.arg(1), false, 0));
        t.register("sintercard", SetCommands::sintercard);
        t.register("sunion", c -> unionDiff(c, 1, null, false));
        t.register("sunionstore", c -> unionDiff(c, 2, c.arg(1), false));
        t.register("sdiff", c -> unionDiff(c, 1, null, true));
        t.register("sdiffstore", c -> unionDiff(c, 2, c.arg(1), true));
        t.register("sscan", SetCommands::sscan);
        ValueDigests.register(StoredValue.TYPE_SET, SetValue::digest);
    }

    /** lookupKeyRead + checkType: counts a hit or a miss. */
    static SetValue read(Call c, byte[] key) {
        SetValue s = SetValue.get(c.db(), key);
        if (s == null) c.server.stats().keyspaceMisses++;
        else c.server.stats().keyspaceHits++;
        return s;
    }

    private static long maxIntset(Call c) {
        return c.server.settings().setMaxIntsetEntries;
    }

    private static void event(Call c, String event, byte[] key) {
        c.server.keyspaceEvents().notify(KeyspaceEvents.SET, event, key, c.client.db);
    }

    private static void deleted(Call c, byte[] key) {
        c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "del", key, c.client.db);
    }

    // ------------------------------------------------------------------ single-key writes

    static void sadd(Call c) {
        byte[] key = c.arg(1);
        SetValue s = SetValue.get(c.db(), key);
        if (s == null) s = SetValue.create(key, c.arg(2));
        long added = 0;
        for (int i = 2; i < c.argc(); i++) if (s.add(c.arg(i), maxIntset(c))) added++;
        if (added > 0) {
            s.store(c.db());
            event(c, "sadd", key);
            c.dirty(added);
        }
        c.out.integer(added);
    }

    static void srem(Call c) {
        byte[] key = c.arg(1);
        SetValue s = SetValue.get(c.db(), key);
        if (s == null) {
            c.out.integer(0);
            return;
        }
        long removed = 0;
        for (int i = 2; i < c.argc() && s.size() > 0; i++) if (s.remove(c.arg(i))) removed++;
        if (removed > 0) {
            boolean kept = s.store(c.db());
            event(c, "srem", key);
            if (!kept) deleted(c, key);
            c.dirty(removed);
        }
        c.out.integer(removed);
    }

    static void smove(Call c) {
        byte[] src = c.arg(1);
        byte[] dst = c.arg(2);
        byte[] m = c.arg(3);
        Database db = c.db();
        StoredValue sv = db.get(src);
        StoredValue dv = db.get(dst);
        if (sv == null) {
            c.out.integer(0);
            return;
        }
        if (sv.type != StoredValue.TYPE_SET || (dv != null && dv.type != StoredValue.TYPE_SET)) throw CommandError.WRONG_TYPE;
        SetValue from = SetValue.of(src, sv);
        if (Arrays.equals(src, dst)) {
            c.out.integer(from.contains(m) ? 1 : 0);
            return;
        }
        if (!from.remove(m)) {
            c.out.integer(0);
            return;
        }
        boolean kept = from.store(db);
        event(c, "srem", src);
        if (!kept) deleted(c, src);
        c.dirty(1);
        SetValue to = dv == null ? SetValue.create(dst, m) : SetValue.of(dst, dv);
        if (to.add(m, maxIntset(c))) {
            to.store(db);
            c.dirty(1);
            event(c, "sadd", dst);
        }
        c.out.integer(1);
    }

    // ------------------------------------------------------------------ random members

    /** SPOP key [count]. */
    static void spop(Call c) {
        if (c.argc() == 3) {
            spopWithCount(c);
            return;
        }
        if (c.argc() > 3) throw CommandError.SYNTAX_ERROR;
        byte[] key = c.arg(1);
        SetValue s = SetValue.get(c.db(), key);
        if (s == null) {
            c.out.nullBulk();
            return;
        }
        byte[] m = s.random(ThreadLocalRandom.current());
        s.remove(m);
        event(c, "spop", key);
        c.propagateAs(SREM, key, m);
        c.out.bulk(m);
        if (!s.store(c.db())) deleted(c, key);
        c.dirty(1);
    }

    static void spopWithCount(Call c) {
        long count = c.longArg(2, CommandError.NOT_POSITIVE);
        if (count < 0) throw new CommandError(CommandError.NOT_POSITIVE);
        byte[] key = c.arg(1);
        Database db = c.db();
        SetValue s = SetValue.get(db, key);
        if (s == null || count == 0) {
            c.out.set(0);
            return;
        }
        int size = s.size();
        event(c, "spop", key);
        c.dirty(Math.min(count, size));
        if (count >= size) {
            // the whole set as SUNION of the one key replies it (a fresh set's order), then DEL
            SetValue all = SetValue.createIntset(key);
            s.forEach(m -> all.add(m, maxIntset(c)));
            c.out.set(all.size());
            all.forEach(c.out::bulk);
            db.delete(key);
            deleted(c, key);
            c.propagateAs(DEL, key);
            return;
        }
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int n = (int) count;
        int remaining = size - n;
        List<byte[]> popped = new ArrayList<>(n);
        if ((long) remaining * SPOP_MOVE_STRATEGY_MUL > count) {
            // few to pop: remove random members one by one
            for (int i = 0; i < n; i++) {
                byte[] m = s.random(rnd);
                s.remove(m);
                popped.add(m);
            }
            s.store(db);
        } else {
            // most of the set goes: build a new set of the remaining members and reply the rest
            List<byte[]> all = s.members();
            boolean[] keep = new boolean[size];
            List<byte[]> kept = new ArrayList<>(remaining);
            for (int picked = 0; picked < remaining; ) {
                int i = rnd.nextInt(size);
                if (keep[i]) continue;
                keep[i] = true;
                kept.add(all.get(i));
                picked++;
            }
            SetValue fresh = SetValue.create(key, kept.get(0));
            for (byte[] m : kept) fresh.add(m, maxIntset(c));
            for (int i = 0; i < size; i++) if (!keep[i]) popped.add(all.get(i));
            s.replaceWith(fresh);
            s.store(db);
        }
        c.out.set(popped.size());
        for (byte[] m : popped) c.out.bulk(m);
        propagateSrem(c, key, popped);
    }

    /** The popped members as SREM commands of up to {@link #SREM_BATCH} members. */
    private static void propagateSrem(Call c, byte[] key, List<byte[]> popped) {
        int batches = (popped.size() + SREM_BATCH - 1) / SREM_BATCH;
        for (int b = 0; b < batches; b++) {
            List<byte[]> part = popped.subList(b * SREM_BATCH, Math.min(popped.size(), (b + 1) * SREM_BATCH));
            byte[][] argv = new byte[2 + part.size()][];
            argv[0] = SREM;
            argv[1] = key;
            for (int i = 0; i < part.size(); i++) argv[2 + i] = part.get(i);
            // "also" commands go out before the command's own (rewritten) effect; order is free here
            if (b == batches - 1) c.propagateAs(argv);
            else c.alsoPropagate(c.client.db, argv);
        }
    }

    /** SRANDMEMBER key [count], as srandmemberWithCountCommand. */
    static void srandmember(Call c) {
        if (c.argc() > 3) throw CommandError.SYNTAX_ERROR;
        if (c.argc() == 2) {
            SetValue s = read(c, c.arg(1));
            if (s == null) c.out.nullBulk();
            else c.out.bulk(s.random(ThreadLocalRandom.current()));
            return;
        }
        long l = c.longArg(2);
        if (l == Long.MIN_VALUE) {
            // t_set.c's own wording (getRangeLongFromObjectOrReply's reads "must be between")
            throw new CommandError("ERR value is out of range, value must between " + -Long.MAX_VALUE + " and " + Long.MAX_VALUE);
        }
        boolean unique = l >= 0;
        long count = Math.abs(l);
        SetValue s = read(c, c.arg(1));
        if (s == null || count == 0) {
            c.out.array(0);
            return;
        }
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        if (!unique || count == 1) {
            c.out.array(count);
            for (long i = 0; i < count; i++) c.out.bulk(s.random(rnd));
            return;
        }
        int size = s.size();
        List<byte[]> all = s.members();
        if (count >= size) {
            c.out.array(size);
            for (byte[] m : all) c.out.bulk(m);
            return;
        }
        // distinct random members; Redis replies them in its temporary dict's (random) order
        Collections.shuffle(all, rnd);
        c.out.array(count);
        for (int i = 0; i < count; i++) c.out.bulk(all.get(i));
    }

    // ------------------------------------------------------------------ multi-key

    /**
     * The sets named by {@code n} keys from argument {@code from}: null entries for missing keys;
     * WRONGTYPE as soon as one holds another type (after looking up the earlier ones, as Redis).
     */
    private static SetValue[] lookup(Call c, int from, int n, boolean write) {
        SetValue[] sets = new SetValue[n];
        for (int j = 0; j < n; j++) {
            sets[j] = write ? SetValue.get(c.db(), c.arg(from + j)) : read(c, c.arg(from + j));
        }
        return sets;
    }

    /** SINTER, SMEMBERS, SINTERSTORE, SINTERCARD (sinterGenericCommand). */
    static void inter(Call c, int from, int n, byte[] dstkey, boolean cardinalityOnly, long limit) {
        SetValue[] sets = lookup(c, from, n, dstkey != null);
        boolean empty = false;
        for (SetValue s : sets) if (s == null) empty = true;
        if (empty) {
            if (dstkey != null) {
                if (c.db().delete(dstkey)) {
                    c.dirty(1);
                    deleted(c, dstkey);
                }
                c.out.integer(0);
            } else if (cardinalityOnly) {
                c.out.integer(0);
            } else {
                c.out.set(0);
            }
            return;
        }
        Arrays.sort(sets, Comparator.comparingInt(SetValue::size));
        List<byte[]> result = new ArrayList<>();
        long cardinality = 0;
        for (byte[] m : sets[0].members()) {
            boolean all = true;
            for (int j = 1; j < sets.length && all; j++) {
                if (sets[j] != sets[0] && !sets[j].contains(m)) all = false;
            }
            if (!all) continue;
            cardinality++;
            if (!cardinalityOnly) result.add(m);
            if (cardinalityOnly && limit > 0 && cardinality >= limit) break;
        }
        if (cardinalityOnly) {
            c.out.integer(cardinality);
        } else if (dstkey != null) {
            SetValue dst = SetValue.createIntset(dstkey);
            for (byte[] m : result) dst.add(m, maxIntset(c));
            storeResult(c, dst, dstkey, "sinterstore");
        } else {
            c.out.set(result.size());
            for (byte[] m : result) c.out.bulk(m);
        }
    }

    /** The result of a *STORE: set (no TTL) and its size, or the destination deleted and 0. */
    private static void storeResult(Call c, SetValue dst, byte[] dstkey, String event) {
        if (dst.size() > 0) {
            dst.storeFresh(c.db());
            c.out.integer(dst.size());
            event(c, event, dstkey);
            c.dirty(1);
        } else {
            c.out.integer(0);
            if (c.db().delete(dstkey)) {
                c.dirty(1);
                deleted(c, dstkey);
            }
        }
    }

    /** SINTERCARD numkeys key [key ...] [LIMIT limit]. */
    static void sintercard(Call c) {
        long numkeys = Numbers.parseLongOr(c.arg(1), Long.MIN_VALUE, true);
        if (numkeys < 1) throw new CommandError("ERR numkeys should be greater than 0");
        if (numkeys > c.argc() - 2) throw new CommandError("ERR Number of keys can't be greater than number of args");
        long limit = 0;
        for (int j = 2 + (int) numkeys; j < c.argc(); j++) {
            boolean more = j < c.argc() - 1;
            if (c.is(j, "limit") && more) {
                j++;
                limit = Numbers.parseLongOr(c.arg(j), Long.MIN_VALUE, true);
                if (limit < 0) throw new CommandError("ERR LIMIT can't be negative");
            } else {
                throw CommandError.SYNTAX_ERROR;
            }
        }
        inter(c, 2, (int) numkeys, null, true, limit);
    }

    /** SUNION, SDIFF and their *STORE forms (sunionDiffGenericCommand). */
    static void unionDiff(Call c, int from, byte[] dstkey, boolean diff) {
        int n = c.argc() - from;
        SetValue[] sets = lookup(c, from, n, dstkey != null);
        SetValue dst = SetValue.createIntset(dstkey);
        long max = maxIntset(c);
        if (!diff) {
            for (SetValue s : sets) if (s != null) s.forEach(m -> dst.add(m, max));
        } else if (sets[0] != null) {
            boolean sameSet = false;
            for (int j = 1; j < n; j++) if (Arrays.equals(c.arg(from), c.arg(from + j))) sameSet = true;
            if (!sameSet) diff(sets, dst, max);
        }
        if (dstkey != null) {
            storeResult(c, dst, dstkey, diff ? "sdiffstore" : "sunionstore");
        } else {
            c.out.set(dst.size());
            dst.forEach(c.out::bulk);
        }
    }

    /**
     * SDIFF's two algorithms, chosen as Redis does, because they can leave different encodings:
     * 1 (adds members of the first set found in no other) costs about |first|·sets/2; 2 (adds the
     * whole first set, then removes the others' members) costs the sum of the sizes. Algorithm 2
     * may pass through a hashtable and stay one for a small all-integer result.
     */
    private static void diff(SetValue[] sets, SetValue dst, long max) {
        long one = 0;
        long two = 0;
        for (SetValue s : sets) {
            if (s == null) continue;
            one += sets[0].size();
            two += s.size();
        }
        one /= 2;
        if (one <= two) {
            SetValue[] others = Arrays.copyOfRange(sets, 1, sets.length);
            // largest first: more likely to find the member early
            Arrays.sort(others, Comparator.comparingInt((SetValue s) -> s == null ? 0 : s.size()).reversed());
            sets[0].forEach(m -> {
                for (SetValue o : others) if (o != null && o.contains(m)) return;
                dst.add(m, max);
            });
        } else {
            sets[0].forEach(m -> dst.add(m, max));
            for (int j = 1; j < sets.length && dst.size() > 0; j++) {
                if (sets[j] != null) sets[j].forEach(dst::remove);
            }
        }
    }

    // ------------------------------------------------------------------ SSCAN

    static void sscan(Call c) {
        long cursor = HashCommands.scanCursor(c.arg(2));
        SetValue s = read(c, c.arg(1));
        if (s == null) {
            HashCommands.emptyScan(c);
            return;
        }
        long[] opt = HashCommands.scanOptions(c, 3);
        byte[] pattern = opt[1] < 0 ? null : c.arg((int) opt[1]);
        boolean all = pattern == null || (pattern.length == 1 && pattern[0] == '*');
        List<byte[]> out = new ArrayList<>();
        java.util.function.Consumer<byte[]> collect = m -> {
            if (all || Glob.match(pattern, m, false)) out.add(m);
        };
        long next = 0;
        if (s.table != null) next = s.table.scan(cursor, (int) Math.min(opt[0], Integer.MAX_VALUE), collect);
        else s.forEach(collect); // intset, or a compact hashtable: everything at once, cursor 0
        c.out.array(2);
        c.out.bulk(StringCommands.b(Long.toUnsignedString(next)));
        c.out.array(out.size());
        for (byte[] m : out) c.out.bulk(m);
    }
}
