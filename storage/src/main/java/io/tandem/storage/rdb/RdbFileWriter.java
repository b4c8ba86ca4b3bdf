package io.tandem.storage.rdb;

import static io.tandem.storage.rdb.Rdb.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes an RDB file of version {@link Rdb#VERSION} (the layout is on {@link RdbFileReader}),
 * streaming: call {@link #header}, then {@link #aux} fields, then per database {@link #selectDb}
 * (and optionally {@link #resizeDb}) followed by its keys ({@link #key}), and finally
 * {@link #finish}, which writes EOF and the CRC64 (or 0 with {@code rdbchecksum no}) and
 * flushes the sink. Nothing is held but a 64 KiB buffer, so a snapshot of any size costs
 * constant memory. Not thread-safe.
 *
 * <pre>
 * RdbFileWriter w = new RdbFileWriter(RdbSink.of(out), true, true);
 * w.header();
 * w.standardAux(usedMemory, replId, replOffset, 0);
 * w.selectDb(0);
 * w.key(key, value, expireAtMs);
 * w.finish();
 * </pre>
 */
public final class RdbFileWriter {
    private final RdbValueWriter out;
    private final boolean checksum;

    /**
     * @param compress LZF-compress strings longer than 20 bytes ({@code rdbcompression})
     * @param checksum write the CRC64 trailer ({@code rdbchecksum}); else 8 zero bytes
     */
    public RdbFileWriter(RdbSink sink, boolean compress, boolean checksum) {
        this.out = new RdbValueWriter(sink, compress);
        this.checksum = checksum;
    }

    /** The value writer underneath (same stream), for callers that encode pieces themselves. */
    public RdbValueWriter values() {
        return out;
    }

    public void header() throws IOException {
        byte[] h = String.format("REDIS%04d", VERSION).getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(h, 0, h.length);
    }

    public void aux(String key, String value) throws IOException {
        aux(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    public void aux(byte[] key, byte[] value) throws IOException {
        out.writeByte(OPCODE_AUX);
        out.writeString(key);
        out.writeString(value);
    }

    /**
     * The AUX fields Redis 7.0 writes ({@code rdbSaveInfoAuxFields}), as a Redis-compatible
     * identity: redis-ver, redis-bits, ctime, used-mem, then the replication point
     * (repl-stream-db, repl-id, repl-offset; pass a null replId to omit them) and aof-base.
     */
    public void standardAux(String redisVersion, long usedMemory, int replStreamDb, String replId, long replOffset, boolean aofBase)
            throws IOException {
        aux("redis-ver", redisVersion);
        aux("redis-bits", "64");
        aux("ctime", Long.toString(System.currentTimeMillis() / 1000));
        aux("used-mem", Long.toString(usedMemory));
        if (replId != null) {
            aux("repl-stream-db", Integer.toString(replStreamDb));
            aux("repl-id", replId);
            aux("repl-offset", Long.toString(replOffset));
        }
        aux("aof-base", aofBase ? "1" : "0");
    }

    public void selectDb(int db) throws IOException {
        out.writeByte(OPCODE_SELECTDB);
        out.writeLength(db);
    }

    public void resizeDb(long dbSize, long expiresSize) throws IOException {
        out.writeByte(OPCODE_RESIZEDB);
        out.writeLength(dbSize);
        out.writeLength(expiresSize);
    }

    public void function(byte[] code) throws IOException {
        out.writeByte(OPCODE_FUNCTION2);
        out.writeString(code);
    }

    /** One key with its expiry (absolute ms, or -1). */
    public void key(byte[] key, RdbValue value, long expireAtMs) throws IOException {
        key(key, value, expireAtMs, -1, -1);
    }

    /**
     * One key; {@code idleSeconds} (LRU policies) or {@code freq} (LFU policies) are written
     * when &gt;= 0, as Redis does under a maxmemory policy.
     */
    public void key(byte[] key, RdbValue value, long expireAtMs, long idleSeconds, int freq) throws IOException {
        if (expireAtMs >= 0) {
            out.writeByte(OPCODE_EXPIRETIME_MS);
            out.writeLongLE(expireAtMs, 8);
        }
        if (idleSeconds >= 0) {
            out.writeByte(OPCODE_IDLE);
            out.writeLength(idleSeconds);
        }
        if (freq >= 0) {
            out.writeByte(OPCODE_FREQ);
            out.writeByte(freq);
        }
        out.writeByte(RdbValueWriter.typeOf(value));
        out.writeString(key);
        out.writeValue(value);
    }

    public void entry(RdbEntry e) throws IOException {
        key(e.key(), e.value(), e.expireAtMs(), e.idleSeconds(), e.freq());
    }

    /** EOF, the checksum, and a flush of the sink. Returns the total number of bytes written. */
    public long finish() throws IOException {
        out.writeByte(OPCODE_EOF);
        long crc = checksum ? out.crc() : 0;
        out.writeLongLE(crc, 8);
        out.flush();
        return out.written();
    }
}
