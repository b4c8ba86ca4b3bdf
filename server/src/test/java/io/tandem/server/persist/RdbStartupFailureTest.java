package io.tandem.server.persist;

import static io.tandem.server.persist.PersistTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import io.tandem.server.TandemServer;
import io.tandem.server.config.ConfigLoader;
import io.tandem.server.config.ServerConfig;
import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.keyspace.ChronicleKeyspace;
import io.tandem.storage.testing.RedisProcess.Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A truncated or corrupt dump.rdb stops the server from starting, naming the offset; never a partial load. */
class RdbStartupFailureTest {
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("tandem-corrupt-");
        try (TandemTestServer s = start(dir); Client c = connect(s)) {
            populate(c);
            assertEquals("OK", c.call("SAVE"));
        }
    }

    @AfterEach
    void tearDown() {
        deleteTree(dir);
    }

    private Persistence.FatalLoadError startFails() throws Exception {
        ServerConfig config = ConfigLoader.loadString("port " + TandemTestServer.freePort() + "\nbind 127.0.0.1\nsave \"\"\ndir "
                + dir + "\ndbfilename dump.rdb\n");
        TandemServer server = new TandemServer(config, ChronicleKeyspace.open(config.databases()));
        try {
            return assertThrows(Persistence.FatalLoadError.class, server::start);
        } finally {
            server.close();
        }
    }

    @Test
    void truncatedFileRefusesToStart() throws Exception {
        Path f = dir.resolve("dump.rdb");
        byte[] b = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(b, b.length / 2));
        Persistence.FatalLoadError e = startFails();
        assertTrue(e.getMessage().contains("at offset "), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected end of file"), e.getMessage());
    }

    @Test
    void corruptFileRefusesToStart() throws Exception {
        Path f = dir.resolve("dump.rdb");
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x5A;
        b[b.length / 2 + 1] ^= 0x33;
        Files.write(f, b);
        Persistence.FatalLoadError e = startFails();
        assertTrue(e.getMessage().contains("at offset "), e.getMessage());
    }
}
