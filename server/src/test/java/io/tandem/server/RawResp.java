package io.tandem.server;

import io.tandem.server.testing.RawConnection;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Test helper: commands as RESP arrays, and one whole reply read back as its exact bytes (RESP2 and RESP3). */
final class RawResp {
    private RawResp() {}

    static String cmd(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString();
    }

    /** Sends a command and returns its reply's bytes. */
    static String call(RawConnection c, String... args) throws IOException {
        c.send(cmd(args));
        return reply(c);
    }

    /** Reads one complete reply (nested aggregates included). */
    static String reply(RawConnection c) throws IOException {
        String line = c.readLine();
        if (line.isEmpty()) throw new IOException("connection closed");
        char t = line.charAt(0);
        StringBuilder sb = new StringBuilder(line);
        switch (t) {
            case '$', '=', '!' -> {
                int n = Integer.parseInt(line.substring(1, line.length() - 2));
                if (n >= 0) sb.append(c.read(n + 2));
            }
            case '*', '>', '~', '%', '|' -> {
                int n = Integer.parseInt(line.substring(1, line.length() - 2));
                if (t == '%' || t == '|') n *= 2;
                for (int i = 0; i < n; i++) sb.append(reply(c));
            }
            default -> { }
        }
        return sb.toString();
    }

    static String bulk(String s) {
        return "$" + s.getBytes(StandardCharsets.UTF_8).length + "\r\n" + s + "\r\n";
    }

    /** A pub/sub frame: {@code *n} (RESP2) or {@code >n} (RESP3) of bulks, an integer last when given as a Long. */
    static String frame(boolean resp3, Object... items) {
        StringBuilder sb = new StringBuilder().append(resp3 ? '>' : '*').append(items.length).append("\r\n");
        for (Object o : items) {
            if (o == null) sb.append(resp3 ? "_\r\n" : "$-1\r\n");
            else if (o instanceof Long || o instanceof Integer) sb.append(':').append(o).append("\r\n");
            else sb.append(bulk(o.toString()));
        }
        return sb.toString();
    }
}
