package io.tandem.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Generates {@code conf/tandem.conf}: every directive of the {@link ConfigTable}, grouped by
 * section, with its description and its default value as an active line.
 * Run: {@code java -cp server/target/classes:storage/target/classes io.tandem.server.config.ConfigDocGenerator conf/tandem.conf}
 */
public final class ConfigDocGenerator {
    private ConfigDocGenerator() {}

    private static void banner(StringBuilder sb, String title) {
        String t = " " + title + " ";
        int left = (78 - t.length()) / 2;
        int right = 78 - t.length() - left;
        if (!sb.toString().endsWith("\n\n")) sb.append('\n');
        sb.append("#".repeat(Math.max(2, left))).append(t).append("#".repeat(Math.max(2, right))).append("\n\n");
    }

    private static void comment(StringBuilder sb, String text) {
        List<String> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String w : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + w.length() > 76) {
                out.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) line.append(' ');
            line.append(w);
        }
        if (line.length() > 0) out.add(line.toString());
        for (String l : out) sb.append("# ").append(l).append('\n');
    }

    public static String tandemConf() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Tandem configuration file.\n"
                + "#\n"
                + "# The syntax and directives are those of redis.conf (Redis 7.0): Tandem reads an\n"
                + "# existing redis.conf unchanged. Start the server with the file as first argument:\n"
                + "#\n"
                + "#   ./tandem-server /path/to/tandem.conf\n"
                + "#\n"
                + "# Options given after it on the command line (--port 6380 --save \"\") are applied\n"
                + "# after the file, as if appended to it. Every directive below is set to its\n"
                + "# default value. Directives marked \"immutable\" cannot be changed with CONFIG SET.\n"
                + "#\n"
                + "# One directive per line: name, then arguments. Arguments may be \"double quoted\"\n"
                + "# (with \\n, \\t, \\xHH escapes) or 'single quoted'. Names are case-insensitive.\n"
                + "#\n"
                + "# Memory sizes accept units, case-insensitive:\n"
                + "#\n"
                + "# 1k => 1000 bytes\n"
                + "# 1kb => 1024 bytes\n"
                + "# 1m => 1000000 bytes\n"
                + "# 1mb => 1024*1024 bytes\n"
                + "# 1g => 1000000000 bytes\n"
                + "# 1gb => 1024*1024*1024 bytes\n");
        banner(sb, "INCLUDES");
        comment(sb, "Include other configuration files. Relative paths are resolved against the working directory (the current value of dir). Wildcards include every matching file, in name order; no match is not an error. Later lines override earlier ones, so put includes first to use them as templates, or last to override this file.");
        sb.append("#\n# include /path/to/local.conf\n# include /path/to/conf.d/*.conf\n");
        String section = null;
        for (Directive d : ConfigTable.all()) {
            if (!d.section().equals(section)) {
                section = d.section();
                banner(sb, section);
                if (section.equals("SECURITY")) {
                    comment(sb, "rename-command <name> <new-name> renames a command; an empty new name (\"\") removes it. Several lines allowed.");
                    sb.append("#\n# rename-command CONFIG \"\"\n\n");
                }
            }
            String doc = d.doc();
            List<String> notes = new ArrayList<>();
            if (d.has(Directive.Flag.TANDEM) && !doc.startsWith("Tandem:")) notes.add("Tandem only, not a Redis directive");
            if (!d.aliases().isEmpty()) notes.add("alias: " + String.join(", ", d.aliases()));
            if (!d.mutable()) notes.add("immutable");
            if (d.has(Directive.Flag.PROTECTED)) notes.add("protected: CONFIG SET needs enable-protected-configs");
            if (d instanceof Directive.Numeric) {
                Directive.Numeric n = (Directive.Numeric) d;
                if ((n.nflags & Directive.PERCENT) != 0) {
                    notes.add("0 to " + Long.toUnsignedString(n.upper) + " bytes or 0% to " + (-n.lower) + "%");
                } else if ((n.nflags & Directive.OCTAL) == 0) {
                    notes.add("range " + (n.unsigned ? Long.toUnsignedString(n.lower) : Long.toString(n.lower)) + " to "
                            + (n.unsigned ? Long.toUnsignedString(n.upper) : Long.toString(n.upper)));
                }
            } else if (d instanceof Directive.Enum) {
                notes.add("one of: " + String.join(", ", ((Directive.Enum) d).choices()));
            }
            comment(sb, doc + (notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")"));
            for (String l : d.defaultLines()) sb.append(l).append('\n');
            sb.append('\n');
        }
        return sb.toString();
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "conf/tandem.conf");
        Files.write(out, tandemConf().getBytes(StandardCharsets.ISO_8859_1));
        System.out.println("wrote " + out.toAbsolutePath());
    }
}
