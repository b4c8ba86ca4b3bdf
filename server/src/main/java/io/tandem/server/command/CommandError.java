package io.tandem.server.command;

/**
 * A command failed with a Redis error reply. The message is the whole reply text after the
 * {@code -}, starting with its code ({@code ERR ...}, {@code WRONGTYPE ...}). Thrown by handlers
 * and turned into the reply by the executor; no stack trace is captured (it is not a bug).
 */
public final class CommandError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    public static final String NOT_FLOAT = "ERR value is not a valid float";
    public static final String SYNTAX = "ERR syntax error";
    public static final String NO_SUCH_KEY = "ERR no such key";
    public static final String OVERFLOW = "ERR increment or decrement would overflow";
    public static final String INDEX_OUT_OF_RANGE = "ERR index out of range";
    public static final String DB_INDEX_OUT_OF_RANGE = "ERR DB index is out of range";
    public static final String NOT_POSITIVE = "ERR value is out of range, must be positive";

    public static final CommandError WRONG_TYPE = new CommandError(WRONGTYPE);
    public static final CommandError NOT_AN_INTEGER = new CommandError(NOT_INTEGER);
    public static final CommandError NOT_A_FLOAT = new CommandError(NOT_FLOAT);
    public static final CommandError SYNTAX_ERROR = new CommandError(SYNTAX);

    public CommandError(String message) {
        super(message, null, false, false);
    }

    public static CommandError wrongArity(String command) {
        return new CommandError("ERR wrong number of arguments for '" + command + "' command");
    }
}
