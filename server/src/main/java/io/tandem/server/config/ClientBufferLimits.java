package io.tandem.server.config;

/**
 * {@code client-output-buffer-limit} for the three client classes. A client is disconnected
 * when its output buffer exceeds {@code hardBytes}, or stays above {@code softBytes} for
 * {@code softSeconds}. 0 disables a limit.
 */
public record ClientBufferLimits(Limit normal, Limit replica, Limit pubsub) {
    public record Limit(long hardBytes, long softBytes, long softSeconds) {}

    public static final ClientBufferLimits DEFAULT = new ClientBufferLimits(
            new Limit(0, 0, 0),
            new Limit(256L * 1024 * 1024, 64L * 1024 * 1024, 60),
            new Limit(32L * 1024 * 1024, 8L * 1024 * 1024, 60));

    /** Client class index as Redis: 0 normal, 1 replica (slave), 2 pubsub. */
    public Limit get(int clazz) {
        return switch (clazz) {
            case 0 -> normal;
            case 1 -> replica;
            case 2 -> pubsub;
            default -> throw new IllegalArgumentException("class " + clazz);
        };
    }

    ClientBufferLimits with(int clazz, Limit l) {
        return new ClientBufferLimits(clazz == 0 ? l : normal, clazz == 1 ? l : replica, clazz == 2 ? l : pubsub);
    }
}
