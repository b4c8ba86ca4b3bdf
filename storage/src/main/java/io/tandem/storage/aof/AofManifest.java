package io.tandem.storage.aof;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The manifest of a Redis 7.0 multi-part AOF ({@code appendonly.aof.manifest}), parsed as
 * {@code aofLoadManifestFromFile} does:
 * <pre>
 *   file appendonly.aof.1.base.rdb seq 1 type b
 *   file appendonly.aof.1.incr.aof seq 1 type i
 *   file "name with spaces.aof" seq 2 type h
 * </pre>
 * One file per line, as key/value pairs split with {@code sdssplitargs} rules (double quotes with
 * {@code \n \r \t \b \a \\ \" \xHH} escapes, single quotes with {@code \'}); keys {@code file},
 * {@code seq}, {@code type} (b base, h history, i incr) required, others ignored; lines starting
 * with '#' skipped; at most one base; incr sequence numbers strictly increasing; a file name
 * must not be a path. Immutable once parsed.
 */
public record AofManifest(AofInfo base, List<AofInfo> incrs, List<AofInfo> history) {
    /** One line: a file of the AOF. */
    public record AofInfo(String fileName, long seq, char type) {}

    /** AOF_MANIFEST_MAX_LINE. */
    private static final int MAX_LINE = 1024;

    /** A manifest Redis would refuse; the message is Redis's ("Invalid AOF manifest file format at line 3"). */
    public static final class ManifestException extends Exception {
        private static final long serialVersionUID = 1L;

        public ManifestException(String message) {
            super(message);
        }
    }

    /** Every file of the AOF in loading order: the base (if any), then the incr files. */
    public List<AofInfo> loadOrder() {
        List<AofInfo> l = new ArrayList<>();
        if (base != null) l.add(base);
        l.addAll(incrs);
        return l;
    }

    /** True if {@code file} looks like a manifest: some line, not a comment, starts with "file" (redis-check-aof's test). */
    public static boolean looksLikeManifest(Path file) throws IOException {
        if (Files.size(file) == 0) return false;
        try (var in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(5);
            if (head.length == 5 && new String(head, StandardCharsets.ISO_8859_1).equals("REDIS")) return false;
        }
        try (var in = new java.io.BufferedInputStream(Files.newInputStream(file))) {
            boolean lineStart = true;
            byte[] w = new byte[4];
            int c;
            while ((c = in.read()) >= 0) {
                if (lineStart && c == 'f') {
                    int n = in.readNBytes(w, 0, 3);
                    if (n == 3 && w[0] == 'i' && w[1] == 'l' && w[2] == 'e') return true;
                    lineStart = false;
                    if (n > 0 && w[n - 1] == '\n') lineStart = true;
                    continue;
                }
                lineStart = c == '\n';
            }
            return false;
        }
    }

    public static AofManifest parse(Path file) throws IOException, ManifestException {
        return parse(Files.readAllBytes(file));
    }

    public static AofManifest parse(byte[] content) throws ManifestException {
        AofInfo base = null;
        List<AofInfo> incrs = new ArrayList<>();
        List<AofInfo> history = new ArrayList<>();
        long maxSeq = 0;
        int lineNum = 0;
        int p = 0;
        while (p < content.length) {
            int end = p;
            while (end < content.length && content[end] != '\n' && end - p < MAX_LINE) end++;
            boolean hasNewline = end < content.length && content[end] == '\n';
            String raw = new String(content, p, end - p, StandardCharsets.ISO_8859_1);
            p = hasNewline ? end + 1 : end;
            lineNum++;
            if (raw.startsWith("#")) continue;
            if (!hasNewline) throw new ManifestException("The AOF manifest file contains too long line at line " + lineNum);
            String line = raw.strip();
            String bad = "Invalid AOF manifest file format at line " + lineNum;
            if (line.isEmpty()) throw new ManifestException(bad);
            List<String> argv = splitArgs(line);
            if (argv == null || argv.size() < 6 || argv.size() % 2 != 0) throw new ManifestException(bad);
            String name = null;
            long seq = 0;
            char type = 0;
            for (int i = 0; i < argv.size(); i += 2) {
                String k = argv.get(i);
                String v = argv.get(i + 1);
                if (k.equalsIgnoreCase("file")) {
                    name = v;
                    if (name.contains("/")) throw new ManifestException("File can't be a path, just a filename at line " + lineNum);
                } else if (k.equalsIgnoreCase("seq")) {
                    seq = atoll(v);
                } else if (k.equalsIgnoreCase("type")) {
                    type = v.isEmpty() ? 0 : v.charAt(0);
                }
            }
            if (name == null || seq == 0 || type == 0) throw new ManifestException(bad);
            AofInfo ai = new AofInfo(name, seq, type);
            switch (type) {
                case 'b' -> {
                    if (base != null) throw new ManifestException("Found duplicate base file information at line " + lineNum);
                    base = ai;
                }
                case 'h' -> history.add(ai);
                case 'i' -> {
                    if (seq <= maxSeq) throw new ManifestException("Found a non-monotonic sequence number at line " + lineNum);
                    incrs.add(ai);
                    maxSeq = seq;
                }
                default -> throw new ManifestException("Unknown AOF file type at line " + lineNum);
            }
        }
        if (base == null && incrs.isEmpty()) throw new ManifestException("Found an empty AOF manifest");
        return new AofManifest(base, List.copyOf(incrs), List.copyOf(history));
    }

    /** C's atoll: leading spaces, sign, digits, stops at the first other char (0 if none). */
    private static long atoll(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) neg = s.charAt(i++) == '-';
        long v = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) v = v * 10 + (s.charAt(i++) - '0');
        return neg ? -v : v;
    }

    /** sdssplitargs: arguments of a line, or null for unbalanced quotes. Bytes as ISO-8859-1 chars. */
    public static List<String> splitArgs(String line) {
        List<String> out = new ArrayList<>();
        int p = 0;
        int n = line.length();
        while (true) {
            while (p < n && Character.isWhitespace(line.charAt(p))) p++;
            if (p >= n) return out;
            boolean inq = false;
            boolean insq = false;
            boolean done = false;
            ByteArrayOutputStream cur = new ByteArrayOutputStream();
            while (!done) {
                char c = p < n ? line.charAt(p) : 0;
                if (inq) {
                    if (p >= n) return null;
                    if (c == '\\' && p + 3 < n && line.charAt(p + 1) == 'x' && isHex(line.charAt(p + 2)) && isHex(line.charAt(p + 3))) {
                        cur.write(Integer.parseInt(line.substring(p + 2, p + 4), 16));
                        p += 3;
                    } else if (c == '\\' && p + 1 < n) {
                        p++;
                        char e = line.charAt(p);
                        cur.write(switch (e) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> e;
                        });
                    } else if (c == '"') {
                        if (p + 1 < n && !Character.isWhitespace(line.charAt(p + 1))) return null;
                        done = true;
                    } else {
                        cur.write(c);
                    }
                } else if (insq) {
                    if (p >= n) return null;
                    if (c == '\\' && p + 1 < n && line.charAt(p + 1) == '\'') {
                        p++;
                        cur.write('\'');
                    } else if (c == '\'') {
                        if (p + 1 < n && !Character.isWhitespace(line.charAt(p + 1))) return null;
                        done = true;
                    } else {
                        cur.write(c);
                    }
                } else {
                    if (p >= n || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                        done = true;
                    } else if (c == '"') {
                        inq = true;
                    } else if (c == '\'') {
                        insq = true;
                    } else {
                        cur.write(c);
                    }
                }
                if (p < n) p++;
            }
            out.add(cur.toString(StandardCharsets.ISO_8859_1));
        }
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}
