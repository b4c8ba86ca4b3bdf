package io.tandem.server.config;

import io.tandem.server.config.Directive.Flag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The table of every configuration directive Redis 7.0.15 knows (names, aliases, types, bounds,
 * defaults, mutability), in the order of the documented configuration file. Directives Tandem
 * does not act upon (cluster, TLS, jemalloc, ...) are still accepted, validated, kept and shown
 * by CONFIG GET, so that stock redis.conf files load unchanged.
 *
 * <p>Not directives of this table (handled by the loader): {@code include}, {@code rename-command},
 * {@code user}, {@code loadmodule}, {@code sentinel}, module configs ({@code name.with.dot}) and the
 * deprecated {@code list-max-ziplist-entries}, {@code list-max-ziplist-value},
 * {@code lua-replicate-commands} (accepted and ignored).
 */
public final class ConfigTable {
    private ConfigTable() {}

    static final long INT_MAX = Integer.MAX_VALUE;
    static final long INT_MIN = Integer.MIN_VALUE;
    static final long UINT_MAX = 0xFFFFFFFFL;
    static final long LONG_MAX = Long.MAX_VALUE;
    static final long ULLONG_MAX = -1L;

    private static final List<Directive> ALL = new ArrayList<>();
    private static final Map<String, Directive> BY_NAME = new HashMap<>();
    private static String section = "";

    private static final EnumSet<Flag> M = EnumSet.noneOf(Flag.class);
    private static final EnumSet<Flag> I = EnumSet.of(Flag.IMMUTABLE);

    private static EnumSet<Flag> f(Flag... flags) {
        EnumSet<Flag> s = EnumSet.noneOf(Flag.class);
        Collections.addAll(s, flags);
        return s;
    }

    private static List<String> al(String alias) {
        return alias == null ? List.of() : List.of(alias);
    }

    private static <D extends Directive> D add(D d, String doc) {
        d.doc = doc;
        d.section = section;
        d.index = ALL.size();
        ALL.add(d);
        if (BY_NAME.put(d.name, d) != null) throw new IllegalStateException("duplicate " + d.name);
        for (String a : d.aliases) {
            if (BY_NAME.put(a, d) != null) throw new IllegalStateException("duplicate " + a);
        }
        return d;
    }

    private static Directive.Bool bool(String name, String alias, EnumSet<Flag> fl, boolean def, String doc) {
        return add(new Directive.Bool(name, al(alias), fl, def), doc);
    }

    /** Signed integer (int, long long, time_t). */
    private static Directive.Numeric num(String name, String alias, EnumSet<Flag> fl, long lo, long hi, long def, String doc) {
        return add(new Directive.Numeric(name, al(alias), fl, lo, hi, def, false, 0), doc);
    }

    /** Unsigned integer (unsigned int, unsigned long, size_t). */
    private static Directive.Numeric unum(String name, String alias, EnumSet<Flag> fl, long lo, long hi, long def, String doc) {
        return add(new Directive.Numeric(name, al(alias), fl, lo, hi, def, true, 0), doc);
    }

    /** Memory value (units accepted), signed storage. */
    private static Directive.Numeric mem(String name, EnumSet<Flag> fl, long lo, long hi, long def, String doc) {
        return add(new Directive.Numeric(name, List.of(), fl, lo, hi, def, false, Directive.MEMORY), doc);
    }

    /** Memory value (units accepted), unsigned storage (size_t, unsigned long long). */
    private static Directive.Numeric umem(String name, String alias, EnumSet<Flag> fl, long lo, long hi, long def, String doc) {
        return add(new Directive.Numeric(name, al(alias), fl, lo, hi, def, true, Directive.MEMORY), doc);
    }

    private static Directive.Enum enm(String name, EnumSet<Flag> fl, String names, int[] values, int def, String doc) {
        return add(new Directive.Enum(name, List.of(), fl, names.split(","), values, def), doc);
    }

    private static Directive.Str str(String name, String alias, EnumSet<Flag> fl, String def, String doc) {
        // def == null: EMPTY_STRING_IS_NULL (unset), otherwise ALLOW_EMPTY_STRING
        return add(new Directive.Str(name, al(alias), fl, def, def == null), doc);
    }

    private static String baseNameError(String v, String what, String kind) {
        if (v.indexOf('/') >= 0 || v.indexOf('\\') >= 0) return what + " can't be a path, just a " + kind;
        return null;
    }

