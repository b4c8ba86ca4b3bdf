package io.tandem.server.tools;

import io.netty.buffer.ByteBuf;
import io.tandem.server.TandemServer;
import io.tandem.server.config.ConfigException;
import io.tandem.server.config.ConfigLoader;
import io.tandem.server.exec.Client;
import io.tandem.storage.aof.AofFormatException;
import io.tandem.storage.aof.AofManifest;
import io.tandem.storage.aof.AofReader;
import io.tandem.storage.keyspace.ChronicleKeyspace;
import io.tandem.storage.keyspace.Keyspace;
import io.tandem.storage.rdb.RdbFileReader;
import io.tandem.storage.rdb.RdbFormatException;
import io.tandem.storage.tools.AofCheck;
import io.tandem.storage.tools.Progress;
import io.tandem.storage.tools.RdbTypes;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tandem-rdb aof-to-rdb AOF|MANIFEST OUT.rdb}: replays an AOF the way Redis loads one
 * ({@code loadAppendOnlyFiles}) into an in-process Tandem server that never opens a socket, then
 * writes its dataset with the server's own RDB save ({@code Persistence.saveSync}), so the
 * output is exactly what {@code SAVE} would write.
 * <ul>
 *   <li>A manifest: the base (RDB or RESP) then each incr file, in manifest order; a single
 *       file: with or without an RDB preamble.</li>
 *   <li>Each file is replayed by a fresh internal client (db 0, as Redis's fake client);
 *       {@code #} annotations are skipped; a MULTI left open at the end is discarded, as Redis
 *       reverts it.</li>
 *   <li>A truncated or malformed file, or an unknown command, stops the conversion with the
 *       file, offset and reason, and no output file is written (exit 1). A command answered
 *       with an error (as Redis, which ignores the fake client's replies) is reported and
 *       skipped.</li>
 * </ul>
 * Memory: the dataset lives in the in-process keyspace (off-heap), as it would in a server.
 */
final class AofToRdb {
    private AofToRdb() {}

    /** A failure already explained; exit 1. */
    private static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;

        Failed(String message) {
            super(message);
        }
    }

    static int main(String[] args, PrintStream err, PrintStream progress) {
        List<String> files = new ArrayList<>();
        boolean loadTruncated = false;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--load-truncated")) loadTruncated = true;
            else if (args[i].startsWith("--")) return RdbToolMain.usage(err, "unknown option '" + args[i] + "'");
            else files.add(args[i]);
        }
        if (files.size() != 2) return RdbToolMain.usage(err, "aof-to-rdb needs AOF|MANIFEST and OUT.rdb");
        Path in = Path.of(files.get(0));
        Path out = Path.of(files.get(1)).toAbsolutePath();
        try {
            long keys = convert(in, out, loadTruncated, err, progress);
            err.printf("Wrote %s: %d keys%n", out, keys);
            return 0;
        } catch (Failed e) {
            err.println(e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("tandem-rdb: " + e.getMessage());
            return 1;
        }
    }

    /** Replays {@code in} and writes {@code out}; returns the number of keys written. */
    /**
     * Replays {@code in} and writes {@code out}; returns the number of keys written.
     * {@code loadTruncated}: a last file cut inside a command is replayed up to its last complete
     * command (Redis's {@code aof-load-truncated yes}) instead of failing.
     */
    static long convert(Path in, Path out, boolean loadTruncated, PrintStream err, PrintStream progress) throws IOException, Failed {
        if (!Files.exists(in)) throw new Failed("Cannot open file " + in + ": No such file or directory");
        if (Files.isDirectory(out)) throw new Failed(out + " is a directory");
        List<Path> files = new ArrayList<>();
        if (AofManifest.looksLikeManifest(in)) {
            AofManifest m;
            try {
                m = AofManifest.parse(in);
            } catch (AofManifest.ManifestException e) {
                throw new Failed(in + ": " + e.getMessage());
            }
            Path dir = in.toAbsolutePath().getParent();
            for (AofManifest.AofInfo ai : m.loadOrder()) files.add(dir.resolve(ai.fileName()));
        } else {
            files.add(in);
        }
        String conf = "save \"\"\nappendonly no\ndir " + quote(out.getParent().toString()) + "\ndbfilename " + quote(out.getFileName().toString())
                + "\n";
        TandemServer server;
        try {
            server = new TandemServer(ConfigLoader.loadString(conf), openKeyspace());
        } catch (ConfigException e) {
            throw new Failed("tandem-rdb: cannot configure the replay server: " + e.getMessage());
        }
        Keyspace ks = server.server().keyspace();
        try {
            long id = 1;
            for (int i = 0; i < files.size(); i++) {
                replay(server, files.get(i), id++, loadTruncated && i == files.size() - 1, err, progress);
            }
            if (!server.persistence().saveSync()) throw new Failed("tandem-rdb: writing " + out + " failed (see the log above)");
            long keys = 0;
            for (int i = 0; i < ks.databases(); i++) keys += ks.db(i).size();
            return keys;
        } finally {
            ks.close();
        }
    }

    private static Keyspace openKeyspace() {
        return ChronicleKeyspace.open(16);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void replay(TandemServer server, Path file, long clientId, boolean loadTruncated, PrintStream err, PrintStream progress)
            throws IOException, Failed {
        if (!Files.exists(file)) throw new Failed("Cannot open file " + file + ": No such file or directory");
        long size = Files.size(file);
        long start = 0;
        if (AofCheck.isRdb(file)) {
            try {
                server.persistence().loadRdb(file);
                try (InputStream s = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                    RdbFileReader r = new RdbFileReader(s);
                    r.read(e -> {});
                    start = r.offset();
                }
            } catch (RdbFormatException e) {
                throw new Failed("--- RDB ERROR DETECTED ---\n[offset " + e.offset() + "] " + e.reason()
                        + (e.key() != null ? "\n[additional info] Reading key '" + e.key() + "'" : "") + "\n[additional info] in " + file);
            }
        }
        Client client = new Client(clientId, null, System.currentTimeMillis());
        client.replaying = true;
        server.server().clientConnected(client);
        long errors = 0;
        long commands = 0;
        long multiStart = -1;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.position(start);
            Progress in = new Progress(Channels.newInputStream(ch), size, progress);
            AofReader reader = new AofReader(in, start, 1, true);
            while (true) {
                AofReader.Item item;
                try {
                    item = reader.next();
                } catch (AofFormatException e) {
                    in.done();
                    if (loadTruncated && e.truncated()) {
                        err.printf("%s: AOF loaded anyway because --load-truncated is given: truncated at offset %d, after the last"
                                + " complete command%n", file.getFileName(), e.offset());
                        break;
                    }
                    String why = e.getMessage() == null ? "format error (not a RESP command)"
                            : e.getMessage().isEmpty() ? "Unexpected end of file" : e.getMessage();
                    throw new Failed(String.format("Bad file format reading the append only file %s: [offset %d] %s%s", file, e.offset(), why,
                            e.truncated() ? " (truncated: --load-truncated replays up to the last complete command, as Redis's"
                                    + " aof-load-truncated; tandem-check-aof --fix cuts the file there)" : ""));
                }
                if (item == null) break;
                if (!(item instanceof AofReader.Command c)) continue;
                if (c.argv().length == 0) continue;
                if (c.is("multi")) multiStart = c.start();
                else if (c.is("exec")) multiStart = -1;
                server.server().dispatcher().process(client, c.argv());
                commands++;
                String error = takeError(client);
                server.server().executor().flushDirty();
                if (error != null) {
                    if (error.startsWith("ERR unknown command")) {
                        in.done();
                        throw new Failed(String.format("Unknown command '%s' reading the append only file %s at offset %d",
                                RdbTypes.printable(c.name()), file, c.start()));
                    }
                    errors++;
                    if (errors <= 10) err.printf("%s: [offset %d] %s: %s%n", file.getFileName(), c.start(), RdbTypes.printable(c.name()), error);
                }
            }
            in.done();
        }
        if (multiStart >= 0) {
            err.printf("%s: revert incomplete MULTI/EXEC transaction (from offset %d)%n", file.getFileName(), multiStart);
            server.server().dispatcher().process(client, new byte[][] {"DISCARD".getBytes(StandardCharsets.US_ASCII)});
            server.server().executor().flushDirty();
        }
        if (errors > 10) err.printf("%s: %d commands answered with an error%n", file.getFileName(), errors);
        server.server().clientDisconnected(client);
    }

    /** The error reply the last command produced, if its reply starts with one. */
    private static String takeError(Client client) {
        ByteBuf b = client.writer.buffer();
        if (b == null || !b.isReadable() || b.getByte(b.readerIndex()) != '-') return null;
        int end = b.indexOf(b.readerIndex(), b.writerIndex(), (byte) '\r');
        if (end < 0) end = b.writerIndex();
        return b.toString(b.readerIndex() + 1, end - b.readerIndex() - 1, StandardCharsets.UTF_8);
    }
}
