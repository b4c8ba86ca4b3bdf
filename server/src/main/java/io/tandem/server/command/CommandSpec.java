package io.tandem.server.command;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One command's metadata and handler. The metadata is Redis 7.0's, loaded from
 * {@code redis-commands.jsonl} (see {@link CommandTable}); dispatch (arity, flags), COMMAND,
 * read-only replicas, denyoom and the replication feed all read it from here.
 *
 * <p>The statistics fields are written by the executor thread only.
 */
public final class CommandSpec {
    /** Full name, lowercase: {@code get}, or {@code config|get} for a subcommand. */
    public final String name;
    /** Redis arity: n means exactly n arguments (name included), -n means at least n. */
    public final int arity;
    public final int flags;
    public final int firstKey;
    public final int lastKey;
    public final int keyStep;
    /** COMMAND INFO entry as Redis returns it (parsed JSON), for COMMAND INFO. */
    final List<Object> info;
    /** COMMAND DOCS entry as Redis returns it (parsed JSON). */
    final Map<String, Object> docs;
    final KeySpecs keySpecs;
    final Map<String, CommandSpec> subcommands = new LinkedHashMap<>();
    final CommandSpec parent;
    Command handler;

    // INFO commandstats
    public long calls;
    public long microseconds;
    public long rejectedCalls;
    public long failedCalls;

    CommandSpec(String name, int arity, int flags, int firstKey, int lastKey, int keyStep,
                List<Object> info, Map<String, Object> docs, CommandSpec parent) {
        this.name = name;
        this.arity = arity;
        this.flags = flags;
        this.firstKey = firstKey;
        this.lastKey = lastKey;
        this.keyStep = keyStep;
        this.info = info;
        this.docs = docs;
        this.parent = parent;
        this.keySpecs = KeySpecs.parse(info.size() > 8 ? info.get(8) : null);
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    public boolean isWrite() {
        return (flags & CommandFlag.WRITE) != 0;
    }

    public Command handler() {
        return handler;
    }

    public boolean implemented() {
        if (handler != null) return true;
        for (CommandSpec s : subcommands.values()) {
            if (s.handler != null) return true;
        }
        return false;
    }

    /** The name shown in errors: {@code get}, or {@code config|get}. */
    public String fullName() {
        return name;
    }

    public Map<String, CommandSpec> subcommands() {
        return Collections.unmodifiableMap(subcommands);
    }

    public CommandSpec parent() {
        return parent;
    }

    /** Whether argc satisfies the arity. */
    public boolean arityOk(int argc) {
        return arity > 0 ? argc == arity : argc >= -arity;
    }

    /** Positions of the keys in argv (COMMAND GETKEYS, WATCH-like checks). */
    public int[] keyPositions(byte[][] argv) {
        return keySpecs.positions(argv, firstKey, lastKey, keyStep);
    }

    public void resetStats() {
        calls = microseconds = rejectedCalls = failedCalls = 0;
    }
}
