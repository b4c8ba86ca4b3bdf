package io.tandem.server.config;

/**
 * The configuration could not be loaded: the server must not start. {@link #getMessage()} is the
 * report Redis prints, e.g.
 * <pre>
 * *** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***
 * Reading the configuration file, at line 2
 * &gt;&gt;&gt; 'port "abc"'
 * argument couldn't be parsed into an integer
 * </pre>
 * The caller prints {@link #stderrText()} to stderr and exits with status 1.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean fatalReport;

    ConfigException(String message, boolean fatalReport) {
        super(message);
        this.fatalReport = fatalReport;
    }

    /** Exactly what redis-server writes to stderr (the FATAL report is preceded by an empty line). */
    public String stderrText() {
        return (fatalReport ? "\n" : "") + getMessage() + "\n";
    }
}
