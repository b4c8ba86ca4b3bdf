package io.tandem.server.commands;

import io.tandem.server.KeyspaceEvents;
import io.tandem.server.Server;
import io.tandem.server.command.CommandError;
import io.tandem.storage.keyspace.Database;

import java.util.ArrayList;
import java.util.List;

/**
 * The list operations with their side effects (keyspace events, deletion of an emptied list,
 * dirty counting, {@link Server#signalKeyAsReady}), shared by the list commands and the blocking
 * variants (BLPOP, BLMOVE, BLMPOP) that serve a waiting client after another command pushed.
 * Propagation stays with the caller (a served BLPOP propagates as LPOP, etc.). Executor thread.
 */
public final class ListOps {
    private ListOps() {}

    private static void event(Server s, int db, String event, byte[] key) {
        s.keyspaceEvents().notify(KeyspaceEvents.LIST, event, key, db);
    }

    static int fill(Server s) {
        return s.settings().listMaxListpackSize;
    }

    /**
     * LPUSH/RPUSH: pushes the elements one by one at the head or tail (creating the list unless
     * {@code onlyIfExists}); returns the new length, 0 if onlyIfExists and the key is absent.
     * Fires "lpush"/"rpush" and signals the key as ready. WRONGTYPE for another type.
     */
    public static long push(Server s, int dbIndex, byte[] key, boolean head, boolean onlyIfExists, List<byte[]> elements) {
        Database db = s.keyspace().db(dbIndex);
        ListValue l = ListValue.get(db, key);
        if (l == null) {
            if (onlyIfExists) return 0;
            l = ListValue.create(key);
        }
        for (byte[] e : elements) l.push(e, head);
        l.store(db, fill(s));
        event(s, dbIndex, head ? "lpush" : "rpush", key);
        s.stats().dirty += elements.size();
        s.signalKeyAsReady(dbIndex, key);
        return l.size();
    }

    /**
     * LPOP/RPOP: pops up to {@code count} elements; null if the key is absent (or empty).
     * Fires "lpop"/"rpop", and "del" when the list is emptied (the key is deleted).
     */
    public static List<byte[]> pop(Server s, int dbIndex, byte[] key, boolean head, long count) {
        Database db = s.keyspace().db(dbIndex);
        ListValue l = ListValue.get(db, key);
        if (l == null || l.size() == 0) return null;
        List<byte[]> out = new ArrayList<>((int) Math.min(count, l.size()));
        while (out.size() < count && l.size() > 0) out.add(l.pop(head));
        boolean kept = l.store(db, fill(s));
        event(s, dbIndex, head ? "lpop" : "rpop", key);
        if (!kept) s.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "del", key, dbIndex);
        s.stats().dirty += out.size();
        return out;
    }

    /**
     * LMOVE: pops from one end of src and pushes to one end of dst (src may equal dst: a
     * rotation). Returns the element, or null if src is absent. WRONGTYPE (changing nothing) if
     * either key holds another type. Events as Redis: push on dst, then pop on src, then "del".
     */
    public static byte[] move(Server s, int dbIndex, byte[] src, byte[] dst, boolean fromHead, boolean toHead) {
        Database db = s.keyspace().db(dbIndex);
        ListValue from = ListValue.get(db, src);
        if (from == null || from.size() == 0) return null;
        int dstType = db.type(dst);
        if (dstType >= 0 && dstType != io.tandem.storage.keyspace.StoredValue.TYPE_LIST) throw CommandError.WRONG_TYPE;
        byte[] e = from.pop(fromHead);
        boolean kept = from.store(db, fill(s));
        ListValue to = ListValue.get(db, dst);
        if (to == null) to = ListValue.create(dst);
        to.push(e, toHead);
        to.store(db, fill(s));
        event(s, dbIndex, toHead ? "lpush" : "rpush", dst);
        s.signalKeyAsReady(dbIndex, dst);
        event(s, dbIndex, fromHead ? "lpop" : "rpop", src);
        if (!kept && !java.util.Arrays.equals(src, dst)) {
            s.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "del", src, dbIndex);
        }
        s.stats().dirty++;
        return e;
    }
}
