package io.tandem.storage.keyspace;

/**
 * The on-heap objects ({@link SizedObject}) of one database, addressed by the 8-byte handle its
 * off-heap records store: {@code (generation << 32) | slot}. Slots are reused through a free
 * list; the generation changes on every reuse, so a stale handle is detected instead of silently
 * reaching another key's object.
 *
 * <p>Lives in the database's {@link ChronicleDatabase.Store}, so SWAPDB moves it with the maps
 * and FLUSHDB/close drop it in one step. Not thread-safe: executor thread only.
 */
final class ObjectTable {
    private SizedObject[] objects = new SizedObject[16];
    private int[] generations = new int[16];
    private int[] free = new int[16];
    private int freeCount;
    /** Slots [0, used) have been handed out at least once. */
    private int used;
    private int live;

    long add(SizedObject o) {
        if (o == null) throw new IllegalArgumentException("null object");
        int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
        } else {
            if (used == objects.length) grow();
            slot = used++;
        }
        objects[slot] = o;
        live++;
        return ((long) generations[slot] << 32) | slot;
    }

    private void grow() {
        int n = objects.length * 2;
        objects = java.util.Arrays.copyOf(objects, n);
        generations = java.util.Arrays.copyOf(generations, n);
        free = java.util.Arrays.copyOf(free, n);
    }

    SizedObject get(long handle) {
        int slot = (int) handle;
        if (slot < 0 || slot >= used || generations[slot] != (int) (handle >>> 32) || objects[slot] == null) {
            throw new IllegalStateException("stale object handle " + Long.toHexString(handle));
        }
        return objects[slot];
    }

    void release(long handle) {
        get(handle);
        int slot = (int) handle;
        objects[slot] = null;
        generations[slot]++;
        free[freeCount++] = slot;
        live--;
    }

    /** Drops every object (FLUSHDB, close). */
    void clear() {
        objects = new SizedObject[16];
        generations = new int[16];
        free = new int[16];
        freeCount = 0;
        used = 0;
        live = 0;
    }

    int live() {
        return live;
    }

    /** Sum of the objects' sizes plus this table: O(live objects), i.e. O(big collections). */
    long memoryUsage() {
        if (live == 0) return 0;
        long n = 16L * objects.length;
        for (int i = 0; i < used; i++) {
            SizedObject o = objects[i];
            if (o != null) n += o.memoryUsage();
        }
        return n;
    }
}
