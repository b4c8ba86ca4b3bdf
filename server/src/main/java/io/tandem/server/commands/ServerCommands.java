package io.tandem.server.commands;

import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** INFO TIME SHUTDOWN MONITOR SLOWLOG LATENCY MEMORY — server-level commands (server.c, slowlog.c, latency.c). */
public final class ServerCommands {
    private ServerCommands() {}

    public static void register(CommandTable t, Info info) {
        t.register("info", c -> {
            List<String> sections = new ArrayList<>();
            for (int i = 1; i < c.argc(); i++) sections.add(c.str(i).toLowerCase(Locale.ROOT));
            c.out.verbatim(info.render(sections));
        });
        t.register("time", c -> {
            long us = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
            c.out.array(2);
            c.out.bulkLong(us / 1_000_000);
            c.out.bulkLong(us % 1_000_000);
        });
        t.register("shutdown", ServerCommands::shutdown);
        t.register("monitor", c -> {
            if (c.client.monitor) return;
            c.server.addMonitor(c.client);
            c.out.ok();
        });
        t.register("slowlog|get", c -> {
            long count = 10;
            if (c.argc() == 3) {
                count = c.longArg(2, "ERR count should be greater than or equal to -1");
                if (count < -1) throw new CommandError("ERR count should be greater than or equal to -1");
            }
            c.server.slowlog().write(c.out, count);
        });
        t.register("slowlog|len", c -> c.out.integer(c.server.slowlog().size()));
        t.register("slowlog|reset", c -> {
            c.server.slowlog().reset();
            c.out.ok();
        });
        t.register("latency|latest", c -> c.server.latency().latest(c.out));
        t.register("latency|history", c -> c.server.latency().history(c.out, c.str(2)));
        t.register("latency|reset", c -> {
            String[] names = new String[c.argc() - 2];
            for (int i = 2; i < c.argc(); i++) names[i - 2] = c.str(i);
            c.out.integer(c.server.latency().reset(names));
        });
        t.register("memory|usage", c -> {
            if (c.argc() != 3 && !(c.argc() == 5 && c.is(3, "samples"))) throw CommandError.SYNTAX_ERROR;
            long n = c.db().memoryUsage(c.arg(2));
            if (n < 0) c.out.nullBulk();
            else c.out.integer(n);
        });
        t.register("memory|stats", c -> {
            c.out.map(4);
            c.out.bulk("peak.allocated");
            c.out.integer(info.usedMemory());
            c.out.bulk("total.allocated");
            c.out.integer(info.usedMemory());
            c.out.bulk("keyspace.offheap");
            c.out.integer(c.server.keyspace().memoryUsage());
            c.out.bulk("keys.count");
            long keys = 0;
            for (int i = 0; i < c.server.keyspace().databases(); i++) keys += c.server.keyspace().db(i).size();
            c.out.integer(keys);
        });
        t.register("memory|doctor", c -> c.out.verbatim("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base."));
    }

    /**
     * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. The reply is only sent on failure: on
     * success the connection closes as the process exits, as in Redis.
     */
    static void shutdown(Call c) {
        boolean nosave = false, save = false, force = false;
        for (int i = 1; i < c.argc(); i++) {
            if (c.is(i, "nosave")) nosave = true;
            else if (c.is(i, "save")) save = true;
            else if (c.is(i, "force")) force = true;
            else if (c.is(i, "now")) { /* no replica wait yet */ }
            else if (c.is(i, "abort")) throw new CommandError("ERR No shutdown in progress.");
            else throw CommandError.SYNTAX_ERROR;
        }
        if (nosave && save) throw CommandError.SYNTAX_ERROR;
        String err = c.server.shutdown(save ? 1 : nosave ? -1 : 0, force);
        if (err != null) throw new CommandError(err);
        c.client.closeAfterReply = true;
    }
}
