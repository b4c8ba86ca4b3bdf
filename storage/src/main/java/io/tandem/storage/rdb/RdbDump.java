package io.tandem.storage.rdb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The DUMP payload ({@code createDumpPayload} / {@code verifyDumpPayload}):
 * <pre>
 *   | type:1 | value (RDB encoding) | RDB version:2 LE | CRC64:8 LE over all preceding bytes |
 * </pre>
 * Stateless and thread-safe.
 */
public final class RdbDump {
    private RdbDump() {}

    /** Why a payload was refused: the footer ({@link #BAD_FOOTER}) or the value ({@link #BAD_DATA}). */
    public static final class InvalidPayloadException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean footer;

        InvalidPayloadException(boolean footer, String message, Throwable cause) {
            super(message, cause);
            this.footer = footer;
        }

        /** True when the version or checksum is wrong (Redis: "DUMP payload version or checksum are wrong"). */
        public boolean badFooter() {
            return footer;
        }
    }

    public static final String BAD_FOOTER = "DUMP payload version or checksum are wrong";
    public static final String BAD_DATA = "Bad data format";

    /** The payload DUMP returns for {@code value}. */
    public static byte[] create(RdbValue value, boolean compress) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RdbValueWriter w = new RdbValueWriter(RdbSink.of(bytes), compress);
        try {
            w.writeTypedValue(value);
            w.writeLongLE(Rdb.VERSION, 2);
            long crc = w.crc();
            w.writeLongLE(crc, 8);
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** True if the footer names a version we read and the CRC matches ({@code verifyDumpPayload}). */
    public static boolean verify(byte[] p) {
        if (p.length < 10) return false;
        int version = (p[p.length - 10] & 0xFF) | (p[p.length - 9] & 0xFF) << 8;
        if (version > Rdb.VERSION) return false;
        long crc = Crc64.update(0, p, 0, p.length - 8);
        long stored = 0;
        for (int i = 7; i >= 0; i--) stored = (stored << 8) | (p[p.length - 8 + i] & 0xFF);
        return crc == stored;
    }

    /**
     * The value of a payload RESTORE accepts: footer verified, then the value decoded; an empty
     * collection is refused as Redis does.
     */
    public static RdbValue parse(byte[] p) throws InvalidPayloadException {
        if (!verify(p)) throw new InvalidPayloadException(true, BAD_FOOTER, null);
        RdbInput in = new RdbInput(p, 0, p.length - 10);
        try {
            int type = in.readByte();
            if (!Rdb.isObjectType(type)) throw in.error(0, "unknown value type " + type);
            RdbValue v = new RdbValueReader(in).readValue(type);
            if (v.size() == 0 && !(v instanceof RdbValue.RdbString)) throw in.error(0, "empty collection");
            return v;
        } catch (RdbFormatException e) {
            throw new InvalidPayloadException(false, BAD_DATA + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
