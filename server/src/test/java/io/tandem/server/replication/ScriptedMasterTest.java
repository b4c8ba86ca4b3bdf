package io.tandem.server.replication;

import static io.tandem.server.replication.RedisReplicaOfTandemTest.field;
import static io.tandem.server.replication.RedisReplicaOfTandemTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.rdb.RdbFileWriter;
import io.tandem.storage.rdb.RdbSink;
import io.tandem.storage.testing.RedisProcess.Client;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tandem as a replica of a scripted master on a plain socket, to pin what a real master rarely
 * shows: a link lost in the middle of a MULTI ... EXEC leaves the offset before the MULTI (the
 * replica asks to continue from there and never applies half a transaction), as Redis's replica.
 */
class ScriptedMasterTest {
    private static final String ID = "feedfacefeedfacefeedfacefeedfacefeedface";

    private static String cmd(String... a) {
        StringBuilder sb = new StringBuilder("*" + a.length + "\r\n");
        for (String x : a) sb.append('$').append(x.length()).append("\r\n").append(x).append("\r\n");
        return sb.toString();
    }

    /** Reads one RESP command (array of bulks) from the replica. */
    private static List<String> readCommand(BufferedReader in) throws Exception {
        String head = in.readLine();
        int n = Integer.parseInt(head.substring(1));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            in.readLine();
            out.add(in.readLine());
        }
        return out;
    }

    /** Answers the handshake up to PSYNC and returns the PSYNC arguments. */
    private static List<String> handshake(BufferedReader in, OutputStream out) throws Exception {
        while (true) {
            List<String> c = readCommand(in);
            switch (c.get(0).toUpperCase()) {
                case "PING" -> out.write("+PONG\r\n".getBytes(StandardCharsets.US_ASCII));
                case "REPLCONF" -> out.write("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
                case "PSYNC" -> {
                    return c;
                }
                default -> throw new AssertionError("unexpected " + c);
            }
            out.flush();
        }
    }

    /** GET, as null while the replica answers -LOADING. */
    static String getWhileLoading(Client c, String key) throws Exception {
        try {
            return text(c.call("GET", key));
        } catch (io.tandem.storage.testing.RedisProcess.RedisError e) {
            if (e.getMessage().startsWith("LOADING")) return null;
            throw e;
        }
    }

    @Test
    void aLinkLostInsideMultiResumesBeforeIt() throws Exception {
        ByteArrayOutputStream rdb = new ByteArrayOutputStream();
        RdbFileWriter w = new RdbFileWriter(RdbSink.of(rdb), false, true);
        w.header();
        w.finish();
        try (ServerSocket ss = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                TandemTestServer t = TandemTestServer.start(Map.of("replicaof", "127.0.0.1 " + ss.getLocalPort()));
                Client c = Client.connect("127.0.0.1", t.port())) {
            String select = cmd("SELECT", "0");
            String set = cmd("SET", "a", "1");
            try (Socket s = ss.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                OutputStream out = s.getOutputStream();
                assertEquals(List.of("PSYNC", "?", "-1"), handshake(in, out));
                out.write(("+FULLRESYNC " + ID + " 100\r\n$" + rdb.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(rdb.toByteArray());
                out.write((select + set + cmd("MULTI") + cmd("SET", "b", "2")).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                long deadline = System.currentTimeMillis() + 10_000;
                // (-LOADING while the replica stores the RDB, as Redis answers during a load)
                while (!"1".equals(getWhileLoading(c, "a")) && System.currentTimeMillis() < deadline) Thread.sleep(10);
                assertEquals("1", text(c.call("GET", "a")));
                assertEquals(Long.toString(100 + select.length() + set.length()),
                        field(text(c.call("INFO", "replication")), "master_repl_offset"), "MULTI not counted until EXEC");
            }
            try (Socket s = ss.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                OutputStream out = s.getOutputStream();
                long resume = 100 + select.length() + set.length() + 1;
                assertEquals(List.of("PSYNC", ID, Long.toString(resume)), handshake(in, out));
                assertEquals(null, c.call("GET", "b"), "half a transaction was never applied");
                String tx = cmd("MULTI") + cmd("SET", "b", "2") + cmd("EXEC");
                out.write(("+CONTINUE " + ID + "\r\n" + tx).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                long deadline = System.currentTimeMillis() + 10_000;
                while (!"2".equals(text(c.call("GET", "b"))) && System.currentTimeMillis() < deadline) Thread.sleep(10);
                assertEquals("2", text(c.call("GET", "b")));
                assertEquals(Long.toString(resume - 1 + tx.length()), field(text(c.call("INFO", "replication")), "master_repl_offset"));
                assertEquals(List.of("REPLCONF", "ACK", Long.toString(resume - 1)), readCommand(in), "the ACK after +CONTINUE");
            }
        }
    }
}
