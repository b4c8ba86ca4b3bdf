package io.tandem.server.persist;

import io.tandem.server.Server;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.server.commands.DebugExtensions;
import io.tandem.server.commands.Info;
import io.tandem.server.config.SavePoint;
import io.tandem.server.config.ServerConfig;
import io.tandem.storage.io.MappedFileSink;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Keyspace;
import io.tandem.storage.rdb.RdbFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * RDB persistence, as Redis 7.0's rdb.c and the persistence parts of server.c: SAVE, BGSAVE
 * [SCHEDULE], LASTSAVE, save points checked in cron, load at startup, the final save of
 * SHUTDOWN, MISCONF after a failed background save (stop-writes-on-bgsave-error), DEBUG RELOAD
 * and INFO persistence.
 *
 * <p>SAVE writes on the executor (it blocks, as Redis's). BGSAVE is a {@link Snapshot}: a walk on
 * the executor in slices plus a write hook, with the file I/O on a writer thread; no fork.
 * Both write {@code temp-<pid>.rdb} (BGSAVE {@code temp-bg-<pid>.rdb}, as Redis names it after
 * the child) in {@code dir}, through {@link MappedFileSink} (forced), then rename it over
 * {@code dir/dbfilename} and fsync the directory, so a failed save never replaces a good file.
 * Executor thread, except {@link #loadAtStartup} (before the executor starts).
 */
public final class Persistence {
    private static final Logger log = LoggerFactory.getLogger(Persistence.class);
    /** CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this long (s) before retrying. */
    static final long BGSAVE_RETRY_DELAY = 5;
    /** Executor time per walk slice in cron and between task batches. */
    private static final long SLICE_NANOS = Long.getLong("tandem.snapshot.sliceMicros", 1000) * 1000;

    public static final String MISCONF = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
            + "persist to disk. Commands that may modify the data set are disabled, because this instance is configured to "
            + "report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the "
            + "Redis logs for details about the RDB error.";

    /** The RDB file at startup is unreadable: the server must not start. */
    public static final class FatalLoadError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FatalLoadError(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Server server;
    private final ServerConfig config;
    private final long pid = ProcessHandle.current().pid();

    private Snapshot snapshot;
    /** The running snapshot streams to replica sockets (Redis's RDB_CHILD_TYPE_SOCKET), not to dbfilename. */
    private boolean toSockets;
    /** Told how the running snapshot ended: it was started for a full sync. */
    private SyncDone syncDone;
    private boolean bgsaveScheduled;
    private long lastSave = System.currentTimeMillis() / 1000;
    private long lastBgsaveTry;
    private boolean lastBgsaveOk = true;
    private long lastBgsaveTimeSec = -1;
    private long dirtyAtLastSave;
    private long rdbSaves;
    private long lastCowBytes;
    private long lastLoadLoaded;
    private long lastLoadExpired;
    /** DEBUG RELOAD empties the keyspace itself: no FLUSHALL-style save then. */
    private boolean reloading;

    public Persistence(Server server, ServerConfig config, Info info) {
        this.server = server;
        this.config = config;
        server.persistence(this);
        info.section("persistence", this::info);
        server.addDenyRule((c, spec) -> {
            if (!spec.isWrite() && !spec.name.equals("ping")) return null;
            // writeCommandsDeniedByDiskError: the RDB error first, then the AOF's
            if (writesDenied()) return MISCONF;
            if (aof != null && aof.writesDenied()) return aof.misconf();
            return null;
        });
        server.addCronTask(this::cron);
        server.addFlushListener(db -> {
            if (db == -1 && !reloading) afterFlushAll();
        });
    }

    private Aof aof;

    /** The AOF, for INFO persistence. */
    public void aof(Aof aof) {
        this.aof = aof;
    }

    public void register(CommandTable t) {
        t.register("save", this::saveCommand);
        t.register("bgsave", this::bgsaveCommand);
        t.register("lastsave", c -> c.out.integer(lastSave));
        DebugExtensions.register("reload", this::debugReload);
    }

    Path target() {
        return config.dirPath().resolve(config.dbfilename());
    }

    /** dir/dbfilename: the file BGSAVE writes (a disk-mode full sync sends it). */
    public Path rdbPath() {
        return target();
    }

    private boolean savePointsConfigured() {
        List<SavePoint> sp = config.save();
        return sp != null && !sp.isEmpty();
    }

    /** Redis's writeCommandsDeniedByDiskError (the RDB part), on a master only. */
    private boolean writesDenied() {
        return !lastBgsaveOk && config.stopWritesOnBgsaveError() && savePointsConfigured() && server.role() == 'M';
    }

    /** A snapshot is running: BGSAVE, or an RDB streamed to replica sockets (Redis: an RDB child exists). */
    public boolean bgsaveInProgress() {
        return snapshot != null;
    }

    /** hasActiveChildProcess: a snapshot or an AOF rewrite is running; only one at a time. */
    public boolean childActive() {
        return snapshot != null || (aof != null && aof.rewriting());
    }

    /** The running snapshot streams to replica sockets (rdb_child_type == RDB_CHILD_TYPE_SOCKET). */
    public boolean snapshotToSockets() {
        return snapshot != null && toSockets;
    }

    /** The running snapshot was started for a full sync and reports its end to replication. */
    public boolean snapshotForSync() {
        return snapshot != null && syncDone != null;
    }


    // ------------------------------------------------------------------ snapshots for replication

    /** How a snapshot started for a full sync ended (executor thread): ok, or failed/killed. */
    public interface SyncDone {
        void done(boolean ok);
    }

    /**
     * startBgsaveForReplication with target disk: an ordinary BGSAVE of {@code dbfilename} (counted
     * in rdb_saves, LASTSAVE, as Redis's rdbSaveBackground) whose end is also told to {@code done}.
     * False (logged) if it could not start; nothing is told then.
     */
    public boolean startBgsaveForSync(SyncDone done) {
        if (!startBgsave()) return false;
        syncDone = done;
        return true;
    }

    /**
     * rdbSaveToSlavesSockets: a point-in-time snapshot whose bytes go to {@code out} (replica
     * sockets) instead of a file. Not a save: no rdb_saves, LASTSAVE or MISCONF effect, as Redis.
     * False (logged) if it could not start.
     */
    public boolean startSnapshotToSockets(RdbOutput out, SyncDone done) {
        if (childActive()) return false;
        try {
            snapshot = new Snapshot(server, out, config.rdbcompression(), config.rdbchecksum(),
                    () -> config.getLong("rdb-key-save-delay"), this::socketSnapshotDone);
        } catch (IOException | RuntimeException e) {
            log.warn("Can't save in background: {}", e.toString());
            return false;
        }
        toSockets = true;
        syncDone = done;
        log.info("Background RDB transfer started");
        return true;
    }

    /** backgroundSaveDoneHandlerSocket. */
    private void socketSnapshotDone(Snapshot s, boolean ok, String error) {
        if (s != snapshot) return; // aborted meanwhile
        snapshot = null;
        toSockets = false;
        s.abort();
        lastBgsaveTimeSec = (System.nanoTime() - s.startNanos) / 1_000_000_000L;
        lastCowBytes = s.earlyBytes;
        if (ok) log.info("Background RDB transfer terminated with success");
        else log.warn("Background transfer error{}", error == null ? "" : ": " + error);
        snapshotEnded(ok);
    }

    /** Tells replication how a snapshot started for a full sync ended (not once the executor has stopped: shutdown). */
    private void snapshotEnded(boolean ok) {
        SyncDone d = syncDone;
        syncDone = null;
        if (d != null && server.executor().inExecutor()) d.done(ok);
    }

    // ------------------------------------------------------------------ SAVE

    private void saveCommand(Call c) {
        if (snapshot != null) throw new CommandError("ERR Background save already in progress");
        if (saveSync()) c.out.ok();
        else throw new CommandError("ERR");
    }

    /**
     * rdbSave: writes the whole dataset now, on this thread, and renames it into place. Returns
     * false after logging why (the previous file is untouched).
     */
    public boolean saveSync() {
        rdbSaves++;
        if (!saveTo(target())) return false;
        log.info("DB saved on disk");
        dirtyAtLastSave = server.stats().dirty;
        lastSave = System.currentTimeMillis() / 1000;
        lastBgsaveOk = true;
        return true;
    }

    /**
     * Writes the whole dataset as an RDB to {@code target} (through a temp file in its directory,
     * renamed into place, directory fsynced), on this thread. Used by SAVE and by the AOF for its
     * base file. Returns false after logging why.
     */
    boolean saveTo(Path target) {
        Path temp = target.resolveSibling("temp-" + pid + ".rdb");
        Keyspace ks = server.keyspace();
        MappedFileSink sink;
        try {
            sink = new MappedFileSink(temp);
        } catch (IOException e) {
            log.warn("Failed opening the temp RDB file {} (in server root dir {}) for saving: {}", temp.getFileName(),
                    temp.getParent(), e.getMessage());
            return false;
        }
        try {
            int n = ks.databases();
            long[] sizes = new long[n];
            long[] expires = new long[n];
            for (int i = 0; i < n; i++) {
                sizes[i] = ks.db(i).size();
                expires[i] = ks.db(i).expiresCount();
            }
            RdbEncoder enc = new RdbEncoder(sink, config.rdbcompression(), config.rdbchecksum(), sizes, expires);
            enc.header(server);
            IOException[] err = new IOException[1];
            for (int i = 0; i < n; i++) {
                Database db = ks.db(i);
                if (db.size() == 0) continue;
                final int dbi = i;
                db.forEach((k, v) -> {
                    if (err[0] != null) return;
                    try {
                        enc.key(dbi, k, v);
                    } catch (IOException e) {
                        err[0] = e;
                    }
                });
                if (err[0] != null) throw err[0];
            }
            enc.finish();
            sink.close();
        } catch (IOException | RuntimeException e) {
            sink.abort();
            log.warn("Write error saving DB on disk: {}", e.getMessage());
            return false;
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.warn("Error moving temp DB file {} on the final destination {} (in server root dir {}): {}",
                    temp.getFileName(), target.getFileName(), target.getParent(), e.toString());
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // best effort
            }
            return false;
        }
        try {
            MappedFileSink.syncDirectory(target.getParent());
        } catch (IOException e) {
            log.warn("Failed to fsync directory {}: {}", target.getParent(), e.getMessage());
        }
        return true;
    }

    // ------------------------------------------------------------------ BGSAVE

    private void bgsaveCommand(Call c) {
        if (c.argc() > 2 || (c.argc() == 2 && !c.is(1, "schedule"))) throw CommandError.SYNTAX_ERROR;
        // No other child process exists in Tandem (no fork), so SCHEDULE only matters while one runs.
        if (snapshot != null) throw new CommandError("ERR Background save already in progress");
        if (aof != null && aof.rewriting()) {
            if (c.argc() == 2) {
                bgsaveScheduled = true;
                c.out.simple("Background saving scheduled");
                return;
            }
            throw new CommandError("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to "
                    + "schedule a BGSAVE whenever possible.");
        }
        if (startBgsave()) c.out.simple("Background saving started");
        else throw new CommandError("ERR");
    }

    /** rdbSaveBackground: starts a snapshot; false (logged) if it could not start. */
    public boolean startBgsave() {
        if (snapshot != null || (aof != null && aof.rewriting())) return false;
        lastBgsaveTry = System.currentTimeMillis() / 1000;
        rdbSaves++;
        Path target = target();
        Path temp = target.resolveSibling("temp-bg-" + pid + ".rdb");
        try {
            snapshot = new Snapshot(server, new FileOutput(target, temp), config.rdbcompression(), config.rdbchecksum(),
                    () -> config.getLong("rdb-key-save-delay"), this::bgsaveDone);
        } catch (IOException | RuntimeException e) {
            log.warn("Can't save in background: {}", e.toString());
            lastBgsaveOk = false;
            return false;
        }
        bgsaveScheduled = false;
        log.info("Background saving started");
        return true;
    }

    /** backgroundSaveDoneHandlerDisk. */
    private void bgsaveDone(Snapshot s, boolean ok, String error) {
        if (s != snapshot) return; // aborted meanwhile
        snapshot = null;
        s.abort(); // uninstalls the hook if the walk was still running (writer failed early)
        lastBgsaveTimeSec = (System.nanoTime() - s.startNanos) / 1_000_000_000L;
        lastCowBytes = s.earlyBytes;
        if (ok) {
            log.info("Background saving terminated with success");
            dirtyAtLastSave = Math.max(dirtyAtLastSave, s.dirtyAtStart);
            lastSave = System.currentTimeMillis() / 1000;
            lastBgsaveOk = true;
        } else {
            log.warn("Background saving error{}", error == null ? "" : ": " + error);
            lastBgsaveOk = false;
        }
        snapshotEnded(ok);
    }

    /** killRDBChild: stops a running BGSAVE without counting it as an error (Redis's SIGUSR1). */
    public void abortBgsave() {
        Snapshot s = snapshot;
        if (s == null) return;
        snapshot = null;
        s.abort();
        if (toSockets) log.warn("Background transfer terminated by signal 10");
        else log.warn("Background saving terminated by signal 10");
        toSockets = false;
        snapshotEnded(false);
    }

    /** FLUSHALL, as Redis's flushAllDataAndResetRDB: kill the running BGSAVE, then save the empty dataset if save points exist. */
    private void afterFlushAll() {
        abortBgsave();
        if (savePointsConfigured()) saveSync();
    }

    /** Walk slices: from cron, from the executor between task batches, and while it is idle. */
    public boolean backgroundStep() {
        Snapshot s = snapshot;
        if (s == null) return aof != null && aof.step(SLICE_NANOS);
        return s.step(SLICE_NANOS);
    }

    // ------------------------------------------------------------------ cron

    /** serverCron's persistence part: walk slices, BGSAVE SCHEDULE, save points. */
    private void cron() {
        if (snapshot != null) {
            snapshot.step(SLICE_NANOS * 2);
            return;
        }
        long now = System.currentTimeMillis() / 1000;
        boolean retryOk = now - lastBgsaveTry > BGSAVE_RETRY_DELAY || lastBgsaveOk;
        if (aof != null && aof.rewriting()) return;
        if (bgsaveScheduled && retryOk) {
            startBgsave();
            return;
        }
        long changes = server.stats().dirty - dirtyAtLastSave;
        List<SavePoint> points = config.save();
        if (points == null) return;
        for (SavePoint sp : points) {
            if (changes >= sp.changes() && now - lastSave > sp.seconds() && retryOk) {
                log.info("{} changes in {} seconds. Saving...", sp.changes(), sp.seconds());
                startBgsave();
                break;
            }
        }
    }

    // ------------------------------------------------------------------ load

    /**
     * loadDataFromDisk: loads {@code dir/dbfilename} if it exists. Logs Redis's lines; on a
     * truncated or corrupt file logs the offset and reason and throws {@link FatalLoadError}.
     */
    public void loadAtStartup() {
        Path file = target();
        if (!Files.exists(file)) return;
        long t0 = System.nanoTime();
        try {
            load(file);
        } catch (RdbFormatException e) {
            if (e.reason().startsWith("unexpected end of file")) {
                log.warn("Short read or OOM loading DB. Unrecoverable error, aborting now.");
            }
            log.warn("Internal error in RDB reading offset {}, function at RdbFileReader -> {}", Math.max(0, e.offset()),
                    e.getMessage());
            log.warn("Terminating server after rdb file reading failure.");
            throw new FatalLoadError("Fatal error loading the DB " + file + ": " + e.getMessage(), e);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            log.warn("Fatal error loading the DB: {}. Exiting.", e.getMessage());
            throw new FatalLoadError("Fatal error loading the DB: " + e.getMessage(), e);
        }
        log.info("DB loaded from disk: {} seconds", String.format("%.3f", (System.nanoTime() - t0) / 1e9));
    }

    /**
     * Loads the RDB data at the start of {@code file} (an RDB file, or an AOF with an RDB
     * preamble: reading stops after the RDB checksum) into the empty keyspace, as at startup but
     * throwing instead of exiting. For tools (tandem-rdb aof-to-rdb).
     */
    public void loadRdb(Path file) throws IOException, RdbFormatException {
        load(file);
    }

    /** Loads a file into the (empty) keyspace: counts, replication point, dirty reset. */
    void load(Path file) throws IOException, RdbFormatException {
        RdbLoader.Result r = RdbLoader.load(file, server, server.role() == 'M');
        lastLoadLoaded = r.loaded();
        lastLoadExpired = r.expired();
        if (r.replId() != null && r.replId().length() == 40 && r.replOffset() >= 0) {
            server.replicationIds().restore(r.replId(), r.replOffset());
            server.loadedPointFrom = "rdb";
        }
        log.info("Done loading RDB, keys loaded: {}, keys expired: {}.", r.loaded(), r.expired());
        dirtyAtLastSave = server.stats().dirty;
    }

    /** DEBUG RELOAD [NOSAVE] [NOFLUSH]: save, empty, load, as Redis's debug.c. */
    private void debugReload(Call c) {
        boolean save = true;
        boolean flush = true;
        for (int i = 2; i < c.argc(); i++) {
            if (c.is(i, "nosave")) save = false;
            else if (c.is(i, "noflush")) flush = false;
            else if (c.is(i, "merge")) throw new CommandError("ERR DEBUG RELOAD MERGE is not supported");
            else throw new CommandError("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
        }
        if (save) {
            if (snapshot != null) throw new CommandError("ERR Background save already in progress");
            if (!saveSync()) throw new CommandError("ERR");
        }
        if (flush) {
            abortBgsave();
            server.keyspace().clearAll();
            reloading = true;
            try {
                server.flushed(-1);
            } finally {
                reloading = false;
            }
        }
        try {
            load(target());
        } catch (IOException | RdbFormatException e) {
            log.warn("Failed loading RDB for DEBUG RELOAD: {}", e.getMessage());
            throw new CommandError("ERR Error trying to load the RDB dump, check server logs.");
        }
        log.info("DB reloaded by DEBUG RELOAD");
        c.out.ok();
    }

    // ------------------------------------------------------------------ INFO

    private static void f(StringBuilder sb, String k, Object v) {
        sb.append(k).append(':').append(v).append("\r\n");
    }

    private void info(StringBuilder sb) {
        Snapshot s = snapshot;
        f(sb, "loading", 0);
        f(sb, "async_loading", 0);
        f(sb, "current_cow_peak", 0);
        f(sb, "current_cow_size", s == null ? 0 : s.earlyBytes);
        f(sb, "current_cow_size_age", 0);
        f(sb, "current_fork_perc", s == null || s.keysTotal == 0 ? "0.00"
                : String.format("%.2f", Math.min(100.0, 100.0 * s.keysWritten() / s.keysTotal)));
        f(sb, "current_save_keys_processed", s == null ? 0 : s.keysWritten());
        f(sb, "current_save_keys_total", s == null ? 0 : s.keysTotal);
        f(sb, "rdb_changes_since_last_save", server.stats().dirty - dirtyAtLastSave);
        f(sb, "rdb_bgsave_in_progress", s == null ? 0 : 1);
        f(sb, "rdb_last_save_time", lastSave);
        f(sb, "rdb_last_bgsave_status", lastBgsaveOk ? "ok" : "err");
        f(sb, "rdb_last_bgsave_time_sec", lastBgsaveTimeSec);
        f(sb, "rdb_current_bgsave_time_sec", s == null ? -1 : (System.nanoTime() - s.startNanos) / 1_000_000_000L);
        f(sb, "rdb_saves", rdbSaves);
        f(sb, "rdb_last_cow_size", lastCowBytes);
        f(sb, "rdb_last_load_keys_expired", lastLoadExpired);
        f(sb, "rdb_last_load_keys_loaded", lastLoadLoaded);
        f(sb, "aof_enabled", aof != null && aof.enabledNow() ? 1 : 0);
        f(sb, "aof_rewrite_in_progress", aof != null && aof.rewriting() ? 1 : 0);
        f(sb, "aof_rewrite_scheduled", aof != null && aof.rewriteScheduled() ? 1 : 0);
        f(sb, "aof_last_rewrite_time_sec", aof == null ? -1 : aof.lastRewriteTimeSec());
        f(sb, "aof_current_rewrite_time_sec", aof == null ? -1 : aof.currentRewriteTimeSec());
        f(sb, "aof_last_bgrewrite_status", aof == null || aof.lastRewriteOk() ? "ok" : "err");
        f(sb, "aof_rewrites", aof == null ? 0 : aof.rewrites());
        f(sb, "aof_rewrites_consecutive_failures", aof == null ? 0 : aof.rewriteFailures());
        f(sb, "aof_last_write_status", aof == null || aof.lastWriteOk() ? "ok" : "err");
        f(sb, "aof_last_cow_size", 0);
        f(sb, "module_fork_in_progress", 0);
        f(sb, "module_fork_last_cow_size", 0);
        if (aof != null && aof.enabledNow()) {
            f(sb, "aof_current_size", aof.currentSize());
            f(sb, "aof_base_size", aof.baseSize());
            f(sb, "aof_pending_rewrite", 0);
            f(sb, "aof_buffer_length", 0);
            f(sb, "aof_pending_bio_fsync", 0);
            f(sb, "aof_delayed_fsync", 0);
        }
    }
}
