package io.tandem.server.commands;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * INFO is parsed by name (redis-cli, Sentinel, exporters): every section real Redis 7.0 prints
 * by default, with every field in it, must be in Tandem's INFO too, in the same order of sections.
 */
class InfoFieldsTest {
    /** Fields of the build/host Redis reports that have no meaning for Tandem. */
    static final Set<String> NOT_APPLICABLE = Set.of(
            "used_memory_lua", "used_memory_vm_eval", "used_memory_lua_human", "used_memory_scripts_eval",
            "number_of_cached_scripts", "number_of_functions", "number_of_libraries", "used_memory_vm_functions",
            "used_memory_vm_total", "used_memory_vm_total_human", "used_memory_functions", "used_memory_scripts",
            "used_memory_scripts_human", "allocator_active", "allocator_resident", "allocator_frag_ratio",
            "allocator_frag_bytes", "allocator_rss_ratio", "allocator_rss_bytes", "rss_overhead_ratio",
            "rss_overhead_bytes", "mem_fragmentation_bytes", "mem_not_counted_for_evict", "mem_replication_backlog",
            "mem_total_replication_buffers", "mem_clients_slaves", "mem_clients_normal", "mem_cluster_links",
            "mem_aof_buffer", "active_defrag_running", "used_memory_peak_perc", "used_memory_dataset_perc",
            "used_memory_startup", "used_memory_rss_human", "server_time_usec");

    static Map<String, List<String>> sections(String info) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> cur = null;
        for (String line : info.split("\r\n")) {
            if (line.startsWith("# ")) {
                cur = new ArrayList<>();
                out.put(line.substring(2), cur);
            } else if (!line.isEmpty() && cur != null) {
                cur.add(line.substring(0, line.indexOf(':')));
            }
        }
        return out;
    }

    @Test
    void everyRedisSectionAndFieldIsPresent() {
        try (RedisProcess redis = RedisProcess.start(); TandemTestServer tandem = TandemTestServer.start();
             Jedis r = new Jedis("127.0.0.1", redis.port()); Jedis t = new Jedis("127.0.0.1", tandem.port())) {
            r.set("k", "v");
            t.set("k", "v");
            Map<String, List<String>> expected = sections(r.info());
            Map<String, List<String>> actual = sections(t.info());
            assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), "INFO sections");
            for (var e : expected.entrySet()) {
                List<String> missing = new ArrayList<>();
                for (String field : e.getValue()) {
                    if (!actual.get(e.getKey()).contains(field) && !NOT_APPLICABLE.contains(field)) missing.add(field);
                }
                assertTrue(missing.isEmpty(), "INFO " + e.getKey() + " lacks " + missing);
            }
            // explicit sections and "everything"
            assertTrue(t.info("commandstats").contains("cmdstat_set:calls=1,"));
            assertTrue(t.info("everything").contains("# Commandstats"));
            assertTrue(t.info("keyspace").contains("db0:keys=1,expires=0"));
        }
    }
}
