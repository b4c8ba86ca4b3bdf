package io.tandem.server.replication;

import io.tandem.server.exec.Executor;
import io.tandem.storage.rdb.RdbEntry;
import io.tandem.storage.rdb.RdbFileReader;
import io.tandem.storage.rdb.RdbFormatException;
import io.tandem.storage.rdb.RdbVisitor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * A replica's parser thread for a full sync's RDB: reads an {@link InputStream} (the socket
 * through an {@link RdbPipe}, the received temp file, or the RDB held in memory) with
 * {@link RdbFileReader}, which checks structure and the CRC64, and either
 *
 * <ul>
 *   <li><b>verifies</b> only (nothing is stored: the replica's dataset is not touched until the
 *       RDB is known to be whole), or</li>
 *   <li><b>loads</b>: entries go to the executor in batches ({@link Batch#put}, which stores
 *       them); at most {@link #IN_FLIGHT} batches wait for it, so the parser runs ahead by a
 *       bounded amount and the executor stays responsive between batches.</li>
 * </ul>
 *
 * The outcome is told once, after every batch: on the executor for a load, on this thread for a
 * verification. After the RDB's end nothing may follow in the input (the EOF mark was removed by
 * the link); trailing bytes are an error.
 */
final class RdbLoad extends Thread {
    static final int BATCH = 256;
    static final int IN_FLIGHT = 4;

    /** Stores a batch on the executor; throws to stop the load (a value this server refuses). */
    interface Batch {
        void put(List<RdbEntry> entries) throws RdbFormatException;
    }

    /** How it went: keys read, the RDB's repl-stream-db (0 if absent), or the error. */
    record Outcome(boolean ok, String error, long keys, int streamDb) {}

    private final InputStream in;
    private final int databases;
    private final Executor executor;
    private final Batch batch;
    private final Consumer<Outcome> done;
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
    private volatile String refused;

    private RdbLoad(String name, InputStream in, int databases, Executor executor, Batch batch, Consumer<Outcome> done) {
        super(name);
        setDaemon(true);
        this.in = in;
        this.databases = databases;
        this.executor = executor;
        this.batch = batch;
        this.done = done;
    }

    /** Checks the whole RDB, storing nothing; {@code done} runs on the parser thread. */
    static RdbLoad verify(InputStream in, int databases, Consumer<Outcome> done) {
        RdbLoad l = new RdbLoad("tandem-rdb-verify", in, databases, null, null, done);
        l.start();
        return l;
    }

    /** Loads the RDB through {@code batch} on {@code executor}; {@code done} runs on the executor after the last batch. */
    static RdbLoad load(InputStream in, int databases, Executor executor, Batch batch, Consumer<Outcome> done) {
        RdbLoad l = new RdbLoad("tandem-rdb-load", in, databases, executor, batch, done);
        l.start();
        return l;
    }

    @Override
    public void run() {
        Outcome outcome;
        int[] streamDb = {0};
        List<RdbEntry>[] pending = new List[] {new ArrayList<RdbEntry>(BATCH)};
        try (InputStream input = in) {
            RdbFileReader reader = new RdbFileReader(input);
            RdbFileReader.Result r = reader.read(new RdbVisitor() {
                @Override
                public void aux(byte[] key, byte[] value) {
                    if (new String(key, StandardCharsets.US_ASCII).equals("repl-stream-db")) {
                        try {
                            streamDb[0] = Integer.parseInt(new String(value, StandardCharsets.US_ASCII));
                        } catch (NumberFormatException ignored) {
                            // keep 0, as Redis's strtol would give for garbage
                        }
                    }
                }

                @Override
                public void entry(RdbEntry e) throws RdbFormatException {
                    if (e.db() >= databases) throw new RdbFormatException(-1, null, "database index " + e.db() + " out of range");
                    if (batch == null) return;
                    pending[0].add(e);
                    if (pending[0].size() >= BATCH) {
                        send(pending[0]);
                        pending[0] = new ArrayList<>(BATCH);
                    }
                }
            });
            if (input.read() != -1) throw new RdbFormatException(reader.offset(), null, "unexpected data after the RDB's end");
            if (batch != null && !pending[0].isEmpty()) send(pending[0]);
            outcome = new Outcome(true, null, r.keys(), streamDb[0]);
        } catch (RdbFormatException e) {
            outcome = new Outcome(false, e.getMessage(), 0, 0);
        } catch (IOException | RuntimeException e) {
            outcome = new Outcome(false, String.valueOf(e.getMessage()), 0, 0);
        }
        Outcome o = outcome;
        if (executor == null) {
            done.accept(o);
        } else {
            // After every batch (the queue keeps order); a refusal seen there wins.
            executor.execute(() -> done.accept(refused != null ? new Outcome(false, refused, 0, 0) : o));
        }
    }

    /** Hands a batch to the executor, waiting while {@link #IN_FLIGHT} are queued. */
    private void send(List<RdbEntry> entries) throws RdbFormatException {
        if (refused != null) throw new RdbFormatException(-1, null, refused);
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RdbFormatException(-1, null, "interrupted");
        }
        executor.execute(() -> {
            try {
                if (refused == null) batch.put(entries);
            } catch (RdbFormatException | RuntimeException e) {
                refused = e.getMessage();
            } finally {
                inFlight.release();
            }
        });
    }
}
