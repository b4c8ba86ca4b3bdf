package io.tandem.server.commands;

import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandSpec;
import io.tandem.server.command.CommandTable;
import io.tandem.server.exec.Client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * MULTI / EXEC / DISCARD (Redis's multi.c). Queueing happens in the dispatcher; EXEC runs the
 * queue inside one executor task, so nothing interleaves, and the replication stream receives
 * MULTI ... EXEC around the transaction's effects.
 */
public final class TransactionCommands {
    private TransactionCommands() {}

    static final byte[] MULTI = "MULTI".getBytes(StandardCharsets.US_ASCII);
    static final byte[] EXEC = "EXEC".getBytes(StandardCharsets.US_ASCII);

    public static void register(CommandTable t) {
        t.register("multi", c -> {
            if (c.client.multi != null) throw new CommandError("ERR MULTI calls can not be nested");
            c.client.multi = new ArrayList<>();
            c.client.multiError = false;
            c.out.ok();
        });
        t.register("discard", c -> {
            if (c.client.multi == null) throw new CommandError("ERR DISCARD without MULTI");
            c.client.multi = null;
            c.client.multiError = false;
            c.server.watches().unwatch(c.client);
            c.out.ok();
        });
        t.register("exec", TransactionCommands::exec);
        t.register("watch", c -> {
            if (c.client.multi != null) throw new CommandError("ERR WATCH inside MULTI is not allowed");
            for (int i = 1; i < c.argc(); i++) c.server.watches().watch(c.client, c.client.db, c.arg(i));
            c.out.ok();
        });
        t.register("unwatch", c -> {
            c.server.watches().unwatch(c.client);
            c.out.ok();
        });
    }

    static void exec(Call c) {
        Client cl = c.client;
        if (cl.multi == null) throw new CommandError("ERR EXEC without MULTI");
        List<byte[][]> queued = cl.multi;
        cl.multi = null;
        if (cl.multiError) {
            cl.multiError = false;
            c.server.watches().unwatch(cl);
            throw new CommandError("EXECABORT Transaction discarded because of previous errors.");
        }
        boolean aborted = c.server.watches().dirty(cl);
        c.server.watches().unwatch(cl);
        if (aborted) {
            c.out.nullArray();
            return;
        }
        c.out.array(queued.size());
        boolean propagating = c.server.propagation().active();
        boolean denied = cl.denyBlocking;
        cl.denyBlocking = true; // a blocking command in a transaction answers at once
        try {
            runQueued(c, cl, queued, propagating);
        } finally {
            cl.denyBlocking = denied;
        }
    }

    private static void runQueued(Call c, Client cl, List<byte[][]> queued, boolean propagating) {
        boolean wrapped = false;
        for (byte[][] argv : queued) {
            CommandSpec spec = c.server.commands().lookup(argv[0]);
            if (!spec.subcommands().isEmpty() && argv.length >= 2) spec = CommandTable.subcommand(spec, argv[1]);
            // a replaying client (AOF loader, master link) obeys no deny rule, as in Dispatcher
            String deny = cl.replaying ? null : c.server.denyReason(cl, spec);
            if (deny != null) {
                c.server.dispatcher().error(cl, deny);
                continue;
            }
            if (propagating && !wrapped && spec.isWrite()) {
                // Effects of a transaction travel as MULTI ... EXEC so replicas apply them atomically.
                c.server.propagation().emit(cl.db, new byte[][] {MULTI});
                wrapped = true;
            }
            c.server.dispatcher().execute(cl, spec, argv);
        }
        if (wrapped) c.server.propagation().emit(cl.db, new byte[][] {EXEC});
    }
}
