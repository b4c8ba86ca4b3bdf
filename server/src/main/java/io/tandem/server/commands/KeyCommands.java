package io.tandem.server.commands;

import io.tandem.server.KeyspaceEvents;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.StoredValue;

import java.nio.charset.StandardCharsets;

/** Generic key commands (Redis's db.c and expire.c). */
public final class KeyCommands {
    private KeyCommands() {}

    static final byte[] PEXPIREAT = b("PEXPIREAT");
    static final byte[] DEL = b("DEL");

    public static void register(CommandTable t) {
        t.register("del", KeyCommands::del);
        t.register("unlink", KeyCommands::del);
        t.register("exists", KeyCommands::exists);
        t.register("type", c -> {
            int type = c.db().type(c.arg(1));
            c.out.simple(type < 0 ? "none" : StoredValue.typeName((byte) type));
        });
        t.register("dbsize", c -> c.out.integer(c.db().size()));
        t.register("flushdb", c -> flush(c, false));
        t.register("flushall", c -> flush(c, true));
        t.register("expire", c -> expire(c, 1000, false));
        t.register("pexpire", c -> expire(c, 1, false));
        t.register("expireat", c -> expire(c, 1000, true));
        t.register("pexpireat", c -> expire(c, 1, true));
        t.register("ttl", c -> ttl(c, true, false));
        t.register("pttl", c -> ttl(c, false, false));
        t.register("expiretime", c -> ttl(c, true, true));
        t.register("pexpiretime", c -> ttl(c, false, true));
        t.register("persist", KeyCommands::persist);
    }

    static void del(Call c) {
        Database db = c.db();
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (db.delete(c.arg(i))) {
                n++;
                c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "del", c.arg(i), c.client.db);
            }
        }
        c.dirty(n);
        c.out.integer(n);
    }

    static void exists(Call c) {
        Database db = c.db();
        long n = 0;
        for (int i = 1; i < c.argc(); i++) if (db.exists(c.arg(i))) n++;
        c.out.integer(n);
    }

    /** FLUSHDB / FLUSHALL [ASYNC|SYNC]: clearing off-heap maps is cheap, so ASYNC behaves as SYNC. */
    static void flush(Call c, boolean all) {
        if (c.argc() > 2) throw CommandError.SYNTAX_ERROR;
        if (c.argc() == 2 && !c.is(1, "async") && !c.is(1, "sync")) throw CommandError.SYNTAX_ERROR;
        long removed;
        if (all) {
            removed = 0;
            for (int i = 0; i < c.server.keyspace().databases(); i++) removed += c.server.keyspace().db(i).size();
            c.server.keyspace().clearAll();
        } else {
            removed = c.db().size();
            c.db().clear();
        }
        c.server.flushed(all ? -1 : c.client.db);
        c.dirty(Math.max(1, removed));
        c.out.ok();
    }

    /**
     * EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT key time [NX|XX|GT|LT], as Redis 7.0's expireGenericCommand.
     * A time in the past deletes the key (propagated as DEL); otherwise propagated as PEXPIREAT.
     */
    static void expire(Call c, long unitMs, boolean absolute) {
        boolean nx = false, xx = false, gt = false, lt = false;
        for (int i = 3; i < c.argc(); i++) {
            if (c.is(i, "nx")) nx = true;
            else if (c.is(i, "xx")) xx = true;
            else if (c.is(i, "gt")) gt = true;
            else if (c.is(i, "lt")) lt = true;
            else throw new CommandError("ERR Unsupported option " + c.str(i));
        }
        if (nx && (xx || gt || lt)) throw new CommandError("ERR NX and XX, GT or LT options at the same time are not compatible");
        if (gt && lt) throw new CommandError("ERR GT and LT options at the same time are not compatible");
        String cmd = c.spec.name;
        long when = c.longArg(2);
        CommandError invalid = new CommandError("ERR invalid expire time in '" + cmd + "' command");
        if (unitMs == 1000) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) throw invalid;
            when *= 1000;
        }
        if (!absolute) {
            long now = c.now();
            if (when > Long.MAX_VALUE - now) throw invalid;
            when += now;
        }
        byte[] key = c.arg(1);
        Database db = c.db();
        long current = db.getExpire(key);
        if (current == -2) {
            c.out.integer(0);
            return;
        }
        if ((nx && current != -1) || (xx && current == -1)
                || (gt && (current == -1 || when <= current))
                || (lt && current != -1 && when >= current)) {
            c.out.integer(0);
            return;
        }
        if (when <= c.now() && c.server.role() != 'S') {
            db.delete(key);
            c.dirty(1);
            c.propagateAs(DEL, key);
            c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "del", key, c.client.db);
        } else {
            db.setExpire(key, when);
            c.dirty(1);
            c.propagateAs(PEXPIREAT, key, b(Long.toString(when)));
            c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "expire", key, c.client.db);
        }
        c.out.integer(1);
    }

    static void ttl(Call c, boolean seconds, boolean absolute) {
        long at = c.db().getExpire(c.arg(1));
        if (at < 0) {
            c.out.integer(at);
            return;
        }
        long v = absolute ? at : Math.max(0, at - c.now());
        c.out.integer(seconds ? (absolute ? v / 1000 : (v + 500) / 1000) : v);
    }

    static void persist(Call c) {
        Database db = c.db();
        long at = db.getExpire(c.arg(1));
        if (at < 0) {
            c.out.integer(0);
            return;
        }
        db.setExpire(c.arg(1), StoredValue.NO_EXPIRE);
        c.dirty(1);
        c.server.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "persist", c.arg(1), c.client.db);
        c.out.integer(1);
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
