package io.tandem.server.persist;

import io.tandem.server.Server;
import io.tandem.server.Version;
import io.tandem.server.commands.RdbValues;
import io.tandem.storage.keyspace.StoredValue;
import io.tandem.storage.rdb.RdbFileWriter;
import io.tandem.storage.rdb.RdbSink;

import java.io.IOException;

/**
 * Keys to RDB bytes for a dataset snapshot: the header and Redis 7.0's aux fields, then keys in
 * any database order. A {@code SELECTDB} is written whenever the database changes (a
 * point-in-time snapshot interleaves keys saved early by the write hook with the walk's), and a
 * {@code RESIZEDB} hint the first time each database is selected. Executor thread only.
 */
final class RdbEncoder {
    private final RdbFileWriter w;
    private final long[] sizes;
    private final long[] expires;
    private final boolean[] resized;
    private int streamDb = -1;
    long keys;

    /** Bytes serialized so far, including what is still buffered (not yet handed to the sink). */
    long written() {
        return w.values().written();
    }

    /**
     * @param sizes   per database, the key count for the RESIZEDB hint (null: no hints)
     * @param expires per database, the count of keys with a TTL
     */
    RdbEncoder(RdbSink sink, boolean compress, boolean checksum, long[] sizes, long[] expires) {
        this.w = new RdbFileWriter(sink, compress, checksum);
        this.sizes = sizes;
        this.expires = expires;
        this.resized = sizes == null ? null : new boolean[sizes.length];
    }

    /** The header and aux fields; repl-id, repl-offset and repl-stream-db name the stream point now. */
    void header(Server server) throws IOException {
        w.header();
        var ids = server.replicationIds();
        w.standardAux(Version.REDIS_VERSION, server.usedMemory(), server.replStreamDb(), ids.replid(), ids.offset(), false);
    }

    void key(int db, byte[] key, StoredValue v) throws IOException {
        if (db != streamDb) {
            w.selectDb(db);
            streamDb = db;
            if (resized != null && !resized[db]) {
                resized[db] = true;
                w.resizeDb(sizes[db], expires[db]);
            }
        }
        w.key(key, RdbValues.toRdb(v), v.expireAt);
        keys++;
    }

    /** EOF and checksum; returns the file's length. */
    long finish() throws IOException {
        return w.finish();
    }
}
