package io.tandem.server.replication;

import static io.tandem.server.replication.RedisReplicaOfTandemTest.field;
import static io.tandem.server.replication.RedisReplicaOfTandemTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.rdb.RdbFileWriter;
import io.tandem.storage.rdb.RdbSink;
import io.tandem.storage.rdb.RdbValue;
import io.tandem.storage.testing.RedisProcess.Client;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #5, bad input: a replica fed an RDB that breaks during the transfer (cut short, garbled
 * with the right length, garbled in diskless framing) keeps its previous dataset, leaves no temp
 * file, and tries again; a good RDB afterwards replaces the dataset. The master is a plain
 * socket in the test, so the bytes are exactly what each case needs.
 */
class FullSyncBadInputTest {
    private static final String ID = "badc0ffeebadc0ffeebadc0ffeebadc0ffee0000";
    private static final String MARK = "0123456789abcdef0123456789abcdef01234567";

    /** An RDB with {@code n} string keys {@code prefix:i}. */
    static byte[] rdb(String prefix, int n) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RdbFileWriter w = new RdbFileWriter(RdbSink.of(out), false, true);
        w.header();
        w.selectDb(0);
        for (int i = 0; i < n; i++) {
            w.key((prefix + ":" + i).getBytes(StandardCharsets.US_ASCII),
                    new RdbValue.RdbString(("value-" + i + "-" + "x".repeat(100)).getBytes(StandardCharsets.US_ASCII)), -1);
        }
        w.finish();
        return out.toByteArray();
    }

    /** Reads one RESP command (array of bulks) from the replica; null at end of stream. */
    private static List<String> readCommand(InputStream in) throws Exception {
        String head = line(in);
        if (head == null) return null;
        int n = Integer.parseInt(head.substring(1));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            line(in);
            out.add(line(in));
        }
        return out;
    }

    private static String line(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int b; (b = in.read()) != -1; ) {
            if (b == '\n') return sb.toString().replace("\r", "");
            sb.append((char) b);
        }
        return null;
    }

    /** Answers the handshake up to PSYNC. */
    private static void handshake(InputStream in, OutputStream out) throws Exception {
        while (true) {
            List<String> c = readCommand(in);
            switch (c.get(0).toUpperCase()) {
                case "PING" -> out.write("+PONG\r\n".getBytes(StandardCharsets.US_ASCII));
                case "REPLCONF" -> out.write("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
                case "PSYNC" -> {
                    return;
                }
                default -> throw new AssertionError("unexpected " + c);
            }
            out.flush();
        }
    }

    /** Waits until the replica closes the connection (it gave up on this transfer). */
    private static void awaitClosed(Socket s) throws Exception {
        s.setSoTimeout(30_000);
        InputStream in = s.getInputStream();
        while (in.read() != -1) {
            // a REPLCONF ACK or newline; wait for the close
        }
    }

    private static void assertDatasetKept(Client c, Path dir) throws Exception {
        assertEquals("100", text(c.call("DBSIZE")).trim());
        assertEquals("old-7", text(c.call("GET", "old:7")));
        assertEquals("down", field(text(c.call("INFO", "replication")), "master_link_status"));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("temp-")).toList(),
                    "the temp file of a failed transfer is deleted");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"disabled", "swapdb", "on-empty-db"})
    void aBrokenTransferKeepsTheDatasetAndIsRetried(String load) throws Exception {
        byte[] good = rdb("new", 500);
        byte[] garbled = good.clone();
        for (int i = 0; i < 16; i++) garbled[garbled.length / 2 + i] ^= 0x5a;
        try (ServerSocket ss = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                TandemTestServer t = TandemTestServer.start(Map.of("repl-diskless-load", load));
                Client c = Client.connect("127.0.0.1", t.port())) {
            Path dir = Path.of(text(((List<?>) c.call("CONFIG", "GET", "dir")).get(1)));
            for (int i = 0; i < 100; i++) c.call("SET", "old:" + i, "old-" + i);
            c.call("REPLICAOF", "127.0.0.1", Integer.toString(ss.getLocalPort()));

            // 1. Cut short: a $len bulk that stops half way.
            try (Socket s = ss.accept()) {
                handshake(s.getInputStream(), s.getOutputStream());
                OutputStream out = s.getOutputStream();
                out.write(("+FULLRESYNC " + ID + " 100\r\n$" + good.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(good, 0, good.length / 2);
                out.flush();
                Thread.sleep(100);
            }
            // 2. Garbled with the right length: the checksum (or the structure) is wrong.
            try (Socket s = ss.accept()) {
                assertDatasetKept(c, dir);
                handshake(s.getInputStream(), s.getOutputStream());
                OutputStream out = s.getOutputStream();
                out.write(("+FULLRESYNC " + ID + " 100\r\n$" + garbled.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(garbled);
                out.flush();
                awaitClosed(s);
            }
            // 3. Garbled in diskless framing.
            try (Socket s = ss.accept()) {
                assertDatasetKept(c, dir);
                handshake(s.getInputStream(), s.getOutputStream());
                OutputStream out = s.getOutputStream();
                out.write(("+FULLRESYNC " + ID + " 100\r\n$EOF:" + MARK + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(garbled);
                out.write(MARK.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                awaitClosed(s);
            }
            // 4. A good RDB (diskless framing, then a write in the stream): the dataset is replaced.
            try (Socket s = ss.accept()) {
                assertDatasetKept(c, dir);
                handshake(s.getInputStream(), s.getOutputStream());
                OutputStream out = s.getOutputStream();
                out.write(("+FULLRESYNC " + ID + " 100\r\n$EOF:" + MARK + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(good);
                out.write(MARK.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                // The replica ACKs once it has loaded (the master starts its stream then).
                List<String> ack = readCommand(s.getInputStream());
                assertEquals(List.of("REPLCONF", "ACK", "100"), ack);
                out.write("*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n1\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                long deadline = System.currentTimeMillis() + 20_000;
                while (!"1".equals(text(c.call("GET", "after"))) && System.currentTimeMillis() < deadline) Thread.sleep(10);
                assertEquals("1", text(c.call("GET", "after")));
                assertEquals("501", text(c.call("DBSIZE")).trim());
                assertNull(c.call("GET", "old:7"));
                String info = text(c.call("INFO", "replication"));
                assertEquals("up", field(info, "master_link_status"));
                assertEquals(ID, field(info, "master_replid"));
            }
        }
    }

    /** on-empty-db with an empty dataset reads the RDB straight from the socket; a failure leaves it empty. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void onEmptyDbLoadsFromTheSocket(boolean broken) throws Exception {
        byte[] good = rdb("new", 2000);
        try (ServerSocket ss = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                TandemTestServer t = TandemTestServer.start(Map.of("repl-diskless-load", "on-empty-db",
                        "replicaof", "127.0.0.1 " + ss.getLocalPort()));
                Client c = Client.connect("127.0.0.1", t.port())) {
            try (Socket s = ss.accept()) {
                handshake(s.getInputStream(), s.getOutputStream());
                OutputStream out = s.getOutputStream();
                out.write(("+FULLRESYNC " + ID + " 100\r\n$" + good.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                if (broken) {
                    out.write(good, 0, good.length / 2);
                    out.flush();
                    Thread.sleep(100);
                } else {
                    out.write(good);
                    out.flush();
                    assertEquals(List.of("REPLCONF", "ACK", "100"), readCommand(s.getInputStream()));
                    assertEquals("2000", text(c.call("DBSIZE")).trim());
                }
            }
            if (broken) {
                try (Socket s = ss.accept()) {
                    // Retried, with nothing half-loaded left behind.
                    assertEquals("0", text(c.call("DBSIZE")).trim());
                    handshake(s.getInputStream(), s.getOutputStream());
                }
            }
        }
    }
}
