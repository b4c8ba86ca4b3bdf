package io.tandem.storage.collection;

import io.tandem.storage.keyspace.SizedObject;
import io.tandem.storage.util.ScanCursor;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The large encoding of a sorted set ({@code skiplist}, Redis's {@code zset}: a {@code zskiplist}
 * plus a {@code dict} member → score), on the Java heap. One {@link Node} per member serves both:
 * it is a skiplist node (forward pointers with spans, a backward pointer) and a hash-chain entry.
 *
 * <pre>
 *   header ──L2──────────────────► c ─────────────► null      span = ranks skipped
 *   header ──L1──► a ─────────────► c ──► d ──────► null
 *   header ──L0──► a ──► b ───────► c ──► d ──────► null      (backward: d → c → b → a)
 *   buckets[hash & mask] ──► node ──hnext──► node                 (member lookup, ZSCAN)
 * </pre>
 *
 * <p>Order: by score, then by member bytes compared unsigned (memcmp, as Redis's sdscmp). Scores
 * compare with {@code <}/{@code ==} on doubles, so -0.0 and 0.0 are equal scores (ties broken by
 * member), exactly as in C; a stored -0.0 stays -0.0. Scores are never NaN.
 *
 * <p>Costs as Redis: insert, delete, rank, element by rank and the first element of a range are
 * O(log n) expected (levels drawn with p = 1/4, at most 32); lookup by member O(1). The hash part
 * uses power-of-two buckets (doubling when fuller than one entry per bucket, halving under 1/8)
 * and Redis's reverse-binary SCAN cursor, so ZSCAN keeps dictScan's guarantees. Not thread-safe.
 */
public final class ZSkipList implements SizedObject {
    static final int MAX_LEVEL = 32;
    private static final int MIN_BUCKETS = 4;
    /** Estimated heap bytes per node besides its arrays, and per array header. */
    private static final int NODE_BYTES = 48;
    private static final int ARRAY_BYTES = 16;

    /** A member of the set; read-only for callers. */
    public static final class Node {
        final byte[] ele;
        double score;
        Node backward;
        final Node[] forward;
        final long[] span;
        Node hnext;
        final int hash;

        Node(int level, double score, byte[] ele, int hash) {
            this.ele = ele;
            this.score = score;
            this.forward = new Node[level];
            this.span = new long[level];
            this.hash = hash;
        }

        public byte[] member() {
            return ele;
        }

        public double score() {
            return score;
        }
    }

    /** A prefix of the order: true for every node before some point, false from there on. */
    @FunctionalInterface
    public interface Prefix {
        boolean before(byte[] member, double score);
    }

    private final Node header = new Node(MAX_LEVEL, 0, null, 0);
    private Node tail;
    private int level = 1;
    private long length;
    private Node[] buckets = new Node[MIN_BUCKETS];
    private long dataBytes;
    private long arrayBytes;
    private long seed = System.nanoTime() | 1;

    public ZSkipList() {}

    public long size() {
        return length;
    }

    // ------------------------------------------------------------------ order

    /** -1, 0, 1 as (s1, e1) sorts before, equal to or after (s2, e2). */
    static int compare(double s1, byte[] e1, double s2, byte[] e2) {
        if (s1 < s2) return -1;
        if (s1 > s2) return 1;
        return Integer.signum(Arrays.compareUnsigned(e1, e2));
    }

    private int randomLevel() {
        int lvl = 1;
        while (lvl < MAX_LEVEL) {
            seed ^= seed << 13;
            seed ^= seed >>> 7;
            seed ^= seed << 17;
            if ((seed & 0xFFFF) >= 0x4000) break; // continue with p = 1/4
            lvl++;
        }
        return lvl;
    }

    // ------------------------------------------------------------------ dict part

    static int hash(byte[] b) {
        int h = 0x9747b28c;
        for (byte x : b) h = (h ^ x) * 0x01000193;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /** The node of member, or null. */
    public Node find(byte[] member) {
        int h = hash(member);
        for (Node n = buckets[h & (buckets.length - 1)]; n != null; n = n.hnext) {
            if (n.hash == h && Arrays.equals(n.ele, member)) return n;
        }
        return null;
    }

    private void dictAdd(Node x) {
        int i = x.hash & (buckets.length - 1);
        x.hnext = buckets[i];
        buckets[i] = x;
        if (length > buckets.length) rehash(buckets.length * 2);
    }

    private void dictRemove(Node x) {
        int i = x.hash & (buckets.length - 1);
        Node prev = null;
        for (Node n = buckets[i]; n != null; prev = n, n = n.hnext) {
            if (n == x) {
                if (prev == null) buckets[i] = n.hnext;
                else prev.hnext = n.hnext;
                break;
            }
        }
        x.hnext = null;
        if (buckets.length > MIN_BUCKETS && length < buckets.length / 8) rehash(buckets.length / 2);
    }

    private void rehash(int n) {
        Node[] nb = new Node[Math.max(MIN_BUCKETS, n)];
        int mask = nb.length - 1;
        for (Node head : buckets) {
            for (Node x = head; x != null; ) {
                Node next = x.hnext;
                int i = x.hash & mask;
                x.hnext = nb[i];
                nb[i] = x;
                x = next;
            }
        }
        buckets = nb;
    }

    // ------------------------------------------------------------------ updates

    /**
     * Adds a member that is not present (callers check with {@link #find}); the array is kept,
     * not copied. Returns its node.
     */
    public Node insert(double score, byte[] member) {
        Node[] update = new Node[MAX_LEVEL];
        long[] rank = new long[MAX_LEVEL];
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            rank[i] = i == level - 1 ? 0 : rank[i + 1];
            while (x.forward[i] != null && compare(x.forward[i].score, x.forward[i].ele, score, member) < 0) {
                rank[i] += x.span[i];
                x = x.forward[i];
            }
            update[i] = x;
        }
        int lvl = randomLevel();
        if (lvl > level) {
            for (int i = level; i < lvl; i++) {
                rank[i] = 0;
                update[i] = header;
                update[i].span[i] = length;
            }
            level = lvl;
        }
        x = new Node(lvl, score, member, hash(member));
        for (int i = 0; i < lvl; i++) {
            x.forward[i] = update[i].forward[i];
            update[i].forward[i] = x;
            x.span[i] = update[i].span[i] - (rank[0] - rank[i]);
            update[i].span[i] = (rank[0] - rank[i]) + 1;
        }
        for (int i = lvl; i < level; i++) update[i].span[i]++;
        x.backward = update[0] == header ? null : update[0];
        if (x.forward[0] != null) x.forward[0].backward = x;
        else tail = x;
        length++;
        dataBytes += member.length;
        arrayBytes += 2L * ARRAY_BYTES + 16L * lvl;
        dictAdd(x);
        return x;
    }

    /** Removes member; false if absent. */
    public boolean remove(byte[] member) {
        Node n = find(member);
        if (n == null) return false;
        delete(n);
        return true;
    }

    /** Removes a node of this list. */
    public void delete(Node node) {
        Node[] update = new Node[MAX_LEVEL];
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && x.forward[i] != node
                    && compare(x.forward[i].score, x.forward[i].ele, node.score, node.ele) < 0) {
                x = x.forward[i];
            }
            update[i] = x;
        }
        for (int i = 0; i < level; i++) {
            if (update[i].forward[i] == node) {
                update[i].span[i] += node.span[i] - 1;
                update[i].forward[i] = node.forward[i];
            } else {
                update[i].span[i] -= 1;
            }
        }
        if (node.forward[0] != null) node.forward[0].backward = node.backward;
        else tail = node.backward;
        while (level > 1 && header.forward[level - 1] == null) level--;
        length--;
        dataBytes -= node.ele.length;
        arrayBytes -= 2L * ARRAY_BYTES + 16L * node.forward.length;
        dictRemove(node);
    }

    /** Changes a member's score (moving it in the order); returns its new node. */
    public Node updateScore(Node node, double score) {
        Node prev = node.backward;
        Node next = node.forward[0];
        if ((prev == null || compare(prev.score, prev.ele, score, node.ele) < 0)
                && (next == null || compare(next.score, next.ele, score, node.ele) > 0)) {
            node.score = score; // stays in place (Redis's zslUpdateScore shortcut)
            return node;
        }
        delete(node);
        return insert(score, node.ele);
    }

    // ------------------------------------------------------------------ order queries

    public Node first() {
        return header.forward[0];
    }

    public Node last() {
        return tail;
    }

    public static Node next(Node n) {
        return n.forward[0];
    }

    public static Node prev(Node n) {
        return n.backward;
    }

    /** 0-based rank of a node of this list (O(log n)). */
    public long rank(Node node) {
        long rank = 0;
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && compare(x.forward[i].score, x.forward[i].ele, node.score, node.ele) <= 0) {
                rank += x.span[i];
                x = x.forward[i];
            }
            if (x == node) return rank - 1;
        }
        throw new IllegalStateException("node not in list");
    }

    /** The node at 0-based rank, or null if out of range (O(log n)). */
    public Node byRank(long rank) {
        if (rank < 0 || rank >= length) return null;
        long target = rank + 1;
        long traversed = 0;
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && traversed + x.span[i] <= target) {
                traversed += x.span[i];
                x = x.forward[i];
            }
            if (traversed == target) return x;
        }
        return null;
    }

    /** Number of leading nodes for which {@code p} holds (p must hold for a prefix only). */
    public long countPrefix(Prefix p) {
        long rank = 0;
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && p.before(x.forward[i].ele, x.forward[i].score)) {
                rank += x.span[i];
                x = x.forward[i];
            }
        }
        return rank;
    }

    // ------------------------------------------------------------------ scan, random

    /** Receives ZSCAN output. */
    @FunctionalInterface
    public interface Visitor {
        void accept(byte[] member, double score);
    }

    /** One ZSCAN step, cursor semantics as {@code dictScan} (see HashTable#scan). */
    public long scan(long cursor, int count, Visitor out) {
        if (length == 0) return 0;
        long v = cursor;
        long mask = buckets.length - 1;
        int emitted = 0;
        int maxEmpty = Math.max(10, count * 10);
        do {
            Node head = buckets[(int) (v & mask)];
            if (head == null) maxEmpty--;
            for (Node x = head; x != null; x = x.hnext) {
                out.accept(x.ele, x.score);
                emitted++;
            }
            v = ScanCursor.next(v, mask);
        } while (v != 0 && emitted < count && maxEmpty > 0);
        return v;
    }

    /** A random member, as dictGetFairRandomKey (random non-empty bucket, random node in it). */
    public Node random(RandomGenerator rnd) {
        if (length == 0) return null;
        Node head;
        do {
            head = buckets[rnd.nextInt(buckets.length)];
        } while (head == null);
        int len = 0;
        for (Node x = head; x != null; x = x.hnext) len++;
        Node x = head;
        for (int k = rnd.nextInt(len); k > 0; k--) x = x.hnext;
        return x;
    }

    @Override
    public long memoryUsage() {
        return 96 + 8L * buckets.length + length * (long) NODE_BYTES + arrayBytes + dataBytes;
    }

    @Override
    public ZSkipList copy() {
        ZSkipList c = new ZSkipList();
        for (Node x = first(); x != null; x = x.forward[0]) c.insert(x.score, x.ele.clone());
        return c;
    }
}
