package io.tandem.storage.tools;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code tandem-check-rdb FILE}: redis-check-rdb's command line. Exit 0 when the file is sound,
 * 1 when it is damaged or cannot be read (with a message naming the offset, never a stack trace).
 */
public final class CheckRdbMain {
    private CheckRdbMain() {}

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false);
        int rc = run(args, out, Progress.terminal());
        out.flush();
        System.exit(rc);
    }

    /** The whole tool; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream progress) {
        if (args.length != 1 || args[0].startsWith("-")) {
            out.println("Usage: tandem-check-rdb <rdb-file-name>");
            return 1;
        }
        Path file = Path.of(args[0]);
        try (InputStream raw = Files.newInputStream(file)) {
            Progress in = new Progress(raw, Files.size(file), progress);
            RdbCheck.Report r = new RdbCheck(out, System.currentTimeMillis()).check(in, args[0]);
            in.done();
            if (r.ok()) {
                double secs = in.seconds();
                out.printf("[info] %s checked in %.2f s (%.1f MB/s)%n", Progress.human(in.count()), secs, in.count() / 1048576.0 / Math.max(secs, 1e-9));
            }
            if (r.ok() && r.length() < Files.size(file)) {
                out.printf("[offset %d] warning: %d bytes after the end of the RDB data (an AOF tail? use tandem-check-aof)%n",
                        r.length(), Files.size(file) - r.length());
            }
            return r.ok() ? 0 : 1;
        } catch (NoSuchFileException e) {
            out.println("Cannot open file " + args[0] + ": No such file or directory");
            return 1;
        } catch (IOException e) {
            out.println("Cannot read file " + args[0] + ": " + e.getMessage());
            return 1;
        } catch (OutOfMemoryError e) {
            out.println("--- RDB ERROR DETECTED ---");
            out.println("[additional info] out of memory reading a value (raise -Xmx through TANDEM_JAVA_OPTS)");
            return 1;
        } catch (RuntimeException e) {
            out.println("--- RDB ERROR DETECTED ---");
            out.println("[additional info] internal error: " + e);
            return 1;
        }
    }
}
