package io.tandem.server.replication;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.tandem.server.Server;
import io.tandem.server.Version;
import io.tandem.server.commands.RdbValues;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Keyspace;
import io.tandem.storage.rdb.RdbFileWriter;
import io.tandem.storage.rdb.RdbSink;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The RDB a full resync sends: the whole dataset at one stream offset, serialized on the
 * executor while it holds the world, into memory.
 *
 * <p><b>Interim.</b> This is a blocking snapshot: the executor serves nothing while it walks the
 * keyspace, and the RDB is held in memory until every replica that shares it has been sent it.
 * That makes the offset exact (nothing can run between the walk and {@code +FULLRESYNC}) at the
 * cost of a pause proportional to the dataset. Once #4's forkless snapshot lands, a full sync
 * should take its point-in-time walk instead (the offset is then the one at the walk's start).
 *
 * <p>Aux fields: redis-ver, redis-bits, ctime, used-mem, repl-stream-db (a master: 0, and the stream
 * after the snapshot starts with a SELECT; a replica: the db its master's stream is in), repl-id, repl-offset, aof-base — what Redis 7.0's
 * rdbSaveInfoAuxFields writes for a replica.
 */
final class SyncSnapshot {
    /** The RDB bytes (one reference per holder: {@link #share} adds one). */
    final ByteBuf rdb;
    final String replid;
    final long offset;

    private SyncSnapshot(ByteBuf rdb, String replid, long offset) {
        this.rdb = rdb;
        this.replid = replid;
        this.offset = offset;
    }

    /** A read-only view of the RDB for one more replica; the caller owns it. */
    ByteBuf share() {
        return rdb.retainedDuplicate();
    }

    void release() {
        rdb.release();
    }

    /** Serializes every key of every database now. Executor thread. */
    static SyncSnapshot take(Server server, int streamDb, boolean compress, boolean checksum) {
        String replid = server.replicationIds().replid();
        long offset = server.replicationIds().offset();
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(64 * 1024);
        try {
            RdbFileWriter w = new RdbFileWriter(new RdbSink() {
                @Override
                public void write(byte[] b, int off, int len) {
                    buf.writeBytes(b, off, len);
                }
            }, compress, checksum);
            w.header();
            w.standardAux(Version.REDIS_VERSION, server.usedMemory(), streamDb, replid, offset, false);
            Keyspace ks = server.keyspace();
            for (int i = 0; i < ks.databases(); i++) {
                Database db = ks.db(i);
                if (db.size() == 0) continue;
                w.selectDb(i);
                w.resizeDb(db.size(), db.expiresCount());
                db.forEach((key, value) -> {
                    try {
                        w.key(key, RdbValues.toRdb(value), value.expireAt);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            w.finish();
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        return new SyncSnapshot(buf, replid, offset);
    }
}
