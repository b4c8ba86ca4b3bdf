package io.tandem.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path tmp;

    static String report(int line, String text, String err) {
        return "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
                + "Reading the configuration file, at line " + line + "\n"
                + ">>> '" + text + "'\n" + err;
    }

    static void assertReport(String config, int line, String text, String err) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.loadString(config));
        assertEquals(report(line, text, err), e.getMessage());
        assertEquals("\n" + report(line, text, err) + "\n", e.stderrText());
    }

    static void assertError(String config, String err) {
        String first = config.split("\n")[0].trim();
        assertReport(config, 1, first, err);
    }

    // ---------------------------------------------------------------- error reports (texts checked against redis-server 7.0.15)

    @Test
    void reportFormatAsInTheBrief() {
        assertReport("# c\nport \"abc\"\n", 2, "port \"abc\"", "argument couldn't be parsed into an integer");
    }

    @Test
    void everyErrorPathGivesRedisReason() {
        assertError("port 1 2", "wrong number of arguments");
        assertError("port", "wrong number of arguments");
        assertError("daemonize yes no", "wrong number of arguments");
        assertError("foo bar", "Bad directive or wrong number of arguments");
        assertError("include", "Bad directive or wrong number of arguments");
        assertError("rename-command a", "Bad directive or wrong number of arguments");
        assertError("daemonize maybe", "argument must be 'yes' or 'no'");
        assertError("maxmemory 1x", "argument must be a memory value");
        assertError("maxmemory -1", "argument must be a memory value");
        assertError("maxmemory 1.5gb", "argument must be a memory value");
        assertError("port 70000", "argument must be between 0 and 65535 inclusive");
        assertError("port 06379", "argument couldn't be parsed into an integer");
        assertError("port +6379", "argument couldn't be parsed into an integer");
        assertError("maxclients 0", "argument must be between 1 and 4294967295 inclusive");
        assertError("slowlog-max-len -1", "argument must be between 0 and 9223372036854775807 inclusive");
        assertError("proto-max-bulk-len 9223372036854775808", "argument must be between 1048576 and 9223372036854775807 inclusive");
        assertError("loglevel foo", "argument(s) must be one of the following: debug, verbose, notice, warning");
        assertError("repl-diskless-load foo bar", "wrong number of arguments");
        assertError("shutdown-on-sigint foo", "argument(s) must be one of the following: default, save, nosave, now, force");
        assertError("shutdown-on-sigint save nosave", "shutdown options SAVE and NOSAVE can't be used simultaneously");
        assertError("save 0 1", "Invalid save parameters");
        assertError("save 1", "Invalid save parameters");
        assertError("save 10 x", "Invalid save parameters");
        assertError("port \"abc", "Unbalanced quotes in configuration line");
        assertError("port \"abc\"x", "Unbalanced quotes in configuration line");
        assertError("port 'abc", "Unbalanced quotes in configuration line");
        assertError("client-output-buffer-limit master 1 1 1", "Invalid client class specified in buffer limit configuration.");
        assertError("client-output-buffer-limit normal 1 1", "Wrong number of arguments in buffer limit configuration.");
        assertError("client-output-buffer-limit normal 1 x 1", "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
        assertError("client-output-buffer-limit normal 1 1 -1", "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
        assertError("unixsocketperm 999", "argument couldn't be parsed as an octal number");
        assertError("unixsocketperm 1777", "argument must be between 0 and 777 inclusive");
        assertError("notify-keyspace-events Q", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
        assertError("replicaof a b", "Invalid master port");
        assertError("replicaof a 70000", "Invalid master port");
        assertError("replicaof a", "wrong number of arguments");
        assertError("dir /nonexistent-tandem-dir", "No such file or directory");
        assertError("maxmemory-clients 200%", "percentage argument must be less or equal to 100");
        assertError("maxmemory-clients x%", "argument must be a memory or percent value");
        assertError("oom-score-adj-values 1 2", "wrong number of arguments");
        assertError("oom-score-adj-values 1 2 5000", "Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
        assertError("dbfilename a/b", "dbfilename can't be a path, just a filename");
        assertError("appendfilename \"\"", "appendfilename can't be empty");
        assertError("appendfilename x/y", "appendfilename can't be a path, just a filename");
        assertError("appenddirname \"\"", "appenddirname can't be empty");
        assertError("proc-title-template \"{foo}\"", "template format is invalid or contains unknown variables");
        assertError("bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", "Too many bind addresses specified.");
        assertError("latency-tracking-info-percentiles 101", "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
        assertError("latency-tracking-info-percentiles x", "Invalid latency-tracking-info-percentiles parameters");
        assertError("sentinel foo", "sentinel directive while not in sentinel mode");
        assertError("foo.bar", "Module config specified without value");
        assertError("cluster-announce-hostname \"a b\"", "Hostnames may only contain alphanumeric characters, hyphens or dots");
    }

    @Test
    void reportsTheFailingLineAfterSkippedOnes() {
        assertReport("hz 1000\nport x\n", 2, "port x", "argument couldn't be parsed into an integer");
        assertReport("list-max-ziplist-entries 5\nlist-max-ziplist-value 5\nlua-replicate-commands yes\nport x\n", 4, "port x",
                "argument couldn't be parsed into an integer");
        assertReport("user foo on\nport x\n", 2, "port x", "argument couldn't be parsed into an integer");
        assertReport("loadmodule /x.so\nport x\n", 2, "port x", "argument couldn't be parsed into an integer");
        assertReport("foo.bar 1\nport x\n", 2, "port x", "argument couldn't be parsed into an integer");
        assertReport("   \n\t# indented comment\n   port   x   \r\n", 3, "port   x", "argument couldn't be parsed into an integer");
    }

    @Test
    void postLoadChecksHaveNoLine() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.loadString("logfile /nonexistent-tandem-dir/x.log\n"));
        assertEquals("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory", e.getMessage());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.loadString("cluster-enabled yes\nreplicaof h 1\n"));
        assertEquals("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nreplicaof directive not allowed in cluster mode", e.getMessage());
    }

    @Test
    void renameCommandValidation() throws Exception {
        ConfigLoader.Options opts = ConfigLoader.Options.defaults().commandExists(c -> c.equals("flushall") || c.equals("config"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.loadString("rename-command FOO BAR\n", opts));
        assertEquals(report(1, "rename-command FOO BAR", "No such command in rename-command"), e.getMessage());
        ServerConfig cfg = ConfigLoader.loadString("rename-command FLUSHALL \"\"\nrename-command CONFIG cfg-9f\n", opts);
        assertEquals(List.of(new ServerConfig.CommandRename("FLUSHALL", ""), new ServerConfig.CommandRename("CONFIG", "cfg-9f")),
                cfg.renamedCommands());
    }

    // ---------------------------------------------------------------- syntax

    @Test
    void quotingAsSdssplitargs() throws Exception {
        assertEquals(List.of("a", "b c", "d"), ConfigText.splitArgs("a \"b c\" d"));
        assertEquals(List.of("x\ny\tz\u0007\b\r\"\\q"), ConfigText.splitArgs("\"x\\ny\\tz\\a\\b\\r\\\"\\\\\\q\""));
        assertEquals(List.of("\u00ff\u0001A"), ConfigText.splitArgs("\"\\xff\\x01\\x41\""));
        assertEquals(List.of("x4"), ConfigText.splitArgs("\"\\x4\"")); // not a hex escape: backslash dropped
        assertEquals(List.of("it's", "a\\nb"), ConfigText.splitArgs("'it\\'s' 'a\\nb'"));
        assertEquals(List.of("foobar"), ConfigText.splitArgs("foo\"bar\""));
        assertEquals(List.of(""), ConfigText.splitArgs("\"\""));
        assertEquals(List.of(), ConfigText.splitArgs("   "));
        assertNull(ConfigText.splitArgs("\"a\"b"));
        assertNull(ConfigText.splitArgs("'a'b"));

        ServerConfig cfg = ConfigLoader.loadString("requirepass \"p a\\x73s\\n\"\nmasterauth 'x y'\n");
        assertEquals("p ass\n", cfg.requirepass());
        assertEquals("x y", cfg.masterauth());
        assertEquals("\"p as\\n\\x01\\xe9\"", ConfigText.repr("p as\n\u0001\u00e9"));
    }

    @Test
    void namesAreCaseInsensitiveAndValuesToo() throws Exception {
        ServerConfig cfg = ConfigLoader.loadString("PORT 7000\nDaemonize YES\nMaxMemory-Policy ALLKEYS-LRU\nAPPENDFSYNC Always\n");
        assertEquals(7000, cfg.port());
        assertTrue(cfg.daemonize());
        assertEquals("allkeys-lru", cfg.maxmemoryPolicy());
        assertEquals("always", cfg.appendfsync());
    }

    @Test
    void memoryUnits() throws Exception {
        String[][] cases = {
            {"1", "1"}, {"1b", "1"}, {"1k", "1000"}, {"1kb", "1024"}, {"1K", "1000"}, {"1KB", "1024"}, {"2m", "2000000"},
            {"2mb", "2097152"}, {"3g", "3000000000"}, {"3gb", "3221225472"}, {"1Gb", "1073741824"}, {"\"\"", "0"}, {"kb", "0"},
            {"18446744073709551615", "18446744073709551615"}, {"18446744073709551616", "18446744073709551615"},
        };
        for (String[] c : cases) {
            ServerConfig cfg = ConfigLoader.loadString("maxmemory " + c[0] + "\n");
            assertEquals(c[1], cfg.format("maxmemory"), c[0]);
        }
        ServerConfig cfg = ConfigLoader.loadString("maxmemory 100mb\nmaxmemory-clients 10%\nrepl-backlog-size 10mb\n");
        assertEquals(100L * 1024 * 1024, cfg.maxmemory());
        assertEquals(-10L, cfg.getLong("maxmemory-clients"));
        assertEquals("10%", cfg.format("maxmemory-clients"));
        assertEquals(10L * 1024 * 1024, cfg.replBacklogSize());
        assertEquals("17179869184gb is wrapped as in 7.0.15", "0".equals(
                ConfigLoader.loadString("maxmemory 17179869184gb\n").format("maxmemory")) ? "17179869184gb is wrapped as in 7.0.15" : "");
    }

    @Test
    void saveLines() throws Exception {
        assertEquals("3600 1 300 100 60 10000", ServerConfig.defaults().format("save"));
        assertEquals("900 1 300 10", ConfigLoader.loadString("save 900 1\nsave 300 10\n").format("save"));
        assertEquals("", ConfigLoader.loadString("save \"\"\n").format("save"));
        assertEquals("5 5", ConfigLoader.loadString("save 900 1\nsave \"\"\nsave 5 5\n").format("save"));
        assertEquals("900 1 300 10", ConfigLoader.loadString("save 900 1 300 10\n").format("save"));
        assertEquals("900 1 300 10", ConfigLoader.loadString("save \"900 1 300 10\"\n").format("save"));
        assertEquals(List.of(new SavePoint(900, 1)), ConfigLoader.loadString("save 900 1\n").save());
        assertEquals("3600 1 300 100 60 10000", ConfigLoader.loadString("port 1\n").format("save"));
    }

    @Test
    void bindWithOptionalAddresses() throws Exception {
        ServerConfig cfg = ConfigLoader.loadString("bind 127.0.0.1 -::1\n");
        assertEquals(List.of("127.0.0.1", "-::1"), cfg.bind());
        assertEquals(List.of(new BindAddress("127.0.0.1", false), new BindAddress("::1", true)), cfg.bindAddresses());
        assertEquals("127.0.0.1 -::1", cfg.format("bind"));
        assertEquals("* -::*", ServerConfig.defaults().format("bind"));
        assertTrue(ServerConfig.defaults().bindAddresses().get(1).anyIpv6());
        assertEquals(List.of(), ConfigLoader.loadString("bind \"\"\n").bind());
        assertEquals(List.of("10.0.0.1", "10.0.0.2"), ConfigLoader.loadString("bind \"10.0.0.1 10.0.0.2\"\n").bind());
    }

    @Test
    void clientOutputBufferLimits() throws Exception {
        ServerConfig cfg = ConfigLoader.loadString("client-output-buffer-limit normal 0 0 0\n"
                + "client-output-buffer-limit replica 512mb 128mb 30\n"
                + "client-output-buffer-limit pubsub 64mb 16mb 90\n");
        assertEquals("normal 0 0 0 slave 536870912 134217728 30 pubsub 67108864 16777216 90", cfg.format("client-output-buffer-limit"));
        assertEquals(new ClientBufferLimits.Limit(512L << 20, 128L << 20, 30), cfg.clientOutputBufferLimits().replica());
        cfg = ConfigLoader.loadString("client-output-buffer-limit slave 1mb 2mb 3 normal 1 2 3\n");
        assertEquals("normal 1 2 3 slave 1048576 2097152 3 pubsub 33554432 8388608 60", cfg.format("client-output-buffer-limit"));
    }

    @Test
    void specialValues() throws Exception {
        ServerConfig cfg = ConfigLoader.loadString("replicaof 10.0.0.1 6380\nnotify-keyspace-events KEA\nhz 1000\n"
                + "unixsocketperm 700\nshutdown-on-sigint \"now nosave\"\noom-score-adj relative\n");
        assertEquals(new ReplicaOf("10.0.0.1", 6380), cfg.replicaOf());
        assertEquals("10.0.0.1 6380", cfg.format("slaveof"));
        assertEquals("AKE", cfg.format("notify-keyspace-events"));
        assertEquals(KeyspaceEventFlags.ALL | KeyspaceEventFlags.KEYSPACE | KeyspaceEventFlags.KEYEVENT, cfg.notifyKeyspaceEvents());
        assertEquals(500, cfg.hz());
        assertEquals(0700, cfg.unixsocketperm());
        assertEquals("700", cfg.format("unixsocketperm"));
        assertEquals("nosave now", cfg.format("shutdown-on-sigint"));
        assertEquals("yes", cfg.format("oom-score-adj"));
        assertNull(ConfigLoader.loadString("replicaof h 1\nslaveof no one\n").replicaOf());
        assertEquals(1, ConfigLoader.loadString("hz 0\n").hz());
        assertEquals("xnK", ConfigLoader.loadString("notify-keyspace-events Kxn\n").format("notify-keyspace-events"));
    }

    @Test
    void deprecatedAndForeignDirectivesAreAccepted() throws Exception {
        ServerConfig cfg = ConfigLoader.loadString("list-max-ziplist-entries 512\nlua-replicate-commands yes\n"
                + "user default on nopass ~* +@all\nloadmodule /x.so a b\nmymod.opt 5\nsentinel\n");
        assertEquals(List.of(List.of("default", "on", "nopass", "~*", "+@all")), cfg.userDirectives());
        assertEquals(List.of(List.of("/x.so", "a", "b")), cfg.loadModules());
        assertEquals("5", cfg.moduleConfigs().get("mymod.opt"));
    }

    // ---------------------------------------------------------------- include

    @Test
    void includeNestedAndRelativeToDir() throws Exception {
        Path sub = Files.createDirectories(tmp.resolve("sub"));
        Files.writeString(sub.resolve("inner.conf"), "maxmemory 2mb\n");
        Files.writeString(sub.resolve("outer.conf"), "port 7001\ninclude inner.conf\n");
        Files.writeString(tmp.resolve("main.conf"), "port 7000\ndir " + sub + "\ninclude outer.conf\ntimeout 5\n");
        ServerConfig cfg = ConfigLoader.loadFile(tmp.resolve("main.conf"));
        assertEquals(7001, cfg.port());
        assertEquals(2L * 1024 * 1024, cfg.maxmemory());
        assertEquals(5, cfg.timeout());
        assertEquals(sub.toString(), cfg.dir());
        assertEquals(tmp.resolve("main.conf").toAbsolutePath(), cfg.configFile());
    }

    @Test
    void includeAbsoluteAndLaterLinesWin() throws Exception {
        Path inc = tmp.resolve("inc.conf");
        Files.writeString(inc, "port 7002\nsave 10 10\n");
        ServerConfig cfg = ConfigLoader.loadString("save 900 1\ninclude " + inc + "\nsave 20 20\n");
        assertEquals(7002, cfg.port());
        assertEquals("900 1 10 10 20 20", cfg.format("save"));
        cfg = ConfigLoader.loadString("include " + inc + "\nport 7003\n");
        assertEquals(7003, cfg.port());
    }

    @Test
    void includeErrorsReportTheIncludedLine() throws Exception {
        Path inc = tmp.resolve("bad.conf");
        Files.writeString(inc, "# comment\n\nmaxmemory lots\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.loadString("port 1\ninclude " + inc + "\n"));
        assertEquals(report(3, "maxmemory lots", "argument must be a memory value"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.loadString("include /nonexistent-tandem.conf\n"));
        assertEquals("Fatal error, can't open config file '/nonexistent-tandem.conf': No such file or directory", e.getMessage());
        assertEquals(e.getMessage() + "\n", e.stderrText());
    }

    @Test
    void includeWildcards() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("conf.d"));
        Files.writeString(d.resolve("10-a.conf"), "port 7010\n");
        Files.writeString(d.resolve("20-b.conf"), "port 7020\n");
        Files.writeString(d.resolve("skip.txt"), "port 1\n");
        assertEquals(7020, ConfigLoader.loadString("include " + d + "/*.conf\n").port());
        assertEquals(6379, ConfigLoader.loadString("include " + tmp + "/empty.d/*.conf\n").port());
    }

    @Test
    void fileBytesAreKeptExactly() throws Exception {
        Path f = tmp.resolve("utf8.conf");
        Files.write(f, "requirepass \"pässwörd\"\n".getBytes(StandardCharsets.UTF_8));
        ServerConfig cfg = ConfigLoader.loadFile(f);
        assertEquals("pässwörd", new String(ConfigText.bytes(cfg.requirepass()), StandardCharsets.UTF_8));
    }
}
