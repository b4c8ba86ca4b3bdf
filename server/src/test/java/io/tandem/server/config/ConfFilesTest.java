package io.tandem.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files of conf/, and the stock Debian redis 7.0 configuration. */
class ConfFilesTest {
    @TempDir
    Path tmp;

    static Path confDir() {
        String root = System.getProperty("tandem.project.root");
        Path p = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
        for (Path d = p; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("conf/tandem.conf"))) return d.resolve("conf");
        }
        throw new AssertionError("conf/tandem.conf not found from " + p);
    }

    /** Names of the active (not commented) directive lines of a file. */
    static Set<String> activeDirectives(String text) {
        Set<String> names = new HashSet<>();
        for (String line : text.split("\n")) {
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("#")) continue;
            List<String> args = ConfigText.splitArgs(t);
            if (args != null && !args.isEmpty()) names.add(ConfigText.asciiLower(args.get(0)));
        }
        return names;
    }

    @Test
    void tandemConfDocumentsEveryDirectiveWithItsDefault() throws Exception {
        Path file = confDir().resolve("tandem.conf");
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        Set<String> names = activeDirectives(text);
        List<String> missing = new ArrayList<>();
        for (Directive d : ConfigTable.all()) {
            if (!names.contains(d.name())) missing.add(d.name());
        }
        assertEquals(List.of(), missing, "directives not documented in conf/tandem.conf");
        for (String n : names) assertTrue(ConfigTable.lookup(n) != null, "unknown directive " + n + " in tandem.conf");
        assertTrue(text.contains("\n# include "), "include is documented");
        assertTrue(text.contains("\n# rename-command "), "rename-command is documented");

        ServerConfig cfg = ConfigLoader.loadFile(file);
        ServerConfig defaults = ServerConfig.defaults();
        for (Map.Entry<String, String> e : defaults.getMatching("*")) {
            if (e.getKey().equals("dir")) continue; // "dir ./" is relative to where the server starts
            assertEquals(e.getValue(), cfg.format(e.getKey()), e.getKey());
        }
        assertEquals(ConfigDocGenerator.tandemConf(), text, "conf/tandem.conf is stale: regenerate it with ConfigDocGenerator");
    }

    private ServerConfig loadExample(String name) throws Exception {
        String text = Files.readString(confDir().resolve(name));
        // The examples' data directories are relative to the start directory; load them here.
        text = text.replaceAll("(?m)^dir .*$", "dir " + tmp);
        Path copy = tmp.resolve(name);
        Files.writeString(copy, text);
        return ConfigLoader.loadFile(copy);
    }

    @Test
    void masterAndReplicaExamples() throws Exception {
        ServerConfig master = loadExample("master.conf");
        ServerConfig replica = loadExample("replica.conf");
        assertEquals(6379, master.port());
        assertNull(master.replicaOf());
        assertTrue(master.appendonly());
        assertEquals(6380, replica.port());
        assertEquals(new ReplicaOf("127.0.0.1", 6379), replica.replicaOf());
        assertTrue(replica.replicaReadOnly());
        String m = Files.readString(confDir().resolve("master.conf"));
        String r = Files.readString(confDir().resolve("replica.conf"));
        assertTrue(m.contains("\ndir ./data/master\n") && r.contains("\ndir ./data/replica\n"), "separate data directories");
    }

    /** Users start Tandem with the exact Debian /etc/redis/redis.conf: every directive in it must load. */
    @Test
    void debianRedisConfLoads() throws Exception {
        Path debian = Path.of("/etc/redis/redis.conf");
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        if (!Files.isReadable(debian)) {
            if (ci) fail(debian + " must be present and readable under CI (apt-get install -y redis-server)");
            assumeTrue(false, debian + " not present");
        }
        ServerConfig cfg = ConfigLoader.load(debian, null, null, ConfigLoader.Options.defaults().checkLogfile(false));
        assertEquals(6379, cfg.port());
        assertEquals(List.of("127.0.0.1", "-::1"), cfg.bind());
        assertTrue(cfg.daemonize());
        assertEquals("/run/redis/redis-server.pid", cfg.pidfile());
        assertEquals("/var/log/redis/redis-server.log", cfg.logfile());
        assertEquals("/var/lib/redis", cfg.dir());
        assertEquals(16, cfg.databases());
        assertEquals("appendonly.aof", cfg.appendfilename());
        assertEquals(debian.toAbsolutePath(), cfg.configFile());
        // Every directive line of the file is one Tandem knows.
        for (String n : activeDirectives(Files.readString(debian, StandardCharsets.ISO_8859_1))) {
            assertTrue(ConfigTable.lookup(n) != null || n.equals("include") || n.equals("rename-command"), n);
        }
        // Rewriting it keeps every line: a copy rewritten with no change only loses nothing.
        Path copy = tmp.resolve("redis.conf");
        Files.copy(debian, copy);
        ServerConfig fromCopy = ConfigLoader.load(copy, null, null, ConfigLoader.Options.defaults().checkLogfile(false));
        fromCopy.rewrite();
        ServerConfig reread = ConfigLoader.load(copy, null, null, ConfigLoader.Options.defaults().checkLogfile(false));
        assertEquals(fromCopy.getMatching("*"), reread.getMatching("*"));
    }
}
