package io.tandem.storage.tools;

import io.tandem.storage.aof.AofFormatException;
import io.tandem.storage.aof.AofManifest;
import io.tandem.storage.aof.AofReader;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * redis-check-aof (Redis 7.0): checks a multi-part AOF (its manifest, then the base, RDB or
 * RESP, and each incr file in order), or a single-file AOF with or without an RDB preamble, and
 * prints what redis-check-aof prints:
 * <pre>
 * AOF analyzed: filename=appendonly.aof, size=3317, ok_up_to=3253, ok_up_to_line=472, diff=64
 * AOF appendonly.aof is not valid. Use the --fix option to try fixing it.
 * </pre>
 * {@code ok_up_to} is the end of the last complete command outside a MULTI block (a MULTI without
 * its EXEC is cut whole, as Redis would discard it). With {@code fix}, after a confirmation
 * ({@code "Continue? [y/N]: "}, or {@code assumeYes}), the file is truncated there, which
 * only the last file of a multi-part AOF may be. With a timestamp, the last file is cut at the
 * first {@code #TS:} annotation after it (as redis-check-aof, without confirmation).
 * Nothing is written to any file otherwise. The RDB preamble or base is checked by
 * {@link RdbCheck}. Not thread-safe; one run per instance.
 */
public final class AofCheck {
    private enum Status { OK, EMPTY, TRUNCATED, TIMESTAMP_TRUNCATED }

    /** redis-check-aof's exit(1): the message is already printed. */
    private static final class Abort extends Exception {
        private static final long serialVersionUID = 1L;
    }

    private final PrintStream out;
    private final BufferedReader stdin;
    private final boolean fix;
    private final boolean assumeYes;
    private final long toTimestamp;
    private final PrintStream progress;
    private long line = 1;

    /**
     * @param stdin where the confirmation of {@code --fix} is read
     * @param toTimestamp {@code --truncate-to-timestamp}, or 0
     * @param progress where to draw a progress bar, or null
     */
    public AofCheck(PrintStream out, BufferedReader stdin, boolean fix, boolean assumeYes, long toTimestamp, PrintStream progress) {
        this.out = out;
        this.stdin = stdin;
        this.fix = fix;
        this.assumeYes = assumeYes;
        this.toTimestamp = toTimestamp;
        this.progress = progress;
    }

    /** Checks (and maybe fixes) {@code file}, a manifest or an AOF; returns the exit code. */
    public int run(Path file) {
        try {
            boolean manifest;
            try {
                manifest = AofManifest.looksLikeManifest(file);
            } catch (NoSuchFileException e) {
                out.println("Cannot open file " + file + ": No such file or directory");
                return 1;
            }
            if (manifest) {
                multiPart(file);
            } else {
                out.println("Start checking Old-Style AOF");
                report("AOF", file.toString(), checkSingle(file.toString(), file, true, isRdb(file)));
            }
            return 0;
        } catch (Abort e) {
            return 1;
        } catch (IOException e) {
            out.println("Failed to read from AOF " + file + ": " + e.getMessage() + ", aborting...");
            return 1;
        }
    }

    private void multiPart(Path manifestPath) throws IOException, Abort {
        out.println("Start checking Multi Part AOF");
        AofManifest m;
        try {
            m = AofManifest.parse(manifestPath);
        } catch (AofManifest.ManifestException e) {
            out.println(e.getMessage());
            throw new Abort();
        }
        Path dir = manifestPath.toAbsolutePath().getParent();
        int total = m.loadOrder().size();
        int n = 0;
        if (m.base() != null) {
            String name = m.base().fileName();
            Path p = dir.resolve(name);
            boolean rdb = isRdb(p);
            out.printf("Start to check BASE AOF (%s format).%n", rdb ? "RDB" : "RESP");
            report("BASE AOF", name, checkSingle(name, p, ++n == total, rdb));
        }
        if (!m.incrs().isEmpty()) {
            out.println("Start to check INCR files.");
            for (AofManifest.AofInfo ai : m.incrs()) {
                report("INCR AOF", ai.fileName(), checkSingle(ai.fileName(), dir.resolve(ai.fileName()), ++n == total, false));
            }
        }
        out.println("All AOF files and manifest are valid");
    }

    private void report(String what, String name, Status s) {
        switch (s) {
            case OK -> out.printf("%s %s is valid%n", what, name);
            case EMPTY -> out.printf("%s %s is empty%n", what, name);
            case TIMESTAMP_TRUNCATED -> out.printf("Successfully truncated AOF %s to timestamp %d%n", name, toTimestamp);
            case TRUNCATED -> out.printf("Successfully truncated AOF %s%n", name);
        }
    }

    /** Starts with "REDIS" (and holds at least an RDB header): an RDB preamble or base. */
    public static boolean isRdb(Path p) throws IOException {
        if (!Files.exists(p) || Files.size(p) < 8) return false;
        try (InputStream in = Files.newInputStream(p)) {
            return new String(in.readNBytes(5), StandardCharsets.ISO_8859_1).equals("REDIS");
        }
    }

    private Status checkSingle(String name, Path path, boolean lastFile, boolean preamble) throws IOException, Abort {
        if (!Files.exists(path)) {
            out.printf("Cannot open file %s: No such file or directory, aborting...%n", path);
            throw new Abort();
        }
        long size = Files.size(path);
        if (size == 0) return Status.EMPTY;
        long start = 0;
        if (preamble) {
            try (InputStream in = Files.newInputStream(path)) {
                RdbCheck.Report r = new RdbCheck(out, System.currentTimeMillis()).check(in, name);
                if (!r.ok()) {
                    out.println("RDB preamble of AOF file is not sane, aborting.");
                    throw new Abort();
                }
                start = r.length();
            }
            out.println("RDB preamble is OK, proceeding with AOF tail...");
        }
        long pos = start;
        String error = "";
        int multi = 0;
        boolean eof = false;
        AofReader reader;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ch.position(start);
            Progress in = new Progress(Channels.newInputStream(ch), size, progress);
            reader = new AofReader(in, start, line, false);
            loop:
            while (true) {
                if (multi == 0) pos = reader.offset();
                AofReader.Item item;
                try {
                    item = reader.next();
                } catch (AofFormatException e) {
                    eof = e.truncated(); // feof() in redis-check-aof
                    if (e.getMessage() == null) out.printf("AOF %s format error%n", name);
                    else if (!e.getMessage().isEmpty()) error = String.format("0x%16x: %s", e.offset(), e.getMessage());
                    break;
                }
                if (item == null) {
                    eof = true;
                    break;
                }
                if (item instanceof AofReader.Annotation a) {
                    if (toTimestamp != 0 && a.text().startsWith("#TS:")) {
                        long ts;
                        try {
                            ts = Long.parseLong(a.text().substring(4));
                        } catch (NumberFormatException e) {
                            out.println("Invalid timestamp annotation");
                            throw new Abort();
                        }
                        if (ts <= toTimestamp) continue;
                        if (a.start() == 0) {
                            out.printf("AOF %s has nothing before timestamp %d, aborting...%n", path, toTimestamp);
                            throw new Abort();
                        }
                        if (!lastFile) {
                            out.printf("Failed to truncate AOF %s to timestamp %d to offset %d because it is not the last file.%n", path,
                                    toTimestamp, a.start());
                            out.println("If you insist, please delete all files after this file according to the manifest "
                                    + "file and delete the corresponding records in manifest file manually. Then re-run redis-check-aof.");
                            throw new Abort();
                        }
                        in.done();
                        truncate(path, a.start());
                        line = reader.line();
                        return Status.TIMESTAMP_TRUNCATED;
                    }
                    continue;
                }
                AofReader.Command c = (AofReader.Command) item;
                if (c.is("multi")) {
                    if (multi++ != 0) {
                        error = String.format("0x%16x: Unexpected MULTI in AOF %s", reader.epos(), path);
                        break loop;
                    }
                } else if (c.is("exec")) {
                    if (--multi != 0) {
                        error = String.format("0x%16x: Unexpected EXEC in AOF %s", reader.epos(), path);
                        break loop;
                    }
                }
            }
            in.done();
        }
        line = reader.line();
        if (eof && multi != 0 && error.isEmpty()) error = String.format("0x%16x: Reached EOF before reading EXEC for MULTI", reader.epos());
        if (!error.isEmpty()) out.println(error);
        long diff = size - pos;
        if (diff == 0 && toTimestamp != 0) {
            out.printf("Truncate nothing in AOF %s to timestamp %d%n", name, toTimestamp);
            return Status.OK;
        }
        out.printf("AOF analyzed: filename=%s, size=%d, ok_up_to=%d, ok_up_to_line=%d, diff=%d%n", name, size, pos, line, diff);
        if (diff > 0) {
            if (!fix) {
                out.printf("AOF %s is not valid. Use the --fix option to try fixing it.%n", name);
                throw new Abort();
            }
            if (!lastFile) {
                out.printf("Failed to truncate AOF %s because it is not the last file%n", name);
                throw new Abort();
            }
            out.printf("This will shrink the AOF %s from %d bytes, with %d bytes, to %d bytes%n", name, size, diff, pos);
            out.print("Continue? [y/N]: ");
            out.flush();
            String answer = assumeYes ? "y" : stdin.readLine();
            if (answer == null || !answer.toLowerCase().startsWith("y")) {
                out.println("Aborting...");
                throw new Abort();
            }
            truncate(path, pos);
            return Status.TRUNCATED;
        }
        return Status.OK;
    }

    private void truncate(Path path, long size) throws IOException, Abort {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.truncate(size);
            ch.force(true);
        } catch (IOException e) {
            out.printf("Failed to truncate AOF %s%n", path);
            throw new Abort();
        }
    }
}
