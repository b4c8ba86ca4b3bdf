package io.tandem.server.commands;

import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.server.exec.Client;
import io.tandem.server.exec.ClientPause;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** CLIENT ID | SETNAME | GETNAME | LIST | INFO | KILL | REPLY | NO-EVICT | HELP, as Redis 7.0. */
final class ClientCommand {
    private ClientCommand() {}

    static void register(CommandTable t) {
        t.register("client|id", c -> c.out.integer(c.client.id));
        t.register("client|setname", ClientCommand::setname);
        t.register("client|getname", c -> {
            if (c.client.name == null) c.out.nullBulk();
            else c.out.bulk(c.client.name);
        });
        t.register("client|list", ClientCommand::list);
        t.register("client|info", c -> c.out.verbatim(info(c, c.client) + "\n"));
        t.register("client|kill", ClientCommand::kill);
        t.register("client|reply", ClientCommand::reply);
        t.register("client|no-evict", c -> {
            if (c.is(2, "on")) c.client.noEvict = true;
            else if (c.is(2, "off")) c.client.noEvict = false;
            else throw CommandError.SYNTAX_ERROR;
            c.out.ok();
        });
        t.register("client|pause", ClientCommand::pause);
        t.register("client|unpause", c -> {
            c.server.clientPause().unpause();
            c.out.ok();
        });
        t.register("client|unblock", ClientCommand::unblock);
        t.register("client|help", c -> {
            String[] lines = {
                "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GETNAME", "    Return the name of the current connection.",
                "ID", "    Return the ID of the current connection.",
                "INFO", "    Return information about the current client connection.",
                "KILL <ip:port>", "    Kill connection made from <ip:port>.",
                "KILL <option> <value> [<option> <value> [...]]",
                "    Kill connections. Options are: ID, TYPE (NORMAL|MASTER|REPLICA|PUBSUB), USER, ADDR, LADDR, SKIPME (YES|NO).",
                "LIST [options ...]", "    Return information about client connections. Options: TYPE, ID.",
                "UNPAUSE", "    Stop the current client pause, resuming traffic.",
                "PAUSE <timeout> [WRITE|ALL]", "    Suspend all, or just write, clients for <timeout> milliseconds.",
                "NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.",
                "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
                "SETNAME <name>", "    Assign the name <name> to the current connection.",
                "UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
                "HELP", "    Print this help."
            };
            c.out.array(lines.length);
            for (String l : lines) c.out.simple(l);
        });
    }

    /** CLIENT PAUSE timeout-ms [WRITE|ALL] (Redis 7.0: the mode is checked before the timeout). */
    private static void pause(Call c) {
        int type = ClientPause.ALL;
        if (c.argc() == 4) {
            if (c.is(3, "write")) type = ClientPause.WRITE;
            else if (c.is(3, "all")) type = ClientPause.ALL;
            else throw new CommandError("ERR CLIENT PAUSE mode must be WRITE or ALL");
        } else if (c.argc() > 4) {
            throw subcommandSyntax(c);
        }
        long ms = c.longArg(2, "ERR timeout is not an integer or out of range");
        if (ms < 0) throw new CommandError("ERR timeout is negative");
        long end = 0;
        if (ms > 0) {
            long now = c.now();
            if (ms > Long.MAX_VALUE - now) throw new CommandError("ERR timeout is out of range");
            end = now + ms;
        }
        c.server.clientPause().pause(type, end);
        c.out.ok();
    }

    /** Redis 7.0's addReplySubcommandSyntaxError. */
    private static CommandError subcommandSyntax(Call c) {
        return new CommandError("ERR unknown subcommand or wrong number of arguments for '" + c.str(1) + "'. Try CLIENT HELP.");
    }

    /** CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if the client was blocked on keys and is now answered. */
    private static void unblock(Call c) {
        boolean error = false;
        if (c.argc() == 4) {
            if (c.is(3, "timeout")) error = false;
            else if (c.is(3, "error")) error = true;
            else throw new CommandError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
        } else if (c.argc() > 4) {
            throw subcommandSyntax(c);
        }
        long id = c.longArg(2);
        Client target = c.server.clients().get(id);
        // A client held by CLIENT PAUSE is not unblocked (Redis 7.0 would crash on it).
        boolean done = target != null && c.server.blocking().unblockByCommand(target, error);
        c.out.integer(done ? 1 : 0);
    }

    /** Redis: names may not contain spaces, newlines or other special characters. */
    static String validateName(byte[] name) {
        for (byte b : name) {
            if (b < '!' || b > '~') return "ERR Client names cannot contain spaces, newlines or special characters.";
        }
        return null;
    }

    private static void setname(Call c) {
        String err = validateName(c.arg(2));
        if (err != null) throw new CommandError(err);
        c.client.name = c.arg(2).length == 0 ? null : c.str(2);
        c.out.ok();
    }

    private static void reply(Call c) {
        if (c.is(2, "on")) {
            c.client.replyMode = 0;
            c.out.ok();
        } else if (c.is(2, "off")) {
            c.client.replyMode = 1;
        } else if (c.is(2, "skip")) {
            c.client.replyMode = 2;
        } else {
            throw CommandError.SYNTAX_ERROR;
        }
    }

