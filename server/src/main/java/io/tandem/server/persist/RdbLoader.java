package io.tandem.server.persist;

import io.tandem.server.Server;
import io.tandem.server.commands.RdbValues;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Keyspace;
import io.tandem.storage.rdb.RdbEntry;
import io.tandem.storage.rdb.RdbFileReader;
import io.tandem.storage.rdb.RdbFormatException;
import io.tandem.storage.rdb.RdbVisitor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads an RDB file into the keyspace, as Redis 7.0's rdbLoad: aux fields logged ("Loading RDB
 * produced by version", "RDB age"), repl-id/repl-offset kept for the caller, keys already expired
 * skipped on a master (counted as expired), a duplicated key or a value this server cannot hold
 * treated as corruption. Outcomes: returns the counts after a complete, verified file; throws
 * {@link RdbFormatException} (offset and reason) for a truncated or corrupt file, IOException
 * when the file cannot be read. Keys loaded before an exception stay in the keyspace: the caller
 * refuses to start (or empties the keyspace). Executor thread (or before it starts).
 */
final class RdbLoader {
    private static final Logger log = LoggerFactory.getLogger(RdbLoader.class);

    record Result(long loaded, long expired, String replId, long replOffset) {}

    private RdbLoader() {}

    static Result load(Path file, Server server, boolean master) throws IOException, RdbFormatException {
        Keyspace ks = server.keyspace();
        long now = ks.now();
        long[] counts = new long[2];
        String[] repl = new String[2];
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            new RdbFileReader(in).read(new RdbVisitor() {
                @Override
                public void aux(byte[] key, byte[] value) {
                    String k = new String(key, StandardCharsets.UTF_8);
                    String v = new String(value, StandardCharsets.UTF_8);
                    switch (k) {
                        case "redis-ver" -> log.info("Loading RDB produced by version {}", v);
                        case "ctime" -> {
                            try {
                                long age = System.currentTimeMillis() / 1000 - Long.parseLong(v);
                                log.info("RDB age {} seconds", Math.max(0, age));
                            } catch (NumberFormatException ignored) {
                                // an unparsable ctime is only informational, as in Redis
                            }
                        }
                        case "used-mem" -> {
                            try {
                                log.info("RDB memory usage when created {} Mb", String.format("%.2f", Long.parseLong(v) / 1048576.0));
                            } catch (NumberFormatException ignored) {
                                // informational
                            }
                        }
                        case "repl-id" -> repl[0] = v;
                        case "repl-offset" -> repl[1] = v;
                        case "repl-stream-db" -> {
                            try {
                                server.streamDbAtLoad = Integer.parseInt(v);
                            } catch (NumberFormatException ignored) {
                                // as Redis: a bad value leaves db 0
                            }
                        }
                        default -> log.debug("Unrecognized RDB AUX field: '{}'", k);
                    }
                }

                @Override
                public void entry(RdbEntry e) throws RdbFormatException {
                    if (e.db() >= ks.databases()) {
                        throw new RdbFormatException(-1, null, "FATAL: Data file was created with a Redis server configured to handle more than "
                                + ks.databases() + " databases");
                    }
                    if (master && e.expireAtMs() != -1 && e.expireAtMs() < now) {
                        counts[1]++;
                        return;
                    }
                    Database db = ks.db(e.db());
                    if (db.exists(e.key())) {
                        throw new RdbFormatException(-1, null, "RDB has duplicated key '" + printable(e.key()) + "' in DB " + e.db());
                    }
                    try {
                        RdbValues.prepare(e.value(), server.settings()).put(db, e.key(), e.expireAtMs());
                    } catch (RdbValues.UnsupportedValueException x) {
                        throw new RdbFormatException(-1, printable(e.key()), x.getMessage());
                    }
                    counts[0]++;
                }
            });
        }
        long offset = -1;
        if (repl[1] != null) {
            try {
                offset = Long.parseLong(repl[1]);
            } catch (NumberFormatException ignored) {
                offset = -1;
            }
        }
        return new Result(counts[0], counts[1], repl[0], offset);
    }

    private static String printable(byte[] key) {
        String s = new String(key, 0, Math.min(key.length, 128), StandardCharsets.UTF_8);
        return s.replaceAll("\\p{Cntrl}", "?");
    }
}
