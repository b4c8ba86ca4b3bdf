package io.tandem.server.commands;

import io.tandem.server.Settings;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.storage.collection.Listpack;
import io.tandem.storage.collection.ZSkipList;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Encoding;
import io.tandem.storage.keyspace.StoredValue;
import io.tandem.storage.resp.RespWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One sorted set as a command sees it (Redis 7.0's zset API in t_zset.c), in either encoding:
 *
 * <ul>
 *   <li>{@code listpack}: the keyspace record's payload is a Redis listpack of
 *       {@code member, score, member, score, ...} sorted by (score, member), the score written as
 *       Redis's {@code d2string} writes it (an integral score as an integer entry, else
 *       {@code %.17g}, {@code inf}/{@code -inf}; -0 becomes 0, as in Redis). Decoded here into
 *       {@link #members}/{@link #scores} and re-encoded whole by {@link #store}: O(n), n ≤
 *       {@code zset-max-listpack-entries}.</li>
 *   <li>{@code skiplist}: the live on-heap {@link ZSkipList}, changed in place.</li>
 * </ul>
 *
 * Conversions as Redis 7.0: to a skiplist when an insert would pass
 * {@code zset-max-listpack-entries} or the member is longer than {@code zset-max-listpack-value};
 * back to a listpack only for the results of ZRANGESTORE / Z*STORE
 * ({@link #convertToListpackIfNeeded}, Redis's zsetConvertToListpackIfNeeded). Positions are
 * 0-based ranks in ascending order everywhere. Executor thread only.
 */
final class ZSetValue {
    static final int IN_INCR = 1;
    static final int IN_NX = 2;
    static final int IN_XX = 4;
    static final int IN_GT = 8;
    static final int IN_LT = 16;
    static final int OUT_NOP = 1;
    static final int OUT_NAN = 2;
    static final int OUT_ADDED = 4;
    static final int OUT_UPDATED = 8;

    final byte[] key;
    /** Listpack form: members and scores in order (null for a skiplist). */
    ArrayList<byte[]> members;
    double[] scores;
    ZSkipList list;
    /** The skiplist is the object already stored under the key. */
    private boolean listStored;

    private ZSetValue(byte[] key) {
        this.key = key;
    }

    /** Visits members with scores. */
    @FunctionalInterface
    interface Visitor {
        void accept(byte[] member, double score);
    }

    // ------------------------------------------------------------------ access

    /** The zset at key for a read, null if absent; WRONGTYPE for another type. Counts hits/misses. */
    static ZSetValue read(Call c, byte[] key) {
        StoredValue v = c.db().get(key);
        if (v == null) {
            c.server.stats().keyspaceMisses++;
            return null;
        }
        if (v.type != StoredValue.TYPE_ZSET) throw CommandError.WRONG_TYPE;
        c.server.stats().keyspaceHits++;
        return of(key, v);
    }

    /** The zset at key, null if absent; WRONGTYPE for another type. */
    static ZSetValue get(Database db, byte[] key) {
        StoredValue v = db.get(key);
        if (v == null) return null;
        if (v.type != StoredValue.TYPE_ZSET) throw CommandError.WRONG_TYPE;
        return of(key, v);
    }

    static ZSetValue of(byte[] key, StoredValue v) {
        ZSetValue z = new ZSetValue(key);
        if (v.object != null) {
            z.list = (ZSkipList) v.object;
            z.listStored = true;
        } else {
            List<byte[]> lp = Listpack.decode(v.payload);
            int n = lp.size() / 2;
            z.members = new ArrayList<>(n + 1);
            z.scores = new double[Math.max(4, n + 1)];
            for (int i = 0; i < n; i++) {
                z.members.add(lp.get(2 * i));
                z.scores[i] = parseStoredScore(lp.get(2 * i + 1));
            }
        }
        return z;
    }

    /** A new, empty (listpack) zset, not stored until {@link #store}. */
    static ZSetValue create(byte[] key) {
        ZSetValue z = new ZSetValue(key);
        z.members = new ArrayList<>();
        z.scores = new double[4];
        return z;
    }

    /** A score as a listpack holds it (zzlStrtod). */
    static double parseStoredScore(byte[] b) {
        String s = new String(b, StandardCharsets.US_ASCII);
        return switch (s) {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    /** Redis 7.0's d2string: how a listpack stores a score (an integral value as its integer text). */
    static byte[] d2string(double d) {
        if (d == 0) return new byte[] {'0'};
        return RespWriter.formatDouble(d).getBytes(StandardCharsets.US_ASCII);
    }

    long size() {
        return list != null ? list.size() : members.size();
    }

    byte encoding() {
        return list != null ? Encoding.SKIPLIST : Encoding.LISTPACK;
    }

    private int indexOf(byte[] member) {
        for (int i = 0; i < members.size(); i++) if (Arrays.equals(members.get(i), member)) return i;
        return -1;
    }

    /** The member's score, or NaN if absent. */
    double score(byte[] member) {
        if (list != null) {
            ZSkipList.Node n = list.find(member);
            return n == null ? Double.NaN : n.score();
        }
        int i = indexOf(member);
        return i < 0 ? Double.NaN : scores[i];
    }

    /** The member's 0-based ascending rank, -1 if absent. */
    long rank(byte[] member) {
        if (list != null) {
            ZSkipList.Node n = list.find(member);
            return n == null ? -1 : list.rank(n);
        }
        return indexOf(member);
    }

    /** Number of leading members (in order) for which p holds; p must hold for a prefix. */
    long countPrefix(ZSkipList.Prefix p) {
        if (list != null) return list.countPrefix(p);
        int lo = 0;
        int hi = members.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (p.before(members.get(mid), scores[mid])) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /**
     * Listpack lex range as t_zset.c walks it: forward, the first member not before min, then
     * members while up to max; reverse, the last member up to max, then back while not before
     * min. Returns {first, last} ranks (first > last when empty).
     */
    long[] lexWalk(ZSkipList.Prefix beforeMin, ZSkipList.Prefix upToMax, boolean rev) {
        int n = members.size();
        long[] empty = {0, -1};
        if (n == 0 || beforeMin.before(members.get(n - 1), 0) || !upToMax.before(members.get(0), 0)) return empty;
        if (!rev) {
            int i = 0;
            while (i < n && beforeMin.before(members.get(i), 0)) i++;
            if (i == n || !upToMax.before(members.get(i), 0)) return empty;
            int j = i;
            while (j + 1 < n && upToMax.before(members.get(j + 1), 0)) j++;
            return new long[] {i, j};
        }
        int j = n - 1;
        while (j >= 0 && !upToMax.before(members.get(j), 0)) j--;
        if (j < 0 || beforeMin.before(members.get(j), 0)) return empty;
        int i = j;
        while (i - 1 >= 0 && !beforeMin.before(members.get(i - 1), 0)) i--;
        return new long[] {i, j};
    }

    /** Visits ranks from..to (inclusive, valid), ascending or, if rev, from {@code to} down to {@code from}. */
    void forRange(long from, long to, boolean rev, Visitor v) {
        if (from > to) return;
        if (list != null) {
            ZSkipList.Node n = list.byRank(rev ? to : from);
            for (long k = to - from; k >= 0 && n != null; k--) {
                v.accept(n.member(), n.score());
                n = rev ? ZSkipList.prev(n) : ZSkipList.next(n);
            }
            return;
        }
        if (rev) for (int i = (int) to; i >= from; i--) v.accept(members.get(i), scores[i]);
        else for (int i = (int) from; i <= to; i++) v.accept(members.get(i), scores[i]);
    }

    void forEach(Visitor v) {
        forRange(0, size() - 1, false, v);
    }

    // ------------------------------------------------------------------ updates

    /**
     * zsetAdd: adds or updates member per the IN_* flags; returns OUT_* flags ({@link #OUT_NAN}:
     * an INCR made the score NaN, nothing changed). {@code newScore[0]} gets the resulting score
     * unless the result is NOP or NaN.
     */
    int add(Settings s, double score, byte[] member, int in, double[] newScore) {
        double cur = score(member);
        if (!Double.isNaN(cur)) {
            if ((in & IN_NX) != 0) return OUT_NOP;
            if ((in & IN_INCR) != 0) {
                score += cur;
                if (Double.isNaN(score)) return OUT_NAN;
            }
            if (((in & IN_LT) != 0 && score >= cur) || ((in & IN_GT) != 0 && score <= cur)) return OUT_NOP;
            newScore[0] = score;
            if (score != cur) {
                if (list != null) {
                    list.updateScore(list.find(member), score);
                } else {
                    removeAt(indexOf(member));
                    insertListpack(score, member);
                }
                return OUT_UPDATED;
            }
            return 0;
        }
        if ((in & IN_XX) != 0) return OUT_NOP;
        if (list == null && (members.size() + 1 > s.zsetMaxListpackEntries || member.length > s.zsetMaxListpackValue)) {
            convertToSkiplist();
        }
        if (list != null) list.insert(score, member);
        else insertListpack(score, member);
        newScore[0] = score;
        return OUT_ADDED;
    }

    /** Inserts a member known to be absent, without conversion checks (building results). */
    void insertRaw(double score, byte[] member) {
        if (list != null) list.insert(score, member);
        else insertListpack(score, member);
    }

    private void insertListpack(double score, byte[] member) {
        // listpacks never hold -0 (d2string writes it as 0)
        if (score == 0) score = 0.0;
        int lo = 0;
        int hi = members.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            double ms = scores[mid];
            boolean before = ms < score || (ms == score && Arrays.compareUnsigned(members.get(mid), member) < 0);
            if (before) lo = mid + 1;
            else hi = mid;
        }
        int n = members.size();
        if (n + 1 > scores.length) scores = Arrays.copyOf(scores, Math.max(8, scores.length * 2));
        System.arraycopy(scores, lo, scores, lo + 1, n - lo);
        scores[lo] = score;
        members.add(lo, member);
    }

    private void removeAt(int i) {
        int n = members.size();
        System.arraycopy(scores, i + 1, scores, i, n - i - 1);
        members.remove(i);
    }

    boolean remove(byte[] member) {
        if (list != null) return list.remove(member);
        int i = indexOf(member);
        if (i < 0) return false;
        removeAt(i);
        return true;
    }

    /** Removes ranks from..to (inclusive, valid); returns how many. */
    long removeRange(long from, long to) {
        if (from > to) return 0;
        long n = to - from + 1;
        if (list != null) {
            ZSkipList.Node x = list.byRank(from);
            for (long k = 0; k < n; k++) {
                ZSkipList.Node next = ZSkipList.next(x);
                list.delete(x);
                x = next;
            }
        } else {
            int size = members.size();
            System.arraycopy(scores, (int) to + 1, scores, (int) from, size - (int) to - 1);
            members.subList((int) from, (int) to + 1).clear();
        }
        return n;
    }

    void convertToSkiplist() {
        ZSkipList l = new ZSkipList();
        for (int i = 0; i < members.size(); i++) l.insert(scores[i], members.get(i));
        list = l;
        listStored = false;
        members = null;
        scores = null;
    }

    /** zsetConvertToListpackIfNeeded: a result set small enough goes back to a listpack. */
    void convertToListpackIfNeeded(Settings s, long maxElementLength) {
        if (list == null) return;
        if (list.size() <= s.zsetMaxListpackEntries && maxElementLength <= s.zsetMaxListpackValue) {
            ZSkipList l = list;
            members = new ArrayList<>((int) l.size());
            scores = new double[(int) l.size() + 1];
            int i = 0;
            for (ZSkipList.Node x = l.first(); x != null; x = ZSkipList.next(x)) {
                members.add(x.member());
                scores[i++] = x.score() == 0 ? 0.0 : x.score();
            }
            list = null;
            listStored = false;
        }
    }

    // ------------------------------------------------------------------ storing

    /** Writes the zset back keeping the key's TTL; false if it was empty and the key was deleted. */
    boolean store(Database db) {
        return store(db, Database.KEEP_TTL);
    }

    /** Writes the zset back with this expiry ({@link Database#KEEP_TTL} to keep it); deletes it if empty. */
    boolean store(Database db, long expireAt) {
        if (size() == 0) {
            db.delete(key);
            return false;
        }
        if (list != null) {
            if (!listStored || expireAt != Database.KEEP_TTL) {
                db.putObject(key, StoredValue.TYPE_ZSET, Encoding.SKIPLIST, list, expireAt);
            }
            listStored = true;
        } else {
            db.put(key, StoredValue.TYPE_ZSET, Encoding.LISTPACK, encodeListpack(), expireAt);
        }
        return true;
    }

    byte[] encodeListpack() {
        List<byte[]> lp = new ArrayList<>(members.size() * 2);
        for (int i = 0; i < members.size(); i++) {
            lp.add(members.get(i));
            lp.add(d2string(scores[i]));
        }
        return Listpack.encode(lp);
    }
}