    private static void list(Call c) {
        List<Client> selected = new ArrayList<>();
        int argc = c.argc();
        if (argc == 4 && c.is(2, "type")) {
            int kind = typeOf(c.str(3));
            if (kind < 0) throw new CommandError("ERR Unknown client type '" + c.str(3) + "'");
            for (Client cl : c.server.clients().values()) if (kindOf(cl) == kind) selected.add(cl);
        } else if (argc >= 4 && c.is(2, "id")) {
            for (int i = 3; i < argc; i++) {
                long id = io.tandem.server.command.Numbers.parseLongOr(c.arg(i), Long.MIN_VALUE, true);
                if (id <= 0) throw new CommandError("ERR Invalid client ID");
                Client cl = c.server.clients().get(id);
                if (cl != null) selected.add(cl);
            }
        } else if (argc != 2) {
            throw CommandError.SYNTAX_ERROR;
        } else {
            selected.addAll(c.server.clients().values());
        }
        StringBuilder sb = new StringBuilder();
        for (Client cl : selected) sb.append(info(c, cl)).append('\n');
        c.out.verbatim(sb.toString());
    }

    /** normal 0, replica 1, master 2, pubsub 3; -1 unknown. */
    static int typeOf(String s) {
        return switch (s.toLowerCase()) {
            case "normal" -> 0;
            case "slave", "replica" -> 1;
            case "master" -> 2;
            case "pubsub" -> 3;
            default -> -1;
        };
    }

    static int kindOf(Client cl) {
        if (cl.kind != 0) return cl.kind;
        return cl.subscriptions > 0 ? 3 : 0;
    }

    /** One CLIENT LIST line, with Redis 7.0's fields in Redis's order. */
    static String info(Call c, Client cl) {
        long now = c.server.keyspace().now();
        StringBuilder flags = new StringBuilder();
        if (cl.kind == 1) flags.append('S');
        if (cl.kind == 2) flags.append('M');
        if (cl.subscriptions > 0) flags.append('P');
        if (cl.multi != null) flags.append('x');
        if (cl.blocked) flags.append('b');
        if (cl.closeAfterReply) flags.append('c');
        if (cl.noEvict) flags.append('e');
        if (cl.monitor) flags.append('O');
        if (flags.length() == 0) flags.append('N');
        String cmd = cl == c.client ? c.spec.name : cl.lastCommand;
        return "id=" + cl.id + " addr=" + cl.addr() + " laddr=" + cl.laddr() + " fd=" + (cl.isInternal() ? -1 : 8)
                + " name=" + (cl.name == null ? "" : cl.name)
                + " age=" + Math.max(0, (now - cl.createdMs) / 1000) + " idle=" + Math.max(0, (now - cl.lastInteractionMs) / 1000)
                + " flags=" + flags + " db=" + cl.db + " sub=" + c.server.pubsub().channelCount(cl)
                + " psub=" + c.server.pubsub().patternCount(cl) + " ssub=" + c.server.pubsub().shardCount(cl)
                + " multi=" + (cl.multi == null ? -1 : cl.multi.size())
                + " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=" + cl.pendingBytes()
                + " tot-mem=" + (1024 + cl.pendingBytes()) + " events=r cmd=" + cmd + " user=" + cl.user
                + " redir=-1 resp=" + cl.writer.protocol();
    }

    private static void kill(Call c) {
        int argc = c.argc();
        if (argc == 3) {
            String addr = c.str(2);
            for (Client cl : new ArrayList<>(c.server.clients().values())) {
                if (cl.addr().equals(addr)) {
                    c.server.killClient(cl, cl == c.client);
                    c.out.ok();
                    return;
                }
            }
            throw new CommandError("ERR No such client");
        }
        long id = 0;
        int type = -1;
        String addr = null;
        String laddr = null;
        String user = null;
        boolean skipme = true;
        for (int i = 2; i < argc; i += 2) {
            // Redis's clientKillCommand: filters in pairs, the first bad one answers.
            if (i + 1 >= argc) throw CommandError.SYNTAX_ERROR;
            String v = c.str(i + 1);
            if (c.is(i, "id")) {
                id = io.tandem.server.command.Numbers.parseLongOr(c.arg(i + 1), Long.MIN_VALUE, true);
                if (id <= 0) throw new CommandError("ERR client-id should be greater than 0");
            } else if (c.is(i, "type")) {
                type = typeOf(v);
                if (type < 0) throw new CommandError("ERR Unknown client type '" + v + "'");
            } else if (c.is(i, "addr")) {
                addr = v;
            } else if (c.is(i, "laddr")) {
                laddr = v;
            } else if (c.is(i, "user")) {
                user = v;
                if (!user.equals("default")) throw new CommandError("ERR No such user '" + v + "'");
            } else if (c.is(i, "skipme")) {
                if (v.equalsIgnoreCase("yes")) skipme = true;
                else if (v.equalsIgnoreCase("no")) skipme = false;
                else throw CommandError.SYNTAX_ERROR;
            } else {
                throw CommandError.SYNTAX_ERROR;
            }
        }
        int killed = 0;
        for (Client cl : new ArrayList<>(c.server.clients().values())) {
            if (cl.isInternal() && cl.kind != 2) continue; // the master link's client can be killed (it reconnects)
            if (id != 0 && cl.id != id) continue;
            if (type >= 0 && kindOf(cl) != type) continue;
            if (addr != null && !cl.addr().equals(addr)) continue;
            if (laddr != null && !cl.laddr().equals(laddr)) continue;
            if (user != null && !cl.user.equals(user)) continue;
            if (skipme && cl == c.client) continue;
            c.server.killClient(cl, cl == c.client);
            killed++;
        }
        c.out.integer(killed);
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
