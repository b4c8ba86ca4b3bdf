package io.tandem.server.config;

import io.tandem.storage.util.Glob;

import java.io.IOException;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The running server's configuration: one typed value per {@link ConfigTable} directive.
 *
 * <p>Reading is lock-free and cheap (a volatile array read), from any thread. Changing goes
 * through {@link #set(List, boolean, boolean)} (CONFIG SET): all-or-nothing validation, then the
 * {@link ConfigListener}s registered with {@link #onChange}; a refusing listener rolls the whole
 * CONFIG SET back.
 *
 * <p>Typed values returned by {@link #get(String)}:
 * <ul>
 * <li>yes/no directives: {@link Boolean}</li>
 * <li>numbers and memory sizes: {@link Long} (bytes for memory; maxmemory-clients as a negative
 *     number when given as a percentage, as Redis does)</li>
 * <li>enums: canonical lower-case {@link String} (e.g. "allkeys-lru"; flag enums such as
 *     shutdown-on-sigint: names separated by spaces)</li>
 * <li>strings: {@link String}, {@code ""} when unset (ISO-8859-1: one char per byte, see {@link ConfigText})</li>
 * <li>save: {@code List<SavePoint>}; bind: {@code List<String>} (see {@link #bindAddresses()});
 *     client-output-buffer-limit: {@link ClientBufferLimits}; replicaof: {@link ReplicaOf} or null;
 *     notify-keyspace-events: {@link Integer} flags ({@link KeyspaceEventFlags}); dir: absolute path
 *     {@link String}; oom-score-adj-values: {@code List<Integer>};
 *     latency-tracking-info-percentiles: {@code List<Double>}</li>
 * </ul>
 */
public final class ServerConfig {
    private volatile Object[] values;
    private final List<List<ConfigListener>> listeners;
    private volatile Path configFile;
    private final List<CommandRename> renames = new ArrayList<>();
    private final List<List<String>> users = new ArrayList<>();
    private final List<List<String>> modules = new ArrayList<>();
    private final Map<String, String> moduleConfigs = new LinkedHashMap<>();

    /** A {@code rename-command <from> <to>} line; an empty {@code to} removes the command. */
    public record CommandRename(String from, String to) {}

    ServerConfig() {
        List<Directive> all = ConfigTable.all();
        Object[] v = new Object[all.size()];
        List<List<ConfigListener>> ls = new ArrayList<>(all.size());
        for (Directive d : all) {
            v[d.index] = d.defaultValue();
            ls.add(new CopyOnWriteArrayList<>());
        }
        this.values = v;
        this.listeners = ls;
    }

    /** A configuration with every directive at its Redis 7.0 default. */
    public static ServerConfig defaults() {
        return new ServerConfig();
    }

    // ------------------------------------------------------------------ generic access

    private static Directive directive(String name) {
        Directive d = ConfigTable.lookup(name);
        if (d == null) throw new IllegalArgumentException("Unknown config directive '" + name + "'");
        return d;
    }

    /** The typed value of a directive (name or alias, case-insensitive). See the class comment for types. */
    public Object get(String name) {
        return values[directive(name).index];
    }

    public Object get(Directive d) {
        return values[d.index];
    }

    public boolean getBool(String name) {
        return (Boolean) get(name);
    }

    public long getLong(String name) {
        return (Long) get(name);
    }

    public int getInt(String name) {
        return (int) (long) (Long) get(name);
    }

    /** String and enum directives. */
    public String getString(String name) {
        return (String) get(name);
    }

    /** The value as CONFIG GET shows it. */
    public String format(String name) {
        Directive d = directive(name);
        return d.format(values[d.index]);
    }

    /**
     * CONFIG GET: for each pattern, an exact name (or alias) when it has no glob character,
     * otherwise every non-hidden name and alias matching it case-insensitively (Redis's
     * stringmatch nocase). Pairs are (name, value) in first-match order, without duplicates;
     * an exact name is reported as the caller spelled it, as Redis does.
     */
    public List<Map.Entry<String, String>> getMatching(List<String> patterns) {
        Object[] v = values;
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        for (String pattern : patterns) {
            if (!Glob.hasWildcards(pattern)) {
                if (out.containsKey(pattern)) continue;
                Directive d = ConfigTable.lookup(pattern);
                if (d != null) out.put(pattern, d.format(v[d.index]));
                continue;
            }
            byte[] pat = ConfigText.bytes(pattern);
            for (Directive d : ConfigTable.all()) {
                if (d.has(Directive.Flag.HIDDEN)) continue;
                String formatted = null;
                for (int k = -1; k < d.aliases.size(); k++) {
                    String key = k < 0 ? d.name : d.aliases.get(k);
                    if (out.containsKey(key)) continue;
                    if (Glob.match(pat, ConfigText.bytes(key), true)) {
                        if (formatted == null) formatted = d.format(v[d.index]);
                        out.put(key, formatted);
                    }
                }
            }
        }
        List<Map.Entry<String, String>> list = new ArrayList<>(out.size());
        for (Map.Entry<String, String> e : out.entrySet()) {
            list.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()));
        }
        return list;
    }

    public List<Map.Entry<String, String>> getMatching(String... patterns) {
        return getMatching(List.of(patterns));
    }

    // ------------------------------------------------------------------ CONFIG SET

    /** Registers a listener applying changes of {@code name} (name or alias). See {@link ConfigListener}. */
    public void onChange(String name, ConfigListener listener) {
        listeners.get(directive(name).index).add(Objects.requireNonNull(listener));
    }

    /** CONFIG SET of a single directive by a non-local client while not loading. */
    public void set(String name, String value) throws ConfigSetException {
        set(List.of(name, value), false, false);
    }

    /** CONFIG SET name value [name value ...] by a non-local client while not loading. */
    public void set(List<String> nameValuePairs) throws ConfigSetException {
        set(nameValuePairs, false, false);
    }

    /**
     * CONFIG SET name value [name value ...], atomically: either every value is validated,
     * stored and accepted by its listeners, or nothing changes.
     *
     * @param nameValuePairs names and values alternating (even length; the command checks arity)
     * @param localClient    the client is on a loopback/unix connection (for enable-protected-configs local)
     * @param loading        the server is loading its dataset (DENY_LOADING configs then fail with -LOADING)
     */
    public synchronized void set(List<String> nameValuePairs, boolean localClient, boolean loading) throws ConfigSetException {
        if ((nameValuePairs.size() & 1) != 0) throw new IllegalArgumentException("odd number of arguments");
        int n = nameValuePairs.size() / 2;
        Directive[] ds = new Directive[n];
        for (int i = 0; i < n; i++) {
            String name = nameValuePairs.get(2 * i);
            Directive d = ConfigTable.lookup(name);
            if (d == null) {
                throw new ConfigSetException("Unknown option or number of arguments for CONFIG SET - '" + name + "'", false);
            }
            if (d.has(Directive.Flag.IMMUTABLE)) {
                throw failed(name, "can't set immutable config");
            }
            if (d.has(Directive.Flag.PROTECTED) && !protectedAllowed(localClient)) {
                throw failed(name, "can't set protected config");
            }
            if (loading && d.has(Directive.Flag.DENY_LOADING)) {
                throw new ConfigSetException("LOADING Redis is loading the dataset in memory", true);
            }
            for (int j = 0; j < i; j++) {
                if (ds[j] == d) throw failed(name, "duplicate parameter");
            }
            ds[i] = d;
        }

        Object[] old = values;
        Object[] next = old.clone();
        for (int i = 0; i < n; i++) {
            Directive d = ds[i];
            String value = nameValuePairs.get(2 * i + 1);
            List<String> args = d.has(Directive.Flag.MULTI_ARG) ? ConfigText.splitSpaces(value) : List.of(value);
            try {
                next[d.index] = d.parse(args, next[d.index], null);
            } catch (InvalidValueException e) {
                throw failed(d.name, e.getMessage());
            }
        }
        values = next;

        // Apply: run the listeners of every directive whose value changed.
        List<Object[]> applied = new ArrayList<>(); // {directive, listener}
        for (int i = 0; i < n; i++) {
            Directive d = ds[i];
            Object before = old[d.index];
            Object after = next[d.index];
            if (Objects.equals(before, after)) continue;
            for (ConfigListener l : listeners.get(d.index)) {
                try {
                    l.onChange(d.name, before, after);
                    applied.add(new Object[] {d, l});
                } catch (RuntimeException e) {
                    values = old;
                    for (Object[] a : applied) {
                        Directive ad = (Directive) a[0];
                        try {
                            ((ConfigListener) a[1]).onChange(ad.name, next[ad.index], old[ad.index]);
                        } catch (RuntimeException ignored) {
                            // Redis logs "Failed applying restored failed CONFIG SET command" and goes on.
                        }
                    }
                    String msg = e.getMessage();
                    if (msg == null || msg.isEmpty()) {
                        throw new ConfigSetException("CONFIG SET failed (possibly related to argument '" + d.name + "')", false);
                    }
                    throw failed(d.name, msg);
                }
            }
        }
    }

    /**
     * Records the master set at runtime by the REPLICAOF/SLAVEOF command (null: REPLICAOF NO ONE),
     * so that CONFIG GET replicaof and CONFIG REWRITE reflect it, as in Redis. No listeners run.
     */
    public synchronized void updateReplicaOf(ReplicaOf master) {
        Object[] next = values.clone();
        next[ConfigTable.REPLICAOF.index] = master;
        values = next;
    }

    private boolean protectedAllowed(boolean localClient) {
        String v = (String) values[ConfigTable.ENABLE_PROTECTED_CONFIGS.index];
        return v.equals("yes") || (v.equals("local") && localClient);
    }

    private static ConfigSetException failed(String arg, String msg) {
        return new ConfigSetException("CONFIG SET failed (possibly related to argument '" + arg + "') - " + msg, false);
    }

    // ------------------------------------------------------------------ CONFIG REWRITE

    /** The absolute path of the configuration file the server was started with, or null. */
    public Path configFile() {
        return configFile;
    }

    void configFile(Path p) {
        this.configFile = p;
    }

    /**
     * CONFIG REWRITE of {@link #configFile()}.
     *
     * @throws IllegalStateException "The server is running without a config file"
     * @throws IOException           reply "Rewriting config file: " + the message
     */
    public void rewrite() throws IOException {
        Path p = configFile;
        if (p == null) throw new IllegalStateException("The server is running without a config file");
        rewrite(p);
    }

    /** Rewrites {@code path} as Redis's CONFIG REWRITE does (keeps comments and order; atomic replace). */
    public synchronized void rewrite(Path path) throws IOException {
        ConfigRewriter.rewrite(path, this);
    }

    // ------------------------------------------------------------------ loading support

    Object raw(Directive d) {
        return values[d.index];
    }

    /** Stores a value while loading (no listeners). */
    void load(Directive d, Object v) {
        values[d.index] = v;
    }

    List<CommandRename> renamesMutable() {
        return renames;
    }

    List<List<String>> usersMutable() {
        return users;
    }

    List<List<String>> modulesMutable() {
        return modules;
    }

    Map<String, String> moduleConfigsMutable() {
        return moduleConfigs;
    }

    /** {@code rename-command} lines in file order (apply them in order to the command table). */
    public List<CommandRename> renamedCommands() {
        return Collections.unmodifiableList(renames);
    }

    /** {@code user ...} lines (arguments after "user"); kept for an ACL implementation. */
    public List<List<String>> userDirectives() {
        return Collections.unmodifiableList(users);
    }

    /** {@code loadmodule path args...} lines; Tandem cannot load modules, the server should refuse to start if any. */
    public List<List<String>> loadModules() {
        return Collections.unmodifiableList(modules);
    }

    /** Module configs ({@code module.name value}) seen in the file. */
    public Map<String, String> moduleConfigs() {
        return Collections.unmodifiableMap(moduleConfigs);
    }

    // ------------------------------------------------------------------ typed getters

    private long l(Directive d) {
        return (Long) values[d.index];
    }

    private boolean b(Directive d) {
        return (Boolean) values[d.index];
    }

    private String s(Directive d) {
        return (String) values[d.index];
    }

    private static String nullIfEmpty(String s) {
        return s.isEmpty() ? null : s;
    }

    @SuppressWarnings("unchecked")
    public List<String> bind() { return (List<String>) values[ConfigTable.BIND.index]; }
    public List<BindAddress> bindAddresses() { return BindAddress.parse(bind()); }
    public int port() { return (int) l(ConfigTable.PORT); }
    public int tcpBacklog() { return (int) l(ConfigTable.TCP_BACKLOG); }
    /** Unix socket path, or null. */
    public String unixsocket() { return nullIfEmpty(s(ConfigTable.UNIXSOCKET)); }
    public int unixsocketperm() { return (int) l(ConfigTable.UNIXSOCKETPERM); }
    /** Client idle timeout in seconds, 0 = none. */
    public int timeout() { return (int) l(ConfigTable.TIMEOUT); }
    public int tcpKeepalive() { return (int) l(ConfigTable.TCP_KEEPALIVE); }
    public boolean protectedMode() { return b(ConfigTable.PROTECTED_MODE); }
    public boolean daemonize() { return b(ConfigTable.DAEMONIZE); }
    public String supervised() { return s(ConfigTable.SUPERVISED); }
    /** Pid file path, or null. */
    public String pidfile() { return nullIfEmpty(s(ConfigTable.PIDFILE)); }
    /** debug, verbose, notice or warning. */
    public String loglevel() { return s(ConfigTable.LOGLEVEL); }
    /** Log file, "" for stdout. */
    public String logfile() { return s(ConfigTable.LOGFILE); }
    public int databases() { return (int) l(ConfigTable.DATABASES); }
    @SuppressWarnings("unchecked")
    public List<SavePoint> save() { return (List<SavePoint>) values[ConfigTable.SAVE.index]; }
    public boolean stopWritesOnBgsaveError() { return b(ConfigTable.STOP_WRITES_ON_BGSAVE_ERROR); }
    public boolean rdbcompression() { return b(ConfigTable.RDBCOMPRESSION); }
    public boolean rdbchecksum() { return b(ConfigTable.RDBCHECKSUM); }
    public String dbfilename() { return s(ConfigTable.DBFILENAME); }
    /** The working directory (absolute); every relative data file lives here. */
    public String dir() { return s(ConfigTable.DIR); }
    public Path dirPath() { return Path.of(ConfigText.utf8(dir())); }
    /** The master to replicate from, or null when this server is a master. */
    public ReplicaOf replicaOf() { return (ReplicaOf) values[ConfigTable.REPLICAOF.index]; }
    public String masterauth() { return nullIfEmpty(s(ConfigTable.MASTERAUTH)); }
    public String masteruser() { return nullIfEmpty(s(ConfigTable.MASTERUSER)); }
    public boolean replicaReadOnly() { return b(ConfigTable.REPLICA_READ_ONLY); }
    public boolean replicaServeStaleData() { return b(ConfigTable.REPLICA_SERVE_STALE_DATA); }
    public long replBacklogSize() { return l(ConfigTable.REPL_BACKLOG_SIZE); }
    public long replBacklogTtl() { return l(ConfigTable.REPL_BACKLOG_TTL); }
    public int replTimeout() { return (int) l(ConfigTable.REPL_TIMEOUT); }
    public int replPingReplicaPeriod() { return (int) l(ConfigTable.REPL_PING_REPLICA_PERIOD); }
    public int minReplicasToWrite() { return (int) l(ConfigTable.MIN_REPLICAS_TO_WRITE); }
    public int minReplicasMaxLag() { return (int) l(ConfigTable.MIN_REPLICAS_MAX_LAG); }
    public boolean masterRecoverFromReplica() { return b(ConfigTable.MASTER_RECOVER_FROM_REPLICA); }
    public String masterRecoverCandidates() { return s(ConfigTable.MASTER_RECOVER_CANDIDATES); }
    public int masterRecoverTimeout() { return (int) l(ConfigTable.MASTER_RECOVER_TIMEOUT); }
    public boolean replicaRefuseEmptyFullsync() { return b(ConfigTable.REPLICA_REFUSE_EMPTY_FULLSYNC); }
    /** The password clients must AUTH with, or null. */
    public String requirepass() { return nullIfEmpty(s(ConfigTable.REQUIREPASS)); }
    public long maxclients() { return l(ConfigTable.MAXCLIENTS); }
    /** Memory limit in bytes (unsigned; 0 = none). */
    public long maxmemory() { return l(ConfigTable.MAXMEMORY); }
    public String maxmemoryPolicy() { return s(ConfigTable.MAXMEMORY_POLICY); }
    public int maxmemorySamples() { return (int) l(ConfigTable.MAXMEMORY_SAMPLES); }
    public boolean appendonly() { return b(ConfigTable.APPENDONLY); }
    public String appendfilename() { return s(ConfigTable.APPENDFILENAME); }
    public String appenddirname() { return s(ConfigTable.APPENDDIRNAME); }
    /** always, everysec or no. */
    public String appendfsync() { return s(ConfigTable.APPENDFSYNC); }
    public long slowlogLogSlowerThan() { return l(ConfigTable.SLOWLOG_LOG_SLOWER_THAN); }
    public long slowlogMaxLen() { return l(ConfigTable.SLOWLOG_MAX_LEN); }
    public long latencyMonitorThreshold() { return l(ConfigTable.LATENCY_MONITOR_THRESHOLD); }
    /** {@link KeyspaceEventFlags} bits. */
    public int notifyKeyspaceEvents() { return (Integer) values[ConfigTable.NOTIFY_KEYSPACE_EVENTS.index]; }
    /** Already clamped to 1..500. */
    public int hz() { return (int) l(ConfigTable.HZ); }
    public int ioThreads() { return (int) l(ConfigTable.IO_THREADS); }
    public long protoMaxBulkLen() { return l(ConfigTable.PROTO_MAX_BULK_LEN); }
    public long clientQueryBufferLimit() { return l(ConfigTable.CLIENT_QUERY_BUFFER_LIMIT); }
    public ClientBufferLimits clientOutputBufferLimits() { return (ClientBufferLimits) values[ConfigTable.CLIENT_OUTPUT_BUFFER_LIMIT.index]; }
    /** no, yes or local. */
    public String enableDebugCommand() { return s(ConfigTable.ENABLE_DEBUG_COMMAND); }
    public boolean clusterEnabled() { return b(ConfigTable.CLUSTER_ENABLED); }
    public long hashMaxListpackEntries() { return l(ConfigTable.HASH_MAX_LISTPACK_ENTRIES); }
    public long hashMaxListpackValue() { return l(ConfigTable.HASH_MAX_LISTPACK_VALUE); }
    public long zsetMaxListpackEntries() { return l(ConfigTable.ZSET_MAX_LISTPACK_ENTRIES); }
    public long zsetMaxListpackValue() { return l(ConfigTable.ZSET_MAX_LISTPACK_VALUE); }
    public int listMaxListpackSize() { return (int) l(ConfigTable.LIST_MAX_LISTPACK_SIZE); }
    public long setMaxIntsetEntries() { return l(ConfigTable.SET_MAX_INTSET_ENTRIES); }
}
