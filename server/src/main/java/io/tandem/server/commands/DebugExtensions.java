package io.tandem.server.commands;

import io.tandem.server.command.Call;

import java.util.HashMap;
import java.util.Map;

/** DEBUG subcommands contributed by other subsystems (RELOAD, LOADAOF, CHANGE-REPL-ID...). */
public final class DebugExtensions {
    private DebugExtensions() {}

    @FunctionalInterface
    public interface Handler {
        void run(Call c);
    }

    private static final Map<String, Handler> handlers = new HashMap<>();

    public static synchronized void register(String sub, Handler h) {
        handlers.put(sub.toLowerCase(), h);
    }

    static synchronized Handler get(String sub) {
        return handlers.get(sub);
    }
}
