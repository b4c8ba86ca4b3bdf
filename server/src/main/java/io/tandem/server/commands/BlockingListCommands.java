package io.tandem.server.commands;

import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.server.exec.Blocking;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.StoredValue;

import java.util.Arrays;
import java.util.List;

/**
 * The blocking list commands (Redis 7.0's t_list.c {@code blockingPopGenericCommand},
 * {@code blmoveGenericCommand} and blocked.c {@code serveClientBlockedOnList}): BLPOP, BRPOP,
 * BLMPOP, BLMOVE, BRPOPLPUSH, on {@link ListOps} and {@link Blocking}.
 *
 * <h2>How each ends</h2>
 * <ul>
 *   <li><b>Served at once</b> (a named list has elements): exactly the non-blocking command —
 *       BLPOP pops from the first non-empty key in argument order and propagates {@code LPOP key};
 *       BLMPOP propagates {@code LPOP key n} with n = min(count, length); BLMOVE propagates
 *       {@code LMOVE src dst <from> <to>} with the client's own side words; BRPOPLPUSH
 *       {@code RPOPLPUSH src dst}. A key of another type met before a non-empty list is
 *       WRONGTYPE.</li>
 *   <li><b>Not allowed to block</b> (inside MULTI/EXEC): BLPOP/BRPOP/BLMPOP reply a null array,
 *       BLMOVE/BRPOPLPUSH a null bulk (Redis's {@code addReplyNull} there).</li>
 *   <li><b>Blocked</b>, then woken by a push on one of its keys: served from that key (the one
 *       that became ready), propagating as above, BLMOVE's sides written {@code left}/{@code right}
 *       (Redis's shared objects) whatever the client typed. A ready key that now holds another type
 *       keeps the client waiting (Redis only serves list-typed ready keys); a BLMOVE whose
 *       destination holds another type at wake time gets WRONGTYPE and is unblocked, the element
 *       staying in the source.</li>
 *   <li><b>Timeout / CLIENT UNBLOCK</b>: a null array ({@code *-1}, RESP3 {@code _}) for every
 *       one of them, BLMOVE included, as Redis 7.0's replyToBlockedClientTimedOut.</li>
 * </ul>
 * Argument checks come in Redis's order: BLPOP parses the timeout first; BLMOVE the two sides,
 * then the timeout; BLMPOP numkeys, side and COUNT, then the timeout.
 */
public final class BlockingListCommands {
    private BlockingListCommands() {}

    static final byte[] LMOVE = StringCommands.b("LMOVE");
    static final byte[] RPOPLPUSH = StringCommands.b("RPOPLPUSH");
    static final byte[] LEFT = StringCommands.b("left");
    static final byte[] RIGHT = StringCommands.b("right");

    public static void register(CommandTable t) {
        t.register("blpop", c -> bpop(c, true));
        t.register("brpop", c -> bpop(c, false));
        t.register("blmpop", BlockingListCommands::blmpop);
        t.register("blmove", c -> {
            boolean fromHead = ListCommands.side(c, 3);
            boolean toHead = ListCommands.side(c, 4);
            long deadline = Blocking.deadline(c, 5);
            bmove(c, fromHead, toHead, deadline, false);
        });
        t.register("brpoplpush", c -> bmove(c, false, true, Blocking.deadline(c, 3), true));
    }

    // ---------------------------------------------------------------- BLPOP / BRPOP / BLMPOP

    /** BLPOP|BRPOP key [key ...] timeout. */
    static void bpop(Call c, boolean head) {
        long deadline = Blocking.deadline(c, c.argc() - 1);
        List<byte[]> keys = Arrays.asList(c.argv).subList(1, c.argc() - 1);
        popGeneric(c, keys, head, -1, deadline);
    }

    /** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]. */
    static void blmpop(Call c) {
        long numkeys = c.longArg(2, "ERR numkeys should be greater than 0");
        if (numkeys < 1) throw new CommandError("ERR numkeys should be greater than 0");
        long whereIdx = 2 + numkeys + 1;
        if (whereIdx >= c.argc()) throw CommandError.SYNTAX_ERROR;
        boolean head = ListCommands.side(c, (int) whereIdx);
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
        long deadline = Blocking.deadline(c, 1);
        popGeneric(c, Arrays.asList(c.argv).subList(3, (int) whereIdx), head, count, deadline);
    }

    /** blockingPopGenericCommand: count -1 for BLPOP/BRPOP, ≥ 1 for BLMPOP. */
    private static void popGeneric(Call c, List<byte[]> keys, boolean head, long count, long deadline) {
        Database db = c.db();
        for (byte[] key : keys) {
            ListValue l = ListValue.get(db, key); // WRONGTYPE for a key of another type, in order
            if (l == null || l.size() == 0) continue;
            pop(c, key, head, count);
            return;
        }
        c.server.blocking().block(c, keys.toArray(new byte[0][]), deadline, (call, ready) -> {
            StoredValue v = call.db().get(ready);
            if (v == null || v.type != StoredValue.TYPE_LIST) return false;
            pop(call, ready, head, count);
            return true;
        });
    }

    /** Pops from a non-empty list, replies and sets the propagated effect. */
    private static void pop(Call c, byte[] key, boolean head, long count) {
        List<byte[]> popped = ListOps.pop(c.server, c.client.db, key, head, count == -1 ? 1 : count);
        c.out.array(2);
        c.out.bulk(key);
        if (count == -1) {
            c.out.bulk(popped.get(0));
            c.propagateAs(head ? ListCommands.LPOP : ListCommands.RPOP, key);
        } else {
            c.out.array(popped.size());
            for (byte[] e : popped) c.out.bulk(e);
            c.propagateAs(head ? ListCommands.LPOP : ListCommands.RPOP, key, StringCommands.b(Long.toString(popped.size())));
        }
    }

    // ---------------------------------------------------------------- BLMOVE / BRPOPLPUSH

    /** blmoveGenericCommand. */
    static void bmove(Call c, boolean fromHead, boolean toHead, long deadline, boolean rpoplpush) {
        byte[] src = c.arg(1);
        byte[] dst = c.arg(2);
        ListValue l = ListValue.get(c.db(), src);
        if (l != null && l.size() > 0) {
            c.out.bulk(ListOps.move(c.server, c.client.db, src, dst, fromHead, toHead));
            if (rpoplpush) c.propagateAs(RPOPLPUSH, src, dst);
            else c.propagateAs(LMOVE, src, dst, c.arg(3), c.arg(4));
            return;
        }
        if (!c.server.blocking().canBlock(c.client)) {
            c.out.nullBulk();
            return;
        }
        c.server.blocking().block(c, new byte[][] {src}, deadline, (call, ready) -> {
            StoredValue v = call.db().get(ready);
            if (v == null || v.type != StoredValue.TYPE_LIST) return false;
            // WRONGTYPE for the destination is thrown before anything moves and unblocks the client.
            byte[] e = ListOps.move(call.server, call.client.db, ready, dst, fromHead, toHead);
            call.out.bulk(e);
            if (rpoplpush) call.propagateAs(RPOPLPUSH, ready, dst);
            else call.propagateAs(LMOVE, ready, dst, fromHead ? LEFT : RIGHT, toHead ? LEFT : RIGHT);
            return true;
        });
    }
}
