package io.tandem.server.commands;

import io.tandem.server.KeyspaceEvents;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.StoredValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * SORT and SORT_RO (Redis 7.0's sort.c): {@code SORT key [BY pattern] [LIMIT offset count]
 * [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination]}. The elements come from the
 * {@link SortSources} registered for the key's type, so lists, sets and sorted sets share this
 * code.
 *
 * <h2>Semantics kept from sort.c</h2>
 * <ul>
 *   <li>Patterns: {@code #} is the element; otherwise the first {@code *} is replaced by the
 *       element, and {@code ->field} after it reads a hash field. A missing key, a key of another
 *       type or a pattern without {@code *} gives nil (GET) or "no weight" (BY). A BY pattern
 *       without {@code *} means "do not sort" (e.g. {@code BY nosort}).</li>
 *   <li>Numeric sort parses weights as C's strtod (leading blanks, hex, inf; "" is 0), ties broken
 *       by comparing the elements as binary strings; a weight that does not parse fails the whole
 *       command with {@code ERR One or more scores can't be converted into double} (after
 *       sorting, so nothing is stored). ALPHA compares as strcoll in the C locale (bytes up to a
 *       NUL) when replying and as binary strings with STORE; ALPHA BY with missing weights puts
 *       them first, and its ties keep the loaded order (glibc's qsort is a stable merge sort).</li>
 *   <li>LIMIT: negative offset is 0, negative count is "to the end".</li>
 *   <li>STORE: the result (GET values, "" for nil) replaces the destination as a list, whatever it
 *       held and without its TTL; an empty result deletes it. Fires "sortstore" (or "del").</li>
 * </ul>
 */
public final class SortCommands {
    private SortCommands() {}

    public static void register(CommandTable t) {
        t.register("sort", c -> sort(c, false));
        t.register("sort_ro", c -> sort(c, true));
    }

    /** One element being sorted, with its numeric score or its ALPHA BY weight. */
    private static final class Item {
        final byte[] obj;
        double score;
        byte[] cmp;

        Item(byte[] obj) {
            this.obj = obj;
        }
    }

    static void sort(Call c, boolean readonly) {
        boolean desc = false;
        boolean alpha = false;
        long limitStart = 0;
        long limitCount = -1;
        boolean dontsort = false;
        byte[] sortby = null;
        byte[] storekey = null;
        List<byte[]> gets = new ArrayList<>();
        for (int j = 2; j < c.argc(); j++) {
            int left = c.argc() - j - 1;
            if (c.is(j, "asc")) {
                desc = false;
            } else if (c.is(j, "desc")) {
                desc = true;
            } else if (c.is(j, "alpha")) {
                alpha = true;
            } else if (c.is(j, "limit") && left >= 2) {
                limitStart = c.longArg(j + 1);
                limitCount = c.longArg(j + 2);
                j += 2;
            } else if (!readonly && c.is(j, "store") && left >= 1) {
                storekey = c.arg(j + 1);
                j++;
            } else if (c.is(j, "by") && left >= 1) {
                sortby = c.arg(j + 1);
                if (indexOf(sortby, (byte) '*', 0) < 0) dontsort = true;
                j++;
            } else if (c.is(j, "get") && left >= 1) {
                gets.add(c.arg(j + 1));
                j++;
            } else {
                throw CommandError.SYNTAX_ERROR;
            }
        }

        Database db = c.db();
        byte[] key = c.arg(1);
        StoredValue v = StringCommands.lookupRead(c, key);
        SortSources.Source source = null;
        if (v != null) {
            source = SortSources.of(v.type);
            if (source == null) throw CommandError.WRONG_TYPE;
        }
        List<byte[]> elements = v == null ? List.of() : source.elements(db, key, v);
        boolean ordered = source == null || source.ordered();

        // An unordered type (set) with "do not sort" and STORE is sorted ALPHA, for replication.
        if (dontsort && !ordered && storekey != null) {
            dontsort = false;
            alpha = true;
            sortby = null;
        }

        long vectorlen = elements.size();
        long start = limitStart < 0 ? 0 : limitStart;
        long end = limitCount < 0 ? vectorlen - 1 : start + limitCount - 1;
        if (start >= vectorlen) {
            start = vectorlen - 1;
            end = vectorlen - 2;
        }
        if (end >= vectorlen) end = vectorlen - 1;

        List<Item> vector = new ArrayList<>();
        if (ordered && dontsort) {
            // Native order, reversed for DESC, only the LIMIT range loaded.
            if (end >= start) {
                int n = elements.size();
                for (long k = start; k <= end; k++) {
                    int i = (int) (desc ? n - 1 - k : k);
                    vector.add(new Item(elements.get(i)));
                }
                end -= start;
                start = 0;
            }
        } else {
            for (byte[] e : elements) vector.add(new Item(e));
        }

        boolean conversionError = false;
        if (!dontsort) {
            for (Item it : vector) {
                byte[] byval;
                if (sortby != null) {
                    byval = lookupByPattern(c, sortby, it.obj);
                    if (byval == null) continue;
                } else {
                    byval = it.obj;
                }
                if (alpha) {
                    if (sortby != null) it.cmp = byval;
                } else {
                    double d = strtod(byval);
                    if (Double.isNaN(d)) conversionError = true;
                    else it.score = d;
                }
            }
            vector.sort(comparator(alpha, sortby != null, storekey != null, desc));
        }

        long outputlen = gets.isEmpty() ? end - start + 1 : gets.size() * (end - start + 1);
        if (conversionError) throw new CommandError("ERR One or more scores can't be converted into double");
        if (storekey == null) {
            c.out.array(outputlen);
            for (long j = start; j <= end; j++) {
                Item it = vector.get((int) j);
                if (gets.isEmpty()) c.out.bulk(it.obj);
                for (byte[] pattern : gets) {
                    byte[] val = lookupByPattern(c, pattern, it.obj);
                    if (val == null) c.out.nullBulk();
                    else c.out.bulk(val);
                }
            }
            return;
        }
        ListValue out = ListValue.create(storekey);
        for (long j = start; j <= end; j++) {
            Item it = vector.get((int) j);
            if (gets.isEmpty()) out.push(it.obj, false);
            for (byte[] pattern : gets) {
                byte[] val = lookupByPattern(c, pattern, it.obj);
                out.push(val == null ? new byte[0] : val, false);
            }
        }
        if (outputlen > 0) {
            boolean existed = db.exists(storekey);
            db.delete(storekey); // setKey: the old value and its TTL go
            out.store(db, ListOps.fill(c.server));
            if (!existed) c.server.signalKeyAsReady(c.client.db, storekey);
            c.server.keyspaceEvents().notify(KeyspaceEvents.LIST, "sortstore", storekey, c.client.db);
            c.dirty(outputlen);
        } else if (db.delete(storekey)) {
            c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "del", storekey, c.client.db);
            c.dirty(1);
        }
        c.out.integer(outputlen);
    }

    /** sortCompare. */
    private static Comparator<Item> comparator(boolean alpha, boolean bypattern, boolean store, boolean desc) {
        Comparator<Item> cmp;
        if (!alpha) {
            cmp = (a, b) -> {
                if (a.score > b.score) return 1;
                if (a.score < b.score) return -1;
                return Integer.signum(compareBinary(a.obj, b.obj));
            };
        } else if (bypattern) {
            cmp = (a, b) -> {
                if (a.cmp == null || b.cmp == null) {
                    if (a.cmp == b.cmp) return 0;
                    return a.cmp == null ? -1 : 1;
                }
                return Integer.signum(store ? compareBinary(a.cmp, b.cmp) : strcoll(a.cmp, b.cmp));
            };
        } else {
            cmp = (a, b) -> Integer.signum(store ? compareBinary(a.obj, b.obj) : strcoll(a.obj, b.obj));
        }
        return desc ? cmp.reversed() : cmp;
    }

    /** compareStringObjects: memcmp, then the shorter first. */
    static int compareBinary(byte[] a, byte[] b) {
        int c = Arrays.compareUnsigned(a, 0, Math.min(a.length, b.length), b, 0, Math.min(a.length, b.length));
        if (c != 0) return c;
        return Integer.compare(a.length, b.length);
    }

    /** strcoll in the C locale: strcmp, which stops at a NUL. */
    static int strcoll(byte[] a, byte[] b) {
        int la = cLength(a);
        int lb = cLength(b);
        int c = Arrays.compareUnsigned(a, 0, Math.min(la, lb), b, 0, Math.min(la, lb));
        if (c != 0) return c;
        return Integer.compare(la, lb);
    }

    private static int cLength(byte[] s) {
        int i = indexOf(s, (byte) 0, 0);
        return i < 0 ? s.length : i;
    }

    private static int indexOf(byte[] s, byte ch, int from) {
        for (int i = from; i < s.length; i++) if (s[i] == ch) return i;
        return -1;
    }

    private static int indexOf(byte[] s, int len, byte[] needle, int from) {
        outer:
        for (int i = from; i + needle.length <= len; i++) {
            for (int k = 0; k < needle.length; k++) if (s[i + k] != needle[k]) continue outer;
            return i;
        }
        return -1;
    }

    private static final byte[] ARROW = {'-', '>'};

    /**
     * lookupKeyByPattern: "#" is the element; else the first '*' (of the pattern read as a C
     * string) is replaced by the element, and a non-empty "->field" after it reads a hash field.
     * Null for a missing key or field, a key of the wrong type, or no '*'.
     */
    static byte[] lookupByPattern(Call c, byte[] pattern, byte[] subst) {
        int plen = cLength(pattern);
        if (plen == 1 && pattern[0] == '#') return subst;
        int star = indexOf(pattern, (byte) '*', 0);
        if (star < 0 || star >= plen) return null;
        int arrow = indexOf(pattern, plen, ARROW, star + 1);
        byte[] field = null;
        if (arrow >= 0 && arrow + 2 < plen) {
            // Redis takes the field to the pattern's full (sds) length.
            field = Arrays.copyOfRange(pattern, arrow + 2, pattern.length);
        }
        int fieldlen = field == null ? 0 : field.length;
        int postfixlen = pattern.length - (star + 1) - (fieldlen > 0 ? fieldlen + 2 : 0);
        byte[] k = new byte[star + subst.length + postfixlen];
        System.arraycopy(pattern, 0, k, 0, star);
        System.arraycopy(subst, 0, k, star, subst.length);
        System.arraycopy(pattern, star + 1, k, star + subst.length, postfixlen);
        StoredValue o = StringCommands.lookupRead(c, k);
        if (o == null) return null;
        if (field != null) {
            if (o.type != StoredValue.TYPE_HASH) return null;
            return HashCommands.Hash.of(k, o).get(field);
        }
        if (o.type != StoredValue.TYPE_STRING) return null;
        return o.payload;
    }

    /**
     * C's strtod on a weight as SORT checks it: the whole string (up to a NUL) must parse, no
     * ERANGE, not NaN. Returns NaN when it does not. "" is 0 (strtod consumes nothing and stops
     * at the terminator).
     */
    static double strtod(byte[] raw) {
        int n = cLength(raw);
        if (n == 0) return 0;
        int i = 0;
        while (i < n && isSpace(raw[i])) i++;
        if (i == n) return Double.NaN;
        boolean neg = false;
        if (raw[i] == '+' || raw[i] == '-') {
            neg = raw[i] == '-';
            i++;
        }
        String rest = new String(raw, i, n - i, java.nio.charset.StandardCharsets.ISO_8859_1);
        String lower = rest.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("inf") || lower.equals("infinity")) return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        double d;
        if (lower.startsWith("0x")) {
            String h = lower.substring(2);
            if (!h.matches("([0-9a-f]+\\.?[0-9a-f]*|\\.[0-9a-f]+)(p[+-]?[0-9]+)?")) return Double.NaN;
            if (h.indexOf('p') < 0) h = h + "p0";
            try {
                d = Double.parseDouble("0x" + h);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        } else {
            if (!lower.matches("([0-9]+\\.?[0-9]*|\\.[0-9]+)(e[+-]?[0-9]+)?")) return Double.NaN;
            d = Double.parseDouble(lower);
        }
        // ERANGE: overflow, or underflow to zero or a subnormal from a non-zero input.
        if (Double.isInfinite(d)) return Double.NaN;
        if (Math.abs(d) < Double.MIN_NORMAL && hasNonZeroDigit(lower)) return Double.NaN;
        return neg ? -d : d;
    }

    private static boolean hasNonZeroDigit(String s) {
        boolean hex = s.startsWith("0x");
        for (int i = hex ? 2 : 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == 'e' && !hex || ch == 'p') break;
            if (ch != '0' && ch != '.') return true;
        }
        return false;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == 0x0b || b == '\f' || b == '\r';
    }
}
