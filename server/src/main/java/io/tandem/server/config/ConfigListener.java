package io.tandem.server.config;

/**
 * Applies a changed configuration value to a running component (Redis's "apply" functions).
 * Called by {@link ServerConfig#set} after every value of the CONFIG SET was validated and
 * stored. To refuse the change throw any {@link RuntimeException}; its message becomes the
 * CONFIG SET error ("CONFIG SET failed (possibly related to argument 'x') - message") and every
 * value of that CONFIG SET is rolled back (listeners already run are called again with the
 * old value as {@code newValue}).
 *
 * <p>Values are the typed values documented on {@link ServerConfig#get(String)}.
 */
@FunctionalInterface
public interface ConfigListener {
    void onChange(String name, Object oldValue, Object newValue);
}
