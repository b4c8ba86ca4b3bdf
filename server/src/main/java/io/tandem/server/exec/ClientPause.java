package io.tandem.server.exec;

import io.tandem.server.Server;
import io.tandem.server.command.CommandFlag;
import io.tandem.server.command.CommandSpec;
import io.tandem.server.command.CommandTable;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * CLIENT PAUSE / UNPAUSE (Redis 7.0's pauseClients): while a pause lasts, the commands of normal
 * clients — all of them (ALL), or those that write or may replicate (WRITE: flags write or
 * may_replicate, or an EXEC whose queue holds one) — are held, not refused: the client is marked
 * blocked, the command goes back to the front of {@link Client#deferred}, and it runs, with
 * everything after it, when the pause ends. Replicas and the master link are never paused.
 *
 * <p>As in Redis, expiry is paused too, so the dataset does not change under a paused server:
 * active expiry stops and keys that expire read as missing without being deleted
 * ({@code Keyspace.setExpireDeletes(false)}, restored for a master when the pause ends).
 *
 * <p>A second pause extends the first: the stricter type and the later end win. The end is
 * checked by an executor timer (millisecond precision) and by cron. Executor thread only.
 */
public final class ClientPause {
    public static final int NONE = 0;
    public static final int WRITE = 1;
    public static final int ALL = 2;

    private final Server server;
    private final ArrayDeque<Client> postponed = new ArrayDeque<>();
    private int type = NONE;
    private long endMs;

    public ClientPause(Server server) {
        this.server = server;
    }

    /** True while clients are paused (expiry stays still). */
    public boolean paused() {
        return type != NONE;
    }

    public int type() {
        return type;
    }

    /** Pauses until {@code endMs} (keyspace clock; a time in the past ends it at the next check). */
    public void pause(int newType, long endMs) {
        this.type = Math.max(type, newType);
        this.endMs = Math.max(this.endMs, endMs);
        server.keyspace().setExpireDeletes(false);
        long delay = Math.max(0, this.endMs - server.keyspace().now());
        server.executor().schedule(TimeUnit.MILLISECONDS.toNanos(delay), this::check);
    }

    /** CLIENT UNPAUSE, or the end of the pause: held clients run their commands after the current one. */
    public void unpause() {
        if (type == NONE) return;
        type = NONE;
        endMs = 0;
        if (server.role() != 'S') server.keyspace().setExpireDeletes(true);
        Client c;
        while ((c = postponed.poll()) != null) {
            if (c.closed) continue;
            c.blocked = false;
            server.executor().markDirty(c);
            server.blocking().resume(c);
        }
    }

    /** Ends the pause when its time has come; cron and the executor timer call it. */
    public void check() {
        if (type != NONE && server.keyspace().now() >= endMs) {
            unpause();
            server.blocking().afterCommand();
        }
    }

    /** Whether this command of this client must wait for the pause to end. */
    public boolean holds(Client c, CommandSpec spec) {
        if (type == NONE || c.isInternal() || c.kind == 1 || c.kind == 2) return false;
        if (type == ALL) return true;
        if (mayReplicate(spec)) return true;
        if (spec.name.equals("exec") && c.multi != null) {
            CommandTable table = server.commands();
            for (byte[][] argv : c.multi) {
                CommandSpec q = table.lookup(argv[0]);
                if (q != null && !q.subcommands().isEmpty() && argv.length >= 2) {
                    CommandSpec sub = CommandTable.subcommand(q, argv[1]);
                    if (sub != null) q = sub;
                }
                if (q != null && mayReplicate(q)) return true;
            }
        }
        return false;
    }

    private static boolean mayReplicate(CommandSpec spec) {
        return spec.has(CommandFlag.WRITE) || spec.has(CommandFlag.MAY_REPLICATE);
    }

    /** Holds the client with this command first in line. */
    public void postpone(Client c, byte[][] argv) {
        c.deferred.addFirst(argv);
        c.blocked = true;
        postponed.add(c);
    }

    /** Whether the client is held by the pause (CLIENT UNBLOCK leaves such clients alone). */
    public boolean holdsClient(Client c) {
        return c.blocked && postponed.contains(c);
    }

    public void removeClient(Client c) {
        postponed.remove(c);
    }
}
