package io.tandem.server.config;

import static io.tandem.server.config.ConfigLoaderTest.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expected reports were produced by redis-server 7.0.15 with the same arguments. */
class CommandLineTest {
    @TempDir
    Path tmp;
    String conf;

    @BeforeEach
    void writeConf() throws Exception {
        Path p = tmp.resolve("c1.conf");
        Files.writeString(p, "port 1\nsave 1 1\n");
        conf = p.toString();
    }

    static InputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static final InputStream NO_STDIN = in("");

    void assertReport(String[] args, String stdin, int line, String text, String err) {
        ConfigException e = assertThrows(ConfigException.class, () -> CommandLine.load(args, in(stdin)));
        assertEquals(report(line, text, err), e.getMessage());
    }

    @Test
    void versionAndHelp() {
        assertEquals(CommandLine.Mode.VERSION, CommandLine.parse("-v").mode());
        assertEquals(CommandLine.Mode.VERSION, CommandLine.parse("--version").mode());
        assertEquals(CommandLine.Mode.HELP, CommandLine.parse("-h").mode());
        assertEquals(CommandLine.Mode.HELP, CommandLine.parse("--help").mode());
        assertEquals(CommandLine.Mode.RUN, CommandLine.parse("x.conf", "--version").mode());
        assertTrue(CommandLine.parse("-v").versionText().contains("v="));
        assertTrue(CommandLine.usageText().startsWith("Usage: ./tandem-server [/path/to/tandem.conf] [options] [-]\n"));
    }

    @Test
    void noArguments() throws Exception {
        CommandLine cl = CommandLine.parse();
        assertNull(cl.configFile());
        assertFalse(cl.fromStdin());
        ServerConfig cfg = cl.load(NO_STDIN);
        assertEquals(6379, cfg.port());
        assertNull(cfg.configFile());
    }

    @Test
    void optionsAreAppendedAfterFileAndStdin() throws Exception {
        ServerConfig cfg = CommandLine.load(new String[] {conf, "--port", "6380", "--save", "", "--save", "900 1"}, NO_STDIN);
        assertEquals(6380, cfg.port());
        assertEquals("900 1", cfg.format("save"));
        assertEquals(Path.of(conf).toAbsolutePath(), cfg.configFile());

        cfg = CommandLine.load(new String[] {conf, "--save", "--port", "6381"}, NO_STDIN);
        assertEquals("", cfg.format("save"));
        assertEquals(6381, cfg.port());
        cfg = CommandLine.load(new String[] {conf, "--save"}, NO_STDIN);
        assertEquals("", cfg.format("save"));

        cfg = CommandLine.load(new String[] {"--port", "7777", "--replicaof", "127.0.0.1", "8888", "--bind", "127.0.0.1", "::1"}, NO_STDIN);
        assertEquals(new ReplicaOf("127.0.0.1", 8888), cfg.replicaOf());
        assertEquals(List.of("127.0.0.1", "::1"), cfg.bind());
        cfg = CommandLine.load(new String[] {"--save", "1 2 3 4", "--bind", "127.0.0.1 ::1", "--requirepass", "a \"b\""}, NO_STDIN);
        assertEquals("1 2 3 4", cfg.format("save"));
        assertEquals(List.of("127.0.0.1", "::1"), cfg.bind());
        assertEquals("a \"b\"", cfg.requirepass());
        cfg = CommandLine.load(new String[] {"--port 6390"}, NO_STDIN); // name and value in one argument
        assertEquals(6390, cfg.port());
    }

    @Test
    void nonAsciiArgumentsKeepTheirBytes() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.charset.Charset.forName(
                System.getProperty("sun.jnu.encoding", "UTF-8")).equals(StandardCharsets.UTF_8));
        ServerConfig cfg = CommandLine.load(new String[] {"--requirepass", "pässwörd"}, NO_STDIN);
        assertEquals("pässwörd", new String(ConfigText.bytes(cfg.requirepass()), StandardCharsets.UTF_8));
    }

    @Test
    void stdin() throws Exception {
        CommandLine cl = CommandLine.parse(conf, "-");
        assertTrue(cl.fromStdin());
        ServerConfig cfg = cl.load(in("port 7100\n"));
        assertEquals(7100, cfg.port());
        cfg = CommandLine.load(new String[] {"-", "--timeout", "5"}, in("port 7101\n"));
        assertEquals(7101, cfg.port());
        assertEquals(5, cfg.timeout());
        // Options win over stdin, stdin over the file.
        cfg = CommandLine.load(new String[] {conf, "--port", "7103", "-"}, in("port 7102\n"));
        assertEquals(7103, cfg.port());
        // '-' in the middle is an option value, not stdin.
        assertFalse(CommandLine.parse("--a", "-", "--b", "c").fromStdin());
    }

    @Test
    void errorsReferToTheAppendedLines() {
        assertReport(new String[] {"--port", "x"}, "", 2, "port \"x\"", "argument couldn't be parsed into an integer");
        assertReport(new String[] {conf, "--port", "x"}, "", 4, "port \"x\"", "argument couldn't be parsed into an integer");
        assertReport(new String[] {conf, "--maxmemory", "1mb", "--port", "1", "2"}, "", 5, "port \"1\" \"2\"", "wrong number of arguments");
        assertReport(new String[] {"--save", "--port", "x"}, "", 3, "port \"x\"", "argument couldn't be parsed into an integer");
        assertReport(new String[] {conf, "--loglevel"}, "", 4, "loglevel", "wrong number of arguments");
        assertReport(new String[] {conf, "-"}, "port y\n", 3, "port y", "argument couldn't be parsed into an integer");
        assertReport(new String[] {"-", "--timeout", "5"}, "port y\n", 1, "port y", "argument couldn't be parsed into an integer");
        assertReport(new String[] {"--bind", "1.2.3.4 5.6.7.8", "--port", "a b"}, "", 3, "port \"a b\"", "argument couldn't be parsed into an integer");
    }

    @Test
    void missingConfigFile() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> CommandLine.load(new String[] {"/nonexistent/tandem.conf"}, NO_STDIN));
        assertEquals("Fatal error, can't open config file '/nonexistent/tandem.conf': No such file or directory", e.getMessage());
    }
}
