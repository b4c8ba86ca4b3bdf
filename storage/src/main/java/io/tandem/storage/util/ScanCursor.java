package io.tandem.storage.util;

/**
 * Redis's {@code dictScan} cursor step: set the bits above the table mask, reverse, increment,
 * reverse back. Incrementing the reversed cursor visits buckets in an order that stays valid when
 * the table grows or shrinks between calls, so a SCAN never misses an element present throughout.
 * Used by the keyspace (SCAN), hashes and sets (HSCAN/SSCAN) and sorted sets (ZSCAN).
 */
public final class ScanCursor {
    private ScanCursor() {}

    /** The cursor after {@code v} for a table of {@code mask + 1} buckets; 0 when the iteration is complete. */
    public static long next(long v, long mask) {
        v |= ~mask;
        v = Long.reverse(v);
        v++;
        return Long.reverse(v);
    }
}
