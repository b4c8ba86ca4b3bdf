package io.tandem.storage.rdb;

import static io.tandem.storage.rdb.Rdb.*;

import java.io.IOException;
import java.io.InputStream;

/**
 * Streams an RDB file ({@code rdbLoadRio}) to a {@link RdbVisitor}, one key at a time, in
 * constant memory apart from the value being read.
 * <pre>
 *   "REDIS" nnnn                        version, 4 ASCII digits (0001..0011 accepted)
 *   { AUX key:string value:string       (250)
 *   | SELECTDB db:length                (254)
 *   | RESIZEDB size:length expires:length (251)
 *   | FUNCTION2 code:string             (245)
 *   | [EXPIRETIME_MS t:8 LE | EXPIRETIME t:4 LE] [IDLE s:length | FREQ f:1] type:1 key:string value }
 *   EOF                                 (255)
 *   crc64:8 LE                          version &gt;= 5; 0 = written with rdbchecksum no (not verified)
 * </pre>
 * Outcomes of {@link #read}: returns a {@link Result} after a complete, verified file; throws
 * {@link RdbFormatException} (offset, key, reason) for a truncated or corrupt file, a checksum
 * mismatch, an unsupported version or a refused type (module, stream, old FUNCTION), and
 * {@link IOException} when the stream fails. It never returns after a partial load: the
 * visitor may have seen some keys, and the caller must discard them on an exception. Not
 * thread-safe.
 */
public final class RdbFileReader {
    private final RdbInput in;
    private final RdbValueReader values;

    /** What a complete load found. */
    public record Result(int version, long keys, long emptyKeysSkipped, long checksum, boolean checksumVerified) {}

    private boolean skipStreams;

    public RdbFileReader(InputStream stream) {
        this.in = new RdbInput(stream);
        this.values = new RdbValueReader(in);
    }

    /**
     * Streams are read, checked and reported to {@link RdbVisitor#skipped} instead of refused
     * (for the tools: a file with streams is sound even if Tandem cannot load it). Returns this.
     */
    public RdbFileReader skipStreams(boolean skip) {
        this.skipStreams = skip;
        return this;
    }

    /**
     * Offset of the next unread byte: after {@link #read} returns, the length of the RDB data
     * (an AOF with an RDB preamble continues there). The stream itself may have been read further.
     */
    public long offset() {
        return in.offset();
    }

    public Result read(RdbVisitor visitor) throws IOException, RdbFormatException {
        byte[] magic = new byte[9];
        in.readFully(magic, 0, 9);
        String head = RdbInput.ascii(magic);
        if (!head.startsWith("REDIS")) throw in.error(0, "wrong signature: not an RDB file");
        int version;
        try {
            version = Integer.parseInt(head.substring(5));
        } catch (NumberFormatException e) {
            throw in.error(5, "invalid version '" + head.substring(5) + "'");
        }
        if (version < MIN_READ_VERSION || version > MAX_READ_VERSION) throw in.error(5, "can't handle RDB format version " + version);
        visitor.version(version);

        int db = 0;
        long expireAt = -1;
        long idle = -1;
        int freq = -1;
        long keys = 0;
        long empty = 0;
        while (true) {
            long opOffset = in.offset();
            int type = in.readByte();
            switch (type) {
                case OPCODE_EXPIRETIME_MS -> expireAt = in.readLongLE(8);
                case OPCODE_EXPIRETIME -> expireAt = in.readLongLE(4) * 1000;
                case OPCODE_IDLE -> idle = values.readLength();
                case OPCODE_FREQ -> freq = in.readByte();
                case OPCODE_SELECTDB -> {
                    long d = values.readLength();
                    if (d > Integer.MAX_VALUE) throw in.error(opOffset, "database index " + d + " out of range");
                    db = (int) d;
                    visitor.selectDb(db);
                }
                case OPCODE_RESIZEDB -> visitor.resizeDb(values.readLength(), values.readLength());
                case OPCODE_AUX -> visitor.aux(values.readString(), values.readString());
                case OPCODE_FUNCTION2 -> visitor.function(values.readString());
                case OPCODE_FUNCTION -> throw in.error(opOffset, "pre-release function format (opcode 246) is not supported");
                case OPCODE_MODULE_AUX -> throw in.error(opOffset, "module auxiliary data is not supported: Tandem has no modules");
                case OPCODE_EOF -> {
                    long computed = in.crc();
                    long stored = 0;
                    boolean verified = false;
                    if (version >= 5) {
                        long crcOffset = in.offset();
                        stored = in.readLongLE(8);
                        if (stored != 0) {
                            if (stored != computed) {
                                throw in.error(crcOffset, String.format("wrong RDB checksum: file says %016x, content has %016x", stored, computed));
                            }
                            verified = true;
                        }
                    }
                    return new Result(version, keys, empty, stored, verified);
                }
                default -> {
                    if (!isObjectType(type)) throw in.error(opOffset, "unknown RDB type or opcode " + type);
                    visitor.objectType(type, opOffset);
                    byte[] key = values.readString();
                    in.key(key);
                    if (skipStreams && (type == TYPE_STREAM_LISTPACKS || type == TYPE_STREAM_LISTPACKS_2 || type == TYPE_STREAM_LISTPACKS_3)) {
                        values.skipStream(type);
                        visitor.skipped(db, key, type, expireAt);
                        keys++;
                        in.key(null);
                        expireAt = -1;
                        idle = -1;
                        freq = -1;
                        continue;
                    }
                    RdbValue v = values.readValue(type);
                    if (v.size() == 0 && !(v instanceof RdbValue.RdbString)) {
                        empty++;
                    } else {
                        visitor.entry(new RdbEntry(db, key, v, expireAt, idle, freq));
                        keys++;
                    }
                    in.key(null);
                    expireAt = -1;
                    idle = -1;
                    freq = -1;
                }
            }
        }
    }
}
