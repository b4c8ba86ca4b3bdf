package io.tandem.server.command;

/** A command's implementation: reads {@link Call#argv}, changes state, writes one reply. */
@FunctionalInterface
public interface Command {
    void execute(Call call);
}
