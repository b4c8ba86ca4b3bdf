package io.tandem.server.config;

/**
 * CONFIG SET was refused; nothing was changed. {@link #getMessage()} is the Redis error text
 * without the "ERR " prefix, e.g. {@code CONFIG SET failed (possibly related to argument 'port') -
 * argument couldn't be parsed into an integer}. When {@link #isLoadingError()} the reply must be
 * Redis's {@code -LOADING Redis is loading the dataset in memory} instead.
 */
public final class ConfigSetException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean loading;

    ConfigSetException(String message, boolean loading) {
        super(message);
        this.loading = loading;
    }

    public boolean isLoadingError() {
        return loading;
    }
}
