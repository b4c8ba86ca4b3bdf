package io.tandem.server.commands;

import io.tandem.server.command.CommandError;
import io.tandem.storage.collection.Intset;
import io.tandem.storage.collection.Listpack;
import io.tandem.storage.collection.SetTable;
import io.tandem.storage.digest.ValueDigest;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Encoding;
import io.tandem.storage.keyspace.StoredValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * One set as a command sees it, in one of three representations behind one API:
 *
 * <pre>
 *   OBJECT ENCODING   where             record payload / object          when
 *   intset            off-heap record   Redis intset bytes ({@link Intset})   all members integers, ≤ set-max-intset-entries
 *   hashtable         off-heap record   listpack of members ({@link Listpack}) ≤ 128 members, each ≤ 64 bytes ("compact")
 *   hashtable         on-heap object    {@link SetTable}                    otherwise
 * </pre>
 *
 * <p>The encoding follows Redis 7.0 exactly: a set is created as an intset if its first member
 * is an integer ({@code setTypeCreate}), becomes a hashtable when a non-integer member is added
 * or it outgrows {@code set-max-intset-entries} (capped at 2^30 as Redis does), and never goes
 * back — except that SPOP's "rebuild" strategy and the *STORE commands build a fresh set, as in
 * Redis. An emptied set is deleted.
 *
 * <p>Why a hashtable set may live off-heap: Redis 7.0 has no listpack sets, so a set of a few
 * strings is a {@code dict}. Keeping every such set as an on-heap object would make heap use grow
 * with the number of keys (ARCHITECTURE.md invariant 5), and sets of a few tags are common. So a
 * small hashtable set is kept as a listpack of its members in its keyspace record, the way small
 * lists keep reporting {@code quicklist}: invisible to clients (OBJECT ENCODING says hashtable,
 * replies are in an unspecified order either way; SSCAN returns it whole with cursor 0, which
 * SCAN's guarantees allow). It moves to the heap past 128 members or a member over 64 bytes
 * (Redis 7.2's set-max-listpack defaults) and back once at most 64 short members remain. A
 * consumer of the record (RDB writer) must therefore read a HASHTABLE-tagged set payload as a
 * listpack of members.
 */
public final class SetValue {
    static final int COMPACT_MAX_ENTRIES = 128;
    static final int COMPACT_MAX_MEMBER = 64;
    /** Redis limits intsets to 1G entries whatever set-max-intset-entries says. */
    static final long INTSET_HARD_LIMIT = 1L << 30;

    final byte[] key;
    /** Encoding intset: the intset bytes. */
    byte[] intset;
    /** Encoding hashtable, off-heap: the members. */
    ArrayList<byte[]> compact;
    /** Encoding hashtable, on-heap. */
    SetTable table;
    /** The table is the object already in the keyspace (no put needed). */
    private boolean tableStored;

    private SetValue(byte[] key) {
        this.key = key;
    }

    /** The set at key, null if absent; WRONGTYPE for another type. */
    public static SetValue get(Database db, byte[] key) {
        StoredValue v = db.get(key);
        if (v == null) return null;
        if (v.type != StoredValue.TYPE_SET) throw CommandError.WRONG_TYPE;
        return of(key, v);
    }

    static SetValue of(byte[] key, StoredValue v) {
        SetValue s = new SetValue(key);
        if (v.object != null) {
            s.table = (SetTable) v.object;
            s.tableStored = true;
        } else if (v.encoding == Encoding.INTSET) {
            s.intset = v.payload;
        } else {
            s.compact = Listpack.decode(v.payload);
        }
        return s;
    }

    /** {@code setTypeCreate}: a new empty set whose encoding suits its first member (not stored). */
    public static SetValue create(byte[] key, byte[] firstMember) {
        SetValue s = new SetValue(key);
        if (Intset.isInteger(firstMember)) s.intset = Intset.empty();
        else s.compact = new ArrayList<>();
        return s;
    }

    /** A new empty set as the *STORE commands start it ({@code createIntsetObject}). */
    static SetValue createIntset(byte[] key) {
        SetValue s = new SetValue(key);
        s.intset = Intset.empty();
        return s;
    }

    public byte encoding() {
        return intset != null ? Encoding.INTSET : Encoding.HASHTABLE;
    }

    public int size() {
        if (intset != null) return Intset.length(intset);
        return table != null ? table.size() : compact.size();
    }

    public boolean contains(byte[] m) {
        if (intset != null) return Intset.isInteger(m) && Intset.contains(intset, Intset.parse(m));
        if (table != null) return table.contains(m);
        return indexOf(m) >= 0;
    }

    private int indexOf(byte[] m) {
        for (int i = 0; i < compact.size(); i++) if (Arrays.equals(compact.get(i), m)) return i;
        return -1;
    }

    /** {@code setTypeAdd}: true if the member is new; converts per Redis 7.0's rules. */
    public boolean add(byte[] m, long maxIntsetEntries) {
        if (intset != null) {
            if (Intset.isInteger(m)) {
                byte[] after = Intset.add(intset, Intset.parse(m));
                if (after == intset) return false;
                intset = after;
                if (Intset.length(intset) > Math.min(maxIntsetEntries, INTSET_HARD_LIMIT)) toHashtable();
                return true;
            }
            toHashtable();
        }
        if (table != null) return table.add(m);
        if (indexOf(m) >= 0) return false;
        if (m.length > COMPACT_MAX_MEMBER || compact.size() >= COMPACT_MAX_ENTRIES) {
            toTable();
            return table.add(m);
        }
        compact.add(m);
        return true;
    }

    /** True if the member was present. */
    public boolean remove(byte[] m) {
        if (intset != null) {
            if (!Intset.isInteger(m)) return false;
            byte[] after = Intset.remove(intset, Intset.parse(m));
            if (after == intset) return false;
            intset = after;
            return true;
        }
        if (table != null) return table.remove(m);
        int i = indexOf(m);
        if (i < 0) return false;
        compact.remove(i);
        return true;
    }

    /** {@code setTypeConvert(OBJ_ENCODING_HT)}: intset to hashtable (compact or table by size). */
    private void toHashtable() {
        long[] values = Intset.toArray(intset);
        intset = null;
        compact = new ArrayList<>(values.length);
        for (long v : values) compact.add(Intset.text(v));
        if (compact.size() > COMPACT_MAX_ENTRIES) toTable();
    }

    private void toTable() {
        SetTable t = new SetTable(compact.size() + 1);
        for (byte[] m : compact) t.add(m);
        table = t;
        tableStored = false;
        compact = null;
    }

    /** Visits every member in the encoding's order (intset: ascending). */
    public void forEach(Consumer<byte[]> visitor) {
        if (intset != null) {
            for (long v : Intset.toArray(intset)) visitor.accept(Intset.text(v));
        } else if (table != null) {
            table.forEach(visitor);
        } else {
            compact.forEach(visitor);
        }
    }

    /** The members in the encoding's order (a copy). */
    public List<byte[]> members() {
        List<byte[]> out = new ArrayList<>(size());
        forEach(out::add);
        return out;
    }

    /** A random member ({@code setTypeRandomElement}); the set must not be empty. */
    public byte[] random(RandomGenerator rnd) {
        if (intset != null) return Intset.text(Intset.get(intset, rnd.nextInt(Intset.length(intset))));
        if (table != null) return table.randomMember(rnd);
        return compact.get(rnd.nextInt(compact.size()));
    }

    /** Takes over another (unstored) set's content and encoding, as SPOP's dbOverwrite does. */
    void replaceWith(SetValue other) {
        intset = other.intset;
        compact = other.compact;
        table = other.table;
        tableStored = false;
    }

    /**
     * Writes the set back keeping the key's TTL: deletes it if empty (returns false), rewrites an
     * off-heap one, moves a compact hashtable to the heap or a small table back off-heap, leaves a
     * stored table in place.
     */
    public boolean store(Database db) {
        return write(db, Database.KEEP_TTL);
    }

    /** Stores the set as a new value with the given absolute expiry (RESTORE, RDB load). */
    boolean storeNew(Database db, long expireAt) {
        tableStored = false;
        return write(db, expireAt);
    }

    /** Stores the set as a new value, dropping any TTL (setKey, for the *STORE commands). */
    boolean storeFresh(Database db) {
        tableStored = false;
        return write(db, StoredValue.NO_EXPIRE);
    }

    private boolean write(Database db, long expireAt) {
        if (size() == 0) {
            db.delete(key);
            return false;
        }
        if (table != null && table.size() <= COMPACT_MAX_ENTRIES / 2 && allShort()) {
            compact = new ArrayList<>(table.size());
            table.forEach(compact::add);
            table = null;
            tableStored = false;
        }
        if (intset != null) {
            db.put(key, StoredValue.TYPE_SET, Encoding.INTSET, intset, expireAt);
        } else if (compact != null) {
            db.put(key, StoredValue.TYPE_SET, Encoding.HASHTABLE, Listpack.encode(compact), expireAt);
        } else if (!tableStored) {
            db.putObject(key, StoredValue.TYPE_SET, Encoding.HASHTABLE, table, expireAt);
            tableStored = true;
        }
        return true;
    }

    private boolean allShort() {
        boolean[] ok = {true};
        table.forEach(m -> {
            if (m.length > COMPACT_MAX_MEMBER) ok[0] = false;
        });
        return ok[0];
    }

    /** True while the set lives on the heap (for tests). */
    public boolean onHeap() {
        return table != null;
    }

    /** DEBUG DIGEST of a stored set, from any representation. */
    static ValueDigest digest(StoredValue v) {
        ValueDigest.SetBuilder b = ValueDigest.setBuilder();
        of(null, v).forEach(b::add);
        return b.build();
    }
}
