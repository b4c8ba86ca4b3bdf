package io.tandem.server;

/** Versions reported to clients. Tandem speaks Redis 7.0's protocol and reports its version so clients enable 7.0 features. */
public final class Version {
    private Version() {}

    /** What INFO redis_version, HELLO and --version report: clients key features off it. */
    public static final String REDIS_VERSION = "7.0.15";
    public static final String TANDEM_VERSION = "0.1.0";
}
