package io.tandem.server.command;

/**
 * Command flags with Redis 7.0's names (as COMMAND INFO reports them). Bit positions are
 * internal only; nothing persists them.
 */
public final class CommandFlag {
    private CommandFlag() {}

    public static final int WRITE = 1;
    public static final int READONLY = 1 << 1;
    public static final int DENYOOM = 1 << 2;
    public static final int MODULE = 1 << 3;
    public static final int ADMIN = 1 << 4;
    public static final int PUBSUB = 1 << 5;
    public static final int NOSCRIPT = 1 << 6;
    public static final int BLOCKING = 1 << 7;
    public static final int LOADING = 1 << 8;
    public static final int STALE = 1 << 9;
    public static final int SKIP_MONITOR = 1 << 10;
    public static final int SKIP_SLOWLOG = 1 << 11;
    public static final int ASKING = 1 << 12;
    public static final int FAST = 1 << 13;
    public static final int NO_AUTH = 1 << 14;
    public static final int MAY_REPLICATE = 1 << 15;
    public static final int SENTINEL = 1 << 16;
    public static final int ONLY_SENTINEL = 1 << 17;
    public static final int NO_MANDATORY_KEYS = 1 << 18;
    public static final int PROTECTED = 1 << 19;
    public static final int NO_ASYNC_LOADING = 1 << 20;
    public static final int NO_MULTI = 1 << 21;
    public static final int ALLOW_BUSY = 1 << 22;
    public static final int MOVABLEKEYS = 1 << 23;

    private static final String[] NAMES = {
        "write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking",
        "loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth",
        "may_replicate", "sentinel", "only_sentinel", "no_mandatory_keys", "protected",
        "no_async_loading", "no_multi", "allow_busy", "movablekeys"
    };

    /** The bit for a Redis flag name; 0 for a name this table does not know. */
    public static int parse(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) return 1 << i;
        }
        return 0;
    }
}
