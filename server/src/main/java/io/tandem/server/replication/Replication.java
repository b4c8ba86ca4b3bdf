package io.tandem.server.replication;

import io.tandem.replication.ReplicationIds;
import io.tandem.replication.ReplicationStream;
import io.tandem.replication.backlog.Backlog;
import io.tandem.server.Server;
import io.tandem.server.commands.Info;
import io.tandem.server.config.ServerConfig;

/**
 * Replication as the rest of the server sees it: the stream every propagated write goes to
 * (registered as a {@link io.tandem.server.exec.Propagation.Sink}), its backlog, and INFO
 * replication. Executor thread only.
 *
 * <pre>
 *   Dispatcher ─► Propagation.finish ─► sink: stream.feed(db, argv) ─► backlog, offset, replicas
 * </pre>
 */
public final class Replication {
    private final Server server;
    private final ServerConfig config;
    private final ReplicationStream stream;

    private Replication(Server server, ServerConfig config) {
        this.server = server;
        this.config = config;
        this.stream = new ReplicationStream(server.replicationIds());
    }

    /** Wires replication into a server being assembled (called once from Commands.registerAll). */
    public static Replication install(Server server, Info info, ServerConfig config) {
        Replication r = new Replication(server, config);
        server.propagation().addSink(r.stream::feed);
        info.section("replication", r::info);
        config.onChange("repl-backlog-size", (n, before, after) -> r.stream.resizeBacklog(config.replBacklogSize()));
        return r;
    }

    public ReplicationStream stream() {
        return stream;
    }

    private static void f(StringBuilder sb, String k, Object v) {
        sb.append(k).append(':').append(v).append("\r\n");
    }

    /** INFO replication, Redis 7.0's fields in its order (genRedisInfoString, "replication"). */
    void info(StringBuilder sb) {
        ReplicationIds ids = server.replicationIds();
        Backlog b = stream.backlog();
        f(sb, "role", "master");
        f(sb, "connected_slaves", 0);
        f(sb, "master_failover_state", "no-failover");
        f(sb, "master_replid", ids.replid());
        f(sb, "master_replid2", ids.replid2());
        f(sb, "master_repl_offset", ids.offset());
        f(sb, "second_repl_offset", ids.secondOffset());
        f(sb, "repl_backlog_active", b != null ? 1 : 0);
        f(sb, "repl_backlog_size", config.replBacklogSize());
        f(sb, "repl_backlog_first_byte_offset", b != null ? b.firstByteOffset() : 0);
        f(sb, "repl_backlog_histlen", b != null ? b.histlen() : 0);
    }
}