    // Directives with typed accessors in ServerConfig.
    public static final Directive BIND;
    public static final Directive PORT;
    public static final Directive TCP_BACKLOG;
    public static final Directive UNIXSOCKET;
    public static final Directive UNIXSOCKETPERM;
    public static final Directive TIMEOUT;
    public static final Directive TCP_KEEPALIVE;
    public static final Directive PROTECTED_MODE;
    public static final Directive DAEMONIZE;
    public static final Directive SUPERVISED;
    public static final Directive PIDFILE;
    public static final Directive LOGLEVEL;
    public static final Directive LOGFILE;
    public static final Directive DATABASES;
    public static final Directive SAVE;
    public static final Directive STOP_WRITES_ON_BGSAVE_ERROR;
    public static final Directive RDBCOMPRESSION;
    public static final Directive RDBCHECKSUM;
    public static final Directive DBFILENAME;
    public static final Directive DIR;
    public static final Directive REPLICAOF;
    public static final Directive MASTERAUTH;
    public static final Directive MASTERUSER;
    public static final Directive REPLICA_READ_ONLY;
    public static final Directive REPLICA_SERVE_STALE_DATA;
    public static final Directive REPL_BACKLOG_SIZE;
    public static final Directive REPL_BACKLOG_TTL;
    public static final Directive REPL_TIMEOUT;
    public static final Directive REPL_PING_REPLICA_PERIOD;
    public static final Directive MIN_REPLICAS_TO_WRITE;
    public static final Directive MIN_REPLICAS_MAX_LAG;
    public static final Directive REQUIREPASS;
    public static final Directive MAXCLIENTS;
    public static final Directive MAXMEMORY;
    public static final Directive MAXMEMORY_POLICY;
    public static final Directive MAXMEMORY_SAMPLES;
    public static final Directive APPENDONLY;
    public static final Directive APPENDFILENAME;
    public static final Directive APPENDDIRNAME;
    public static final Directive APPENDFSYNC;
    public static final Directive SLOWLOG_LOG_SLOWER_THAN;
    public static final Directive SLOWLOG_MAX_LEN;
    public static final Directive LATENCY_MONITOR_THRESHOLD;
    public static final Directive NOTIFY_KEYSPACE_EVENTS;
    public static final Directive HZ;
    public static final Directive IO_THREADS;
    public static final Directive PROTO_MAX_BULK_LEN;
    public static final Directive CLIENT_QUERY_BUFFER_LIMIT;
    public static final Directive CLIENT_OUTPUT_BUFFER_LIMIT;
    public static final Directive ENABLE_DEBUG_COMMAND;
    public static final Directive ENABLE_PROTECTED_CONFIGS;
    public static final Directive CLUSTER_ENABLED;
    public static final Directive HASH_MAX_LISTPACK_ENTRIES;
    public static final Directive HASH_MAX_LISTPACK_VALUE;
    public static final Directive ZSET_MAX_LISTPACK_ENTRIES;
    public static final Directive ZSET_MAX_LISTPACK_VALUE;
    public static final Directive LIST_MAX_LISTPACK_SIZE;
    public static final Directive SET_MAX_INTSET_ENTRIES;

