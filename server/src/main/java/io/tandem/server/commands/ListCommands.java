package io.tandem.server.commands;

import io.tandem.server.KeyspaceEvents;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.storage.keyspace.Database;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * List commands (Redis 7.0's t_list.c), non-blocking ones; the blocking variants build on
 * {@link ListOps}. Storage: see {@link ListValue}. Argument checks and their order follow
 * t_list.c, since clients see which error comes first.
 */
public final class ListCommands {
    private ListCommands() {}

    static final byte[] LPOP = StringCommands.b("LPOP");
    static final byte[] RPOP = StringCommands.b("RPOP");

    public static void register(CommandTable t) {
        t.register("lpush", c -> push(c, true, false));
        t.register("rpush", c -> push(c, false, false));
        t.register("lpushx", c -> push(c, true, true));
        t.register("rpushx", c -> push(c, false, true));
        t.register("lpop", c -> pop(c, true));
        t.register("rpop", c -> pop(c, false));
        t.register("llen", c -> {
            ListValue l = read(c, c.arg(1));
            c.out.integer(l == null ? 0 : l.size());
        });
        t.register("lrange", ListCommands::lrange);
        t.register("lindex", ListCommands::lindex);
        t.register("lset", ListCommands::lset);
        t.register("linsert", ListCommands::linsert);
        t.register("lrem", ListCommands::lrem);
        t.register("ltrim", ListCommands::ltrim);
        t.register("lpos", ListCommands::lpos);
        t.register("lmove", ListCommands::lmove);
        t.register("rpoplpush", c -> move(c, false, true));
        t.register("lmpop", ListCommands::lmpop);
    }

    static ListValue read(Call c, byte[] key) {
        ListValue l = ListValue.get(c.db(), key);
        if (l == null) c.server.stats().keyspaceMisses++;
        else c.server.stats().keyspaceHits++;
        return l;
    }

    private static void event(Call c, String event, byte[] key) {
        c.server.keyspaceEvents().notify(KeyspaceEvents.LIST, event, key, c.client.db);
    }

    private static void deleted(Call c, byte[] key) {
        c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "del", key, c.client.db);
    }

    static void push(Call c, boolean head, boolean onlyIfExists) {
        List<byte[]> elements = Arrays.asList(c.argv).subList(2, c.argc());
        c.out.integer(ListOps.push(c.server, c.client.db, c.arg(1), head, onlyIfExists, elements));
    }

    /** LPOP/RPOP key [count]. */
    static void pop(Call c, boolean head) {
        if (c.argc() > 3) throw CommandError.wrongArity(c.spec.name);
        boolean hasCount = c.argc() == 3;
        long count = 1;
        if (hasCount) {
            count = c.longArg(2, CommandError.NOT_POSITIVE);
            if (count < 0) throw new CommandError(CommandError.NOT_POSITIVE);
        }
        ListValue l = read(c, c.arg(1));
        if (l == null) {
            if (hasCount) c.out.nullArray();
            else c.out.nullBulk();
            return;
        }
        if (hasCount && count == 0) {
            c.out.array(0);
            return;
        }
        List<byte[]> popped = ListOps.pop(c.server, c.client.db, c.arg(1), head, count);
        if (!hasCount) {
            c.out.bulk(popped.get(0));
            return;
        }
        c.out.array(popped.size());
        for (byte[] e : popped) c.out.bulk(e);
    }

    /** Redis's start/end normalisation for LRANGE: {start, end} or null if the range is empty. */
    static long[] range(long start, long end, long len) {
        if (start < 0) start = len + start;
        if (end < 0) end = len + end;
        if (start < 0) start = 0;
        if (start > end || start >= len) return null;
        if (end >= len) end = len - 1;
        return new long[] {start, end};
    }

    static void lrange(Call c) {
        long start = c.longArg(2);
        long end = c.longArg(3);
        ListValue l = read(c, c.arg(1));
        if (l == null) {
            c.out.array(0);
            return;
        }
        long[] r = range(start, end, l.size());
        if (r == null) {
            c.out.array(0);
            return;
        }
        c.out.array(r[1] - r[0] + 1);
        for (int i = (int) r[0]; i <= r[1]; i++) c.out.bulk(l.get(i));
    }

    static void lindex(Call c) {
        ListValue l = read(c, c.arg(1));
        if (l == null) {
            c.out.nullBulk();
            return;
        }
        long i = c.longArg(2);
        if (i < 0) i += l.size();
        if (i < 0 || i >= l.size()) c.out.nullBulk();
        else c.out.bulk(l.get((int) i));
    }

    static void lset(Call c) {
        byte[] key = c.arg(1);
        ListValue l = ListValue.get(c.db(), key);
        if (l == null) throw new CommandError(CommandError.NO_SUCH_KEY);
        long i = c.longArg(2);
        if (i < 0) i += l.size();
        if (i < 0 || i >= l.size()) throw new CommandError(CommandError.INDEX_OUT_OF_RANGE);
        l.set((int) i, c.arg(3));
        l.store(c.db(), ListOps.fill(c.server));
        event(c, "lset", key);
        c.dirty(1);
        c.out.ok();
    }

    static void linsert(Call c) {
        boolean after;
        if (c.is(2, "after")) after = true;
        else if (c.is(2, "before")) after = false;
        else throw CommandError.SYNTAX_ERROR;
        byte[] key = c.arg(1);
        ListValue l = ListValue.get(c.db(), key);
        if (l == null) {
            c.out.integer(0);
            return;
        }
        byte[] pivot = c.arg(3);
        int n = l.size();
        for (int i = 0; i < n; i++) {
            if (Arrays.equals(l.get(i), pivot)) {
                l.insert(after ? i + 1 : i, c.arg(4));
                l.store(c.db(), ListOps.fill(c.server));
                event(c, "linsert", key);
                c.dirty(1);
                c.out.integer(l.size());
                return;
            }
        }
        c.out.integer(-1);
    }

    static void lrem(Call c) {
        long toRemove = c.longArg(2);
        byte[] key = c.arg(1);
        ListValue l = ListValue.get(c.db(), key);
        if (l == null) {
            c.out.integer(0);
            return;
        }
        byte[] e = c.arg(3);
        long removed = 0;
        if (toRemove >= 0) {
            for (int i = 0; i < l.size() && (toRemove == 0 || removed < toRemove); ) {
                if (Arrays.equals(l.get(i), e)) {
                    l.remove(i);
                    removed++;
                } else {
                    i++;
                }
            }
        } else {
            for (int i = l.size() - 1; i >= 0 && removed < -toRemove; i--) {
                if (Arrays.equals(l.get(i), e)) {
                    l.remove(i);
                    removed++;
                }
            }
        }
        if (removed > 0) {
            boolean kept = l.store(c.db(), ListOps.fill(c.server));
            event(c, "lrem", key);
            if (!kept) deleted(c, key);
            c.dirty(removed);
        }
        c.out.integer(removed);
    }

    static void ltrim(Call c) {
        long start = c.longArg(2);
        long end = c.longArg(3);
        byte[] key = c.arg(1);
        ListValue l = ListValue.get(c.db(), key);
        if (l == null) {
            c.out.ok();
            return;
        }
        int len = l.size();
        long[] r = range(start, end, len);
        long removed;
        if (r == null) {
            l.trim(1, 0);
            removed = len;
        } else {
            l.trim((int) r[0], (int) r[1]);
            removed = len - (r[1] - r[0] + 1);
        }
        boolean kept = l.store(c.db(), ListOps.fill(c.server));
        event(c, "ltrim", key);
        if (!kept) deleted(c, key);
        c.dirty(removed);
        c.out.ok();
    }

    /** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. */
    static void lpos(Call c) {
        long rank = 1;
        long count = -1;
        long maxlen = 0;
        for (int j = 3; j < c.argc(); j++) {
            boolean more = j + 1 < c.argc();
            if (c.is(j, "rank") && more) {
                // Redis 7.0 takes any long; RANK LONG_MIN (whose negation overflows) matches from the tail
                rank = c.longArg(++j);
                if (rank == 0) {
                    throw new CommandError("ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
                            + "second ... or use negative to start from the end of the list");
                }
            } else if (c.is(j, "count") && more) {
                count = c.longArg(++j, "ERR COUNT can't be negative");
                if (count < 0) throw new CommandError("ERR COUNT can't be negative");
            } else if (c.is(j, "maxlen") && more) {
                maxlen = c.longArg(++j, "ERR MAXLEN can't be negative");
                if (maxlen < 0) throw new CommandError("ERR MAXLEN can't be negative");
            } else {
                throw CommandError.SYNTAX_ERROR;
            }
        }
        boolean fromTail = rank < 0;
        if (fromTail) rank = -rank;
        ListValue l = read(c, c.arg(1));
        if (l == null) {
            if (count == -1) c.out.nullBulk();
            else c.out.array(0);
            return;
        }
        byte[] e = c.arg(2);
        List<Long> found = new ArrayList<>();
        int n = l.size();
        long matches = 0;
        for (int k = 0; k < n && (maxlen == 0 || k < maxlen); k++) {
            int i = fromTail ? n - 1 - k : k;
            if (Arrays.equals(l.get(i), e)) {
                matches++;
                if (matches >= rank) {
                    found.add((long) i);
                    if (count != 0 && found.size() >= Math.max(count, 1)) break;
                }
            }
        }
        if (count == -1) {
            if (found.isEmpty()) c.out.nullBulk();
            else c.out.integer(found.get(0));
            return;
        }
        c.out.array(found.size());
        for (long i : found) c.out.integer(i);
    }

    static boolean side(Call c, int i) {
        if (c.is(i, "left")) return true;
        if (c.is(i, "right")) return false;
        throw CommandError.SYNTAX_ERROR;
    }

    static void lmove(Call c) {
        boolean fromHead = side(c, 3);
        boolean toHead = side(c, 4);
        move(c, fromHead, toHead);
    }

    static void move(Call c, boolean fromHead, boolean toHead) {
        ListValue src = read(c, c.arg(1));
        if (src == null) {
            c.out.nullBulk();
            return;
        }
        byte[] e = ListOps.move(c.server, c.client.db, c.arg(1), c.arg(2), fromHead, toHead);
        c.out.bulk(e);
    }

    /** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]; propagated as LPOP/RPOP key count. */
    static void lmpop(Call c) {
        long numkeys = c.longArg(1, "ERR numkeys should be greater than 0");
        if (numkeys < 1) throw new CommandError("ERR numkeys should be greater than 0");
        long whereIdx = 1 + numkeys + 1;
        if (whereIdx >= c.argc()) throw CommandError.SYNTAX_ERROR;
        boolean head = side(c, (int) whereIdx);
        long count = -1;
        for (int j = (int) whereIdx + 1; j < c.argc(); j++) {
            boolean more = j + 1 < c.argc();
            if (count == -1 && c.is(j, "count") && more) {
                count = c.longArg(++j, "ERR count should be greater than 0");
                if (count < 1) throw new CommandError("ERR count should be greater than 0");
            } else {
                throw CommandError.SYNTAX_ERROR;
            }
        }
        if (count == -1) count = 1;
        Database db = c.db();
        for (int j = 0; j < numkeys; j++) {
            byte[] key = c.arg(2 + j);
            ListValue l = ListValue.get(db, key);
            if (l == null || l.size() == 0) continue;
            List<byte[]> popped = ListOps.pop(c.server, c.client.db, key, head, count);
            c.out.array(2);
            c.out.bulk(key);
            c.out.array(popped.size());
            for (byte[] e : popped) c.out.bulk(e);
            c.propagateAs(head ? LPOP : RPOP, key, StringCommands.b(Long.toString(popped.size())));
            return;
        }
        c.out.nullArray();
    }
}
