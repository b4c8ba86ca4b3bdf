package io.tandem.server.commands;

import io.tandem.server.Server;
import io.tandem.server.command.CommandTable;
import io.tandem.server.config.ServerConfig;

/** Registers every command family's handlers in the command table. */
public final class Commands {
    private Commands() {}

    public static void registerAll(Server server, Info info, ServerConfig config) {
        CommandTable t = server.commands();
        ConnectionCommands.register(t);
        StringCommands.register(t);
        KeyCommands.register(t);
        HashCommands.register(t);
        ListCommands.register(t);
        DumpRestoreCommands.register(t, config);
        SetCommands.register(t);
        BlockingListCommands.register(t);
        HyperLogLogCommands.register(t);
        SortCommands.register(t);
        ZSetCommands.register(t);
        DebugCommand.setDigester(ValueDigests::of);
        TransactionCommands.register(t);
        PubSubCommands.register(t);
        ServerCommands.register(t, info);
        CommandCommand.register(t);
        DebugCommand.register(t, server);
        ConfigCommand.register(t, config);
        io.tandem.server.replication.Replication.install(server, info, config);
    }
}
