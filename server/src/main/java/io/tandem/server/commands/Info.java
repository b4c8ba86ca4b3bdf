package io.tandem.server.commands;

import io.tandem.server.Server;
import io.tandem.server.Version;
import io.tandem.server.command.CommandSpec;
import io.tandem.server.exec.Stats;
import io.tandem.storage.keyspace.Keyspace;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * INFO, with Redis 7.0's sections and field names: tools (redis-cli, Sentinel, exporters) parse
 * them by name. Other subsystems (persistence, replication) contribute sections through
 * {@link #section}.
 */
public final class Info {
    private final Server server;
    private final Map<String, Consumer<StringBuilder>> extra = new LinkedHashMap<>();
    /** Values the hosting process knows (tcp port, config file, executable, run id). */
    public final Map<String, String> serverFields = new LinkedHashMap<>();

    public Info(Server server) {
        this.server = server;
    }

    /** Registers (or replaces) a section's writer, e.g. "persistence" or "replication". */
    public void section(String name, Consumer<StringBuilder> writer) {
        extra.put(name, writer);
    }

    static final List<String> DEFAULT = List.of("server", "clients", "memory", "persistence", "stats",
            "replication", "cpu", "modules", "errorstats", "cluster", "keyspace");

    public String render(List<String> requested) {
        List<String> sections = new ArrayList<>();
        if (requested.isEmpty() || requested.contains("default")) sections.addAll(DEFAULT);
        if (requested.contains("all") || requested.contains("everything")) {
            sections.clear();
            sections.addAll(DEFAULT);
            sections.add(sections.indexOf("errorstats"), "commandstats");
            sections.add(sections.indexOf("errorstats") + 1, "latencystats");
        }
        for (String r : requested) {
            if (!r.equals("default") && !r.equals("all") && !r.equals("everything") && !sections.contains(r)) sections.add(r);
        }
        StringBuilder sb = new StringBuilder(4096);
        for (String s : sections) {
            int before = sb.length();
            if (sb.length() > 0) sb.append("\r\n");
            int header = sb.length();
            if (!write(s, sb)) sb.setLength(before);
            else if (sb.length() == header) sb.setLength(before);
        }
        return sb.toString();
    }

    private boolean write(String section, StringBuilder sb) {
        String title = Character.toUpperCase(section.charAt(0)) + section.substring(1);
        switch (section) {
            case "server" -> { sb.append("# Server\r\n"); server(sb); }
            case "clients" -> { sb.append("# Clients\r\n"); clients(sb); }
            case "memory" -> { sb.append("# Memory\r\n"); memory(sb); }
            case "stats" -> { sb.append("# Stats\r\n"); stats(sb); }
            case "cpu" -> { sb.append("# CPU\r\n"); cpu(sb); }
            case "modules" -> sb.append("# Modules\r\n");
            case "cluster" -> sb.append("# Cluster\r\ncluster_enabled:0\r\n");
            case "commandstats" -> { sb.append("# Commandstats\r\n"); commandstats(sb); }
            case "latencystats" -> sb.append("# Latencystats\r\n");
            case "errorstats" -> { sb.append("# Errorstats\r\n"); errorstats(sb); }
            case "keyspace" -> { sb.append("# Keyspace\r\n"); keyspace(sb); }
            default -> {
                Consumer<StringBuilder> w = extra.get(section);
                if (w == null) return false;
                sb.append("# ").append(title).append("\r\n");
                w.accept(sb);
            }
        }
        return true;
    }

    private static void f(StringBuilder sb, String k, Object v) {
        sb.append(k).append(':').append(v).append("\r\n");
    }

    private void server(StringBuilder sb) {
        Stats st = server.stats();
        long uptime = (System.nanoTime() - st.startNanos) / 1_000_000_000L;
        f(sb, "redis_version", Version.REDIS_VERSION);
        f(sb, "redis_git_sha1", "00000000");
        f(sb, "redis_git_dirty", 0);
        f(sb, "redis_build_id", "tandem");
        f(sb, "redis_mode", "standalone");
        f(sb, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        f(sb, "arch_bits", 64);
        f(sb, "monotonic_clock", "POSIX clock_gettime");
        f(sb, "multiplexing_api", serverFields.getOrDefault("multiplexing_api", "epoll"));
        f(sb, "atomicvar_api", "c11-builtin");
        f(sb, "gcc_version", "0.0.0");
        f(sb, "process_id", ProcessHandle.current().pid());
        f(sb, "process_supervised", serverFields.getOrDefault("process_supervised", "no"));
        f(sb, "run_id", serverFields.getOrDefault("run_id", ""));
        f(sb, "tcp_port", serverFields.getOrDefault("tcp_port", "0"));
        f(sb, "server_time_usec", System.currentTimeMillis() * 1000);
        f(sb, "uptime_in_seconds", uptime);
        f(sb, "uptime_in_days", uptime / 86400);
        f(sb, "hz", server.settings().hz);
        f(sb, "configured_hz", server.settings().hz);
        f(sb, "lru_clock", (System.currentTimeMillis() / 1000) & 0xFFFFFF);
        f(sb, "executable", serverFields.getOrDefault("executable", ""));
        f(sb, "config_file", serverFields.getOrDefault("config_file", ""));
        f(sb, "io_threads_active", 0);
        f(sb, "tandem_version", Version.TANDEM_VERSION);
        f(sb, "java_version", System.getProperty("java.version"));
    }

    private void clients(StringBuilder sb) {
        int blocked = 0, pubsub = 0, replicas = 0;
        for (var c : server.clients().values()) {
            if (c.blocked) blocked++;
            if (c.subscriptions > 0) pubsub++;
            if (c.kind == 1) replicas++;
        }
        f(sb, "connected_clients", server.clients().size() - replicas);
        f(sb, "cluster_connections", 0);
        f(sb, "maxclients", server.settings().maxclients);
        f(sb, "client_recent_max_input_buffer", 0);
        f(sb, "client_recent_max_output_buffer", 0);
        f(sb, "blocked_clients", blocked);
        f(sb, "tracking_clients", 0);
        f(sb, "clients_in_timeout_table", blocked);
    }

    /** used_memory counts the off-heap keyspace plus the Java heap in use: what the process really holds for data. */
    public long usedMemory() {
        MemoryMXBean m = ManagementFactory.getMemoryMXBean();
        return server.keyspace().memoryUsage() + m.getHeapMemoryUsage().getUsed();
    }

    private void memory(StringBuilder sb) {
        MemoryMXBean m = ManagementFactory.getMemoryMXBean();
        long heapUsed = m.getHeapMemoryUsage().getUsed();
        long offHeap = server.keyspace().memoryUsage();
        long used = offHeap + heapUsed;
        long rss = rss();
        f(sb, "used_memory", used);
        f(sb, "used_memory_human", human(used));
        f(sb, "used_memory_rss", rss);
        f(sb, "used_memory_rss_human", human(rss));
        f(sb, "used_memory_peak", Math.max(used, peak = Math.max(peak, used)));
        f(sb, "used_memory_peak_human", human(peak));
        f(sb, "used_memory_overhead", heapUsed);
        f(sb, "used_memory_dataset", offHeap);
        f(sb, "used_memory_startup", 0);
        f(sb, "allocator_allocated", used);
        f(sb, "total_system_memory", totalSystemMemory());
        f(sb, "total_system_memory_human", human(totalSystemMemory()));
        f(sb, "used_memory_heap", heapUsed);
        f(sb, "used_memory_heap_max", m.getHeapMemoryUsage().getMax());
        f(sb, "used_memory_offheap_keyspace", offHeap);
        f(sb, "maxmemory", server.settings().maxmemory);
        f(sb, "maxmemory_human", human(server.settings().maxmemory));
        f(sb, "maxmemory_policy", server.settings().maxmemoryPolicy);
        f(sb, "mem_fragmentation_ratio", used == 0 ? "0.00" : String.format(Locale.ROOT, "%.2f", (double) rss / used));
        f(sb, "mem_allocator", "chronicle-map+jvm");
        f(sb, "lazyfree_pending_objects", 0);
        f(sb, "lazyfreed_objects", 0);
    }

    private long peak;

    static long rss() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return 0;
    }

    static long totalSystemMemory() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getTotalMemorySize();
        return 0;
    }

    /** Redis's bytesToHuman: B, K, M, G with two decimals. */
    public static String human(long n) {
        if (n < 1024) return n + "B";
        if (n < 1024L * 1024) return String.format(Locale.ROOT, "%.2fK", n / 1024.0);
        if (n < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.2fM", n / (1024.0 * 1024));
        if (n < 1024L * 1024 * 1024 * 1024) return String.format(Locale.ROOT, "%.2fG", n / (1024.0 * 1024 * 1024));
        return String.format(Locale.ROOT, "%.2fT", n / (1024.0 * 1024 * 1024 * 1024));
    }

    private void stats(StringBuilder sb) {
        Stats st = server.stats();
        f(sb, "total_connections_received", st.connectionsReceived.get());
        f(sb, "total_commands_processed", st.commandsProcessed);
        f(sb, "instantaneous_ops_per_sec", st.instantaneousOps());
        f(sb, "total_net_input_bytes", st.netInputBytes.get());
        f(sb, "total_net_output_bytes", st.netOutputBytes.get());
        f(sb, "total_net_repl_input_bytes", 0);
        f(sb, "total_net_repl_output_bytes", 0);
        f(sb, "instantaneous_input_kbps", "0.00");
        f(sb, "instantaneous_output_kbps", "0.00");
        f(sb, "instantaneous_input_repl_kbps", "0.00");
        f(sb, "instantaneous_output_repl_kbps", "0.00");
        f(sb, "rejected_connections", st.rejectedConnections.get());
        f(sb, "sync_full", st.syncFull);
        f(sb, "sync_partial_ok", st.syncPartialOk);
        f(sb, "sync_partial_err", st.syncPartialErr);
        f(sb, "expired_keys", st.expiredKeys);
        f(sb, "expired_stale_perc", "0.00");
        f(sb, "expired_time_cap_reached_count", 0);
        f(sb, "expire_cycle_cpu_milliseconds", 0);
        f(sb, "evicted_keys", st.evictedKeys);
        f(sb, "evicted_clients", 0);
        f(sb, "total_eviction_exceeded_time", 0);
        f(sb, "current_eviction_exceeded_time", 0);
        f(sb, "keyspace_hits", st.keyspaceHits);
        f(sb, "keyspace_misses", st.keyspaceMisses);
        f(sb, "pubsub_channels", st.pubsubChannels);
        f(sb, "pubsub_patterns", st.pubsubPatterns);
        f(sb, "pubsubshard_channels", server.pubsub().channels(null, true).size());
        f(sb, "latest_fork_usec", 0);
        f(sb, "total_forks", 0);
        f(sb, "migrate_cached_sockets", 0);
        f(sb, "slave_expires_tracked_keys", 0);
        f(sb, "active_defrag_hits", 0);
        f(sb, "active_defrag_misses", 0);
        f(sb, "active_defrag_key_hits", 0);
        f(sb, "active_defrag_key_misses", 0);
        f(sb, "total_active_defrag_time", 0);
        f(sb, "current_active_defrag_time", 0);
        f(sb, "tracking_total_keys", 0);
        f(sb, "tracking_total_items", 0);
        f(sb, "tracking_total_prefixes", 0);
        f(sb, "unexpected_error_replies", st.unexpectedErrorReplies);
        f(sb, "total_error_replies", st.totalErrorReplies);
        f(sb, "dump_payload_sanitizations", 0);
        f(sb, "total_reads_processed", st.commandsProcessed);
        f(sb, "total_writes_processed", st.commandsProcessed);
        f(sb, "io_threaded_reads_processed", 0);
        f(sb, "io_threaded_writes_processed", 0);
        // Replies go to pooled Netty buffers sized per reply; there is no per-client reply buffer to resize.
        f(sb, "reply_buffer_shrinks", 0);
        f(sb, "reply_buffer_expands", 0);
    }

    private void cpu(StringBuilder sb) {
        var os = ManagementFactory.getOperatingSystemMXBean();
        double procCpu = 0;
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) procCpu = sun.getProcessCpuTime() / 1e9;
        long threadCpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        f(sb, "used_cpu_sys", String.format(Locale.ROOT, "%.6f", procCpu * 0.3));
        f(sb, "used_cpu_user", String.format(Locale.ROOT, "%.6f", procCpu * 0.7));
        f(sb, "used_cpu_sys_children", "0.000000");
        f(sb, "used_cpu_user_children", "0.000000");
        f(sb, "used_cpu_sys_main_thread", "0.000000");
        f(sb, "used_cpu_user_main_thread", String.format(Locale.ROOT, "%.6f", threadCpu / 1e9));
    }

    private void commandstats(StringBuilder sb) {
        for (CommandSpec s : server.commands().allImplementedWithSubcommands()) {
            if (s.calls == 0 && s.rejectedCalls == 0 && s.failedCalls == 0) continue;
            sb.append("cmdstat_").append(s.name).append(":calls=").append(s.calls)
                    .append(",usec=").append(s.microseconds)
                    .append(",usec_per_call=").append(String.format(Locale.ROOT, "%.2f", s.calls == 0 ? 0.0 : (double) s.microseconds / s.calls))
                    .append(",rejected_calls=").append(s.rejectedCalls)
                    .append(",failed_calls=").append(s.failedCalls).append("\r\n");
        }
    }

    private void errorstats(StringBuilder sb) {
        for (var e : server.stats().errors.entrySet()) {
            sb.append("errorstat_").append(e.getKey()).append(":count=").append(e.getValue()).append("\r\n");
        }
    }

    private void keyspace(StringBuilder sb) {
        Keyspace ks = server.keyspace();
        for (int i = 0; i < ks.databases(); i++) {
            long keys = ks.db(i).size();
            if (keys == 0) continue;
            sb.append("db").append(i).append(":keys=").append(keys).append(",expires=").append(ks.db(i).expiresCount())
                    .append(",avg_ttl=0\r\n");
        }
    }
}