    static {
        int[] seq3 = {0, 1, 2};

        section = "NETWORK";
        BIND = add(new Directive.Bind(), "Interfaces to listen on (up to 16). A leading '-' marks an address whose absence is not fatal; '*' is every IPv4 address, '::*' every IPv6 address. bind \"\" listens on no TCP address.");
        PROTECTED_MODE = bool("protected-mode", null, M, true, "When on and no password is set and bind is the default, only loopback clients are accepted.");
        PORT = num("port", null, M, 0, 65535, 6379, "TCP port to accept connections on; 0 disables TCP.");
        TCP_BACKLOG = num("tcp-backlog", null, I, 0, INT_MAX, 511, "listen() backlog (capped by the kernel's somaxconn).");
        UNIXSOCKET = str("unixsocket", null, I, null, "Path of a Unix socket to listen on too (unset: none).");
        UNIXSOCKETPERM = add(new Directive.Numeric("unixsocketperm", List.of(), I, 0, 0777, 0, true, Directive.OCTAL), "Octal permissions of the Unix socket (0: leave as created).");
        TIMEOUT = num("timeout", null, M, 0, INT_MAX, 0, "Close a client after this many idle seconds (0 disables).");
        TCP_KEEPALIVE = num("tcp-keepalive", null, M, 0, INT_MAX, 300, "SO_KEEPALIVE probe interval in seconds (0 disables).");
        num("socket-mark-id", null, I, 0, UINT_MAX, 0, "Socket mark (SO_MARK) for outgoing connections (Linux only; accepted, not applied).");
        str("bind-source-addr", null, M, null, "Source address of outgoing connections (replication).");

        section = "TLS/SSL";
        num("tls-port", null, M, 0, 65535, 0, "TLS port (accepted for compatibility; Tandem does not serve TLS).");
        str("tls-cert-file", null, M, null, "Server certificate file (TLS; compatibility only).");
        str("tls-key-file", null, M, null, "Server private key file (TLS; compatibility only).");
        str("tls-key-file-pass", null, f(Flag.SENSITIVE), null, "Passphrase of tls-key-file (TLS; compatibility only).");
        str("tls-client-cert-file", null, M, null, "Client certificate for outgoing TLS connections (compatibility only).");
        str("tls-client-key-file", null, M, null, "Client private key for outgoing TLS connections (compatibility only).");
        str("tls-client-key-file-pass", null, f(Flag.SENSITIVE), null, "Passphrase of tls-client-key-file (compatibility only).");
        str("tls-dh-params-file", null, M, null, "Diffie-Hellman parameters file (TLS; compatibility only).");
        str("tls-ca-cert-file", null, M, null, "CA certificate bundle (TLS; compatibility only).");
        str("tls-ca-cert-dir", null, M, null, "CA certificate directory (TLS; compatibility only).");
        enm("tls-auth-clients", M, "no,yes,optional", seq3, 1, "Require client certificates: no, yes or optional (TLS; compatibility only).");
        bool("tls-replication", null, M, false, "Use TLS for replication links (compatibility only).");
        bool("tls-cluster", null, M, false, "Use TLS for the cluster bus (compatibility only).");
        str("tls-protocols", null, M, null, "Allowed TLS protocol versions (compatibility only).");
        str("tls-ciphers", null, M, null, "TLSv1.2 cipher list (compatibility only).");
        str("tls-ciphersuites", null, M, null, "TLSv1.3 cipher suites (compatibility only).");
        bool("tls-prefer-server-ciphers", null, M, false, "Prefer the server's cipher order (compatibility only).");
        bool("tls-session-caching", null, M, true, "Enable TLS session caching (compatibility only).");
        num("tls-session-cache-size", null, M, 0, INT_MAX, 20480, "Number of cached TLS sessions (compatibility only).");
        num("tls-session-cache-timeout", null, M, 0, INT_MAX, 300, "TLS session cache timeout in seconds (compatibility only).");

        section = "GENERAL";
        DAEMONIZE = bool("daemonize", null, I, false, "Run in the background (the launcher script handles it).");
        SUPERVISED = enm("supervised", I, "upstart,systemd,auto,no", new int[] {1, 2, 3, 0}, 0, "Supervision interaction: no, upstart, systemd or auto.");
        PIDFILE = str("pidfile", null, I, null, "Write the process id to this file (unset: only when daemonized).");
        LOGLEVEL = enm("loglevel", M, "debug,verbose,notice,warning", new int[] {0, 1, 2, 3}, 2, "Log verbosity: debug, verbose, notice or warning.");
        LOGFILE = str("logfile", null, I, "", "Log file name; \"\" logs to standard output.");
        bool("syslog-enabled", null, I, false, "Also log to syslog.");
        str("syslog-ident", null, I, "redis", "Syslog identity.");
        enm("syslog-facility", I, "user,local0,local1,local2,local3,local4,local5,local6,local7",
                new int[] {8, 128, 136, 144, 152, 160, 168, 176, 184}, 128, "Syslog facility: user or local0-local7.");
        bool("crash-log-enabled", null, M, true, "Log a stack trace on crash.");
        bool("crash-memcheck-enabled", null, M, true, "Run a fast memory check after a crash.");
        DATABASES = num("databases", null, I, 1, INT_MAX, 16, "Number of logical databases (SELECT 0 .. databases-1).");
        bool("always-show-logo", null, I, false, "Always print the ASCII logo at startup.");
        bool("set-proc-title", null, I, true, "Change the process title (compatibility only).");
        str("proc-title-template", null, M, "{title} {listen-addr} {server-mode}", "Process title template (compatibility only).")
                .validator = ConfigTable::procTitleError;

        section = "SNAPSHOTTING";
        SAVE = add(new Directive.Save(), "save <seconds> <changes>: snapshot when at least <changes> writes happened within <seconds>. Several lines allowed; save \"\" disables snapshots.");
        STOP_WRITES_ON_BGSAVE_ERROR = bool("stop-writes-on-bgsave-error", null, M, true, "Refuse writes while the last background save failed.");
        RDBCOMPRESSION = bool("rdbcompression", null, M, true, "LZF-compress strings in RDB files.");
        RDBCHECKSUM = bool("rdbchecksum", null, I, true, "Append and verify a CRC64 checksum in RDB files.");
        enm("sanitize-dump-payload", M, "no,yes,clients", seq3, 0, "Deep-check RDB/RESTORE payloads: no, yes or clients.");
        Directive.Str dbf = str("dbfilename", null, f(Flag.PROTECTED), "dump.rdb", "File name of the RDB snapshot (inside dir).");
        dbf.validator = v -> baseNameError(v, "dbfilename", "filename");
        DBFILENAME = dbf;
        bool("rdb-del-sync-files", null, M, false, "Delete RDB files used only for replication when persistence is off.");
        DIR = add(new Directive.Dir(), "Working directory: RDB, AOF and relative include paths live here.");

        section = "REPLICATION";
        REPLICAOF = add(new Directive.ReplicaOfDirective(), "replicaof <host> <port>: make this server a replica of another ('no one': a master).");
        MASTERAUTH = str("masterauth", null, f(Flag.SENSITIVE), null, "Password to authenticate with the master.");
        MASTERUSER = str("masteruser", null, f(Flag.SENSITIVE), null, "ACL user to authenticate with the master.");
        REPLICA_SERVE_STALE_DATA = bool("replica-serve-stale-data", "slave-serve-stale-data", M, true, "A replica without link to its master still answers with possibly stale data.");
        REPLICA_READ_ONLY = bool("replica-read-only", "slave-read-only", M, true, "Replicas refuse writes from clients.");
        bool("repl-diskless-sync", null, M, true, "Send the full sync RDB straight to replica sockets instead of via disk.");
        num("repl-diskless-sync-delay", null, M, 0, INT_MAX, 5, "Seconds to wait for more replicas before starting a diskless transfer.");
        num("repl-diskless-sync-max-replicas", null, M, 0, INT_MAX, 0, "Start the diskless transfer early once this many replicas wait (0: no limit).");
        enm("repl-diskless-load", f(Flag.DENY_LOADING), "disabled,on-empty-db,swapdb", seq3, 0, "Replica loads the sync RDB from the socket: disabled, on-empty-db or swapdb.");
        REPL_PING_REPLICA_PERIOD = num("repl-ping-replica-period", "repl-ping-slave-period", M, 1, INT_MAX, 10, "Seconds between the master's pings to its replicas.");
        REPL_TIMEOUT = num("repl-timeout", null, M, 1, INT_MAX, 60, "Replication link timeout in seconds.");
        bool("repl-disable-tcp-nodelay", null, M, false, "Disable TCP_NODELAY on the replica link (less bandwidth, more delay).");
        REPL_BACKLOG_SIZE = mem("repl-backlog-size", M, 1, LONG_MAX, 1024 * 1024, "Size of the replication backlog for partial resynchronisation.");
        REPL_BACKLOG_TTL = num("repl-backlog-ttl", null, M, 0, LONG_MAX, 3600, "Free the backlog after this many seconds without replicas (0: never). With repl-backlog-disk, trim bytes older than this instead.");
        bool("repl-backlog-disk", null, I, true, "Tandem: keep the replication backlog on disk (LMDB, under dir), so replicas resync partially after any master restart; repl-backlog-size can then be gigabytes.");
        Directive.Str rbd = str("repl-backlog-dirname", null, I, "replbacklog", "Tandem: directory (inside dir) of the disk replication backlog.");
        rbd.validator = v -> v.isEmpty() ? "repl-backlog-dirname can't be empty" : baseNameError(v, "repl-backlog-dirname", "dirname");
        num("replica-priority", "slave-priority", M, 0, INT_MAX, 100, "Sentinel promotion priority (lower first; 0 never).");
        bool("replica-announced", null, M, true, "Let Sentinel report this replica.");
        MIN_REPLICAS_TO_WRITE = num("min-replicas-to-write", "min-slaves-to-write", M, 0, INT_MAX, 0, "Refuse writes with fewer than this many good replicas (0 disables).");
        MIN_REPLICAS_MAX_LAG = num("min-replicas-max-lag", "min-slaves-max-lag", M, 0, INT_MAX, 10, "Seconds since last ack for a replica to count as good.");
        str("replica-announce-ip", "slave-announce-ip", M, null, "IP address a replica reports to its master.");
        num("replica-announce-port", "slave-announce-port", M, 0, 65535, 0, "Port a replica reports to its master (0: the real one).");
        bool("replica-ignore-disk-write-errors", null, M, false, "Replica keeps applying the stream when it cannot persist.");
        enm("propagation-error-behavior", M, "ignore,panic,panic-on-replicas", seq3, 0, "What a replica does when a replicated command fails: ignore, panic or panic-on-replicas.");

        section = "KEYS TRACKING";
        unum("tracking-table-max-keys", null, M, 0, LONG_MAX, 1000000, "Maximum keys remembered for client-side caching (0: no limit).");

        section = "SECURITY";
        unum("acllog-max-len", null, M, 0, LONG_MAX, 128, "Maximum entries of the ACL log.");
        str("aclfile", null, I, "", "External ACL file (compatibility only).");
        REQUIREPASS = str("requirepass", null, f(Flag.SENSITIVE), null, "Password clients must AUTH with (unset: no password).");
        enm("acl-pubsub-default", M, "allchannels,resetchannels", new int[] {1, 0}, 0, "Default pub/sub permissions of new ACL users: allchannels or resetchannels.");

        section = "CLIENTS";
        MAXCLIENTS = unum("maxclients", null, M, 1, UINT_MAX, 10000, "Maximum simultaneously connected clients.");

        section = "MEMORY MANAGEMENT";
        MAXMEMORY = umem("maxmemory", null, M, 0, ULLONG_MAX, 0, "Memory limit in bytes (units accepted: 1k=1000, 1kb=1024, m, mb, g, gb); 0 means no limit.");
        MAXMEMORY_POLICY = enm("maxmemory-policy", M, "volatile-lru,volatile-lfu,volatile-random,volatile-ttl,allkeys-lru,allkeys-lfu,allkeys-random,noeviction",
                new int[] {1, 2, 3, 4, 5, 6, 7, 8}, 8, "What to evict when maxmemory is reached.");
        MAXMEMORY_SAMPLES = num("maxmemory-samples", null, M, 1, INT_MAX, 5, "Keys sampled per eviction (accuracy vs. CPU).");
        num("maxmemory-eviction-tenacity", null, M, 0, 100, 10, "Eviction effort per command (0-100).");
        bool("replica-ignore-maxmemory", "slave-ignore-maxmemory", M, true, "Replicas do not evict on their own.");
        num("active-expire-effort", null, M, 1, 10, 1, "Effort of the active expiry cycle (1-10).");

        section = "LAZY FREEING";
        bool("lazyfree-lazy-eviction", null, M, false, "Free evicted values in the background.");
        bool("lazyfree-lazy-expire", null, M, false, "Free expired values in the background.");
        bool("lazyfree-lazy-server-del", null, M, false, "Free values overwritten or deleted implicitly in the background.");
        bool("replica-lazy-flush", "slave-lazy-flush", M, false, "Flush the dataset in the background before a full sync.");
        bool("lazyfree-lazy-user-del", null, M, false, "DEL behaves like UNLINK.");
        bool("lazyfree-lazy-user-flush", null, M, false, "FLUSHDB/FLUSHALL default to ASYNC.");

        section = "THREADED I/O";
        IO_THREADS = num("io-threads", null, I, 1, 128, 1, "Number of I/O threads (1: the event loop only).");
        bool("io-threads-do-reads", null, I, false, "Use I/O threads for reads and parsing too.");

        section = "KERNEL OOM CONTROL";
        enm("oom-score-adj", M, "no,yes,relative,absolute", new int[] {0, 1, 1, 2}, 0, "Set oom_score_adj: no, yes/relative or absolute (compatibility only).");
        add(new Directive.OomScoreAdjValues(), "oom_score_adj values for master, replica and background child.");

        section = "KERNEL TRANSPARENT HUGEPAGE CONTROL";
        bool("disable-thp", null, I, true, "Disable transparent huge pages for the process (compatibility only).");

        section = "APPEND ONLY MODE";
        APPENDONLY = bool("appendonly", null, f(Flag.DENY_LOADING), false, "Log every write to the append-only file.");
        Directive.Str afn = str("appendfilename", null, I, "appendonly.aof", "Base name of the append-only files.");
        afn.validator = v -> v.isEmpty() ? "appendfilename can't be empty" : baseNameError(v, "appendfilename", "filename");
        APPENDFILENAME = afn;
        Directive.Str adn = str("appenddirname", null, I, "appendonlydir", "Directory (inside dir) of the append-only files.");
        adn.validator = v -> v.isEmpty() ? "appenddirname can't be empty" : baseNameError(v, "appenddirname", "dirname");
        APPENDDIRNAME = adn;
        APPENDFSYNC = enm("appendfsync", M, "everysec,always,no", new int[] {2, 1, 0}, 2, "fsync policy of the AOF: always, everysec or no.");
        bool("no-appendfsync-on-rewrite", null, M, false, "Skip fsync while a rewrite or save is running.");
        num("auto-aof-rewrite-percentage", null, M, 0, INT_MAX, 100, "Rewrite the AOF when it grew this much percent since the last rewrite (0 disables).");
        mem("auto-aof-rewrite-min-size", M, 0, LONG_MAX, 64L * 1024 * 1024, "Minimum AOF size for an automatic rewrite.");
        bool("aof-load-truncated", null, M, true, "Load a truncated AOF (with a warning) instead of refusing to start.");
        bool("aof-use-rdb-preamble", null, M, true, "Write an RDB preamble when rewriting the AOF.");
        bool("aof-timestamp-enabled", null, M, false, "Write timestamp annotations in the AOF.");
        bool("aof-disable-auto-gc", null, M, false, "Keep history AOF files instead of deleting them.");
        bool("aof-rewrite-incremental-fsync", null, M, true, "fsync every 4 MB while rewriting the AOF.");
        bool("rdb-save-incremental-fsync", null, M, true, "fsync every 4 MB while saving the RDB.");

        section = "SHUTDOWN";
        num("shutdown-timeout", null, M, 0, INT_MAX, 10, "Seconds to wait for replicas to catch up on shutdown.");
        Directive.Enum sigint = enm("shutdown-on-sigint", f(Flag.MULTI_ARG), "default,save,nosave,now,force", new int[] {0, 1, 2, 4, 8}, 0,
                "What SIGINT does: default, or any of save, nosave, now, force.");
        sigint.validator = ConfigTable::shutdownFlagsError;
        Directive.Enum sigterm = enm("shutdown-on-sigterm", f(Flag.MULTI_ARG), "default,save,nosave,now,force", new int[] {0, 1, 2, 4, 8}, 0,
                "What SIGTERM does: default, or any of save, nosave, now, force.");
        sigterm.validator = ConfigTable::shutdownFlagsError;

        section = "NON-DETERMINISTIC LONG BLOCKING COMMANDS";
        num("busy-reply-threshold", "lua-time-limit", M, 0, LONG_MAX, 5000, "Milliseconds a script or function may run before others get BUSY.");

        section = "REDIS CLUSTER";
        CLUSTER_ENABLED = bool("cluster-enabled", null, I, false, "Cluster mode (not supported by Tandem; must stay no).");
        str("cluster-config-file", null, I, "nodes.conf", "Cluster state file (compatibility only).");
        num("cluster-node-timeout", null, M, 0, LONG_MAX, 15000, "Cluster node timeout in milliseconds (compatibility only).");
        num("cluster-port", null, I, 0, 65535, 0, "Cluster bus port (compatibility only).");
        num("cluster-replica-validity-factor", "cluster-slave-validity-factor", M, 0, INT_MAX, 10, "Cluster failover data age factor (compatibility only).");
        num("cluster-migration-barrier", null, M, 0, INT_MAX, 1, "Cluster replica migration barrier (compatibility only).");
        bool("cluster-allow-replica-migration", null, M, true, "Cluster replica migration (compatibility only).");
        bool("cluster-require-full-coverage", null, M, true, "Cluster requires all slots covered (compatibility only).");
        bool("cluster-replica-no-failover", "cluster-slave-no-failover", M, false, "Cluster replica never fails over (compatibility only).");
        bool("cluster-allow-reads-when-down", null, M, false, "Cluster reads while down (compatibility only).");
        bool("cluster-allow-pubsubshard-when-down", null, M, true, "Cluster sharded pub/sub while down (compatibility only).");
        umem("cluster-link-sendbuf-limit", null, M, 0, ULLONG_MAX, 0, "Cluster bus link send buffer limit (compatibility only).");
        str("cluster-announce-hostname", null, M, null, "Cluster announced hostname (compatibility only).")
                .validator = ConfigTable::hostnameError;
        enm("cluster-preferred-endpoint-type", M, "ip,hostname,unknown-endpoint", seq3, 0, "Cluster endpoint type: ip, hostname or unknown-endpoint (compatibility only).");
        str("cluster-announce-ip", null, M, null, "Cluster announced IP (compatibility only).");
        num("cluster-announce-port", null, M, 0, 65535, 0, "Cluster announced port (compatibility only).");
        num("cluster-announce-tls-port", null, M, 0, 65535, 0, "Cluster announced TLS port (compatibility only).");
        num("cluster-announce-bus-port", null, M, 0, 65535, 0, "Cluster announced bus port (compatibility only).");

        section = "SLOW LOG";
        SLOWLOG_LOG_SLOWER_THAN = num("slowlog-log-slower-than", null, M, -1, LONG_MAX, 10000, "Log commands slower than this many microseconds (0: every command, -1: none).");
        SLOWLOG_MAX_LEN = unum("slowlog-max-len", null, M, 0, LONG_MAX, 128, "Maximum entries kept in the slow log.");

        section = "LATENCY MONITOR";
        LATENCY_MONITOR_THRESHOLD = num("latency-monitor-threshold", null, M, 0, LONG_MAX, 0, "Record events slower than this many milliseconds (0 disables).");

        section = "LATENCY TRACKING";
        bool("latency-tracking", null, M, true, "Track per-command latency percentiles for INFO LATENCYSTATS.");
        add(new Directive.LatencyPercentiles(), "Percentiles reported by INFO LATENCYSTATS.");

        section = "EVENT NOTIFICATION";
        NOTIFY_KEYSPACE_EVENTS = add(new Directive.NotifyKeyspaceEvents(), "Keyspace event classes to publish: K E g $ l s h z x e t m d n, A = g$lshzxetd; \"\" disables.");

        section = "ADVANCED CONFIG";
        HASH_MAX_LISTPACK_ENTRIES = unum("hash-max-listpack-entries", "hash-max-ziplist-entries", M, 0, LONG_MAX, 512, "Hashes with at most this many fields use the compact encoding.");
        HASH_MAX_LISTPACK_VALUE = umem("hash-max-listpack-value", "hash-max-ziplist-value", M, 0, LONG_MAX, 64, "... and no field or value longer than this.");
        LIST_MAX_LISTPACK_SIZE = num("list-max-listpack-size", "list-max-ziplist-size", M, INT_MIN, INT_MAX, -2, "List node size: positive = entries, -1..-5 = 4/8/16/32/64 kb.");
        num("list-compress-depth", null, M, 0, INT_MAX, 0, "List nodes left uncompressed at each end (0: no compression).");
        SET_MAX_INTSET_ENTRIES = unum("set-max-intset-entries", null, M, 0, LONG_MAX, 512, "Integer-only sets with at most this many members use the compact encoding.");
        ZSET_MAX_LISTPACK_ENTRIES = unum("zset-max-listpack-entries", "zset-max-ziplist-entries", M, 0, LONG_MAX, 128, "Sorted sets with at most this many members use the compact encoding.");
        ZSET_MAX_LISTPACK_VALUE = umem("zset-max-listpack-value", "zset-max-ziplist-value", M, 0, LONG_MAX, 64, "... and no member longer than this.");
        umem("hll-sparse-max-bytes", null, M, 0, LONG_MAX, 3000, "HyperLogLog sparse representation limit in bytes.");
        umem("stream-node-max-bytes", null, M, 0, LONG_MAX, 4096, "Maximum bytes of a stream node (0: unlimited).");
        num("stream-node-max-entries", null, M, 0, LONG_MAX, 100, "Maximum entries of a stream node (0: unlimited).");
        bool("activerehashing", null, M, true, "Incrementally rehash the main dictionaries in the background.");
        CLIENT_OUTPUT_BUFFER_LIMIT = add(new Directive.OutputBufferLimit(), "client-output-buffer-limit <normal|replica|pubsub> <hard> <soft> <soft seconds>: disconnect clients whose output buffer grows too much.");
        CLIENT_QUERY_BUFFER_LIMIT = umem("client-query-buffer-limit", null, M, 1024 * 1024, LONG_MAX, 1024L * 1024 * 1024, "Maximum size of a client's query buffer.");
        PROTO_MAX_BULK_LEN = mem("proto-max-bulk-len", M, 1024 * 1024, LONG_MAX, 512L * 1024 * 1024, "Maximum size of a single bulk string in a request.");
        Directive.Numeric hz = num("hz", null, M, 0, INT_MAX, 10, "Frequency of background tasks per second (clamped to 1-500).");
        hz.normalize = v -> Math.max(1, Math.min(500, v));
        HZ = hz;
        bool("dynamic-hz", null, M, true, "Raise hz with the number of clients.");
        num("lfu-log-factor", null, M, 0, INT_MAX, 10, "LFU counter logarithm factor.");
        num("lfu-decay-time", null, M, 0, INT_MAX, 1, "LFU counter decay period in minutes.");
        add(new Directive.Numeric("maxmemory-clients", List.of(), M, -100, LONG_MAX, 0, false, Directive.MEMORY | Directive.PERCENT),
                "Total memory for all clients' buffers, in bytes or as a percentage of maxmemory (0: no limit).");
        str("ignore-warnings", null, M, "", "System warnings to ignore (compatibility only).");
        str("server_cpulist", null, I, null, "CPU affinity of the main threads (compatibility only).");
        str("bio_cpulist", null, I, null, "CPU affinity of background I/O threads (compatibility only).");
        str("aof_rewrite_cpulist", null, I, null, "CPU affinity of AOF rewrite children (compatibility only).");
        str("bgsave_cpulist", null, I, null, "CPU affinity of bgsave children (compatibility only).");
        ENABLE_PROTECTED_CONFIGS = enm("enable-protected-configs", I, "no,yes,local", seq3, 0, "Allow CONFIG SET of protected configs (dir, dbfilename): no, yes or local (loopback clients only).");
        ENABLE_DEBUG_COMMAND = enm("enable-debug-command", I, "no,yes,local", seq3, 0, "Allow the DEBUG command: no, yes or local (loopback clients only).");
        enm("enable-module-command", I, "no,yes,local", seq3, 0, "Allow the MODULE command: no, yes or local (Tandem has no modules).");
        bool("jemalloc-bg-thread", null, M, true, "jemalloc purge thread (compatibility only).");

        section = "ACTIVE DEFRAGMENTATION";
        bool("activedefrag", null, M, false, "Active defragmentation (compatibility only).");
        umem("active-defrag-ignore-bytes", null, M, 1, LONG_MAX, 100L * 1024 * 1024, "Minimum fragmentation waste to start defragmenting (compatibility only).");
        num("active-defrag-threshold-lower", null, M, 0, 1000, 10, "Minimum fragmentation percentage to start defragmenting (compatibility only).");
        num("active-defrag-threshold-upper", null, M, 0, 1000, 100, "Fragmentation percentage for maximum effort (compatibility only).");
        num("active-defrag-cycle-min", null, M, 1, 99, 1, "Minimal defragmentation CPU effort in percent (compatibility only).");
        num("active-defrag-cycle-max", null, M, 1, 99, 25, "Maximal defragmentation CPU effort in percent (compatibility only).");
        unum("active-defrag-max-scan-fields", null, M, 1, LONG_MAX, 1000, "Fields processed per defragmentation step (compatibility only).");

        section = "TESTING (hidden from CONFIG GET patterns)";
        bool("use-exit-on-panic", null, f(Flag.HIDDEN), false, "Exit instead of abort on panic (testing).");
        num("rdb-key-save-delay", null, f(Flag.HIDDEN), INT_MIN, INT_MAX, 0, "Delay in microseconds per key saved (testing).");
        num("key-load-delay", null, f(Flag.HIDDEN), INT_MIN, INT_MAX, 0, "Delay in microseconds per key loaded (testing).");
        num("watchdog-period", null, f(Flag.HIDDEN), 0, INT_MAX, 0, "Software watchdog period in milliseconds (testing).");
        num("loading-process-events-interval-bytes", null, f(Flag.HIDDEN), 1024, INT_MAX, 2 * 1024 * 1024, "Bytes loaded between event processing (testing).");
    }

