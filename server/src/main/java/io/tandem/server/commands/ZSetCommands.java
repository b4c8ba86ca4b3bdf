package io.tandem.server.commands;

import io.tandem.server.KeyspaceEvents;
import io.tandem.server.Settings;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.server.exec.Blocking;
import io.tandem.storage.collection.Listpack;
import io.tandem.storage.collection.ZSkipList;
import io.tandem.storage.digest.ValueDigest;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.StoredValue;
import io.tandem.storage.resp.RespWriter;
import io.tandem.storage.util.Glob;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Sorted-set commands (Redis 7.0's t_zset.c), blocking pops included (through {@link Blocking}).
 * Storage and encodings: see {@link ZSetValue}. Argument checks run in t_zset.c's order, since
 * clients see which error comes first; replies, keyspace events, dirty counts and propagation
 * follow it too:
 *
 * <ul>
 *   <li>ZPOPMIN/ZPOPMAX propagate as sent; ZMPOP and BZMPOP as {@code ZPOPMIN|ZPOPMAX key count};
 *       BZPOPMIN/BZPOPMAX as {@code ZPOPMIN|ZPOPMAX key}, whether served at once or later.</li>
 *   <li>Writes that add members signal the key as ready for blocked clients.</li>
 *   <li>Sets are accepted as ZUNION/ZINTER/ZDIFF inputs (score 1) once the set family installs a
 *       reader with {@link #setSetReader}; until then a set key is WRONGTYPE there.</li>
 * </ul>
 */
public final class ZSetCommands {
    private ZSetCommands() {}

    static final byte[] ZPOPMIN = StringCommands.b("ZPOPMIN");
    static final byte[] ZPOPMAX = StringCommands.b("ZPOPMAX");

    /** Members of a set value, for set inputs of ZUNION/ZINTER/ZDIFF; null until installed. */
    private static volatile Function<StoredValue, Iterable<byte[]>> setReader;

    /** Lets the set family expose a set's members to the zset operations (score 1 each). */
    public static void setSetReader(Function<StoredValue, Iterable<byte[]>> reader) {
        setReader = reader;
    }

    public static void register(CommandTable t) {
        ZSetGlue.register();
        ValueDigests.register(StoredValue.TYPE_ZSET, ZSetCommands::digest);
        t.register("zadd", c -> zadd(c, 0));
        t.register("zincrby", c -> zadd(c, ZSetValue.IN_INCR));
        t.register("zrem", ZSetCommands::zrem);
        t.register("zcard", c -> {
            ZSetValue z = ZSetValue.read(c, c.arg(1));
            c.out.integer(z == null ? 0 : z.size());
        });
        t.register("zscore", c -> {
            ZSetValue z = ZSetValue.read(c, c.arg(1));
            double s = z == null ? Double.NaN : z.score(c.arg(2));
            if (Double.isNaN(s)) c.out.nullBulk();
            else c.out.doubleValue(s);
        });
        t.register("zmscore", c -> {
            ZSetValue z = ZSetValue.read(c, c.arg(1));
            c.out.array(c.argc() - 2);
            for (int i = 2; i < c.argc(); i++) {
                double s = z == null ? Double.NaN : z.score(c.arg(i));
                if (Double.isNaN(s)) c.out.nullBulk();
                else c.out.doubleValue(s);
            }
        });
        t.register("zrank", c -> zrank(c, false));
        t.register("zrevrank", c -> zrank(c, true));
        t.register("zcount", c -> zcount(c, false));
        t.register("zlexcount", c -> zcount(c, true));
        t.register("zrange", c -> zrange(c, 1, null, AUTO, AUTO));
        t.register("zrangestore", c -> zrange(c, 2, c.arg(1), AUTO, AUTO));
        t.register("zrevrange", c -> zrange(c, 1, null, RANK, REV));
        t.register("zrangebyscore", c -> zrange(c, 1, null, SCORE, FWD));
        t.register("zrevrangebyscore", c -> zrange(c, 1, null, SCORE, REV));
        t.register("zrangebylex", c -> zrange(c, 1, null, LEX, FWD));
        t.register("zrevrangebylex", c -> zrange(c, 1, null, LEX, REV));
        t.register("zremrangebyrank", c -> zremrange(c, RANK));
        t.register("zremrangebyscore", c -> zremrange(c, SCORE));
        t.register("zremrangebylex", c -> zremrange(c, LEX));
        t.register("zpopmin", c -> zpop(c, false));
        t.register("zpopmax", c -> zpop(c, true));
        t.register("zmpop", c -> zmpop(c, 1, false));
        t.register("bzmpop", c -> zmpop(c, 2, true));
        t.register("bzpopmin", c -> bzpop(c, false));
        t.register("bzpopmax", c -> bzpop(c, true));
        t.register("zrandmember", ZSetCommands::zrandmember);
        t.register("zunion", c -> setOp(c, null, 1, UNION, false));
        t.register("zinter", c -> setOp(c, null, 1, INTER, false));
        t.register("zdiff", c -> setOp(c, null, 1, DIFF, false));
        t.register("zunionstore", c -> setOp(c, c.arg(1), 2, UNION, false));
        t.register("zinterstore", c -> setOp(c, c.arg(1), 2, INTER, false));
        t.register("zdiffstore", c -> setOp(c, c.arg(1), 2, DIFF, false));
        t.register("zintercard", c -> setOp(c, null, 1, INTER, true));
        t.register("zscan", ZSetCommands::zscan);
    }

    static ValueDigest digest(StoredValue v) {
        ValueDigest.ZSetBuilder b = ValueDigest.zsetBuilder();
        if (v.object != null) {
            ZSkipList l = (ZSkipList) v.object;
            for (ZSkipList.Node x = l.first(); x != null; x = ZSkipList.next(x)) b.add(x.member(), x.score());
        } else {
            List<byte[]> lp = Listpack.decode(v.payload);
            for (int i = 0; i < lp.size(); i += 2) b.add(lp.get(i), ZSetValue.parseStoredScore(lp.get(i + 1)));
        }
        return b.build();
    }

    private static void event(Call c, String event, byte[] key) {
        c.server.keyspaceEvents().notify(KeyspaceEvents.ZSET, event, key, c.client.db);
    }

    private static void deleted(Call c, byte[] key) {
        c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "del", key, c.client.db);
    }

    /** One member in a reply: RESP3 WITHSCORES nests each pair as an array of 2. */
    private static void entry(Call c, byte[] m, double s, boolean withScores) {
        if (withScores && c.out.resp3()) c.out.array(2);
        c.out.bulk(m);
        if (withScores) c.out.doubleValue(s);
    }

    private static void entriesHeader(Call c, long n, boolean withScores) {
        c.out.array(withScores && !c.out.resp3() ? n * 2 : n);
    }

    // ------------------------------------------------------------------ ZADD, ZINCRBY, ZREM

    /** zaddGenericCommand (ZINCRBY is ZADD with INCR, options parsed the same way). */
    static void zadd(Call c, int flags) {
        int scoreIdx = 2;
        boolean ch = false;
        while (scoreIdx < c.argc()) {
            if (c.is(scoreIdx, "nx")) flags |= ZSetValue.IN_NX;
            else if (c.is(scoreIdx, "xx")) flags |= ZSetValue.IN_XX;
            else if (c.is(scoreIdx, "ch")) ch = true;
            else if (c.is(scoreIdx, "incr")) flags |= ZSetValue.IN_INCR;
            else if (c.is(scoreIdx, "gt")) flags |= ZSetValue.IN_GT;
            else if (c.is(scoreIdx, "lt")) flags |= ZSetValue.IN_LT;
            else break;
            scoreIdx++;
        }
        boolean incr = (flags & ZSetValue.IN_INCR) != 0;
        boolean nx = (flags & ZSetValue.IN_NX) != 0;
        boolean xx = (flags & ZSetValue.IN_XX) != 0;
        boolean gt = (flags & ZSetValue.IN_GT) != 0;
        boolean lt = (flags & ZSetValue.IN_LT) != 0;
        int elements = c.argc() - scoreIdx;
        if (elements % 2 != 0 || elements == 0) throw CommandError.SYNTAX_ERROR;
        elements /= 2;
        if (nx && xx) throw new CommandError("ERR XX and NX options at the same time are not compatible");
        if ((gt && nx) || (lt && nx) || (gt && lt)) {
            throw new CommandError("ERR GT, LT, and/or NX options at the same time are not compatible");
        }
        if (incr && elements > 1) throw new CommandError("ERR INCR option supports a single increment-element pair");
        double[] scores = new double[elements];
        for (int j = 0; j < elements; j++) scores[j] = Strtod.score(c.arg(scoreIdx + j * 2));

        byte[] key = c.arg(1);
        ZSetValue z = ZSetValue.get(c.db(), key);
        long added = 0;
        long updated = 0;
        long processed = 0;
        double score = 0;
        if (z == null && !xx) z = ZSetValue.create(key);
        if (z != null) {
            Settings s = c.server.settings();
            double[] newScore = new double[1];
            for (int j = 0; j < elements; j++) {
                int out = z.add(s, scores[j], c.arg(scoreIdx + 1 + j * 2), flags, newScore);
                if (out == ZSetValue.OUT_NAN) {
                    // only INCR (a single pair) can get here, before anything changed
                    throw new CommandError("ERR resulting score is not a number (NaN)");
                }
                if ((out & ZSetValue.OUT_ADDED) != 0) added++;
                if ((out & ZSetValue.OUT_UPDATED) != 0) updated++;
                if ((out & ZSetValue.OUT_NOP) == 0) processed++;
                score = newScore[0];
            }
            finishAdd(c, z, key, added, updated, incr);
        }
        if (incr) {
            if (processed > 0) c.out.doubleValue(score);
            else c.out.nullBulk();
        } else {
            c.out.integer(ch ? added + updated : added);
        }
    }

    private static void finishAdd(Call c, ZSetValue z, byte[] key, long added, long updated, boolean incr) {
        if (added + updated == 0) return;
        z.store(c.db());
        c.dirty(added + updated);
        event(c, incr ? "zincr" : "zadd", key);
        if (added > 0) c.server.signalKeyAsReady(c.client.db, key);
    }

    static void zrem(Call c) {
        byte[] key = c.arg(1);
        ZSetValue z = ZSetValue.get(c.db(), key);
        if (z == null) {
            c.out.integer(0);
            return;
        }
        long deleted = 0;
        for (int i = 2; i < c.argc(); i++) {
            if (z.remove(c.arg(i))) deleted++;
            if (z.size() == 0) break;
        }
        if (deleted > 0) {
            boolean kept = z.store(c.db());
            event(c, "zrem", key);
            if (!kept) deleted(c, key);
            c.dirty(deleted);
        }
        c.out.integer(deleted);
    }

    // ------------------------------------------------------------------ ranges

    static final int AUTO = 0;
    static final int RANK = 1;
    static final int SCORE = 2;
    static final int LEX = 3;
    static final int FWD = 1;
    static final int REV = 2;

    /** A parsed score or lex range as the two prefixes that bound it: [lo, hi] in ranks. */
    record Range(ZSkipList.Prefix beforeMin, ZSkipList.Prefix upToMax, boolean lex) {
        /** {first rank, last rank} in range (first > last when empty). */
        long[] ranks(ZSetValue z) {
            return ranks(z, false);
        }

        /**
         * {first rank, last rank} in range, found from the start of the range in the direction of
         * the reply. A lex range on a listpack is walked as zzlFirstInLexRange/zzlLastInLexRange
         * walk it, so members whose scores differ (where Redis leaves lex ranges undefined) give
         * Redis's exact answer; on sorted data this equals the O(log n) search used otherwise.
         */
        long[] ranks(ZSetValue z, boolean rev) {
            if (lex && z.list == null) return z.lexWalk(beforeMin, upToMax, rev);
            return new long[] {z.countPrefix(beforeMin), z.countPrefix(upToMax) - 1};
        }
    }

    /** zslParseRange; null if an item is not a float. */
    static Range scoreRange(byte[] min, byte[] max) {
        boolean minex = min.length > 0 && min[0] == '(';
        boolean maxex = max.length > 0 && max[0] == '(';
        double lo = Strtod.rangeItem(min, minex ? 1 : 0);
        double hi = Strtod.rangeItem(max, maxex ? 1 : 0);
        if (Double.isNaN(lo) || Double.isNaN(hi)) return null;
        return new Range(
                (m, s) -> minex ? s <= lo : s < lo,
                (m, s) -> maxex ? s < hi : s <= hi, false);
    }

    /** A lex bound: null member with {@code inf} -1 ("-") or 1 ("+"). */
    private record LexItem(byte[] value, int inf, boolean ex) {
        /** sdscmplex(member, this) */
        int cmp(byte[] m) {
            if (inf != 0) return -inf;
            return Arrays.compareUnsigned(m, value);
        }
    }

    private static LexItem lexItem(byte[] b) {
        if (b.length == 0) return null;
        return switch (b[0]) {
            case '+' -> b.length == 1 ? new LexItem(null, 1, true) : null;
            case '-' -> b.length == 1 ? new LexItem(null, -1, true) : null;
            case '(' -> new LexItem(Arrays.copyOfRange(b, 1, b.length), 0, true);
            case '[' -> new LexItem(Arrays.copyOfRange(b, 1, b.length), 0, false);
            default -> null;
        };
    }

    /** zslParseLexRange; null if an item is invalid. */
    static Range lexRange(byte[] min, byte[] max) {
        LexItem lo = lexItem(min);
        LexItem hi = lexItem(max);
        if (lo == null || hi == null) return null;
        return new Range(
                (m, s) -> lo.ex ? lo.cmp(m) <= 0 : lo.cmp(m) < 0,
                (m, s) -> hi.ex ? hi.cmp(m) < 0 : hi.cmp(m) <= 0, true);
    }

    private static Range parseRange(Call c, int type, byte[] min, byte[] max) {
        if (type == SCORE) {
            Range r = scoreRange(min, max);
            if (r == null) throw new CommandError("ERR min or max is not a float");
            return r;
        }
        Range r = lexRange(min, max);
        if (r == null) throw new CommandError("ERR min or max not valid string range item");
        return r;
    }

    /** Redis's rank normalisation: {start, end} or null when empty. */
    static long[] rankRange(long start, long end, long len) {
        if (start < 0) start = len + start;
        if (end < 0) end = len + end;
        if (start < 0) start = 0;
        if (start > end || start >= len) return null;
        if (end >= len) end = len - 1;
        return new long[] {start, end};
    }

    static void zrank(Call c, boolean rev) {
        ZSetValue z = ZSetValue.read(c, c.arg(1));
        long r = z == null ? -1 : z.rank(c.arg(2));
        if (r < 0) c.out.nullBulk();
        else c.out.integer(rev ? z.size() - 1 - r : r);
    }

    static void zcount(Call c, boolean lex) {
        Range range = parseRange(c, lex ? LEX : SCORE, c.arg(2), c.arg(3));
        ZSetValue z = ZSetValue.read(c, c.arg(1));
        if (z == null) {
            c.out.integer(0);
            return;
        }
        long[] r = range.ranks(z);
        c.out.integer(Math.max(0, r[1] - r[0] + 1));
    }

    /** zrangeGenericCommand: ZRANGE and its variants, ZRANGESTORE when dst is set. */
    static void zrange(Call c, int argStart, byte[] dst, int type, int dir) {
        boolean store = dst != null;
        int minIdx = argStart + 1;
        int maxIdx = argStart + 2;
        boolean withScores = false;
        long offset = 0;
        long limit = -1;
        for (int j = argStart + 3; j < c.argc(); j++) {
            int left = c.argc() - j - 1;
            if (!store && c.is(j, "withscores")) {
                withScores = true;
            } else if (c.is(j, "limit") && left >= 2) {
                offset = c.longArg(j + 1);
                limit = c.longArg(j + 2);
                j += 2;
            } else if (dir == AUTO && c.is(j, "rev")) {
                dir = REV;
            } else if (type == AUTO && c.is(j, "bylex")) {
                type = LEX;
            } else if (type == AUTO && c.is(j, "byscore")) {
                type = SCORE;
            } else {
                throw CommandError.SYNTAX_ERROR;
            }
        }
        if (dir == AUTO) dir = FWD;
        if (type == AUTO) type = RANK;
        if (limit != -1 && type == RANK) {
            throw new CommandError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        }
        if (withScores && type == LEX) {
            throw new CommandError("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        }
        boolean rev = dir == REV;
        if (rev && type != RANK) {
            int tmp = maxIdx;
            maxIdx = minIdx;
            minIdx = tmp;
        }
        long start = 0;
        long end = 0;
        Range range = null;
        if (type == RANK) {
            start = c.longArg(minIdx);
            end = c.longArg(maxIdx);
        } else {
            range = parseRange(c, type, c.arg(minIdx), c.arg(maxIdx));
        }
        ZSetValue z = ZSetValue.read(c, c.arg(argStart));
        if (z == null) {
            if (store) storeRange(c, dst, new ArrayList<>(), new ArrayList<>(), false);
            else c.out.array(0);
            return;
        }
        long from;
        long to;
        if (type == RANK) {
            long[] r = rankRange(start, end, z.size());
            if (r == null) {
                from = 0;
                to = -1;
            } else if (rev) {
                from = z.size() - 1 - r[1];
                to = z.size() - 1 - r[0];
            } else {
                from = r[0];
                to = r[1];
            }
        } else {
            long[] r = range.ranks(z, rev);
            from = r[0];
            to = r[1];
            // offset then limit, walking from the start of the range in the reply's direction
            if (offset < 0 || from > to) {
                from = 0;
                to = -1;
            } else if (rev) {
                to -= offset;
                if (limit >= 0 && to - limit + 1 > from) from = to - limit + 1;
            } else {
                from += offset;
                if (limit >= 0 && from + limit - 1 < to) to = from + limit - 1;
            }
        }
        List<byte[]> ms = new ArrayList<>();
        List<Double> ss = new ArrayList<>();
        if (from <= to) z.forRange(from, to, rev, (m, s) -> {
            ms.add(m);
            ss.add(s);
        });
        if (store) {
            storeRange(c, dst, ms, ss, type == RANK && ms.size() > c.server.settings().zsetMaxListpackEntries);
            return;
        }
        entriesHeader(c, ms.size(), withScores);
        for (int i = 0; i < ms.size(); i++) entry(c, ms.get(i), ss.get(i), withScores);
    }

    /** zrangeResultBeginStore / EmitCBufferForStore / FinalizeStore. */
    private static void storeRange(Call c, byte[] dst, List<byte[]> ms, List<Double> ss, boolean bigHint) {
        Database db = c.db();
        if (ms.isEmpty()) {
            c.out.integer(0);
            if (db.delete(dst)) {
                deleted(c, dst);
                c.dirty(1);
            }
            return;
        }
        ZSetValue out = ZSetValue.create(dst);
        if (bigHint) out.convertToSkiplist();
        double[] tmp = new double[1];
        Settings s = c.server.settings();
        for (int i = 0; i < ms.size(); i++) out.add(s, ss.get(i), ms.get(i), 0, tmp);
        out.store(db, StoredValue.NO_EXPIRE);
        c.out.integer(ms.size());
        event(c, "zrangestore", dst);
        c.dirty(1);
        c.server.signalKeyAsReady(c.client.db, dst);
    }

    static void zremrange(Call c, int type) {
        long start = 0;
        long end = 0;
        Range range = null;
        if (type == RANK) {
            start = c.longArg(2);
            end = c.longArg(3);
        } else {
            range = parseRange(c, type, c.arg(2), c.arg(3));
        }
        byte[] key = c.arg(1);
        ZSetValue z = ZSetValue.get(c.db(), key);
        if (z == null) {
            c.out.integer(0);
            return;
        }
        long[] r;
        if (type == RANK) {
            r = rankRange(start, end, z.size());
            if (r == null) {
                c.out.integer(0);
                return;
            }
        } else {
            r = range.ranks(z);
        }
        long deleted = z.removeRange(r[0], r[1]);
        if (deleted > 0) {
            boolean kept = z.store(c.db());
            event(c, type == RANK ? "zremrangebyrank" : type == SCORE ? "zremrangebyscore" : "zremrangebylex", key);
            if (!kept) deleted(c, key);
            c.dirty(deleted);
        }
        c.out.integer(deleted);
    }

    // ------------------------------------------------------------------ pops

    /**
     * genericZpopCommand for a key holding a non-empty zset: replies in the shape the flags ask,
     * pops up to count (-1: one, flat) members, fires events, deletes an emptied key.
     */
    static void popFrom(Call c, byte[] key, ZSetValue z, boolean max, boolean emitKey, long count, boolean nested) {
        if (count == -1) count = 1;
        long n = Math.min(count, z.size());
        if (!nested && !emitKey) {
            c.out.array(n * 2);
        } else if (nested && !emitKey) {
            c.out.array(n);
        } else if (!nested) {
            c.out.array(n * 2 + 1);
            c.out.bulk(key);
        } else {
            c.out.array(2);
            c.out.bulk(key);
            c.out.array(n);
        }
        List<byte[]> ms = new ArrayList<>();
        List<Double> ss = new ArrayList<>();
        long size = z.size();
        z.forRange(max ? size - n : 0, max ? size - 1 : n - 1, max, (m, s) -> {
            ms.add(m);
            ss.add(s);
        });
        z.removeRange(max ? size - n : 0, max ? size - 1 : n - 1);
        boolean kept = z.store(c.db());
        c.dirty(n);
        event(c, max ? "zpopmax" : "zpopmin", key);
        for (int i = 0; i < n; i++) {
            if (nested) c.out.array(2);
            c.out.bulk(ms.get(i));
            c.out.doubleValue(ss.get(i));
        }
        if (!kept) deleted(c, key);
    }

    /** ZPOPMIN/ZPOPMAX key [count]. */
    static void zpop(Call c, boolean max) {
        if (c.argc() > 3) throw CommandError.SYNTAX_ERROR;
        long count = -1;
        if (c.argc() == 3) {
            count = c.longArg(2, CommandError.NOT_POSITIVE);
            if (count < 0) throw new CommandError(CommandError.NOT_POSITIVE);
        }
        boolean nested = c.out.resp3() && count != -1;
        ZSetValue z = ZSetValue.get(c.db(), c.arg(1));
        if (z == null) {
            c.out.array(0);
            return;
        }
        if (count == 0) {
            c.out.array(0);
            return;
        }
        popFrom(c, c.arg(1), z, max, false, count, nested);
    }

    /** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count], and BZMPOP timeout numkeys .... */
    static void zmpop(Call c, int numkeysIdx, boolean block) {
        String numErr = "ERR numkeys should be greater than 0";
        long numkeys = c.longArg(numkeysIdx, numErr);
        if (numkeys < 1) throw new CommandError(numErr);
        if (numkeys > c.argc()) throw CommandError.SYNTAX_ERROR;
        int whereIdx = numkeysIdx + (int) numkeys + 1;
        if (whereIdx >= c.argc()) throw CommandError.SYNTAX_ERROR;
        boolean max;
        if (c.is(whereIdx, "min")) max = false;
        else if (c.is(whereIdx, "max")) max = true;
        else throw CommandError.SYNTAX_ERROR;
        long count = -1;
        for (int j = whereIdx + 1; j < c.argc(); j++) {
            boolean more = j < c.argc() - 1;
            if (count == -1 && c.is(j, "count") && more) {
                j++;
                String countErr = "ERR count should be greater than 0";
                count = c.longArg(j, countErr);
                if (count < 1) throw new CommandError(countErr);
            } else {
                throw CommandError.SYNTAX_ERROR;
            }
        }
        if (count == -1) count = 1;
        List<byte[]> keys = Arrays.asList(c.argv).subList(numkeysIdx + 1, whereIdx);
        if (block) {
            blockingPop(c, keys, max, 1, count, true);
            return;
        }
        for (byte[] key : keys) {
            ZSetValue z = ZSetValue.get(c.db(), key);
            if (z == null) continue;
            popFrom(c, key, z, max, true, count, true);
            c.propagateAs(max ? ZPOPMAX : ZPOPMIN, key, StringCommands.b(Long.toString(count)));
            return;
        }
        c.out.nullArray();
    }

    static void bzpop(Call c, boolean max) {
        blockingPop(c, Arrays.asList(c.argv).subList(1, c.argc() - 1), max, c.argc() - 1, -1, false);
    }

    /** blockingGenericZpopCommand: serve at once from the first non-empty key, else block. */
    private static void blockingPop(Call c, List<byte[]> keys, boolean max, int timeoutIdx, long count, boolean nested) {
        long deadline = Blocking.deadline(c, timeoutIdx);
        for (byte[] key : keys) {
            ZSetValue z = ZSetValue.get(c.db(), key);
            if (z == null || z.size() == 0) continue;
            servePop(c, key, z, max, count, nested);
            return;
        }
        c.server.blocking().block(c, keys, deadline, (call, ready) -> {
            StoredValue v = call.db().get(ready);
            if (v == null || v.type != StoredValue.TYPE_ZSET) return false;
            servePop(call, ready, ZSetValue.of(ready, v), max, count, nested);
            return true;
        });
    }

    private static void servePop(Call c, byte[] key, ZSetValue z, boolean max, long count, boolean nested) {
        popFrom(c, key, z, max, true, count, nested);
        if (count == -1) c.propagateAs(max ? ZPOPMAX : ZPOPMIN, key);
        else c.propagateAs(max ? ZPOPMAX : ZPOPMIN, key, StringCommands.b(Long.toString(count)));
    }

    // ------------------------------------------------------------------ ZRANDMEMBER

    static void zrandmember(Call c) {
        if (c.argc() >= 3) {
            long l = c.longArg(2);
            if (l == Long.MIN_VALUE) {
                // sic: Redis 7.0's getRangeLongFromObjectOrReply wording
                throw new CommandError("ERR value is out of range, value must between " + -Long.MAX_VALUE + " and " + Long.MAX_VALUE);
            }
            if (c.argc() > 4 || (c.argc() == 4 && !c.is(3, "withscores"))) throw CommandError.SYNTAX_ERROR;
            boolean withScores = c.argc() == 4;
            if (withScores && (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2)) {
                throw new CommandError("ERR value is out of range");
            }
            randWithCount(c, l, withScores);
            return;
        }
        ZSetValue z = ZSetValue.read(c, c.arg(1));
        if (z == null) {
            c.out.nullBulk();
            return;
        }
        c.out.bulk((byte[]) randomMember(z)[0]);
    }

    /** {member (byte[]), score (Double)}. */
    private static Object[] randomMember(ZSetValue z) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        if (z.list != null) {
            ZSkipList.Node n = z.list.random(rnd);
            return new Object[] {n.member(), n.score()};
        }
        int i = rnd.nextInt(z.members.size());
        return new Object[] {z.members.get(i), z.scores[i]};
    }

    private static void randWithCount(Call c, long l, boolean withScores) {
        ZSetValue z = ZSetValue.read(c, c.arg(1));
        if (z == null) {
            c.out.array(0);
            return;
        }
        long size = z.size();
        boolean uniq = l >= 0;
        long count = uniq ? l : -l;
        if (count == 0) {
            c.out.array(0);
            return;
        }
        if (!uniq || count == 1) {
            entriesHeader(c, count, withScores);
            for (long i = 0; i < count; i++) {
                Object[] p = randomMember(z);
                entry(c, (byte[]) p[0], (Double) p[1], withScores);
            }
            return;
        }
        List<byte[]> ms = new ArrayList<>();
        List<Double> ss = new ArrayList<>();
        z.forEach((m, s) -> {
            ms.add(m);
            ss.add(s);
        });
        if (count >= size) {
            entriesHeader(c, size, withScores);
            for (int i = 0; i < size; i++) entry(c, ms.get(i), ss.get(i), withScores);
            return;
        }
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < size; i++) idx.add(i);
        Collections.shuffle(idx, ThreadLocalRandom.current());
        entriesHeader(c, count, withScores);
        for (int i = 0; i < count; i++) entry(c, ms.get(idx.get(i)), ss.get(idx.get(i)), withScores);
    }

    // ------------------------------------------------------------------ ZUNION, ZINTER, ZDIFF

    static final int UNION = 0;
    static final int INTER = 1;
    static final int DIFF = 2;

    /** One input of a set operation: a zset, a set (scores 1), or a missing key (empty). */
    private static final class Source {
        ZSetValue zset;
        Map<ByteBuffer, Boolean> set;
        List<byte[]> setOrder;
        double weight = 1.0;

        long size() {
            if (zset != null) return zset.size();
            return setOrder == null ? 0 : setOrder.size();
        }

        void forEach(ZSetValue.Visitor v) {
            if (zset != null) zset.forEach(v);
            else if (setOrder != null) for (byte[] m : setOrder) v.accept(m, 1.0);
        }

        /** The member's score here, NaN if absent. */
        double find(byte[] m) {
            if (zset != null) return zset.score(m);
            if (set != null && set.containsKey(ByteBuffer.wrap(m))) return 1.0;
            return Double.NaN;
        }
    }

    private static double aggregate(int agg, double target, double val) {
        if (agg == 0) {
            double r = target + val;
            return Double.isNaN(r) ? 0.0 : r;
        }
        if (agg == 1) return val < target ? val : target;
        return val > target ? val : target;
    }

    /** zunionInterDiffGenericCommand. */
    static void setOp(Call c, byte[] dst, int numkeysIdx, int op, boolean cardOnly) {
        long setnum = c.longArg(numkeysIdx);
        if (setnum < 1) throw new CommandError("ERR at least 1 input key is needed for '" + c.spec.name + "' command");
        if (setnum > c.argc() - (numkeysIdx + 1)) throw CommandError.SYNTAX_ERROR;
        Source[] src = new Source[(int) setnum];
        int j = numkeysIdx + 1;
        for (int i = 0; i < setnum; i++, j++) {
            Source s = new Source();
            StoredValue v = c.db().get(c.arg(j));
            if (v == null) {
                c.server.stats().keyspaceMisses++;
            } else {
                c.server.stats().keyspaceHits++;
                Function<StoredValue, Iterable<byte[]>> reader = setReader;
                if (v.type == StoredValue.TYPE_ZSET) {
                    s.zset = ZSetValue.of(c.arg(j), v);
                } else if (v.type == StoredValue.TYPE_SET && reader != null) {
                    s.set = new HashMap<>();
                    s.setOrder = new ArrayList<>();
                    for (byte[] m : reader.apply(v)) {
                        s.set.put(ByteBuffer.wrap(m), Boolean.TRUE);
                        s.setOrder.add(m);
                    }
                } else {
                    throw CommandError.WRONG_TYPE;
                }
            }
            src[i] = s;
        }
        int agg = 0;
        boolean withScores = false;
        long limit = 0;
        while (j < c.argc()) {
            int remaining = c.argc() - j;
            if (op != DIFF && !cardOnly && remaining >= setnum + 1 && c.is(j, "weights")) {
                j++;
                for (int i = 0; i < setnum; i++, j++) {
                    Double w = Strtod.scoreOrNull(c.arg(j));
                    if (w == null) throw new CommandError("ERR weight value is not a float");
                    src[i].weight = w;
                }
            } else if (op != DIFF && !cardOnly && remaining >= 2 && c.is(j, "aggregate")) {
                j++;
                if (c.is(j, "sum")) agg = 0;
                else if (c.is(j, "min")) agg = 1;
                else if (c.is(j, "max")) agg = 2;
                else throw CommandError.SYNTAX_ERROR;
                j++;
            } else if (dst == null && !cardOnly && c.is(j, "withscores")) {
                j++;
                withScores = true;
            } else if (cardOnly && remaining >= 2 && c.is(j, "limit")) {
                j++;
                limit = c.longArg(j, "ERR LIMIT can't be negative");
                if (limit < 0) throw new CommandError("ERR LIMIT can't be negative");
                j++;
            } else {
                throw CommandError.SYNTAX_ERROR;
            }
        }
        List<Source> inputs = new ArrayList<>(Arrays.asList(src));
        if (op != DIFF) inputs.sort((a, b) -> Long.compare(a.size(), b.size())); // stable, as glibc's qsort (merge sort)

        ZSkipList result = new ZSkipList();
        long[] maxLen = {0};
        long[] card = {0};
        if (op == INTER) {
            if (inputs.get(0).size() > 0) {
                Source first = inputs.get(0);
                final int aggF = agg;
                final long limitF = limit;
                // iterate a snapshot so a LIMIT can stop early
                List<byte[]> ms = new ArrayList<>();
                List<Double> ss = new ArrayList<>();
                first.forEach((m, s) -> {
                    ms.add(m);
                    ss.add(s);
                });
                for (int k = 0; k < ms.size(); k++) {
                    byte[] m = ms.get(k);
                    double score = first.weight * ss.get(k);
                    if (Double.isNaN(score)) score = 0;
                    int i = 1;
                    for (; i < inputs.size(); i++) {
                        double v = inputs.get(i).find(m);
                        if (Double.isNaN(v)) break;
                        score = aggregate(aggF, score, v * inputs.get(i).weight);
                    }
                    if (i < inputs.size()) continue;
                    if (cardOnly) {
                        card[0]++;
                        if (limitF != 0 && card[0] >= limitF) break;
                    } else {
                        result.insert(score, m);
                        maxLen[0] = Math.max(maxLen[0], m.length);
                    }
                }
            }
        } else if (op == UNION) {
            HashMap<ByteBuffer, double[]> acc = new HashMap<>();
            List<byte[]> order = new ArrayList<>();
            for (Source s : inputs) {
                if (s.size() == 0) continue;
                final int aggF = agg;
                s.forEach((m, sc) -> {
                    double score = s.weight * sc;
                    if (Double.isNaN(score)) score = 0;
                    double[] cur = acc.get(ByteBuffer.wrap(m));
                    if (cur == null) {
                        acc.put(ByteBuffer.wrap(m), new double[] {score});
                        order.add(m);
                    } else {
                        cur[0] = aggregate(aggF, cur[0], score);
                    }
                });
            }
            for (byte[] m : order) {
                result.insert(acc.get(ByteBuffer.wrap(m))[0], m);
                maxLen[0] = Math.max(maxLen[0], m.length);
            }
        } else {
            Source first = inputs.get(0);
            first.forEach((m, s) -> {
                for (int i = 1; i < inputs.size(); i++) if (!Double.isNaN(inputs.get(i).find(m))) return;
                result.insert(s, m);
                maxLen[0] = Math.max(maxLen[0], m.length);
            });
        }

        if (dst != null) {
            Database db = c.db();
            if (result.size() > 0) {
                ZSetValue out = ZSetValue.create(dst);
                out.members = null;
                out.scores = null;
                out.list = result;
                out.convertToListpackIfNeeded(c.server.settings(), maxLen[0]);
                out.store(db, StoredValue.NO_EXPIRE);
                c.out.integer(result.size());
                event(c, op == UNION ? "zunionstore" : op == INTER ? "zinterstore" : "zdiffstore", dst);
                c.dirty(1);
                c.server.signalKeyAsReady(c.client.db, dst);
            } else {
                c.out.integer(0);
                if (db.delete(dst)) {
                    deleted(c, dst);
                    c.dirty(1);
                }
            }
        } else if (cardOnly) {
            c.out.integer(card[0]);
        } else {
            entriesHeader(c, result.size(), withScores);
            for (ZSkipList.Node x = result.first(); x != null; x = ZSkipList.next(x)) entry(c, x.member(), x.score(), withScores);
        }
    }

    // ------------------------------------------------------------------ ZSCAN

    static void zscan(Call c) {
        long cursor = HashCommands.scanCursor(c.arg(2));
        ZSetValue z = ZSetValue.read(c, c.arg(1));
        if (z == null) {
            HashCommands.emptyScan(c);
            return;
        }
        long[] opt = HashCommands.scanOptions(c, 3);
        byte[] pattern = opt[1] < 0 ? null : c.arg((int) opt[1]);
        boolean all = pattern != null && pattern.length == 1 && pattern[0] == '*';
        List<byte[]> out = new ArrayList<>();
        // a listpack yields its stored score text (d2string); a skiplist's scan callback prints %.17g (-0 stays -0)
        boolean skiplist = z.list != null;
        ZSetValue.Visitor collect = (m, s) -> {
            if (pattern == null || all || Glob.match(pattern, m, false)) {
                out.add(m);
                out.add(skiplist ? StringCommands.b(RespWriter.formatDouble(s)) : ZSetValue.d2string(s));
            }
        };
        long next = 0;
        if (z.list != null) next = z.list.scan(cursor, (int) Math.min(opt[0], Integer.MAX_VALUE), collect::accept);
        else z.forEach(collect);
        c.out.array(2);
        c.out.bulk(StringCommands.b(Long.toUnsignedString(next)));
        c.out.array(out.size());
        for (byte[] b : out) c.out.bulk(b);
    }
}
