package io.tandem.server.replication;

import static io.tandem.server.replication.RedisReplicaOfTandemTest.field;
import static io.tandem.server.replication.RedisReplicaOfTandemTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess.Client;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dir/known-replicas: what a master with master-recover-from-replica yes records, and when. */
class KnownReplicasTest {
    @TempDir
    Path dir;

    @Test
    void writtenOnlyWhenTheSetChangesAndNeverEmptied() throws Exception {
        assertEquals(List.of(), KnownReplicas.read(dir), "no file: no replica known");
        KnownReplicas k = new KnownReplicas(() -> dir);
        assertFalse(k.update(List.of()), "an empty set is not written");
        assertFalse(Files.exists(dir.resolve(KnownReplicas.FILE)));

        assertTrue(k.update(List.of("127.0.0.1:7002", "127.0.0.1:7001")));
        assertEquals(List.of("127.0.0.1:7001", "127.0.0.1:7002"), KnownReplicas.read(dir), "sorted");
        assertTrue(Files.readString(dir.resolve(KnownReplicas.FILE)).startsWith("# "), "a comment says what it is");
        long mtime = Files.getLastModifiedTime(dir.resolve(KnownReplicas.FILE)).toMillis();
        assertFalse(k.update(List.of("127.0.0.1:7001", "127.0.0.1:7002")), "same set, another order: no write");
        assertFalse(k.update(List.of()), "the last replica went away: the file keeps naming it");
        assertEquals(List.of("127.0.0.1:7001", "127.0.0.1:7002"), KnownReplicas.read(dir));
        assertEquals(mtime, Files.getLastModifiedTime(dir.resolve(KnownReplicas.FILE)).toMillis());

        assertTrue(k.update(List.of("127.0.0.1:7001")));
        assertEquals(List.of("127.0.0.1:7001"), KnownReplicas.read(dir));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(Set.of(KnownReplicas.FILE), Set.copyOf(files.map(p -> p.getFileName().toString()).toList()),
                    "no temp file left behind");
        }
        // A new instance (a restarted master) compares with what the file holds.
        KnownReplicas again = new KnownReplicas(() -> dir);
        assertFalse(again.update(List.of("127.0.0.1:7001")));
        assertTrue(again.update(List.of("[::1]:7003")));
        assertEquals(List.of(new MasterRecovery.HostPort("::1", 7003)),
                KnownReplicas.read(dir).stream().map(MasterRecovery.HostPort::parse).toList());
    }

    @Test
    void aMasterRecordsItsOnlineReplicasOnlyWithRecoveryOn() throws Exception {
        Path off = Files.createDirectory(dir.resolve("off"));
        Path on = Files.createDirectory(dir.resolve("on"));
        try (TandemTestServer plain = TandemTestServer.start(Map.of("dir", off.toString()));
                TandemTestServer master = TandemTestServer.start(Map.of("dir", on.toString(), "master-recover-from-replica", "yes"));
                TandemTestServer r1 = TandemTestServer.start(Map.of("replicaof", "127.0.0.1 " + master.port()));
                TandemTestServer r2 = TandemTestServer.start(Map.of("replicaof", "127.0.0.1 " + plain.port()));
                Client cm = Client.connect("127.0.0.1", master.port());
                Client cp = Client.connect("127.0.0.1", plain.port());
                Client c1 = Client.connect("127.0.0.1", r1.port());
                Client c2 = Client.connect("127.0.0.1", r2.port())) {
            cm.call("SET", "k", "v");
            cp.call("SET", "k", "v");
            Psync2ChainTest.awaitOffset(c1, cm);
            Psync2ChainTest.awaitOffset(c2, cp);
            assertEquals(List.of("127.0.0.1:" + r1.port()), KnownReplicas.read(on));
            assertFalse(Files.exists(off.resolve(KnownReplicas.FILE)), "recovery off: nothing written");
            // Turned on at runtime: the replicas online now are recorded at once.
            assertEquals("OK", cp.call("CONFIG", "SET", "master-recover-from-replica", "yes"));
            assertEquals(List.of("127.0.0.1:" + r2.port()), KnownReplicas.read(off));
            assertEquals("yes", text(((List<?>) cp.call("CONFIG", "GET", "master-recover-from-replica")).get(1)));
            assertEquals("0", field(text(cm.call("INFO", "persistence")), "loading"));
        }
    }
}
