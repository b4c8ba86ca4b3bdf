package io.tandem.storage.tools;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code tandem-check-aof [--fix [-y]] [--truncate-to-timestamp TS] FILE|MANIFEST}:
 * redis-check-aof's command line (options in any order; {@code -y} answers the confirmation of
 * {@code --fix}). Exit 0 when the AOF is valid or was fixed, 1 otherwise.
 */
public final class CheckAofMain {
    private CheckAofMain() {}

    static final String USAGE = "Usage: tandem-check-aof [--fix [-y]|--truncate-to-timestamp $timestamp] <file.manifest|file.aof>";

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), true);
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int rc = run(args, out, stdin, Progress.terminal());
        out.flush();
        System.exit(rc);
    }

    public static int run(String[] args, PrintStream out, BufferedReader stdin, PrintStream progress) {
        boolean fix = false;
        boolean yes = false;
        long ts = 0;
        String file = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--fix" -> fix = true;
                case "-y", "--yes" -> yes = true;
                case "--truncate-to-timestamp" -> {
                    if (i + 1 >= args.length) {
                        out.println(USAGE);
                        return 1;
                    }
                    try {
                        ts = Long.parseLong(args[++i]);
                    } catch (NumberFormatException e) {
                        out.println("Invalid timestamp, aborting...");
                        return 1;
                    }
                }
                default -> {
                    if (args[i].startsWith("-") || file != null) {
                        out.println(USAGE);
                        return 1;
                    }
                    file = args[i];
                }
            }
        }
        if (file == null || (fix && ts != 0)) {
            out.println(USAGE);
            return 1;
        }
        try {
            return new AofCheck(out, stdin, fix, yes, ts, progress).run(Path.of(file));
        } catch (OutOfMemoryError e) {
            out.println("Out of memory, aborting...");
            return 1;
        } catch (RuntimeException e) {
            out.println("Internal error: " + e + ", aborting...");
            return 1;
        }
    }
}
