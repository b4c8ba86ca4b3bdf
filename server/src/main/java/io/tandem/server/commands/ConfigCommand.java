package io.tandem.server.commands;

import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.server.config.ConfigSetException;
import io.tandem.server.config.ServerConfig;
import io.tandem.storage.resp.RespWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** CONFIG GET | SET | REWRITE | RESETSTAT | HELP over the typed configuration (Redis's config.c). */
final class ConfigCommand {
    private static final Logger log = LoggerFactory.getLogger(ConfigCommand.class);

    private ConfigCommand() {}

    static void register(CommandTable t, ServerConfig config) {
        t.register("config|get", c -> {
            List<String> patterns = new ArrayList<>();
            for (int i = 2; i < c.argc(); i++) patterns.add(c.str(i));
            List<Map.Entry<String, String>> found = config.getMatching(patterns);
            RespWriter out = c.out;
            out.map(found.size());
            for (Map.Entry<String, String> e : found) {
                out.bulk(e.getKey());
                out.bulk(e.getValue());
            }
        });
        t.register("config|set", c -> {
            if (c.argc() % 2 != 0) throw CommandError.wrongArity("config|set");
            List<String> pairs = new ArrayList<>();
            for (int i = 2; i < c.argc(); i++) pairs.add(c.str(i));
            try {
                config.set(pairs, DebugCommand.isLocal(c.client), false);
            } catch (ConfigSetException e) {
                throw new CommandError(e.isLoadingError() ? e.getMessage() : "ERR " + e.getMessage());
            }
            c.out.ok();
        });
        t.register("config|rewrite", c -> {
            if (config.configFile() == null) throw new CommandError("ERR The server is running without a config file");
            try {
                config.rewrite();
            } catch (IOException e) {
                log.warn("CONFIG REWRITE failed: {}", e.getMessage());
                throw new CommandError("ERR Rewriting config file: " + e.getMessage());
            }
            log.info("CONFIG REWRITE executed with success.");
            c.out.ok();
        });
        t.register("config|resetstat", c -> {
            c.server.stats().reset();
            for (var s : c.server.commands().allImplementedWithSubcommands()) s.resetStats();
            c.server.slowlog().reset();
            c.out.ok();
        });
        t.register("config|help", c -> {
            String[] lines = {
                "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
                "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
                "RESETSTAT", "    Reset statistics reported by the INFO command.",
                "REWRITE", "    Rewrite the configuration file.",
                "HELP", "    Print this help."
            };
            c.out.array(lines.length);
            for (String l : lines) c.out.simple(l);
        });
    }

    static boolean local(Call c) {
        return DebugCommand.isLocal(c.client);
    }
}
