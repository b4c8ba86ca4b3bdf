package io.tandem.storage.rdb;

/**
 * RDB data that cannot be read: truncated, corrupt, a wrong checksum, or a type Tandem refuses
 * (modules, streams). The message names the byte offset (from the start of the file or payload)
 * and, when known, the key being read:
 * {@code at offset 1234 reading key 'foo': unexpected end of file}.
 */
public class RdbFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final long offset;
    private final String key;
    private final String reason;

    public RdbFormatException(long offset, String key, String reason) {
        this(offset, key, reason, null);
    }

    public RdbFormatException(long offset, String key, String reason, Throwable cause) {
        super("at offset " + offset + (key != null ? " reading key '" + key + "'" : "") + ": " + reason, cause);
        this.offset = offset;
        this.key = key;
        this.reason = reason;
    }

    /** Byte offset where the problem was found. */
    public long offset() {
        return offset;
    }

    /** The key being read (printable form), or null outside a key. */
    public String key() {
        return key;
    }

    public String reason() {
        return reason;
    }
}
