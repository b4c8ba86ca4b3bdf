package io.tandem.server.commands;

import io.tandem.server.command.CommandError;
import io.tandem.storage.collection.Listpack;
import io.tandem.storage.collection.QuickList;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Encoding;
import io.tandem.storage.keyspace.StoredValue;

import java.util.ArrayList;
import java.util.List;

/**
 * One list as a command sees it: the decoded off-heap listpack of a small list ({@link #small})
 * or the live on-heap {@link QuickList} of a big one ({@link #big}), behind one indexable API.
 *
 * <p>Representation, decided in {@link #store} from {@code list-max-listpack-size} (fill) the way
 * Redis 7.2 sizes a single quicklist node: a list that fits one node (fill &lt; 0: at most
 * 4/8/16/32/64 KiB of listpack; fill &gt; 0: at most fill entries and 8 KiB) is one listpack in
 * the keyspace record, rewritten on change; a bigger one moves to the heap, and moves back once
 * it shrinks to half the limit (hysteresis, so a list at the edge does not flip on every push).
 * Both report OBJECT ENCODING {@code quicklist}, as every list does in Redis 7.0.
 */
public final class ListValue {
    final byte[] key;
    ArrayList<byte[]> small;
    QuickList big;
    private boolean bigStored;

    private ListValue(byte[] key) {
        this.key = key;
    }

    /** The list at key, null if absent; WRONGTYPE for another type. */
    public static ListValue get(Database db, byte[] key) {
        StoredValue v = db.get(key);
        if (v == null) return null;
        if (v.type != StoredValue.TYPE_LIST) throw CommandError.WRONG_TYPE;
        return of(key, v);
    }

    static ListValue of(byte[] key, StoredValue v) {
        ListValue l = new ListValue(key);
        if (v.object != null) {
            l.big = (QuickList) v.object;
            l.bigStored = true;
        } else {
            l.small = Listpack.decode(v.payload);
        }
        return l;
    }

    /** A new empty list for key (not stored until {@link #store}). */
    public static ListValue create(byte[] key) {
        ListValue l = new ListValue(key);
        l.small = new ArrayList<>();
        return l;
    }

    public int size() {
        return big != null ? big.size() : small.size();
    }

    public byte[] get(int i) {
        return big != null ? big.get(i) : small.get(i);
    }

    public void set(int i, byte[] e) {
        if (big != null) big.set(i, e);
        else small.set(i, e);
    }

    public void insert(int i, byte[] e) {
        if (big != null) big.insert(i, e);
        else small.add(i, e);
    }

    public byte[] remove(int i) {
        return big != null ? big.remove(i) : small.remove(i);
    }

    public void push(byte[] e, boolean head) {
        if (big != null) {
            if (head) big.addFirst(e);
            else big.addLast(e);
        } else {
            if (head) small.add(0, e);
            else small.add(e);
        }
    }

    /** Removes and returns the head or tail element, null if empty. */
    public byte[] pop(boolean head) {
        if (size() == 0) return null;
        if (big != null) return head ? big.pollFirst() : big.pollLast();
        return small.remove(head ? 0 : small.size() - 1);
    }

    /** Keeps [start, end] (valid indexes) or nothing if start &gt; end. */
    public void trim(int start, int end) {
        if (big != null) {
            big.trim(start, end);
        } else {
            List<byte[]> keep = start > end ? List.of() : new ArrayList<>(small.subList(start, end + 1));
            small.clear();
            small.addAll(keep);
        }
    }

    /** Elements head to tail (a copy for a big list). */
    public List<byte[]> elements() {
        return big != null ? big.toList() : small;
    }

    /** quicklistNodeLimit for a fill: {bytes, count} (count -1 = none). */
    static long[] nodeLimit(int fill) {
        if (fill < 0) {
            int level = Math.min(-fill, 5) - 1;
            return new long[] {4096L << level, -1};
        }
        return new long[] {8192, Math.max(fill, 1)};
    }

    static boolean exceeds(int fill, long bytes, long count, boolean half) {
        long[] lim = nodeLimit(fill);
        long b = half ? lim[0] / 2 : lim[0];
        if (bytes > b) return true;
        return lim[1] >= 0 && count > (half ? lim[1] / 2 : lim[1]);
    }

    /**
     * Writes the list back: deletes it if empty (returns false), re-encodes a small list (moving
     * it to the heap if it outgrew one node), leaves a big stored list in place (moving it back
     * off-heap if it shrank under half a node).
     */
    public boolean store(Database db, int fill) {
        if (size() == 0) {
            db.delete(key);
            return false;
        }
        if (big != null) {
            if (!exceeds(fill, big.listpackBytes(), big.size(), true)) {
                small = big.toList();
                big = null;
                bigStored = false;
            } else {
                if (!bigStored) db.putObject(key, StoredValue.TYPE_LIST, Encoding.QUICKLIST, big, Database.KEEP_TTL);
                bigStored = true;
                return true;
            }
        }
        long bytes = Listpack.bytesFor(small);
        if (exceeds(fill, bytes, small.size(), false)) {
            QuickList q = new QuickList(small.size());
            for (byte[] e : small) q.addLast(e);
            big = q;
            small = null;
            db.putObject(key, StoredValue.TYPE_LIST, Encoding.QUICKLIST, q, Database.KEEP_TTL);
            bigStored = true;
        } else {
            db.put(key, StoredValue.TYPE_LIST, Encoding.QUICKLIST, Listpack.encode(small), Database.KEEP_TTL);
        }
        return true;
    }

    /** True while the list lives on the heap (for tests). */
    public boolean onHeap() {
        return big != null;
    }
}
