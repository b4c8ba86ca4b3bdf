package io.tandem.storage.io;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * Explicit unmapping of a {@link MappedByteBuffer}. JDK 17 has no public unmap; left to the GC a
 * mapping (and its address space, and on some systems the file's blocks) lives until the buffer
 * is collected, which may be never for a long-lived old-generation object. {@code
 * sun.misc.Unsafe.invokeCleaner} (jdk.unsupported, reachable without --add-opens) runs the
 * buffer's cleaner now. The caller guarantees the buffer is never touched again: an access after
 * unmap faults (SIGSEGV), it is not an exception.
 */
final class Mappings {
    private Mappings() {}

    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object u = null;
        Method m = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            u = f.get(null);
            m = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // no explicit unmap: the mapping is released when the buffer is collected
        }
        UNSAFE = u;
        INVOKE_CLEANER = m;
    }

    /** Unmaps {@code b} now if the JDK allows it, else leaves it to the GC. */
    static void unmap(MappedByteBuffer b) {
        if (INVOKE_CLEANER == null) return;
        try {
            INVOKE_CLEANER.invoke(UNSAFE, b);
        } catch (ReflectiveOperationException e) {
            // leave it to the GC
        }
    }
}
