package io.tandem.storage.rdb;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where an RDB writer puts its bytes: a file stream today, an mmap'd window or a replica socket
 * tomorrow (#4/#5 implement this interface). Writes arrive in order; the writer buffers small
 * pieces itself and hands over chunks. Not required to be thread-safe.
 */
public interface RdbSink {
    void write(byte[] b, int off, int len) throws IOException;

    /** Called once after the last byte (the writer does not close the sink). */
    default void flush() throws IOException {}

    static RdbSink of(OutputStream out) {
        return new RdbSink() {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }
        };
    }
}