    private static String shutdownFlagsError(int flags) {
        if ((flags & 1) != 0 && (flags & 2) != 0) return "shutdown options SAVE and NOSAVE can't be used simultaneously";
        return null;
    }

    private static String hostnameError(String v) {
        if (v.length() >= 256) return "Hostnames must be less than 256 characters";
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
                return "Hostnames may only contain alphanumeric characters, hyphens or dots";
            }
        }
        return null;
    }

    private static final List<String> PROC_TITLE_VARS =
            List.of("title", "listen-addr", "server-mode", "port", "tls-port", "unixsocket", "config-file");

    /** Redis validateProcTitleTemplate: known {variables} only, balanced braces, non-empty. */
    private static String procTitleError(String t) {
        String bad = "template format is invalid or contains unknown variables";
        StringBuilder expanded = new StringBuilder();
        int i = 0;
        while (i < t.length()) {
            char c = t.charAt(i);
            if (c == '{') {
                if (i + 1 < t.length() && t.charAt(i + 1) == '{') {
                    expanded.append('{');
                    i += 2;
                    continue;
                }
                int end = t.indexOf('}', i + 1);
                if (end < 0) return bad;
                String var = t.substring(i + 1, end);
                if (!PROC_TITLE_VARS.contains(var)) return bad;
                expanded.append('x');
                i = end + 1;
            } else if (c == '}') {
                if (i + 1 < t.length() && t.charAt(i + 1) == '}') {
                    expanded.append('}');
                    i += 2;
                    continue;
                }
                return bad;
            } else {
                expanded.append(c);
                i++;
            }
        }
        if (expanded.toString().trim().isEmpty()) return bad;
        return null;
    }

    /** Every directive, in table (documentation) order. */
    public static List<Directive> all() {
        return Collections.unmodifiableList(ALL);
    }

    /** Looks a directive up by name or alias, case-insensitively; null if unknown. */
    public static Directive lookup(String nameOrAlias) {
        return BY_NAME.get(ConfigText.asciiLower(nameOrAlias));
    }

    /** Every name and alias (lower case) mapped to its directive. */
    static Map<String, Directive> byName() {
        return BY_NAME;
    }

    static int size() {
        return ALL.size();
    }
}
