package io.tandem.server;

/**
 * The configuration values read on hot paths, as plain fields. The typed configuration
 * ({@code io.tandem.server.config}) is the source of truth; its apply hooks copy values here.
 * Fields read by network threads are volatile; the rest are read by the executor only, which is
 * also where CONFIG SET runs.
 */
public final class Settings {
    // read by network threads
    public volatile int maxclients = 10000;
    public volatile long protoMaxBulkLen = 512L * 1024 * 1024;
    public volatile long clientQueryBufferLimit = 1024L * 1024 * 1024;
    public volatile boolean protectedMode = true;
    public volatile boolean passwordSet;

    // executor only
    public int databases = 16;
    public String requirepass;
    public int hz = 10;
    public long timeoutSeconds;
    public long slowlogLogSlowerThan = 10000;
    public int slowlogMaxLen = 128;
    public long latencyMonitorThreshold;
    public long maxmemory;
    public String maxmemoryPolicy = "noeviction";
    public int maxmemorySamples = 5;
    public int lfuLogFactor = 10;
    public int lfuDecayTime = 1;
    public String enableDebugCommand = "no";
    public String notifyKeyspaceEvents = "";
    public int activeExpireEffort = 1;
    public boolean replicaReadOnly = true;
    public boolean replicaServeStaleData = true;
    public int hashMaxListpackEntries = 128;
    public long hashMaxListpackValue = 64;
    public int zsetMaxListpackEntries = 128;
    public long zsetMaxListpackValue = 64;
    public int listMaxListpackSize = -2;
    public int setMaxIntsetEntries = 512;
    /** hll-sparse-max-bytes: a sparse HyperLogLog growing past this many bytes turns dense. */
    public long hllSparseMaxBytes = 3000;
}
