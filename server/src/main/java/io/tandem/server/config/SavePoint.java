package io.tandem.server.config;

/** One {@code save <seconds> <changes>} point: snapshot after {@code seconds} if at least {@code changes} writes. */
public record SavePoint(long seconds, int changes) {
    @Override
    public String toString() {
        return seconds + " " + changes;
    }
}
