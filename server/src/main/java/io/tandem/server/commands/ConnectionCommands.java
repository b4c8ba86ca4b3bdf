package io.tandem.server.commands;

import io.tandem.server.Server;
import io.tandem.server.Version;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.server.exec.Client;
import io.tandem.storage.resp.Replies;
import io.tandem.storage.resp.RespWriter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/** PING ECHO SELECT QUIT AUTH HELLO RESET, and CLIENT. Redis's networking.c / server.c behaviour. */
public final class ConnectionCommands {
    private ConnectionCommands() {}

    public static void register(CommandTable t) {
        t.register("ping", ConnectionCommands::ping);
        t.register("echo", c -> c.out.bulk(c.arg(1)));
        t.register("select", ConnectionCommands::select);
        t.register("quit", c -> {
            c.out.ok();
            c.client.closeAfterReply = true;
        });
        t.register("auth", ConnectionCommands::auth);
        t.register("hello", ConnectionCommands::hello);
        t.register("reset", ConnectionCommands::reset);
        ClientCommand.register(t);
    }

    static void ping(Call c) {
        if (c.argc() > 2) throw CommandError.wrongArity("ping");
        if (c.client.subscriptions > 0 && c.out.protocol() == 2) {
            // In RESP2 subscriber mode PING answers with a pubsub-shaped array.
            c.out.array(2);
            c.out.bulk("pong");
            c.out.bulk(c.argc() == 2 ? c.arg(1) : new byte[0]);
            return;
        }
        if (c.argc() == 2) c.out.bulk(c.arg(1));
        else c.out.raw(Replies.PONG);
    }

    static void select(Call c) {
        long id = Numbers.parseLongOr(c.arg(1), Long.MIN_VALUE);
        if (id == Long.MIN_VALUE) throw CommandError.NOT_AN_INTEGER;
        if (id < 0 || id >= c.server.keyspace().databases()) throw new CommandError(CommandError.DB_INDEX_OUT_OF_RANGE);
        c.client.db = (int) id;
        c.out.ok();
    }

    static void auth(Call c) {
        if (c.argc() > 3) throw CommandError.SYNTAX_ERROR;
        String required = c.server.settings().requirepass;
        if (c.argc() == 2 && required == null) {
            throw new CommandError("ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?");
        }
        byte[] user = c.argc() == 3 ? c.arg(1) : "default".getBytes(StandardCharsets.US_ASCII);
        byte[] pass = c.arg(c.argc() - 1);
        if (!checkPassword(c.server, user, pass)) {
            throw new CommandError("WRONGPASS invalid username-password pair or user is disabled.");
        }
        c.client.authenticated = true;
        c.out.ok();
    }

    /** The default user is the only user: any password when none is set, else requirepass (constant-time compare). */
    static boolean checkPassword(Server server, byte[] user, byte[] pass) {
        if (!new String(user, StandardCharsets.UTF_8).equals("default")) return false;
        String required = server.settings().requirepass;
        if (required == null) return true;
        return MessageDigest.isEqual(required.getBytes(StandardCharsets.UTF_8), pass);
    }

    static void hello(Call c) {
        int argc = c.argc();
        int proto = c.out.protocol();
        int i = 1;
        if (argc >= 2) {
            long v = Numbers.parseLongOr(c.arg(1), Long.MIN_VALUE);
            if (v == Long.MIN_VALUE) throw new CommandError("ERR Protocol version is not an integer or out of range");
            if (v < 2 || v > 3) throw new CommandError("NOPROTO unsupported protocol version");
            proto = (int) v;
            i = 2;
        }
        byte[] setName = null;
        for (; i < argc; i++) {
            int left = argc - i - 1;
            if (c.is(i, "auth") && left >= 2) {
                if (!checkPassword(c.server, c.arg(i + 1), c.arg(i + 2))) {
                    throw new CommandError("WRONGPASS invalid username-password pair or user is disabled.");
                }
                c.client.authenticated = true;
                i += 2;
            } else if (c.is(i, "setname") && left >= 1) {
                setName = c.arg(i + 1);
                i += 1;
            } else {
                throw new CommandError("ERR Syntax error in HELLO option '" + c.str(i) + "'");
            }
        }
        if (c.server.settings().requirepass != null && !c.client.authenticated) {
            throw new CommandError("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                    + "HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
                    + "protocol version at the same time");
        }
        if (setName != null) {
            String err = ClientCommand.validateName(setName);
            if (err != null) throw new CommandError(err);
            c.client.name = setName.length == 0 ? null : new String(setName, StandardCharsets.UTF_8);
        }
        c.out.protocol(proto);
        c.client.writer.protocol(proto);
        RespWriter out = c.out;
        out.map(7);
        out.bulk("server");
        out.bulk("redis");
        out.bulk("version");
        out.bulk(Version.REDIS_VERSION);
        out.bulk("proto");
        out.integer(proto);
        out.bulk("id");
        out.integer(c.client.id);
        out.bulk("mode");
        out.bulk("standalone");
        out.bulk("role");
        out.bulk(c.server.role() == 'S' ? "replica" : "master");
        out.bulk("modules");
        out.array(0);
    }

    static void reset(Call c) {
        Client cl = c.client;
        c.server.resetClient(cl);
        cl.db = 0;
        cl.name = null;
        cl.replyMode = 0;
        cl.noEvict = false;
        cl.authenticated = c.server.settings().requirepass == null;
        c.out.protocol(2);
        cl.writer.protocol(2);
        c.out.simple("RESET");
    }

    /** Parses a long the way SELECT and friends do, without throwing. */
    static final class Numbers {
        private Numbers() {}

        static long parseLongOr(byte[] b, long fallback) {
            return io.tandem.server.command.Numbers.parseLongOr(b, fallback, true);
        }
    }

    static List<String> words(String... w) {
        return new ArrayList<>(List.of(w));
    }
}
