package io.tandem.server.exec;

import io.tandem.server.Server;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandFlag;
import io.tandem.server.command.CommandSpec;
import io.tandem.server.command.CommandTable;
import io.tandem.storage.resp.Replies;
import io.tandem.storage.resp.RespWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

/**
 * Runs one request on the executor thread, as Redis's {@code processCommand} + {@code call}:
 * lookup, arity, authentication, MULTI queueing, subscriber-mode limits, read-only replica and
 * OOM checks, then the handler, then statistics, slowlog and propagation.
 *
 * <p>The order of the checks and their error texts follow Redis 7.0's processCommand, because
 * clients and test suites depend on which error wins.
 */
public final class Dispatcher {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Dispatcher.class);
    private final Server server;
    private final CommandTable table;
    private final Call call;

    public Dispatcher(Server server, CommandTable table) {
        this.server = server;
        this.table = table;
        this.call = new Call(server);
    }

    /** Executes a request for a client. Executor thread. */
    public void process(Client c, byte[][] argv) {
        if (c.closed) return;
        if (c.blocked || !c.deferred.isEmpty()) {
            c.deferred.add(argv);
            return;
        }
        c.lastInteractionMs = server.keyspace().now();
        RespWriter out = c.out();
        server.executor().markDirty(c);

        CommandSpec spec = table.lookup(argv[0]);
        if (spec == null) {
            rejectQueued(c, unknownCommand(argv));
            return;
        }
        if (!spec.subcommands().isEmpty() && (argv.length >= 2 || spec.handler() == null)) {
            if (argv.length < 2) {
                rejectQueued(c, CommandError.wrongArity(spec.name).getMessage());
                return;
            }
            CommandSpec sub = CommandTable.subcommand(spec, argv[1]);
            if (sub == null) {
                rejectQueued(c, "ERR unknown subcommand '" + sanitize(argv[1], 128) + "'. Try "
                        + spec.name.toUpperCase() + " HELP.");
                return;
            }
            spec = sub;
        }
        if (!spec.arityOk(argv.length)) {
            spec.rejectedCalls++;
            rejectQueued(c, CommandError.wrongArity(spec.name).getMessage());
            return;
        }
        if (server.settings().requirepass != null && !c.authenticated && !c.replaying && !spec.has(CommandFlag.NO_AUTH)) {
            spec.rejectedCalls++;
            rejectQueued(c, "NOAUTH Authentication required.");
            return;
        }
        if (server.clientPause().holds(c, spec)) {
            // CLIENT PAUSE: held, not refused, until the pause ends (checked before MULTI queueing, as Redis 7.0).
            server.clientPause().postpone(c, argv);
            return;
        }
        if (c.multi != null && !isMultiControl(spec)) {
            if (spec.has(CommandFlag.NO_MULTI)) {
                spec.rejectedCalls++;
                rejectQueued(c, "ERR Command not allowed inside a transaction");
                return;
            }
            c.multi.add(argv);
            out.raw(Replies.QUEUED);
            return;
        }
        if (c.subscriptions > 0 && out.protocol() == 2 && !allowedInSubscriberMode(spec)) {
            spec.rejectedCalls++;
            error(c, "ERR Can't execute '" + spec.name + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            return;
        }
        String deny = c.replaying ? null : server.denyReason(c, spec);
        if (deny != null) {
            spec.rejectedCalls++;
            rejectQueued(c, deny);
            return;
        }
        execute(c, spec, argv);
        // Clients blocked on keys this command made ready are served now, before the next command.
        server.blocking().afterCommand();
    }

    /**
     * Runs an already validated command: the handler, then stats, slowlog, propagation. Also
     * used by EXEC for each queued command.
     */
    public void execute(Client c, CommandSpec spec, byte[][] argv) {
        run(c, spec, argv, spec.handler(), true);
    }

    /**
     * Runs {@code body} as client c's command {@code spec argv} with the bookkeeping of
     * {@link #execute} (errors as replies, keys touched, propagation), but without counting
     * another call or feeding MONITOR: how a blocked command is served ({@link Blocking}).
     */
    public void executeAs(Client c, CommandSpec spec, byte[][] argv, io.tandem.server.command.Command body) {
        run(c, spec, argv, body, false);
    }

    /** True while a command runs (lazy expiry then propagates its DEL with the command). */
    public boolean inCommand() {
        return call.client != null;
    }

    private void run(Client c, CommandSpec spec, byte[][] argv, io.tandem.server.command.Command body, boolean count) {
        Call call = this.call;
        Client prevClient = call.client;
        byte[][] prevArgv = call.argv;
        CommandSpec prevSpec = call.spec;
        call.client = c;
        call.argv = argv;
        call.spec = spec;
        call.out = c.out();
        int db = c.db;
        Stats stats = server.stats();
        long dirtyBefore = stats.dirty;
        long start = System.nanoTime();
        try {
            if (count && (c.monitor || server.hasMonitors())) server.feedMonitors(c, spec, argv);
            server.eviction().touchKeys(db, spec, argv);
            body.execute(call);
        } catch (CommandError e) {
            spec.failedCalls++;
            error(c, e.getMessage());
        } catch (RuntimeException e) {
            // A bug or a limit of ours, never the client's fault: answer, log, keep serving.
            spec.failedCalls++;
            server.stats().unexpectedErrorReplies++;
            log.warn("Command '{}' failed: {}", spec.name, e.toString());
            error(c, "ERR " + (e instanceof IllegalArgumentException ? e.getMessage() : "internal error executing '" + spec.name + "': " + e));
        } finally {
            long micros = (System.nanoTime() - start) / 1000;
            if (count) {
                spec.calls++;
                spec.microseconds += micros;
                stats.commandsProcessed++;
                c.lastCommand = spec.name;
                server.afterCommand(c, spec, argv, micros);
            }
            boolean changed = stats.dirty != dirtyBefore && spec.isWrite();
            if (changed && server.hasKeyListeners()) {
                for (int k : spec.keyPositions(argv)) server.keyTouched(db, argv[k]);
            }
            server.propagation().finish(db, argv, changed);
            if (changed) c.woff = server.replicationIds().offset();
            call.client = prevClient;
            call.argv = prevArgv;
            call.spec = prevSpec;
            call.out = prevClient == null ? null : prevClient.out();
        }
    }

    /** Writes an error reply and counts it (INFO errorstats). */
    public void error(Client c, String message) {
        server.stats().countError(message);
        c.out().error(message);
    }

    /** An error for a command that could not be queued: inside MULTI it also dooms the transaction. */
    private void rejectQueued(Client c, String message) {
        if (c.multi != null) c.multiError = true;
        error(c, message);
    }

    private static boolean isMultiControl(CommandSpec spec) {
        String n = spec.name;
        return n.equals("exec") || n.equals("discard") || n.equals("multi") || n.equals("watch")
                || n.equals("quit") || n.equals("reset");
    }

    private static boolean allowedInSubscriberMode(CommandSpec spec) {
        switch (spec.name) {
            case "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe",
                 "punsubscribe", "quit", "reset" -> {
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** Redis 7.0: {@code ERR unknown command 'x', with args beginning with: 'a' 'b' }. */
    static String unknownCommand(byte[][] argv) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < argv.length && args.length() < 128; i++) {
            int room = 128 - args.length();
            args.append('\'').append(sanitize(argv[i], Math.max(0, room - 3))).append("' ");
        }
        return "ERR unknown command '" + sanitize(argv[0], 128) + "', with args beginning with: " + args;
    }

    /** Redis prints at most n chars of user input in errors, with non-printables replaced. */
    static String sanitize(byte[] b, int n) {
        String s = new String(b, 0, Math.min(b.length, n), StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            sb.append(ch < 32 || ch == 127 ? ' ' : ch);
        }
        return sb.toString();
    }

    /** Runs the commands a client queued while blocked, once it is unblocked. */
    public void runDeferred(Client c) {
        ArrayList<byte[][]> batch = new ArrayList<>(c.deferred);
        c.deferred.clear();
        for (int i = 0; i < batch.size(); i++) {
            if (c.blocked) {
                for (int j = i; j < batch.size(); j++) c.deferred.add(batch.get(j));
                return;
            }
            process(c, batch.get(i));
        }
    }
}
