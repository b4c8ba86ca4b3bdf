package io.tandem.storage.aof;

/**
 * An AOF that cannot be read past {@link #offset()}: a truncated or malformed command. The
 * message is redis-check-aof's wording ({@code Expected to read 6 bytes, got 2 bytes},
 * {@code Expected \r\n, got: 780d}, {@code Expected prefix '$', got: 'x'}), or empty when the
 * file simply ends between two lines of a command (redis-check-aof prints nothing then either).
 */
public class AofFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final long offset;
    private final boolean truncated;

    public AofFormatException(long offset, String message, boolean truncated) {
        super(message);
        this.offset = offset;
        this.truncated = truncated;
    }

    /** Where the bad piece starts (redis-check-aof's {@code epos}). */
    public long offset() {
        return offset;
    }

    /** True when the input ended inside a command (a crash while appending), false for a malformed one. */
    public boolean truncated() {
        return truncated;
    }
}
