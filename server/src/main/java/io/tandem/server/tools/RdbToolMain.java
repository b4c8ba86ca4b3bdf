package io.tandem.server.tools;

import io.tandem.server.log.Logging;
import io.tandem.storage.rdb.RdbFormatException;
import io.tandem.storage.tools.Progress;
import io.tandem.storage.tools.RdbExport;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code tandem-rdb}: tools over RDB and AOF files.
 * <pre>
 * tandem-rdb dump --format json|resp|memory|keys [--db N] [--match PATTERN] [--type T] [--top N] FILE
 * tandem-rdb aof-to-rdb [--load-truncated] AOF|MANIFEST OUT.rdb
 * </pre>
 * Output goes to stdout (the memory summary to stderr), errors to stderr; exit 0 on success,
 * 1 on a damaged input or a usage error (never a stack trace). Hand-rolled option parsing: two
 * subcommands with a handful of options do not need a library.
 */
public final class RdbToolMain {
    private RdbToolMain() {}

    static final String USAGE = """
            Usage: tandem-rdb dump --format json|resp|memory|keys [--db N] [--match PATTERN] [--type T] [--top N] FILE
                   tandem-rdb aof-to-rdb [--load-truncated] AOF|MANIFEST OUT.rdb
              dump --format keys     one key per line
              dump --format json     the whole dataset as one JSON array, one object per key
              dump --format resp     commands that recreate the data (pipe into redis-cli --pipe)
              dump --format memory   CSV: database,type,key,size_in_bytes,encoding,num_elements,
                                     len_largest_element,expiry; a summary with the top N keys
                                     (--top, default 10) on stderr
              aof-to-rdb             replays an AOF (single file, with or without RDB preamble, or a
                                     multi-part manifest) and writes the dataset as an RDB file;
                                     --load-truncated: replay a last file cut mid-command up to its
                                     last complete command (Redis's aof-load-truncated) instead of failing
            """;

    public static void main(String[] args) {
        // The replay server and its libraries log; stdout is the tool's output, so warnings only, on stderr.
        Logging.configure("/dev/stderr", "warning", () -> 'M');
        OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
        int rc = run(args, out, System.err, Progress.terminal());
        try {
            out.flush();
        } catch (IOException e) {
            rc = 1;
        }
        System.err.flush();
        System.exit(rc);
    }

    /** The whole tool; returns the exit code. {@code progress}: where to draw a progress bar, or null. */
    public static int run(String[] args, OutputStream out, PrintStream err, PrintStream progress) {
        if (args.length == 0) {
            err.print(USAGE);
            return 1;
        }
        try {
            return switch (args[0]) {
                case "dump" -> dump(args, out, err, progress);
                case "aof-to-rdb" -> AofToRdb.main(args, err, progress);
                case "-h", "--help", "help" -> {
                    err.print(USAGE);
                    yield 0;
                }
                default -> usage(err, "unknown command '" + args[0] + "'");
            };
        } catch (OutOfMemoryError e) {
            err.println("tandem-rdb: out of memory (raise -Xmx through TANDEM_JAVA_OPTS)");
            return 1;
        } catch (RuntimeException e) {
            err.println("tandem-rdb: internal error: " + e);
            return 1;
        }
    }

    static int usage(PrintStream err, String problem) {
        err.println("tandem-rdb: " + problem);
        err.print(USAGE);
        return 1;
    }

    private static int dump(String[] args, OutputStream out, PrintStream err, PrintStream progress) {
        RdbExport.Format format = null;
        Integer db = null;
        String match = null;
        String type = null;
        int top = 10;
        List<String> files = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            boolean hasValue = i + 1 < args.length;
            try {
                switch (a) {
                    case "--format" -> {
                        if (!hasValue) return usage(err, "--format needs a value");
                        try {
                            format = RdbExport.Format.valueOf(args[++i].toUpperCase(Locale.ROOT));
                        } catch (IllegalArgumentException e) {
                            return usage(err, "unknown format '" + args[i] + "'");
                        }
                    }
                    case "--db" -> {
                        if (!hasValue) return usage(err, "--db needs a value");
                        db = Integer.parseInt(args[++i]);
                    }
                    case "--match" -> {
                        if (!hasValue) return usage(err, "--match needs a value");
                        match = args[++i];
                    }
                    case "--type" -> {
                        if (!hasValue) return usage(err, "--type needs a value");
                        type = args[++i].toLowerCase(Locale.ROOT);
                        if (!List.of("string", "list", "set", "zset", "hash", "stream").contains(type)) return usage(err, "unknown type '" + type + "'");
                    }
                    case "--top" -> {
                        if (!hasValue) return usage(err, "--top needs a value");
                        top = Integer.parseInt(args[++i]);
                    }
                    default -> {
                        if (a.startsWith("--")) return usage(err, "unknown option '" + a + "'");
                        files.add(a);
                    }
                }
            } catch (NumberFormatException e) {
                return usage(err, a + " needs a number, not '" + args[i] + "'");
            }
        }
        if (format == null) return usage(err, "dump needs --format");
        if (files.size() != 1) return usage(err, "dump needs exactly one FILE");
        Path file = Path.of(files.get(0));
        RdbExport export = new RdbExport(format, out, db, match, type, top);
        try (InputStream raw = Files.newInputStream(file)) {
            Progress in = new Progress(raw, Files.size(file), progress);
            export.run(in);
            in.done();
            out.flush();
            if (format == RdbExport.Format.MEMORY) err.print(export.summary());
            if (export.skipped() > 0) err.printf("tandem-rdb: %d stream keys left out (streams are not supported yet)%n", export.skipped());
            return 0;
        } catch (NoSuchFileException e) {
            err.println("Cannot open file " + file + ": No such file or directory");
            return 1;
        } catch (RdbFormatException e) {
            flushQuietly(out);
            err.println("--- RDB ERROR DETECTED ---");
            err.printf("[offset %d] %s%n", e.offset(), e.reason());
            if (e.key() != null) err.println("[additional info] Reading key '" + e.key() + "'");
            err.printf("[info] %d keys written before the error%n", export.written());
            return 1;
        } catch (IOException e) {
            flushQuietly(out);
            err.println("tandem-rdb: " + file + ": " + e.getMessage());
            return 1;
        }
    }

    private static void flushQuietly(OutputStream out) {
        try {
            out.flush();
        } catch (IOException ignored) {
            // reporting the first error is what matters
        }
    }
}
