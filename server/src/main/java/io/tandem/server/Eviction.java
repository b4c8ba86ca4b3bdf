package io.tandem.server;

import io.tandem.server.command.CommandFlag;
import io.tandem.server.command.CommandSpec;
import io.tandem.server.exec.Client;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Keyspace;
import io.tandem.storage.keyspace.Lfu;
import io.tandem.storage.keyspace.StoredValue;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * {@code maxmemory} and its eviction policies, as Redis 7.0's evict.c. Executor thread only.
 *
 * <h2>What is measured</h2>
 * "Used memory" is {@link Server#usedMemory()}: the keyspace's off-heap bytes (map entries with
 * their overhead, the expires index, big-value blocks). The Java heap is not counted: it holds
 * no data, only transient buffers, and its size moves with the garbage collector rather than
 * with what eviction deletes, so counting it would make eviction delete keys to "free" memory
 * that a delete cannot free. As Redis, the limit is thus on the dataset plus its overhead.
 *
 * <h2>The cycle ({@link #performEvictions})</h2>
 * Run before every command while {@code maxmemory} is set (from a {@link Server.DenyRule}, as
 * processCommand does), and from cron while a cycle stopped on its time budget:
 * <ol>
 *   <li>under the limit: OK;</li>
 *   <li>noeviction: FAIL (a denyoom command then gets {@link #OOM});</li>
 *   <li>LRU / LFU / volatile-ttl: sample {@code maxmemory-samples} keys of every database (all
 *       keys, or only keys with a TTL for volatile-*) into a pool of the 16 best candidates
 *       kept across cycles (the eviction pool), evict the best one still present;</li>
 *   <li>random: one random key, from the next database in turn that has one;</li>
 *   <li>each eviction: delete, WATCH signal, {@code evicted} keyspace event, DEL propagated,
 *       {@code evicted_keys}+1;</li>
 *   <li>repeat until the memory freed covers the excess; nothing left to evict: FAIL; every 16
 *       keys past the time budget (500 µs, maxmemory-eviction-tenacity 10): RUNNING, and cron
 *       goes on.</li>
 * </ol>
 *
 * <h2>Access tracking</h2>
 * Under an LRU or LFU policy, {@link #touchKeys} records an access to the keys of each command
 * before it runs (Redis's lookupKey does so on every read and write lookup) except for the
 * commands Redis looks up with LOOKUP_NOTOUCH (EXISTS, TYPE, TTL..., OBJECT). Under the other
 * policies only writes set the LRU clock (OBJECT IDLETIME is then the time since the last write),
 * which keeps reads free of a map write.
 */
public final class Eviction {
    /** The reply to a denyoom command when eviction could not free enough. */
    public static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";

    /** Outcome of {@link #performEvictions}. */
    public enum Result { OK, RUNNING, FAIL }

    /** maxmemory-policy values; flags as Redis's MAXMEMORY_FLAG_*. */
    enum Policy {
        NOEVICTION("noeviction", false, false, false),
        ALLKEYS_LRU("allkeys-lru", true, true, false),
        VOLATILE_LRU("volatile-lru", false, true, false),
        ALLKEYS_LFU("allkeys-lfu", true, false, true),
        VOLATILE_LFU("volatile-lfu", false, false, true),
        ALLKEYS_RANDOM("allkeys-random", true, false, false),
        VOLATILE_RANDOM("volatile-random", false, false, false),
        VOLATILE_TTL("volatile-ttl", false, false, false);

        final String name;
        final boolean allKeys;
        final boolean lru;
        final boolean lfu;

        Policy(String name, boolean allKeys, boolean lru, boolean lfu) {
            this.name = name;
            this.allKeys = allKeys;
            this.lru = lru;
            this.lfu = lfu;
        }

        static Policy of(String name) {
            for (Policy p : values()) if (p.name.equalsIgnoreCase(name)) return p;
            return NOEVICTION;
        }
    }

    /** EVPOOL_SIZE. */
    static final int POOL_SIZE = 16;
    /** 50 µs × maxmemory-eviction-tenacity (default 10). */
    static final long TIME_LIMIT_NANOS = 500_000;
    /** Looked up by Redis with LOOKUP_NOTOUCH: they do not count as an access. */
    private static final Set<String> NO_TOUCH = Set.of("exists", "type", "ttl", "pttl", "expiretime", "pexpiretime",
            "object|encoding", "object|refcount", "object|idletime", "object|freq", "debug", "memory|usage", "scan", "keys");
    private static final byte[] DEL = "DEL".getBytes(StandardCharsets.US_ASCII);

    private final Server server;
    private final Settings settings;
    private final Keyspace keyspace;
    private final Lfu lfu = new Lfu();
    private String policyName;
    private Policy policy = Policy.NOEVICTION;
    private int nextDb;
    private boolean running;

    /** The eviction pool, best candidate last (highest score), as Redis's EvictionPoolLRU. */
    private final byte[][] poolKey = new byte[POOL_SIZE][];
    private final long[] poolScore = new long[POOL_SIZE];
    private final int[] poolDb = new int[POOL_SIZE];

    Eviction(Server server) {
        this.server = server;
        this.settings = server.settings();
        this.keyspace = server.keyspace();
        refresh();
    }

    /** Installs the OOM check and the cron continuation; called once by the server. */
    void install() {
        server.addDenyRule(this::deny);
        server.addCronTask(() -> {
            if (running) performEvictions();
        });
    }

    /** Picks up maxmemory-policy / lfu-* changes (CONFIG SET writes Settings). Cheap: reference compare. */
    void refresh() {
        lfu.logFactor = settings.lfuLogFactor;
        lfu.decayTime = settings.lfuDecayTime;
        if (settings.maxmemoryPolicy != policyName) {
            policyName = settings.maxmemoryPolicy;
            Policy p = Policy.of(policyName);
            if (p != policy) {
                policy = p;
                java.util.Arrays.fill(poolKey, null);
            }
            keyspace.setLfu(p.lfu ? lfu : null);
        }
    }

    public boolean lfuPolicy() {
        refresh();
        return policy.lfu;
    }

    public boolean lruPolicy() {
        refresh();
        return policy.lru;
    }

    /** OBJECT FREQ: the LFU counter of a value's lru field, decayed to now. */
    public long frequency(int lruField) {
        return lfu.decrAndReturn(lruField, keyspace.now());
    }

    /** estimateObjectIdleTime: ms since the access recorded in a value's lru field (LRU clock, 24-bit seconds). */
    public long idleMillis(int lruField) {
        long clock = (keyspace.now() / 1000) & 0xFFFFFF;
        long lru = lruField & 0xFFFFFF;
        return (clock >= lru ? clock - lru : clock + (0xFFFFFF - lru)) * 1000;
    }

    /** Records an access to the command's keys when the policy tracks them (see the class comment). */
    public void touchKeys(int dbIndex, CommandSpec spec, byte[][] argv) {
        if (settings.maxmemoryPolicy != policyName) refresh();
        if (!(policy.lru || policy.lfu) || spec.firstKey == 0 || NO_TOUCH.contains(spec.name)) return;
        Database db = keyspace.db(dbIndex);
        for (int k : spec.keyPositions(argv)) db.touch(argv[k]);
    }

    private String deny(Client c, CommandSpec spec) {
        if (settings.maxmemory == 0) return null;
        refresh();
        if (performEvictions() == Result.FAIL && spec.has(CommandFlag.DENYOOM)) return OOM;
        return null;
    }

    /**
     * Redis's performEvictions: evicts until used memory is back under {@code maxmemory}.
     * Returns OK (under the limit, or no limit, or a replica: replica-ignore-maxmemory), RUNNING
     * (stopped on the time budget, cron continues; not a failure) or FAIL (over the limit and
     * nothing can be evicted: noeviction, or no candidate keys).
     */
    public Result performEvictions() {
        running = false;
        long max = settings.maxmemory;
        if (max == 0 || server.role() == 'S') return Result.OK;
        long used = server.usedMemory();
        if (used <= max) return Result.OK;
        refresh();
        if (policy == Policy.NOEVICTION) return Result.FAIL;
        long toFree = used - max;
        long freed = 0;
        int evicted = 0;
        long start = System.nanoTime();
        while (freed < toFree) {
            int[] dbOut = new int[1];
            byte[] key = (policy == Policy.ALLKEYS_RANDOM || policy == Policy.VOLATILE_RANDOM)
                    ? randomCandidate(dbOut) : poolCandidate(dbOut);
            if (key == null) return Result.FAIL;
            long before = server.usedMemory();
            evict(dbOut[0], key);
            freed += before - server.usedMemory();
            if (++evicted % 16 == 0 && System.nanoTime() - start > TIME_LIMIT_NANOS) {
                running = true;
                return Result.RUNNING;
            }
        }
        return Result.OK;
    }

    private void evict(int dbIndex, byte[] key) {
        keyspace.db(dbIndex).delete(key);
        server.stats().evictedKeys++;
        server.keyTouched(dbIndex, key);
        server.keyspaceEvents().notify(KeyspaceEvents.EVICTED, "evicted", key, dbIndex);
        server.propagation().emit(dbIndex, new byte[][] {DEL, key});
    }

    /** volatile-random / allkeys-random: a random key of the next database (in turn) that has one. */
    private byte[] randomCandidate(int[] dbOut) {
        int n = keyspace.databases();
        for (int i = 0; i < n; i++) {
            int j = nextDb = (nextDb + 1) % n;
            Database db = keyspace.db(j);
            byte[] key;
            if (policy.allKeys) {
                if (db.size() == 0) continue;
                key = db.randomKey();
            } else {
                if (db.expiresCount() == 0) continue;
                byte[][] one = new byte[1][];
                db.sample(1, true, (k, v) -> one[0] = k);
                key = one[0];
            }
            if (key != null) {
                dbOut[0] = j;
                return key;
            }
        }
        return null;
    }

    /** LRU / LFU / volatile-ttl: fills the pool from every database, then takes its best live entry. */
    private byte[] poolCandidate(int[] dbOut) {
        while (true) {
            long total = 0;
            for (int i = 0; i < keyspace.databases(); i++) {
                Database db = keyspace.db(i);
                long keys = policy.allKeys ? db.size() : db.expiresCount();
                if (keys == 0) continue;
                int dbi = i;
                db.sample(settings.maxmemorySamples, !policy.allKeys, (k, v) -> poolInsert(dbi, k, score(v)));
                total += keys;
            }
            if (total == 0) return null;
            boolean any = false;
            for (int k = POOL_SIZE - 1; k >= 0; k--) {
                byte[] key = poolKey[k];
                if (key == null) continue;
                any = true;
                int dbi = poolDb[k];
                poolKey[k] = null;
                poolScore[k] = 0;
                Database db = keyspace.db(dbi);
                boolean present = policy.allKeys ? db.exists(key) : db.getExpire(key) >= 0;
                if (present) {
                    dbOut[0] = dbi;
                    return key;
                }
                // a ghost: deleted since it was sampled; try the next
            }
            if (!any && total > 0) {
                // Keys are counted but none could be sampled (all expired meanwhile): nothing to do now.
                return null;
            }
        }
    }

    /** Higher is a better candidate: idle time, 255 − frequency, or the nearness of the expiry. */
    private long score(StoredValue v) {
        if (policy.lru) return idleMillis(v.lru);
        if (policy.lfu) return 255 - lfu.decrAndReturn(v.lru, keyspace.now());
        return Long.MAX_VALUE - v.expireAt; // volatile-ttl
    }

    /** evictionPoolPopulate's insertion: keeps the pool sorted by score, ascending, dropping the worst. */
    void poolInsert(int dbi, byte[] key, long score) {
        int k = 0;
        while (k < POOL_SIZE && poolKey[k] != null && poolScore[k] < score) k++;
        if (k == 0 && poolKey[POOL_SIZE - 1] != null) return; // worse than everything in a full pool
        if (k < POOL_SIZE && poolKey[k] == null) {
            // empty slot: insert here
        } else if (poolKey[POOL_SIZE - 1] == null) {
            shift(k, k + 1, POOL_SIZE - k - 1); // room on the right
        } else {
            k--; // full: drop the worst (leftmost)
            shift(1, 0, k);
        }
        poolKey[k] = key;
        poolScore[k] = score;
        poolDb[k] = dbi;
    }

    private void shift(int from, int to, int n) {
        System.arraycopy(poolKey, from, poolKey, to, n);
        System.arraycopy(poolScore, from, poolScore, to, n);
        System.arraycopy(poolDb, from, poolDb, to, n);
    }
}
