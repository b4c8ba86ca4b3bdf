package io.tandem.server.config;

/** The {@code replicaof <host> <port>} target; the config value is {@code null} for a master. */
public record ReplicaOf(String host, int port) {
    @Override
    public String toString() {
        return host + " " + port;
    }
}
