package io.tandem.server.commands;

import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandSpec;
import io.tandem.server.command.CommandTable;
import io.tandem.server.command.CommandTableView;
import io.tandem.storage.resp.RespWriter;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** COMMAND [COUNT | INFO | DOCS | GETKEYS | LIST | HELP], from the same table dispatch uses. */
final class CommandCommand {
    private CommandCommand() {}

    static void register(CommandTable t) {
        t.register("command", c -> {
            if (c.argc() != 1) throw new CommandError("ERR unknown subcommand '" + c.str(1) + "'. Try COMMAND HELP.");
            List<CommandSpec> all = c.server.commands().implemented();
            c.out.array(all.size());
            for (CommandSpec s : all) CommandTableView.writeInfo(c.out, s);
        });
        t.register("command|count", c -> c.out.integer(c.server.commands().implemented().size()));
        t.register("command|info", c -> {
            if (c.argc() == 2) {
                List<CommandSpec> all = c.server.commands().implemented();
                c.out.array(all.size());
                for (CommandSpec s : all) CommandTableView.writeInfo(c.out, s);
                return;
            }
            c.out.array(c.argc() - 2);
            for (int i = 2; i < c.argc(); i++) {
                CommandSpec s = c.server.commands().lookup(c.arg(i));
                if (s == null) c.out.nullBulk();
                else CommandTableView.writeInfo(c.out, s);
            }
        });
        t.register("command|docs", c -> {
            List<CommandSpec> specs = new java.util.ArrayList<>();
            if (c.argc() == 2) specs.addAll(c.server.commands().implemented());
            for (int i = 2; i < c.argc(); i++) {
                CommandSpec s = c.server.commands().lookup(c.arg(i));
                if (s != null) specs.add(s);
            }
            RespWriter out = c.out;
            out.map(specs.size());
            for (CommandSpec s : specs) {
                out.bulk(s.name);
                CommandTableView.writeDocs(out, s);
            }
        });
        t.register("command|getkeys", CommandCommand::getkeys);
        t.register("command|getkeysandflags", CommandCommand::getkeys);
        t.register("command|list", c -> {
            List<CommandSpec> all = c.server.commands().implemented();
            String pattern = null;
            String category = null;
            if (c.argc() == 5 && c.is(2, "filterby")) {
                if (c.is(3, "pattern")) pattern = c.str(4);
                else if (c.is(3, "aclcat")) category = c.str(4).toLowerCase(Locale.ROOT);
                else if (!c.is(3, "module")) throw CommandError.SYNTAX_ERROR;
                else all = List.of();
            } else if (c.argc() != 2) {
                throw CommandError.SYNTAX_ERROR;
            }
            List<String> names = new java.util.ArrayList<>();
            for (CommandSpec s : all) {
                if (pattern != null && !io.tandem.storage.util.Glob.match(pattern, s.name, true)) continue;
                if (category != null && !CommandTableView.categories(s).contains("@" + category)) continue;
                names.add(s.name);
                for (CommandSpec sub : s.subcommands().values()) {
                    if (sub.handler() != null && (pattern == null || io.tandem.storage.util.Glob.match(pattern, sub.name, true))) {
                        names.add(sub.name);
                    }
                }
            }
            c.out.array(names.size());
            for (String n : names) c.out.bulk(n);
        });
    }

    private static void getkeys(Call c) {
        byte[][] argv = java.util.Arrays.copyOfRange(c.argv, 2, c.argc());
        CommandSpec s = c.server.commands().lookup(argv[0]);
        if (s == null) throw new CommandError("ERR Invalid command specified");
        if (!s.subcommands().isEmpty() && argv.length > 1) {
            CommandSpec sub = CommandTable.subcommand(s, argv[1]);
            if (sub != null) s = sub;
        }
        if (!s.arityOk(argv.length)) throw new CommandError("ERR Invalid number of arguments specified for command");
        int[] keys = s.keyPositions(argv);
        if (keys.length == 0) throw new CommandError("ERR The command has no key arguments");
        boolean withFlags = c.spec.name.endsWith("andflags");
        c.out.array(keys.length);
        for (int k : keys) {
            if (withFlags) {
                c.out.array(2);
                c.out.bulk(argv[k]);
                c.out.set(0);
            } else {
                c.out.bulk(argv[k]);
            }
        }
    }

    static Map<String, Object> none() {
        return Map.of();
    }
}
