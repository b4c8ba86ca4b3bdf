package io.tandem.server.commands;

import io.tandem.server.Server;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandFlag;
import io.tandem.server.command.CommandTable;
import io.tandem.storage.digest.DatasetDigest;
import io.tandem.storage.digest.ValueDigest;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Encoding;
import io.tandem.storage.keyspace.Keyspace;
import io.tandem.storage.keyspace.StoredValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * DEBUG, behind {@code enable-debug-command} as in Redis 7 (a protected command). DIGEST and
 * DIGEST-VALUE compute exactly Redis's values, so operators can compare a Tandem node with a
 * Redis node.
 */
public final class DebugCommand {
    private static final Logger log = LoggerFactory.getLogger(DebugCommand.class);

    private DebugCommand() {}

    /** How a stored value is digested; the collection types install theirs (strings by default). */
    private static Function<StoredValue, ValueDigest> digester = v -> {
        if (v.type != StoredValue.TYPE_STRING) throw new IllegalStateException("no digester for type " + v.type);
        return ValueDigest.string(v.payload);
    };

    public static void setDigester(Function<StoredValue, ValueDigest> d) {
        digester = d;
    }

    static void register(CommandTable t, Server server) {
        // DEBUG and MODULE are "protected": refused unless enable-debug-command allows them.
        server.addDenyRule((c, spec) -> {
            if (!spec.has(CommandFlag.PROTECTED)) return null;
            String mode = server.settings().enableDebugCommand;
            boolean local = isLocal(c);
            if (mode.equals("yes") || (mode.equals("local") && local)) return null;
            String name = spec.name.startsWith("debug") ? "DEBUG" : "MODULE";
            return "ERR " + name + " command not allowed. If the enable-debug-command option is set to \"local\", "
                    + "you can run it from a local connection, otherwise you need to set this option in the "
                    + "configuration file, and then restart the server.";
        });
        t.register("debug", DebugCommand::debug);
    }

    /** Loopback or unix-socket connection (Redis's islocalClient). */
    static boolean isLocal(io.tandem.server.exec.Client c) {
        return c.isInternal() || c.addr().startsWith("127.") || c.addr().startsWith("0:0:0:0:0:0:0:1")
                || c.addr().startsWith("::1") || c.addr().startsWith("/") || c.addr().isEmpty();
    }

    static void debug(Call c) {
        String sub = c.str(1).toLowerCase();
        switch (sub) {
            case "sleep" -> {
                need(c, 3);
                double secs = c.doubleArg(2);
                try {
                    Thread.sleep((long) (secs * 1000), (int) ((secs * 1e9) % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                c.out.ok();
            }
            case "set-active-expire" -> {
                need(c, 3);
                c.server.setActiveExpire(c.longArg(2) != 0);
                c.out.ok();
            }
            case "log" -> {
                need(c, 3);
                log.warn("DEBUG LOG: {}", c.str(2));
                c.out.ok();
            }
            case "digest" -> c.out.simple(digest(c.server.keyspace()));
            case "digest-value" -> {
                c.out.array(c.argc() - 2);
                for (int i = 2; i < c.argc(); i++) {
                    StoredValue v = c.db().get(c.arg(i));
                    c.out.simple(v == null ? DatasetDigest.EMPTY_HEX : digester.apply(v).hex(v.expireAt != StoredValue.NO_EXPIRE));
                }
            }
            case "object" -> {
                need(c, 3);
                StoredValue v = c.db().get(c.arg(2));
                if (v == null) throw new CommandError(CommandError.NO_SUCH_KEY);
                long idle = Math.max(0, (System.currentTimeMillis() / 1000 & 0xFFFFFF) - v.lru);
                c.out.simple("Value at:0x" + Long.toHexString(System.identityHashCode(v)) + " refcount:1 encoding:"
                        + Encoding.name(v.encoding) + " serializedlength:" + (v.payload.length + 1) + " lru:" + v.lru
                        + " lru_seconds_idle:" + idle);
            }
            case "populate" -> populate(c);
            case "change-repl-id" -> {
                need(c, 2);
                c.server.replicationIds().changeId();
                c.server.replicationIds().clearId2();
                log.warn("Changing replication IDs after receiving DEBUG change-repl-id");
                c.out.ok();
            }
            case "help" -> {
                String[] lines = {
                    "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "DIGEST", "    Output a hex signature representing the current DB content.",
                    "CHANGE-REPL-ID", "    Change the replication IDs of the instance.",
                    "    Dangerous: should be used only for testing the replication subsystem.",
                    "DIGEST-VALUE <key> [<key> ...]", "    Output a hex signature of the values of all the specified keys.",
                    "LOG <message>", "    Write <message> to the server log.",
                    "OBJECT <key>", "    Show low level info about the `key` and associated value.",
                    "POPULATE <count> [<prefix>] [<size>]", "    Create <count> string keys named key:<num>.",
                    "SET-ACTIVE-EXPIRE <0|1>", "    Setting it to 0 disables expiring keys in background when they are not accessed.",
                    "SLEEP <seconds>", "    Stop the server for <seconds>. Decimals allowed.",
                    "HELP", "    Print this help."
                };
                c.out.array(lines.length);
                for (String l : lines) c.out.simple(l);
            }
            default -> {
                DebugExtensions.Handler h = DebugExtensions.get(sub);
                if (h == null) {
                    throw new CommandError("ERR unknown subcommand or wrong number of arguments for '" + c.str(1) + "'. Try DEBUG HELP.");
                }
                h.run(c);
            }
        }
    }

    private static void need(Call c, int argc) {
        if (c.argc() != argc) {
            throw new CommandError("ERR unknown subcommand or wrong number of arguments for '" + c.str(1) + "'. Try DEBUG HELP.");
        }
    }

    /** DEBUG DIGEST over every database, as Redis's computeDatasetDigest. */
    public static String digest(Keyspace ks) {
        DatasetDigest d = new DatasetDigest();
        for (int i = 0; i < ks.databases(); i++) {
            Database db = ks.db(i);
            if (db.size() == 0) continue;
            d.selectDb(i);
            db.forEach((k, v) -> d.key(k, v.expireAt, digester.apply(v)));
        }
        return d.hex();
    }

    /** DEBUG POPULATE count [prefix] [size]: key:N = value:N (padded or cut to size); existing keys kept. */
    static void populate(Call c) {
        if (c.argc() < 3 || c.argc() > 5) throw CommandError.wrongArity("debug");
        long count = c.longArg(2);
        if (count < 0) throw new CommandError("ERR count must be positive");
        String prefix = c.argc() >= 4 ? c.str(3) : "key";
        long size = c.argc() == 5 ? c.longArg(4) : 0;
        if (size < 0) throw new CommandError("ERR size must be positive");
        Database db = c.db();
        for (long j = 0; j < count; j++) {
            byte[] key = (prefix + ":" + j).getBytes(StandardCharsets.UTF_8);
            if (db.exists(key)) continue;
            byte[] val = ("value:" + j).getBytes(StandardCharsets.UTF_8);
            if (size > 0) {
                byte[] v = new byte[(int) size];
                System.arraycopy(val, 0, v, 0, (int) Math.min(size, val.length));
                val = v;
            }
            StringCommands.putString(db, key, val, StoredValue.NO_EXPIRE);
        }
        c.dirty(count);
        c.out.ok();
    }
}
